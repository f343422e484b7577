"""Who may enter and what each role sees and does.

The access file (``access.yaml`` of the config directory) grants roles to e-mail addresses and whole
e-mail domains; ``[auth]`` of the secrets turns sign-in on. Everything here is pure: the app hands in
the secrets' ``[auth]`` table and the signed-in user's claims, and gets back a ``Viewer`` saying which
page to show (sign-in, unknown account, access closed by a config mistake, or the dashboard) and,
for a granted role, which pages and actions are allowed.

Sign-in off (no ``[auth]``, the demo) means open: every page and action, with a visible notice.
Sign-in on means closed unless proven otherwise: a missing or invalid access file, an incomplete
``[auth]`` or an unverified e-mail lets nobody in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator

from .config import _read_yaml, _validate
from .exceptions import ConfigError
from .normalize import name_key

ACCESS_FILE = "access.yaml"


class Role(StrEnum):
    LEADER = "leader"
    ORGANISATION = "organisation"
    SECRETARY = "secretary"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.LEADER: "lãnh đạo",
    Role.ORGANISATION: "đơn vị",
    Role.SECRETARY: "thư ký",
    Role.ADMIN: "quản trị",
}
_ROLE_KEYS = {name_key(label): role for role, label in ROLE_LABELS.items()}


class Action(StrEnum):
    REFRESH = "refresh"
    SETUP_SHEETS = "setup_sheets"
    DOWNLOAD_REPORT = "download_report"
    VIEW_LOG = "view_log"
    CLOSE_PERIOD = "close_period"


# Pages every signed-in role may open unless listed here (url paths of app.py's pages).
REPORT_PAGE = "bao-cao"
LOG_PAGE = "nhat-ky-hoat-dong"
TRACKER_PAGE = "theo-doi-nop-bao-cao"
ENTRY_PAGE = "nhap-hoat-dong"
PAGE_ROLES: dict[str, frozenset[Role]] = {
    LOG_PAGE: frozenset({Role.ADMIN}),
    ENTRY_PAGE: frozenset({Role.ORGANISATION, Role.ADMIN}),
}
ACTION_ROLES: dict[Action, frozenset[Role]] = {
    Action.REFRESH: frozenset({Role.ADMIN}),
    Action.SETUP_SHEETS: frozenset({Role.ADMIN}),
    Action.DOWNLOAD_REPORT: frozenset({Role.LEADER, Role.SECRETARY, Role.ADMIN}),
    Action.VIEW_LOG: frozenset({Role.ADMIN}),
    Action.CLOSE_PERIOD: frozenset({Role.ADMIN}),
}

# Addresses anyone can open an account at: never a whole-domain grant.
PUBLIC_MAIL_DOMAINS = frozenset(
    {"gmail.com", "googlemail.com", "yahoo.com", "yahoo.com.vn", "outlook.com", "hotmail.com", "live.com",
     "icloud.com", "proton.me", "protonmail.com", "zoho.com", "aol.com", "gmx.com", "mail.com"}
)  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+$")


# ---------------------------------------------------------------- the access file


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Model):
    """Whom a signed-in but unknown person should ask for access."""

    name: str
    email: str | None = None
    phone: str | None = None


class Grant(_Model):
    """One role given to e-mail addresses and/or whole domains (organisation staff: with their organisations)."""

    role: Role
    emails: list[str] = []
    domains: list[str] = []
    organisations: list[str] = []
    note: str | None = None

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, value: Any) -> Role:
        role = _ROLE_KEYS.get(name_key(value)) if isinstance(value, str) else None
        if role is None:
            allowed = ", ".join(ROLE_LABELS.values())
            raise ValueError(f"vai trò «{value}» không có; chỉ nhận: {allowed}")
        return role

    @field_validator("emails", mode="after")
    @classmethod
    def _emails(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip().lower() for v in values]
        for value in cleaned:
            if not _EMAIL.match(value):
                raise ValueError(f"«{value}» không phải địa chỉ e-mail (dạng ten@mien.vn)")
        return cleaned

    @field_validator("domains", mode="after")
    @classmethod
    def _domains(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip().lower().removeprefix("@") for v in values]
        for value in cleaned:
            if not _DOMAIN.match(value):
                raise ValueError(f"«{value}» không phải tên miền e-mail (dạng damrong.lamdong.gov.vn)")
            if value in PUBLIC_MAIL_DOMAINS:
                raise ValueError(
                    f"không được giao quyền cho cả tên miền «{value}» (ai cũng mở được tài khoản ở đó); "
                    "ghi từng địa chỉ vào emails"
                )
        return cleaned


class _AccessFile(_Model):
    contact: Contact
    grants: list[Grant]


@dataclass(frozen=True)
class Access:
    """The validated access file: e-mail → grant, domain → grant, and whom to ask."""

    contact: Contact
    grants: tuple[Grant, ...]

    def grant_for(self, email: str) -> Grant | None:
        """The grant of an address: its own entry first (the more specific), else its domain's."""
        email = email.strip().lower()
        domain = email.rpartition("@")[2]
        by_email = next((g for g in self.grants if email in g.emails), None)
        return by_email or next((g for g in self.grants if domain and domain in g.domains), None)


def _grant_label(index: int, grant: Grant) -> str:
    return f"grants[{index}] ({ROLE_LABELS[grant.role]})"


def _cross_check(grants: list[Grant], organisations: Iterable[str]) -> list[str]:
    known = list(organisations)
    problems: list[str] = []
    seen: dict[str, dict[str, int]] = {"emails": {}, "domains": {}}
    for i, grant in enumerate(grants):
        where = f"{ACCESS_FILE}: grants[{i}]"
        if not grant.emails and not grant.domains:
            problems.append(f"{where}: phải có ít nhất một địa chỉ (emails) hoặc tên miền (domains)")
        if grant.role is Role.ORGANISATION and not grant.organisations:
            problems.append(f"{where}.organisations: vai trò «đơn vị» phải nêu mã đơn vị (trong organisations.yaml)")
        if grant.role is not Role.ORGANISATION and grant.organisations:
            problems.append(f"{where}.organisations: chỉ vai trò «đơn vị» mới gắn với đơn vị; xoá khoá này")
        for j, code in enumerate(grant.organisations):
            if code not in known:
                problems.append(
                    f"{where}.organisations[{j}]: đơn vị «{code}» không có trong organisations.yaml "
                    f"(các mã: {', '.join(known)})"
                )
        for key, what in (("emails", "địa chỉ"), ("domains", "tên miền")):
            for value in getattr(grant, key):
                if value in seen[key]:
                    first = seen[key][value]
                    problems.append(
                        f"{ACCESS_FILE}: {what} «{value}» có ở cả {_grant_label(first, grants[first])} và "
                        f"{_grant_label(i, grant)}: mỗi {what} chỉ được giao một vai trò (một người làm cho "
                        "nhiều đơn vị thì ghi các mã đơn vị vào cùng một mục)"
                    )
                else:
                    seen[key][value] = i
    if not grants:
        problems.append(f"{ACCESS_FILE}: grants: chưa giao quyền cho ai; khi đã bật đăng nhập, không ai vào được")
    return problems


def load_access(directory: str | Path, organisations: Iterable[str]) -> Access:
    """The access file of a config directory, validated against the organisation codes; every problem at
    once in a ConfigError (a missing file is one)."""
    path = Path(directory) / ACCESS_FILE
    if not path.is_file():
        raise ConfigError(
            f"Đã bật đăng nhập ([auth] trong tệp bí mật) nhưng thiếu tệp phân quyền {ACCESS_FILE} trong thư mục "
            "cấu hình: không ai được vào cho đến khi có tệp này (xem docs/dang-nhap.md)."
        )
    data, problems = _read_yaml(path)
    parsed = None
    if not problems:
        parsed, problems = _validate(_AccessFile, data, ACCESS_FILE)
    if parsed is not None:
        problems += _cross_check(parsed.grants, organisations)
    if problems:
        raise ConfigError("Tệp phân quyền không hợp lệ:\n" + "\n".join(f"- {p}" for p in problems), problems)
    return Access(parsed.contact, tuple(parsed.grants))


# ---------------------------------------------------------------- [auth] of the secrets


def providers(auth: Mapping[str, Any]) -> list[str | None]:
    """The sign-in providers of ``[auth]``: None for the default one (keys directly under [auth]), else
    the names of its sub-tables (``[auth.google]`` → "google")."""
    named = [name for name, value in auth.items() if isinstance(value, Mapping)]
    return ([None] if "client_id" in auth else []) + named


def auth_problems(auth: Mapping[str, Any]) -> list[str]:
    """What stops ``[auth]`` from working, in Vietnamese, naming keys but never their values."""
    problems = []
    redirect = str(auth.get("redirect_uri") or "")
    if not redirect:
        problems.append("[auth]: thiếu redirect_uri (địa chỉ của ứng dụng + /oauth2callback)")
    else:
        if not redirect.rstrip("/").endswith("/oauth2callback"):
            problems.append("[auth]: redirect_uri phải kết thúc bằng /oauth2callback")
        local = re.match(r"^http://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?/", redirect)
        if not redirect.startswith("https://") and not local:
            problems.append("[auth]: redirect_uri phải dùng https:// (chỉ máy cục bộ localhost mới được dùng http://)")
    if len(str(auth.get("cookie_secret") or "")) < 32:
        problems.append("[auth]: cookie_secret phải là một chuỗi ngẫu nhiên dài ít nhất 32 ký tự")
    found = providers(auth)
    if not found:
        problems.append("[auth]: chưa khai báo nhà cung cấp đăng nhập (client_id, client_secret, server_metadata_url)")
    for name in found:
        table = auth if name is None else auth[name]
        where = "[auth]" if name is None else f"[auth.{name}]"
        if name is not None and "_" in name:
            problems.append(f"{where}: tên nhà cung cấp không được có dấu gạch dưới")
        for key in ("client_id", "client_secret", "server_metadata_url"):
            if not table.get(key):
                problems.append(f"{where}: thiếu {key}")
    return problems


# ---------------------------------------------------------------- who is looking


class Gate(StrEnum):
    OPEN = "open"  # sign-in off (the demo): everything, with a notice
    CLOSED = "closed"  # sign-in on but [auth] or the access file is broken: nobody enters
    SIGNED_OUT = "signed_out"
    UNKNOWN = "unknown"  # signed in, but no grant (or an unverified address)
    GRANTED = "granted"


@dataclass(frozen=True)
class Viewer:
    """The person in front of the app, as far as access goes."""

    gate: Gate
    email: str = ""
    role: Role | None = None
    organisations: tuple[str, ...] = ()
    contact: Contact | None = None
    problems: tuple[str, ...] = ()
    unverified: bool = False
    signed_in_at: str = ""  # the identity token's issue time: one sign-in, however many sessions follow

    @property
    def enters(self) -> bool:
        return self.gate in (Gate.OPEN, Gate.GRANTED)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role] if self.role else ""


def decide(auth: Mapping[str, Any] | None, user: Mapping[str, Any], load: Any) -> Viewer:
    """The viewer for the secrets' ``[auth]`` (None: sign-in off), the user's claims (``st.user``) and
    ``load()``, which returns the Access or raises ConfigError (called only when sign-in is on)."""
    if auth is None:
        return Viewer(Gate.OPEN)
    problems = auth_problems(auth)
    access = None
    if not problems:
        try:
            access = load()
        except ConfigError as error:
            problems = list(error.problems)
    if access is None:
        return Viewer(Gate.CLOSED, problems=tuple(problems))
    if not user.get("is_logged_in"):
        return Viewer(Gate.SIGNED_OUT, contact=access.contact)
    email = str(user.get("email") or "").strip().lower()
    stamp = str(user.get("iat") or "")
    unverified = user.get("email_verified") is False or user.get("email_verified") == "false"
    grant = access.grant_for(email) if email and not unverified else None
    if grant is None:
        return Viewer(Gate.UNKNOWN, email=email, contact=access.contact, unverified=unverified, signed_in_at=stamp)
    return Viewer(Gate.GRANTED, email, grant.role, tuple(grant.organisations), access.contact, signed_in_at=stamp)


def may_open(viewer: Viewer, url_path: str) -> bool:
    """Whether the viewer's navigation holds the page (a page missing from it cannot be opened by URL)."""
    if viewer.gate is Gate.OPEN:
        return True
    if viewer.gate is not Gate.GRANTED:
        return False
    return viewer.role in PAGE_ROLES.get(url_path, frozenset(Role))


def may(viewer: Viewer, action: Action) -> bool:
    """Whether the viewer may press the button of an action."""
    return viewer.gate is Gate.OPEN or (viewer.gate is Gate.GRANTED and viewer.role in ACTION_ROLES[action])


def may_edit_tab(viewer: Viewer, organisation: str) -> bool:
    """Whether the viewer may write into an organisation's tab: its own staff, administrators, the demo."""
    if viewer.gate is Gate.OPEN or (viewer.gate is Gate.GRANTED and viewer.role is Role.ADMIN):
        return True
    return viewer.gate is Gate.GRANTED and viewer.role is Role.ORGANISATION and organisation in viewer.organisations


def own_first(issues: pd.DataFrame, labels: Iterable[str]) -> pd.DataFrame:
    """The issue table (views.issues_table) with the rows of the given organisations (their «Đơn vị»
    labels) first, each part in its own order. Applied after the shared cache, per viewer."""
    mine = issues["Đơn vị"].isin(list(labels))
    return pd.concat([issues[mine], issues[~mine]]).reset_index(drop=True)


_ADDRESS = re.compile(r"\b([^\s@«»()]{1,2})[^\s@«»()]*@")


def masked(text: str) -> str:
    """A problem line with each e-mail address's name part hidden (shown to people not yet signed in)."""
    return _ADDRESS.sub(lambda m: f"{m.group(1)}…@", text)
