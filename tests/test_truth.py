"""One precision per kind of figure, rounded half-up on the decimal value, the same on pages and in the draft."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lib import formatting as fmt
from lib import views
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
            f"| {row[1]} | {row[3]} | {fmt.number(row[4])} | {fmt.number(row[5], 2)} | {fmt.percent(row[6])} |" in text
        )
