"""Units through time: merge, split by village, rename, old names after the cut-off, new names
before it, areas outside the unit, and the two views (current boundaries, as recorded)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from lib import boundaries as bounds
from lib import filters, views
from lib import indicators as ind
from lib.clean import clean
from lib.config import DEFAULT_CONFIG_DIR, load_config
from lib.exceptions import ConfigError
from lib.period import Period
from lib.report import render_markdown
from tests.conftest import DEMO, HEADER, ROOT, raw_data

TODAY = dt.date(2026, 11, 30)
SATURDAY = "Ngày thứ 7 cùng nhân dân"
COMMUNE_UNIT = ROOT / "config" / "xa-dam-rong-4"


def clean_rows(config, rows, tab="BCHQS"):
    """One organisation tab cleaned as of ``TODAY`` (rows up to the recent past are not in the future)."""
    tabs = {name: [] for name in config.organisation_tabs}
    tabs[tab] = [HEADER, *rows]
    return clean(raw_data(tabs), config, today=TODAY)


def row(day: str, commune: str, village: str = "", participants: int = 10) -> list:
    return [day, commune, village, "CT2", SATURDAY, "Ra quân", "", 1, participants, ""]


def codes(data) -> list[tuple[str, int]]:
    return [(i.code, int(i.row)) for i in data.issues.itertuples()]


# ---------------------------------------------------------------- the Đam Rông merge (demo config)


def test_a_merged_commune_keeps_its_name_as_recorded_and_maps_to_today(config):
    data = clean_rows(config, [row("06/04/2024", "Rô Men", "Thôn 1"), row("13/04/2024", "Liêng Srônh", "Thôn 1")])
    rows = data.activities
    assert rows["commune"].tolist() == ["Rô Men", "Liêng Srônh"]
    assert rows["commune_current"].tolist() == ["Xã Đam Rông 2", "Xã Đam Rông 2"]
    # the two "Thôn 1" are two villages of the merged commune, told apart by their old commune
    assert rows["village_current"].tolist() == ["Thôn 1 (Rô Men)", "Thôn 1 (Liêng Srônh)"]
    assert codes(data) == []


def test_an_old_name_after_the_cut_off_is_a_warning_and_counts_for_the_successor(config):
    data = clean_rows(config, [row("09/07/2025", "Đạ Tông", "Mê Linh"), row("30/06/2025", "Đạ Tông", "Mê Linh")])
    assert data.activities["commune"].tolist() == ["Xã Đam Rông 4", "Đạ Tông"]
    assert data.activities["village"].tolist() == ["Mê Linh", "Mê Linh"]
    assert codes(data) == [("commune.after_end", 2)]
    issue = data.issues.iloc[0]
    assert issue["severity"] == "warning"
    assert issue["message"] == (
        "Xã «Đạ Tông» chỉ còn đến ngày 30/06/2025; hoạt động ngày 09/07/2025 được tính cho Xã Đam Rông 4."
    )
    assert issue["suggestion"] == "Từ ngày 01/07/2025, ghi tên xã mới «Xã Đam Rông 4»."


def test_a_new_name_before_its_start_is_an_error_naming_the_names_of_the_time(config):
    data = clean_rows(config, [row("01/03/2025", "Đam Rông 1", ""), row("01/07/2025", "Xã Đam Rông 1", "")])
    assert codes(data) == [("commune.before_start", 2)]
    issue = data.issues.iloc[0]
    assert (
        issue["severity"] == "error" and "chỉ có từ ngày 01/07/2025; hoạt động ghi ngày 01/03/2025" in issue["message"]
    )
    assert "«Phi Liêng» hoặc «Đạ K'Nàng»" in issue["suggestion"]
    assert data.activities["commune"].tolist() == ["Xã Đam Rông 1"]  # the row of 01/03/2025 is excluded


def test_a_village_two_predecessors_shared_must_say_which(config):
    data = clean_rows(
        config, [row("02/08/2025", "Xã Đam Rông 2", "Thôn 1"), row("09/08/2025", "Xã Đam Rông 2", "Thôn 1 (Rô Men)")]
    )
    assert codes(data) == [("village.ambiguous", 2)]
    assert "«Thôn 1 (Rô Men)», «Thôn 1 (Liêng Srônh)»" in data.issues.iloc[0]["message"]
    assert data.activities["village"].tolist() == [None, "Thôn 1 (Rô Men)"]


def test_rows_of_a_commune_kept_by_another_unit_are_out_of_scope(config):
    data = clean_rows(config, [row("24/05/2025", "Đưng K'Nớ", "Thôn 1"), row("24/07/2025", "Đưng K'Nớ", "Thôn 1")])
    assert codes(data) == [("commune.out_of_scope", 2), ("commune.after_end", 3)]
    assert data.issues.iloc[0]["severity"] == "out_of_scope"
    assert "khi đó thuộc huyện Lạc Dương" in data.issues.iloc[0]["message"]
    stats = data.tab_stats.set_index("tab").loc["BCHQS"]
    assert (stats["rows"], stats["accepted"], stats["excluded"], stats["out_of_scope"]) == (2, 1, 0, 1)
    assert data.activities["commune"].tolist() == ["Xã Đam Rông 4"]


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
def test_both_views_hold_the_same_totals(demo, config, year):
    period = Period.year(year)
    additive = [c for c, i in config.indicators.items() if i.kind in ("count", "sum") and i.field is None]
    views = [bounds.apply(demo, view, config) for view in (bounds.CURRENT, bounds.AS_RECORDED)]
    totals = [ind.values(v.activities, config, additive, period) for v in views]
    assert totals[0] == totals[1] and totals[0]["activities"] > 0


def test_per_commune_figures_follow_the_resolution(demo, config):
    """2024 under current boundaries: each new commune holds exactly its predecessors' rows."""
    period = Period.year(2024)
    today = bounds.apply(demo, bounds.CURRENT, config)
    now = ind.compute(today.activities, bounds.scope(config, bounds.CURRENT, period.start, period.end),
                      ["participants", "activities"], period, "commune").set_index("commune")  # fmt: skip
    then = ind.compute(demo.activities, bounds.scope(config, bounds.AS_RECORDED, period.start, period.end),
                       ["participants", "activities"], period, "commune").set_index("commune")  # fmt: skip
    merged = {
        "Xã Đam Rông 1": ["Phi Liêng", "Đạ K'Nàng"],
        "Xã Đam Rông 2": ["Rô Men", "Liêng Srônh"],
        "Xã Đam Rông 3": ["Đạ Rsal", "Đạ M'Rông"],
        "Xã Đam Rông 4": ["Đạ Tông", "Đạ Long"],
    }
    assert list(now.index) == [*merged, "Toàn huyện"] and len(then.index) == 9
    for new, old in merged.items():
        for code in ("participants", "activities"):
            assert now.at[new, code] == then.loc[old, code].sum() > 0


def test_the_demo_crosses_the_reform_with_some_old_names_after_it(demo):
    rows = demo.activities
    after = rows[rows["date"] >= "2025-07-01"]
    assert set(after["commune"].astype(str)) <= {f"Xã Đam Rông {n}" for n in range(1, 5)} | {"Toàn huyện"}
    late = demo.issues[demo.issues["code"] == "commune.after_end"]
    typed = {unicodedata.normalize("NFC", v).strip().replace("’", "'") for v in late["value"]}  # as people type
    assert len(late) == 4 and typed == {"Đạ Tông", "Rô Men", "Phi Liêng", "Đạ M'Rông"}
    before = rows[rows["date"] < "2025-07-01"]
    assert not set(before["commune"].astype(str)) & {f"Xã Đam Rông {n}" for n in range(1, 5)}


# ---------------------------------------------------------------- split and rename (a unit of their own)


SPLIT_UNIT = """
unit:
  name: Thử Nghiệm
  level: huyện
  province: Lâm Đồng
  whole_unit_label: Toàn huyện
  communes:
    - name: Cũ A
      valid_to: 2025-06-30
      successors:
        - {name: Mới B, villages: [Thôn 1, Thôn 2]}
        - {name: Mới C}
      villages: [{name: Thôn 1}, {name: Thôn 2}, {name: Thôn 3, extremely_difficult: [{from: 2021-01-01, to: 2024-12-31}]}]
    - name: Cũ D
      region: [{region: III, from: 2021-01-01, to: 2025-12-31}]
      valid_to: 2025-12-31
      successors: [{name: Mới E}]
      villages: [{name: Bon 1}]
    - name: Mới B
      valid_from: 2025-07-01
    - name: Mới C
      valid_from: 2025-07-01
      villages: [{name: Thôn 9}]
    - name: Mới E
      valid_from: 2026-01-01
"""


def unit_dir(tmp_path: Path, text: str) -> Path:
    """A config directory with its own unit.yaml; every other file comes from the shipped config."""
    (tmp_path / "unit.yaml").write_text(text, encoding="utf-8")
    settings = (DEFAULT_CONFIG_DIR / "settings.yaml").read_text(encoding="utf-8")
    (tmp_path / "settings.yaml").write_text(f"extends: {DEFAULT_CONFIG_DIR}\n{settings}", encoding="utf-8")
    return tmp_path


@pytest.fixture
def split(tmp_path):
    return load_config(unit_dir(tmp_path, SPLIT_UNIT))


def test_a_split_sends_each_village_to_its_successor(split):
    data = clean_rows(
        split,
        [
            row("05/01/2025", "Cũ A", "Thôn 1"),
            row("12/01/2025", "Cũ A", "Thôn 3"),
            row("19/01/2025", "Cũ A", ""),
            row("02/08/2025", "Cũ A", "Thôn 2"),
            row("09/08/2025", "Cũ A", ""),
        ],
    )
    rows = data.activities
    assert rows["commune"].tolist() == ["Cũ A", "Cũ A", "Cũ A", "Mới B", "Mới C"]
    assert rows["commune_current"].tolist() == ["Mới B", "Mới C", "Mới C", "Mới B", "Mới C"]
    assert rows["village_current"].tolist() == ["Thôn 1", "Thôn 3", None, "Thôn 2", None]
    assert codes(data) == [("commune.after_end", 5), ("commune.split_undecided", 6)]
    assert "được tính cho Mới C" in data.issues.iloc[1]["message"]
    assert [v.name for v in split.communes["Mới C"].villages] == ["Thôn 9", "Thôn 3"]


def test_a_rename_maps_every_row_and_is_told_in_the_draft(split):
    data = clean_rows(split, [row("05/03/2025", "Cũ D", "Bon 1"), row("05/03/2026", "Cũ D", "Bon 1")])
    assert data.activities["commune"].tolist() == ["Cũ D", "Mới E"]
    assert data.activities["commune_current"].tolist() == ["Mới E", "Mới E"]
    change = [c for c in bounds.changes(split) if c.after == "Mới E"][0]
    assert change.day == dt.date(2026, 1, 1) and change.before == ("Cũ D",)
    text = render_markdown(bounds.apply(data, bounds.AS_RECORDED, split), split, Period.year(2026))
    assert "Cũ D đổi tên thành Mới E" in text


def test_dated_facts_follow_the_period(split):
    in_2024 = bounds.scope(split, bounds.AS_RECORDED, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    in_2025 = bounds.scope(split, bounds.AS_RECORDED, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert [v.extremely_difficult for v in in_2024.communes["Cũ A"].villages] == [False, False, True]
    assert [v.extremely_difficult for v in in_2025.communes["Cũ A"].villages] == [False, False, False]
    assert in_2025.communes["Cũ D"].region == "III"
    assert list(in_2025.communes) == ["Cũ A", "Cũ D", "Mới B", "Mới C"]
    assert list(bounds.scope(split, bounds.CURRENT, dt.date(2025, 1, 1), dt.date(2025, 12, 31)).communes) == [
        "Mới B",
        "Mới C",
        "Mới E",
    ]


def test_history_problems_are_config_errors(tmp_path):
    broken = {
        "gap": SPLIT_UNIT.replace(
            "    - name: Mới B\n      valid_from: 2025-07-01", "    - name: Mới B\n      valid_from: 2025-08-01"
        ),
        "unknown": SPLIT_UNIT.replace("successors: [{name: Mới E}]", "successors: [{name: Mới F}]"),
        "village": SPLIT_UNIT.replace("villages: [Thôn 1, Thôn 2]", "villages: [Thôn 1, Thôn 7]"),
        "two rests": SPLIT_UNIT.replace("{name: Mới B, villages: [Thôn 1, Thôn 2]}", "{name: Mới B}"),
        "no end": SPLIT_UNIT.replace("      valid_to: 2025-12-31\n", ""),
        "no successor": SPLIT_UNIT.replace("      successors: [{name: Mới E}]\n", ""),
    }
    expected = {
        "gap": "unit.communes[0].successors[0].name: «Cũ A» kết thúc ngày 30/06/2025 nên «Mới B» phải bắt đầu ngày 01/07/2025",
        "unknown": "unit.communes[1].successors[0].name: xã kế thừa «Mới F» không có trong danh sách xã",
        "village": "unit.communes[0].successors[0].villages: «Thôn 7» không phải thôn của «Cũ A»",
        "two rests": "chỉ một xã kế thừa được để trống danh sách thôn",
        "no end": "unit.communes[1].valid_to: «Cũ D» có xã kế thừa nên phải có ngày kết thúc",
        "no successor": "unit.communes[1].successors: «Cũ D» kết thúc ngày 31/12/2025 nhưng chưa khai báo xã kế thừa",
    }
    for name, text in broken.items():
        folder = tmp_path / name.replace(" ", "_")
        folder.mkdir()
        with pytest.raises(ConfigError) as error:
            load_config(unit_dir(folder, text))
        assert expected[name] in error.value.message, name


# ---------------------------------------------------------------- a commune-level unit (second shipped config)


@pytest.fixture(scope="module")
def commune_unit():
    return load_config(COMMUNE_UNIT)


@pytest.fixture(scope="module")
def commune_demo(commune_unit):
    from lib.clean import wanted_tabs
    from lib.source import WorkbookSource

    return clean(WorkbookSource(DEMO).fetch(wanted_tabs(commune_unit)), commune_unit, today=TODAY)


def test_other_communes_of_the_workbook_are_out_of_scope_not_errors(commune_demo, demo):
    issues = commune_demo.issues
    assert not (issues["code"] == "commune.unknown").sum() - 1  # only the demo's typo «Đạ Lonh»
    outside = int(commune_demo.tab_stats["out_of_scope"].sum())  # rows with an error too count as excluded
    assert 500 < outside <= int((issues["code"] == "commune.out_of_scope").sum())
    mine = bounds.apply(demo, bounds.CURRENT, load_config())
    ours = mine.activities[mine.activities["commune"] == "Xã Đam Rông 4"]
    assert len(commune_demo.activities) == len(ours)  # the same rows as Xã Đam Rông 4 in the district view


def test_the_commune_says_its_comparison_lacks_dung_kno(commune_demo, commune_unit):
    period = Period.year(2025)
    notes = bounds.gaps(commune_unit, bounds.CURRENT, period.start, period.end)
    assert notes == [
        "Số liệu của Xã Đam Rông 4 đến 30/06/2025 không gồm xã Đưng K'Nớ (khi đó thuộc huyện Lạc Dương, số liệu do "
        "đơn vị đó theo dõi)."
    ]
    for view in (bounds.CURRENT, bounds.AS_RECORDED):
        text = render_markdown(bounds.apply(commune_demo, view, commune_unit), commune_unit, period)
        assert "Từ ngày 01/07/2025, theo Nghị quyết số 1671/NQ-UBTVQH15" in text
        assert "Đạ Tông, Đạ Long và Đưng K'Nớ (trước đó thuộc huyện Lạc Dương) hợp thành Xã Đam Rông 4" in text
        assert (notes[0] in text) == (view == bounds.CURRENT)
    assert bounds.gaps(commune_unit, bounds.CURRENT, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == []


# ---------------------------------------------------------------- drafts, links, pages, CLI


@pytest.mark.parametrize("year", [2024, 2025, 2026])
@pytest.mark.parametrize("view", [bounds.CURRENT, bounds.AS_RECORDED])
def test_drafts_of_every_year_in_both_views(demo, config, year, view):
    period = Period.year(year)
    text = render_markdown(bounds.apply(demo, view, config), config, period)
    reform = "Từ ngày 01/07/2025, theo Nghị quyết số 1671/NQ-UBTVQH15" in text
    assert reform == (year == 2025)
    mapped = "Số liệu trước ngày 01/07/2025 trong báo cáo này được quy về địa giới các xã hiện nay." in text
    assert mapped == (view == bounds.CURRENT and year <= 2025)
    communes = {2024: 8, 2025: 12, 2026: 4}[year] if view == bounds.AS_RECORDED else 4
    assert f"diễn ra tại {communes}/{communes} xã" in text or f"/{communes} xã" in text


def test_the_view_is_kept_in_the_link(demo, config):
    chosen, notes = filters.from_query({"dia-gioi": ["nhu-ghi-nhan"]}, demo, config, TODAY)
    assert chosen.boundaries == bounds.AS_RECORDED and notes == []
    assert chosen.to_query()["dia-gioi"] == "nhu-ghi-nhan"
    default, notes = filters.from_query({"dia-gioi": ["ban-do"]}, demo, config, TODAY)
    assert default.boundaries == bounds.CURRENT and "dia-gioi" not in default.to_query()
    assert notes == ["Cách xem địa giới «ban-do» trong đường dẫn không hợp lệ; đang xem theo địa giới hiện nay."]


def _communes_page(monkeypatch, **query):
    monkeypatch.setenv("BCD502_SOURCE", str(DEMO))
    monkeypatch.delenv("BCD502_CONFIG", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/theo_xa.py")
    return at.run()


@pytest.mark.parametrize(
    "query, communes",
    [
        ({"ky": "2024"}, ["Xã Đam Rông 1", "Xã Đam Rông 2", "Xã Đam Rông 3", "Xã Đam Rông 4"]),
        ({"ky": "2024", "dia-gioi": "nhu-ghi-nhan"}, ["Rô Men", "Liêng Srônh", "Phi Liêng", "Đạ K'Nàng"]),
    ],
)
def test_the_communes_page_lists_the_communes_of_the_view(monkeypatch, query, communes):
    at = _communes_page(monkeypatch, **query)
    view = bounds.AS_RECORDED if "dia-gioi" in query else bounds.CURRENT
    assert not at.exception and at.radio(key="f_boundaries").value == view
    assert at.selectbox(key="commune_detail").options[: len(communes)] == communes
    other = bounds.CURRENT if view == bounds.AS_RECORDED else bounds.AS_RECORDED
    at.radio(key="f_boundaries").set_value(other).run()
    assert not at.exception
    assert at.query_params.get("dia-gioi") == ("nhu-ghi-nhan" if other == bounds.AS_RECORDED else None)


def test_the_cli_draft_takes_the_view(tmp_path):
    out = tmp_path / "bc.md"
    args = [sys.executable, "-m", "lib", "report", "--source", str(DEMO), "--year", "2025", "--out", str(out)]
    done = subprocess.run([*args, "--boundaries", "as-recorded"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "Số liệu được tổng hợp theo xã tại thời điểm diễn ra hoạt động." in text
    assert (
        "Số liệu của Rô Men, Liêng Srônh, Phi Liêng, Đạ K'Nàng, Đạ Rsal, Đạ M'Rông, Đạ Tông và Đạ Long tính đến 30/06/2025"
        in text
    )


# ---------------------------------------------------------------- property: any rows, both views


NAMES = ["Rô Men", "Phi Liêng", "Đạ Tông", "Đưng K'Nớ", "Xã Đam Rông 1", "Xã Đam Rông 4", "Toàn huyện"]


@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(2023, 1, 1), dt.date(2026, 10, 31)),
            st.sampled_from(NAMES),
            st.sampled_from(["", "Thôn 1", "Mê Linh", "Thôn 2 (Rô Men)"]),
            st.integers(1, 500),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_any_rows_resolve_to_communes_valid_on_their_date(rows):
    config = _CONFIG
    data = clean_rows(config, [row(f"{d:%d/%m/%Y}", c, v, p) for d, c, v, p in rows])
    acts = data.activities
    for day, commune in zip(acts["date"], acts["commune"].astype(object)):
        if commune != "Toàn huyện":
            assert config.communes[commune].valid_in(day.date(), day.date())
    current = set(acts["commune_current"].astype(object)) - {"Toàn huyện"}
    assert current <= {f"Xã Đam Rông {n}" for n in range(1, 5)}
    totals = [
        ind.values(bounds.apply(data, view, config).activities, config, ["participants", "activities"], EVERYTHING)
        for view in (bounds.CURRENT, bounds.AS_RECORDED)
    ]
    assert totals[0] == totals[1]
    stats = data.tab_stats.iloc[0]
    assert stats["rows"] == stats["accepted"] + stats["excluded"] + stats["out_of_scope"] == len(rows)
    assert pd.Series(acts["participants"]).sum() <= sum(p for *_, p in rows)


_CONFIG = load_config()
EVERYTHING = Period(dt.date(2023, 1, 1), dt.date(2026, 12, 31))


def test_no_statement_about_region_iii_where_no_commune_in_view_is_region_iii(demo, config):
    codes = config.dashboard.communes.disadvantaged
    for view, year, has_region in ((bounds.CURRENT, 2025, False), (bounds.AS_RECORDED, 2024, True)):
        period = Period.year(year)
        scoped = bounds.scope(config, view, period.start, period.end)
        rows = bounds.apply(demo, view, config).activities
        places = set(views.disadvantaged_summary(rows, scoped, period, codes)["Nơi nhận"])
        assert ("Xã vùng III" in places) == has_region and "Thôn đặc biệt khó khăn" in places


# ---------------------------------------------------------------- organisations and villages through time


def test_an_organisation_folded_into_another_hands_on_its_rows(tmp_path, config):
    """Hội CCB folded into the Fatherland Front on 01/07/2025: its tab's later rows count for MTTQ."""
    folder = unit_dir(tmp_path, (DEFAULT_CONFIG_DIR / "unit.yaml").read_text(encoding="utf-8"))
    text = (DEFAULT_CONFIG_DIR / "organisations.yaml").read_text(encoding="utf-8")
    text = text.replace("    tab: Hội CCB\n", "    tab: Hội CCB\n    valid_to: 2025-06-30\n    successor: mttq\n")
    (folder / "organisations.yaml").write_text(text, encoding="utf-8")
    folded = load_config(folder)
    data = clean_rows(folded, [row("30/06/2025", "Đạ Tông", ""), row("12/07/2025", "Xã Đam Rông 4", "")], tab="Hội CCB")
    assert data.activities["organisation"].astype(object).tolist() == ["ccb", "mttq"]
    assert codes(data) == [("organisation.after_end", 3)]
    assert data.issues.iloc[0]["message"] == (
        "Hội CCB huyện chỉ hoạt động đến ngày 30/06/2025; hoạt động ngày 12/07/2025 được tính cho MTTQ huyện."
    )
    assert "ccb" not in bounds.scope(folded, bounds.CURRENT, dt.date(2026, 1, 1), dt.date(2026, 12, 31)).organisations
    (folder / "organisations.yaml").write_text(text.replace("successor: mttq", "successor: mttq_xa"), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(folder)
    assert "organisations[6].successor: đơn vị kế thừa «mttq_xa» không có trong danh sách" in error.value.message


def test_a_village_named_outside_its_dates_is_left_out_of_the_coverage(tmp_path):
    text = SPLIT_UNIT.replace("[{name: Thôn 9}]", "[{name: Thôn 9, valid_from: 2026-01-01}]")
    dated = load_config(unit_dir(tmp_path, text))
    data = clean_rows(dated, [row("02/08/2025", "Mới C", "Thôn 9"), row("02/08/2026", "Mới C", "Thôn 9")])
    assert data.activities["village"].tolist() == [None, "Thôn 9"]
    assert codes(data) == [("village.outside_dates", 2)]
    assert "chỉ có từ 01/01/2026; hoạt động ngày 02/08/2025 vẫn được tính" in data.issues.iloc[0]["message"]
    in_2025 = bounds.scope(dated, bounds.AS_RECORDED, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert [v.name for v in in_2025.communes["Mới C"].villages] == ["Thôn 3"]
