"""Báo cáo: the Markdown draft of the committee's report for the chosen period, with .md and .docx
downloads; the number and the signing date are blank unless the secretary sets them here, and the
previous period's approved draft, uploaded here, fills the sections the text tabs leave empty. The data
basis of the draft is a download of its own, not part of the signable document."""

import datetime as dt

import streamlit as st

from lib import boundaries, closing, document, export, prior_draft, report, st_adapter, views
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

# a closed period: the draft reads the figures frozen at the close, whatever was edited since
store = st_adapter.closure_store()
closure = store.active(period)
dataset = ctx.dataset
unavailable = None  # why the closed period's frozen figures cannot be had on this server
if closure is not None:
    try:  # a closure made on another server is used only when its figures can be had here
        frozen = store.frozen_or_adopted(closure, st_adapter.get_dataset(), config)
    except BCDError as error:
        unavailable = error.message
if unavailable:  # no draft from today's figures in place of frozen ones; the administrator may reopen below
    st.error(ui.plain(unavailable), icon=":material/lock:")
elif closure is not None:
    dataset = ctx.shared(boundaries.apply, frozen, ctx.dataset.boundaries, config)
    st.info(
        f"{closure.note()}, do {closure.closed_by or 'quản trị viên'} chốt: dự thảo dùng số liệu đã chốt, "
        "không đổi khi các tab được sửa sau đó (xem trang Chất lượng dữ liệu).",
        icon=":material/lock:",
    )
if not unavailable:
    draft = ctx.call(report.render_markdown, dataset, config, period, signing, number, prior)
    if closure is not None:
        draft = closing.stamp(draft, closure)
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
            ctx.call(report.markdown_to_docx, draft),  # the draft above, stamped when closed: rendered once
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
            ctx.call(report.render_basis, dataset, config, period).encode("utf-8"),
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


def _close() -> None:
    now = dt.datetime.now(dt.UTC)
    try:
        done = store.close(st_adapter.get_dataset(), config, period, access_ui.current().email, now)
        problem = st_adapter.record_closure(done, "Chốt")
    except BCDError as error:
        st.session_state["_closing_message"] = ("error", error.message)
        return
    access_ui.record("close_period", kỳ=period.label, mã=done.id, số_dòng=done.rows)
    note = f" Chưa ghi được vào tab «{config.settings.tabs.closures}»: {problem}" if problem else ""
    st.session_state["_closing_message"] = ("success", f"Đã chốt số liệu {period.label} (mã {done.id}).{note}")


def _reopen() -> None:
    try:
        done = store.reopen(period, access_ui.current().email, dt.datetime.now(dt.UTC))
        problem = st_adapter.record_closure(done, "Mở lại")
    except BCDError as error:
        st.session_state["_closing_message"] = ("error", error.message)
        return
    access_ui.record("reopen_period", kỳ=period.label, mã=done.id)
    note = f" Chưa ghi được vào tab «{config.settings.tabs.closures}»: {problem}" if problem else ""
    st.session_state["_closing_message"] = ("success", f"Đã mở lại số liệu {period.label}.{note}")


if access_ui.may(Action.CLOSE_PERIOD):
    st.subheader("Chốt số liệu")
    if closure is None:
        st.caption(
            f"Chốt số liệu {period.label}: số liệu đã làm sạch của lúc này được lưu lại với một mã; dự thảo của kỳ "
            "dùng số liệu đã chốt, các dòng sửa sau đó được đánh dấu ở trang Chất lượng dữ liệu."
        )
        st.button(f"Chốt số liệu {period.label}", icon=":material/lock:", on_click=_close, key="close_period")
    else:
        st.button("Mở lại để sửa", icon=":material/lock_open:", on_click=_reopen, key="reopen_period")
    if message := st.session_state.pop("_closing_message", None):
        (st.success if message[0] == "success" else st.error)(message[1])
