"""Table downloads (CSV and XLSX) whose cells cannot run as formulas when opened in a spreadsheet.

A text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is what Excel,
LibreOffice and Google Sheets treat as a formula; such cells get a leading apostrophe. Numbers stay
numbers, so a negative amount is not mangled.
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_BAD = re.compile(r"[\[\]\*\?/\\:]")


def safe_cell(value: Any) -> Any:
    """A cell value that a spreadsheet will show as text, never evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, (tuple, list, set)):
        return safe_cell(", ".join(str(v) for v in value))
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell (and header) neutralised; numeric and date columns untouched."""
    out = frame.copy()
    out.columns = [safe_cell(str(c)) for c in out.columns]
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].astype(object).map(safe_cell)
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark so Excel shows Vietnamese diacritics correctly."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def sheet_name(title: str) -> str:
    """A valid worksheet name: no ``[]*?/\\:``, at most 31 characters."""
    return (_SHEET_NAME_BAD.sub(" ", title).strip() or "Dữ liệu")[:31]


def to_xlsx(frame: pd.DataFrame, title: str = "Dữ liệu") -> bytes:
    """One-sheet XLSX; text is written as strings (openpyxl never turns them into formulas)."""
    buffer = io.BytesIO()
    safe = safe_frame(frame)
    for column in safe.columns:  # Excel has no time zones
        if isinstance(safe[column].dtype, pd.DatetimeTZDtype):
            safe[column] = safe[column].dt.tz_localize(None)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet_name(title))
        sheet = writer.sheets[sheet_name(title)]
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # belt and braces: openpyxl treats "=…" strings as formulas
                    cell.data_type = "s"
        for index, column in enumerate(safe.columns, start=1):
            width = (
                max([len(str(column)), *safe.iloc[:200, index - 1].astype(str).str.len().tolist()])
                if len(safe)
                else len(str(column))
            )
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(max(width + 2, 8), 60)
    return buffer.getvalue()


def file_stem(text: str) -> str:
    """A download file name from a Vietnamese title: ``Hoạt động theo xã`` → ``hoat-dong-theo-xa``."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "du-lieu"
