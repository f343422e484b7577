"""Keep it so: hostile and careless inputs through the whole pipeline (clean, indicators, report, the
CLI and the pages) end as results or Vietnamese messages: no traceback, no row lost, no page down.

Three harnesses: generated workbooks (Hypothesis) through clean → every indicator → both drafts;
generated configs (Hypothesis: any subset of the shipped indicators, the rest of the config kept
consistent or not) through loading and drafting; and a corpus of hostile workbooks, links and files
run through the CLI in-process and the app's pages."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
import xlsxwriter
import yaml
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from lib import cli, views
from lib import indicators as ind
from lib.clean import clean, wanted_tabs
from lib.config import DEFAULT_CONFIG_DIR, Config
from lib.dataset import Dataset
from lib.exceptions import ConfigError
from lib.loading import load_checked_config
from lib.normalize import is_blank
from lib.period import Period
from lib.problems import ERROR
from lib.report import render_docx, render_markdown
from lib.source import WorkbookSource
from tests.conftest import DEMO, ROOT, raw_data

SHIPPED = load_checked_config(DEFAULT_CONFIG_DIR)

# ---------------------------------------------------------------- cells as officials (and attackers) type them

texts = st.sampled_from(
    [
        "",
        " ",
        "#N/A",
        "#REF!",
        "=1+1",
        "+84 912",
        "-",
        "@SUM(A1)",
        "Họp dân\r=1+1",
        "\x0bdán từ Word\x0b",
        "\x00\x01\x1f",
        "![ảnh](http://example.invalid/x.png)",
        "$x^2$",
        ":red[đỏ]",
        "<script>alert(1)</script>",
        "| a | b |",
        "# tiêu đề",
        "Đạ K’Nàng",
        "Đạ K'Nàng",
        "Da K Nang",
        "Toàn huyện",
        "CT2",
        "Chương trình 9",
        "Ngày thứ 7 cùng nhân dân",
        "x" * 300,
    ]
)
numbers = st.one_of(
    st.integers(-5, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1.265.000", "26,5", "4.080 triệu", "2.815 tr", "500k", "1,2,3", "0,5,0", "1e30", "10^15", "—"]),
    st.just(10**15),
    st.just(1e28),
)
dates = st.one_of(
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.integers(-10, 2958465),
    st.sampled_from(["05/03/0224", "01/01/2300", "31/02/2024", "2024-13-01", "ngày 5 tháng 3 năm 2024", "hôm qua"]),
)
cell = st.one_of(st.none(), texts, numbers, dates)


@st.composite
def tabs(draw) -> dict[str, list[list]]:
    """Organisation tabs mixing plausible rows with garbage, blank and ragged rows, stray headerless cells."""
    header = ["Ngày", "Xã", "Thôn", "Chương trình", "Loại hoạt động", "Nội dung", "Đơn vị phối hợp"]
    header += [m.name for m in draw(st.lists(st.sampled_from(list(SHIPPED.measures.values())), max_size=6))]
    communes = [c.name for c in SHIPPED.unit.communes]
    kinds = [a.name for a in SHIPPED.activity_types.values()]
    plausible = st.builds(
        lambda day, commune, kind, n: [day.strftime("%d/%m/%Y"), commune, "", "", kind, "Nội dung", "", *[n] * 6],
        st.dates(dt.date(2023, 1, 1), dt.date(2026, 6, 30)),
        st.sampled_from(communes),
        st.sampled_from(kinds),
        st.integers(0, 500),
    )
    row = st.one_of(plausible, st.lists(cell, max_size=len(header) + 3), st.just([]))
    result = {}
    for tab in draw(st.lists(st.sampled_from(list(SHIPPED.organisation_tabs)), min_size=1, max_size=3, unique=True)):
        result[tab] = [header, *draw(st.lists(row, max_size=12))]
    return result


def accounted(dataset: Dataset, raw_tabs: dict[str, list[list]]) -> None:
    """Every non-blank data row is counted or has an error, never both, never neither."""
    errors = dataset.issues[dataset.issues["severity"] == ERROR]
    for tab, rows in raw_tabs.items():
        # blank as a sheet shows it (normalize.is_blank: None, NaN, spaces), the cleaner's own definition
        filled = {n for n, row in enumerate(rows[1:], start=2) if not all(is_blank(c) for c in row)}
        counted = set(dataset.activities.loc[dataset.activities["tab"] == tab, "row"])
        refused = set(errors.loc[errors["tab"] == tab, "row"].dropna().astype(int))
        assert counted.isdisjoint(refused), (tab, counted & refused)
        assert filled <= counted | refused, (tab, filled - counted - refused)


def pipeline(dataset: Dataset, config: Config) -> None:
    """Every indicator of every year present, by every dimension the pages use, and both drafts."""
    for year in [*dataset.years, 2024][:3]:
        period = Period.year(year)
        ind.compare(dataset.activities, config, None, period)
        for by in ("commune", "village", "programme", "organisation", "month"):
            ind.compute(dataset.activities, config, None, period, by)
    period = Period.year(dataset.latest_year or 2024)
    render_markdown(dataset, config, period)
    render_docx(dataset, config, period)
    views.issues_table(dataset, config)


@given(tabs())
def test_generated_workbooks_never_raise_and_lose_no_row(raw_tabs):
    dataset = clean(raw_data(raw_tabs), SHIPPED)
    accounted(dataset, raw_tabs)
    pipeline(dataset, SHIPPED)


# ---------------------------------------------------------------- generated configs


DEMO_RAW = WorkbookSource(DEMO).fetch(wanted_tabs(SHIPPED))


def _keep(value, codes: set[str]):
    """A dashboard declaration with only the kept codes (lists filtered, single codes dropped)."""
    if isinstance(value, dict):
        return {k: _keep(v, codes) for k, v in value.items() if not (isinstance(v, str) and v not in codes)}
    if isinstance(value, list):
        return [_keep(v, codes) for v in value if not (isinstance(v, str) and v not in codes)]
    return value


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-config")


@given(kept=st.sets(st.sampled_from(sorted(SHIPPED.indicators)), max_size=len(SHIPPED.indicators)), tidy=st.booleans())
def test_any_subset_of_indicators_loads_and_drafts_or_is_refused_in_vietnamese(config_dir, kept, tidy):
    target = config_dir / "config"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    indicators = yaml.safe_load((target / "indicators.yaml").read_text(encoding="utf-8"))
    indicators["indicators"] = [i for i in indicators["indicators"] if i["code"] in kept]
    (target / "indicators.yaml").write_text(yaml.safe_dump(indicators, allow_unicode=True), encoding="utf-8")
    if tidy:  # the unit also trims what its pages show; otherwise dashboard.yaml still names dropped codes
        dashboard = yaml.safe_load((target / "dashboard.yaml").read_text(encoding="utf-8"))
        (target / "dashboard.yaml").write_text(
            yaml.safe_dump(_keep(dashboard, kept), allow_unicode=True), encoding="utf-8"
        )
    try:
        config = load_checked_config(target)
    except ConfigError as error:
        assert error.problems and all(":" in p for p in error.problems)
        assert "Traceback" not in error.message
        return
    dataset = clean(DEMO_RAW, config)
    pipeline(dataset, config)
    for function, args in (
        (views.kpis, (config.dashboard.overview.cards,)),
        (views.by_programme, (config.dashboard.overview.programme_table,)),
        (views.commune_overview, (config.dashboard.communes.table,)),
        (views.disadvantaged_summary, (config.dashboard.communes.disadvantaged,)),
        (views.organisation_contribution, (config.dashboard.organisations.table,)),
        (views.notable_activities, ()),
        (views.funds_by_source, ()),
    ):
        function(dataset.activities, config, Period.year(2024), *args)


# ---------------------------------------------------------------- a corpus of hostile files, through the CLI and the pages


def workbook(path: Path, rows: list[list], tab: str = "BCHQS") -> Path:
    """A real .xlsx (xlsxwriter keeps control characters, as Excel files pasted from Word carry them)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(tab)
    for r, row in enumerate(
        [["Ngày", "Xã", "Thôn", "Chương trình", "Loại hoạt động", "Nội dung", "Người tham gia"], *rows]
    ):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


GOOD = ["05/03/2024", "Rô Men", "", 2, "Ngày thứ 7 cùng nhân dân", "Làm đường", 30]
CORPUS = {
    "year 0224": [["05/03/0224", *GOOD[1:]], GOOD],
    "year 2300": [["01/01/2300", *GOOD[1:]], GOOD],
    "serial 2958465": [[2958465, *GOOD[1:]], GOOD],
    "malformed numbers": [[*GOOD[:-1], "1,2,3"], [*GOOD[:-1], "0,5,0"], GOOD],
    "huge numbers": [[*GOOD[:-1], 10**15], [*GOOD[:-1], 1e28], GOOD],
    "formula text": [[*GOOD[:5], "Họp dân\r=1+1", 3], [*GOOD[:5], '=HYPERLINK("x")', 3]],
    "control characters": [[*GOOD[:5], "dán\x0btừ\x00Word\x1f", 3]],
    "markdown and html": [[*GOOD[:5], "![x](http://example.invalid/x.png) $x$ <b>b</b> :red[x]", 3]],
    "error cells": [["#N/A", *GOOD[1:]], [GOOD[0], "#REF!", *GOOD[2:]], GOOD],
    "headerless data": [[*GOOD, "", "", "lạc cột"], [None] * 8 + ["chỉ có ở cột không tiêu đề"]],
    "empty": [],
}


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exit_:  # argparse refusing an option
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", list(CORPUS))
def test_hostile_workbooks_through_the_cli(tmp_path, name):
    source = str(workbook(tmp_path / "x.xlsx", CORPUS[name]))
    raw = WorkbookSource(Path(source)).fetch(wanted_tabs(SHIPPED))
    accounted(clean(raw, SHIPPED), {tab: raw.tabs[tab].values for tab in raw.tabs if tab in SHIPPED.organisation_tabs})
    for args in (
        ("check", "--source", source),
        ("indicators", "--source", source),
        ("indicators", "--source", source, "--format", "csv"),
        ("report", "--source", source, "--out", str(tmp_path / "x.md")),
        ("report", "--source", source, "--out", str(tmp_path / "x.docx")),
    ):
        code, out, err = run_cli(*args)
        assert code in (0, 1, 2), (name, args, code)
        assert "Traceback" not in out + err
        if code == 2:
            assert err.startswith("Lỗi"), (name, args, err)


@pytest.mark.parametrize(
    "args",
    [
        ("indicators", "--year", "1"),
        ("indicators", "--year", "99999"),
        ("indicators", "--year", "0"),
        ("indicators", "--period", "0000"),
        ("indicators", "--period", "2024-02-30..2024-03-01"),
        ("indicators", "--only", "khong_co"),
        ("indicators", "--by", "tinh"),
        ("template", "--out", "/khong/co/thu/muc/x.xlsx"),
        ("report", "--out", "/khong/co/thu/muc/x.md", "--year", "2024"),
        ("report", "--out", "x.md", "--date", "2024-12-05"),
        ("check", "--config", "/khong/co"),
        ("khong-co-lenh",),
    ],
)
def test_hostile_options_give_vietnamese_messages(args):
    code, out, err = run_cli(*args)
    assert code == 2 and "Traceback" not in out + err
    assert "Lỗi" in err and "error:" not in err and "usage:" not in err


@pytest.fixture(scope="module")
def hostile_source(tmp_path_factory) -> Path:
    rows = [row for name in ("year 2300", "malformed numbers", "huge numbers", "markdown and html", "error cells",
                             "control characters", "headerless data") for row in CORPUS[name]]  # fmt: skip
    return workbook(tmp_path_factory.mktemp("hostile") / "![x](y) $z$.xlsx", rows)


PAGES = ["tong_quan", "theo_xa", "theo_chuong_trinh", "theo_don_vi", "chat_luong", "bao_cao", "nguon_du_lieu"]


@pytest.mark.parametrize("link", [{}, {"ky": "0000", "xa": "<b>x</b>"}, {"ky": "2024-02-30..2024-03-01", "ct": "CT9"}])
def test_hostile_workbook_and_links_never_take_a_page_down(monkeypatch, hostile_source, link):
    monkeypatch.setenv("BCD502_SOURCE", str(hostile_source))
    monkeypatch.delenv("BCD502_CONFIG", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in link.items():
        at.query_params[key] = value
    at.run()
    for page in PAGES:
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, page
        assert not [e.value for e in at.error], page
