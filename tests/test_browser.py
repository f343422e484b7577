"""Browser tests: the real app in Chromium through Playwright, on the demo workbook.

Every page is opened at 1440 px and at 390 px (a phone): its heading and a figure checked, no metric
label or value cut (``scrollWidth ≤ clientWidth``), no English text the app controls, and a full-page
screenshot of each page saved in test-artifacts/. A filter is changed, a mistyped link followed, the
page's «Tải số liệu» and the report downloaded."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from bench.page import serving
from lib import boundaries, report
from lib import formatting as fmt
from lib import indicators as ind
from lib.period import Period
from tests.conftest import without_fetch_time

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PAGES = {
    "tong-quan": "Tổng quan",
    "theo-xa": "Theo xã",
    "theo-chuong-trinh": "Theo chương trình",
    "theo-don-vi": "Theo đơn vị",
    "chat-luong-du-lieu": "Chất lượng dữ liệu",
    "bao-cao": "Báo cáo",
    "nguon-du-lieu": "Nguồn dữ liệu",
}

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# What Streamlit's own widgets would show in English where the app chose them (its multiselect's «Select
# all» and «No results», the grid's column menu and toolbar, the «Page not found» dialog, the Markdown
# renderer's «Footnotes»), and English words that would betray an untranslated label of ours.
ENGLISH = (
    "Select all",
    "Upload",
    "per file",
    "Drag and drop",
    "Browse files",
    "No results",
    "Page not found",
    "Footnotes",
    "Download as CSV",
    "Search",
    "Fullscreen",
    "Sort ascending",
    "Sort descending",
    "Pin column",
    "Hide column",
    "Autosize",
    "Show data",
    "None",
    "NaN",
    "null",
)
ENGLISH_WORDS = frozenset(
    "the and of to is are not found select all results page download search sort column show hide close error "
    "loading please value name unit previous indicator total yes no true false".split()
)
METRIC_TEXT = ", ".join(
    f'[data-testid="{part}"]{inner}' for part in ("stMetricLabel", "stMetricValue") for inner in ("", " *")
)
CUT_METRICS = f"""() => [...document.querySelectorAll('{METRIC_TEXT}')]
  .filter(e => e.offsetParent !== null && e.clientWidth > 0 && e.scrollWidth > e.clientWidth)
  .map(e => `${{e.innerText}} (${{e.scrollWidth}} > ${{e.clientWidth}})`)"""
CUT_CARDS = """() => [...document.querySelectorAll('.bcd-card-title, .bcd-card dt, .bcd-card dd')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth)
  .map(e => `${e.innerText} (${e.scrollWidth} > ${e.clientWidth})`)"""
# What a reader sees: the text of the page and the sidebar (without the names of Material icons, which
# are ligatures drawn as pictures), and the tooltips and placeholders of the page.
SHOWN_TEXT = """() => {
  const icons = [...document.querySelectorAll('[data-testid="stIconMaterial"]')].map(e => e.innerText);
  let text = ['stMain', 'stSidebar'].map(id => document.querySelector(`[data-testid="${id}"]`)?.innerText || '')
    .join(String.fromCharCode(10));
  for (const icon of icons) text = text.replace(icon, ' ');
  const hints = [...document.querySelectorAll('[data-testid="stMain"] [title], [data-testid="stMain"] [placeholder]')]
    .filter(e => e.offsetParent !== null)
    .map(e => [e.getAttribute('title'), e.getAttribute('placeholder')].filter(Boolean).join(' '));
  return [text, ...hints].join(String.fromCharCode(10));
}"""

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian Chromium (/usr/bin/chromium) is not installed; run the project's test command, which installs it",
    ),
    pytest.mark.timeout(180),
]


@pytest.fixture(scope="module")
def server():
    """``streamlit run app.py`` on the demo workbook, on a free loopback port, until /_stcore/health answers."""
    with serving(ROOT / "demo" / "dam-rong-demo.xlsx") as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def _settle(page) -> None:
    """Wait until the script run is over and the charts are drawn."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
    page.wait_for_timeout(600)


def _open(page, url: str, path: str) -> None:
    page.goto(f"{url}/{'' if path == 'tong-quan' else path}")  # the default page lives at /
    page.get_by_role("heading", name=PAGES[path], exact=True).first.wait_for()
    _settle(page)


def _metric(page, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True)).first
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _no_cut_metrics(page, where: str) -> None:
    """No metric label or value is cut: every one of them fits its box."""
    cut = page.evaluate(CUT_METRICS)
    assert cut == [], f"{where}: metric text cut: {cut}"


def _no_english(page, where: str) -> None:
    text = page.evaluate(SHOWN_TEXT)
    found = [phrase for phrase in ENGLISH if phrase in text]
    words = {w.strip(".,:;()«»?!\"'").lower() for w in text.split()}
    assert found == [] and sorted(words & ENGLISH_WORDS) == [], (
        f"{where}: English text {found or sorted(words & ENGLISH_WORDS)}"
    )


def _shot(page, name: str) -> None:
    """Full-page screenshot: Streamlit scrolls inside its main block, so grow the viewport to fit it first."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": min(max(height + 40, size["height"]), 12000)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


def test_shared_link_is_the_first_visit(server, page):
    """A leader's shared link opened first after a server start shows its page, no "Page not found"."""
    page.goto(f"{server}/theo-xa?ky=2024")
    page.get_by_role("heading", name="Theo xã", exact=True).first.wait_for()
    _settle(page)
    assert page.locator('[data-testid="stDialog"]').count() == 0


def test_every_page_renders(server, page, demo, config):
    expected = fmt.number(
        ind.values(demo.activities, config, ["activities"], Period.year(demo.latest_year))["activities"]
    )
    for path, title in PAGES.items():
        _open(page, server, path)
        assert page.get_by_role("heading", name=title, exact=True).first.is_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "Traceback" not in page.content()
        assert page.get_by_text("Bảng điều hành BCĐ 502").first.is_visible()  # the app's name and the unit
        assert page.get_by_text("huyện Đam Rông, tỉnh Lâm Đồng").first.is_visible()
        if path == "tong-quan":
            assert _metric(page, "Số hoạt động") == expected
            page.get_by_text("Các chỉ số khác").click()  # the other cards, one click away
            page.get_by_text("Số thôn có hoạt động", exact=True).wait_for()
        if path == "chat-luong-du-lieu":
            assert page.get_by_text("Danh sách cần sửa").is_visible()
            page.locator('[data-testid="stDataFrame"]').first.hover()  # the grid's English toolbar stays hidden
            page.wait_for_timeout(300)
            assert not page.locator('[data-testid="stElementToolbar"]').first.is_visible()
            box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
            page.mouse.click(box["x"] + 100, box["y"] + 17)  # where the grid's English column menu opens
            page.wait_for_timeout(400)
            assert not page.get_by_text("Sort ascending").is_visible()
            page.keyboard.press("Escape")
            assert not page.locator(".bcd-cards").first.is_visible()  # the phone's cards stay hidden on a wide screen
        if path == "bao-cao":
            preview = page.locator('[data-testid="stMain"]').inner_text()
            assert "<!--" not in preview and "Chú thích" in preview
        _no_cut_metrics(page, f"desktop {path}")
        _no_english(page, f"desktop {path}")
        _shot(page, f"desktop-{path}")


def test_sidebar_lists_offer_no_english(server, page):
    """The sidebar's lists have no «Select all» entry and are not searched by typing (no «No results»)."""
    _open(page, server, "tong-quan")
    _settle(page)
    communes = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    for _ in range(3):  # a click while the sidebar is still being redrawn may not open the list
        communes.click()
        try:
            page.get_by_role("option", name="Xã Đam Rông 1").wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            _settle(page)
    listed = page.get_by_role("listbox").inner_text()
    assert "Xã Đam Rông 1" in listed and "Select all" not in listed
    page.keyboard.type("zzz")
    page.wait_for_timeout(300)
    assert "No results" not in page.locator("body").inner_text()
    _open(page, server, "tong-quan")
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1).click()  # Năm
    page.get_by_role("listbox").wait_for()
    page.keyboard.type("zzz")
    page.wait_for_timeout(300)
    assert "No results" not in page.locator("body").inner_text()


def test_mistyped_link_opens_the_overview_with_a_note(server, page):
    page.goto(f"{server}/theo-xaa?ky=2024")
    page.get_by_role("heading", name="Tổng quan", exact=True).first.wait_for()
    _settle(page)
    assert page.locator('[data-testid="stDialog"]').count() == 0
    assert page.get_by_text("Không có trang «theo-xaa» trong bảng điều hành").is_visible()
    _no_english(page, "mistyped link")


def test_one_download_per_page(server, page):
    _open(page, server, "theo-xa")
    tables = [
        "Nguồn lực đến vùng khó khăn",
        "Các xã",
        "Chỉ số theo xã",
        "Các thôn xã Đam Rông 1",
        "Hoạt động xã Đam Rông 1",
    ]
    assert page.get_by_role("button", name="Tải CSV").count() == 0  # no per-table buttons any more
    page.get_by_role("button", name="Tải số liệu").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Excel (.xlsx), mỗi bảng một trang tính").click()
    name = download.value.suggested_filename
    assert name.startswith("bcd502-dam-rong-theo-xa-") and name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == tables and all(sheet.freeze_panes == "A2" for sheet in book.worksheets)
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV (.zip), mỗi bảng một tệp").click()
    assert len(zipfile.ZipFile(download.value.path()).namelist()) == len(tables)


def test_filter_changes_kpis_and_url(server, page, demo, config):
    _open(page, server, "tong-quan")
    previous = demo.latest_year - 1
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="Năm").first.click()
    page.get_by_role("option", name=str(previous), exact=True).click()
    expected = fmt.number(ind.values(demo.activities, config, ["activities"], Period.year(previous))["activities"])
    page.wait_for_function(f"() => location.search.includes('ky={previous}')")
    _settle(page)
    assert _metric(page, "Số hoạt động") == expected
    # The link opens the same view in a new session.
    fresh = page.context.new_page()
    fresh.goto(page.url)
    fresh.get_by_role("heading", name="Tổng quan", exact=True).wait_for()
    _settle(fresh)
    assert _metric(fresh, "Số hoạt động") == expected
    fresh.close()


def test_report_download(server, page, demo, config):
    _open(page, server, "bao-cao")
    period = Period.year(demo.latest_year)
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải bản Markdown (.md)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    today = boundaries.apply(demo, boundaries.CURRENT, config)  # the page's default view: today's communes
    scoped = boundaries.scope(config, today.boundaries, period.start, period.end)
    assert text == report.render_markdown(today, scoped, period)  # the signable draft: no fetch time in it
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải cơ sở số liệu (.md)").click()
    basis = Path(download.value.path()).read_text(encoding="utf-8")
    assert "đọc lúc" in basis
    assert without_fetch_time(basis) == without_fetch_time(report.render_basis(today, scoped, period))


def test_phone_width(server, browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        for path in PAGES:
            _open(page, server, path)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 400, f"{path} scrolls sideways on a phone ({width}px)"
            if path == "tong-quan":
                page.get_by_text("Các chỉ số khác").click()
                page.get_by_text("Số thôn có hoạt động", exact=True).wait_for()
            if path == "chat-luong-du-lieu":  # the issues as cards: the message and its fix in full, not cut off
                card = page.locator('[class*="st-key-bcd_cards_"] .bcd-card').first
                assert card.is_visible() and not page.locator('[class*="st-key-bcd_grid_"]').first.is_visible()
                assert "Vấn đề" in card.inner_text() and "Cách sửa" in card.inner_text()
            assert page.evaluate(CUT_CARDS) == [], f"{path}: card text cut on a phone"
            _no_cut_metrics(page, f"phone {path}")
            _no_english(page, f"phone {path}")
            assert not page.locator('[data-testid="stElementToolbar"]').first.is_visible()  # no toolbar over captions
            _shot(page, f"phone-{path}")
    finally:
        context.close()


def test_phone_sidebar_closes_after_choosing_a_page(server, browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _open(page, server, "tong-quan")
        page.get_by_test_id("stExpandSidebarButton").click()
        nav = page.locator('[data-testid="stSidebarNav"]')
        nav.get_by_text("Theo xã", exact=True).click()
        page.get_by_role("heading", name="Theo xã", exact=True).first.wait_for()
        _settle(page)
        assert page.get_by_test_id("stExpandSidebarButton").is_visible()
        box = page.locator('[data-testid="stSidebar"]').bounding_box()
        assert box is None or box["x"] + box["width"] <= 1, f"the sidebar still covers the page: {box}"
    finally:
        context.close()
