"""Chất lượng dữ liệu: the rows each organisation has to fix, and how many rows were counted or left out."""

import streamlit as st

from lib import access, closing, period, st_adapter, views
from lib import formatting as fmt
from lib.exceptions import BCDError
from lib.problems import ERROR, SEVERITY_LABELS, WARNING
from pages import access_ui, ui

ctx = ui.context()
config, dataset = ctx.config, ctx.dataset
st.title("Chất lượng dữ liệu")
st.caption(
    "Các dòng có lỗi chưa được tính vào chỉ số; cảnh báo vẫn được tính nhưng nên kiểm tra lại. "
    + (
        "Mỗi đơn vị sửa trực tiếp trong tab của mình, rồi bấm «Làm mới dữ liệu» ở trang Nguồn dữ liệu."
        if access_ui.may(access.Action.REFRESH)
        else "Mỗi đơn vị sửa trực tiếp trong tab của mình; bảng điều hành đọc lại dữ liệu sau tối đa "
        f"{config.settings.cache_ttl_seconds // 60} phút."
    )
)

counts = views.row_counts(dataset, config)
ui.metrics(
    [
        (label, fmt.number(value), None, "")
        for label, value in [
            ("Dòng được tính", counts["Dòng được tính"].sum()),
            ("Dòng bị loại", counts["Dòng bị loại"].sum()),
            ("Lỗi", ui.error_count(ctx)),
            ("Cảnh báo", dataset.warning_count),
        ]
    ],
    key="kpi_quality",
)

st.subheader("Danh sách cần sửa")
issues = ctx.call(views.issues_table, dataset, config)
own = access_ui.own_labels()
if own:  # after the shared cache: the same table for everyone, reordered for this viewer
    issues = access.own_first(issues, own)
    mine = views.filter_issues(issues, own)
    st.info(
        f"Vấn đề của {ui.plain(', '.join(own))} được xếp lên đầu danh sách: "
        f"{fmt.number(int((mine['Mức độ'] == SEVERITY_LABELS[ERROR]).sum()))} lỗi, "
        f"{fmt.number(int((mine['Mức độ'] == SEVERITY_LABELS[WARNING]).sum()))} cảnh báo.",
        icon=":material/person_pin:",
    )
left, middle, right = st.columns(3)
organisations = left.multiselect(
    "Đơn vị",
    list(dict.fromkeys(issues["Đơn vị"])),
    key="quality_orgs",
    filter_mode=None,
    select_all=False,
    placeholder="Tất cả đơn vị",
)
levels = middle.multiselect(
    "Mức độ",
    ["Lỗi", "Cảnh báo"],
    key="quality_levels",
    filter_mode=None,
    select_all=False,
    placeholder="Lỗi và cảnh báo",
)
kinds = right.multiselect(
    "Loại vấn đề",
    sorted(set(issues["Loại"])),
    key="quality_kinds",
    filter_mode=None,
    select_all=False,
    placeholder="Mọi loại vấn đề",
)
shown = views.filter_issues(issues, organisations, levels, kinds)
if shown.empty:
    st.success("Không có vấn đề nào với lựa chọn này.", icon=":material/check_circle:")
else:
    # what staff need first, also on a phone: where (tab, row) and what to do; the classification after
    first = ["Tab", "Dòng", "Vấn đề", "Cách sửa", "Cột", "Giá trị"]
    shown = shown[[*first, *(c for c in shown.columns if c not in first)]]
    ui.table(shown, "Danh sách lỗi dữ liệu", "quality_issues")

st.subheader("Số dòng theo tab")
ui.table(counts, "Số dòng theo tab", "quality_counts")

# periods closed («chốt số liệu»): rows of the period edited, added or removed since, and what that changes
_, unread = closing.read_register(st_adapter.get_dataset().closure_register, config.settings.year_start)
if unread:  # rows of the shared register that cannot be read are skipped, and named here
    st.subheader(f"Tab «{config.settings.tabs.closures}»")
    st.warning(" ".join(ui.plain(p) for p in unread), icon="⚠️")
for closure in [c for c in st_adapter.closure_store().closures() if c.open]:
    closed_period = period.Period(closure.start, closure.end)
    try:
        frozen = st_adapter.closure_store().frozen_or_adopted(closure, st_adapter.get_dataset(), config)
    except BCDError as error:  # closed on another server, its figures not here: say so, list nothing
        st.subheader(f"Sửa sau khi chốt: {closure.label}")
        st.warning(ui.plain(error.message), icon="⚠️")
        continue
    listed, difference = ctx.call(closing.changes, frozen, st_adapter.get_dataset(), config, closed_period)
    if listed.empty:
        continue
    st.subheader(f"Sửa sau khi chốt: {closure.label}")
    st.warning(
        f"{closure.note()}. {len(listed)} dòng của kỳ đã thay đổi sau khi chốt; dự thảo của kỳ vẫn dùng số liệu đã "
        "chốt. Muốn đưa các thay đổi vào báo cáo, quản trị viên mở lại kỳ ở trang Báo cáo rồi chốt lại.",
        icon="⚠️",
    )
    ui.table(listed, f"Sửa sau khi chốt {closure.label}", f"closed_{closure.id}")
    if not difference.empty:
        st.caption("Chênh lệch số liệu của kỳ so với khi chốt:")
        ui.table(difference, f"Chênh lệch sau khi chốt {closure.label}", f"closed_diff_{closure.id}")
