"""The indicator engine on small hand-computed tables."""

import datetime as dt

import pandas as pd
import pytest

from lib import boundaries
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
    year = Period.year(2024)
    config = boundaries.scope(config, boundaries.AS_RECORDED, year.start, year.end)  # the 8 communes of 2024
    table = ind.compute(
        acts, config, ["participants", "money_total", "money_share", "villages_reached"], year, "commune"
    ).set_index("commune")
    assert list(table.index) == [*config.communes, "Toàn huyện"] and len(config.communes) == 8
    assert table.loc["Phi Liêng", "participants"] == 0
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


def test_by_village_keeps_communes_apart(config, acts):
    table = ind.compute(acts, config, ["participants"], None, "village")
    assert list(table.columns[:2]) == ["commune", "village"]
    rows = {(c, v): p for c, v, p in table[["commune", "village", "participants"]].itertuples(index=False)}
    assert rows[("Rô Men", "Thôn 1")] == 140 and rows[("Đạ Long", "Đạ Nhinh 1")] == 70


def test_tables_of_one_period_share_its_rows_while_the_table_lives(config, acts):
    """Tables computed through one SharedRows from one activities table and period reuse the same
    period rows; they go when the activities table goes, and only the most recent ones are kept."""
    import gc

    shared = ind.SharedRows()
    table = acts.copy()
    by_commune = ind.compute(table, config, ["participants"], Period.year(2024), "commune", shared=shared)
    rows = shared.rows(table, Period.year(2024), config)
    assert ind.values(table, config, ["participants"], Period.year(2024), shared=shared)["participants"] == 220
    assert shared.rows(table, Period.year(2024), config) is rows and "participants" in rows.taken
    assert by_commune.set_index("commune").loc["Rô Men", "participants"] == 150
    assert (table, Period.year(2024)) in shared and len(shared) == 1
    del table, rows
    gc.collect()
    assert len(shared) == 0
    for month in range(1, 13):
        ind.values(acts, config, ["participants"], Period.month(2024, month), shared=shared)
    assert len(shared) == ind.SHARED_ROWS_KEPT and (acts, Period.month(2024, 12)) in shared
    assert (acts, Period.month(2024, 1)) not in shared
    shared.clear()
    assert len(shared) == 0
    assert ind.values(acts, config, ["participants"], Period.month(2024, 7), shared=shared)["participants"] == 70


def test_without_shared_rows_nothing_is_kept(config, acts):
    """No SharedRows, no sharing: each call reads fresh rows and leaves nothing behind."""
    import gc
    import weakref

    table = acts.copy()
    watch = weakref.ref(table)
    first = ind.compute(table, config, ["participants", "money_share"], Period.year(2024), "commune")
    again = ind.compute(table, config, ["participants", "money_share"], Period.year(2024), "commune")
    pd.testing.assert_frame_equal(first, again)
    assert ind.progress(
        table, pd.DataFrame(columns=["year", "indicator", "commune", "value", "row"]), config, 2024
    ).empty
    del table
    gc.collect()
    assert watch() is None


def test_a_shared_rows_dies_with_its_owner_not_with_the_table(config, acts):
    """A SharedRows held by a page run goes with it even though the activities table lives on."""
    import gc
    import weakref

    shared = ind.SharedRows()
    ind.values(acts, config, ["participants"], Period.year(2024), shared=shared)
    watch = weakref.ref(shared)
    del shared
    gc.collect()
    assert watch() is None


def test_shared_rows_give_the_figures_of_fresh_rows(config, acts):
    """Sharing changes the work done, never a figure."""
    shared = ind.SharedRows()
    for by in (None, "commune", "programme", "month", "village"):
        for period in (Period.year(2024), Period.half(2024, 1), Period.year(2023)):
            pd.testing.assert_frame_equal(
                ind.compute(acts, config, None, period, by, shared=shared), ind.compute(acts, config, None, period, by)
            )
    pd.testing.assert_frame_equal(
        ind.coverage(acts, config, Period.year(2024), shared=shared), ind.coverage(acts, config, Period.year(2024))
    )
    pd.testing.assert_frame_equal(
        ind.coordination_matrix(acts, config, Period.year(2024), shared=shared),
        ind.coordination_matrix(acts, config, Period.year(2024)),
    )


def test_shared_rows_under_concurrent_sessions(config, acts):
    """Sessions run in threads: many tables and periods at once through one SharedRows never fail
    and give the same figures."""
    from concurrent.futures import ThreadPoolExecutor

    shared = ind.SharedRows()

    def work(i: int) -> float:
        table = acts.copy() if i % 3 else acts  # new tables come and go, the shared one stays
        period = Period.month(2024, 1 + i % 12)
        return ind.values(table, config, ["participants"], period, shared=shared)["participants"]

    expected = [work(i) for i in range(48)]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(work, range(48 * 10))) == expected * 10
    assert len(shared) <= ind.SHARED_ROWS_KEPT


def _with_indicators(config, extra):
    """The config with some indicators added or replaced (as if a faulty indicators.yaml got through)."""
    import copy

    from lib.config import Indicator

    changed = copy.copy(config)
    changed.indicators = {**config.indicators, **{i["code"]: Indicator(**i) for i in extra}}
    return changed


@pytest.mark.parametrize(
    "extra, cycle",
    [
        (
            [{"code": "loop", "name": "Vòng", "kind": "ratio", "numerator": "loop", "denominator": "rounds"}],
            "loop → loop",
        ),
        (
            [
                {"code": "a", "name": "A", "kind": "ratio", "numerator": "participants", "denominator": "b"},
                {"code": "b", "name": "B", "kind": "share", "numerator": "c"},
                {"code": "c", "name": "C", "kind": "ratio", "numerator": "a", "denominator": "rounds"},
            ],
            "a → b → c → a",
        ),
    ],
)
def test_an_indicator_cycle_raises_a_config_error_instead_of_hanging(config, acts, extra, cycle):
    from lib.exceptions import ConfigError

    looping = _with_indicators(config, extra)
    for by in (None, "commune"):
        with pytest.raises(ConfigError) as caught:
            ind.compute(acts, looping, [extra[0]["code"]], Period.year(2024), by)
        assert cycle in caught.value.message and "indicators.yaml" in caught.value.message
        assert "vòng tròn" in caught.value.message


def test_an_unknown_indicator_code_is_a_config_error(config, acts):
    from lib.exceptions import ConfigError

    broken = _with_indicators(
        config, [{"code": "x", "name": "X", "kind": "ratio", "numerator": "khong_co", "denominator": "rounds"}]
    )
    with pytest.raises(ConfigError, match="khong_co.*«x»"):
        ind.values(acts, broken, ["x"], Period.year(2024))
    # an indicator used by two ratios is summed once and both ratios get it
    shared_part = _with_indicators(
        config,
        [
            {"code": "r1", "name": "R1", "kind": "ratio", "numerator": "participants", "denominator": "rounds"},
            {"code": "r2", "name": "R2", "kind": "ratio", "numerator": "participants", "denominator": "activities"},
        ],
    )
    v = ind.values(acts, shared_part, ["r1", "r2"], Period.year(2024))
    assert v == {"r1": pytest.approx(220 / 4), "r2": pytest.approx(220 / 4)}
