"""Reporting periods: labels (quý IV, 6 tháng đầu/cuối năm, 9 tháng đầu năm), the next period of section
IV, and a reporting year that starts on a day of December (15/12–14/12), with "cùng kỳ" following it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import DEMO
from hypothesis import given
from hypothesis import strategies as st

from lib.cli import main
from lib.config import DEFAULT_CONFIG_DIR, load_config
from lib.exceptions import ConfigError, PeriodError
from lib.period import CALENDAR, Period, YearStart, build
from lib.report import render_basis, render_markdown

D = dt.date
DECEMBER_15 = YearStart.parse("15/12")


@pytest.mark.parametrize(
    "period, label, following",
    [
        (Period.year(2024), "năm 2024", "năm 2025"),
        (Period.half(2024, 1), "6 tháng đầu năm 2024", "6 tháng cuối năm 2024"),
        (Period.half(2024, 2), "6 tháng cuối năm 2024", "6 tháng đầu năm 2025"),
        (Period.nine_months(2024), "9 tháng đầu năm 2024", "quý IV năm 2024"),
        (Period.quarter(2024, 3), "quý III năm 2024", "quý IV năm 2024"),
        (Period.quarter(2024, 4), "quý IV năm 2024", "quý I năm 2025"),
        (Period.month(2024, 12), "tháng 12 năm 2024", "tháng 1 năm 2025"),
        (Period(D(2024, 3, 1), D(2024, 6, 30)), "từ ngày 01/03/2024 đến ngày 30/06/2024", "năm 2025"),
    ],
)
def test_labels_and_the_next_period(period, label, following):
    assert period.label == label
    assert period.next_label() == following


def test_nine_months_and_next_periods_span_the_right_days():
    assert (Period.nine_months(2024).start, Period.nine_months(2024).end) == (D(2024, 1, 1), D(2024, 9, 30))
    assert Period.nine_months(2024).next() == Period(D(2024, 10, 1), D(2024, 12, 31), "quarter")
    assert Period.half(2024, 1).next() == Period(D(2024, 7, 1), D(2024, 12, 31), "half")
    assert Period.month(2024, 1).next() == Period(D(2024, 2, 1), D(2024, 2, 29), "month")
    assert Period(D(2024, 3, 1), D(2024, 6, 30)).next() is None


def test_a_reporting_year_from_15_december():
    year = Period.year(2024, DECEMBER_15)
    assert (year.start, year.end, year.label) == (D(2023, 12, 15), D(2024, 12, 14), "năm 2024")
    spans = {
        "6 tháng đầu năm 2024": Period.half(2024, 1, DECEMBER_15),
        "6 tháng cuối năm 2024": Period.half(2024, 2, DECEMBER_15),
        "9 tháng đầu năm 2024": Period.nine_months(2024, DECEMBER_15),
        "quý I năm 2024": Period.quarter(2024, 1, DECEMBER_15),
        "quý IV năm 2024": Period.quarter(2024, 4, DECEMBER_15),
        "tháng 1 năm 2024": Period.month(2024, 1, DECEMBER_15),
        "tháng 3 năm 2024": Period.month(2024, 3, DECEMBER_15),
    }
    assert {label: (p.label, p.start, p.end) for label, p in spans.items()} == {
        "6 tháng đầu năm 2024": ("6 tháng đầu năm 2024", D(2023, 12, 15), D(2024, 6, 14)),
        "6 tháng cuối năm 2024": ("6 tháng cuối năm 2024", D(2024, 6, 15), D(2024, 12, 14)),
        "9 tháng đầu năm 2024": ("9 tháng đầu năm 2024", D(2023, 12, 15), D(2024, 9, 14)),
        "quý I năm 2024": ("quý I năm 2024", D(2023, 12, 15), D(2024, 3, 14)),
        "quý IV năm 2024": ("quý IV năm 2024", D(2024, 9, 15), D(2024, 12, 14)),
        "tháng 1 năm 2024": ("tháng 1 năm 2024", D(2023, 12, 15), D(2024, 1, 14)),
        "tháng 3 năm 2024": ("tháng 3 năm 2024", D(2024, 2, 15), D(2024, 3, 14)),
    }
    # "cùng kỳ" is the same reporting period a year earlier; the next year starts the day after
    assert year.previous_year() == Period(D(2022, 12, 15), D(2023, 12, 14), "year")
    assert year.next() == Period(D(2024, 12, 15), D(2025, 12, 14), "year")
    assert year.next_label() == "năm 2025"
    assert Period.nine_months(2024, DECEMBER_15).next_label() == "quý IV năm 2024"


def test_the_reporting_year_a_day_belongs_to():
    assert DECEMBER_15.year_of(D(2024, 12, 14)) == 2024
    assert DECEMBER_15.year_of(D(2024, 12, 15)) == 2025
    assert CALENDAR.year_of(D(2024, 12, 31)) == 2024


@pytest.mark.parametrize("text", ["15/11", "01/12", "29/12", "1/2", "15-13", "mười lăm"])
def test_a_year_start_that_cannot_be_used_is_explained(text):
    with pytest.raises(PeriodError, match="01/01 .* từ 02/12 đến 28/12"):
        YearStart.parse(text)


@given(
    kind=st.sampled_from(["year", "half", "nine", "quarter", "month"]),
    year=st.integers(1902, 2098),
    part=st.integers(1, 12),
    start=st.sampled_from(["01/01", "15/12", "02/12", "28/12"]),
)
def test_keys_read_back_and_parts_tile_the_year(kind, year, part, start):
    year_start = YearStart.parse(start)
    part = {"half": 1 + part % 2, "quarter": 1 + part % 4}.get(kind, part)
    period = build(kind, year, part, year_start=year_start)
    assert Period.parse(period.key, year_start) == period
    assert period.year_number == year
    whole = Period.year(year, year_start)
    assert whole.start <= period.start <= period.end <= whole.end
    following = period.next()
    assert following.start == period.end + dt.timedelta(days=1)
    assert period.previous_year().year_number == year - 1


def _config_with(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    settings = target / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    assert old in text
    settings.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_a_bad_reporting_year_start_is_a_config_error(tmp_path):
    directory = _config_with(tmp_path, "reporting_year_start: 01/01", "reporting_year_start: 15/11")
    with pytest.raises(ConfigError) as error:
        load_config(directory)
    assert any(
        p.startswith("settings.yaml: settings.reporting_year_start:") and "15/11" in p for p in error.value.problems
    )


def test_the_draft_follows_a_reporting_year_from_15_december(tmp_path, demo):
    config = load_config(_config_with(tmp_path, "reporting_year_start: 01/01", "reporting_year_start: 15/12"))
    assert config.settings.year_start == DECEMBER_15
    period = Period.year(2024, config.settings.year_start)
    basis = render_basis(demo, config, period)
    assert "Kỳ báo cáo: từ 15/12/2023 đến 14/12/2024." in basis
    draft = render_markdown(demo, config, period)
    assert "## II. KẾT QUẢ PHỐI HỢP HOẠT ĐỘNG NĂM 2024" in draft
    assert "## IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2025" in draft


def test_the_cli_reads_periods_in_the_reporting_year(tmp_path):
    directory = _config_with(tmp_path, "reporting_year_start: 01/01", "reporting_year_start: 15/12")
    out = tmp_path / "q1.md"
    args = ["report", "--source", str(DEMO), "--period", "2024-Q1", "--out", str(out), "--config", str(directory)]
    assert main(args) == 0
    assert "## II. KẾT QUẢ PHỐI HỢP HOẠT ĐỘNG QUÝ I NĂM 2024" in out.read_text(encoding="utf-8")
    basis = tmp_path / "co-so.md"
    assert main([*args[:-2], "--out", str(out), "--config", str(directory), "--basis", str(basis)]) == 0
    assert "Kỳ báo cáo: từ 15/12/2023 đến 14/03/2024" in basis.read_text(encoding="utf-8")


def test_targets_are_measured_over_the_reporting_year(tmp_path, demo):
    from lib import indicators as ind

    shifted = load_config(_config_with(tmp_path, "reporting_year_start: 01/01", "reporting_year_start: 15/12"))
    calendar_config = load_config()
    progress = ind.progress(demo.activities, demo.targets, shifted, 2024)
    whole = progress[progress["commune"].isna()].set_index("indicator")["actual"]
    for code, actual in whole.items():
        expected = ind.values(demo.activities, calendar_config, [code], Period.year(2024, DECEMBER_15))[code]
        assert actual == expected
