"""The «Chốt số liệu» tab read back as the register every server shares: server A closes and reopens,
server B (another data directory) reads the spreadsheet through the fake Sheets API and follows; B adopts
A's closure only while the period's rows still hash to its id."""

from __future__ import annotations

import datetime as dt

import pytest
from fake_sheets import FakeSheets

from lib import closing, entry
from lib.clean import clean, wanted_tabs
from lib.exceptions import BCDError
from lib.period import CALENDAR, Period, YearStart
from lib.sheets import GoogleSheetsSource
from tests.conftest import raw_data

KEY = "1ReGiStErKeY0123456789abcdefghijk"
HEADER = ["Ngày", "Xã", "Chương trình", "Loại hoạt động", "Người tham gia", "Mã dòng"]
NOW = dt.datetime(2026, 10, 20, 9, 30)
OCTOBER = Period.month(2026, 10)
TODAY = dt.date(2026, 11, 30)


def rows(*people: int) -> list[list]:
    return [[f"0{i + 1}/10/2026", "Xã Đam Rông 1", 2, "Ngày thứ 7 cùng nhân dân", n, f"id-{i}"] for i, n in enumerate(people)]  # fmt: skip


def local_dataset(config, bchqs: list[list]):
    tabs = {name: [] for name in config.organisation_tabs}
    tabs["BCHQS"] = [HEADER, *bchqs]
    return clean(raw_data(tabs), config, today=TODAY)


def read_sheet(fake: FakeSheets, config):
    """What a server reads on refresh: every wanted tab, the register included, in one batchGet."""
    source = GoogleSheetsSource(KEY, fake.client())
    return clean(source.fetch(wanted_tabs(config)), config, today=TODAY)


@pytest.fixture
def sheet(fake_sheets: FakeSheets, config):
    tabs = {name: [] for name in config.organisation_tabs}
    tabs["BCHQS"] = [HEADER, *rows(10, 20)]
    fake_sheets.add_spreadsheet(KEY, tabs)
    return fake_sheets


def record(fake: FakeSheets, config, closure: closing.Closure, action: str) -> None:
    spreadsheet = fake.client().open_by_key(KEY)
    entry.append_log_row(spreadsheet, config.settings.tabs.closures, closing.TAB_HEADER, closing.register_row(closure, action))  # fmt: skip


def test_a_closing_and_a_reopening_recorded_by_one_server_reach_another(sheet, tmp_path, config):
    server_a, server_b = closing.ClosureStore(tmp_path / "a"), closing.ClosureStore(tmp_path / "b")
    done = server_a.close(local_dataset(config, rows(10, 20)), config, OCTOBER, "admin@x.vn", NOW)
    record(sheet, config, done, closing.CLOSE)

    seen = read_sheet(sheet, config)
    assert seen.closure_register[0] == closing.TAB_HEADER and len(seen.closure_register) == 2
    assert sheet.count("batchGet") == 1  # the register comes with the other tabs, no extra request
    shared, problems = closing.read_register(seen.closure_register, config.settings.year_start)
    assert problems == []
    server_b.merge(shared)
    theirs = server_b.active(OCTOBER)
    assert (theirs.period, theirs.id, theirs.rows, theirs.closed_by) == ("2026-10", done.id, 2, "admin@x.vn")
    assert theirs.note() == done.note()
    # B has no frozen copy: the current rows still hash to the id, so they are the frozen figures
    frozen = server_b.frozen_or_adopted(theirs, seen, config)
    assert frozen.activities["participants"].sum() == 30
    assert server_b.frozen(theirs).activities["participants"].sum() == 30  # kept on B from now on
    # merging the same register again changes nothing; A's own closing is not doubled by its row
    assert server_b.merge(shared) == server_b.closures() and len(server_b.closures()) == 1
    assert len(server_a.merge(shared)) == 1

    reopened = server_a.reopen(OCTOBER, "truong-ban@x.vn", NOW + dt.timedelta(hours=2))
    record(sheet, config, reopened, closing.REOPEN)
    shared, _ = closing.read_register(read_sheet(sheet, config).closure_register, config.settings.year_start)
    server_b.merge(shared)
    assert server_b.active(OCTOBER) is None
    assert server_b.closures()[0].reopened_by == "truong-ban@x.vn"


def test_a_closure_from_elsewhere_is_not_adopted_once_the_rows_changed(sheet, tmp_path, config):
    server_a, server_b = closing.ClosureStore(tmp_path / "a"), closing.ClosureStore(tmp_path / "b")
    done = server_a.close(local_dataset(config, rows(10, 20)), config, OCTOBER, "admin@x.vn", NOW)
    record(sheet, config, done, closing.CLOSE)
    sheet.spreadsheets[KEY].tab("BCHQS").write(2, 4, 25)  # sheet row 3, «Người tham gia»: 20 → 25 after the close
    seen = read_sheet(sheet, config)
    assert seen.activities["participants"].sum() == 35
    server_b.merge(closing.read_register(seen.closure_register, config.settings.year_start)[0])
    with pytest.raises(BCDError) as caught:
        server_b.frozen_or_adopted(server_b.active(OCTOBER), seen, config)
    assert "trên một máy chủ khác" in caught.value.message and done.id in caught.value.message
    assert not (tmp_path / "b" / f"{done.id}.pkl").exists()
    with pytest.raises(BCDError, match="đã được chốt"):  # nor can B close the period again over it
        server_b.close(seen, config, OCTOBER, "khac@x.vn", NOW)


def test_register_rows_that_cannot_be_read_are_named_and_skipped():
    header = closing.TAB_HEADER
    rows = [
        header,
        ["tháng 10 năm 2026", "01/10/2026", "31/10/2026", "abc123", 2, "a@x.vn", "09:30 ngày 20/10/2026", "Chốt"],
        ["tháng 10 năm 2026", "01/10/2026", "31/10/2026", "abc123", 2, "a@x.vn", "hôm qua", "Chốt"],
        [],
        ["quý III năm 2026", 46204, 46295, "def456", "7", "b@x.vn", "08:00 ngày 05/10/2026", "Chốt"],
        ["quý III năm 2026", "01/07/2026", "30/09/2026", "zzz999", 0, "b@x.vn", "08:05 ngày 05/10/2026", "Mở lại"],
        ["năm 2026", "01/01/2026", "31/12/2026", "ghi123", 1, "c@x.vn", "10:00 ngày 01/12/2026", "Xoá"],
    ]
    closures, problems = closing.read_register(rows, CALENDAR)
    assert [(c.period, c.label, c.id, c.rows) for c in closures] == [
        ("2026-10", "tháng 10 năm 2026", "abc123", 2),
        ("2026-Q3", "quý III năm 2026", "def456", 7),  # dates typed as sheet dates (serial numbers)
    ]
    assert closures[0].closed_at == dt.datetime(2026, 10, 20, 9, 30, tzinfo=closures[0].closed_at.tzinfo)
    assert [p.split(" của")[0] for p in problems] == ["Dòng 3", "Dòng 6", "Dòng 7"]
    assert closing.read_register([["Kỳ", "Mã chốt"]], CALENDAR)[1][0].startswith("Tab chốt số liệu thiếu cột")
    assert closing.read_register([], CALENDAR) == ([], [])


def test_a_register_period_follows_the_reporting_year():
    """With a reporting year from 15/12, «năm 2025» runs 15/12/2024–14/12/2025: its key is the year's."""
    start = YearStart.parse("15/12")
    year = Period.year(2025, start)
    row = [year.label, f"{year.start:%d/%m/%Y}", f"{year.end:%d/%m/%Y}", "y2025", 9, "a@x.vn", "09:00 ngày 20/12/2025", "Chốt"]  # fmt: skip
    closures, problems = closing.read_register([closing.TAB_HEADER, row], start)
    assert problems == [] and closures[0].period == year.key == "2025"
