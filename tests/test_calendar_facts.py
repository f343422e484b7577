"""Calendar facts the draft computes: the day of Tết and the lunar year's name (Can Chi), and the round
anniversaries of the founding days in config that fall in the next period (section IV)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from lib import lunar
from lib.anniversary import round_anniversaries
from lib.period import Period, YearStart
from lib.report import render_markdown

D = dt.date


@pytest.mark.parametrize(
    "year, name, day",
    [
        (2023, "Quý Mão", D(2023, 1, 22)),
        (2024, "Giáp Thìn", D(2024, 2, 10)),
        (2025, "Ất Tỵ", D(2025, 1, 29)),
        (2026, "Bính Ngọ", D(2026, 2, 17)),
        (2027, "Đinh Mùi", D(2027, 2, 6)),
        (2033, "Quý Sửu", D(2033, 1, 31)),
        # Vietnam's time zone (UTC+7) puts Tết a day or a month away from the Chinese date
        (2007, "Đinh Hợi", D(2007, 2, 17)),
        (1985, "Ất Sửu", D(1985, 1, 21)),
    ],
)
def test_tet_and_the_name_of_the_lunar_year(year, name, day):
    assert lunar.year_name(year) == name
    assert lunar.tet(year) == day


def test_can_chi_cycles_every_sixty_years():
    names = [lunar.year_name(y) for y in range(1984, 2044)]
    assert names[0] == "Giáp Tý" and names[-1] == "Quý Hợi" and len(set(names)) == 60
    assert lunar.year_name(2044) == "Giáp Tý"


@pytest.mark.parametrize(
    "period, year",
    [
        (Period.year(2024), 2024),
        (Period.year(2024, YearStart.parse("15/12")), 2024),
        (Period.quarter(2025, 1), 2025),
        (Period.half(2024, 2), None),  # no Tết between July and December
        (Period.month(2025, 2), None),  # Tết Ất Tỵ was on 29/01/2025
    ],
)
def test_the_tet_within_a_period(period, year):
    assert lunar.tet_in(period) == year


def test_the_tet_sentence_names_the_lunar_year(demo, config):
    draft = render_markdown(demo, config, Period.year(2024))
    sentence = next(line for line in draft.splitlines() if line.startswith("Dịp Tết Nguyên đán"))
    assert sentence.startswith("Dịp Tết Nguyên đán Giáp Thìn năm 2024, ")
    assert "thăm hỏi, tặng quà, hỗ trợ 11.658 lượt người" in sentence and "5.993.175.000 đồng" in sentence


def test_a_period_without_tet_does_not_name_one(demo, config):
    draft = render_markdown(demo, config, Period.half(2024, 2))
    assert not re.search(r"Tết Nguyên đán (Giáp|Ất|Bính)", draft)


def _founding(name: str, day: D) -> SimpleNamespace:
    return SimpleNamespace(name=name, date=day)


def test_round_anniversaries_of_the_next_year():
    days = [
        _founding("Ngày thành lập Quân đội nhân dân Việt Nam", D(1944, 12, 22)),  # 81 years in 2025
        _founding("Ngày truyền thống Công an nhân dân", D(1945, 8, 19)),  # 80
        _founding("Ngày thành lập Mặt trận Tổ quốc Việt Nam", D(1930, 11, 18)),  # 95
        _founding("Ngày thành lập Hội Cựu chiến binh Việt Nam", D(1989, 12, 6)),  # 36
        _founding("Ngày thành lập Đoàn Thanh niên Cộng sản Hồ Chí Minh", D(1931, 3, 26)),  # 94
    ]
    found = round_anniversaries(days, Period.year(2025))
    assert [a.text for a in found] == [
        "80 năm Ngày truyền thống Công an nhân dân (19/8/1945 - 19/8/2025)",
        "95 năm Ngày thành lập Mặt trận Tổ quốc Việt Nam (18/11/1930 - 18/11/2025)",
    ]
    assert [a.years for a in round_anniversaries(days, Period.year(2024))] == [35, 80]  # CCB 6/12, QĐND 22/12
    assert [a.years for a in round_anniversaries(days, Period.year(2026))] == [95]  # Đoàn 26/3/1931
    assert round_anniversaries(days, Period.half(2025, 1)) == []  # 19/8 and 18/11 fall after June
    assert round_anniversaries(days, None) == []


def test_a_founding_day_on_29_february():
    found = round_anniversaries([_founding("Ngày thử", D(2000, 2, 29))], Period.year(2025))
    assert [(a.years, a.day) for a in found] == [(25, D(2025, 2, 28))]


def test_section_four_suggests_next_years_round_anniversaries(demo, config):
    draft = render_markdown(demo, config, Period.year(2024))
    section = draft.split("## IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2025")[1].split("<!-- cột: trái -->")[0]
    items = [line for line in section.splitlines() if re.match(r"\d+\. ", line)]
    assert [int(line.split(".")[0]) for line in items] == list(range(1, len(items) + 1))  # numbered on
    suggestion = items[-1]
    assert suggestion.split(". ", 1)[1].startswith(
        "Phối hợp tổ chức các hoạt động kỷ niệm 80 năm Ngày truyền thống Công an nhân dân (19/8/1945 - 19/8/2025); "
        "95 năm Ngày thành lập Hội Nông dân Việt Nam (14/10/1930 - 14/10/2025); "
        "95 năm Ngày truyền thống công tác dân vận của Đảng (15/10/1930 - 15/10/2025); "
        "95 năm Ngày thành lập Hội Liên hiệp Phụ nữ Việt Nam (20/10/1930 - 20/10/2025); "
        "95 năm Ngày thành lập Mặt trận Tổ quốc Việt Nam (18/11/1930 - 18/11/2025), "
    )
    assert "81 năm" not in suggestion and "Cựu chiến binh" not in suggestion  # not round in 2025


def test_a_first_half_report_suggests_the_second_halfs_anniversaries(demo, config):
    draft = render_markdown(demo, config, Period.half(2025, 1))
    section = draft.split("## IV. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2025")[1]
    assert "80 năm Ngày truyền thống Công an nhân dân (19/8/1945 - 19/8/2025)" in section


def test_founding_days_are_validated(tmp_path):
    from test_periods import _config_with

    from lib.config import load_config
    from lib.exceptions import ConfigError

    directory = _config_with(tmp_path, "date: 22/12/1944}", "date: 31/02/1944}")
    with pytest.raises(ConfigError) as error:
        load_config(directory)
    assert any("anniversaries" in p and "31/02/1944" in p for p in error.value.problems)
