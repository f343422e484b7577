"""Tổng quan: the period's main facts in one sentence, the primary KPI cards with their monthly trend (the
other cards one click away), the monthly trend, funds, programmes."""

import html

import streamlit as st

from lib import charts, views
from lib import formatting as fmt
from pages import ui

ctx = ui.context()
config, period = ctx.config, ctx.period
overview, money = config.dashboard.overview, config.dashboard.money
latest = ctx.latest
until = period.data_until(latest)
ui.header(
    "Tổng quan",
    ctx,
    f"Số liệu đến ngày {fmt.short_date(until)}; mũi tên: thay đổi so với cùng kỳ {period.comparable(latest).span}."
    if until
    else "Mũi tên: thay đổi so với cùng kỳ năm trước.",
)

primary = list(overview.primary or overview.cards[:5])
st.html(f"<p class='bcd-lead'>{html.escape(ctx.view(views.headline, tuple(primary), latest))}</p>")
cards = ctx.view(views.kpis, tuple(overview.cards), latest)
trends = ctx.view(views.monthly_values, tuple(primary), latest)
ui.metrics(
    [(card.label, card.text, card.delta, card.help) for card in cards if card.code in primary],
    key="kpi_primary",
    trends=[trends[card.code] for card in cards if card.code in primary],
)
others = [card for card in cards if card.code not in primary]
if others:
    with st.expander(f"Các chỉ số khác ({len(others)})", icon=":material/grid_view:"):
        ui.metrics([(card.label, card.text, card.delta, card.help) for card in others], key="kpi_more")

if not ui.empty(ctx):
    left, right = st.columns(2) if overview.trend and money.sources else (st.container(), st.container())
    if overview.trend:
        with left:
            st.subheader("Diễn biến theo tháng")
            choice = st.segmented_control(
                "Chỉ số",
                overview.trend,
                key="trend_indicator",
                format_func=lambda c: config.indicators[c].name,
                default=overview.trend[0],
            )
            code = choice or overview.trend[0]
            trend = ctx.view(views.monthly_trend, (code,), latest)
            indicator = config.indicators[code]
            ui.chart(charts.trend, trend, title=indicator.name, unit=indicator.unit)
            if until:
                st.caption(
                    f"Tháng {until:%m/%Y} mới có số liệu đến ngày {fmt.short_date(until)}; đường cùng kỳ "
                    f"dừng ở ngày {fmt.short_date(period.comparable(latest).end)}."
                )
    if money.sources:
        with right:
            st.subheader("Kinh phí theo nguồn")
            funds = ctx.view(views.funds_by_source)
            ui.chart(charts.share_bar, funds, "source", "value", title="Kinh phí", unit="đồng")
            st.caption(f"Tổng kinh phí: **{fmt.figure(funds['value'].sum(), 'đồng')}**")

    codes = tuple(
        dict.fromkeys([*([overview.programme_chart] if overview.programme_chart else []), *overview.programme_table])
    )
    if codes:
        st.subheader("Theo chương trình")
        programmes = ctx.view(views.by_programme, codes)
        if overview.programme_chart:
            indicator = config.indicators[overview.programme_chart]
            ui.chart(
                charts.bar,
                programmes,
                "label",
                overview.programme_chart,
                category_title="Chương trình",
                value_title=indicator.name,
                unit=indicator.unit,
                colour="label",
                scale=charts.programme_scale(config),
            )
        shown = programmes[["programme", "label", *overview.programme_table]]
        ui.table(
            views.readable(shown, config, "Chương trình", drop=["programme"]),
            "Tổng quan theo chương trình",
            "overview_programmes",
        )
