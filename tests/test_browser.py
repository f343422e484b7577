"""Browser tests: the real app in Chromium through Playwright, on the demo workbook.

Every page is opened, its heading and a figure checked, a filter changed, the report downloaded, and
a full-page screenshot of each page saved in test-artifacts/ (desktop and phone width)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

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

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian Chromium (/usr/bin/chromium) is not installed; run the project's test command, which installs it",
    ),
    pytest.mark.timeout(180),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """``streamlit run app.py`` on a free loopback port, until /_stcore/health answers."""
    port = _free_port()
    env = {**os.environ, "BCD502_SOURCE": str(ROOT / "demo" / "dam-rong-demo.xlsx")}
    process = subprocess.Popen(
        [
            sys.executable,
            "scripts/serve.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"streamlit exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.3)
    else:
        process.terminate()
        pytest.fail("streamlit did not answer /_stcore/health within 60 s")
    yield url
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN", accept_downloads=True)
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
        if path == "tong-quan":
            assert _metric(page, "Số hoạt động") == expected
        if path == "chat-luong-du-lieu":
            assert page.get_by_text("Danh sách cần sửa").is_visible()
            page.locator('[data-testid="stDataFrame"]').first.hover()  # the grid's raw CSV export stays hidden
            toolbar = page.locator('[data-testid="stElementToolbar"]').first
            toolbar.get_by_role("button", name="Search").wait_for()
            assert not toolbar.get_by_role("button", name="Download as CSV").is_visible()
        _shot(page, f"desktop-{path}")


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
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        for path in ("tong-quan", "theo-xa", "chat-luong-du-lieu"):
            _open(page, server, path)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 400, f"{path} scrolls sideways on a phone ({width}px)"
            _shot(page, f"phone-{path}")
    finally:
        context.close()


_CUT_TEXT = """() => [...document.querySelectorAll(
    '[data-testid="stMetricLabel"], [data-testid="stMetricValue"], [data-testid="stMetricDelta"]')]
    .filter(e => [e, ...e.querySelectorAll('*')].some(x => x.scrollWidth > x.clientWidth + 1))
    .map(e => e.innerText)"""


@pytest.mark.parametrize("width", [1440, 390])
def test_kpi_cards_show_their_whole_text(server, browser, demo, config, width):
    """Labels (with their unit), values and changes are never cut with an ellipsis, on a laptop or a phone."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _open(page, server, "tong-quan")
        cards = len(config.dashboard.overview.cards)
        page.wait_for_function(f"document.querySelectorAll('[data-testid=\"stMetric\"]').length >= {cards}")
        _settle(page)
        assert page.evaluate(_CUT_TEXT) == []
        assert _metric(page, "Tổng kinh phí (triệu đồng)")
    finally:
        context.close()
