"""Table downloads (CSV and XLSX) that open cleanly and can never run as spreadsheet formulas.

- Text: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (after any spaces)
  is what Excel, LibreOffice and Google Sheets treat as a formula, and so is such a line inside a
  cell once a program splits the cell at its line breaks: both get a leading apostrophe. A cell
  holding a line break is always quoted in the CSV. Control characters no spreadsheet (or Word file)
  may hold are dropped (a vertical tab or form feed, Word's line and page break, becomes a line break).
- Numbers stay numbers, so a negative amount is not mangled: whole values are written as integers
  (``7``, not ``7.0``) and binary noise is cleaned (``9.600000000000001`` → ``9.6``); NaN and ±∞ are
  left empty. In the XLSX, numbers carry a ``#,##0`` / ``#,##0.0#`` format and dates are real dates
  shown ``dd/mm/yyyy``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from .formatting import TIME_ZONE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CELL_TRIGGER = re.compile(r"[ ]*[=+\-@\t\r]")
_LINE_TRIGGER = re.compile(r"(\r\n|\r|\n)(?=[ ]*[=+\-@\t])")
# C0 controls other than tab, LF, CR; lone surrogates and the two non-characters XML refuses
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BREAKS = "\x0b\x0c"  # vertical tab (Word's manual line break) and form feed (its page break)
_SHEET_NAME_BAD = re.compile(r"[\[\]\*\?/\\:]")
_XLSX_TEXT_LIMIT = 32_767  # characters Excel holds in a cell
_XLSX_LARGEST = 1e308  # Excel's numbers stop at 9.99999999999999E+307
_XLSX_ERROR_TEXTS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
INTEGER_FORMAT, DECIMAL_FORMAT = "#,##0", "#,##0.0#"
PLAIN_INTEGER_COLUMNS = frozenset({"dòng", "năm", "stt", "row", "year"})  # identifiers: 2024, not 2.024
_MAX_DECIMALS, _SIGNIFICANT = 10, 15  # written numbers: at most 10 decimals and 15 significant digits
_EXACT_INTEGERS = 2.0**53  # whole floats below this are written as integers


# ---------------------------------------------------------------- text


def clean_text(text: str, line_break: str = "\n") -> str:
    """``text`` without the control characters a spreadsheet, an XML file or a CSV reader chokes on
    (NUL, ``\\x01``–``\\x1f`` except tab, LF and CR, lone surrogates); a vertical tab or form feed
    becomes ``line_break``."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: line_break if m[0] in _BREAKS else "", text)


def _neutralise(text: str) -> str:
    """A leading apostrophe on the cell and on every line of it that would start a formula."""
    if _CELL_TRIGGER.match(text):
        text = "'" + text
    if "\n" in text or "\r" in text:
        text = _LINE_TRIGGER.sub(r"\1'", text)
    return text


def safe_cell(value: Any) -> Any:
    """A cell value that a spreadsheet will show as text, never evaluate; numbers and dates as they are."""
    if isinstance(value, str):
        return _neutralise(clean_text(value))
    if isinstance(value, (tuple, list, set, frozenset)):
        return safe_cell(", ".join(str(v) for v in value))
    return value


# ---------------------------------------------------------------- numbers


def _significant(dtype: Any) -> int:
    """Significant digits worth writing for a float type: 15 for float64, 7 for float32."""
    try:
        return min(_SIGNIFICANT, np.finfo(dtype).precision + 1)
    except (TypeError, ValueError):
        return _SIGNIFICANT


def _clean_floats(values: np.ndarray, significant: int = _SIGNIFICANT) -> np.ndarray:
    """Floats rounded to at most 10 decimals and 15 significant digits (the binary noise of sums
    goes: ``9.600000000000001`` → ``9.6``); NaN for NaN and ±∞."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    out = np.full(values.shape, np.nan)
    if not finite.any():
        return out
    x = values[finite]
    with np.errstate(divide="ignore"):
        magnitude = np.floor(np.log10(np.abs(x)))
    magnitude[~np.isfinite(magnitude)] = 0  # zero
    decimals = np.clip(significant - 1 - magnitude, 0, _MAX_DECIMALS)
    scale = 10.0**decimals
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = np.round(x * scale) / scale
    rounded = np.where(np.isfinite(rounded), rounded, x)  # beyond 1e298 × scale: already whole
    out[finite] = rounded + 0.0  # no negative zero
    return out


def plain_number(value: Any) -> int | float | None:
    """A number as it is written out: ``7.0`` → ``7``, ``9.600000000000001`` → ``9.6``, NaN/∞ → None."""
    if isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    significant = _significant(value.dtype) if isinstance(value, np.floating) else _SIGNIFICANT
    number = float(_clean_floats(np.array([float(value)]), significant)[0])
    if math.isnan(number):
        return None
    return int(number) if number.is_integer() and abs(number) < _EXACT_INTEGERS else number


def _is_number(value: Any) -> bool:
    return isinstance(value, (numbers.Real, Decimal)) and not isinstance(value, (bool, np.bool_))


# ---------------------------------------------------------------- columns


def _number_column(series: pd.Series) -> tuple[pd.Series, bool]:
    """A numeric column as written (integers where whole) and whether every value is whole."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
        return series.reset_index(drop=True), True
    values = _clean_floats(series.to_numpy(dtype=float, na_value=np.nan), _significant(series.dtype))
    present = ~np.isnan(values)
    whole = present & (values == np.floor(values))
    whole &= np.abs(values) < _EXACT_INTEGERS  # larger values are written as floats (1e+20)
    if (whole == present).all():
        integers = pd.array(np.where(present, values, 0).astype(np.int64), dtype="Int64")
        integers[~present] = pd.NA
        return pd.Series(integers), True
    out = values.astype(object)
    out[~present] = None
    out[whole] = [int(v) for v in values[whole]]
    return pd.Series(out, dtype=object), False


def _map_texts(series: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """``series.map(function)``, computed once per distinct text (tables repeat their texts). A dict,
    not ``pd.factorize``: pandas' hash table takes two texts holding lone surrogates for one."""
    done: dict[str, Any] = {}
    out = []
    for value in series.astype(object).tolist():
        if type(value) is str:
            result = done.get(value)
            if result is None:
                result = done[value] = function(value)
        else:
            result = function(value)
        out.append(result)
    return pd.Series(out, dtype=object)


def _object_cell(value: Any) -> Any:
    """One cell of a text (or mixed) column: safe text, plain number, date, or None."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, str):
        return safe_cell(value)
    if _is_number(value):
        return plain_number(value)
    if isinstance(value, (dt.date, np.datetime64)):
        return _naive(pd.Timestamp(value)) if isinstance(value, (dt.datetime, np.datetime64)) else value
    if isinstance(value, (tuple, list, set, frozenset)):
        return safe_cell(value)
    return safe_cell(str(value))


def _naive(moment: pd.Timestamp) -> dt.datetime | None:
    """A spreadsheet time (no time zones): Vietnam time, or as it is when it has no zone."""
    if pd.isna(moment):
        return None
    if moment.tzinfo is not None:
        moment = moment.tz_convert(TIME_ZONE).tz_localize(None)
    return moment.to_pydatetime()


def _date_column(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert(TIME_ZONE).dt.tz_localize(None)
    return series.reset_index(drop=True)


class _Column:
    """One column as written: its header, values, and the XLSX number format of its numbers."""

    def __init__(self, name: Any, series: pd.Series):
        self.name = safe_cell(str(name))
        self.format: str | None = None
        self.values: pd.Series
        if pd.api.types.is_datetime64_any_dtype(series):
            self.values = _date_column(series)
            times = self.values.dropna()
            self.format = DATE_FORMAT if (times == times.dt.normalize()).all() else DATETIME_FORMAT
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_complex_dtype(series):
            self.values, whole = _number_column(series)
            if str(name).strip().lower() in PLAIN_INTEGER_COLUMNS and whole:
                self.format = "0"
            else:
                self.format = INTEGER_FORMAT if whole else DECIMAL_FORMAT
        else:
            self.values = _map_texts(series, _object_cell)
            numbers = [v for v in self.values.dropna() if _is_number(v)]
            if str(name).strip().lower() in PLAIN_INTEGER_COLUMNS:
                self.format = "0"
            elif numbers:
                self.format = INTEGER_FORMAT if all(isinstance(v, int) for v in numbers) else DECIMAL_FORMAT


def _columns(frame: pd.DataFrame) -> list[_Column]:
    return [_Column(name, frame.iloc[:, i]) for i, name in enumerate(frame.columns)]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy as written to a file: every text cell (and header) neutralised and cleaned, numbers
    plain (integers where whole, no binary noise), dates in Vietnam time without a zone."""
    columns = _columns(frame)
    out = pd.DataFrame({i: column.values for i, column in enumerate(columns)}, index=range(len(frame)))
    out.columns = [column.name for column in columns]
    return out


# ---------------------------------------------------------------- files


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark so Excel shows Vietnamese diacritics correctly; CRLF line
    ends, so every cell holding a CR or LF is quoted."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def sheet_name(title: str) -> str:
    """A valid worksheet name: no ``[]*?/\\:`` nor control characters, no apostrophe at either end,
    at most 31 characters."""
    name = unicodedata.normalize("NFC", clean_text(str(title), " "))
    name = _SHEET_NAME_BAD.sub(" ", name).replace("\t", " ").replace("\r", " ").replace("\n", " ")
    name = name.strip().strip("'").strip()
    return name[:31].rstrip().rstrip("'") or "Dữ liệu"


def _xlsx_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > _XLSX_TEXT_LIMIT:
        text = text[: _XLSX_TEXT_LIMIT - 1] + "…"
    return text


def to_xlsx(frame: pd.DataFrame, title: str = "Dữ liệu") -> bytes:
    """One-sheet XLSX: text as strings (never formulas nor error values), numbers as numbers with
    Vietnamese-style grouping formats, dates as dates shown ``dd/mm/yyyy``."""
    return workbook({title: frame})


def _unique_sheet_names(titles: list[str]) -> list[str]:
    """Valid, distinct worksheet names (Excel compares them without case): ``Các xã``, ``Các xã (2)``."""
    names: list[str] = []
    for title in titles:
        name, number = sheet_name(title), 1
        while name.casefold() in {n.casefold() for n in names}:
            number += 1
            suffix = f" ({number})"
            name = sheet_name(title)[: 31 - len(suffix)].rstrip() + suffix
        names.append(name)
    return names


def workbook(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """An XLSX with one sheet per table (in order), each with its header row frozen; cells as ``to_xlsx``."""
    book = Workbook(write_only=True)
    for name, frame in zip(_unique_sheet_names(list(tables)), tables.values()):
        _write_sheet(book, name, frame)
    if not tables:
        _write_sheet(book, "Dữ liệu", pd.DataFrame())
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_archive(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """A ZIP of one CSV (as ``to_csv``) per table, named after the table's title."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        used: set[str] = set()
        for title, frame in tables.items():
            stem, number = file_stem(title), 1
            while f"{stem}{'' if number == 1 else f'-{number}'}" in used:
                number += 1
            stem = f"{stem}{'' if number == 1 else f'-{number}'}"
            used.add(stem)
            archive.writestr(f"{stem}.csv", to_csv(frame))
    return buffer.getvalue()


def download_name(unit: str, page: str, period_key: str, extension: str) -> str:
    """``bcd502-dam-rong-theo-xa-2024.xlsx``: the unit, the page and the period, so downloads never overwrite
    each other."""
    return f"bcd502-{file_stem(unit)}-{file_stem(page)}-{file_stem(period_key)}.{extension}"


def _write_sheet(book: Workbook, name: str, frame: pd.DataFrame) -> None:
    columns = _columns(frame)
    sheet = book.create_sheet(name)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sample = [len(str(v)) for v in column.values.iloc[:200].dropna()]
        width = max([len(column.name), *sample])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    sheet.append([_text_cell(sheet, column.name) for column in columns])
    for row in zip(*(column.values.tolist() for column in columns)) if columns else ():
        sheet.append([_cell(sheet, value, column.format) for value, column in zip(row, columns)])


def _text_cell(sheet, text: str) -> Any:
    text = _xlsx_text(text)
    if not text:
        return None
    if text.startswith("=") or text in _XLSX_ERROR_TEXTS:  # openpyxl would write a formula / an error
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def _cell(sheet, value: Any, number_format: str | None) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return _text_cell(sheet, value)
    if isinstance(value, pd.Timestamp):
        value = _naive(value)
    if isinstance(value, dt.datetime):
        cell_format = number_format if number_format in (DATE_FORMAT, DATETIME_FORMAT) else None
        if cell_format is None:
            cell_format = DATE_FORMAT if value.time() == dt.time() else DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell_format = DATE_FORMAT
    elif isinstance(value, (bool, np.bool_)):
        return bool(value)
    elif _is_number(value):
        value = value.item() if isinstance(value, np.generic) else value
        if abs(value) >= _XLSX_LARGEST:  # beyond what Excel holds: kept as the text of the number
            return _text_cell(sheet, repr(float(value)))
        cell_format = number_format or (INTEGER_FORMAT if isinstance(value, int) else DECIMAL_FORMAT)
        if cell_format in (DATE_FORMAT, DATETIME_FORMAT):
            cell_format = INTEGER_FORMAT if isinstance(value, int) else DECIMAL_FORMAT
    else:
        return _text_cell(sheet, str(value))
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = cell_format
    return cell


def file_stem(text: str) -> str:
    """A download file name from a Vietnamese title: ``Hoạt động theo xã`` → ``hoat-dong-theo-xa``;
    ``2024-03-01..2024-06-30`` → ``2024-03-01-2024-06-30``."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "du-lieu"
