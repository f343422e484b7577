"""Theo dõi nộp báo cáo: organisation × cycle statuses, on-time rates and reminders for the secretary."""

import streamlit as st

from lib import reporting, st_adapter
from pages import ui

ctx = ui.context()
config, today = st_adapter.get_config(), ctx.today  # every organisation, whatever the sidebar period
st.title("Theo dõi nộp báo cáo")
if config.reporting is None:
    st.info(
        "Chưa khai báo lịch báo cáo: thêm tệp reporting.yaml vào thư mục cấu hình (xem README, mục «Lịch báo cáo»).",
        icon="ℹ️",
    )
    st.stop()
calendar = config.reporting
first_year = config.settings.year_start.year_of(calendar.start)
this_year = max(config.settings.year_start.year_of(today), first_year)
years = list(range(this_year, first_year - 1, -1))
kinds = [c.kind for c in calendar.cycles]
left, right = st.columns([1, 2])
year = left.selectbox("Năm báo cáo", years, key="tracker_year")
kind = right.radio(
    "Kỳ báo cáo",
    kinds,
    format_func=lambda k: reporting.KIND_LABELS[k].capitalize(),
    horizontal=True,
    key="tracker_kind",
)
tracker = ctx.call(reporting.track, ctx.dataset, config, year, today)
due_days = ", ".join(f"{reporting.KIND_LABELS[c.kind]}: ngày {c.due_day} tháng sau" for c in calendar.cycles)
st.caption(
    f"Tình hình đến ngày {today:%d/%m/%Y}. Hạn nộp ({due_days}). Một kỳ được tính là đã nộp khi tab của đơn vị có "
    f"hoạt động ghi ngày trong kỳ, hoặc một dòng «{calendar.nil_activity.name}» ghi ngày trong kỳ; đúng hạn hay "
    "trễ hạn xét theo cột «Ngày nhập» (dòng nhập ở trang «Nhập hoạt động» tự ghi); «Đã nộp» trong bảng: có "
    "số liệu nhưng các dòng không ghi Ngày nhập nên chưa xét được đúng hạn."
)
if tracker.table.empty:
    st.info(f"Năm {year} chưa có kỳ báo cáo nào bắt đầu từ ngày theo dõi {calendar.start:%d/%m/%Y}.", icon="ℹ️")
    st.stop()

overdue = tracker.overdue()
counts = tracker.table[tracker.table["kind"] == kind]["status"].value_counts()
ui.metrics(
    [
        (label, str(int(counts.get(status, 0))), None, "")
        for status, label in reporting.STATUS_LABELS.items()
        if status != "not_due" or counts.get(status, 0)
    ]
)
st.subheader(f"Theo {reporting.KIND_LABELS[kind]}")
ui.table(
    tracker.grid(kind).reset_index(),
    f"Tình hình nộp báo cáo theo {reporting.KIND_LABELS[kind]} năm {year}",
    "tracker_grid",
)

st.subheader("Tỷ lệ nộp theo đơn vị")
rates = tracker.rates()
if rates.empty:
    st.info("Chưa có kỳ nào đến hạn.", icon="ℹ️")
else:
    ui.table(rates.drop(columns="organisation"), f"Tỷ lệ nộp báo cáo năm {year}", "tracker_rates")

st.subheader("Đơn vị chưa nộp (đã quá hạn)")
texts = reporting.reminders(tracker, config)
if not texts:
    st.success("Không đơn vị nào chậm nộp báo cáo.", icon="✅")
for code, text in texts.items():
    late = overdue[overdue["organisation"] == code]
    name = config.organisations[code].short_name
    with st.expander(f"{name}: {len(late)} kỳ chưa nộp", icon=":material/mail:"):
        st.caption("Văn bản nhắc sẵn để gửi (bấm biểu tượng sao chép ở góc phải):")
        st.code(text, language=None, wrap_lines=True)
