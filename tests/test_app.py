"""AppTest: every page of the dashboard on the demo workbook, figures checked against lib/."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import boundaries, charts, report, st_adapter, template, views
from lib import formatting as fmt
from lib import indicators as ind
from lib.exceptions import SourceError
from lib.period import Period
from pages import ui
from tests.conftest import without_fetch_time

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo" / "dam-rong-demo.xlsx"
PAGES = [
    "pages/tong_quan.py",
    "pages/theo_xa.py",
    "pages/theo_chuong_trinh.py",
    "pages/theo_don_vi.py",
    "pages/chat_luong.py",
    "pages/bao_cao.py",
    "pages/nguon_du_lieu.py",
]
TITLES = ["Tổng quan", "Theo xã", "Theo chương trình", "Theo đơn vị", "Chất lượng dữ liệu", "Báo cáo", "Nguồn dữ liệu"]


@pytest.fixture(autouse=True)
def demo_source(monkeypatch):
    monkeypatch.setenv("BCD502_SOURCE", str(DEMO))
    monkeypatch.delenv("BCD502_CONFIG", raising=False)


def app(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def query(at: AppTest) -> dict[str, list[str]]:
    """The URL parameters after a run, every value as a list."""
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def expected(demo, config, code: str, period: Period, rows: pd.DataFrame | None = None) -> str:
    """The card's text: the figure by the rule of every output, ``–`` when no row of the period records it."""
    rows = ind.in_period(demo.activities if rows is None else rows, period)
    value = ind.values(rows, config, [code])[code] if ind.recorded(rows, config, code) else None
    return fmt.figure(value, config.indicators[code].unit).text


@pytest.mark.parametrize("page, title", list(zip(PAGES, TITLES)))
def test_every_page_runs(page, title):
    at = app(page)
    assert not at.exception
    assert [t.value for t in at.title] == [title]
    assert not [e.value for e in at.error if "ngoài dự kiến" in e.value]


def test_overview_opens_with_the_sentence_and_the_primary_cards(demo, config):
    at = app()
    period = Period.year(demo.latest_year)
    primary = config.dashboard.overview.primary
    today = boundaries.apply(demo, boundaries.CURRENT, config)  # the default view: today's communes
    scoped = boundaries.scope(config, today.boundaries, period.start, period.end)
    sentence = views.headline(today.activities, scoped, period, primary, demo.latest_date)
    assert "số xã có hoạt động 4/4" in sentence
    assert any(sentence in str(element.proto) for element in at.get("html"))
    outside = [m.label for m in at.main.metric if not any(m in e.metric for e in at.expander)]
    inside = [m.label for m in at.expander[0].metric]
    cards = views.kpis(today.activities, scoped, period, config.dashboard.overview.cards, demo.latest_date)
    label = {card.code: card.label for card in cards}  # with the unit the number alone does not say
    names = [label[c] for c in config.dashboard.overview.cards]
    assert outside == [label[c] for c in primary] and "Tổng kinh phí (triệu đồng)" in outside
    assert inside == [n for n in names if n not in outside] and at.expander[0].label.startswith("Các chỉ số khác")
    trend = views.monthly_values(demo.activities, config, period, primary, demo.latest_date)
    first = next(m for m in at.metric if m.label == label[primary[0]])
    assert list(first.proto.chart_data) == trend[primary[0]]


def test_overview_kpis_equal_the_indicators(demo, config):
    at = app()
    period = Period.year(demo.latest_year)
    for code in ("activities", "rounds", "participants", "labour_days", "beneficiaries"):
        assert metric(at, config.indicators[code].name) == expected(demo, config, code, period)
    today = boundaries.apply(demo, boundaries.CURRENT, config)  # the default view: today's communes
    money = ind.values(today.activities, config, ["money_total", "villages_reached"], period)
    assert metric(at, "Tổng kinh phí (triệu đồng)") == fmt.figure(money["money_total"], "đồng").text
    villages = boundaries.scope(config, boundaries.CURRENT, period.start, period.end).village_count
    assert metric(at, "Số thôn có hoạt động") == f"{int(money['villages_reached'])}/{villages}" == "43/57"


def test_changing_the_year_changes_the_kpis_and_the_url(demo, config):
    at = app()
    before = metric(at, "Số hoạt động")
    previous = demo.latest_year - 1
    at.selectbox(key="f_year").select(previous).run()
    assert metric(at, "Số hoạt động") == expected(demo, config, "activities", Period.year(previous)) != before
    assert query(at)["ky"] == [str(previous)]


def test_commune_and_programme_filters(demo, config):
    at = app()
    at.multiselect(key="f_communes").select("Xã Đam Rông 4").run()
    at.multiselect(key="f_programmes").select("CT2").run()
    period = Period.year(demo.latest_year)
    today = boundaries.apply(demo, boundaries.CURRENT, config)
    rows = ind.select(today.activities, communes=["Xã Đam Rông 4"], programmes=["CT2"])
    assert metric(at, "Người tham gia") == expected(demo, config, "participants", period, rows) != "0"
    assert query(at)["xa"] == ["Xã Đam Rông 4"] and query(at)["ct"] == ["CT2"]


def test_a_shared_link_opens_the_same_view(demo, config):
    at = app(ky="2024-Q3", dv="mttq")
    rows = ind.select(demo.activities, organisations=["mttq"])
    assert metric(at, "Số hoạt động") == expected(demo, config, "activities", Period.quarter(2024, 3), rows)
    assert at.selectbox(key="f_kind").value == "quarter" and at.selectbox(key="f_quarter").value == 3
    assert at.multiselect(key="f_organisations").value == ["mttq"]


def test_month_and_half_periods(demo, config):
    at = app(ky="2024-05")
    assert metric(at, "Số hoạt động") == expected(demo, config, "activities", Period.month(2024, 5))
    at.selectbox(key="f_kind").select("half").run()
    at.selectbox(key="f_half").select(2).run()
    assert metric(at, "Số hoạt động") == expected(demo, config, "activities", Period.half(2024, 2))
    assert query(at)["ky"] == ["2024-H2"]


def test_quality_page_lists_the_faulty_rows(demo):
    at = app("pages/chat_luong.py")
    issues = at.dataframe[0].value
    errors = issues[issues["Mức độ"] == "Lỗi"]
    wanted = demo.issues[demo.issues["severity"] == "error"]
    assert sorted(zip(errors["Tab"], errors["Dòng"].astype(int))) == sorted(
        zip(wanted["tab"], wanted["row"].astype(int))
    )
    faults = {
        ("Hội CCB", "31/02/2024"),
        ("Hội Nông dân", "khoảng 50 người"),
        ("Hội Phụ nữ", "Đạ Lonh"),
        ("Đoàn Thanh niên", "Pul"),
    }
    for tab, value in faults:
        row = wanted[(wanted["tab"] == tab) & (wanted["value"] == value)]["row"].iloc[0]
        assert ((errors["Tab"] == tab) & (errors["Giá trị"] == value) & (errors["Dòng"] == row)).sum() == 1
    assert {"Cột", "Vấn đề", "Cách sửa"} <= set(issues.columns)
    at.multiselect(key="quality_kinds").select("Ngày không đọc được").run()
    shown = at.dataframe[0].value
    assert list(zip(shown["Mã"], shown["Tab"], shown["Giá trị"])) == [("date.invalid", "Hội CCB", "31/02/2024")]


def test_error_count_links_to_the_quality_page(demo):
    at = app()
    links = [link for link in at.get("page_link") if link.proto.page == "chat-luong-du-lieu"]
    assert links and str(demo.error_count) in links[0].proto.label


def test_one_download_per_page_holds_every_table(demo, downloads):
    """Theo xã shows five tables: one «Tải số liệu» gives them as the sheets of one workbook and as CSVs,
    named after the unit, the page and the period."""
    import zipfile

    at = app("pages/theo_xa.py")
    key = demo.latest_year
    downloads = downloads[-2:]  # the run of the page asked for
    names = [d["file_name"] for d in downloads]
    assert names == [f"bcd502-dam-rong-theo-xa-{key}.xlsx", f"bcd502-dam-rong-theo-xa-{key}.zip"]
    book = openpyxl.load_workbook(io.BytesIO(downloads[0]["data"]()))
    assert len(book.sheetnames) == len(at.dataframe) == 5
    assert book.sheetnames[:2] == ["Nguồn lực đến vùng khó khăn", "Các xã"]
    communes = book["Các xã"]
    assert communes.freeze_panes == "A2" and communes["A1"].value == "Xã"
    shown = at.dataframe[1].value
    assert [c.value for c in communes["A"][1:]] == list(shown["Xã"])
    archive = zipfile.ZipFile(io.BytesIO(downloads[1]["data"]()))
    assert len(archive.namelist()) == 5 and "cac-xa.csv" in archive.namelist()


def test_report_download_is_the_draft(demo, config, downloads):
    app("pages/bao_cao.py")
    period = Period.year(demo.latest_year)
    today = boundaries.apply(demo, boundaries.CURRENT, config)
    draft = report.render_markdown(today, boundaries.scope(config, today.boundaries, period.start, period.end), period)
    markdown = next(d for d in downloads if d["file_name"].endswith(".md"))
    assert without_fetch_time(markdown["data"].decode("utf-8")) == without_fetch_time(draft)
    docx = next(d for d in downloads if d["file_name"].endswith(".docx"))
    assert docx["data"][:2] == b"PK"


def test_source_page_shows_the_source_and_refreshes(demo):
    at = app("pages/nguon_du_lieu.py")
    assert metric(at, "Nguồn đang dùng") == demo.source_label
    at.button(key="source_refresh").click().run()
    assert not at.exception and [t.value for t in at.title] == ["Nguồn dữ liệu"]


def test_template_download(config, downloads):
    app("pages/nguon_du_lieu.py")
    data = next(d["data"] for d in downloads if d["file_name"] == "mau-nhap-lieu-bcd-502.xlsx")
    sheets = lambda blob: openpyxl.load_workbook(io.BytesIO(blob)).sheetnames  # noqa: E731
    assert sheets(data) == sheets(template.build_template(config))


def test_missing_source_is_explained_in_vietnamese(monkeypatch, tmp_path):
    monkeypatch.setenv("BCD502_SOURCE", str(tmp_path / "khong-co.xlsx"))
    at = app()
    assert not at.exception
    assert at.error and all("Traceback" not in e.value for e in at.error)
    assert any("Nguồn dữ liệu" in i.value for i in at.info)
    at.switch_page("pages/nguon_du_lieu.py")
    at.run()
    assert [t.value for t in at.title] == ["Nguồn dữ liệu"] and at.error


def test_broken_config_is_explained_in_vietnamese(monkeypatch, tmp_path):
    (tmp_path / "unit.yaml").write_text("unit: [", encoding="utf-8")
    monkeypatch.setenv("BCD502_CONFIG", str(tmp_path))
    st.cache_resource.clear()
    try:
        at = app()
        assert not at.exception
        assert any("cấu hình" in e.value for e in at.error)
    finally:
        st.cache_resource.clear()


def test_unexpected_errors_show_no_traceback(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(views, "kpis", boom)
    at = app()
    assert not at.exception
    assert [e.value for e in at.error] == [importlib.import_module("pages.ui").GENERIC_ERROR]
    assert "secret detail" not in str(at._tree)


@pytest.mark.parametrize("typed", ["0000", "2024-02-30..2024-03-01", "99999", "2024-Q9"])
def test_a_bad_link_falls_back_with_a_note(demo, config, typed):
    for page in PAGES[:4]:
        at = app(page, ky=typed, xa="Không có")
        assert not at.exception and not at.error, page
        notes = [w.value for w in at.warning]
        assert any(f"Đang hiển thị năm {demo.latest_year}" in n for n in notes), (page, notes)
        assert any("Không có" in n for n in notes)
    assert query(at)["ky"] == [str(demo.latest_year)]  # the link is corrected, so a reload works


def test_secrets_without_a_spreadsheet_fail_closed(monkeypatch):
    monkeypatch.delenv("BCD502_SOURCE")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets["connections"] = {"gsheets": {"type": "service_account"}}
    at.run()
    assert not at.exception and not at.metric  # no figures at all, never the demo's
    assert any("chưa khai báo bảng tính" in e.value for e in at.error)


def test_a_secrets_file_that_does_not_parse_fails_closed(monkeypatch, tmp_path):
    broken = tmp_path / "secrets.toml"
    broken.write_text('[connections.gsheets]\nspreadsheet = "https://docs.google.com/x\n', encoding="utf-8")
    monkeypatch.delenv("BCD502_SOURCE")
    monkeypatch.setattr(st, "secrets", type(st.secrets)())
    files = st.config.get_option("secrets.files")
    st.config.set_option("secrets.files", [str(broken)])
    try:
        with pytest.raises(SourceError, match="sai cú pháp TOML"):
            st_adapter.source_spec(st_adapter.get_config())
        broken.unlink()  # no secrets file at all: the demo
        assert st_adapter.source_spec(st_adapter.get_config()).endswith("dam-rong-demo.xlsx")
    finally:
        st.config.set_option("secrets.files", files)


def test_text_from_the_data_is_not_markdown(monkeypatch, tmp_path):
    hostile = tmp_path / "![ảnh](x.png) $x^2$ :red[đỏ].xlsx"
    hostile.write_bytes(DEMO.read_bytes())
    monkeypatch.setenv("BCD502_SOURCE", str(hostile))
    at = app()
    caption = next(c.value for c in at.sidebar.caption if c.value.startswith("Nguồn:"))
    assert "\\!\\[ảnh\\]\\(x\\.png\\)" in caption and "\\$x^2\\$" in caption and "\\:red\\[" in caption


def test_every_session_reads_the_same_dataset_uncopied():
    """Two visitors of the same view get one dataset object: no session pays for a copy of every row."""
    first, second = app(), app()
    datasets = [at.session_state[ui.CONTEXT_KEY].dataset for at in (first, second)]
    assert datasets[0] is datasets[1]
    assert datasets[0].boundaries == boundaries.CURRENT and len(datasets[0].activities) > 0
    recorded = app(**{"dia-gioi": "nhu-ghi-nhan"}).session_state[ui.CONTEXT_KEY].dataset
    assert recorded is not datasets[0] and recorded.boundaries == boundaries.AS_RECORDED


def test_a_chart_spec_is_made_once_for_equal_arguments(demo, config):
    made = []

    def programmes_chart(frame: pd.DataFrame, value: str, *, unit: str):
        made.append(value)
        return charts.bar(frame, "label", value, category_title="Chương trình", value_title="Số", unit=unit)

    period = Period.year(demo.latest_year)
    frame = views.by_programme(demo.activities, config, period, ("activities",))
    spec = st_adapter.chart_spec(programmes_chart, frame, "activities", unit="")
    again = st_adapter.chart_spec(programmes_chart, frame.copy(), "activities", unit="")
    assert again == spec and made == ["activities"]
    assert spec == programmes_chart(frame, "activities", unit="").to_dict()
    assert "config" not in spec or "view" not in spec["config"]  # no Altair default sizes: Streamlit sizes the chart
    values = next(iter(spec["datasets"].values()))
    assert sorted(row["activities"] for row in values) == sorted(frame["activities"].tolist())
    st_adapter.chart_spec(programmes_chart, frame.head(2), "activities", unit="")
    assert made == ["activities", "activities", "activities"]  # other data, another spec


def test_the_cache_key_tells_apart_exactly_what_differs(demo, config):
    key = st_adapter.cache_key
    period = Period.year(2024)
    frame = pd.DataFrame({"label": ["a", "b"], "value": [1.0, 2.5]})
    assert key((views.kpis, demo, config, period, ("activities",))) == key(
        (views.kpis, demo, config, Period.year(2024), ["activities"])
    )
    later = dataclasses.replace(demo, fetched_at=demo.fetched_at + dt.timedelta(seconds=1))
    current = dataclasses.replace(demo, boundaries=boundaries.CURRENT)
    assert len({key(demo), key(later), key(current)}) == 3  # another fetch, another view: another key
    assert key(frame) == key(frame.copy()) and key(frame) != key(frame.assign(value=[1.0, 2.6]))
    assert key(views.kpis) != key(views.headline) and key(1) != key("1") != key(1.0)
    assert key((period, None)) != key((Period.year(2025), None))
