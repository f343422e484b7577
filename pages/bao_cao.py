"""Báo cáo: the Markdown draft of the committee's report for the chosen period, with .md and .docx downloads."""

import streamlit as st

from lib import export, report, views
from pages import ui

ctx = ui.context()
config, period = ctx.config, ctx.period
st.title("Báo cáo")
st.caption(
    f"Dự thảo báo cáo {ui.plain(config.settings.committee)} **{period.label}**, số liệu toàn đơn vị "
    "(không áp dụng bộ lọc xã, chương trình, đơn vị). Đổi kỳ báo cáo ở thanh bên."
)

signing = st.date_input(
    "Ngày ký báo cáo",
    value=None,
    format="DD/MM/YYYY",
    key="report_signing",
    help="Để trống thì dự thảo chừa chỗ ghi ngày ký.",
)
draft = ctx.call(report.render_markdown, ctx.dataset, config, period, signing)
stem = f"bao-cao-502-{export.file_stem(period.key)}"
buttons = st.container(horizontal=True, gap="small")
buttons.download_button(
    "Tải bản Markdown (.md)",
    draft.encode("utf-8"),
    f"{stem}.md",
    "text/markdown",
    key="report_md",
    icon=":material/download:",
    on_click="ignore",
    type="primary",
)
buttons.download_button(
    "Tải bản Word (.docx)",
    ctx.call(report.render_docx, ctx.dataset, config, period, signing),
    f"{stem}.docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    key="report_docx",
    icon=":material/download:",
    on_click="ignore",
)

st.subheader("Xem trước")
with st.container(border=True):
    st.markdown(views.preview_markdown(draft))
