"""The Google Sheets source against the fake Sheets API (gspread's real HTTP traffic, no network)."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
import requests
from fake_sheets import SERVICE_ACCOUNT, FakeSheets, service_account_info
from gspread.utils import absolute_range_name

from lib.exceptions import ApiDisabled, CredentialsError, QuotaExceeded, SheetsError, SpreadsheetNotFound
from lib.sheets import READ_SCOPES, GoogleSheetsSource, RetryPolicy, is_google_sheet, spreadsheet_key
from lib.source import WorkbookSource, open_source

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-xyz"
URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.002, total_seconds=5)
HEADER = ["Ngày", "Xã", "Chương trình", "Loại hoạt động", "Người tham gia", "Ngân sách nhà nước (đồng)"]


def source(fake: FakeSheets, retry: RetryPolicy = FAST) -> GoogleSheetsSource:
    return GoogleSheetsSource(KEY, fake.client(), retry=retry)


def rows(n: int = 3) -> list[list]:
    return [
        HEADER,
        *([dt.date(2024, 3, i + 1), "Rô Men", 2, "Ngày thứ 7 cùng nhân dân", 10 * i, 1_500_000.5] for i in range(n)),
    ]


# ---------------------------------------------------------------- requests per refresh


@pytest.mark.parametrize("tab_count", [1, 8, 40])
def test_two_requests_per_refresh_whatever_the_number_of_tabs(fake_sheets, tab_count):
    names = [f"Đơn vị {i}" for i in range(tab_count)]
    fake_sheets.add_spreadsheet(KEY, {name: rows() for name in names})
    raw = source(fake_sheets).fetch([*names, "Tab không có"])
    assert fake_sheets.count() == 2
    assert [r.kind for r in fake_sheets.requests] == ["get", "batchGet"]
    get, batch = fake_sheets.requests
    assert "sheets.properties" in get.params["fields"][0]
    assert batch.params["ranges"] == [absolute_range_name(n) for n in names]
    assert batch.params["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert batch.params["dateTimeRenderOption"] == ["SERIAL_NUMBER"]
    assert list(raw.tabs) == names
    assert raw.tabs[names[-1]].values[1] == [45352, "Rô Men", 2, "Ngày thứ 7 cùng nhân dân", 0, 1_500_000.5]


def test_no_existing_tab_means_no_values_request(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"Khác": [["a"]]})
    raw = source(fake_sheets).fetch(["BCHQS"])
    assert raw.tabs == {} and raw.available == ["Khác"]
    assert fake_sheets.count() == 1


def test_tab_names_with_apostrophes_spaces_and_vietnamese(fake_sheets):
    names = ["Đạ K'Nàng", "Hội Phụ nữ", "It's 'quoted'", "A1", " Đoàn Thanh niên", "BCĐ 502"]
    fake_sheets.add_spreadsheet(KEY, {name: [["tab", name]] for name in names})
    raw = source(fake_sheets).fetch(names)
    assert {name: tab.values for name, tab in raw.tabs.items()} == {name: [["tab", name]] for name in names}
    assert absolute_range_name("Đạ K'Nàng") == "'Đạ K''Nàng'"


def test_tab_title_in_decomposed_unicode_still_matches(fake_sheets):
    import unicodedata

    fake_sheets.add_spreadsheet(KEY, {unicodedata.normalize("NFD", "Hội Phụ nữ"): [["x"]]})
    raw = source(fake_sheets).fetch(["Hội Phụ nữ"])
    assert raw.tabs["Hội Phụ nữ"].values == [["x"]]


def test_missing_hidden_empty_and_ragged_tabs(fake_sheets):
    fake_sheets.add_spreadsheet(
        KEY,
        {
            "BCHQS": [["Ngày", "Xã", None], [None, "Rô Men", "", None], [], [45352, "Phi Liêng"], [None, None]],
            "Công an": [["Ngày", "Xã"], [45400, "Đạ M'Rông"]],
            "Trống": [],
        },
        hidden={"Công an"},
    )
    raw = source(fake_sheets).fetch(["BCHQS", "Công an", "Trống", "MTTQ"])
    assert set(raw.tabs) == {"BCHQS", "Công an", "Trống"}  # MTTQ missing: cleaning reports it
    assert raw.tabs["BCHQS"].values == [["Ngày", "Xã"], ["", "Rô Men"], [], [45352, "Phi Liêng"]]
    assert raw.tabs["BCHQS"].hidden is False and raw.tabs["Công an"].hidden is True
    assert raw.tabs["Trống"].values == []
    assert raw.available == ["BCHQS", "Công an", "Trống"]


def test_identity_label_and_fetch_time(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()}, title="BCĐ 502 Đam Rông 2024")
    src = source(fake_sheets)
    assert src.source_id == f"gsheet:{KEY}" and KEY in src.label
    raw = src.fetch(["BCHQS"])
    assert src.label == raw.source_label == "Google Sheets «BCĐ 502 Đam Rông 2024»"
    assert raw.source_id == f"gsheet:{KEY}"
    assert raw.fetched_at.tzinfo is not None and raw.fetched_at.utcoffset() == dt.timedelta(hours=7)


def test_spreadsheet_key_from_url_or_key():
    assert spreadsheet_key(URL) == KEY
    assert spreadsheet_key(f" {KEY} ") == KEY
    assert spreadsheet_key(f"docs.google.com/spreadsheets/d/{KEY}") == KEY
    assert spreadsheet_key(f"https://docs.google.com/spreadsheets/d/{KEY}/edit?usp=sharing#gid=12") == KEY
    for other in ("https://example.com/x", f"https://example.com/spreadsheets/d/{KEY}", "bang-tinh.xlsx", ""):
        with pytest.raises(SheetsError, match="không phải đường dẫn"):
            spreadsheet_key(other)
        assert not is_google_sheet(other)
    assert is_google_sheet(URL) and is_google_sheet(KEY)


def test_other_refusals_say_what_to_check_without_google_s_english(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    fake_sheets.fail(400)
    with pytest.raises(SheetsError) as caught:
        source(fake_sheets).fetch(["BCHQS"])
    assert "mã 400" in caught.value.message and "INVALID" not in caught.value.message
    assert "Error" not in caught.value.message and SERVICE_ACCOUNT in caught.value.message


# ---------------------------------------------------------------- retries


def test_quota_and_server_errors_are_retried(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    fake_sheets.fail(429)
    fake_sheets.fail(500)
    raw = source(fake_sheets).fetch(["BCHQS"])
    assert raw.tabs["BCHQS"].values[0] == HEADER
    assert [r.kind for r in fake_sheets.requests] == ["get", "get", "get", "batchGet"]


def test_retries_on_the_values_request_too(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    fake_sheets.fail(503, kind="batchGet")
    assert source(fake_sheets).fetch(["BCHQS"]).tabs["BCHQS"].values[0] == HEADER
    assert [r.kind for r in fake_sheets.requests] == ["get", "batchGet", "batchGet"]


def test_quota_exhausted_stops_at_the_bound(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    fake_sheets.fail(429, times=10)
    with pytest.raises(QuotaExceeded) as caught:
        source(fake_sheets).fetch(["BCHQS"])
    assert fake_sheets.count() == 3
    assert "hạn mức" in caught.value.message and "3 lần" in caught.value.message


def test_server_error_stops_at_the_bound(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    fake_sheets.fail(500, times=10)
    with pytest.raises(SheetsError, match="sự cố") as caught:
        source(fake_sheets).fetch(["BCHQS"])
    assert type(caught.value) is SheetsError and fake_sheets.count() == 3


@pytest.mark.parametrize("error", [requests.ConnectionError("reset"), requests.ReadTimeout("slow")])
def test_connection_errors_and_timeouts_are_retried(fake_sheets, error):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    fake_sheets.fail(error, times=2)
    assert "BCHQS" in source(fake_sheets).fetch(["BCHQS"]).tabs
    fake_sheets.requests.clear()
    fake_sheets.fail(error, times=10)
    with pytest.raises(SheetsError, match="Không kết nối được"):
        source(fake_sheets).fetch(["BCHQS"])
    assert fake_sheets.count() == 3


def test_total_time_cap_bounds_the_retries(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    fake_sheets.fail(503, times=1000)
    policy = RetryPolicy(attempts=1000, initial_wait=0.02, max_wait=0.02, total_seconds=0.1)
    with pytest.raises(SheetsError):
        source(fake_sheets, policy).fetch(["BCHQS"])
    assert 2 <= fake_sheets.count() <= 6


# ---------------------------------------------------------------- error messages


def test_not_found_names_the_service_account(fake_sheets):
    with pytest.raises(SpreadsheetNotFound) as caught:
        source(fake_sheets).fetch(["BCHQS"])
    assert SERVICE_ACCOUNT in caught.value.message and KEY in caught.value.message
    assert fake_sheets.count() == 1  # not retried


def test_not_shared_says_whom_to_share_with(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()}, shared=False)
    with pytest.raises(SpreadsheetNotFound) as caught:
        source(fake_sheets).fetch(["BCHQS"])
    assert "chưa được chia sẻ" in caught.value.message and SERVICE_ACCOUNT in caught.value.message
    assert "Chia sẻ" in caught.value.message


def test_api_disabled_points_to_the_console(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    fake_sheets.api_enabled = False
    with pytest.raises(ApiDisabled) as caught:
        source(fake_sheets).fetch(["BCHQS"])
    assert "chưa được bật" in caught.value.message
    assert (
        "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project=123456789012"
        in caught.value.message
    )
    assert fake_sheets.count() == 1


def test_rejected_token_is_an_invalid_key(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    fake_sheets.tokens.clear()
    with pytest.raises(CredentialsError, match="không hợp lệ hoặc đã bị thu hồi"):
        source(fake_sheets).fetch(["BCHQS"])


def test_revoked_service_account_key(fake_sheets, tmp_path):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    fake_sheets.token_error = "invalid_grant"
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(service_account_info()))
    src = GoogleSheetsSource.from_spec(URL, credentials_file=str(key_file), retry=FAST)
    with pytest.raises(CredentialsError) as caught:
        src.fetch(["BCHQS"])
    assert SERVICE_ACCOUNT in caught.value.message and "khoá JSON mới" in caught.value.message
    assert fake_sheets.count("batchGet") == 0


# ---------------------------------------------------------------- credentials


def test_no_credentials_anywhere_says_how_to_configure(monkeypatch):
    monkeypatch.delenv("BCD502_CREDENTIALS", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with pytest.raises(CredentialsError) as caught:
        GoogleSheetsSource.from_spec(URL)
    for hint in ("[connections.gsheets]", "secrets.toml", "BCD502_CREDENTIALS", "--credentials"):
        assert hint in caught.value.message


def test_credentials_from_secrets_table_read_only(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    info = service_account_info()
    secrets = info | {"spreadsheet": URL, "private_key": info["private_key"].replace("\n", "\\n")}
    src = open_source(URL, credentials_info=secrets)
    assert isinstance(src, GoogleSheetsSource) and src.email == SERVICE_ACCOUNT
    assert tuple(src.client.http_client.auth.scopes) == READ_SCOPES
    assert src.fetch(["BCHQS"]).tabs["BCHQS"].values[0] == HEADER
    assert [r.kind for r in fake_sheets.requests] == ["token", "get", "batchGet"]


def test_credentials_from_environment(fake_sheets, tmp_path, monkeypatch):
    fake_sheets.add_spreadsheet(KEY, {"BCHQS": rows()})
    key_file = tmp_path / "sa.json"
    key_file.write_text(json.dumps(service_account_info()))
    monkeypatch.delenv("BCD502_CREDENTIALS", raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    assert "BCHQS" in GoogleSheetsSource.from_spec(KEY, retry=FAST).fetch(["BCHQS"]).tabs


def test_bad_key_files(tmp_path, monkeypatch):
    """Each says what to do, names the key file but not where it lies on the server, and keeps the
    library's English for the log."""
    with pytest.raises(CredentialsError, match="Không tìm thấy tệp khoá") as caught:
        GoogleSheetsSource.from_spec(KEY, credentials_file=str(tmp_path / "absent.json"))
    assert "absent.json" in caught.value.message and str(tmp_path) not in caught.value.message
    broken = tmp_path / "broken.json"
    broken.write_text('{"type": "service_account"}')
    monkeypatch.setenv("BCD502_CREDENTIALS", str(broken))
    with pytest.raises(CredentialsError, match="không phải khoá JSON hợp lệ") as caught:
        GoogleSheetsSource.from_spec(KEY)
    assert str(tmp_path) not in caught.value.message and "missing" not in caught.value.message.lower()
    with pytest.raises(CredentialsError, match="secrets") as caught:
        GoogleSheetsSource.from_spec(KEY, credentials_info={"type": "service_account", "spreadsheet": URL})
    assert "missing" not in caught.value.message.lower() and "format" not in caught.value.message


# ---------------------------------------------------------------- same content, same raw tabs


def test_workbook_and_spreadsheet_give_identical_raw_tabs(fake_sheets, tmp_path):
    content = {
        "BCHQS": [
            HEADER,
            [dt.date(2024, 1, 6), "Rô Men", 2, "Ngày thứ 7 cùng nhân dân", 120, 15_000_000],
            [dt.date(2024, 2, 3), "Đạ K'Nàng", "CT2", "Dân vận tập trung", None, 2.5],
            [],
            ["29/10/2024", "Toàn huyện", "1", "Tuyên truyền", "1.265.000", "26,5", None, None],
            [dt.datetime(2024, 5, 1, 12, 0), "Liêng Srônh", 3, "", True, -4],
        ],
        "Hội Phụ nữ": [HEADER[:3], ["", "", ""], [dt.date(2024, 12, 31), "Phi Liêng", 4]],
        "Công an": [["Ngày"]],
    }
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, table in content.items():
        sheet = workbook.create_sheet(name)
        for row in table:
            sheet.append(row)
    workbook["Công an"].sheet_state = "hidden"
    path = tmp_path / "du-lieu.xlsx"
    workbook.save(path)
    fake_sheets.add_spreadsheet(KEY, content, hidden={"Công an"})

    names = [*content, "MTTQ"]
    from_file = WorkbookSource(path).fetch(names)
    from_sheet = source(fake_sheets).fetch(names)
    assert from_file.tabs == from_sheet.tabs
    assert from_file.available == from_sheet.available


def test_secrets_example_has_every_field_and_placeholders_only():
    import tomllib
    from pathlib import Path

    example = Path(__file__).resolve().parent.parent / ".streamlit" / "secrets.toml.example"
    table = tomllib.loads(example.read_text(encoding="utf-8"))["connections"]["gsheets"]
    assert set(service_account_info()) <= set(table) and table["spreadsheet"]
    with pytest.raises(CredentialsError, match="secrets"):  # a placeholder key, not a real one
        GoogleSheetsSource.from_spec(table["spreadsheet"], credentials_info=table)
