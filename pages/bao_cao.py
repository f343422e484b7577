"""Báo cáo: the Markdown draft of the committee's report for the chosen period, with .md and .docx
downloads; the number and the signing date are blank unless the secretary sets them here, and the
previous period's approved draft, uploaded here, fills the sections the text tabs leave empty. The data
basis of the draft is a download of its own, not part of the signable document."""

import streamlit as st

from lib import document, export, prior_draft, report, views
from lib.access import Action
from lib.exceptions import BCDError
from pages import access_ui, ui

ctx = ui.context()
config, period = ctx.config, ctx.period
st.title("Báo cáo")
st.caption(
    f"Dự thảo báo cáo {ui.plain(config.settings.committee)} **{period.label}**, số liệu toàn đơn vị "
    "(không áp dụng bộ lọc xã, chương trình, đơn vị). Đổi kỳ báo cáo ở thanh bên."
)

symbol = config.settings.report.symbol
party = config.settings.report.header_format == "party"
fields = st.columns(2)
typed_number = fields[0].text_input(
    "Số văn bản",
    key="report_number",
    max_chars=8,
    placeholder="để trống",
    help=(
        f"Ví dụ 5: dự thảo ghi «Số {'5-' if party else ': 05/'}{symbol}». "
        f"Để trống thì dự thảo ghi «Số{' …-' if party else ': …/'}{symbol}» cho văn thư điền."
    ),
)
signing = fields[1].date_input(
    "Ngày ký báo cáo",
    value=None,
    format="DD/MM/YYYY",
    key="report_signing",
    help="Để trống thì dự thảo ghi «ngày … tháng … năm …» cho người ký điền.",
)
try:
    number = document.parse_number(typed_number)
except BCDError as error:  # the draft stays, with the number left blank
    number = None
    st.error(f"{ui.plain(error.message)} Dự thảo đang để trống số.", icon=":material/error:")
if note := document.signing_date_note(signing, period.start, period.end):
    st.warning(note, icon=":material/event_busy:")

uploaded = st.file_uploader(
    "Dự thảo đã duyệt của kỳ trước (tuỳ chọn)",
    type=["md"],
    key="report_previous",
    help=(
        "Tải lên bản Markdown (.md) đã duyệt của kỳ trước: văn bản phần I, phần mở đầu các mục II.1–II.4, phần III "
        f"và phần IV được mang sang những mục mà tab «{config.settings.tabs.assessment}», "
        f"«{config.settings.tabs.directions}» chưa có cho kỳ này; mỗi đoạn mang sang bắt đầu bằng «[kiểm tra lại]» "
        "(tô vàng trong bản Word) để rà soát, sửa cho đúng kỳ mới."
    ),
)
prior = None
if uploaded is not None:
    try:
        prior = prior_draft.decode(uploaded.getvalue())
    except BCDError as error:  # the draft stays, without the previous texts
        st.error(f"{ui.plain(error.message)} Dự thảo chưa mang sang văn bản kỳ trước.", icon=":material/error:")

draft = ctx.call(report.render_markdown, ctx.dataset, config, period, signing, number, prior)
stem = f"bao-cao-502-{export.file_stem(period.key)}"
if access_ui.may(Action.DOWNLOAD_REPORT):
    buttons = st.container(horizontal=True, gap="small")
    buttons.download_button(
        "Tải bản Markdown (.md)",
        draft.encode("utf-8"),
        f"{stem}.md",
        "text/markdown",
        key="report_md",
        icon=":material/download:",
        on_click=access_ui.record,
        args=("download_report",),
        kwargs={"kỳ": period.label, "định dạng": "md"},
        type="primary",
    )
    buttons.download_button(
        "Tải bản Word (.docx)",
        ctx.call(report.render_docx, ctx.dataset, config, period, signing, number, prior),
        f"{stem}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="report_docx",
        icon=":material/download:",
        on_click=access_ui.record,
        args=("download_report",),
        kwargs={"kỳ": period.label, "định dạng": "docx"},
    )
    buttons.download_button(
        "Tải cơ sở số liệu (.md)",
        ctx.call(report.render_basis, ctx.dataset, config, period).encode("utf-8"),
        f"co-so-so-lieu-{stem}.md",
        "text/markdown",
        key="report_basis",
        icon=":material/fact_check:",
        on_click=access_ui.record,
        args=("download_basis",),
        kwargs={"kỳ": period.label, "định dạng": "md"},
        help="Nguồn, thời điểm đọc và số dòng dùng của từng tab: để đối chiếu, không kèm theo văn bản trình ký.",
    )
else:
    st.info("Tải dự thảo (Markdown, Word) dành cho thư ký, lãnh đạo và quản trị viên.", icon=":material/lock:")

st.subheader("Xem trước")
with st.container(border=True):
    st.markdown(views.preview_markdown(draft))
