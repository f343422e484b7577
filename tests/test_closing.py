"""Closing a period: a frozen dataset under a content id, reopening, and what changed after the close."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from fake_sheets import FakeSheets

from lib import closing, entry
from lib.clean import clean
from lib.exceptions import BCDError
from lib.period import Period
from tests.conftest import raw_data

HEADER = ["Ngày", "Xã", "Chương trình", "Loại hoạt động", "Người tham gia", "Mã dòng"]
NOW = dt.datetime(2026, 10, 20, 9, 30)
OCTOBER = Period.month(2026, 10)


def rows(*people: int) -> list[list]:
    return [[f"0{i + 1}/10/2026", "Xã Đam Rông 1", 2, "Ngày thứ 7 cùng nhân dân", n, f"id-{i}"] for i, n in enumerate(people)]  # fmt: skip


def dataset(config, bchqs: list[list]):
    tabs = {name: [] for name in config.organisation_tabs}
    tabs["BCHQS"] = [HEADER, *bchqs]
    return clean(raw_data(tabs), config, today=dt.date(2026, 11, 30))


def test_close_freezes_the_period_under_a_content_id(tmp_path, config):
    store = closing.ClosureStore(tmp_path)
    data = dataset(config, rows(10, 20))
    closure = store.close(data, config, OCTOBER, "admin@x.vn", NOW)
    assert closure.id == closing.content_id(dataset(config, rows(10, 20)), config, OCTOBER)  # same rows, same id
    assert closure.id != closing.content_id(dataset(config, rows(10, 21)), config, OCTOBER)
    assert closure.rows == 2 and store.active(OCTOBER) == closure
    assert closure.note() == f"Số liệu chốt ngày 20/10/2026 (mã {closure.id})"
    frozen = store.frozen(closure)
    assert frozen.activities["participants"].sum() == 30
    with pytest.raises(BCDError, match="đã được chốt"):
        store.close(data, config, OCTOBER, "admin@x.vn", NOW)
    reopened = store.reopen(OCTOBER, "admin@x.vn", NOW + dt.timedelta(days=1))
    assert store.active(OCTOBER) is None and reopened.reopened_by == "admin@x.vn"
    assert closing.register_row(reopened, "Mở lại")[-3:] == ["admin@x.vn", "09:30 ngày 21/10/2026", "Mở lại"]


def test_edits_after_the_close_are_listed_with_the_difference_in_figures(tmp_path, config):
    store = closing.ClosureStore(tmp_path)
    closure = store.close(dataset(config, rows(10, 20, 30)), config, OCTOBER, "admin@x.vn", NOW)
    later = rows(10, 25, 30)[:1] + rows(10, 25, 30)[1:2] + [rows(0, 0, 0, 7)[3]]  # id-2 gone, id-3 added, id-1 edited
    listed, difference = closing.changes(store.frozen(closure), dataset(config, later), config, OCTOBER)
    assert listed.values.tolist() == [
        ["BCHQS", 3, "Sửa sau khi chốt"],
        ["BCHQS", 4, "Thêm sau khi chốt"],
        ["BCHQS", 4, "Xoá hoặc sửa mất sau khi chốt"],
    ]
    assert difference.values.tolist() == [["Người tham gia", "60", "42", "-18"]]
    unchanged, none = closing.changes(store.frozen(closure), dataset(config, rows(10, 20, 30)), config, OCTOBER)
    assert unchanged.empty and none.empty


def test_the_register_tab_records_closings_in_sheets_and_workbooks(fake_sheets: FakeSheets, tmp_path, config):
    fake_sheets.add_spreadsheet("1ClOsEkEy0123456789abcdefghijklmn", {"BCHQS": [HEADER]})
    spreadsheet = fake_sheets.client().open_by_key("1ClOsEkEy0123456789abcdefghijklmn")
    store = closing.ClosureStore(tmp_path / "store")
    closure = store.close(dataset(config, rows(10)), config, OCTOBER, "admin@x.vn", NOW)
    entry.append_log_row(spreadsheet, "Chốt số liệu", closing.TAB_HEADER, closing.register_row(closure, "Chốt"))
    tab = fake_sheets.spreadsheets["1ClOsEkEy0123456789abcdefghijklmn"].tab("Chốt số liệu").values()
    assert tab == [closing.TAB_HEADER, ["tháng 10 năm 2026", "01/10/2026", "31/10/2026", closure.id, 1, "admin@x.vn",
                                        "09:30 ngày 20/10/2026", "Chốt"]]  # fmt: skip
    path = tmp_path / "so-lieu.xlsx"
    openpyxl.Workbook().save(path)
    entry.append_log_row(path, "Chốt số liệu", closing.TAB_HEADER, closing.register_row(closure, "Chốt"))
    sheet = openpyxl.load_workbook(path)["Chốt số liệu"]
    assert [c.value for c in sheet[1]] == closing.TAB_HEADER and sheet.cell(2, 4).value == closure.id


def test_a_closing_after_five_in_the_afternoon_utc_is_dated_the_next_day_in_vietnam(tmp_path, config):
    """The note printed on the draft and the register row agree on the Vietnamese day, whatever the server's
    clock: 17:30 UTC on 30/11 is 00:30 on 01/12 in Vietnam."""
    store = closing.ClosureStore(tmp_path)
    closure = store.close(
        dataset(config, rows(10)), config, OCTOBER, "admin@x.vn", dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC)
    )
    assert closure.note() == f"Số liệu chốt ngày 01/12/2026 (mã {closure.id})"
    assert closing.register_row(closure, "Chốt")[-2] == "00:30 ngày 01/12/2026"
    read, problems = closing.read_register(
        [closing.TAB_HEADER, closing.register_row(closure, "Chốt")], config.settings.year_start
    )
    assert not problems and read[0].note() == closure.note()
