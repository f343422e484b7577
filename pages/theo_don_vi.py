"""Theo đơn vị: each organisation's contribution, reporting completeness, data freshness, progress against targets."""

import streamlit as st

from lib import charts, st_adapter, views
from lib import formatting as fmt
from pages import ui

ctx = ui.context()
config, period, dataset = ctx.config, ctx.period, ctx.dataset
declared = config.dashboard.organisations
ui.header("Theo đơn vị", ctx)

codes = tuple(dict.fromkeys([*declared.chart, *declared.table]))
if codes:
    st.subheader("Đóng góp của từng đơn vị")
    contribution = ctx.view(views.organisation_contribution, codes)
    if declared.chart:
        measure = (
            st.segmented_control(
                "Chỉ số trên biểu đồ",
                declared.chart,
                format_func=lambda c: config.indicators[c].name,
                default=declared.chart[0],
                key="org_measure",
            )
            or declared.chart[0]
        )
        indicator = config.indicators[measure]
        ui.chart(
            charts.bar,
            contribution,
            "label",
            measure,
            category_title="Đơn vị",
            value_title=indicator.name,
            unit=indicator.unit,
            colour="label",
            scale=charts.organisation_scale(config),
        )
    shown = contribution[["organisation", "label", *declared.table]]
    ui.table(
        views.readable(shown, config, "Đơn vị", drop=["organisation"]), "Đóng góp của các đơn vị", "org_contribution"
    )

st.subheader("Mức độ cập nhật theo tháng")
st.caption("Số hoạt động mỗi đơn vị ghi vào tab của mình trong từng tháng; ô 0 là tháng chưa ghi nhận hoạt động nào.")
grid = ctx.view(views.completeness, ctx.latest)
ui.chart(
    charts.heatmap,
    grid,
    "month_label",
    "label",
    "count",
    x_title="Tháng",
    y_title="Đơn vị",
    value_title="Số hoạt động",
    x_sort=list(dict.fromkeys(grid["month_label"])),
    y_sort=list(views.organisation_labels(config).values()),
    scheme="greens",
)
ui.table(views.completeness_table(grid), "Mức độ cập nhật theo tháng", "org_completeness")

st.subheader("Độ mới của dữ liệu")
previous = st_adapter.previous_fetch(dataset)
st.caption(
    f"Đọc lúc {fmt.timestamp(dataset.fetched_at)}."
    + (
        f" Dòng mới so với lần tải lúc {fmt.timestamp(previous[0])}."
        if previous
        else " Chưa có lần tải trước để so sánh số dòng mới."
    )
)
ui.table(views.freshness(dataset, config, previous[1] if previous else None), "Độ mới của dữ liệu", "org_freshness")

st.subheader("Tiến độ thực hiện chỉ tiêu")
year = period.end.year
progress = ctx.call(views.progress_table, dataset, config, year)
if progress.empty:
    st.info(f"Chưa có chỉ tiêu nào cho năm {year} trong tab «{ui.plain(config.settings.tabs.targets)}».")
else:
    st.caption(
        f"Chỉ tiêu năm {year}, tính trên toàn bộ hoạt động của năm (không theo bộ lọc xã, chương trình, đơn vị)."
    )
    ui.table(progress, f"Tiến độ chỉ tiêu năm {year}", "org_progress")
