"""Sources of raw tabs: a local workbook or a Google Spreadsheet, behind one small interface
(``lib.raw``: every source returns tabs as the Sheets API ``values:batchGet`` would).

Workbooks are read with python-calamine, which holds a tab as a dense block from its first to its
last cell: one value typed at XFD1048576 would ask for some 17 billion cells. So before calamine sees
a workbook its sheet XML is scanned, without building the cells, and each tab's data block is found:
it starts at A1 and ends where rows or columns stay empty for a long stretch (``ROW_GAP``,
``COLUMN_GAP``). Cells beyond it are emptied in a copy of the workbook handed to calamine and listed
in ``RawTab.stray`` for the cleaner to report. Formula-error cells (#N/A, #REF!, Err:502…), which
calamine reads as empty, are put back as the text the Sheets API would return, so the cleaner reports
them instead of reading a blank: from the sheet XML (.xlsx, .ods), or from the error codes xlrd reads
(.xls, whose binary records calamine does not pass on).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import itertools
import logging
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
from gspread.utils import a1_to_rowcol, column_letter_to_index
from python_calamine import CalamineWorkbook, SheetVisibleEnum
from xlrd import XL_CELL_ERROR, error_text_from_code, open_workbook

from .exceptions import SourceError
from .normalize import nfc
from .raw import Cell, RawData, RawTab, Source, api_cell, trim_rows
from .sheets import GoogleSheetsSource, is_google_sheet

__all__ = [
    "Cell",
    "GoogleSheetsSource",
    "RawData",
    "RawTab",
    "Source",
    "WorkbookSource",
    "is_google_sheet",
    "open_source",
    "trim_rows",
]

log = logging.getLogger(__name__)

ROW_GAP = 1000  # this many empty rows one after another end a tab's data block
COLUMN_GAP = 26  # this many empty columns side by side end it
BLOCK_CELLS_MAX = 60_000_000  # a data block larger than this (rows × columns) is refused, not read
STRAY_KEPT = 10_000  # stray cells listed per tab (every one of them is left out of the data)
ERRORS_KEPT = 100_000  # repeated formula-error cells of an .ods put back per tab


# ---------------------------------------------------------------- the data block of a tab


@dataclass
class _Layout:
    """What the scan of one tab found: its data block, the cells left out, the error cells."""

    last_row: int = 0  # 1-based, inclusive; 0: no data
    last_column: int = 0
    beyond: bool = False  # some cell lies outside the block
    stray: list[tuple[int, int, Cell]] = field(default_factory=list)
    stray_count: int = 0
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # 0-based row and column

    def inside(self, row: int, column: int) -> bool:
        """Whether the cell at (1-based row, 1-based column) is in the block."""
        return row <= self.last_row and column <= self.last_column

    def left_out(self, row: int, column: int, value: Cell | None, rows: int = 1, columns: int = 1) -> None:
        """Record the cells outside the block from (1-based row, 1-based column) over ``rows`` ×
        ``columns`` positions (a repeated cell), all holding ``value``; empty ones are not worth a mention."""
        if value is None or value == "":
            return
        self.stray_count += rows * columns
        for r in range(row, row + rows):
            if len(self.stray) >= STRAY_KEPT:
                break
            self.stray += [(r, c - 1, value) for c in range(column, column + min(columns, STRAY_KEPT))]
        del self.stray[STRAY_KEPT:]


def _extent(starts: np.ndarray, ends: np.ndarray, gap: int) -> int:
    """Where a data block anchored at position 1 ends: the last filled position reached from 1
    without crossing more than ``gap`` empty positions. Filled positions come as intervals
    [start, end] (1-based, inclusive: a repeated cell fills several)."""
    if not len(starts):
        return 0
    order = np.argsort(starts, kind="stable")
    first, reach = starts[order], np.maximum.accumulate(ends[order])
    before = np.concatenate(([0], reach[:-1]))
    breaks = np.flatnonzero(first - before - 1 > gap)
    if not breaks.size:
        return int(reach[-1])
    return int(reach[breaks[0] - 1]) if breaks[0] else 0


def _layout(tab: str, rows: tuple[np.ndarray, np.ndarray], columns: tuple[np.ndarray, np.ndarray]) -> _Layout:
    """The block of a tab whose filled rows and columns are given as intervals."""
    layout = _Layout(_extent(*rows, ROW_GAP), _extent(*columns, COLUMN_GAP))
    layout.beyond = bool(
        (len(rows[1]) and rows[1].max() > layout.last_row)
        or (len(columns[1]) and columns[1].max() > layout.last_column)
    )
    if layout.last_row * layout.last_column > BLOCK_CELLS_MAX:
        raise SourceError(
            f"Tab «{tab}» có vùng dữ liệu quá lớn ({_thousands(layout.last_row)} dòng × "
            f"{_thousands(layout.last_column)} cột, phần lớn là "
            "ô trống xen giữa những ô có giá trị nằm rải rác). Hãy xoá các ô thừa nằm xa bảng dữ liệu trong tab "
            "này, lưu tệp rồi đọc lại."
        )
    return layout


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")  # 1.048.576, as numbers are written in Vietnamese


def _points(values: Any) -> tuple[np.ndarray, np.ndarray]:
    array = np.fromiter(values, np.int64)
    return array, array


def _spans(spans: Any) -> tuple[np.ndarray, np.ndarray]:
    array = np.array(list(spans), np.int64).reshape(-1, 2)
    return array[:, 0], array[:, 1]


def _bounded(tab: str, values: list[list[Any]]) -> tuple[list[list[Any]], list[tuple[int, int, Cell]]]:
    """The rows of a tab read whole (formats scanned by no XML pass), cut to the data block; the
    cells beyond it as stray."""
    rows, columns = [], set()
    for index, row in enumerate(values):
        filled = [j for j, cell in enumerate(row) if cell is not None and cell != ""]
        if filled:
            rows.append(index + 1)
            columns.update(filled)
    layout = _layout(tab, _points(rows), _points(j + 1 for j in columns))
    if not layout.beyond:
        return values, []
    for index in rows:
        for j, cell in enumerate(values[index - 1]):
            if not layout.inside(index, j + 1):
                layout.left_out(index, j + 1, api_cell(cell))
    return [row[: layout.last_column] for row in values[: layout.last_row]], layout.stray


def _put_errors(rows: list[list[Cell]], cells: list[tuple[int, int, str]]) -> None:
    """Put formula-error cells (0-based row and column) back as their error text."""
    for row, column, value in cells:
        while len(rows) <= row:
            rows.append([])
        line = rows[row]
        line.extend([""] * (column + 1 - len(line)))
        line[column] = value


def _rewritten(path: Path, members: dict[str, bytes]) -> io.BytesIO:
    """A copy of the workbook (a zip archive) with some members replaced, in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = members[info.filename] if info.filename in members else source.read(info)
            level = 1 if info.compress_type == zipfile.ZIP_DEFLATED else None
            target.writestr(info, data, compress_type=info.compress_type, compresslevel=level)
    buffer.seek(0)
    return buffer


# ---------------------------------------------------------------- .xlsx / .xlsm

_XLSX_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
_ROW_RE = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ROW_NUMBER_RE = re.compile(rb'\sr="(\d+)"')
_CELL_REF_RE = re.compile(rb'\sr="([A-Z]+\d+)"')
_CELL_TYPE_RE = re.compile(rb'\st="(\w+)"')
_VALUE_RE = re.compile(rb"<v>(.*?)</v>", re.S)
_TEXT_RE = re.compile(rb"<t\b[^>]*>(.*?)</t>", re.S)
# a numbered row that has cells (its number), or a row without its number (an empty match)
_ROWS_RE = re.compile(rb'<row(?=[\s>/])(?: r="(\d+)"[^>]*>\s*<c(?=[\s>/])|(?! r="))')
_ERROR_CELL_RE = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*?\st="e"[^>]*>(?:<f[^>]*>.*?</f>|<f[^>]*/>)?<v>([^<]*)</v>', re.S
)


def _xlsx_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """The XML member of each sheet, by sheet name."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") or "" for rel in rels}
    members = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _XLSX_NS):
        target = targets.get(sheet.get(f"{{{_XLSX_NS['r']}}}id"), "")
        members[sheet.get("name")] = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        )
    return members


class _SharedStrings:
    """The shared strings of an .xlsx, read only when a stray cell refers to one."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.strings: list[str] | None = None

    def __call__(self, index: int) -> str:
        if self.strings is None:
            self.strings = []
            main = f"{{{_XLSX_NS['m']}}}"
            if "xl/sharedStrings.xml" in self.archive.namelist():
                with self.archive.open("xl/sharedStrings.xml") as stream:
                    for _, element in ElementTree.iterparse(stream):
                        if element.tag == f"{main}si":
                            self.strings.append("".join(t.text or "" for t in element.iter(f"{main}t")))
                            element.clear()
        return self.strings[index] if 0 <= index < len(self.strings) else ""


def _xlsx_value(attributes: bytes, inner: bytes | None, strings: Callable[[int], str]) -> Cell | None:
    """The value of one cell element as the Sheets API would give it (None: no value)."""
    if not inner:
        return None
    kind = match.group(1) if (match := _CELL_TYPE_RE.search(attributes)) else b"n"
    if kind == b"inlineStr":
        return html.unescape(b"".join(_TEXT_RE.findall(inner)).decode("utf-8", "replace"))
    value = _VALUE_RE.search(inner)
    if value is None:
        return None
    text = html.unescape(value.group(1).decode("utf-8", "replace"))
    try:
        if kind == b"s":
            return strings(int(text))
        if kind == b"b":
            return text.strip() == "1"
        if kind in (b"e", b"str", b"d"):
            return text
        return api_cell(float(text))
    except ValueError:
        return text


def _xlsx_cells(data: bytes) -> Iterator[tuple[int, int, bytes, bytes | None, int, int]]:
    """Every cell element of a sheet XML: 1-based row and column (as numbered, or counted where
    the XML leaves them out), attributes, content and byte span."""
    row = 0
    for row_match in _ROW_RE.finditer(data):
        number = _ROW_NUMBER_RE.search(row_match.group(1))
        row = int(number.group(1)) if number else row + 1
        inner = row_match.group(2)
        if not inner:
            continue
        column, offset = 0, row_match.start(2)
        for cell in _CELL_RE.finditer(inner):
            reference = _CELL_REF_RE.search(cell.group(1))
            column = a1_to_rowcol(reference.group(1).decode())[1] if reference else column + 1
            yield row, column, cell.group(1), cell.group(2), offset + cell.start(), offset + cell.end()


def _columns(data: bytes) -> set[str] | None:
    """The distinct column letters of the cells of a sheet XML, or None when some cell does not
    carry its address (then only a cell-by-cell reading places it). Each search skips the columns
    already seen, so the XML is read once without building a string per cell."""
    seen: set[str] = set()
    position = 0
    while match := _unseen_column_re(seen).search(data, position):
        if match.group(1) is None:
            return None
        seen.add(match.group(1).decode())
        position = match.start()
    return seen


def _unseen_column_re(seen: set[str]) -> re.Pattern[bytes]:
    """A cell numbered with a column not in ``seen``, or a cell without its address (known columns
    grouped by prefix, so the look-ahead stays short)."""
    groups: dict[str, list[str]] = {}
    for letters in seen:
        groups.setdefault(letters[:-1], []).append(letters[-1])
    known = "|".join(f"{prefix}[{''.join(sorted(last))}]" for prefix, last in sorted(groups.items()))
    unseen = f"(?!(?:{known})[0-9])" if known else ""
    return re.compile(f'<c(?=[\\s>/])(?: r="{unseen}([A-Z]+)[0-9]|(?! r="))'.encode())


def _xlsx_layout(tab: str, data: bytes) -> _Layout:
    """The data block of one sheet XML, from its row numbers and column letters (as Excel,
    LibreOffice and the usual libraries write them: address first), else cell by cell."""
    rows = _ROWS_RE.findall(data)
    columns = _columns(data)
    if columns is not None and b"" not in rows:
        return _layout(tab, _points(map(int, rows)), _points(column_letter_to_index(c) for c in columns))
    filled_rows, filled_columns = set(), set()
    for row, column, _, inner, _, _ in _xlsx_cells(data):
        if inner and (b"<v>" in inner or b"<is>" in inner):
            filled_rows.add(row)
            filled_columns.add(column)
    return _layout(tab, _points(filled_rows), _points(filled_columns))


def _xlsx_without_strays(data: bytes, layout: _Layout, strings: Callable[[int], str]) -> bytes:
    """The sheet XML with every cell outside the data block emptied (the element stays, so cells
    counted after it keep their column), the values recorded as stray."""
    pieces, last = [], 0
    for row, column, attributes, inner, start, end in _xlsx_cells(data):
        if layout.inside(row, column):
            continue
        layout.left_out(row, column, _xlsx_value(attributes, inner, strings))
        reference = _CELL_REF_RE.search(attributes)
        pieces += [data[last:start], b'<c r="%s"/>' % reference.group(1) if reference else b"<c/>"]
        last = end
    pieces.append(data[last:])
    return re.sub(rb"<dimension\b[^>]*/>", b"", b"".join(pieces), count=1)


def _xlsx_errors(data: bytes) -> list[tuple[int, int, str]]:
    """Formula-error cells (0-based row and column, error text), which calamine reads as empty."""
    count = data.count(b't="e"')
    if not count:
        return []
    found = [
        (int(row) - 1, column_letter_to_index(col.decode()) - 1, html.unescape(value.decode("utf-8", "replace")))
        for col, row, value in _ERROR_CELL_RE.findall(data)
    ]
    if len(found) == count:
        return found
    return [  # some error cell is written another way (attributes in another order, no address): cell by cell
        (row - 1, column - 1, value)
        for row, column, attributes, inner, _, _ in _xlsx_cells(data)
        if _CELL_TYPE_RE.search(attributes) and _CELL_TYPE_RE.search(attributes).group(1) == b"e"
        if isinstance(value := _xlsx_value(attributes, inner, lambda index: ""), str)
    ]


def _xlsx_scan(path: Path, tabs: list[str]) -> tuple[dict[str, _Layout], dict[str, bytes]]:
    """The layout of each sheet asked for (by its name in the workbook), and the XML of the sheets
    rewritten without their strays. Only these sheets are read: calamine reads an .xlsx tab by tab."""
    layouts, rewritten = {}, {}
    with zipfile.ZipFile(path) as archive:
        members, names = _xlsx_members(archive), set(archive.namelist())
        strings = _SharedStrings(archive)
        present = {nfc(sheet): sheet for sheet in members}  # a tab name typed in NFD still matches
        for sheet in (present[nfc(tab)] for tab in tabs if nfc(tab) in present):
            if members[sheet] not in names:
                continue
            data = archive.read(members[sheet])
            layout = layouts[sheet] = _xlsx_layout(sheet, data)
            if layout.beyond:
                data = rewritten[members[sheet]] = _xlsx_without_strays(data, layout, strings)
                if layout.stray_count:
                    log.warning(
                        "%s, tab %s: %d cells outside the data block left out", path.name, sheet, layout.stray_count
                    )
            layout.errors = _xlsx_errors(data)
    return layouts, rewritten


# ---------------------------------------------------------------- .ods

_ODS_TABLE_RE = re.compile(rb"<table:table\s([^>]*?)(?<!/)>")
_ODS_CELL_RE = re.compile(rb"<table:(table-cell|covered-table-cell)\b([^>]*?)(?:/>|>(.*?)</table:\1>)", re.S)
_ODS_VALUED_RE = re.compile(rb"<table:(?:covered-)?table-cell\b(?:[^>]*?(value-type=))?")  # one item per cell
_ODS_NAME_RE = re.compile(rb'(?:^|\s)table:name="([^"]*)"')
_ODS_ROWS_RE = re.compile(rb'table:number-rows-repeated="(\d+)"')
_ODS_COLUMNS_RE = re.compile(rb'table:number-columns-repeated="(\d+)"')
_ODS_ATTRIBUTE_RE = re.compile(rb'\s([\w-]+:[\w-]+)="([^"]*)"')
_ODS_ERROR = b'calcext:value-type="error"'  # how LibreOffice marks a formula whose result is an error
_ODS_FORMULA_TEXT = (b"table:formula=", b'office:string-value=""')  # a formula shown as text only: maybe one too
_ERROR_TEXT_RE = re.compile(r"#[A-Z][A-Z0-9/_]*[!?]?|#N/A|Err:\d{3}")
_ODS_PARAGRAPH_RE = re.compile(rb"<text:p\b[^>]*?(?:/>|>(.*?)</text:p>)", re.S)
_ODS_ANNOTATION_RE = re.compile(rb"<office:annotation\b.*?</office:annotation>", re.S)
_ODS_SPACES_RE = re.compile(rb'<text:s\b(?:[^>]*?text:c="(\d+)")?[^>]*/>')
_TAG_RE = re.compile(rb"<[^>]*>")
_DURATION_RE = re.compile(r"-?P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?")
_ROW_OPEN, _ROW_CLOSE = b"<table:table-row", b"</table:table-row>"


def _repeat(pattern: re.Pattern[bytes], attributes: bytes) -> int:
    match = pattern.search(attributes)
    return max(int(match.group(1)), 1) if match else 1


def _ods_rows(body: bytes) -> Iterator[tuple[int, bytes | None, int]]:
    """Each row element of a table's XML: how many rows it stands for, its content (None when
    empty) and where its content starts in ``body`` (rows inside row groups included)."""
    position = 0
    while (start := body.find(_ROW_OPEN, position)) != -1:
        close = body.find(b">", start)
        if body[start + len(_ROW_OPEN) : start + len(_ROW_OPEN) + 1] not in (b" ", b"\t", b"\n", b"\r", b">", b"/"):
            position = close  # <table:table-rows>, <table:table-row-group>: their rows come next
            continue
        repeat = _repeat(_ODS_ROWS_RE, body[start:close])
        if body[close - 1 : close] == b"/":
            yield repeat, None, close + 1
            position = close + 1
            continue
        end = body.find(_ROW_CLOSE, close)
        end = len(body) if end == -1 else end
        yield repeat, body[close + 1 : end], close + 1
        position = end + len(_ROW_CLOSE)


def _ods_cells(inner: bytes) -> Iterator[tuple[int, int, re.Match[bytes]]]:
    """Each cell element of a row: its first column (0-based), how many columns it stands for, the match."""
    column = 0
    for cell in _ODS_CELL_RE.finditer(inner):
        width = _repeat(_ODS_COLUMNS_RE, cell.group(2))
        yield column, width, cell
        column += width


def _ods_text(inner: bytes | None) -> str:
    """The text of a cell: its paragraphs joined by line breaks (annotations left out)."""
    if not inner:
        return ""
    inner = _ODS_ANNOTATION_RE.sub(b"", inner)
    paragraphs = []
    for paragraph in _ODS_PARAGRAPH_RE.findall(inner):
        paragraph = _ODS_SPACES_RE.sub(lambda m: b" " * int(m.group(1) or 1), paragraph)
        paragraph = paragraph.replace(b"<text:tab/>", b"\t").replace(b"<text:line-break/>", b"\n")
        paragraphs.append(html.unescape(_TAG_RE.sub(b"", paragraph).decode("utf-8", "replace")))
    return "\n".join(paragraphs)


def _ods_error(attributes: bytes, inner: bytes | None) -> str | None:
    """The error text of a formula cell whose result is an error (#N/A, #DIV/0!, Err:502…), else None:
    calamine reads these cells as empty."""
    if _ODS_ERROR in attributes:
        return _ods_text(inner)
    if all(part in attributes for part in _ODS_FORMULA_TEXT):  # written by another program than LibreOffice
        text = _ods_text(inner)
        return text if _ERROR_TEXT_RE.fullmatch(text) else None
    return None


def _ods_value(attributes: bytes, inner: bytes | None) -> Cell | None:
    """The value of one cell as the Sheets API would give it (None: an empty cell)."""
    if (error := _ods_error(attributes, inner)) is not None:
        return error
    found = {
        name.decode(): html.unescape(value.decode("utf-8", "replace"))
        for name, value in _ODS_ATTRIBUTE_RE.findall(attributes)
    }
    kind = found.get("office:value-type")
    try:
        if kind in ("float", "percentage", "currency"):
            return api_cell(float(found["office:value"]))
        if kind == "date":
            return api_cell(dt.datetime.fromisoformat(found["office:date-value"]))
        if kind == "time":
            days, hours, minutes, seconds = _DURATION_RE.fullmatch(found["office:time-value"]).groups()
            return (
                int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
            ) / 86400
        if kind == "boolean":
            return found.get("office:boolean-value") == "true"
    except (KeyError, ValueError, AttributeError):
        return _ods_text(inner)
    if kind is None:
        return None
    return found.get("office:string-value") or _ods_text(inner)


def _ods_table(name: str, body: bytes, wanted: bool) -> tuple[_Layout, bytes | None]:
    """The layout of one table and, when cells lie beyond its block, its XML without them. A row
    with neither repeated nor error cells is read from one search over it (which of its cells hold
    a value); others cell by cell."""
    rows, shapes, columns, errors = [], set(), set(), []
    row = 0
    for repeat, inner, _ in _ods_rows(body):
        if inner and b"value-type=" in inner:
            rows.append((row + 1, row + repeat))
            if (
                b"columns-repeated" not in inner
                and _ODS_ERROR not in inner
                and not all(part in inner for part in _ODS_FORMULA_TEXT)
            ):
                shapes.add(tuple(_ODS_VALUED_RE.findall(inner)))
            else:
                for column, width, cell in _ods_cells(inner):
                    attributes = cell.group(2)
                    if b"value-type=" in attributes:
                        columns.add((column + 1, column + width))
                        if wanted and (text := _ods_error(attributes, cell.group(3))) is not None:
                            errors.append((row, repeat, column, width, text))
        row += repeat
    for shape in shapes:
        columns.update((index, index) for index, valued in enumerate(shape, 1) if valued)
    layout = _layout(name, _spans(rows), _spans(columns))
    for first_row, repeat, first_column, width, text in errors:
        if layout.inside(first_row + 1, first_column + 1):  # repeats lie wholly inside the block or outside
            cells = (
                (r, c, text)
                for r in range(first_row, first_row + repeat)
                for c in range(first_column, first_column + width)
            )
            layout.errors += itertools.islice(cells, ERRORS_KEPT - len(layout.errors))
    return layout, _ods_without_strays(body, layout) if layout.beyond else None


def _ods_without_strays(body: bytes, layout: _Layout) -> bytes:
    """A table's XML with every cell outside its data block emptied in place, values recorded."""
    pieces, last, row = [], 0, 0
    for repeat, inner, offset in _ods_rows(body):
        if inner and b"value-type=" in inner:
            for column, width, cell in _ods_cells(inner):
                kind, attributes, content = cell.groups()
                if b"value-type=" in attributes and not layout.inside(row + 1, column + 1):
                    # a valued cell's rows and columns lie wholly inside the block or wholly outside it
                    layout.left_out(row + 1, column + 1, _ods_value(attributes, content), repeat, width)
                    empty = b' table:number-columns-repeated="%d"' % width if width > 1 else b""
                    pieces += [body[last : offset + cell.start()], b"<table:%s%s/>" % (kind, empty)]
                    last = offset + cell.end()
        row += repeat
    pieces.append(body[last:])
    return b"".join(pieces)


def _ods_scan(path: Path, tabs: list[str]) -> tuple[dict[str, _Layout], dict[str, bytes]]:
    """The layout of every table (calamine reads them all), and content.xml rewritten without the
    cells beyond each table's block when there are any."""
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml")
    wanted = {nfc(tab) for tab in tabs}
    layouts, pieces, last, position = {}, [], 0, 0
    while table := _ODS_TABLE_RE.search(content, position):
        end = content.find(b"</table:table>", table.end())
        end = len(content) if end == -1 else end
        match = _ODS_NAME_RE.search(table.group(1))
        name = html.unescape(match.group(1).decode("utf-8", "replace")) if match else ""
        layout, body = _ods_table(name, content[table.end() : end], nfc(name) in wanted)
        layouts[name] = layout
        if body is not None:
            pieces += [content[last : table.end()], body]
            last = end
            if layout.stray_count:
                log.warning("%s, tab %s: %d cells outside the data block left out", path.name, name, layout.stray_count)
        position = end
    if not pieces:
        return layouts, {}
    return layouts, {"content.xml": b"".join([*pieces, content[last:]])}


# ---------------------------------------------------------------- .xls


def _xls_errors(path: Path, tabs: list[str]) -> dict[str, list[tuple[int, int, str]]]:
    """The formula-error cells of the sheets asked for in an .xls (0-based row and column, error
    text), by sheet name (NFC), which calamine reads as empty. xlrd loads only these sheets, each
    row as long as its last cell (an .xls holds at most 65 536 × 256 cells)."""
    wanted = {nfc(tab) for tab in tabs}
    errors: dict[str, list[tuple[int, int, str]]] = {}
    with open_workbook(str(path), on_demand=True, ragged_rows=True, logfile=io.StringIO()) as book:
        for sheet in book.sheet_names():
            if nfc(sheet) not in wanted:
                continue
            table = book.sheet_by_name(sheet)
            found = errors[nfc(sheet)] = []
            for row in range(table.nrows):
                kinds = table.row_types(row)
                if XL_CELL_ERROR in kinds:
                    values = table.row_values(row)
                    found += [
                        (row, column, error_text_from_code.get(values[column], "#ERROR!"))
                        for column, kind in enumerate(kinds)
                        if kind == XL_CELL_ERROR
                    ]
            book.unload_sheet(sheet)
    return errors


# ---------------------------------------------------------------- the workbook source


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
            raise SourceError(f"Không tìm thấy tệp {self.path.name}. Kiểm tra lại đường dẫn nguồn dữ liệu.")

    def fetch(self, tab_names: list[str]) -> RawData:
        try:
            return self._read(tab_names)
        except SourceError:
            raise
        except Exception as error:  # zipfile, XML and calamine raise their own types for damaged files
            log.warning("Workbook %s unreadable: %r", self.path, error)
            raise SourceError(
                f"Không đọc được tệp {self.path.name}: tệp bị hỏng hoặc không đúng định dạng. Hãy mở tệp bằng "
                "Excel hoặc LibreOffice, lưu lại dưới dạng .xlsx rồi chọn lại."
            ) from error

    def _read(self, tab_names: list[str]) -> RawData:
        suffix = self.path.suffix.lower()
        layouts: dict[str, _Layout] = {}
        rewritten: dict[str, bytes] = {}
        if suffix in (".xlsx", ".xlsm"):
            layouts, rewritten = _xlsx_scan(self.path, tab_names)
        elif suffix == ".ods":
            layouts, rewritten = _ods_scan(self.path, tab_names)
        workbook = (
            CalamineWorkbook.from_filelike(_rewritten(self.path, rewritten))
            if rewritten
            else CalamineWorkbook.from_path(str(self.path))
        )
        visibility = {m.name: m.visible for m in workbook.sheets_metadata}
        xls_errors = self._xls_error_cells(tab_names) if suffix == ".xls" else {}
        present = {nfc(name): name for name in visibility}  # a tab name typed in NFD still matches
        tabs = {}
        for name in tab_names:
            sheet = present.get(nfc(name))
            if sheet is None:
                continue
            values = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            layout = layouts.get(sheet)
            if layout is None:  # .xls, .xlsb: no XML to scan; the block is cut from the rows read
                _put_errors(values, xls_errors.get(nfc(sheet), []))  # inside the block or stray, as any value
                values, stray = _bounded(sheet, values)
            else:
                stray = sorted(layout.stray, key=lambda cell: cell[:2])
            rows = trim_rows(values)
            if layout is not None:
                _put_errors(rows, layout.errors)
            hidden = visibility[sheet] != SheetVisibleEnum.Visible
            tabs[name] = RawTab(name, rows, hidden=hidden, stray=stray)
        return RawData(
            tabs=tabs,
            available=list(workbook.sheet_names),
            source_id=self.source_id,
            source_label=self.label,
            fetched_at=dt.datetime.now().astimezone(),
        )

    def _xls_error_cells(self, tab_names: list[str]) -> dict[str, list[tuple[int, int, str]]]:
        """The error cells of an .xls calamine has opened; none, with a warning in the log, when xlrd
        cannot parse the file (calamine, the reader of the values, still reads it)."""
        try:
            return _xls_errors(self.path, tab_names)
        except Exception as error:  # xlrd raises its own types, and struct or index errors, for files it cannot parse
            log.warning("Workbook %s: formula-error cells not found (xlrd): %r", self.path.name, error)
            return {}


def open_source(
    spec: str, *, credentials_file: str | None = None, credentials_info: dict[str, Any] | None = None
) -> Source:
    """The source named by ``spec``: a Google Sheets address or key, or a workbook path."""
    if is_google_sheet(spec):
        return GoogleSheetsSource.from_spec(spec, credentials_file=credentials_file, credentials_info=credentials_info)
    return WorkbookSource(spec)
