"""Pure page helpers: filters and the URL, KPI cards, per-commune / per-organisation frames, quality tables."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from conftest import HEADER, clean_tab

from lib import boundaries, charts, filters, period, views
from lib import formatting as fmt
from lib import indicators as ind
from lib.period import Period

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def year(demo) -> Period:
    return Period.year(2024)


def test_filters_round_trip_through_the_url(demo, config):
    chosen = filters.Filters(Period.quarter(2024, 3), ("Rô Men",), ("CT2",), ("bchqs", "mttq"))
    query = chosen.to_query()
    assert query == {"ky": "2024-Q3", "xa": ["Rô Men"], "ct": ["CT2"], "dv": ["bchqs", "mttq"]}
    back, notes = filters.from_query(
        {k: [v] if isinstance(v, str) else v for k, v in query.items()}, demo, config, TODAY
    )
    assert back == chosen and notes == []


@pytest.mark.parametrize("typed", ["năm ngoái", "0000", "2024-02-30..2024-03-01", "9999-H1", "x" * 5000])
def test_bad_url_values_fall_back_with_a_note(demo, config, typed):
    chosen, notes = filters.from_query(
        {"ky": [typed], "xa": ["Không có", "Đạ Long"], "ct": ["CT9"]}, demo, config, TODAY
    )
    assert chosen.period == Period.year(demo.latest_year)
    assert chosen.communes == ("Đạ Long",) and chosen.programmes == () and chosen.organisations == ()
    assert len(notes) == 3 and f"Đang hiển thị năm {demo.latest_year}" in notes[0]
    assert "Không có" in notes[1] and "CT9" in notes[2]


@pytest.mark.parametrize(
    "kind, part, expected",
    [
        ("year", 1, Period.year(2024)),
        ("half", 2, Period.half(2024, 2)),
        ("quarter", 3, Period.quarter(2024, 3)),
        ("month", 5, Period.month(2024, 5)),
    ],
)
def test_build_period(kind, part, expected):
    assert period.build(kind, 2024, part) == expected
    assert period.part_of(expected) == part


def test_build_range():
    chosen = period.build("range", 2024, 1, dt.date(2024, 3, 1), dt.date(2024, 6, 30))
    assert chosen.key == "2024-03-01..2024-06-30"


def test_filters_apply(demo):
    rows = filters.Filters(Period.year(2024), communes=("Đạ Long",), programmes=("CT2",)).apply(demo.activities)
    assert set(rows["commune"]) == {"Đạ Long"} and set(rows["programme"]) == {"CT2"}


def test_kpis_equal_the_indicator_engine(demo, config, year):
    declared = config.dashboard.overview.cards
    cards = {card.code: card for card in views.kpis(demo.activities, config, year, declared)}
    assert list(cards) == declared
    now = ind.values(demo.activities, config, list(cards), year)
    before = ind.values(demo.activities, config, list(cards), year.previous_year())
    for code, card in cards.items():
        assert card.value == now[code]
        assert f"Cùng kỳ năm trước: {fmt.figure(before[code], config.indicators[code].unit)}." in card.help
    assert cards["villages_reached"].text == f"{int(now['villages_reached'])}/{config.village_count}"
    assert cards["activities"].delta.startswith("+" if now["activities"] > before["activities"] else "-")


def test_kpis_without_last_year_have_no_delta(demo, config):
    cards = views.kpis(demo.activities, config, Period.year(demo.years[0]), config.dashboard.overview.cards)
    assert all(card.delta is None for card in cards)


def test_monthly_trend_overlays_last_year(demo, config, year):
    trend = views.monthly_trend(demo.activities, config, year, ["activities"])
    assert set(trend["series"]) == {"Kỳ này", "Cùng kỳ năm trước"}
    assert (trend["month_start"].dt.year == 2024).all()
    this = trend[trend["series"] == "Kỳ này"]["value"].sum()
    assert this == ind.values(demo.activities, config, ["activities"], year)["activities"]


def test_funds_by_source_adds_up(demo, config, year):
    funds = views.funds_by_source(demo.activities, config, year)
    assert funds["value"].sum() == ind.values(demo.activities, config, ["money_total"], year)["money_total"]
    assert funds["share"].sum() == pytest.approx(100)


def test_commune_overview_flags_and_coverage(demo, config, year):
    table = views.commune_overview(demo.activities, config, year, config.dashboard.communes.table).set_index("Xã")
    assert list(table.index) == list(config.communes)
    for commune in config.unit.communes:
        assert table.at[commune.name, "Vùng"] == (commune.region or "")
        assert table.at[commune.name, "Số thôn"] == len(commune.villages)
    cover = ind.coverage(demo.activities, config, year).set_index("commune")
    assert (table["Thôn có hoạt động"] == cover["reached"]).all()


def test_indicator_matrix_has_every_indicator(demo, config, year):
    matrix = views.indicator_matrix(demo.activities, config, year)
    assert len(matrix) == len(config.indicators)
    assert {*config.communes, config.unit.whole_unit_label} <= set(matrix.columns)


def test_disadvantaged_summary(demo, config, year):
    summary = views.disadvantaged_summary(demo.activities, config, year, config.dashboard.communes.disadvantaged)
    summary = summary.set_index(["Nơi nhận", "Chỉ số"])
    region3 = [c.name for c in config.unit.communes if c.region == "III"]
    rows = ind.in_period(demo.activities, year)
    assert summary.loc[("Xã vùng III", "Số hoạt động"), "Giá trị"] == rows["commune"].isin(region3).sum()
    assert 0 <= summary.loc[("Thôn đặc biệt khó khăn", "Tổng kinh phí (đồng)"), "Tỷ lệ (%)"] <= 100


def test_village_table(demo, config, year):
    table = views.village_table(demo.activities, config, year, "Đạ Long", config.dashboard.communes.villages)
    assert list(table["Thôn"]) == [v.name for v in config.communes["Đạ Long"].villages]
    rows = ind.in_period(demo.activities, year)
    assert table["Số hoạt động"].sum() == ((rows["commune"] == "Đạ Long") & rows["village"].notna()).sum()


def test_activity_list_and_notable(demo, config, year):
    listing = views.activity_list(demo.activities, config, year)
    assert len(listing) == len(ind.in_period(demo.activities, year))
    assert listing["Ngày"].is_monotonic_decreasing
    notable = views.notable_activities(demo.activities, config, year, limit=5)
    money = views.column_title(config.indicators[config.dashboard.money.total])
    assert money == "Tổng kinh phí (đồng)"
    assert len(notable) == 5 and notable[money].iloc[0] == listing[money].max()


def test_coordination_uses_short_names(demo, config, year):
    table = views.coordination(demo.activities, config, year)
    assert table["Số hoạt động phối hợp"].sum() == ind.coordination_matrix(demo.activities, config, year)["count"].sum()
    assert set(table["Đơn vị chủ trì"]) <= set(views.organisation_labels(config).values())


def test_completeness_grid(demo, config, year):
    grid = views.completeness(demo.activities, config, year)
    assert len(grid) == len(config.organisations) * 12
    assert grid["count"].sum() == len(ind.in_period(demo.activities, year))
    wide = views.completeness_table(grid)
    assert list(wide.columns[1:13]) == [f"{m:02d}/2024" for m in range(1, 13)]
    assert wide["Tháng có báo cáo (%)"].between(0, 100).all()


def test_period_months_of_a_range():
    months = period.months(Period(dt.date(2024, 11, 15), dt.date(2025, 2, 3)))
    assert [m.strftime("%m/%Y") for m in months] == ["11/2024", "12/2024", "01/2025", "02/2025"]


def test_freshness_against_an_earlier_fetch(demo, config):
    table = views.freshness(demo, config, {"BCHQS": 60}).set_index("Tab")
    assert table.at["BCHQS", "Dòng mới từ lần tải trước"] == demo.tab_stats.set_index("tab").at["BCHQS", "rows"] - 60
    assert np.isnan(table.at["MTTQ", "Dòng mới từ lần tải trước"])
    assert table.at["BCHQS", "Hoạt động gần nhất"] == demo.tab_stats.set_index("tab").at["BCHQS", "latest_date"].date()


def test_progress_table(demo, config):
    table = views.progress_table(demo, config, 2024)
    raw = ind.progress(demo.activities, demo.targets, config, 2024)
    assert table["Thực hiện"].tolist() == raw["actual"].tolist()
    assert set(table["Phạm vi"]) >= {config.unit.whole_unit_label}


def test_issues_sorted_per_organisation(demo, config):
    table = views.issues_table(demo, config)
    tabs = list(config.organisation_tabs)
    order = [tabs.index(t) for t in table["Tab"]]
    assert order == sorted(order)
    errors = views.filter_issues(table, levels=["Lỗi"])
    assert len(errors) == demo.error_count
    assert set(views.filter_issues(table, organisations=["Hội CCB huyện"])["Tab"]) == {"Hội CCB"}
    unknown = views.filter_issues(table, kinds=["Xã không có trong danh mục"])
    assert list(unknown["Mã"]) == ["commune.unknown"] and list(unknown["Giá trị"]) == ["Đạ Lonh"]


def test_row_counts_match_tab_stats(demo, config):
    counts = views.row_counts(demo, config)
    assert counts["Dòng được tính"].sum() == len(demo.activities)


def test_timestamp_in_vietnam_time():
    assert fmt.timestamp(dt.datetime(2024, 12, 31, 17, 30, tzinfo=dt.UTC)) == "00:30 ngày 01/01/2025"


def test_charts_use_config_order_and_vietnamese_locale(demo, config, year):
    programmes = views.by_programme(demo.activities, config, year, ["money_total"])
    spec = charts.bar(
        programmes,
        "label",
        "money_total",
        category_title="Chương trình",
        value_title="Kinh phí",
        unit="đồng",
        colour="label",
        scale=charts.programme_scale(config),
    ).to_dict()
    assert (
        spec["config"]["locale"]["number"]["thousands"] == "." and spec["config"]["locale"]["number"]["decimal"] == ","
    )
    assert spec["encoding"]["color"]["scale"]["domain"] == list(views.programme_labels(config).values())
    assert spec["encoding"]["x"]["title"] == "Kinh phí (triệu đồng)"
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert data["_text"].iloc[1].endswith(" đồng") and "." in data["_text"].iloc[1]
    org = charts.organisation_scale(config).to_dict()
    assert org["domain"][0] == views.organisation_labels(config)[next(iter(config.organisations))]


def test_a_card_no_row_records_is_unknown_not_zero(config):
    rows = [HEADER, ["06/04/2024", "Rô Men", "Thôn 1", "CT2", "Ngày thứ 7 cùng nhân dân", "Dọn vệ sinh", "", 1, 80]]
    rows.append(["06/04/2023", "Rô Men", "Thôn 1", "CT2", "Ngày thứ 7 cùng nhân dân", "Dọn vệ sinh", "", 2, ""])
    data = clean_tab(config, rows)
    cards = {c.code: c for c in views.kpis(data.activities, config, Period.year(2024), config.dashboard.overview.cards)}
    assert (cards["participants"].text, cards["participants"].delta) == ("80", None)  # none recorded a year earlier
    assert cards["participants"].help == "Không có số liệu cùng kỳ năm trước."
    assert (cards["money_total"].text, cards["money_total"].delta, cards["money_total"].figure) == ("–", None, "–")
    assert cards["money_total"].help.startswith("Chưa có dòng hoạt động nào ghi số liệu này trong kỳ.")
    assert (cards["rounds"].text, cards["rounds"].delta) == ("1", "-1 (-50%)")


# ---------------------------------------------------------------- the overview's opening sentence and sparklines


def test_headline_states_the_main_facts_like_for_like(demo, config):
    year = Period.year(2024)
    config = boundaries.scope(config, boundaries.AS_RECORDED, year.start, year.end)  # the 8 communes of 2024
    primary = config.dashboard.overview.primary
    now = ind.values(demo.activities, config, primary, Period.year(2024))
    before = ind.values(demo.activities, config, primary, Period.year(2023))
    text = views.headline(demo.activities, config, Period.year(2024), primary, demo.latest_date)
    assert text.startswith("Năm 2024: số hoạt động ")
    rise = fmt.percent((now["activities"] - before["activities"]) / before["activities"] * 100)
    assert f"số hoạt động {fmt.number(now['activities'])} (tăng {rise})" in text
    assert f"tổng kinh phí {fmt.figure(now['money_total'], 'đồng')}" in text
    assert f"số xã có hoạt động {fmt.number(now['communes_reached'])}/8." in text  # a count of the catalogue: no change
    assert text.endswith("So sánh với cùng kỳ 01/01–31/12/2023.")


def test_headline_of_a_running_year_compares_the_same_dates(demo, config):
    """The data stops on 24/10/2026: the sentence says so and compares with 01/01–24/10/2025."""
    primary = config.dashboard.overview.primary
    text = views.headline(demo.activities, config, Period.year(2026), primary, demo.latest_date)
    assert text.startswith(f"Năm 2026 (số liệu đến {fmt.short_date(demo.latest_date)}): ")
    same = Period(dt.date(2025, 1, 1), demo.latest_date.replace(year=2025))
    now = ind.values(demo.activities, config, ["activities"], Period.year(2026))["activities"]
    before = ind.values(demo.activities, config, ["activities"], same)["activities"]
    word = "tăng" if now > before else "giảm"
    assert f"số hoạt động {fmt.number(now)} ({word} {fmt.percent(abs(now - before) / before * 100)})" in text
    assert text.endswith(f"So sánh với cùng kỳ {same.span}.")


def test_headline_without_a_previous_year_or_without_activity(demo, config):
    primary = config.dashboard.overview.primary
    first = min(demo.activities["date"]).year
    text = views.headline(demo.activities, config, Period.year(first), primary, demo.latest_date)
    assert "tăng" not in text and "giảm" not in text
    assert text.endswith("Chưa có số liệu cùng kỳ năm trước để so sánh.")
    empty = views.headline(demo.activities, config, Period.year(first - 1), primary, demo.latest_date)
    assert empty == f"Năm {first - 1}: chưa có hoạt động nào được ghi nhận với bộ lọc đang chọn."


@pytest.mark.parametrize(
    "value, previous, expected",
    [(12, 10, "tăng 20%"), (8, 10, "giảm 20%"), (10, 10, "bằng cùng kỳ"), (5, 0, "cùng kỳ chưa có"), (0, 0, "")],
)
def test_headline_judgement_is_chosen_by_the_figures(value, previous, expected):
    assert views._judgement(float(value), float(previous)) == expected


def test_monthly_values_stop_where_the_data_stops(demo, config):
    series = views.monthly_values(demo.activities, config, Period.year(2026), ["activities"], demo.latest_date)
    assert len(series["activities"]) == demo.latest_date.month  # no empty months after the last report
    assert (
        sum(series["activities"])
        == ind.values(demo.activities, config, ["activities"], Period.year(2026))["activities"]
    )
    full = views.monthly_values(demo.activities, config, Period.year(2024), ["activities"], demo.latest_date)
    assert len(full["activities"]) == 12
    january = Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    assert full["activities"][0] == ind.values(demo.activities, config, ["activities"], january)["activities"]


def test_map_frame_places_each_commune_at_its_configured_centre(demo, config, year):
    table = views.commune_overview(demo.activities, config, year, ["activities"])
    frame = views.map_frame(table, config, "Xã", "Số hoạt động")
    assert list(frame["commune"]) == list(config.communes)
    assert frame["lat"].notna().all() and frame["lon"].notna().all()
    centre = config.map.communes["Đạ Long"]
    row = frame.set_index("commune").loc["Đạ Long"]
    assert (row["lat"], row["lon"]) == (centre.lat, centre.lon)
    assert (
        row["value"]
        == ind.compute(demo.activities, config, ["activities"], year, "commune")
        .set_index("commune")
        .loc["Đạ Long", "activities"]
    )


# ---------------------------------------------------------------- the report preview


def test_preview_hides_layout_marks_and_names_footnotes_in_vietnamese():
    draft = (
        "Câu có chú thích[^a] và một câu khác[^b].\n\n[^a]: Chi tiết A.\n[^b]: Chi tiết B.\n\n"
        "<!-- cột: trái -->\n***Nơi nhận:***\n<!-- cột: hết -->\n\n<!-- trang mới -->\n**PHỤ LỤC**\n"
    )
    shown = views.preview_markdown(draft)
    assert "<!--" not in shown and "[^" not in shown
    assert "Câu có chú thích⁽¹⁾ và một câu khác⁽²⁾." in shown
    assert shown.endswith("**Chú thích**\n\n1. Chi tiết A.\n2. Chi tiết B.\n")
    assert "\n\n---\n\n**PHỤ LỤC**" in shown  # the page break is a rule, never a heading


def test_preview_of_the_demo_draft(demo, config):
    from lib import report

    shown = views.preview_markdown(report.render_markdown(demo, config, Period.year(2024)))
    assert "<!--" not in shown and "[^" not in shown and "Footnotes" not in shown
    assert "**Chú thích**" in shown and "⁽¹⁾" in shown


# ---------------------------------------------------------------- charts that read on a phone


def test_bars_are_sorted_by_value_and_long_labels_wrap(demo, config, year):
    programmes = views.by_programme(demo.activities, config, year, ["money_total"])
    spec = charts.bar(
        programmes, "label", "money_total", category_title="Chương trình", value_title="Kinh phí", unit="đồng"
    ).to_dict()
    expected = list(programmes.sort_values("money_total", ascending=False, kind="stable")["label"])
    assert spec["encoding"]["y"]["sort"] == expected
    label_expr = spec["encoding"]["y"]["axis"]["labelExpr"]
    longest = max(expected, key=len)
    assert json.dumps(charts.wrap(longest), ensure_ascii=False) in label_expr
    assert all(len(line) <= charts.WRAP for line in charts.wrap(longest) if " " in line)


def test_wrap_keeps_words_whole():
    assert charts.wrap("CT2. Quốc phòng, dân vận, hậu phương quân đội", 22) == [
        "CT2. Quốc phòng, dân",
        "vận, hậu phương quân",
        "đội",
    ]
    assert charts.wrap("Ngắn") == ["Ngắn"]


def test_every_heatmap_column_is_named(demo, config, year):
    grid = views.completeness(demo.activities, config, year)
    spec = charts.heatmap(
        grid, "month_label", "label", "count", x_title="Tháng", y_title="Đơn vị", value_title="Số hoạt động"
    ).to_dict()
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["labelOverlap"] is False  # Vega would otherwise drop the labels that collide


def test_percent_tooltips_carry_the_sign_and_one_precision():
    frame = pd.DataFrame({"Xã": ["A", "B"], "Độ phủ": [16.666666, 25.0]})
    spec = charts.bar(frame, "Xã", "Độ phủ", category_title="Xã", value_title="Độ phủ thôn", unit="%").to_dict()
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert list(data["_text"]) == [fmt.percent(16.666666), "25%"] == ["16,67%", "25%"]
    assert spec["encoding"]["x"]["title"] == "Độ phủ thôn (%)"


def test_commune_map_draws_points_or_configured_shapes(demo, config, year):
    table = views.commune_overview(demo.activities, config, year, ["activities"])
    frame = views.map_frame(table, config, "Xã", "Số hoạt động")
    points = charts.commune_map(frame, "value", value_title="Số hoạt động").to_dict()
    marks = [layer["mark"]["type"] for layer in points["layer"]]
    assert marks == ["circle", "text"] and points["layer"][0]["encoding"]["longitude"]["field"] == "lon"
    shapes = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"ten": name},
                "geometry": {"type": "Point", "coordinates": [centre.lon, centre.lat]},
            }
            for name, centre in config.map.communes.items()
        ],
    }
    spec = charts.commune_map(frame, "value", value_title="Số hoạt động", shapes=shapes, name_property="ten")
    spec = spec.to_dict()
    assert spec["mark"]["type"] == "geoshape"
    assert spec["transform"][0]["calculate"] == 'datum.properties["ten"]'
    assert len(spec["data"]["values"]) == len(config.map.communes) == 13  # the 8 communes, Đưng K'Nớ, the 4 new


def test_completeness_stops_where_the_data_stops(demo, config):
    running = views.completeness(demo.activities, config, Period.year(2026), demo.latest_date)
    assert list(dict.fromkeys(running["month_label"])) == [
        f"{m:02d}/2026" for m in range(1, demo.latest_date.month + 1)
    ]
    assert (
        running["count"].sum() == ind.values(demo.activities, config, ["activities"], Period.year(2026))["activities"]
    )
    assert (
        len(views.completeness(demo.activities, config, Period.year(2024), demo.latest_date)["month_label"].unique())
        == 12
    )


def test_a_phone_lists_each_row_as_a_card_with_every_column():
    frame = pd.DataFrame(
        {
            "Tab": ["Hội CCB", "MTTQ <b>"],
            "Dòng": [77, 105],
            "Vấn đề": ["Không đọc được ngày.", "Hoạt động tại «Đưng K'Nớ» (khi đó thuộc huyện Lạc Dương)"],
            "Tỷ lệ (%)": [16.666, 25.0],
            "Ngày": [pd.Timestamp("2024-03-05"), pd.NaT],
            "Vùng": ["III", ""],
        }
    )
    cards = views.phone_cards(frame, "Danh sách cần sửa")
    assert cards.count("<li class='bcd-card'>") == 2 and "aria-label='Danh sách cần sửa'" in cards
    assert "<p class='bcd-card-title'>Hội CCB</p>" in cards and "MTTQ &lt;b&gt;" in cards  # escaped, not markup
    assert "<dt>Dòng</dt><dd>77</dd>" in cards and "<dt>Tỷ lệ (%)</dt><dd>16,67%</dd>" in cards
    assert "<dt>Ngày</dt><dd>05/03/2024</dd>" in cards and "<dt>Ngày</dt><dd>–</dd>" in cards
    assert "<dt>Vùng</dt><dd>III</dd>" in cards and "<dt>Vùng</dt><dd>–</dd>" in cards  # a blank is said
    assert "Đưng K&#x27;Nớ" in cards and "bcd-cards-note" not in cards  # every message whole, every row listed


def test_a_long_table_on_a_phone_says_how_many_rows_it_lists():
    frame = pd.DataFrame({"Tab": [f"Tab {i}" for i in range(1_234)], "Dòng": range(1_234), "Vấn đề": "x"})
    cards = views.phone_cards(frame, "Danh sách", limit=200)
    assert cards.count("<li class='bcd-card'>") == 200
    assert "Đang liệt kê 200/1.234 dòng đầu; đủ các dòng trong «Tải số liệu»" in cards
