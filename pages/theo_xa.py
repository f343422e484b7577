"""Theo xã: the declared indicators per commune, commune flags, village coverage, disadvantaged communes,
one commune in detail."""

import streamlit as st

from lib import charts, views
from lib import formatting as fmt
from pages import ui

ctx = ui.context()
config, period = ctx.config, ctx.period
declared = config.dashboard.communes
ui.header("Theo xã", ctx, "Xã vùng III được tô đỏ trên biểu đồ; ĐBKK: thôn đặc biệt khó khăn.")

if declared.disadvantaged:
    st.subheader("Nguồn lực đến vùng khó khăn")
    summary = ctx.view(views.disadvantaged_summary, tuple(declared.disadvantaged))
    ui.metrics(
        [
            (
                f"{row['Chỉ số'].replace(' (đồng)', '')} — {row['Nơi nhận'][:1].lower()}{row['Nơi nhận'][1:]}",
                fmt.percent(row["Tỷ lệ (%)"]),
                None,
                f"{fmt.number(row['Giá trị'])} trên tổng {fmt.number(row['Toàn bộ'])}",
            )
            for row in summary.to_dict("records")
        ],
        key="kpi_disadvantaged",
    )
    ui.table(summary, "Nguồn lực đến vùng khó khăn", "commune_disadvantaged")

st.subheader("Các xã")
overview = ctx.view(views.commune_overview, tuple(dict.fromkeys([*declared.chart, *declared.table])))
choices = [views.column_title(config.indicators[c]) for c in declared.chart] + ["Độ phủ thôn (%)"]
measure = st.segmented_control("Chỉ số trên biểu đồ", choices, default=choices[0], key="commune_measure") or choices[0]
plot = overview.assign(region_iii=overview["Vùng"] == views.REGION_III)
unit = "đồng" if measure.endswith("(đồng)") else ("%" if measure.endswith(views.PERCENT_SUFFIX) else "")
ui.chart(
    charts.bar,
    plot,
    "Xã",
    measure,
    category_title="Xã",
    value_title=measure.removesuffix(" (đồng)").removesuffix(views.PERCENT_SUFFIX),
    unit=unit,
    highlight="region_iii",
)
if config.map.communes or config.commune_shapes:
    located = views.map_frame(plot, config, "Xã", measure)
    outline = config.map.shapes
    st.markdown(f"**Bản đồ các xã: {ui.plain(measure)}**")
    ui.chart(
        charts.commune_map,
        located,
        "value",
        value_title=measure.removesuffix(" (đồng)").removesuffix(views.PERCENT_SUFFIX),
        unit=unit,
        shapes=config.commune_shapes,
        name_property=outline.name_property if outline else "name",
    )
    unplaced = located.loc[located["lat"].isna(), "commune"].tolist()
    st.caption(
        (
            "Ranh giới xã theo tệp cấu hình bản đồ."
            if config.commune_shapes
            else "Vị trí tâm xã gần đúng (cấu hình bản đồ)."
        )
        + (f" Chưa có vị trí: {ui.plain(', '.join(unplaced))}." if unplaced and not config.commune_shapes else "")
    )

hidden = [views.column_title(config.indicators[c]) for c in declared.chart if c not in declared.table]
ui.table(overview.drop(columns=[c for c in hidden if c in overview]), "Các xã", "commune_overview")

with st.expander("Mọi chỉ số theo xã"):
    ui.table(ctx.view(views.indicator_matrix), "Chỉ số theo xã", "commune_matrix", height=500)

st.subheader("Chi tiết một xã")
commune = st.selectbox("Chọn xã", list(config.communes), key="commune_detail", filter_mode=None)
flags = config.communes[commune]
hard = sum(v.extremely_difficult for v in flags.villages)
st.caption(
    " · ".join(
        filter(
            None,
            [
                f"Vùng {flags.region}" if flags.region else "",
                {True: "Đạt chuẩn nông thôn mới", False: "Chưa đạt chuẩn nông thôn mới"}.get(flags.new_rural, ""),
                f"{hard}/{len(flags.villages)} thôn đặc biệt khó khăn",
            ],
        )
    )
)
ui.table(
    ctx.view(views.village_table, commune, tuple(declared.villages)),
    f"Các thôn {fmt.place('xã', commune)}",
    "commune_villages",
)
st.markdown(f"**Hoạt động tại xã {ui.plain(commune)}** ({period.label})")
ui.table(
    ctx.view(views.commune_activities, commune),
    f"Hoạt động {fmt.place('xã', commune)}",
    "commune_activities",
    height=400,
)
