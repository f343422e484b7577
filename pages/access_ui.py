"""Streamlit glue for sign-in and roles: who is looking (lib/access decides), the pages shown to people who
may not enter (sign in, unknown account, access closed), the sidebar's account block and the activity log
entries. Not a page itself."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import streamlit as st

from lib import access, activity_log, st_adapter
from lib.access import Action, Gate, Viewer
from lib.exceptions import BCDError

log = logging.getLogger("bcd502")

VIEWER_KEY = "_bcd_viewer"
_ENTERED_KEY = "_bcd_entered"
TITLE = "Bảng điều hành BCĐ 502"


def _committee() -> str:
    try:
        return st_adapter.get_config().settings.committee
    except BCDError:
        return "Ban Chỉ đạo 502"


def _decide() -> Viewer:
    try:
        return _decide_or_raise()
    except Exception as error:  # whatever went wrong, nobody enters by it
        log.exception("Access could not be decided", exc_info=error)
        return Viewer(Gate.CLOSED, problems=("Lỗi ngoài dự kiến khi kiểm tra quyền (chi tiết ở nhật ký máy chủ).",))


def _decide_or_raise() -> Viewer:
    try:
        auth = st_adapter.auth_settings()
    except BCDError as error:  # an unreadable secrets file: sign-in may have been meant, so closed
        return Viewer(Gate.CLOSED, problems=(error.message,))
    if auth is None:
        return Viewer(Gate.OPEN)
    try:
        config = st_adapter.get_config()
    except BCDError as error:
        return Viewer(Gate.CLOSED, problems=tuple(getattr(error, "problems", [error.message])))
    user = st.user.to_dict()
    return access.decide(auth, user, lambda: access.load_access(config.directory, config.organisations))


def viewer() -> Viewer:
    """Who is looking, decided once per run (the access file is read each time, so a new grant needs no
    restart); the first entry of a session is logged."""
    current = _decide()
    st.session_state[VIEWER_KEY] = current
    if current.gate is Gate.CLOSED and st_adapter.first_sight("closed|" + "; ".join(current.problems)):
        log.error("Sign-in is on but access is closed: %s", "; ".join(current.problems))
    if current.gate in (Gate.GRANTED, Gate.UNKNOWN) and st.session_state.get(_ENTERED_KEY) != current.email:
        st.session_state[_ENTERED_KEY] = current.email
        # every new browser tab is a new session: the token's issue time tells one sign-in from the next
        if not current.signed_in_at or st_adapter.first_sight(f"{current.email}|{current.signed_in_at}"):
            event = "sign_in" if current.gate is Gate.GRANTED else "refused"
            record(event, **({"chưa xác minh e-mail": True} if current.unverified else {}))
    return current


def current() -> Viewer:
    """The viewer app.py decided for this run (closed when a page runs without it)."""
    return st.session_state.get(VIEWER_KEY) or Viewer(Gate.CLOSED)


def may(action: Action) -> bool:
    return access.may(current(), action)


def navigation(viewer: Viewer, pages: list[Any]) -> list[Any]:
    """The pages of st.navigation for this viewer. Each URL of the app answers in Vietnamese, never with
    Streamlit's English "Page not found": a page the viewer may not open is replaced at its URL by a hidden
    page saying so; someone who may not enter gets the page that explains why at every URL."""
    if viewer.enters:
        return [page if access.may_open(viewer, page.url_path) else _refusal(page) for page in pages]
    gate = {Gate.SIGNED_OUT: _sign_in, Gate.UNKNOWN: _unknown, Gate.CLOSED: _closed}[viewer.gate]
    return [
        st.Page(
            gate,
            title=TITLE,
            icon=":material/lock:",
            url_path=page.url_path or "dang-nhap",
            default=not page.url_path,
            visibility="hidden" if page.url_path else "visible",
        )
        for page in pages
    ]


def _refusal(page: Any) -> Any:
    def refused() -> None:
        st.title("Không mở được trang này")
        st.warning(
            f"Tài khoản của bạn ({current().role_label}) không mở được trang «{page.title}». "
            "Chọn trang khác ở thanh bên.",
            icon=":material/lock:",
        )

    return st.Page(refused, title=page.title, icon=page.icon, url_path=page.url_path, visibility="hidden")


# ---------------------------------------------------------------- activity log


def log_path() -> Path:
    config = st_adapter.get_config()
    return config.resolve_path(config.settings.data_dir) / activity_log.LOG_FILE


def record(event: str, **detail: Any) -> None:
    """Append an entry for the current viewer; a log that cannot be written is reported to the server log
    only (the action itself went through)."""
    who = current()
    try:
        activity_log.record(log_path(), event, who.email, who.role or "", detail)
    except (OSError, BCDError) as error:
        log.error("Activity log not written (%s): %s", event, error)


# ---------------------------------------------------------------- pages for those who may not enter


def _contact_lines(viewer: Viewer) -> str:
    contact = viewer.contact
    if contact is None:
        return ""
    parts = [f"**{contact.name}**"]
    if contact.email:
        parts.append(f"e-mail: {contact.email}")
    if contact.phone:
        parts.append(f"điện thoại: {contact.phone}")
    return " · ".join(parts)


def _sign_in() -> None:
    viewer = current()
    st.title(TITLE)
    st.subheader(_committee())
    st.write("Bảng điều hành chỉ dành cho thành viên Ban Chỉ đạo và các đơn vị được cấp quyền. Vui lòng đăng nhập.")
    for provider in access.providers(st_adapter.auth_settings() or {}):
        label = "Đăng nhập" if provider is None else f"Đăng nhập bằng tài khoản {provider.capitalize()}"
        if st.button(label, icon=":material/login:", type="primary", key=f"sign_in_{provider or 'default'}"):
            st.login(*([provider] if provider else []))
    if viewer.contact:
        st.caption("Chưa được cấp quyền? Liên hệ " + _contact_lines(viewer))


def sign_out_button(key: str) -> None:
    if st.button("Đăng xuất", icon=":material/logout:", key=key):
        record("sign_out")
        st.logout()


def _unknown() -> None:
    viewer = current()
    st.title(TITLE)
    st.subheader(_committee())
    if viewer.unverified:
        st.warning(
            f"Địa chỉ e-mail {viewer.email} chưa được nhà cung cấp tài khoản xác minh nên không dùng được để vào "
            "bảng điều hành.",
            icon=":material/mark_email_unread:",
        )
    else:
        st.warning(
            f"Tài khoản {viewer.email or '(không có địa chỉ e-mail)'} chưa được cấp quyền xem bảng điều hành.",
            icon=":material/no_accounts:",
        )
    st.write("Để được cấp quyền, liên hệ " + (_contact_lines(viewer) or "quản trị viên của Ban Chỉ đạo") + ".")
    sign_out_button("unknown_sign_out")


def _closed() -> None:
    viewer = current()
    st.title(TITLE)
    st.error(
        "Bảng điều hành đang khoá: đăng nhập đã được bật nhưng cấu hình đăng nhập hoặc tệp phân quyền "
        "(config/access.yaml) thiếu hay chưa đúng, nên không ai được vào. Quản trị viên sửa các mục dưới đây "
        "rồi tải lại trang.",
        icon=":material/lock:",
    )
    st.text("\n".join(f"- {access.masked(problem)}" for problem in viewer.problems))


# ---------------------------------------------------------------- sidebar


def account(viewer: Viewer) -> None:
    """Who is signed in and the sign-out button, or the notice that sign-in is off."""
    with st.sidebar:
        if viewer.gate is Gate.OPEN:
            st.warning(
                "Đăng nhập đang tắt: ai có đường dẫn cũng xem được mọi trang và dùng mọi nút. "
                "Bật đăng nhập theo tài liệu docs/dang-nhap.md trước khi đưa lên mạng.",
                icon=":material/lock_open:",
            )
            return
        role = viewer.role_label
        if viewer.organisations:
            labels = _organisation_labels(viewer.organisations)
            role += f" ({', '.join(labels)})"
        st.caption(f"Đăng nhập: {viewer.email}  \nVai trò: {role}")
        sign_out_button("sidebar_sign_out")


def _organisation_labels(codes: tuple[str, ...]) -> list[str]:
    organisations = st_adapter.get_config().organisations
    return [organisations[c].short_name if c in organisations else c for c in codes]


def own_labels() -> list[str]:
    """The «Đơn vị» labels of the organisations the viewer works for (organisation staff), else none."""
    viewer = current()
    return _organisation_labels(viewer.organisations) if viewer.role is access.Role.ORGANISATION else []
