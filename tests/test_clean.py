"""Each cleaning rule on the Vietnamese edge cases people actually type. Issues are checked by
their problem code and the cell they point at (tab, row, column, value), never by their wording."""

import copy
import dataclasses
import datetime as dt
import shutil
import unicodedata

import pandas as pd
import pytest

from lib.clean import RULES, clean
from lib.config import DEFAULT_CONFIG_DIR, load_config
from lib.normalize import SHEET_ERRORS
from lib.problems import ERROR, OUT_OF_SCOPE, PROBLEMS, WARNING
from tests.conftest import HEADER, clean_tab, raw_data

ROW = ["05/03/2024", "Rô Men", "Thôn 1", 2, "Ngày thứ 7 cùng nhân dân", "Dọn vệ sinh", "", 1, 120, ""]


def issues_of(dataset, severity=None, tab="BCHQS"):
    issues = dataset.issues[dataset.issues["tab"] == tab]
    return issues if severity is None else issues[issues["severity"] == severity]


def found(dataset, severity=None, tab="BCHQS"):
    """The issues of a tab as (code, row, column, value), in table order."""
    issues = issues_of(dataset, severity, tab)
    rows = issues["row"].astype(object).where(issues["row"].notna(), None)
    return list(zip(issues["code"], rows, issues["column"], issues["value"]))


def stats_of(dataset, tab="BCHQS"):
    stats = dataset.tab_stats.set_index("tab").loc[tab]
    return int(stats["rows"]), int(stats["accepted"]), int(stats["excluded"])


def test_valid_row_is_accepted_with_its_sheet_row(config):
    d = clean_tab(config, [HEADER, ROW])
    assert len(d.activities) == 1
    row = d.activities.iloc[0]
    assert (row["row"], row["commune"], row["village"], row["programme"], row["activity_type"]) == (
        2,
        "Rô Men",
        "Thôn 1",
        "CT2",
        "ngay_thu_7",
    )
    assert row["participants"] == 120 and row["organisation"] == "bchqs" and row["group"] == "armed_forces"
    assert d.issues.empty  # the other tabs are empty (not started yet): nothing to report


def test_issues_table_columns_and_every_code_in_the_catalogue(config, demo):
    assert list(demo.issues.columns) == [
        "severity",
        "code",
        "tab",
        "organisation",
        "row",
        "column",
        "value",
        "message",
        "suggestion",
    ]
    assert set(demo.issues["code"]) <= set(PROBLEMS)
    severities = demo.issues["code"].map(lambda code: PROBLEMS[code].severity)
    assert (severities == demo.issues["severity"]).all()


def test_catalogue_entries_are_complete():
    for code, problem in PROBLEMS.items():
        assert problem.code == code and problem.severity in (ERROR, WARNING, OUT_OF_SCOPE)
        assert problem.title and problem.message and problem.fix
        assert "." in code and code == code.lower()


def test_rules_read_as_a_list_of_checks():
    assert [rule.__name__ for rule in RULES][:4] == [
        "check_formula_errors",
        "fill_merged_cells",
        "check_dates",
        "check_communes",
    ]
    assert all(rule.__doc__ for rule in RULES)


def test_nfd_and_curly_apostrophes_match_communes(config):
    nfd = unicodedata.normalize("NFD", "Đạ K’ Nàng")
    d = clean_tab(config, [HEADER, ["05/03/2024", nfd, "Pul", 2, "Ngày thứ 7 cùng nhân dân", "", "", 1, 10]])
    assert d.activities["commune"].tolist() == ["Đạ K'Nàng"] and d.activities["village"].tolist() == ["Pul"]


def test_text_numbers_and_serial_and_text_dates(config):
    rows = [
        HEADER,
        [45356, "Rô Men", "", "2", "Ngày thứ 7 cùng nhân dân", "", "", "1", "1.265", "1.265.000"],
        ["2024-03-09", "Rô Men", "", "CT2", "Ngày thứ 7 cùng nhân dân", "", "", 1, 20, "4.080 triệu"],
    ]
    d = clean_tab(config, rows)
    assert d.activities["date"].dt.strftime("%d/%m/%Y").tolist() == ["05/03/2024", "09/03/2024"]
    assert d.activities["participants"].tolist() == [1265, 20]
    assert d.activities["mobilised"].tolist() == [1_265_000, 4_080_000_000]


def test_blank_rows_are_skipped_and_rows_keep_sheet_numbers(config):
    clash = ROW[:3] + [2, "Tuyên truyền"] + ROW[5:]
    d = clean_tab(config, [HEADER, ROW, [], ["", "  "], clash])
    assert d.activities["row"].tolist() == [2]
    assert found(d) == [("activity_type.programme_mismatch", 5, "Loại hoạt động", "Tuyên truyền")]
    assert stats_of(d) == (2, 1, 1)


def test_reordered_and_aliased_headers(config):
    header = ["Hoạt động", "Số người tham gia", "xa / thi tran", "NGÀY THỰC HIỆN", "chuong trinh", "Vận động"]
    d = clean_tab(config, [header, ["Ngày thứ 7 cùng nhân dân", 45, "Đạ Long", "01/06/2024", 2, "2,5 triệu"]])
    row = d.activities.iloc[0]
    assert (row["commune"], row["participants"], row["mobilised"]) == ("Đạ Long", 45, 2_500_000)


def test_tabs_with_different_layouts_and_blank_lines_keep_their_own_rows(config):
    """Tabs laid out differently are cleaned together: each row keeps its tab, sheet row and values."""
    tabs = {name: [] for name in config.organisation_tabs}
    reordered = ["Người tham gia", "Xã", "Ngày", "Loại hoạt động", "Chương trình", "Thôn"]
    tabs["BCHQS"] = [HEADER, ROW, [], [], ROW[:1] + ["Đạ Long", "Đạ Nhinh 1"] + ROW[3:8] + [7]]
    tabs["Hội Phụ nữ"] = [
        reordered + ["Người báo cáo"],
        [],
        [33, "Đạ M'Rông", "06/03/2024", "Ngày thứ 7 cùng nhân dân", 2, "", "sáng"],
    ]
    tabs["MTTQ"] = [HEADER, [], ["31/02/2024", "Đạ Tông", ""] + ROW[3:]]
    d = clean(raw_data(tabs), config)
    got = d.activities[["tab", "row", "commune", "village", "participants", "extra:Người báo cáo"]].astype(object)
    assert got.values.tolist() == [
        ["BCHQS", 2, "Rô Men", "Thôn 1", 120, None],
        ["BCHQS", 5, "Đạ Long", "Đạ Nhinh 1", 7, None],
        ["Hội Phụ nữ", 3, "Đạ M'Rông", None, 33, "sáng"],
    ]
    # a commune met only on an excluded row is no category of the table
    assert list(d.activities["commune"].cat.categories) == ["Rô Men", "Đạ Long", "Đạ M'Rông"]
    assert found(d, tab="MTTQ") == [("date.invalid", 3, "Ngày", "31/02/2024")]


def test_dataset_types_do_not_depend_on_the_pandas_version(config):
    """Dates are datetime64[ns]; the text columns of activities and targets are object with None for a
    blank (not pandas 3's str dtype, whose blank is NaN); a tab without accepted rows has no latest date."""
    tabs = {name: [] for name in config.organisation_tabs}
    tabs["BCHQS"] = [
        [*HEADER, "Người báo cáo"],
        ["05/03/2024", "Rô Men", "", 2, "Ngày thứ 7 cùng nhân dân", "", "", 1, 120, "", ""],
        ["06/03/2024", "Rô Men", "Thôn 1", 2, "Ngày thứ 7 cùng nhân dân", "Họp dân", "", 1, 30, "", "Anh Ba"],
    ]
    tabs["MTTQ"] = [HEADER, ["31/02/2024", *ROW[1:]]]  # its only row is excluded
    tabs["Chỉ tiêu"] = [["Năm", "Chỉ tiêu", "Xã", "Giá trị"], [2024, "recruits", "", 65]]
    d = clean(raw_data(tabs), config)
    assert d.activities["date"].dtype == "datetime64[ns]"
    text = ["village", "content", "extra:Người báo cáo"]
    assert [d.activities[c].dtype for c in [*text, "partners"]] == [object] * 4
    assert d.activities[text].values.tolist() == [[None, None, None], ["Thôn 1", "Họp dân", "Anh Ba"]]
    assert [d.targets[c].dtype for c in ("indicator", "commune")] == [object, object]
    assert d.targets[["indicator", "commune"]].values.tolist() == [["recruits", None]]
    latest = d.tab_stats.set_index("tab")["latest_date"]
    assert latest.dtype == "datetime64[ns]"
    assert latest["BCHQS"] == pd.Timestamp("2024-03-06") and pd.isna(latest["MTTQ"])


def test_village_in_the_wrong_commune_is_an_error_naming_its_home(config):
    d = clean_tab(config, [HEADER, ["05/03/2024", "Rô Men", "Pul", 2, "Ngày thứ 7 cùng nhân dân", "", "", 1, 10]])
    assert d.activities.empty
    assert found(d) == [("village.elsewhere", 2, "Thôn", "Pul")]
    assert "Đạ K'Nàng" in issues_of(d)["suggestion"].iloc[0]


def test_unknown_village_is_a_warning_and_row_kept(config):
    d = clean_tab(config, [HEADER, ["05/03/2024", "Rô Men", "Thôn 9", 2, "Ngày thứ 7 cùng nhân dân", "", "", 1, 10]])
    assert len(d.activities) == 1 and pd.isna(d.activities["village"].iloc[0])
    assert found(d) == [("village.unknown", 2, "Thôn", "Thôn 9")]


def test_village_numbers_match_with_or_without_leading_zeros(config):
    """ "Thôn 01", "thôn 1", "Thon 01" are the catalogue's "Thôn 1"; "Thôn 10" is another village."""
    typed = ["Thôn 01", "thôn 1", "Thon 01", "THÔN 001", "01", "Liêng Trang 02", "Thôn 10", "Thôn 0"]
    rows = [HEADER] + [ROW[:2] + [village] + ROW[3:8] + [i] for i, village in enumerate(typed)]
    d = clean_tab(config, rows)
    assert d.activities["village"].tolist() == [*["Thôn 1"] * 5, "Liêng Trang 2", None, None]
    assert found(d) == [("village.unknown", 8, "Thôn", "Thôn 10"), ("village.unknown", 9, "Thôn", "Thôn 0")]


def test_commune_numbers_match_with_or_without_leading_zeros(tmp_path):
    directory = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, directory)
    unit = directory / "unit.yaml"
    unit.write_text(
        unit.read_text(encoding="utf-8").replace(
            "- name: Rô Men\n      aliases: [xã Rô Men, Romen]", "- name: Phường 1"
        ),
        encoding="utf-8",
    )
    centres = directory / "map.yaml"
    centres.write_text(centres.read_text(encoding="utf-8").replace("Rô Men:", "Phường 1:"), encoding="utf-8")
    numbered = load_config(directory)
    typed = ["Phường 01", "phuong 1", "PHƯỜNG 001", "Phường 10", "Phường 11"]
    rows = [HEADER] + [["05/03/2024", commune, "Thôn 01"] + ROW[3:8] + [i] for i, commune in enumerate(typed)]
    d = clean_tab(numbered, rows)
    assert d.activities["commune"].tolist() == ["Phường 1"] * 3
    assert d.activities["village"].tolist() == ["Thôn 1"] * 3
    assert found(d) == [("commune.unknown", 5, "Xã", "Phường 10"), ("commune.unknown", 6, "Xã", "Phường 11")]


def test_village_under_the_whole_unit_is_dropped_with_a_warning(config):
    d = clean_tab(config, [HEADER, ["05/03/2024", "Toàn huyện", "Thôn 1", 2, "Ngày thứ 7 cùng nhân dân", "", "", 1]])
    assert len(d.activities) == 1 and pd.isna(d.activities["village"].iloc[0])
    assert found(d) == [("village.whole_unit", 2, "Thôn", "Thôn 1")]


def test_unknown_commune_gets_a_fuzzy_suggestion(config):
    d = clean_tab(config, [HEADER, ["05/03/2024", "Đạ Lonh", "", 2, "Ngày thứ 7 cùng nhân dân", "", "", 1, 10]])
    assert found(d) == [("commune.unknown", 2, "Xã", "Đạ Lonh")]
    assert "«Đạ Long»" in issues_of(d)["suggestion"].iloc[0]


def test_errors_exclude_rows_and_name_the_cell(config):
    rows = [
        HEADER,
        ["31/02/2024", "Rô Men", "", 2, "Ngày thứ 7 cùng nhân dân", "", "", 1, 10],
        ["05/03/2024", "Rô Men", "", 2, "Ngày thứ 7 cùng nhân dân", "", "", 1, "khoảng 50 người"],
        ["05/03/2024", "Rô Men", "", 2, "Ngày thứ 7 cùng nhân dân", "", "", -1, 10],
        ["05/03/2024", "Rô Men", "", 2, "Ngày thứ 7 cùng nhân dân", "", "", "1,5", 10],
        ["05/03/2024", "Rô Men", "", 2, "Ngày thứ 7 cùng nhân dân", "", "", 1, 10, "#REF!"],
        ["05/03/2024", "Rô Men", "", 7, "Họp dân", "", "", 1, 10],
        ["", "Rô Men", "", "", "Ngày thứ 7 cùng nhân dân", "", "", 1, 10],
    ]
    d = clean(raw_data({**{name: [] for name in config.organisation_tabs}, "BCHQS": rows}), config)
    assert d.activities.empty
    assert sorted(found(d, ERROR)) == [
        ("activity_type.unknown", 7, "Loại hoạt động", "Họp dân"),
        ("cell.formula_error", 6, "Vận động, tài trợ (đồng)", "#REF!"),
        ("date.invalid", 2, "Ngày", "31/02/2024"),
        ("number.fraction", 5, "Số đợt", "1,5"),
        ("number.negative", 4, "Số đợt", "-1"),
        ("number.text", 3, "Người tham gia", "khoảng 50 người"),
        ("programme.unknown", 7, "Chương trình", "7"),
        ("programme.unknown", 8, "Chương trình", "7"),  # taken from row 7 as a merged cell
    ]
    assert found(d, WARNING) == [("cell.fill_down", 8, "Ngày", ""), ("cell.fill_down", 8, "Chương trình", "")]
    assert stats_of(d) == (7, 0, 7)


def test_every_excluded_row_has_an_error(demo):
    stats = demo.tab_stats.set_index("tab")
    errors = demo.issues[demo.issues["severity"] == "error"].dropna(subset=["row"])
    for tab, excluded in stats["excluded"].items():
        assert errors[errors["tab"] == tab]["row"].nunique() == excluded
    assert (stats["rows"] == stats["accepted"] + stats["excluded"] + stats["out_of_scope"]).all()
    outside = demo.issues[demo.issues["severity"] == OUT_OF_SCOPE]
    assert outside["row"].tolist() == [105] and stats.at["MTTQ", "out_of_scope"] == 1


def test_merged_looking_blank_cell_takes_the_value_above_with_a_warning(config):
    rows = [HEADER, ROW, ["12/03/2024", "", "Thôn 2", 2, "Ngày thứ 7 cùng nhân dân", "", "", 1, 30]]
    d = clean_tab(config, rows)
    assert d.activities["commune"].tolist() == ["Rô Men", "Rô Men"]
    assert found(d) == [("cell.fill_down", 3, "Xã", "")]
    assert "«Rô Men»" in issues_of(d)["message"].iloc[0]


@pytest.mark.parametrize("error", ["#N/A", "#SPILL!", "#CALC!", "Err:502", "#div/0!"])
def test_formula_errors_are_errors_and_never_filled_down(config, error):
    rows = [HEADER, [error] + ROW[1:], [""] + ROW[1:8] + [30]]
    d = clean_tab(config, rows)
    assert d.activities.empty
    assert found(d) == [("cell.formula_error", 2, "Ngày", error), ("date.missing", 3, "Ngày", "")]


def test_missing_required_column_is_one_tab_issue(config):
    header = [h for h in HEADER if h != "Xã"]
    d = clean_tab(config, [header, ROW[:1] + ROW[2:], ROW[:1] + ROW[2:]])
    assert d.activities.empty
    assert found(d) == [("tab.missing_columns", 1, "Xã", "")]
    assert stats_of(d) == (2, 0, 2)


def test_unknown_column_is_kept_and_reported_once(config):
    d = clean_tab(
        config, [HEADER + ["Người báo cáo"], ROW + ["Anh Tú"], ROW[:1] + ["Đạ Long", ""] + ROW[3:] + ["Chị Lan"]]
    )
    assert d.activities["extra:Người báo cáo"].tolist() == ["Anh Tú", "Chị Lan"]
    assert found(d) == [("header.unknown", 1, "Người báo cáo", "Người báo cáo")]


def test_repeated_header_is_reported_and_the_first_column_used(config):
    d = clean_tab(config, [HEADER + ["Số người tham gia"], ROW + [999]])
    assert d.activities["participants"].tolist() == [120]
    assert found(d) == [("header.duplicate", 1, "Số người tham gia", "Số người tham gia")]


def test_partners_are_parsed_and_matched(config):
    d = clean_tab(config, [HEADER, ROW[:6] + ["Đoàn TN; Hội Phụ nữ, UBND xã, BCHQS"] + ROW[7:]])
    assert d.activities["partners"].iloc[0] == ("doan_tn", "phu_nu", "UBND xã")


def test_duplicate_rows_are_flagged_but_counted(config):
    d = clean_tab(config, [HEADER, ROW, ROW])
    assert len(d.activities) == 2
    assert found(d) == [("row.duplicate", 3, "", "")]
    assert "dòng 2" in issues_of(d)["message"].iloc[0]


def test_rows_equal_as_text_are_duplicates_whatever_the_cell_type(config):
    typed_as_text = ROW[:7] + ["1", "120"]  # the same figures typed as text
    other = ROW[:8] + [121]
    d = clean_tab(config, [HEADER, ROW, other, typed_as_text])
    assert found(d) == [("row.duplicate", 4, "", "")]


def test_missing_and_hidden_tabs(config):
    tabs = {name: [HEADER] for name in config.organisation_tabs if name != "Hội Phụ nữ"}
    tabs["Hoi Phu nu"] = [HEADER]
    d = clean(raw_data(tabs, hidden=frozenset({"MTTQ"})), config)
    assert found(d, tab="Hội Phụ nữ") == [("tab.missing", None, "", "")]
    assert "«Hoi Phu nu»" in issues_of(d, tab="Hội Phụ nữ")["suggestion"].iloc[0]
    assert found(d, tab="MTTQ") == [("tab.hidden", None, "", "")]
    assert d.tab_stats.set_index("tab").loc["Hội Phụ nữ", "missing"]


def test_targets_tab_is_read_and_validated(config):
    tabs = {name: [] for name in config.organisation_tabs}
    tabs["Chỉ tiêu"] = [
        ["Năm", "Chỉ tiêu", "Xã", "Giá trị"],
        [2024, "Thanh niên nhập ngũ", "", 65],
        [2024, "recruits", "Đạ Long", "7"],
        ["2024", "Không có", "", 1],
        [2024, "recruits", "", "nhiều"],
        ["năm nay", "", "Đạ Lonh", 3],
    ]
    d = clean(raw_data(tabs), config)
    assert d.targets[["indicator", "commune", "value"]].values.tolist() == [
        ["recruits", None, 65.0],
        ["recruits", "Đạ Long", 7.0],
    ]
    assert found(d, tab="Chỉ tiêu") == [
        ("target.indicator_unknown", 4, "Chỉ tiêu", "Không có"),
        ("target.value", 5, "Giá trị", "nhiều"),
        ("target.year", 6, "Năm", "năm nay"),
        ("target.indicator_missing", 6, "Chỉ tiêu", ""),
        ("target.commune_unknown", 6, "Xã", "Đạ Lonh"),
    ]


def test_targets_tab_without_its_columns(config):
    tabs = {name: [] for name in config.organisation_tabs}
    tabs["Chỉ tiêu"] = [["Năm", "Xã"], [2024, "Đạ Long"]]
    d = clean(raw_data(tabs), config)
    assert found(d, tab="Chỉ tiêu") == [("target.missing_columns", 1, "Chỉ tiêu, Giá trị", "")]


def test_narrative_tabs(config):
    tabs = {name: [] for name in config.organisation_tabs}
    tabs["Nhận định"] = [["Năm", "Mục", "Nội dung"], [2024, "Ưu điểm", "Phối hợp\x0btốt"], ["x", "", "Văn bản"]]
    tabs["Phương hướng"] = [["Năm", "Mục", "Nội dung"], [2025, "", ""], [2025, "", "Duy trì"]]
    d = clean(raw_data(tabs), config)
    assert d.narratives[["kind", "year", "text", "row"]].values.tolist() == [
        ["assessment", 2024, "Phối hợp tốt", 2],
        ["directions", 2025, "Duy trì", 3],
    ]
    assert found(d, tab="Nhận định") == [("narrative.year", 3, "Năm", "x")]
    assert found(d, tab="Phương hướng") == [("narrative.text_missing", 2, "Nội dung", "")]


@pytest.mark.parametrize("whole", ["Toàn huyện", "toan huyen", "Đam Rông", "huyện"])
def test_whole_unit_label(config, whole):
    d = clean_tab(config, [HEADER, ["05/03/2024", whole, "", 2, "Thăm hỏi, tặng quà Tết", "", "", 1, 10]])
    assert d.activities["commune"].tolist() == ["Toàn huyện"]


# ---------------------------------------------------------------- hardening rules


def test_dates_outside_the_plausible_window_are_errors_not_lost(config):
    """Today is 31/12/2024 (the fetch date); the window runs from 01/01/2000 to today + 366 days."""
    dates = ["05/03/0224", "01/01/2300", 2958465, "31/12/1999", "02/01/2026", "15/06/2025", "01/01/2000"]
    rows = [HEADER] + [[day] + ROW[1:8] + [i] for i, day in enumerate(dates)]
    d = clean_tab(config, rows)
    assert found(d, ERROR) == [
        ("date.out_of_range", 2, "Ngày", "05/03/0224"),
        ("date.out_of_range", 3, "Ngày", "01/01/2300"),
        ("date.out_of_range", 4, "Ngày", "2958465"),
        ("date.out_of_range", 5, "Ngày", "31/12/1999"),
        ("date.out_of_range", 6, "Ngày", "02/01/2026"),
    ]
    assert found(d, WARNING) == [("date.future", 7, "Ngày", "15/06/2025")]
    assert d.activities["row"].tolist() == [7, 8]
    assert stats_of(d) == (7, 2, 5)


def test_a_year_typed_alone_is_an_error_not_a_date_in_1905(config):
    """2025 typed in a date cell is the sheet serial of 17/07/1905: it is reported as a year typed
    alone, whatever its form; real serials and serials with a time of day stay dates."""
    dates = [2025, "2025", 2024.0, " năm 2024 ", 1900, 2100, 45356, 45356.5, 1899, 2101]
    rows = [HEADER] + [[day] + ROW[1:8] + [i] for i, day in enumerate(dates)]
    d = clean_tab(config, rows)
    assert found(d, ERROR) == [
        ("date.year_only", 2, "Ngày", "2025"),
        ("date.year_only", 3, "Ngày", "2025"),
        ("date.year_only", 4, "Ngày", "2024"),
        ("date.year_only", 5, "Ngày", " năm 2024 "),
        ("date.year_only", 6, "Ngày", "1900"),
        ("date.year_only", 7, "Ngày", "2100"),
        ("date.out_of_range", 10, "Ngày", "1899"),
        ("date.out_of_range", 11, "Ngày", "2101"),
    ]
    assert d.activities["row"].tolist() == [8, 9]
    assert d.activities["date"].dt.strftime("%d/%m/%Y").tolist() == ["05/03/2024", "05/03/2024"]
    issue = d.issues[d.issues["code"] == "date.year_only"].iloc[0]
    assert "2025" in issue["message"] and "05/03/2025" in issue["suggestion"]
    assert stats_of(d) == (10, 2, 8)


def test_a_year_typed_alone_above_merged_looking_cells_is_not_copied_as_a_date(config):
    rows = [HEADER, [2024] + ROW[1:], [""] + ROW[1:8] + [7]]
    d = clean_tab(config, rows)
    assert [issue[:2] for issue in found(d, ERROR)] == [("date.year_only", 2), ("date.year_only", 3)]
    assert d.activities.empty


def test_plausible_window_follows_the_settings(config):
    settings = config.settings.model_copy(update={"earliest_year": 2024, "latest_days_ahead": 0})
    narrow = copy.copy(config)
    narrow.settings = settings
    rows = [HEADER, ["31/12/2023"] + ROW[1:], ["01/01/2025"] + ROW[1:8] + [5], ["31/12/2024"] + ROW[1:8] + [6]]
    d = clean_tab(narrow, rows)
    assert [issue[:2] for issue in found(d)] == [("date.out_of_range", 2), ("date.out_of_range", 3)]
    assert d.activities["row"].tolist() == [4]


@pytest.mark.parametrize("dash", ["-", "–", "—", " - ", "--"])
def test_a_lone_dash_in_a_number_cell_is_blank_with_a_warning(config, dash):
    rows = [HEADER, ROW[:8] + [dash, dash], ROW[:8] + ["-5"]]
    d = clean_tab(config, rows)
    assert found(d) == [
        ("number.dash", 2, "Người tham gia", dash),
        ("number.dash", 2, "Vận động, tài trợ (đồng)", dash),
        ("number.negative", 3, "Người tham gia", "-5"),
    ]
    assert PROBLEMS["number.dash"].severity == WARNING
    assert d.activities["row"].tolist() == [2]
    row = d.activities.iloc[0]
    assert pd.isna(row["participants"]) and pd.isna(row["mobilised"]) and row["rounds"] == 1
    assert stats_of(d) == (2, 1, 1)


@pytest.mark.parametrize("typed", ["1,2,3", "0,5,0", "1.000.5", "12.34.56", "1 2 3"])
def test_malformed_numbers_are_refused(config, typed):
    d = clean_tab(config, [HEADER, ROW[:8] + [typed]])
    assert d.activities.empty
    assert found(d) == [("number.malformed", 2, "Người tham gia", typed)]


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("1.265.000", 1_265_000),
        ("26,5", 26.5),
        ("4.080", 4080),
        ("26.5", 26.5),
        ("4.080 triệu", 4_080_000_000),
        ("2.815 tr", 2_815_000_000),
        ("500k", 500_000),
        ("95 km", 95),
        ("1 265 000 đồng", 1_265_000),
    ],
)
def test_documented_number_forms_are_read(config, typed, expected):
    d = clean_tab(config, [[*HEADER, "Ngày công"], [*ROW[:9], typed, typed]])
    assert issues_of(d).empty
    assert d.activities[["mobilised", "labour_days"]].values.tolist() == [[expected, expected]]


def test_implausible_values_are_warnings_and_huge_ones_errors(config):
    measures = dict(config.measures)
    measures["participants"] = measures["participants"].model_copy(update={"plausible_max": 1000})
    strict = copy.copy(config)
    strict.measures = measures
    rows = [HEADER, ROW[:8] + [5000], ROW[:8] + [1000], ROW[:8] + [110], ROW[:8] + [7, "1e15"], ROW[:8] + [9, 1e15]]
    d = clean_tab(strict, rows)
    assert found(d) == [
        ("number.implausible", 2, "Người tham gia", "5000"),
        ("number.text", 5, "Vận động, tài trợ (đồng)", "1e15"),
        ("number.too_large", 6, "Vận động, tài trợ (đồng)", "1000000000000000"),
    ]
    assert d.activities["row"].tolist() == [2, 3, 4]


def test_rows_with_data_only_under_headerless_columns_are_reported(config):
    header = HEADER[:3] + [""] + HEADER[3:]
    full = ROW[:3] + ["ghi chú"] + ROW[3:]
    rows = [header, full, ["", "", "", "chỉ có ô này"], [], [""] * 12 + ["lạc"]]
    d = clean_tab(config, rows)
    assert d.activities["row"].tolist() == [2]
    assert found(d) == [
        ("row.unlabelled_data", 3, "D", "chỉ có ô này"),
        ("row.unlabelled_data", 5, "M", "lạc"),
    ]
    assert "D3" in issues_of(d)["message"].iloc[0]
    assert stats_of(d) == (3, 1, 2)


def test_stray_cells_far_from_the_data_are_reported(config):
    raw = raw_data({**{name: [] for name in config.organisation_tabs}, "BCHQS": [HEADER, ROW]})
    tabs = dict(raw.tabs)
    tabs["BCHQS"] = dataclasses.replace(tabs["BCHQS"], stray=[(1048576, 16383, "x"), (5000, 2, 12), (6000, 2, "y")])
    d = clean(dataclasses.replace(raw, tabs=tabs), config)
    assert len(d.activities) == 1
    assert found(d) == [
        ("cell.stray", 5000, "C", "12"),
        ("cell.stray", 6000, "C", "y"),
        ("cell.stray", 1048576, "XFD", "x"),
    ]
    assert "C6000" in issues_of(d)["message"].iloc[1] and "XFD1048576" in issues_of(d)["message"].iloc[2]


def test_control_characters_become_spaces(config):
    content = "Dọn\x0bvệ\x00sinh\x1b  đường"
    d = clean_tab(config, [HEADER + ["Người báo cáo"], ROW[:5] + [content] + ROW[6:] + ["Anh\x0cTú"]])
    assert d.activities["content"].tolist() == ["Dọn vệ sinh đường"]
    assert d.activities["extra:Người báo cáo"].tolist() == ["Anh Tú"]


def test_every_excel_error_literal_is_a_formula_error():
    from lib.normalize import is_sheet_error

    for literal in [*SHEET_ERRORS, "Err:502", "Err:504", " #n/a "]:
        assert is_sheet_error(literal), literal
    for text in ["#", "#1", "Error", "Err:", "N/A", "Không có"]:
        assert not is_sheet_error(text)


def test_a_checkbox_never_turns_the_number_one_into_true(config):
    """True == 1 in Python: a ticked checkbox met first must not make every 1 of the sheet a TRUE."""
    d = clean_tab(config, [["Đã duyệt", *HEADER], [True, *ROW], [False, *ROW[:7], 0, 5]])
    assert found(d) == [("header.unknown", 1, "Đã duyệt", "Đã duyệt")]
    assert d.activities["rounds"].tolist() == [1, 0]
    assert d.activities["extra:Đã duyệt"].tolist() == [True, False]


def test_today_is_the_day_in_vietnam_whatever_the_server_clock(config):
    """Read at 18:00 UTC on 30/11/2026 (01:00 on 01/12 in Vietnam): a row of 01/12 is today's, not a future one."""
    tabs = {name: [] for name in config.organisation_tabs}
    tabs["BCHQS"] = [HEADER, ["01/12/2026", *ROW[1:8], 1], ["02/12/2026", *ROW[1:8], 2]]
    raw = dataclasses.replace(raw_data(tabs), fetched_at=dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC))
    d = clean(raw, config)
    future = [f for f in found(d, WARNING) if f[0].startswith("date.")]
    assert future == [("date.future", 3, "Ngày", "02/12/2026")]
