"""The indicator engine on small hand-computed tables."""

import datetime as dt

import pandas as pd
import pytest

from lib import indicators as ind
from lib.period import Period
from tests.conftest import clean_tab

H = [
    "Ngày",
    "Xã",
    "Thôn",
    "Chương trình",
    "Loại hoạt động",
    "Đơn vị phối hợp",
    "Số đợt",
    "Người tham gia",
    "Ngân sách nhà nước (đồng)",
    "Vận động, tài trợ (đồng)",
    "Lượt người được hỗ trợ",
    "Đường điện lắp đặt (km)",
]
ROWS = [
    H,
    ["06/01/2024", "Rô Men", "Thôn 1", 2, "Ngày thứ 7 cùng nhân dân", "MTTQ", 1, 100, "", 30_000_000, "", 1.5],
    ["13/01/2024", "Rô Men", "Thôn 2", 2, "Ngày thứ 7 cùng nhân dân", "", 2, 50, "", 10_000_000, "", ""],
    ["20/07/2024", "Đạ Long", "Đạ Nhinh 1", 2, "Ngày thứ 7 cùng nhân dân", "MTTQ; Đoàn TN", 1, 70, "", "", "", ""],
    ["01/02/2024", "Toàn huyện", "", 2, "Thăm hỏi, tặng quà Tết", "", "", "", 5_000_000, "", 10, ""],
    ["03/02/2023", "Rô Men", "Thôn 1", 2, "Ngày thứ 7 cùng nhân dân", "", 1, 40, "", "", "", ""],
]


@pytest.fixture(scope="module")
def acts(config):
    return clean_tab(config, ROWS).activities


def test_sums_counts_and_distinct(config, acts):
    v = ind.values(acts, config, None, Period.year(2024))
    assert v["activities"] == 4 and v["rounds"] == 4 and v["participants"] == 220
    assert (
        v["sat_rounds"] == 4 and v["sat_villages"] == 3 and v["communes_reached"] == 2
    )  # "Toàn huyện" is not a commune
    assert v["money_total"] == 45_000_000 and v["budget_state"] == 5_000_000
    assert v["sat_power_value"] == 30_000_000  # only the row that built power line
    assert v["participants_per_round"] == 55
    assert v["tet_total"] == 0  # the Tết row belongs to the armed forces, not the socio-political group


def test_by_commune_fills_every_commune_and_share(config, acts):
    table = ind.compute(
        acts, config, ["participants", "money_total", "money_share", "villages_reached"], Period.year(2024), "commune"
    ).set_index("commune")
    assert list(table.index[:8]) == list(config.communes) and table.loc["Phi Liêng", "participants"] == 0
    assert table.loc["Rô Men", "participants"] == 150 and table.loc["Đạ Long", "participants"] == 70
    assert table.loc["Rô Men", "money_share"] == pytest.approx(40 / 45 * 100)
    assert table.loc["Rô Men", "villages_reached"] == 2


def test_periods_and_previous_year(config, acts):
    assert ind.values(acts, config, ["participants"], Period.half(2024, 1))["participants"] == 150
    assert ind.values(acts, config, ["participants"], Period.month(2024, 7))["participants"] == 70
    assert (
        ind.values(acts, config, ["participants"], Period(dt.date(2024, 1, 10), dt.date(2024, 7, 31)))["participants"]
        == 120
    )
    table = ind.compare(acts, config, ["participants", "rounds"], Period.year(2024)).set_index("indicator")
    assert table.loc["participants", "previous"] == 40 and table.loc["participants", "change"] == 180
    assert table.loc["participants", "change_pct"] == pytest.approx(450)


def test_by_month_and_programme(config, acts):
    months = ind.compute(acts, config, ["rounds"], Period.year(2024), "month").set_index("month")["rounds"]
    assert months.loc[1] == 3 and months.loc[7] == 1 and months.loc[3] == 0 and len(months) == 12
    programmes = ind.compute(acts, config, ["activities"], Period.year(2024), "programme").set_index("programme")[
        "activities"
    ]
    assert programmes.to_dict() == {"CT1": 0, "CT2": 4, "CT3": 0, "CT4": 0}


def test_coverage(config, acts):
    cov = ind.coverage(acts, config, Period.year(2024)).set_index("commune")
    assert cov.loc["Rô Men", "reached"] == 2 and cov.loc["Rô Men", "villages"] == 8
    assert cov.loc["Đạ Long", "extremely_difficult_reached"] == 1 and cov["reached"].sum() == 3
    assert cov.loc["Rô Men", "share"] == pytest.approx(25)


def test_progress_against_targets(config, acts):
    targets = pd.DataFrame(
        {
            "year": [2024, 2024],
            "indicator": ["sat_rounds", "participants"],
            "commune": [None, "Rô Men"],
            "value": [8.0, 300.0],
            "row": [2, 3],
        }
    )
    table = ind.progress(acts, targets, config, 2024)
    assert table["actual"].tolist() == [4, 150] and table["percent"].tolist() == [50, 50]


def test_coordination_matrix(config, acts):
    matrix = ind.coordination_matrix(acts, config, Period.year(2024))
    assert sorted(map(tuple, matrix.values.tolist())) == [("bchqs", "doan_tn", 1), ("bchqs", "mttq", 2)]


def test_select_filters(config, acts):
    assert len(ind.select(acts, communes=["Đạ Long"])) == 1
    assert len(ind.select(acts, organisations=["mttq"])) == 0
    assert ind.measure_present(acts, "power_km") and not ind.measure_present(acts, "trees")


def test_by_village_keeps_communes_apart(config, acts):
    table = ind.compute(acts, config, ["participants"], None, "village")
    assert list(table.columns[:2]) == ["commune", "village"]
    rows = {(c, v): p for c, v, p in table[["commune", "village", "participants"]].itertuples(index=False)}
    assert rows[("Rô Men", "Thôn 1")] == 140 and rows[("Đạ Long", "Đạ Nhinh 1")] == 70


def test_tables_of_one_period_share_its_rows_while_the_table_lives(config, acts):
    """Every table computed from one activities table and period reuses the same period rows; they
    go when the activities table goes, and only the most recent ones are kept."""
    import gc

    table = acts.copy()
    by_commune = ind.compute(table, config, ["participants"], Period.year(2024), "commune")
    rows = ind._period_rows(table, Period.year(2024), config)
    assert ind.values(table, config, ["participants"], Period.year(2024))["participants"] == 220
    assert ind._period_rows(table, Period.year(2024), config) is rows and "participants" in rows.taken
    assert by_commune.set_index("commune").loc["Rô Men", "participants"] == 150
    key = (id(table), Period.year(2024), id(config))
    assert key in ind._SHARED_ROWS
    del table, rows
    gc.collect()
    assert key not in ind._SHARED_ROWS
    for month in range(1, 13):
        ind.values(acts, config, ["participants"], Period.month(2024, month))
    assert len(ind._SHARED_ROWS) == ind.SHARED_ROWS_KEPT
    ind.forget_shared_rows()
    assert not ind._SHARED_ROWS
    assert ind.values(acts, config, ["participants"], Period.month(2024, 7))["participants"] == 70


def test_shared_rows_under_concurrent_sessions(config, acts):
    """Sessions run in threads: many tables and periods at once never fail and give the same figures."""
    from concurrent.futures import ThreadPoolExecutor

    def work(i: int) -> float:
        table = acts.copy() if i % 3 else acts  # new tables come and go, the shared one stays
        return ind.values(table, config, ["participants"], Period.month(2024, 1 + i % 12))["participants"]

    expected = [work(i) for i in range(48)]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(work, range(48 * 10))) == expected * 10
    assert len(ind._SHARED_ROWS) <= ind.SHARED_ROWS_KEPT
