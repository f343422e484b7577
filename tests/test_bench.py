"""Smoke test of the benchmark data and pipeline at a tiny size: correctness, never timing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import pipeline
from bench.synthetic import generate, write_config, write_xlsx
from lib.clean import clean
from lib.config import load_config
from lib.problems import ERROR

ROWS = 2_000


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return load_config(write_config(tmp_path_factory.mktemp("config"), communes=12))


@pytest.fixture(scope="module")
def synthetic(config):
    return generate(config, ROWS, seed=7)


@pytest.fixture(scope="module")
def dataset(synthetic, config):
    return clean(synthetic.raw(), config)


def test_generator_is_deterministic(config, synthetic):
    again = generate(config, ROWS, seed=7)
    assert again.tabs == synthetic.tabs and again.faulty == synthetic.faulty
    assert generate(config, ROWS, seed=8).tabs != synthetic.tabs


def test_rows_spread_over_every_tab_with_about_one_percent_faulty(config, synthetic):
    assert synthetic.rows == ROWS
    assert set(synthetic.data_rows) == set(config.organisation_tabs)
    assert all(count > 0 for count in synthetic.data_rows.values())
    assert 0.002 * ROWS <= synthetic.faulty_count <= 0.03 * ROWS


def test_every_row_is_accepted_or_excluded(synthetic, dataset):
    stats = dataset.tab_stats.set_index("tab")
    for tab, count in synthetic.data_rows.items():
        assert stats.at[tab, "rows"] == count
        assert stats.at[tab, "accepted"] + stats.at[tab, "excluded"] == count
    assert len(dataset.activities) == int(stats["accepted"].sum())


def test_the_faulty_rows_found_are_exactly_the_injected_ones(synthetic, dataset):
    errors = dataset.issues[(dataset.issues["severity"] == ERROR) & dataset.issues["row"].notna()]
    found = {(tab, int(row)) for tab, row in zip(errors["tab"], errors["row"])}
    injected = {(tab, row) for tab, rows in synthetic.faulty.items() for row in rows}
    assert found == injected
    assert int(dataset.tab_stats["excluded"].sum()) == synthetic.faulty_count


def test_workbook_reads_back_as_the_same_raw_values(synthetic, config, tmp_path):
    path = write_xlsx(synthetic, tmp_path / "synthetic.xlsx")
    raw = synthetic.raw()
    for reader in (pipeline.read_calamine, pipeline.read_openpyxl):
        read = reader(Path(path), config)
        assert {n: t.values for n, t in read.tabs.items()} == {n: t.values for n, t in raw.tabs.items()}


def test_pipeline_stages_run_on_the_dataset(dataset, config):
    figures = pipeline.overview_indicators(dataset, config)
    compare = figures["compare"].set_index("indicator")
    year = dataset.latest_year
    in_year = dataset.activities[dataset.activities["date"].dt.year == year]
    assert compare.at["activities", "value"] == len(in_year)
    assert figures["by_commune"]["activities"].sum() == len(in_year)
    assert figures["by_month"]["participants"].sum() == pytest.approx(in_year["participants"].sum())
    assert "BÁO CÁO" in pipeline.render_markdown(dataset, config).upper()
    assert pipeline.render_docx(dataset, config)[:2] == b"PK"
