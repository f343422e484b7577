"""An offline data-entry workbook (.xlsx) with the same tabs, headers and dropdowns as init-sheet.

Tabs: «Hướng dẫn» (one row per column: header, meaning, type, required, example), one tab per
organisation, the targets tab, and a hidden «Danh mục» tab holding the dropdown lists that the
data validations reference by range.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from gspread.utils import absolute_range_name, rowcol_to_a1
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .config import Config

TARGET_HEADERS = ("Năm", "Chỉ tiêu", "Xã", "Giá trị")
ROW_COUNT = 1000  # rows of a new tab (Google Sheets) and rows validated in the offline template
GUIDE_TAB = "Hướng dẫn"
LISTS_TAB = "Danh mục"
GUIDE_HEADERS = ("Tab", "Cột", "Ý nghĩa", "Kiểu dữ liệu", "Bắt buộc", "Ví dụ")
DATE_FORMAT = "DD/MM/YYYY"
FIRST_DAY, LAST_DAY = 36526, 73415  # 01/01/2000 and 31/12/2100 as sheet serial numbers
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

MEASURE_TYPES = {
    "integer": ("Số nguyên ≥ 0", 12),
    "number": ("Số ≥ 0 (dấu phẩy thập phân)", "2,5"),
    "money": ("Số tiền (đồng) ≥ 0", "1.500.000"),
}


def commune_choices(config: Config) -> list[str]:
    """The Xã dropdown: the whole unit first, then every commune."""
    return [config.unit.whole_unit_label, *config.communes]


def programme_choices(config: Config) -> list[str]:
    """The Chương trình dropdown: programme numbers "1".."4" (the cleaner accepts numbers or titles)."""
    return [str(p.number) for p in sorted(config.programmes.values(), key=lambda p: p.number)]


def _letter(column: int) -> str:
    """The letters of a 1-based column (1 → A, 27 → AA)."""
    return rowcol_to_a1(1, column)[:-1]


def _guide_rows(config: Config) -> list[tuple[str, str, str, str, str, str | int]]:
    unit = config.unit
    first = unit.communes[0]
    programmes = sorted(config.programmes.values(), key=lambda p: p.number)
    org_tabs = "Các tab đơn vị"
    fields = {
        "date": ("Ngày tổ chức hoạt động", f"Ngày ({DATE_FORMAT.lower()})", "06/01/2024"),
        "commune": (
            f"Xã nơi tổ chức, hoặc «{unit.whole_unit_label}» nếu hoạt động chung toàn {unit.level}",
            "Chọn trong danh sách",
            first.name,
        ),
        "village": (
            "Thôn, bon nơi tổ chức (phải thuộc xã đã ghi)",
            "Chữ",
            first.villages[0].name if first.villages else "",
        ),
        "programme": (
            "Số chương trình phối hợp: " + "; ".join(f"{p.number} = {p.short_name}" for p in programmes),
            "Chọn trong danh sách",
            programmes[0].number,
        ),
        "activity_type": (
            "Loại hoạt động theo danh mục của Ban Chỉ đạo",
            "Chọn trong danh sách",
            next(iter(config.activity_types.values())).name,
        ),
        "content": ("Mô tả ngắn việc đã làm", "Chữ", "Dọn vệ sinh đường liên thôn"),
        "partners": (
            "Các đơn vị cùng phối hợp",
            "Danh sách, cách nhau bởi dấu phẩy hoặc chấm phẩy",
            ", ".join(o.short_name for o in list(config.organisations.values())[:2]),
        ),
        "entered": (
            "Ngày nhập dòng này (để theo dõi nộp báo cáo đúng hạn)",
            f"Ngày ({DATE_FORMAT.lower()})",
            "10/01/2024",
        ),
        "row_id": ("Mã của dòng do trang «Nhập hoạt động» ghi; để trống khi nhập tay, không sửa", "Chữ", ""),
    }
    rows = [
        (org_tabs, f.name, *fields[f.code][:2], "Có" if f.required else "Không", fields[f.code][2])
        for f in config.fields.values()
    ]
    rows += [
        (org_tabs, m.name, f"{m.label} ({m.unit})", MEASURE_TYPES[m.type][0], "Không", MEASURE_TYPES[m.type][1])
        for m in config.measures.values()
    ]
    year, indicator, commune, value = TARGET_HEADERS
    targets = config.settings.tabs.targets
    rows += [
        (targets, year, "Năm áp dụng chỉ tiêu", "Số nguyên", "Có", 2025),
        (
            targets,
            indicator,
            "Chỉ số cần đạt, theo danh mục chỉ số",
            "Chọn trong danh sách",
            "Có",
            next(iter(config.indicators.values())).name,
        ),
        (
            targets,
            commune,
            "Để trống nếu là chỉ tiêu chung; chọn xã nếu chỉ tiêu riêng cho xã",
            "Chọn trong danh sách",
            "Không",
            first.name,
        ),
        (targets, value, "Giá trị chỉ tiêu cần đạt", "Số ≥ 0", "Có", 100),
    ]
    return rows


def _header(sheet: Worksheet, headers: Sequence[str], widths: Sequence[int] | None = None) -> None:
    sheet.append(list(headers))
    for index, cell in enumerate(sheet[1], start=1):
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[_letter(index)].width = (
            widths[index - 1] if widths else max(12, min(28, len(cell.value) + 2))
        )
    sheet.freeze_panes = "A2"


def _lists(workbook: Workbook, config: Config) -> dict[str, str]:
    """Fill the hidden «Danh mục» tab; return each list's absolute range by field code."""
    lists: dict[str, tuple[str, list[str | int]]] = {
        "commune": (config.fields["commune"].name, commune_choices(config)),
        "programme": (config.fields["programme"].name, [int(n) for n in programme_choices(config)]),
        "activity_type": (config.fields["activity_type"].name, [a.name for a in config.activity_types.values()]),
        "indicator": (TARGET_HEADERS[1], [i.name for i in config.indicators.values()]),
    }
    sheet = workbook.create_sheet(LISTS_TAB)
    _header(sheet, [title for title, _ in lists.values()])
    for column, (_, values) in enumerate(lists.values(), start=1):
        for row, value in enumerate(values, start=2):
            sheet.cell(row, column, value)
    sheet.sheet_state = "hidden"
    return {
        code: absolute_range_name(LISTS_TAB, f"${_letter(col)}$2:${_letter(col)}${len(values) + 1}")
        for col, (code, (_, values)) in enumerate(lists.items(), start=1)
    }


def _validate(sheet: Worksheet, column: int, validation: DataValidation) -> None:
    validation.add(f"{rowcol_to_a1(2, column)}:{rowcol_to_a1(ROW_COUNT, column)}")
    validation.showErrorMessage = validation.showInputMessage = True
    sheet.add_data_validation(validation)


def _choice(source: str, what: str) -> DataValidation:
    return DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        promptTitle=what,
        prompt=f"Chọn {what.lower()} trong danh sách.",
        errorTitle="Giá trị không có trong danh sách",
        error=f"Hãy chọn {what.lower()} trong danh sách (xem tab {LISTS_TAB}).",
    )


def _non_negative(what: str) -> DataValidation:
    return DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        errorTitle="Cần nhập số",
        error=f"«{what}» phải là số lớn hơn hoặc bằng 0.",
    )


def build_template(config: Config) -> bytes:
    """The .xlsx template for offline data entry, as bytes."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = GUIDE_TAB
    _header(guide, GUIDE_HEADERS, widths=[16, 30, 60, 30, 10, 30])
    for row in _guide_rows(config):
        guide.append(list(row))
    for cells in guide.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    organisation_columns = [(f.code, f.name) for f in config.fields.values()] + [
        (m.code, m.name) for m in config.measures.values()
    ]
    sheets = [workbook.create_sheet(org.tab) for org in config.organisations.values()]
    targets = workbook.create_sheet(config.settings.tabs.targets)
    ranges = _lists(workbook, config)

    for sheet in sheets:
        _header(sheet, [name for _, name in organisation_columns])
        for column, (code, name) in enumerate(organisation_columns, start=1):
            if code == "date":
                sheet.column_dimensions[_letter(column)].number_format = DATE_FORMAT
                _validate(
                    sheet,
                    column,
                    DataValidation(
                        type="date",
                        operator="between",
                        formula1=str(FIRST_DAY),
                        formula2=str(LAST_DAY),
                        allow_blank=True,
                        errorTitle="Cần nhập ngày",
                        error="Nhập ngày dạng ngày/tháng/năm, ví dụ 29/10/2024.",
                    ),
                )
            elif code in ranges:
                _validate(sheet, column, _choice(ranges[code], name))
            elif code in config.measures:
                _validate(sheet, column, _non_negative(name))

    _header(targets, TARGET_HEADERS)
    _validate(
        targets,
        1,
        DataValidation(
            type="whole",
            operator="between",
            formula1="2000",
            formula2="2100",
            allow_blank=True,
            errorTitle="Cần nhập năm",
            error="Nhập năm, ví dụ 2025.",
        ),
    )
    _validate(targets, 2, _choice(ranges["indicator"], TARGET_HEADERS[1]))
    _validate(targets, 3, _choice(ranges["commune"], TARGET_HEADERS[2]))
    _validate(targets, 4, _non_negative(TARGET_HEADERS[3]))

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
