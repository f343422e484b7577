"""Nhật ký hoạt động: who entered, refreshed, downloaded a draft or set up tabs (administrators only)."""

import streamlit as st

from lib import access, activity_log
from pages import access_ui, ui

ui.context(require_data=False)
st.title("Nhật ký hoạt động")
if not access_ui.may(access.Action.VIEW_LOG):  # the page is not registered for other roles; kept as a guard
    st.error("Chỉ quản trị viên xem được nhật ký hoạt động.", icon=":material/lock:")
    st.stop()
st.caption(
    "Mỗi lần đăng nhập, bị từ chối, đăng xuất, làm mới dữ liệu, tải dự thảo báo cáo hay tạo tab được ghi thêm một "
    "dòng; nhật ký chỉ ghi thêm, không sửa, không xoá, và không bao giờ chứa mật khẩu, khoá hay mã đăng nhập."
)
entries, broken = activity_log.read(access_ui.log_path())
if broken:
    st.warning(f"{broken} dòng của tệp nhật ký không đọc được và không được hiển thị.", icon="⚠️")
if not entries:
    st.info("Chưa có hoạt động nào được ghi.", icon="ℹ️")
else:
    frame = activity_log.table(entries, access.ROLE_LABELS)
    events = st.multiselect("Việc", list(activity_log.EVENTS.values()), key="log_events", placeholder="Mọi việc")
    people = st.multiselect(
        "Người dùng", sorted(set(frame["Người dùng"])), key="log_people", placeholder="Mọi người dùng"
    )
    shown = activity_log.select(frame, events, people)
    st.caption(f"{len(shown)} mục, mới nhất ở trên.")
    ui.table(shown, "Nhật ký hoạt động", "activity_log")
