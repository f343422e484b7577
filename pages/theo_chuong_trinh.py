"""Theo chương trình: the programmes and their activity types, the coordination matrix, notable activities."""

import streamlit as st

from lib import charts, views
from pages import ui

ctx = ui.context()
config = ctx.config
declared = config.dashboard.programmes
ui.header("Theo chương trình", ctx)


def _chart_and_table(function, code, codes, category_title, title, key, label_drop, colour):
    """A bar chart of ``code`` (when declared) and a table of ``codes`` from one cached view."""
    wanted = tuple(dict.fromkeys([*([code] if code else []), *codes]))
    if not wanted:
        return
    table = ctx.view(function, wanted)
    if code:
        indicator = config.indicators[code]
        ui.chart(
            charts.bar,
            table,
            "label",
            code,
            category_title=category_title,
            value_title=indicator.name,
            unit=indicator.unit,
            colour=colour,
            scale=charts.programme_scale(config),
        )
    keep = [c for c in table.columns if c not in config.indicators or c in codes]
    shown = table[keep].rename(columns={"programme": "Chương trình"} if label_drop != "programme" else {})
    ui.table(views.readable(shown, config, category_title, drop=[label_drop]), title, key)


st.subheader(f"{len(config.programmes)} chương trình phối hợp")
_chart_and_table(
    views.by_programme,
    declared.chart,
    declared.table,
    "Chương trình",
    "Theo chương trình",
    "programme_table",
    "programme",
    "label",
)

st.subheader("Loại hoạt động")
_chart_and_table(
    views.by_activity_type,
    declared.activity_type_chart,
    declared.activity_type_table,
    "Loại hoạt động",
    "Theo loại hoạt động",
    "programme_types",
    "activity_type",
    "programme",
)

st.subheader("Phối hợp giữa các đơn vị")
matrix = ctx.view(views.coordination)
if matrix.empty:
    st.info("Chưa có hoạt động phối hợp nào trong kỳ với bộ lọc đang chọn.")
else:
    names = list(views.organisation_labels(config).values())
    ui.chart(
        charts.heatmap,
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
    ui.table(matrix, "Phối hợp giữa các đơn vị", "programme_matrix")

st.subheader("Hoạt động tiêu biểu")
ranked = [config.indicators[c].name for c in config.dashboard.notable_rank]
st.caption(
    f"Các hoạt động có {', '.join(ranked).lower()} lớn nhất trong kỳ." if ranked else "Các hoạt động mới nhất trong kỳ."
)
ui.table(ctx.view(views.notable_activities), "Hoạt động tiêu biểu", "programme_notable")
