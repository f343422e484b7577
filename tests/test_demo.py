"""The embedded demo workbook reproduces the 2024 report's figures, and its faulty rows are found
where they really are in the sheet."""

import datetime as dt

import openpyxl
import pytest

from lib import indicators as ind
from lib.period import Period
from tests.conftest import DEMO

REPORT_2024 = {
    "sat_rounds": 72,
    "sat_villages": 53,
    "sat_participants": 8520,
    "sat_road_km": 95,
    "sat_trees": 5254,
    "sat_canal_km": 26.5,
    "sat_power_km": 15.2,
    "sat_power_value": 423_800_000,
    "campaign_total": 4_080_000_000,
    "campaign_support": 2_815_000_000,
    "campaign_people": 1_265_000_000,
    "tet_total": 5_993_175_000,
    "tet_beneficiaries": 11_658,
    "tet_state": 2_872_300_000,
    "tet_state_beneficiaries": 4_272,
    "tet_mobilised": 2_410_875_000,
    "tet_mobilised_beneficiaries": 5_986,
    "tet_fund": 710_000_000,
    "tet_fund_beneficiaries": 1_400,
    "recruits": 65,
    "houses": 2,
    "houses_value": 100_000_000,
    "weapons_homemade": 24,
    "weapons_air": 4,
    "weapon_sessions": 7,
    "violations": 2,
    "fines": 15_000_000,
}


@pytest.mark.parametrize("code, expected", REPORT_2024.items())
def test_2024_figures(config, demo, code, expected):
    assert ind.values(demo.activities, config, [code], Period.year(2024))[code] == pytest.approx(expected)


def test_other_2024_facts(config, demo):
    acts = ind.in_period(demo.activities, Period.year(2024))
    assert ind.values(acts, config, ["training_labour_days"])["training_labour_days"] > 800
    assert ind.values(acts, config, ["sat_people_contrib"])["sat_people_contrib"] > 600_000_000
    models = ind.compute(acts, config, ["livelihood_models"], by="commune").set_index("commune")["livelihood_models"]
    assert models["Đạ Long"] == 5 and models.sum() == 5
    houses = acts[acts["activity_type"] == "xay_nha"]
    assert sorted(houses["commune"].astype(str)) == ["Đạ Long", "Đạ M'Rông"]
    recruitment = ind.progress(demo.activities, demo.targets, config, 2024)
    assert recruitment[recruitment["indicator"] == "recruits"]["percent"].eq(100).all()
    assert ind.coverage(demo.activities, config, Period.year(2024), ["ngay_thu_7"])["reached"].sum() == 53


def test_demo_runs_from_2023_to_autumn_2026_and_defaults_to_latest_year(demo):
    assert demo.years == [2023, 2024, 2025, 2026] and demo.latest_year == 2026
    assert demo.latest_date == dt.date(2026, 10, 24)


def _find_row(tab: str, text: str) -> int:
    sheet = openpyxl.load_workbook(DEMO, read_only=True)[tab]
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if any(str(cell) == text for cell in row if cell is not None):
            return number
    raise AssertionError(f"{text} not in {tab}")


@pytest.mark.parametrize(
    "tab, code, column, value",
    [
        ("Hội Phụ nữ", "commune.unknown", "Xã", "Đạ Lonh"),
        ("Hội Nông dân", "number.text", "Người tham gia", "khoảng 50 người"),
        ("Hội CCB", "date.invalid", "Ngày", "31/02/2024"),
    ],
)
def test_faulty_rows_are_reported_at_their_sheet_row(demo, tab, code, column, value):
    issue = demo.issues[(demo.issues["tab"] == tab) & (demo.issues["severity"] == "error")].iloc[0]
    assert (issue["code"], issue["row"], issue["column"], issue["value"]) == (
        code,
        _find_row(tab, value),
        column,
        value,
    )


def test_only_the_faulty_rows_are_excluded(demo):
    assert demo.error_count == 4 and int(demo.tab_stats["excluded"].sum()) == 4
