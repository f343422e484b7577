"""The organisations' loop in a real browser, on a copy of the demo workbook: staff enter a row (a wrong
number is refused under its field first), the row is in the file with its id and entry day, and the
tracker counts the cycle as received on time."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright

from bench.page import serving
from lib import formatting as fmt
from lib.period import Period
from lib.source import WorkbookSource
from tests.test_browser import ARGS, CHROMIUM, ROOT, _metric, _settle, _shot

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.timeout(240),
]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("loop") / "so-lieu.xlsx"
    shutil.copy(ROOT / "demo" / "dam-rong-demo.xlsx", path)
    return path


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory):
    """The project's config with its data directory (activity log, closed periods) in a temporary place."""
    directory = tmp_path_factory.mktemp("config") / "config"
    shutil.copytree(ROOT / "config", directory)
    settings = directory / "settings.yaml"
    data = tmp_path_factory.mktemp("data")
    settings.write_text(settings.read_text("utf-8").replace("data_dir: data", f"data_dir: {data}"), "utf-8")
    return directory


@pytest.fixture(scope="module")
def server(workbook, config_dir):
    with serving(workbook, config_dir) as (url, _):
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


def _tracker_on_time(page, url: str) -> str:
    page.goto(f"{url}/theo-doi-nop-bao-cao")
    page.get_by_role("heading", name="Theo dõi nộp báo cáo", exact=True).first.wait_for()
    _settle(page)
    return _metric(page, "Đúng hạn")


def test_enter_a_row_and_see_the_cycle_received(server, page, workbook):
    assert _tracker_on_time(page, server) == "0"  # the demo's rows carry no entry day
    page.goto(f"{server}/nhap-hoat-dong")
    page.get_by_role("heading", name="Nhập hoạt động", exact=True).first.wait_for()
    _settle(page)
    people = page.get_by_label("Người tham gia", exact=True)
    people.fill("1,2,3")
    people.press("Enter")
    _settle(page)
    page.get_by_role("button", name="Kiểm tra và ghi vào bảng tính").click()
    _settle(page)
    assert page.get_by_text("Dòng chưa được ghi").is_visible()
    assert page.locator('[data-testid="stAlertContentError"]').filter(has_text="1,2,3").count() >= 1
    _shot(page, "loop-entry-refused")
    rows_before = len(WorkbookSource(workbook).fetch(["BCHQS"]).tabs["BCHQS"].values)

    people.fill("1.200")
    people.press("Enter")
    _settle(page)
    page.get_by_role("button", name="Kiểm tra và ghi vào bảng tính").click()
    _settle(page)
    success = page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    assert "Đã ghi hoạt động vào dòng" in success and "tab «BCHQS»" in success
    _shot(page, "loop-entry-written")
    values = WorkbookSource(workbook).fetch(["BCHQS"]).tabs["BCHQS"].values
    header, last = values[0], values[-1]
    assert len(values) == rows_before + 1
    assert last[header.index("Người tham gia")] == 1200
    assert str(last[header.index("Mã dòng")]).startswith("bchqs-") and last[header.index("Ngày nhập")]

    assert _tracker_on_time(page, server) == "1"  # the month of today: received, on time
    assert "Traceback" not in page.content()


def _preview(page) -> str:
    """The draft shown on the report page (between its heading and the administrator's closing section)."""
    text = page.locator('[data-testid="stMain"]').inner_text()
    return text.partition("Xem trước")[2].partition("Mở lại để sửa")[0]


def _enter(page, url: str, people: str) -> None:
    page.goto(f"{url}/nhap-hoat-dong")
    page.get_by_role("heading", name="Nhập hoạt động", exact=True).first.wait_for()
    _settle(page)
    field = page.get_by_label("Người tham gia", exact=True)
    field.fill(people)
    field.press("Enter")
    _settle(page)
    page.get_by_role("button", name="Kiểm tra và ghi vào bảng tính").click()
    _settle(page)
    assert "Đã ghi hoạt động" in page.locator('[data-testid="stAlertContentSuccess"]').inner_text()


def test_close_the_period_then_a_later_row_is_flagged_and_the_draft_keeps_its_figures(server, page):
    today = fmt.today()  # the app's today: the day in Vietnam
    month = Period.month(today.year, today.month)
    page.goto(f"{server}/bao-cao?ky={month.key}")
    page.get_by_role("heading", name="Báo cáo", exact=True).first.wait_for()
    _settle(page)
    page.get_by_role("button", name=f"Chốt số liệu {month.label}").click()
    _settle(page)
    assert f"Đã chốt số liệu {month.label}" in page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    preview = _preview(page)
    assert "Số liệu chốt ngày" in preview

    _enter(page, server, "77")  # a row of the closed month, entered after the close
    page.goto(f"{server}/chat-luong-du-lieu?ky={month.key}")
    page.get_by_role("heading", name=f"Sửa sau khi chốt: {month.label}").wait_for()
    _settle(page)
    assert "thay đổi sau khi chốt" in page.content()
    _shot(page, "loop-flagged-after-close")

    page.goto(f"{server}/bao-cao?ky={month.key}")
    page.get_by_role("heading", name="Báo cáo", exact=True).first.wait_for()
    _settle(page)
    after = _preview(page)
    assert after == preview  # the frozen figures, not the row added since
    assert "Traceback" not in page.content()
