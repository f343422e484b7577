"""Like for like: when the data of a period stops on a day before the period ends, every comparison is
with the same dates a year earlier, and the pages, the CLI and the draft say so."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from lib import boundaries, views
from lib import formatting as fmt
from lib import indicators as ind
from lib.period import Period
from lib.report import render_basis, render_markdown
from tests.conftest import DEMO, ROOT

CUT = dt.date(2024, 6, 30)


@pytest.fixture(scope="module")
def cut(demo):
    """The demo as it stood on 30/06/2024: nothing recorded after that day yet."""
    rows = demo.activities[demo.activities["date"] <= "2024-06-30"].reset_index(drop=True)
    return dataclasses.replace(demo, activities=rows)


def test_the_comparable_span_stops_where_the_data_stops():
    year = Period.year(2024)
    assert year.comparable(CUT) == Period(dt.date(2023, 1, 1), dt.date(2023, 6, 30))
    assert year.comparable(dt.date(2026, 10, 24)) == year.previous_year()  # the data goes on after 2024
    assert year.comparable(None) == year.previous_year()
    assert Period.year(2024).comparable(dt.date(2024, 2, 29)).end == dt.date(2023, 2, 28)
    assert year.data_until(CUT) == CUT and year.data_until(dt.date(2025, 1, 1)) is None
    assert Period(dt.date(2023, 1, 1), dt.date(2023, 6, 30)).span == "01/01–30/06/2023"


@pytest.mark.parametrize("source", ["cut", "demo"])
def test_every_kpi_is_compared_like_for_like(request, config, source):
    data = request.getfixturevalue(source)
    period = Period.year(data.latest_year)
    previous = period.comparable(data.latest_date)
    assert previous.end == {"cut": data.latest_date.replace(year=2023), "demo": dt.date(2025, 10, 24)}[source]
    assert previous.start == dt.date(data.latest_year - 1, 1, 1)
    before = ind.values(data.activities, config, list(config.indicators), previous)
    for card in views.kpis(data.activities, config, period, config.dashboard.overview.cards, data.latest_date):
        value = before[card.code]
        assert f"Cùng kỳ năm trước: {fmt.figure(value, config.indicators[card.code].unit)}." in card.help, card.code


def test_the_trend_of_last_year_stops_on_the_same_day(cut, config):
    trend = views.monthly_trend(cut.activities, config, Period.year(2024), ["activities"], cut.latest_date)
    last_year = trend[trend["series"] == "Cùng kỳ năm trước"]
    assert last_year["month_start"].max() <= dt.datetime(2024, 6, 1)
    last_day = cut.latest_date.replace(year=2023)
    same_days = ind.values(cut.activities, config, ["activities"], Period(dt.date(2023, 1, 1), last_day))
    assert last_year["value"].sum() == same_days["activities"]


def test_the_draft_compares_like_for_like_and_says_so(cut, config):
    text = render_markdown(cut, config, Period.year(2024))
    last = cut.latest_date  # the last activity on or before 30/06/2024
    previous = Period(dt.date(2023, 1, 1), last.replace(year=2023))
    span, day = f"01/01–{last:%d/%m}/2023", f"{last:%d/%m/%Y}"
    before = ind.values(cut.activities, config, ["participants"], previous)["participants"]
    now = ind.values(cut.activities, config, ["participants"], Period.year(2024))["participants"]
    change = "tăng" if now > before else "giảm"
    assert f"Năm 2024 (số liệu đến ngày {day}), lực lượng vũ trang" in text
    assert f"{change} {fmt.number(abs(now - before))} lượt người so với cùng kỳ ({span})" in text
    assert f"| Cùng kỳ ({span}) |" in text
    basis = render_basis(cut, config, Period.year(2024))  # the data basis, a download of its own
    assert f"số liệu có đến ngày {day}, nên các so sánh là với cùng kỳ {span}" in basis


def test_a_covered_period_is_compared_with_the_whole_year_before(demo, config):
    text = render_markdown(demo, config, Period.year(2024))
    assert "so với cùng kỳ năm 2023" in text and "số liệu có đến ngày" not in text


def test_the_cli_compares_like_for_like(demo, config):
    result = subprocess.run(
        [sys.executable, "-m", "lib", "indicators", "--source", str(DEMO), "--year", "2026", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    payload = json.loads(result.stdout)
    assert payload["previous"] == "2025-01-01..2025-10-24"
    today = boundaries.apply(demo, boundaries.CURRENT, config)  # the CLI's default view: today's communes
    before = ind.values(today.activities, config, None, Period(dt.date(2025, 1, 1), dt.date(2025, 10, 24)))
    assert {r["indicator"]: r["previous"] for r in payload["indicators"]} == before
    table = subprocess.run(
        [sys.executable, "-m", "lib", "indicators", "--source", str(DEMO), "--year", "2026", "--only", "activities"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "Chỉ số năm 2026 (số liệu đến 24/10/2026, so với cùng kỳ 01/01–24/10/2025)" in table.stdout


def test_the_overview_page_compares_like_for_like(demo, config, monkeypatch):
    monkeypatch.setenv("BCD502_SOURCE", str(DEMO))
    monkeypatch.delenv("BCD502_CONFIG", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["ky"] = "2026"
    at.run()
    assert any("Số liệu đến ngày 24/10/2026" in c.value and "01/01–24/10/2025" in c.value for c in at.caption)
    now = ind.values(demo.activities, config, ["activities"], Period.year(2026))["activities"]
    before = ind.values(demo.activities, config, ["activities"], Period(dt.date(2025, 1, 1), dt.date(2025, 10, 24)))
    card = next(m for m in at.metric if m.label == config.indicators["activities"].name)
    change = now - before["activities"]
    assert card.delta.startswith(f"{'+' if change > 0 else '-'}{fmt.number(abs(change), 1)} (")
