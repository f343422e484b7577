"""One precision per kind of figure, rounded half-up on the decimal value, the same on pages and in the draft."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import boundaries, views
from lib import formatting as fmt
from lib import indicators as ind
from lib.cli import main
from lib.period import Period
from lib.report import render_markdown

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "value, text",
    [
        (1_150_000, "1,2 triệu đồng"),
        (1_250_000, "1,3 triệu đồng"),
        (1_350_000, "1,4 triệu đồng"),
        (2_050_000, "2,1 triệu đồng"),
    ],
)
def test_millions_round_half_up_at_the_half(value, text):
    assert fmt.millions(value) == text


@pytest.mark.parametrize("value, text", [(0.005, "0,01%"), (12.345, "12,35%"), (19.444, "19,44%"), (0.5, "0,5%")])
def test_percentages_round_half_up_with_one_precision(value, text):
    assert fmt.percent(value) == text


def test_no_page_or_chart_chooses_its_own_percentage_precision():
    written = [
        f"{path.relative_to(ROOT)}: {call}"
        for path in [*ROOT.glob("lib/*.py"), *ROOT.glob("pages/*.py")]
        for call in re.findall(r"percent\([^()]*(?:\([^()]*\)[^()]*)*,\s*\d+\)", path.read_text(encoding="utf-8"))
    ]
    assert written == []


def test_a_target_rate_reads_the_same_on_the_page_and_in_the_draft(demo, config):
    table = views.progress_table(demo, config, 2024)
    text = render_markdown(demo, config, Period.year(2024))
    for row in table[table["Phạm vi"] == config.unit.whole_unit_label].itertuples():
        assert (
            f"| {row[1]} | {row[3]} | {fmt.quantity(row[4])} | {fmt.quantity(row[5])} | {fmt.percent(row[6])} |" in text
        )


def _cards(data, config):
    """The overview's cards as the page computes them: the latest year, in the default view (today's communes)."""
    period = Period.year(data.latest_year)
    today = boundaries.apply(data, boundaries.CURRENT, config)
    scoped = boundaries.scope(config, today.boundaries, period.start, period.end)
    cards = views.kpis(today.activities, scoped, period, config.dashboard.overview.cards, today.latest_date)
    return period, cards, today, scoped


@pytest.mark.parametrize("source", ["demo", "whole_2024"])
def test_every_overview_card_reads_as_the_draft_writes_it(request, config, source):
    """The KPI set: each card's figure (its text in the unit the draft writes) is in the draft's section I,
    whole (not a longer number), and a card the appendix carries has the same value and change there."""
    data = request.getfixturevalue(source)
    period, cards, today, scoped = _cards(data, config)
    text = render_markdown(today, scoped, period)
    section = text.split("## I.")[1].split("## II.")[0]
    assert [c.code for c in cards] == config.dashboard.overview.cards
    for card in cards:
        if card.text == fmt.MISSING:  # no row of the period records it: the page and the draft leave it unsaid
            unit = config.indicators[card.code].unit
            assert card.delta is None and not re.search(rf"\d {re.escape(unit)}", section), card.code
            continue
        assert re.search(rf"(?<![\d.,]){re.escape(card.figure)}(?!\d|,\d)", section), card.figure
    for card in cards:
        found = re.search(
            rf"^\| {re.escape(config.indicators[card.code].name)} \| ([^|]+) \| ([^|]+) \|[^|]+\| ([^|]+) \|$",
            text,
            re.M,
        )
        if card.code in config.dashboard.report.appendix:
            unit, value, change = (g.strip() for g in found.groups())
            assert (value, unit) == (card.text.split("/")[0], card.unit or config.indicators[card.code].unit)
            assert card.delta.split(" (")[0].lstrip("+-") == change.lstrip("+−"), card.code


@pytest.fixture(scope="module")
def whole_2024(demo):
    """The demo up to the end of 2024: the latest period is the whole year."""
    return dataclasses.replace(
        demo, activities=demo.activities[demo.activities["date"] <= "2024-12-31"].reset_index(drop=True)
    )


def test_the_overview_page_shows_the_cards_the_draft_matches(demo, config):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    shown = {m.label: m for m in at.metric}
    for card in _cards(demo, config)[1]:
        assert shown[card.label].value == card.text, card.label
        assert (shown[card.label].delta or None) == card.delta, card.label


def test_cli_tables_use_the_rule_of_the_pages_and_the_draft(demo, config, capsys):
    assert main(["indicators", "--source", str(ROOT / "demo" / "dam-rong-demo.xlsx"), "--year", "2024"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[2:]}
    today = boundaries.apply(demo, boundaries.CURRENT, config)  # the CLI's default view, as the pages'
    now = ind.values(today.activities, config, list(config.indicators), Period.year(2024))
    before = ind.values(today.activities, config, list(config.indicators), Period.year(2023))
    for code, indicator in config.indicators.items():
        figure, previous = fmt.figure(now[code], indicator.unit), fmt.figure(before[code], indicator.unit)
        assert re.search(
            rf" {re.escape(figure.unit or indicator.unit)} +{re.escape(figure.text)} +{re.escape(previous.text)}$",
            lines[code],
        ), lines[code]
    assert re.search(r"^ *money_total +Tổng kinh phí +triệu đồng +11\.459,5 +8\.110,5$", lines["money_total"])
    assert re.search(r" % +100% +100%$", lines["money_share"])
    assert re.search(r" km +26,5 +21$", lines["sat_canal_km"])
