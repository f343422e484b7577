"""Browser test of the real sign-in flow: a real OpenID Connect provider (oidc-provider-mock) on a loopback
port, the app configured against it in a temporary secrets file, Chromium signing in as a leader and as
organisation staff, seeing what each role sees, refused the pages it may not open, and signing out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import sync_playwright

from bench.page import free_port, serving
from lib import filters
from lib import formatting as fmt
from lib.config import DEFAULT_CONFIG_DIR
from tests.test_browser import ARGS, ARTIFACTS, CHROMIUM, ROOT, _settle

COOKIE_SECRET = "browser-cookie-secret-0123456789abcdefghij"
CLIENT_SECRET = "browser-client-secret-never-logged-42"
LEADER = "truongban@lanhdao.test"
STAFF = "ccb@donvi.test"
ADMIN = "admin@vanphong.test"
ACCESS = {
    "contact": {"name": "Văn phòng BCĐ 502 (thử)", "email": "lienhe@vanphong.test"},
    "grants": [
        {"role": "quản trị", "emails": [ADMIN]},
        {"role": "lãnh đạo", "domains": ["lanhdao.test"]},
        {"role": "đơn vị", "organisations": ["ccb"], "emails": [STAFF]},
    ],
}
VIEW_PAGES = ["Tổng quan", "Theo xã", "Theo chương trình", "Theo đơn vị", "Chất lượng dữ liệu", "Theo dõi nộp báo cáo", "Báo cáo"]  # fmt: skip
# organisation staff and administrators also enter rows
ENTRY_PAGES = [*VIEW_PAGES[:5], "Nhập hoạt động", *VIEW_PAGES[5:]]

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian Chromium (/usr/bin/chromium) is not installed; run the project's test command, which installs it",
    ),
    pytest.mark.timeout(300),
]


@pytest.fixture(scope="module")
def provider():
    """The OpenID Connect provider, with a leader, a staff member of Hội CCB and a stranger one click away."""
    users = [
        User(sub="lanhdao", claims={"email": LEADER, "email_verified": True, "name": "Trưởng ban"}),
        User(sub="hoiccb", claims={"email": STAFF, "email_verified": True, "name": "Cán bộ Hội CCB"}),
        User(sub="nguoila", claims={"email": "nguoi@la.test", "email_verified": True}),
        User(sub="quantri", claims={"email": ADMIN, "email_verified": True}),
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http, on loopback only
        with run_server_in_thread(port=free_port(), user_claims=users) as server:
            yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def app_url(provider, tmp_path_factory):
    """The dashboard with sign-in on: a temporary secrets file with [auth] against the provider, the config
    with the test's access file, its activity log in a temporary folder."""
    tmp = tmp_path_factory.mktemp("signin")
    config = tmp / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    settings = config / "settings.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("data_dir: data", f"data_dir: {tmp / 'data'}"), encoding="utf-8"
    )
    (config / "access.yaml").write_text(yaml.safe_dump(ACCESS, allow_unicode=True), encoding="utf-8")
    port = free_port()
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        'client_id = "bcd502-dashboard"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    options = ("--secrets.files", str(secrets))
    auth = {"AUTHLIB_INSECURE_TRANSPORT": "1"}  # plain http, on loopback only
    with serving(ROOT / "demo" / "dam-rong-demo.xlsx", config, env=auth, port=port, options=options):
        yield f"http://localhost:{port}", tmp / "data" / "activity.jsonl"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _nav(page) -> list[str]:
    """The page titles of the sidebar's navigation."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    return [t.split("\n")[-1].strip() for t in links.all_inner_texts()]  # after the icon's ligature name


def _sign_in(page, url: str, subject: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Bảng điều hành BCĐ 502").wait_for()
    page.get_by_text("Ban Chỉ đạo 502 huyện Đam Rông").wait_for()  # the subheader can follow the heading by a moment
    assert page.get_by_text("Ban Chỉ đạo 502 huyện Đam Rông").is_visible()
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # nothing else before sign-in
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name=subject, exact=True).click()  # the provider's page
    page.get_by_role("heading", name="Tổng quan", exact=True).wait_for()
    _settle(page)


def _sign_out(page, url: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("button", name="End session").click()  # the provider confirms, then back to the app
    page.get_by_role("button", name="Đăng nhập").wait_for()
    assert page.url.startswith(url)


def test_leader_and_staff_sign_in_see_their_pages_and_sign_out(app_url, browser, demo):
    url, log = app_url
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{url}/theo-xa")  # any link, before sign-in: the sign-in page, no data
        page.get_by_role("button", name="Đăng nhập").wait_for()
        _settle(page)
        assert page.get_by_text("Page not found").count() == 0
        assert page.locator('[data-testid="stMetric"]').count() == 0
        _shot(page, "signin-desktop")

        _sign_in(page, url, "lanhdao")
        assert _nav(page) == [*VIEW_PAGES, "Nguồn dữ liệu"]
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert LEADER in sidebar.inner_text() and "lãnh đạo" in sidebar.inner_text()
        assert page.locator('[data-testid="stMetric"]').count() > 0
        _shot(page, "signin-leader-desktop")
        page.goto(f"{url}/nhat-ky-hoat-dong")  # the administrators' page is not reachable by URL
        page.get_by_text("(lãnh đạo) không mở được trang «Nhật ký hoạt động»").wait_for()
        _settle(page)
        assert page.get_by_role("heading", name="Nhật ký hoạt động").count() == 0
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        assert page.get_by_text("Page not found").count() == 0
        _shot(page, "signin-leader-refused")
        page.goto(f"{url}/nguon-du-lieu")
        page.get_by_role("heading", name="Nguồn dữ liệu", exact=True).wait_for()
        _settle(page)
        assert page.get_by_role("button", name="Làm mới dữ liệu").count() == 0
        page.goto(f"{url}/bao-cao")
        page.get_by_role("heading", name="Báo cáo", exact=True).wait_for()
        _settle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Tải bản Markdown (.md)").click()
        assert Path(download.value.path()).read_text(encoding="utf-8").startswith("|")
        _settle(page)
        _sign_out(page, url)
        _shot(page, "signin-after-sign-out")

        _sign_in(page, url, "hoiccb")
        assert _nav(page) == [*ENTRY_PAGES, "Nguồn dữ liệu"]
        assert "đơn vị (Hội CCB huyện)" in page.locator('[data-testid="stSidebar"]').inner_text()
        page.goto(f"{url}/chat-luong-du-lieu")
        page.get_by_text("Vấn đề của Hội CCB huyện được xếp lên đầu danh sách").wait_for()
        _settle(page)
        _shot(page, "signin-staff-quality-desktop")
        page.goto(f"{url}/bao-cao")
        page.get_by_role("heading", name="Báo cáo", exact=True).wait_for()
        _settle(page)
        assert page.get_by_role("button", name="Tải bản Markdown (.md)").count() == 0
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{url}/chat-luong-du-lieu")
        page.get_by_text("Vấn đề của Hội CCB huyện được xếp lên đầu danh sách").wait_for()
        _settle(page)
        _shot(page, "signin-staff-quality-phone")
        page.set_viewport_size({"width": 1440, "height": 900})
        _sign_out(page, url)

        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_role("button", name="nguoila", exact=True).click()
        page.get_by_text("nguoi@la.test chưa được cấp quyền").wait_for()
        _settle(page)
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        assert "Văn phòng BCĐ 502 (thử)" in page.content()
        _shot(page, "signin-unknown-desktop")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(url)
        page.get_by_text("nguoi@la.test chưa được cấp quyền").wait_for()
        _settle(page)
        _shot(page, "signin-unknown-phone")
        page.set_viewport_size({"width": 1440, "height": 900})
        page.get_by_role("button", name="Đăng xuất").click()
        page.get_by_role("button", name="End session").click()

        _sign_in(page, url, "quantri")
        assert _nav(page) == [*ENTRY_PAGES, "Nguồn dữ liệu", "Nhật ký hoạt động"]
        page.goto(f"{url}/nhat-ky-hoat-dong")
        page.get_by_role("heading", name="Nhật ký hoạt động", exact=True).wait_for()
        _settle(page)
        assert page.get_by_text("mục, mới nhất ở trên").is_visible()
        _shot(page, "signin-admin-log-desktop")
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        page.get_by_role("heading", name="Nhật ký hoạt động", exact=True).wait_for()
        _settle(page)
        _shot(page, "signin-admin-log-phone")
    finally:
        context.close()

    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    events = [(e["event"], e["email"]) for e in entries]
    assert events == [  # one entry per sign-in, however many pages and tabs were opened
        ("sign_in", LEADER),
        ("download_report", LEADER),
        ("sign_out", LEADER),
        ("sign_in", STAFF),
        ("sign_out", STAFF),
        ("refused", "nguoi@la.test"),
        ("sign_out", "nguoi@la.test"),
        ("sign_in", ADMIN),
    ]
    period = filters.default_period(demo, fmt.today())  # the period the leader's page opened on
    assert entries[1]["detail"] == {"kỳ": period.label, "định dạng": "md"} and entries[1]["role"] == "leader"
    text = log.read_text(encoding="utf-8")
    assert COOKIE_SECRET not in text and CLIENT_SECRET not in text and "eyJ" not in text  # no secret, no JWT
