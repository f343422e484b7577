"""Báo cáo: the Markdown draft of the committee's report for the chosen period, with .md and .docx downloads."""

import importlib

import streamlit as st

from lib import export
from pages import ui

ctx = ui.context()
config, period = ctx.config, ctx.period
st.title("Báo cáo")
st.caption(
    f"Dự thảo báo cáo {config.settings.committee} **{period.label}**, số liệu toàn đơn vị "
    "(không áp dụng bộ lọc xã, chương trình, đơn vị). Đổi kỳ báo cáo ở thanh bên."
)


def _module(name: str):
    """The report modules, once they are part of the app."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


report = _module("lib.report")
render_docx = getattr(report, "render_docx", None) or getattr(_module("lib.word"), "render_docx", None)
if report is None or not hasattr(report, "render_markdown"):
    st.info("Chức năng xuất báo cáo chưa sẵn sàng trong phiên bản này.", icon="🛠️")
    st.stop()

signing = st.date_input(
    "Ngày ký báo cáo",
    value=None,
    format="DD/MM/YYYY",
    key="report_signing",
    help="Để trống thì dự thảo chừa chỗ ghi ngày ký.",
)
draft = report.render_markdown(ctx.dataset, config, period, signing_date=signing)
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
if render_docx is not None:
    buttons.download_button(
        "Tải bản Word (.docx)",
        render_docx(ctx.dataset, config, period, signing_date=signing),
        f"{stem}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="report_docx",
        icon=":material/download:",
        on_click="ignore",
    )
else:
    buttons.caption("Bản Word chưa sẵn sàng.")

st.subheader("Xem trước")
with st.container(border=True):
    st.markdown(draft)
