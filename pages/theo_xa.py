"""Theo xã: every indicator per commune, commune flags, village coverage, disadvantaged communes, one commune in detail."""

import streamlit as st

from lib import charts, views
from lib import formatting as fmt
from pages import ui

ctx = ui.context()
config, period = ctx.config, ctx.period
ui.header("Theo xã", ctx, "Xã vùng III được tô đỏ trên biểu đồ; ĐBKK: thôn đặc biệt khó khăn.")

overview = ctx.view(views.commune_overview)
st.subheader("Nguồn lực đến vùng khó khăn")
summary = ctx.view(views.disadvantaged_summary)
indexed = summary.set_index(["Nơi nhận", "Chỉ số"])
shares = {
    "Kinh phí cho xã vùng III": ("Xã vùng III", "Tổng kinh phí (đồng)"),
    "Kinh phí cho thôn ĐBKK": ("Thôn đặc biệt khó khăn", "Tổng kinh phí (đồng)"),
    "Lượt hỗ trợ ở xã vùng III": ("Xã vùng III", "Lượt người được hỗ trợ"),
    "Hoạt động ở xã vùng III": ("Xã vùng III", "Số hoạt động"),
}
ui.metrics(
    [
        (
            label,
            fmt.percent(indexed.loc[key, "Tỷ lệ (%)"], 1),
            None,
            f"{fmt.number(indexed.loc[key, 'Giá trị'])} trên tổng {fmt.number(indexed.loc[key, 'Toàn bộ'])}",
        )
        for label, key in shares.items()
    ]
)
ui.table(summary, "Nguồn lực đến vùng khó khăn", "commune_disadvantaged")

st.subheader("Các xã")
measure = (
    st.segmented_control(
        "Chỉ số trên biểu đồ",
        ["Số hoạt động", "Người tham gia", "Lượt người được hỗ trợ", "Tổng kinh phí (đồng)", "Độ phủ thôn (%)"],
        default="Số hoạt động",
        key="commune_measure",
    )
    or "Số hoạt động"
)
plot = overview.assign(region_iii=overview["Vùng"] == views.REGION_III)
unit = "đồng" if "đồng" in measure else ("%" if "%" in measure else "")
ui.chart(
    charts.bar(
        plot,
        "Xã",
        measure,
        category_title="Xã",
        value_title=measure.replace(" (đồng)", "").replace(" (%)", ""),
        unit=unit,
        highlight="region_iii",
    )
)
ui.table(overview, "Các xã", "commune_overview")

with st.expander("Mọi chỉ số theo xã"):
    ui.table(ctx.view(views.indicator_matrix), "Chỉ số theo xã", "commune_matrix", height=500)

st.subheader("Chi tiết một xã")
commune = st.selectbox("Chọn xã", list(config.communes), key="commune_detail")
flags = config.communes[commune]
st.caption(
    " · ".join(
        filter(
            None,
            [
                f"Vùng {flags.region}" if flags.region else "",
                "Đạt chuẩn nông thôn mới" if flags.new_rural else "Chưa đạt chuẩn nông thôn mới",
                f"{sum(v.extremely_difficult for v in flags.villages)}/{len(flags.villages)} thôn đặc biệt khó khăn",
            ],
        )
    )
)
ui.table(ctx.view(views.village_table, commune), f"Các thôn xã {commune}", "commune_villages")
st.markdown(f"**Hoạt động tại xã {commune}** ({period.label})")
activities = ctx.cached(
    views.activity_list,
    repr(ctx.filters),
    commune,
    compute=lambda: views.activity_list(ctx.activities[ctx.activities["commune"] == commune], config, period),
)
ui.table(activities, f"Hoạt động xã {commune}", "commune_activities", height=400)
