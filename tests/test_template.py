"""The offline template: same tabs, headers and dropdowns as init-sheet; readable by openpyxl and calamine."""

from __future__ import annotations

import io

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from lib.config import Config
from lib.source import WorkbookSource
from lib.template import GUIDE_HEADERS, GUIDE_TAB, LISTS_TAB, TARGET_HEADERS, build_template, commune_choices


@pytest.fixture(scope="module")
def content(config) -> bytes:
    return build_template(config)


def headers(config: Config) -> list[str]:
    return [f.name for f in config.fields.values()] + [m.name for m in config.measures.values()]


def expected_tabs(config: Config) -> list[str]:
    return [GUIDE_TAB, *(o.tab for o in config.organisations.values()), config.settings.tabs.targets, LISTS_TAB]


def validations(workbook, title: str) -> dict[str, object]:
    """Each header's data validation (the one covering its data cells)."""
    sheet = workbook[title]
    header = [c.value for c in sheet[1]]
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cells in validation.sqref.ranges:
            assert cells.min_row == 2 and cells.max_row >= 1000 and cells.min_col == cells.max_col
            found[header[cells.min_col - 1]] = validation
    return found


def list_values(workbook, formula: str) -> list:
    sheet_part, cells = formula.rsplit("!", 1)
    assert sheet_part == f"'{LISTS_TAB}'"
    start, end = (c.replace("$", "") for c in cells.split(":"))
    column = start.rstrip("0123456789")
    rows = range(int(start[len(column) :]), int(end[len(column) :]) + 1)
    return [workbook[LISTS_TAB].cell(r, column_index_from_string(column)).value for r in rows]


def test_openpyxl_sees_tabs_headers_frozen_rows_and_hidden_lists(config, content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == expected_tabs(config)
    assert workbook[LISTS_TAB].sheet_state == "hidden"
    for org in config.organisations.values():
        sheet = workbook[org.tab]
        assert [c.value for c in sheet[1]] == headers(config) and sheet.max_row == 1
        assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
    assert [c.value for c in workbook[config.settings.tabs.targets][1]] == list(TARGET_HEADERS)


def test_dropdowns_reference_the_lists_tab(config, content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    found = validations(workbook, next(iter(config.organisations.values())).tab)
    assert list_values(workbook, found["Xã"].formula1) == commune_choices(config)
    assert list_values(workbook, found["Chương trình"].formula1) == [1, 2, 3, 4]
    assert list_values(workbook, found["Loại hoạt động"].formula1) == [a.name for a in config.activity_types.values()]
    assert all(found[n].type == "list" and not found[n].showDropDown for n in ("Xã", "Chương trình", "Loại hoạt động"))
    assert found["Ngày"].type == "date"
    for measure in config.measures.values():
        assert (found[measure.name].type, found[measure.name].operator, found[measure.name].formula1) == (
            "decimal",
            "greaterThanOrEqual",
            "0",
        )
    assert {"Thôn", "Nội dung", "Đơn vị phối hợp"}.isdisjoint(found)

    targets = validations(workbook, config.settings.tabs.targets)
    assert set(targets) == set(TARGET_HEADERS)
    assert list_values(workbook, targets["Chỉ tiêu"].formula1) == [i.name for i in config.indicators.values()]


def test_guide_has_one_row_per_column(config, content):
    rows = list(openpyxl.load_workbook(io.BytesIO(content))[GUIDE_TAB].iter_rows(values_only=True))
    assert rows[0] == GUIDE_HEADERS
    assert [r[1] for r in rows[1:]] == [*headers(config), *TARGET_HEADERS]
    assert all(all(cell not in (None, "") for cell in row[:5]) for row in rows[1:])
    required = {r[1] for r in rows[1:] if r[0] != config.settings.tabs.targets and r[4] == "Có"}
    assert required == {f.name for f in config.fields.values() if f.required}


def test_calamine_and_the_workbook_source_read_it(config, content, tmp_path):
    path = tmp_path / "mau-nhap-lieu.xlsx"
    path.write_bytes(content)
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == expected_tabs(config)
    assert {m.name: m.visible for m in workbook.sheets_metadata}[LISTS_TAB] != SheetVisibleEnum.Visible

    tabs = [o.tab for o in config.organisations.values()] + [config.settings.tabs.targets]
    raw = WorkbookSource(path).fetch(tabs)
    assert {name: tab.values for name, tab in raw.tabs.items()} == {
        **{o.tab: [headers(config)] for o in config.organisations.values()},
        config.settings.tabs.targets: [list(TARGET_HEADERS)],
    }
    assert not any(tab.hidden for tab in raw.tabs.values())
