"""Sources of raw tabs: a local workbook or a Google Spreadsheet, behind one small interface.

Every source returns tabs exactly as the Sheets API ``values:batchGet`` would with
``UNFORMATTED_VALUE`` and ``SERIAL_NUMBER``: a list of rows, each a list of cells, trailing empty
cells and rows cut off (ragged rows), numbers as int/float, dates as serial numbers, text as str.
So a workbook and a spreadsheet with the same content go through the same cleaning.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .exceptions import SourceError
from .normalize import nfc, to_serial

Cell = str | int | float | bool


@dataclass(frozen=True)
class RawTab:
    """One tab's values as the Sheets API returns them."""

    name: str
    values: list[list[Cell]]
    hidden: bool = False


@dataclass(frozen=True)
class RawData:
    """What one fetch returned: the requested tabs that exist, and the names of all tabs present."""

    tabs: dict[str, RawTab]
    available: list[str]
    source_id: str
    source_label: str
    fetched_at: dt.datetime
    notice: str | None = None  # set when stale data is served (e.g. a snapshot after a failed refresh)
    extra: dict[str, Any] = field(default_factory=dict)


class Source(Protocol):
    """Anything that can fetch named tabs."""

    source_id: str
    label: str

    def fetch(self, tab_names: list[str]) -> RawData:
        """Fetch the tabs named (the ones that exist); never raises for a missing tab."""
        ...


def trim_rows(rows: list[list[Any]]) -> list[list[Cell]]:
    """Cut trailing empty cells of each row and trailing empty rows, as the Sheets API does."""
    trimmed: list[list[Cell]] = []
    append, api_cell, intern = trimmed.append, _api_cell, sys.intern
    for row in rows:
        end = len(row)
        while end and (row[end - 1] is None or row[end - 1] == ""):
            end -= 1
        # Text is interned (a commune name repeated on 100 000 rows is kept once), whole numbers stay
        # as they are, integral floats become int, the rest goes through _api_cell.
        append(
            [
                intern(cell)
                if (kind := type(cell)) is str
                else cell
                if kind is int
                else (int(cell) if kind is float and cell.is_integer() else api_cell(cell))
                for cell in (row[:end] if end < len(row) else row)
            ]
        )
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def _api_cell(cell: Any) -> Cell:
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return to_serial(cell.date()) + (cell - dt.datetime.combine(cell.date(), dt.time())).total_seconds() / 86400
    if isinstance(cell, dt.date):
        return to_serial(cell)
    if isinstance(cell, dt.time):
        return (cell.hour * 3600 + cell.minute * 60 + cell.second) / 86400
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


class WorkbookSource:
    """A local ``.xlsx``/``.xlsm``/``.ods``/``.xls`` workbook read with python-calamine."""

    SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.source_id = f"file:{self.path.resolve()}"
        self.label = f"Tệp {self.path.name}"
        if self.path.suffix.lower() not in self.SUFFIXES:
            raise SourceError(f"Tệp {self.path.name} không phải bảng tính (.xlsx, .ods); hãy chọn đúng tệp.")
        if not self.path.is_file():
            raise SourceError(f"Không tìm thấy tệp {self.path}. Kiểm tra lại đường dẫn nguồn dữ liệu.")

    def fetch(self, tab_names: list[str]) -> RawData:
        from python_calamine import CalamineWorkbook, SheetVisibleEnum

        try:
            workbook = CalamineWorkbook.from_path(str(self.path))
            visibility = {m.name: m.visible for m in workbook.sheets_metadata}
            present = {nfc(name): name for name in visibility}  # a tab name typed in NFD still matches
            tabs = {
                name: RawTab(
                    name,
                    trim_rows(workbook.get_sheet_by_name(present[nfc(name)]).to_python(skip_empty_area=False)),
                    hidden=visibility[present[nfc(name)]] != SheetVisibleEnum.Visible,
                )
                for name in tab_names
                if nfc(name) in present
            }
        except Exception as error:  # calamine raises its own error types for damaged files
            raise SourceError(
                f"Không đọc được tệp {self.path.name}: tệp bị hỏng hoặc không đúng định dạng ({error})."
            ) from error
        if self.path.suffix.lower() in (".xlsx", ".xlsm"):
            wanted = {present[nfc(name)]: name for name in tabs}
            for name, cells in _xlsx_error_cells(self.path, list(wanted)).items():
                _put_errors(tabs[wanted[name]].values, cells)
        return RawData(
            tabs=tabs,
            available=list(workbook.sheet_names),
            source_id=self.source_id,
            source_label=self.label,
            fetched_at=dt.datetime.now().astimezone(),
        )


_ERROR_CELL_RE = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*?\st="e"[^>]*>(?:<f[^>]*>.*?</f>|<f[^>]*/>)?<v>([^<]*)</v>', re.S
)


def _xlsx_error_cells(path: Path, sheet_names: list[str]) -> dict[str, list[tuple[int, int, str]]]:
    """Formula-error cells (#REF!, #N/A…) of an .xlsx, which calamine reads as empty: a blank
    would hide the problem, so they are put back as the text the Sheets API would return."""
    import posixpath
    import zipfile
    from xml.etree import ElementTree

    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    found: dict[str, list[tuple[int, int, str]]] = {}
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        for sheet in book.iterfind("m:sheets/m:sheet", ns):
            name = sheet.get("name")
            if name not in sheet_names:
                continue
            target = targets[sheet.get(f"{{{ns['r']}}}id")]
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            data = archive.read(member)
            if b't="e"' not in data:
                continue
            found[name] = [
                (int(row) - 1, _column_index(col.decode()), value.decode())
                for col, row, value in _ERROR_CELL_RE.findall(data)
            ]
    return found


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _put_errors(rows: list[list[Cell]], cells: list[tuple[int, int, str]]) -> None:
    for row, column, value in cells:
        while len(rows) <= row:
            rows.append([])
        line = rows[row]
        line.extend([""] * (column + 1 - len(line)))
        line[column] = value


SHEETS_URL_RE = re.compile(r"docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
SHEETS_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{25,}$")


def is_google_sheet(spec: str) -> bool:
    """True when the source text is a Google Sheets URL or a bare spreadsheet key."""
    return bool(SHEETS_URL_RE.search(spec) or (SHEETS_KEY_RE.match(spec) and not Path(spec).suffix))


def open_source(
    spec: str, *, credentials_file: str | None = None, credentials_info: dict[str, Any] | None = None
) -> Source:
    """The source named by ``spec``: a Google Sheets URL or key, or a workbook path."""
    if is_google_sheet(spec):
        from .sheets import GoogleSheetsSource

        return GoogleSheetsSource.from_spec(spec, credentials_file=credentials_file, credentials_info=credentials_info)
    return WorkbookSource(spec)
