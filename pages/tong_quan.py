"""Tổng quan: KPI cards against the same period last year, monthly trend, programmes, funds."""

import streamlit as st

from lib import charts, views
from lib import formatting as fmt
from pages import ui

ctx = ui.context()
config, period = ctx.config, ctx.period
until = ctx.cached(views.data_until, repr(ctx.filters), compute=lambda: views.data_until(ctx.activities, period))
ui.header(
    "Tổng quan",
    ctx,
    "Mũi tên: thay đổi so với cùng kỳ năm trước."
    + (f" Số liệu của kỳ này mới có đến ngày {fmt.short_date(until)}." if until else ""),
)

ui.metrics([(card.label, card.text, card.delta, card.help) for card in ctx.view(views.kpis)])

if not ui.empty(ctx):
    left, right = st.columns(2)
    with left:
        st.subheader("Diễn biến theo tháng")
        choice = st.segmented_control(
            "Chỉ số",
            ["activities", "participants", "money_total"],
            key="trend_indicator",
            format_func=lambda c: config.indicators[c].name,
            default="activities",
        )
        code = choice or "activities"
        trend = ctx.view(views.monthly_trend, [code])
        ui.chart(charts.trend(trend, title=config.indicators[code].name, unit=config.indicators[code].unit))
    with right:
        st.subheader("Kinh phí theo nguồn")
        funds = ctx.view(views.funds_by_source)
        ui.chart(charts.share_bar(funds, "source", "value", title="Kinh phí", unit="đồng"))
        st.caption(f"Tổng kinh phí: **{fmt.money(funds['value'].sum())}**")

    st.subheader("Theo chương trình")
    programmes = ctx.view(views.by_programme)
    ui.chart(
        charts.bar(
            programmes,
            "label",
            "activities",
            category_title="Chương trình",
            value_title="Số hoạt động",
            unit="hoạt động",
            colour="label",
            scale=charts.programme_scale(config),
        )
    )
    ui.table(
        views.readable(programmes, config, "Chương trình", drop=["programme"]),
        "Tổng quan theo chương trình",
        "overview_programmes",
    )
