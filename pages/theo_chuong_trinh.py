"""Theo chương trình: the programmes and their activity types, the coordination matrix, notable activities."""

import streamlit as st

from lib import charts, views
from pages import ui

ctx = ui.context()
config, period = ctx.config, ctx.period
ui.header("Theo chương trình", ctx)

programmes = ctx.view(views.by_programme)
st.subheader("Bốn chương trình phối hợp")
ui.chart(
    charts.bar(
        programmes,
        "label",
        "money_total",
        category_title="Chương trình",
        value_title="Tổng kinh phí",
        unit="đồng",
        colour="label",
        scale=charts.programme_scale(config),
    )
)
ui.table(views.readable(programmes, config, "Chương trình", drop=["programme"]), "Theo chương trình", "programme_table")

st.subheader("Loại hoạt động")
types = ctx.view(views.by_activity_type)
ui.chart(
    charts.bar(
        types,
        "label",
        "activities",
        category_title="Loại hoạt động",
        value_title="Số hoạt động",
        unit="hoạt động",
        colour="programme",
        scale=charts.programme_scale(config),
    )
)
ui.table(
    views.readable(
        types.rename(columns={"programme": "Chương trình"}), config, "Loại hoạt động", drop=["activity_type"]
    ),
    "Theo loại hoạt động",
    "programme_types",
)

st.subheader("Phối hợp giữa các đơn vị")
matrix = ctx.view(views.coordination)
if matrix.empty:
    st.info("Chưa có hoạt động phối hợp nào trong kỳ với bộ lọc đang chọn.")
else:
    names = list(views.organisation_labels(config).values())
    ui.chart(
        charts.heatmap(
            matrix,
            "Đơn vị phối hợp",
            "Đơn vị chủ trì",
            "Số hoạt động phối hợp",
            x_title="Đơn vị phối hợp",
            y_title="Đơn vị chủ trì",
            value_title="Số hoạt động phối hợp",
            x_sort=names,
            y_sort=names,
        )
    )
    ui.table(matrix, "Phối hợp giữa các đơn vị", "programme_matrix")

st.subheader("Hoạt động tiêu biểu")
st.caption("Các hoạt động có kinh phí, số lượt người được hỗ trợ và số người tham gia lớn nhất trong kỳ.")
ui.table(ctx.view(views.notable_activities), "Hoạt động tiêu biểu", "programme_notable")
