"""The Sheets API at another address (``api_base_url`` of the secrets: a private proxy, or the fake served
over real HTTP on a loopback port, as the browser tests use it), and how that setting is checked."""

from __future__ import annotations

import datetime as dt

import gspread.urls
import pytest
import responses
from fake_sheets import TOKEN_PATH, FakeSheets, serve_over_http, service_account_info

from lib.exceptions import CredentialsError
from lib.sheet_setup import open_spreadsheet
from lib.sheets import GOOGLE_API_ROOT, GoogleSheetsSource, api_base_url

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-xyz"
HEADER = ["Ngày", "Xã", "Chương trình", "Loại hoạt động", "Người tham gia"]
ROWS = [HEADER, [dt.date(2024, 3, 2), "Rô Men", 2, "Ngày thứ 7 cùng nhân dân", 40]]


@pytest.fixture
def served():
    """The fake over HTTP, and secrets whose key exchanges its token there and whose requests go there."""
    fake = FakeSheets()
    fake.add_spreadsheet(KEY, {"BCHQS": [list(r) for r in ROWS]})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru("http://127.0.0.1")  # only loopback traffic; anything else fails
        with serve_over_http(fake) as root:
            yield fake, service_account_info() | {"token_uri": root + TOKEN_PATH, "api_base_url": root}


def test_gspread_builds_every_sheets_address_on_the_root_we_replace():
    assert gspread.urls.SPREADSHEETS_API_V4_BASE_URL.startswith(GOOGLE_API_ROOT + "/")


def test_a_refresh_over_http_reads_the_rows_with_one_token_and_two_requests(served):
    fake, secrets = served
    source = GoogleSheetsSource.from_spec(KEY, credentials_info=secrets)
    raw = source.fetch(["BCHQS", "Hội Phụ nữ"])
    assert raw.tabs["BCHQS"].values == [HEADER, [45353, "Rô Men", 2, "Ngày thứ 7 cùng nhân dân", 40]]
    assert [r.kind for r in fake.requests] == ["token", "get", "batchGet"]
    assert fake.of_kind("batchGet")[0].params["valueRenderOption"] == ["UNFORMATTED_VALUE"]


def test_a_write_over_http_lands_in_the_fake(served):
    fake, secrets = served
    spreadsheet = open_spreadsheet(KEY, credentials_info=secrets)
    spreadsheet.worksheet("BCHQS").append_rows(
        [["02/04/2024", "Rô Men", 2, "=1+1", 7]], value_input_option="RAW", table_range="A1"
    )
    assert fake.spreadsheets[KEY].tab("BCHQS").values()[-1] == ["02/04/2024", "Rô Men", 2, "=1+1", 7]
    append = fake.of_kind("values.append")[0]
    assert append.params["valueInputOption"] == ["RAW"]


def test_the_api_address_is_not_used_without_the_setting(fake_sheets):
    assert api_base_url({"client_email": "x"}) is None and api_base_url(None) is None
    assert api_base_url({"api_base_url": "  "}) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://sheets-proxy.donvi.gov.vn/", "https://sheets-proxy.donvi.gov.vn"),
        ("https://proxy.donvi.gov.vn/google", "https://proxy.donvi.gov.vn/google"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://localhost:9000/", "http://localhost:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_valid_api_addresses(value, expected):
    assert api_base_url({"api_base_url": value}) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("http://proxy.donvi.gov.vn", "chỉ được dùng http:// cho máy này"),
        ("ftp://proxy.donvi.gov.vn", "bắt đầu bằng https://"),
        ("proxy.donvi.gov.vn", "bắt đầu bằng https://"),
        (8080, "bắt đầu bằng https://"),
        ("https://proxy.donvi.gov.vn/?key=abc", "không được chứa dấu ?"),
        ("https://admin:MatKhau123@proxy.donvi.gov.vn", "mật khẩu"),
        ("https://proxy.donvi.gov.vn:99999", "số cổng"),
    ],
)
def test_a_wrong_api_address_is_refused_in_vietnamese_without_echoing_it(value, reason):
    with pytest.raises(CredentialsError) as caught:
        api_base_url({"api_base_url": value})
    message = caught.value.message
    assert reason in message and "api_base_url" in message and "[connections.gsheets]" in message
    assert "MatKhau123" not in message and "key=abc" not in message
