"""Sign-in and roles: the access file is validated at start-up, every role gets its pages and actions and no
other, people not signed in or not granted see one page and no data, a config mistake closes the app, the
demo stays open with a notice, and the activity log records who did what, never a secret."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from lib import access, activity_log, views
from lib.access import Action, Gate, Role, Viewer
from lib.config import DEFAULT_CONFIG_DIR, load_config
from lib.exceptions import ConfigError
from lib.problems import ERROR, SEVERITY_LABELS, WARNING

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo" / "dam-rong-demo.xlsx"
COOKIE_SECRET = "cookie-secret-0123456789abcdefghijklmnop"
CLIENT_SECRET = "client-secret-do-not-leak-7f3a"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": COOKIE_SECRET,
    "client_id": "bcd502-test",
    "client_secret": CLIENT_SECRET,
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ACCESS = {
    "contact": {"name": "Văn phòng BCĐ 502 (thử)", "email": "lienhe@vanphong.test", "phone": "0263 000 111"},
    "grants": [
        {"role": "quản trị", "emails": ["admin@vanphong.test"]},
        {"role": "lãnh đạo", "domains": ["lanhdao.test"]},
        {"role": "Thư ký", "emails": ["Thuky@lanhdao.test"]},  # inside the leaders' domain: the address wins
        {"role": "đơn vị", "organisations": ["ccb"], "emails": ["ccb@donvi.test"]},
    ],
}
PEOPLE = {
    Role.ADMIN: "admin@vanphong.test",
    Role.LEADER: "truongban@lanhdao.test",
    Role.SECRETARY: "thuky@lanhdao.test",
    Role.ORGANISATION: "ccb@donvi.test",
}
ALL_PAGES = [
    "pages/tong_quan.py",
    "pages/theo_xa.py",
    "pages/theo_chuong_trinh.py",
    "pages/theo_don_vi.py",
    "pages/chat_luong.py",
    "pages/bao_cao.py",
    "pages/nguon_du_lieu.py",
    "pages/nhat_ky.py",
]


# ---------------------------------------------------------------- the access file


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the shipped config with the test's access file and its data (the activity log) under tmp."""
    target = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    settings = target / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "data_dir: data" in text
    settings.write_text(text.replace("data_dir: data", f"data_dir: {tmp_path / 'data'}"), encoding="utf-8")
    write_access(target, ACCESS)
    return target


def write_access(directory: Path, content: dict | str) -> None:
    text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
    (directory / access.ACCESS_FILE).write_text(text, encoding="utf-8")


def load(directory: Path) -> access.Access:
    return access.load_access(directory, load_config(directory).organisations)


def problems_of(directory: Path, content: dict | str) -> list[str]:
    write_access(directory, content)
    with pytest.raises(ConfigError) as caught:
        load(directory)
    return caught.value.problems


def with_grants(*grants: dict) -> dict:
    return {"contact": ACCESS["contact"], "grants": list(grants)}


def test_the_shipped_access_file_loads_and_grants_nobody_real():
    shipped = access.load_access(DEFAULT_CONFIG_DIR, load_config().organisations)
    addresses = [a for g in shipped.grants for a in [*g.emails, *g.domains]]
    assert addresses and all(a.endswith(".example") for a in addresses)  # reserved names: no real account


def test_roles_by_address_and_by_domain_the_more_specific_wins(config_dir):
    loaded = load(config_dir)
    assert {role: loaded.grant_for(email).role for role, email in PEOPLE.items()} == {r: r for r in PEOPLE}
    assert loaded.grant_for("THUKY@LanhDao.test ").role is Role.SECRETARY  # case and spaces do not matter
    assert loaded.grant_for("ai.do@lanhdao.test").role is Role.LEADER
    assert loaded.grant_for("ccb@donvi.test").organisations == ["ccb"]
    assert loaded.grant_for("khac@donvi.test") is None  # an address's own grant is not its domain's
    assert loaded.grant_for("x@sub.lanhdao.test") is None  # a domain grant is that domain only
    assert loaded.grant_for("") is None


def test_unknown_role_is_named_with_the_roles_allowed(config_dir):
    problems = problems_of(config_dir, with_grants({"role": "giám đốc", "emails": ["a@b.test"]}))
    assert problems == [
        "access.yaml: grants[0].role: vai trò «giám đốc» không có; chỉ nhận: lãnh đạo, đơn vị, thư ký, quản trị"
    ]


def test_an_address_in_two_roles_is_refused(config_dir):
    problems = problems_of(
        config_dir,
        with_grants(
            {"role": "lãnh đạo", "emails": ["an@ubnd.test"]},
            {"role": "thư ký", "emails": ["AN@ubnd.test"]},
        ),
    )
    assert len(problems) == 1
    assert problems[0].startswith(
        "access.yaml: địa chỉ «an@ubnd.test» có ở cả grants[0] (lãnh đạo) và grants[1] (thư ký)"
    )


def test_a_domain_in_two_grants_is_refused(config_dir):
    problems = problems_of(
        config_dir,
        with_grants({"role": "lãnh đạo", "domains": ["ubnd.test"]}, {"role": "quản trị", "domains": ["@UBND.test"]}),
    )
    assert problems[0].startswith("access.yaml: tên miền «ubnd.test» có ở cả grants[0] (lãnh đạo) và grants[1]")


def test_every_problem_of_the_file_at_once(config_dir):
    problems = problems_of(
        config_dir,
        with_grants(
            {"role": "đơn vị", "organisations": ["hoi_khong_co"], "emails": ["x@y.test"]},
            {"role": "đơn vị", "emails": ["z@y.test"]},
            {"role": "lãnh đạo", "organisations": ["ccb"], "emails": ["w@y.test"]},
            {"role": "thư ký"},
            {"role": "quản trị", "domains": ["gmail.com"]},
            {"role": "quản trị", "emails": ["khong-phai-email"]},
        ),
    )
    assert problems[:2] == [
        "access.yaml: grants[4].domains: không được giao quyền cho cả tên miền «gmail.com» (ai cũng mở được tài "
        "khoản ở đó); ghi từng địa chỉ vào emails",
        "access.yaml: grants[5].emails: «khong-phai-email» không phải địa chỉ e-mail (dạng ten@mien.vn)",
    ]
    # field problems stop the cross-checks: fix them, and the rest is listed
    grants = yaml.safe_load((config_dir / "access.yaml").read_text(encoding="utf-8"))["grants"][:4]
    problems = problems_of(config_dir, with_grants(*grants))
    assert problems[0].startswith("access.yaml: grants[0].organisations[0]: đơn vị «hoi_khong_co» không có")
    assert problems[1:] == [
        "access.yaml: grants[1].organisations: vai trò «đơn vị» phải nêu mã đơn vị (trong organisations.yaml)",
        "access.yaml: grants[2].organisations: chỉ vai trò «đơn vị» mới gắn với đơn vị; xoá khoá này",
        "access.yaml: grants[3]: phải có ít nhất một địa chỉ (emails) hoặc tên miền (domains)",
    ]


def test_missing_broken_or_empty_access_files(config_dir):
    (config_dir / "access.yaml").unlink()
    with pytest.raises(ConfigError, match="thiếu tệp phân quyền access.yaml"):
        load(config_dir)
    assert problems_of(config_dir, "grants: [") == [
        "access.yaml: không đúng cú pháp YAML (dòng 1, cột 10); kiểm tra thụt lề, dấu hai chấm và dấu ngoặc"
    ]
    assert problems_of(config_dir, {"grants": []}) == ["access.yaml: contact: thiếu khoá bắt buộc"]
    assert problems_of(config_dir, {"contact": {"name": "VP"}, "grants": []}) == [
        "access.yaml: grants: chưa giao quyền cho ai; khi đã bật đăng nhập, không ai vào được"
    ]


# ---------------------------------------------------------------- [auth] and the decision


def test_auth_problems_name_keys_never_values():
    assert access.auth_problems(AUTH) == []
    broken = {
        **AUTH,
        "redirect_uri": "http://bcd502.lamdong.gov.vn/callback",
        "cookie_secret": "ngan",
        "client_secret": "",
    }
    problems = access.auth_problems(broken)
    assert problems == [
        "[auth]: redirect_uri phải kết thúc bằng /oauth2callback",
        "[auth]: redirect_uri phải dùng https:// (chỉ máy cục bộ localhost mới được dùng http://)",
        "[auth]: cookie_secret phải là một chuỗi ngẫu nhiên dài ít nhất 32 ký tự",
        "[auth]: thiếu client_secret",
    ]
    assert "ngan" not in " ".join(problems)
    named = {k: v for k, v in AUTH.items() if k in ("redirect_uri", "cookie_secret")}
    named["google"] = {k: v for k, v in AUTH.items() if k.startswith(("client", "server"))}
    assert access.auth_problems(named) == [] and access.providers(named) == ["google"]
    assert access.auth_problems({}) == [
        "[auth]: thiếu redirect_uri (địa chỉ của ứng dụng + /oauth2callback)",
        "[auth]: cookie_secret phải là một chuỗi ngẫu nhiên dài ít nhất 32 ký tự",
        "[auth]: chưa khai báo nhà cung cấp đăng nhập (client_id, client_secret, server_metadata_url)",
    ]


def test_the_decision_fails_closed(config_dir):
    loader = lambda: load(config_dir)  # noqa: E731
    signed_in = {"is_logged_in": True, "email": PEOPLE[Role.LEADER]}
    assert access.decide(None, signed_in, loader).gate is Gate.OPEN
    assert access.decide({**AUTH, "cookie_secret": ""}, signed_in, loader).gate is Gate.CLOSED
    assert access.decide(AUTH, {"is_logged_in": False}, loader).gate is Gate.SIGNED_OUT
    assert access.decide(AUTH, {"email": PEOPLE[Role.LEADER]}, loader).gate is Gate.SIGNED_OUT
    granted = access.decide(AUTH, signed_in, loader)
    assert (granted.gate, granted.role, granted.email) == (Gate.GRANTED, Role.LEADER, PEOPLE[Role.LEADER])
    unverified = access.decide(AUTH, {**signed_in, "email_verified": False}, loader)
    assert (unverified.gate, unverified.unverified) == (Gate.UNKNOWN, True)
    stranger = access.decide(AUTH, {"is_logged_in": True, "email": "la@nguoi.test"}, loader)
    assert (stranger.gate, stranger.contact.name) == (Gate.UNKNOWN, "Văn phòng BCĐ 502 (thử)")
    (config_dir / "access.yaml").unlink()
    closed = access.decide(AUTH, signed_in, loader)
    assert closed.gate is Gate.CLOSED and "thiếu tệp phân quyền" in closed.problems[0]


EXPECTED_ACTIONS = {
    Role.LEADER: {Action.DOWNLOAD_REPORT},
    Role.ORGANISATION: set(),
    Role.SECRETARY: {Action.DOWNLOAD_REPORT},
    Role.ADMIN: set(Action),
}


@pytest.mark.parametrize("role", list(Role))
def test_pages_and_actions_per_role(role):
    viewer = Viewer(Gate.GRANTED, "x@y.test", role, ("ccb",) if role is Role.ORGANISATION else ())
    assert {a for a in Action if access.may(viewer, a)} == EXPECTED_ACTIONS[role]
    assert access.may_open(viewer, access.LOG_PAGE) is (role is Role.ADMIN)
    assert access.may_open(viewer, "tong-quan") and access.may_open(viewer, access.REPORT_PAGE)
    assert access.may_edit_tab(viewer, "ccb") is (role in (Role.ORGANISATION, Role.ADMIN))
    assert access.may_edit_tab(viewer, "mttq") is (role is Role.ADMIN)


@pytest.mark.parametrize("gate", [Gate.SIGNED_OUT, Gate.UNKNOWN, Gate.CLOSED])
def test_nobody_outside_may_open_or_do_anything(gate):
    viewer = Viewer(gate, "x@y.test")
    assert not any(access.may(viewer, a) for a in Action)
    assert not access.may_open(viewer, "tong-quan") and not access.may_edit_tab(viewer, "ccb")
    assert all(access.may(Viewer(Gate.OPEN), a) for a in Action)


def test_own_issues_first_keeps_every_row(demo, config):
    issues = views.issues_table(demo, config)
    mine = access.own_first(issues, ["Hội CCB huyện"])
    count = int((issues["Đơn vị"] == "Hội CCB huyện").sum())
    assert count and issues["Đơn vị"].iloc[0] != "Hội CCB huyện"
    assert len(mine) == len(issues) and sorted(mine["Dòng"].tolist()) == sorted(issues["Dòng"].tolist())
    assert mine["Đơn vị"].tolist()[:count] == ["Hội CCB huyện"] * count
    assert mine.iloc[count:].equals(
        issues[issues["Đơn vị"] != "Hội CCB huyện"].reset_index(drop=True).set_axis(mine.index[count:])
    )


def test_problem_lines_shown_before_sign_in_hide_addresses():
    line = "access.yaml: địa chỉ «truongban@lanhdao.test» có ở cả grants[0] (lãnh đạo) và grants[1] (thư ký)"
    assert access.masked(line) == (
        "access.yaml: địa chỉ «tr…@lanhdao.test» có ở cả grants[0] (lãnh đạo) và grants[1] (thư ký)"
    )


# ---------------------------------------------------------------- the activity log


def test_the_log_appends_and_never_keeps_a_secret(tmp_path):
    path = tmp_path / "logs" / "activity.jsonl"
    moment = dt.datetime(2026, 3, 2, 1, 5, tzinfo=dt.UTC)
    activity_log.record(path, "sign_in", "a@b.test", "leader", now=moment)
    first = path.read_text(encoding="utf-8")
    detail = {"kỳ": "năm 2025", "token": "ya29.secret", "client_secret": CLIENT_SECRET, "Cookie": "c", "n": 3}
    activity_log.record(path, "download_report", "a@b.test", "leader", detail, now=moment)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(first) and len(text.splitlines()) == 2  # appended, the first line untouched
    assert "ya29" not in text and CLIENT_SECRET not in text and '"c"' not in text
    assert json.loads(text.splitlines()[1])["detail"] == {"kỳ": "năm 2025", "n": 3}
    with path.open("a", encoding="utf-8") as file:
        file.write("{không phải json\n")
    entries, broken = activity_log.read(path)
    assert broken == 1 and [e["event"] for e in entries] == ["download_report", "sign_in"]  # newest first
    frame = activity_log.table(entries, access.ROLE_LABELS)
    assert frame.iloc[0].tolist() == [
        "08:05 ngày 02/03/2026",
        "a@b.test",
        "lãnh đạo",
        "Tải dự thảo báo cáo",
        "kỳ: năm 2025; n: 3",
    ]
    assert activity_log.select(frame, ["Đăng nhập"])["Việc"].tolist() == ["Đăng nhập"]
    with pytest.raises(ValueError):
        activity_log.record(path, "không có", "a@b.test")


# ---------------------------------------------------------------- the app, per role


@pytest.fixture
def signed_in_app(monkeypatch, config_dir):
    """``run(email)``: the app with sign-in on, the test's access file, the demo workbook; None = signed out."""
    monkeypatch.setenv("BCD502_SOURCE", str(DEMO))
    monkeypatch.setenv("BCD502_CONFIG", str(config_dir))
    st.cache_resource.clear()

    def run(email: str | None, page: str | None = None, **claims) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.secrets["auth"] = AUTH
        signed_in = {"is_logged_in": True, "email": email, "iat": 1764480000, **claims}
        at.user = {"is_logged_in": False} if email is None else signed_in
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception
        return at

    yield run
    st.cache_resource.clear()


def log_entries(config_dir: Path) -> list[dict]:
    path = config_dir.parent / "data" / "activity.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def registered(at: AppTest) -> list[str]:
    """The script paths of the pages the run registered with st.navigation (ROOT-relative)."""
    known = []
    for page in ALL_PAGES:
        try:
            at.switch_page(page)
            known.append(page)
        except ValueError:  # not in this viewer's navigation: no URL reaches it
            pass
    return known


def test_signed_out_sees_the_sign_in_page_only(signed_in_app, config_dir):
    at = signed_in_app(None)
    assert [t.value for t in at.title] == ["Bảng điều hành BCĐ 502"]
    assert [s.value for s in at.subheader] == ["Ban Chỉ đạo 502 huyện Đam Rông"]
    assert [b.label for b in at.button] == ["Đăng nhập"]
    assert not at.metric and not at.dataframe and not at.sidebar.selectbox  # no data, no filters
    assert registered(at) == []
    assert "lienhe@vanphong.test" in at.caption[0].value
    assert log_entries(config_dir) == []


def test_an_unknown_account_is_told_whom_to_ask(signed_in_app, config_dir):
    at = signed_in_app("la@nguoi.test")
    assert "la@nguoi.test chưa được cấp quyền" in at.warning[0].value
    assert "Văn phòng BCĐ 502 (thử)" in at.markdown[-1].value and "0263 000 111" in at.markdown[-1].value
    assert [b.label for b in at.button] == ["Đăng xuất"]
    assert not at.metric and not at.dataframe and registered(at) == []
    at.button[0].click().run()
    assert at.user == {"is_logged_in": False}
    assert [(e["event"], e["email"]) for e in log_entries(config_dir)] == [
        ("refused", "la@nguoi.test"),
        ("sign_out", "la@nguoi.test"),
    ]


def test_an_unverified_address_does_not_enter(signed_in_app):
    at = signed_in_app(PEOPLE[Role.ADMIN], email_verified=False)
    assert "chưa được nhà cung cấp tài khoản xác minh" in at.warning[0].value and not at.metric


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_pages(signed_in_app, config_dir, role):
    at = signed_in_app(PEOPLE[role])
    assert [t.value for t in at.title] == ["Tổng quan"] and at.metric
    expected = ALL_PAGES if role is Role.ADMIN else ALL_PAGES[:-1]
    assert registered(at) == expected
    caption = at.sidebar.caption[0].value
    assert PEOPLE[role] in caption and access.ROLE_LABELS[role] in caption
    assert [b.label for b in at.sidebar.button] == ["Đăng xuất"]
    assert [(e["event"], e["role"]) for e in log_entries(config_dir)] == [("sign_in", role.value)]


@pytest.mark.parametrize("role", list(Role))
def test_actions_per_role(signed_in_app, role):
    source = signed_in_app(PEOPLE[role], "pages/nguon_du_lieu.py")
    labels = [b.label for b in source.button]
    assert ("Làm mới dữ liệu" in labels) is (role is Role.ADMIN)
    assert any("Quản trị: tạo các tab" in s.value for s in source.subheader) is (role is Role.ADMIN)
    report = signed_in_app(PEOPLE[role], "pages/bao_cao.py")
    downloads = [d.proto.label for d in report.get("download_button")]
    assert bool(downloads) is (role is not Role.ORGANISATION)
    assert any("dành cho thư ký" in i.value for i in report.info) is (role is Role.ORGANISATION)


def test_organisation_staff_see_their_own_issues_first(signed_in_app, demo, config):
    issues = views.issues_table(demo, config)
    mine = issues[issues["Đơn vị"] == "Hội CCB huyện"]
    errors, warnings = (int((mine["Mức độ"] == SEVERITY_LABELS[s]).sum()) for s in (ERROR, WARNING))
    assert errors and warnings and issues.index[0] not in mine.index  # the demo has some, not at the top
    at = signed_in_app(PEOPLE[Role.ORGANISATION], "pages/chat_luong.py")
    expected = f"Vấn đề của Hội CCB huyện được xếp lên đầu danh sách: {errors} lỗi, {warnings} cảnh báo."
    assert expected in [i.value for i in at.info]
    table = at.dataframe[0].value
    assert table["Đơn vị"].tolist()[: len(mine)] == ["Hội CCB huyện"] * len(mine)
    assert len(table) == len(issues)
    leader = signed_in_app(PEOPLE[Role.LEADER], "pages/chat_luong.py")
    assert leader.dataframe[0].value["Đơn vị"].iloc[0] != "Hội CCB huyện"  # everyone else: the usual order


def test_the_administrator_refreshes_and_reads_the_log(signed_in_app, config_dir):
    at = signed_in_app(PEOPLE[Role.ADMIN], "pages/nguon_du_lieu.py")
    at.button(key="source_refresh").click().run()
    assert not at.exception
    log_page = signed_in_app(PEOPLE[Role.ADMIN], "pages/nhat_ky.py")
    frame = log_page.dataframe[0].value
    # two sessions of one sign-in (the same token issue time): one «Đăng nhập»
    assert frame["Việc"].tolist() == ["Làm mới dữ liệu", "Đăng nhập"]
    assert set(frame["Người dùng"]) == {PEOPLE[Role.ADMIN]} and set(frame["Vai trò"]) == {"quản trị"}
    text = (config_dir.parent / "data" / "activity.jsonl").read_text(encoding="utf-8")
    assert COOKIE_SECRET not in text and CLIENT_SECRET not in text


def test_a_missing_access_file_closes_the_app(signed_in_app, config_dir):
    (config_dir / "access.yaml").unlink()
    at = signed_in_app(PEOPLE[Role.ADMIN])
    assert "Bảng điều hành đang khoá" in at.error[0].value
    assert "thiếu tệp phân quyền access.yaml" in at.text[0].value
    assert not at.metric and not at.button and registered(at) == []


def test_an_invalid_access_file_closes_the_app_and_hides_addresses(signed_in_app, config_dir):
    write_access(
        config_dir,
        with_grants(
            {"role": "lãnh đạo", "emails": ["truongban@lanhdao.test"]},
            {"role": "thư ký", "emails": ["truongban@lanhdao.test"]},
        ),
    )
    at = signed_in_app(None)
    assert "Bảng điều hành đang khoá" in at.error[0].value and not at.button
    assert "«tr…@lanhdao.test» có ở cả grants[0] (lãnh đạo) và grants[1] (thư ký)" in at.text[0].value
    assert "truongban@" not in at.text[0].value


def test_incomplete_auth_closes_the_app(monkeypatch):
    monkeypatch.setenv("BCD502_SOURCE", str(DEMO))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback"}
    at.user = {"is_logged_in": True, "email": "ai@do.test"}
    at.run()
    assert not at.exception and not at.metric and "Bảng điều hành đang khoá" in at.error[0].value
    assert "[auth]: cookie_secret" in at.text[0].value


def test_the_demo_runs_open_with_a_notice(monkeypatch):
    monkeypatch.setenv("BCD502_SOURCE", str(DEMO))
    monkeypatch.delenv("BCD502_CONFIG", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception and at.metric
    assert any("Đăng nhập đang tắt" in w.value for w in at.sidebar.warning)
    assert registered(at) == ALL_PAGES and not at.sidebar.button


def test_one_button_per_named_provider(monkeypatch, config_dir):
    monkeypatch.setenv("BCD502_SOURCE", str(DEMO))
    monkeypatch.setenv("BCD502_CONFIG", str(config_dir))
    st.cache_resource.clear()
    provider = {k: v for k, v in AUTH.items() if k.startswith(("client", "server"))}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets["auth"] = {
        "redirect_uri": AUTH["redirect_uri"],
        "cookie_secret": COOKIE_SECRET,
        "google": provider,
        "microsoft": provider,
    }
    at.user = {"is_logged_in": False}
    at.run()
    st.cache_resource.clear()
    assert not at.exception
    assert [b.label for b in at.button] == [
        "Đăng nhập bằng tài khoản Google",
        "Đăng nhập bằng tài khoản Microsoft",
    ]
