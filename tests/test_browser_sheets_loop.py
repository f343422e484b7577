"""The organisations' loop in a real browser against the fake Sheets API served over HTTP: the app server
(a separate process) reads and writes the spreadsheet through ``api_base_url`` and exchanges its token at
the fake. Staff enter a row, see it counted, the tracker marks the month received, the administrator
closes the month (recorded in the «Chốt số liệu» tab), a later edit typed into the sheet is flagged on the
quality page, and the draft keeps the frozen figures. Sign-in is off (open mode)."""

from __future__ import annotations

import json
import shutil

import pytest
from fake_sheets import TOKEN_PATH, FakeSheets, serve_over_http, service_account_info
from gspread.utils import rowcol_to_a1
from playwright.sync_api import sync_playwright

from bench.page import serving
from lib import formatting as fmt
from lib.closing import DIRECTORY, REGISTER
from lib.config import load_config
from lib.period import Period
from lib.sheet_setup import init_sheet, open_spreadsheet
from lib.source import WorkbookSource
from tests.test_browser import ARGS, CHROMIUM, ROOT, _metric, _settle, _shot

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.timeout(300),
]

KEY = "1BcD502LoopFakeSheetsKey_0123456789abcdef"
URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit"
TAB = "BCHQS"
WRITE = "Kiểm tra và ghi vào bảng tính"


@pytest.fixture(scope="module")
def fake():
    """The fake API holding the demo workbook's tabs, as if the committee had uploaded it to Google Sheets."""
    fake = FakeSheets()
    demo = WorkbookSource(ROOT / "demo" / "dam-rong-demo.xlsx")
    raw = demo.fetch(demo.fetch([]).available)
    fake.add_spreadsheet(KEY, {name: [list(row) for row in tab.values] for name, tab in raw.tabs.items()})
    return fake


@pytest.fixture(scope="module")
def secrets(fake):
    """The service-account fields of the secrets: the token exchanged at the fake, the API at the fake."""
    with serve_over_http(fake) as root:
        yield service_account_info() | {"token_uri": root + TOKEN_PATH, "api_base_url": root}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory, data_dir):
    """The project's config with its data directory (activity log, closed periods) in a temporary place."""
    directory = tmp_path_factory.mktemp("config") / "config"
    shutil.copytree(ROOT / "config", directory)
    settings = directory / "settings.yaml"
    settings.write_text(settings.read_text("utf-8").replace("data_dir: data", f"data_dir: {data_dir}"), "utf-8")
    return directory


@pytest.fixture(scope="module")
def server(fake, secrets, config_dir, tmp_path_factory):
    """The app on the spreadsheet, its tabs set up for entry first (the «Tạo các tab còn thiếu» step)."""
    init_sheet(open_spreadsheet(KEY, credentials_info=secrets), load_config(config_dir))
    assert fake.spreadsheets[KEY].tab(TAB).values()[0][-2:] == ["Ngày nhập", "Mã dòng"]
    path = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    table = {"spreadsheet": URL, **secrets}
    path.write_text("[connections.gsheets]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items()), "utf-8")
    with serving(ROOT / "demo" / "dam-rong-demo.xlsx", config_dir, env={"BCD502_SOURCE": URL},
                 options=("--secrets.files", str(path))) as (url, _):  # fmt: skip
        yield url


@pytest.fixture(scope="module")
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def _open(page, url: str, path: str, heading: str) -> None:
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name=heading, exact=True).first.wait_for()
    _settle(page)


def _preview(page) -> str:
    """The draft shown on the report page (between its heading and the administrator's closing section)."""
    text = page.locator('[data-testid="stMain"]').inner_text()
    return text.partition("Xem trước")[2].partition("Mở lại để sửa")[0]


def _rows(fake: FakeSheets) -> list[list]:
    return fake.spreadsheets[KEY].tab(TAB).values()


def test_the_loop_on_google_sheets(server, page, fake, secrets, data_dir):
    today = fmt.today()  # the app's today: the day in Vietnam
    month = Period.month(today.year, today.month)
    _open(page, server, "nguon-du-lieu", "Nguồn dữ liệu")
    assert "Google Sheets «BCĐ 502 — dữ liệu»" in _metric(page, "Nguồn đang dùng")
    _open(page, server, "theo-doi-nop-bao-cao", "Theo dõi nộp báo cáo")
    assert _metric(page, "Đúng hạn") == "0"  # the demo's rows carry no entry day
    _open(page, server, f"?ky={month.key}", "Tổng quan")
    assert _metric(page, "Số hoạt động") == "–"  # nothing yet this month

    # staff enter a row: appended to the organisation's tab, RAW, with its id and entry day
    rows_before = len(_rows(fake))
    _open(page, server, "nhap-hoat-dong", "Nhập hoạt động")
    field = page.get_by_label("Người tham gia", exact=True)
    field.fill("1.200")
    field.press("Enter")
    _settle(page)
    page.get_by_role("button", name=WRITE).click()
    _settle(page)
    success = page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    assert "Đã ghi hoạt động vào dòng" in success and f"tab «{TAB}»" in success
    _shot(page, "sheets-loop-entry-written")
    rows = _rows(fake)
    header, last = rows[0], rows[-1]
    assert len(rows) == rows_before + 1 and f"dòng {len(rows)}" in success
    assert last[header.index("Người tham gia")] == 1200
    assert str(last[header.index("Mã dòng")]).startswith("bchqs-") and last[header.index("Ngày nhập")]
    append = fake.of_kind("values.append")[-1]
    assert append.params["valueInputOption"] == ["RAW"] and append.params["insertDataOption"] == ["INSERT_ROWS"]

    # see it counted (the cache was dropped after the write), and the month received on time
    _open(page, server, f"?ky={month.key}", "Tổng quan")
    assert _metric(page, "Số hoạt động") == "1"
    _open(page, server, "theo-doi-nop-bao-cao", "Theo dõi nộp báo cáo")
    assert _metric(page, "Đúng hạn") == "1"

    # the administrator closes the month: frozen, and recorded in the spreadsheet's «Chốt số liệu» tab
    _open(page, server, f"bao-cao?ky={month.key}", "Báo cáo")
    page.get_by_role("button", name=f"Chốt số liệu {month.label}").click()
    _settle(page)
    assert f"Đã chốt số liệu {month.label}" in page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    frozen = _preview(page)
    assert "Số liệu chốt ngày" in frozen
    register = fake.spreadsheets[KEY].tab("Chốt số liệu").values()
    assert len(register) == 2 and month.start.strftime("%d/%m/%Y") in [str(c) for c in register[1]]

    # a later edit typed into the sheet (through the API, not the app): 1.200 → 1.500 participants
    number = next(i for i, row in enumerate(_rows(fake), start=1) if last[-1] in row)
    cell = rowcol_to_a1(number, header.index("Người tham gia") + 1)
    open_spreadsheet(KEY, credentials_info=secrets).worksheet(TAB).update_acell(cell, 1500)
    assert _rows(fake)[number - 1][header.index("Người tham gia")] == 1500
    # the server forgets its own register: the spreadsheet's tab, read with the refresh, tells it again
    (data_dir / DIRECTORY / REGISTER).unlink()
    _open(page, server, "nguon-du-lieu", "Nguồn dữ liệu")
    page.get_by_role("button", name="Làm mới dữ liệu").click()
    _settle(page)

    _open(page, server, f"chat-luong-du-lieu?ky={month.key}", "Chất lượng dữ liệu")
    page.get_by_role("heading", name=f"Sửa sau khi chốt: {month.label}").wait_for()
    assert "1 dòng của kỳ đã thay đổi sau khi chốt" in page.locator('[data-testid="stMain"]').inner_text()
    _shot(page, "sheets-loop-flagged-after-close")

    # the draft keeps the frozen figures, while the overview shows the edit
    _open(page, server, f"bao-cao?ky={month.key}", "Báo cáo")
    assert _preview(page) == frozen
    assert (data_dir / DIRECTORY / REGISTER).is_file()  # brought back from the tab
    _open(page, server, f"?ky={month.key}", "Tổng quan")
    assert "Traceback" not in page.content()
