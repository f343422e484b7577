"""Entering a row: the check by the cleaner's rules, and the append against the fake Sheets API and a workbook."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import requests
from fake_sheets import FakeSheets

from lib import entry
from lib.exceptions import BCDError, QuotaExceeded
from lib.sheets import RetryPolicy
from lib.source import WorkbookSource

KEY = "1EnTrYkEy0123456789abcdefghijklmn"
FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.002, total_seconds=5)
TODAY = dt.date(2026, 11, 30)
HEADER = ["Ngày", "Xã", "Thôn", "Chương trình", "Loại hoạt động", "Nội dung", "Người tham gia", "Vận động, tài trợ (đồng)", "Ngày nhập", "Mã dòng"]  # fmt: skip
EXISTING = [
    HEADER,
    ["03/11/2026", "Xã Đam Rông 1", "", 2, "Ngày thứ 7 cùng nhân dân", "", 40, "", "04/11/2026", "bchqs-old"],
]


def typed(**changes):
    values = {
        "date": dt.date(2026, 11, 20),
        "commune": "Xã Đam Rông 1",
        "programme": "2",
        "activity_type": "Ngày thứ 7 cùng nhân dân",
        "participants": "1.200",
        "mobilised": "4,5 triệu",
        "entered": "30/11/2026",
    }
    return {**values, **changes}


def sheet(fake: FakeSheets, rows=None):
    fake.add_spreadsheet(KEY, {"BCHQS": [list(r) for r in (rows or EXISTING)]})
    return fake.client().open_by_key(KEY)


def test_choices_follow_the_communes_of_the_chosen_day(config):
    before = entry.commune_choices(config, dt.date(2025, 6, 30))
    after = entry.commune_choices(config, dt.date(2025, 7, 1))
    assert "Rô Men" in before and "Xã Đam Rông 1" not in before
    assert "Xã Đam Rông 1" in after and "Rô Men" not in after
    assert after[0] == config.unit.whole_unit_label
    assert entry.village_choices(config, "Rô Men", dt.date(2024, 5, 1))[:1] == ["Thôn 1"]
    assert entry.village_choices(config, config.unit.whole_unit_label, dt.date(2024, 5, 1)) == []


def test_a_valid_row_is_read_vietnamese_style(config):
    checked = entry.check(config, config.organisations["bchqs"], typed(), TODAY)
    assert checked.ok and not checked.warnings
    assert checked.values["participants"] == 1200 and checked.values["mobilised"] == 4_500_000
    assert checked.values["date"] == "20/11/2026"


def test_problems_are_shown_on_their_field_in_vietnamese(config):
    org = config.organisations["bchqs"]
    checked = entry.check(config, org, typed(date=dt.date(2025, 5, 2), participants="1,2,3", activity_type="Tuyen truyen xyz"), TODAY)  # fmt: skip
    assert not checked.ok
    assert set(checked.errors) >= {"commune", "participants", "activity_type"}
    assert "01/07/2025" in " ".join(checked.errors["commune"])  # the new commune named before it existed
    assert not entry.check(config, org, typed(date=dt.date(2026, 12, 31) + dt.timedelta(days=400)), TODAY).ok


def test_append_writes_one_raw_row_under_the_tabs_own_header(fake_sheets, config):
    spreadsheet = sheet(fake_sheets)
    values = entry.check(config, config.organisations["bchqs"], typed(content="=IMPORTXML(1)"), TODAY).values
    written = entry.append_to_sheet(spreadsheet, config, "BCHQS", values, "bchqs-1", FAST)
    rows = fake_sheets.spreadsheets[KEY].tab("BCHQS").values()
    assert written.row == 3 and not written.already_there
    assert rows[2] == ["20/11/2026", "Xã Đam Rông 1", "", "2", "Ngày thứ 7 cùng nhân dân", "=IMPORTXML(1)", 1200, 4500000, "30/11/2026", "bchqs-1"]  # fmt: skip
    (append,) = fake_sheets.of_kind("values.append")
    assert append.params["valueInputOption"] == ["RAW"] and append.params["insertDataOption"] == ["INSERT_ROWS"]
    assert not fake_sheets.spreadsheets[KEY].tab("BCHQS").formulas


def test_a_timeout_after_the_write_landed_never_writes_twice(fake_sheets, config):
    spreadsheet = sheet(fake_sheets)
    values = entry.check(config, config.organisations["bchqs"], typed(), TODAY).values
    timed_out = []

    def lose_the_answer(recorded):
        if recorded.kind == "values.append" and not timed_out:
            timed_out.append(recorded)
            raise requests.ReadTimeout("the row went in, the answer did not come back")

    fake_sheets.on_reply = lose_the_answer
    written = entry.append_to_sheet(spreadsheet, config, "BCHQS", values, "bchqs-2", FAST)
    ids = [row[-1] for row in fake_sheets.spreadsheets[KEY].tab("BCHQS").values()[1:]]
    assert ids == ["bchqs-old", "bchqs-2"]  # exactly one new row
    assert written.already_there and written.row == 3 and fake_sheets.count("values.append") == 1


def test_a_timeout_before_the_write_sends_it_again_once(fake_sheets, config):
    spreadsheet = sheet(fake_sheets)
    values = entry.check(config, config.organisations["bchqs"], typed(), TODAY).values
    fake_sheets.fail(requests.ConnectTimeout("no connection"), kind="values.append")
    entry.append_to_sheet(spreadsheet, config, "BCHQS", values, "bchqs-3", FAST)
    ids = [row[-1] for row in fake_sheets.spreadsheets[KEY].tab("BCHQS").values()[1:]]
    assert ids == ["bchqs-old", "bchqs-3"] and fake_sheets.count("values.append") == 2


def test_quota_errors_are_retried_a_bounded_number_of_times(fake_sheets, config):
    spreadsheet = sheet(fake_sheets)
    values = entry.check(config, config.organisations["bchqs"], typed(), TODAY).values
    fake_sheets.fail(429, times=10, kind="values.append")
    with pytest.raises(QuotaExceeded) as caught:
        entry.append_to_sheet(spreadsheet, config, "BCHQS", values, "bchqs-4", FAST)
    assert fake_sheets.count("values.append") == FAST.attempts
    assert len(fake_sheets.spreadsheets[KEY].tab("BCHQS").values()) == 2 and caught.value.message
    fake_sheets.failures.clear()
    fake_sheets.fail(429, times=1, kind="values.append")
    entry.append_to_sheet(spreadsheet, config, "BCHQS", values, "bchqs-4", FAST)
    assert [row[-1] for row in fake_sheets.spreadsheets[KEY].tab("BCHQS").values()[1:]] == ["bchqs-old", "bchqs-4"]


def test_a_row_typed_in_the_sheet_meanwhile_is_not_overwritten(fake_sheets, config):
    spreadsheet = sheet(fake_sheets)
    values = entry.check(config, config.organisations["bchqs"], typed(), TODAY).values
    tab = fake_sheets.spreadsheets[KEY].tab("BCHQS")
    typed_by_hand = ["21/11/2026", "Xã Đam Rông 2", "", 1, "Tuyên truyền", "", 15]

    def someone_types(recorded):
        if recorded.kind == "values.get":  # after the header was read, before the append
            tab.rows.append(list(typed_by_hand))

    fake_sheets.on_reply = someone_types
    written = entry.append_to_sheet(spreadsheet, config, "BCHQS", values, "bchqs-5", FAST)
    rows = tab.values()
    assert rows[2] == typed_by_hand and rows[3][-1] == "bchqs-5" and written.row == 4


def test_a_tab_without_the_id_column_is_refused_before_writing(fake_sheets, config):
    spreadsheet = sheet(fake_sheets, [HEADER[:-1]])
    values = entry.check(config, config.organisations["bchqs"], typed(), TODAY).values
    with pytest.raises(BCDError) as caught:
        entry.append_to_sheet(spreadsheet, config, "BCHQS", values, "bchqs-6", FAST)
    assert "«Mã dòng»" in caught.value.message and fake_sheets.count("values.append") == 0


def test_workbook_append_is_atomic_idempotent_and_read_back(tmp_path, config):
    path = tmp_path / "so-lieu.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "BCHQS"
    book.active.append(HEADER[:-2])  # a file made before the entry columns: the write adds them
    for row in EXISTING[1:]:
        book.active.append(row[:-2])
    book.save(path)
    values = entry.check(config, config.organisations["bchqs"], typed(), TODAY).values
    first = entry.append_to_workbook(path, config, "BCHQS", values, "bchqs-7")
    again = entry.append_to_workbook(path, config, "BCHQS", values, "bchqs-7")
    assert (first.row, again.row, again.already_there) == (3, 3, True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["so-lieu.xlsx", "so-lieu.xlsx.lock"]  # no temporary left
    raw = WorkbookSource(path).fetch(["BCHQS"]).tabs["BCHQS"].values
    assert raw[0] == HEADER and len(raw) == 3 and raw[2][-1] == "bchqs-7" and raw[2][6] == 1200


def test_only_organisation_staff_and_administrators_open_the_entry_page():
    from lib import access
    from lib.access import Gate, Role, Viewer

    staff = Viewer(Gate.GRANTED, "a@x.vn", Role.ORGANISATION, ("bchqs",))
    assert access.may_open(staff, access.ENTRY_PAGE) and access.may_edit_tab(staff, "bchqs")
    assert not access.may_edit_tab(staff, "cong_an")
    for role in (Role.LEADER, Role.SECRETARY):
        assert not access.may_open(Viewer(Gate.GRANTED, "b@x.vn", role), access.ENTRY_PAGE)
        assert access.may_open(Viewer(Gate.GRANTED, "b@x.vn", role), access.TRACKER_PAGE)
    assert access.may_open(Viewer(Gate.GRANTED, "c@x.vn", Role.ADMIN), access.ENTRY_PAGE)


def test_a_write_is_an_activity_log_event(tmp_path):
    from lib import activity_log

    activity_log.record(tmp_path / "log.jsonl", "append_row", "a@x.vn", "organisation", {"tab": "BCHQS", "dòng": 3})
    entries, broken = activity_log.read(tmp_path / "log.jsonl")
    assert broken == 0 and entries[0]["event"] == "append_row"
    assert activity_log.EVENTS["append_row"] == "Nhập một dòng hoạt động"
