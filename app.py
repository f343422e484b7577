"""Bảng điều hành BCĐ 502: entry point. Navigation, data loading with Vietnamese errors, the sidebar
filters; the pages in pages/ do the rest."""

from __future__ import annotations

import streamlit as st

from lib import access
from lib import formatting as fmt
from lib.exceptions import BCDError
from pages import access_ui, shell, ui

st.set_page_config(page_title="Bảng điều hành BCĐ 502", page_icon=":material/shield:", layout="wide")
shell.style()

PAGES = [
    st.Page("pages/tong_quan.py", title="Tổng quan", icon=":material/dashboard:", url_path="tong-quan", default=True),
    st.Page("pages/theo_xa.py", title="Theo xã", icon=":material/map:", url_path="theo-xa"),
    st.Page(
        "pages/theo_chuong_trinh.py",
        title="Theo chương trình",
        icon=":material/account_tree:",
        url_path="theo-chuong-trinh",
    ),
    st.Page("pages/theo_don_vi.py", title="Theo đơn vị", icon=":material/groups:", url_path="theo-don-vi"),
    st.Page(ui.QUALITY_PAGE, title="Chất lượng dữ liệu", icon=":material/fact_check:", url_path="chat-luong-du-lieu"),
    st.Page("pages/nhap_hoat_dong.py", title="Nhập hoạt động", icon=":material/edit_note:", url_path=access.ENTRY_PAGE),
    st.Page(
        "pages/theo_doi_bao_cao.py",
        title="Theo dõi nộp báo cáo",
        icon=":material/event_available:",
        url_path=access.TRACKER_PAGE,
    ),
    st.Page("pages/bao_cao.py", title="Báo cáo", icon=":material/description:", url_path="bao-cao"),
    st.Page(ui.SOURCE_PAGE, title="Nguồn dữ liệu", icon=":material/database:", url_path="nguon-du-lieu"),
    st.Page("pages/nhat_ky.py", title="Nhật ký hoạt động", icon=":material/history:", url_path=access.LOG_PAGE),
]

# Sign-in and roles: only the pages this viewer may open are registered, so no other is reachable by URL.
viewer = access_ui.viewer()
allowed = access_ui.navigation(viewer, PAGES)
shell.catch_unknown_page(allowed)
page = st.navigation(allowed)
if not viewer.enters:  # sign-in page, unknown account or access closed: that page and nothing else
    page.run()
    st.stop()
try:
    access_ui.account(viewer)
    ctx = ui.load(fmt.today())
    if ctx is None:
        st.stop()
    st.sidebar.caption(ctx.config.settings.committee)
    if ctx.dataset is not None:
        ctx.filters = ui.sidebar(ctx)
    ui.source_status(ctx)
    st.session_state[ui.CONTEXT_KEY] = ctx
    slot = shell.brand(ctx.config)
    page.run()
    shell.downloads(slot, ctx.config, page.title, ctx.filters.period if ctx.filters else None)
except BCDError as error:
    ui.show_error(error)
except Exception as error:
    ui.show_unexpected(error)
