"""Property-based checks of every file the dashboard writes: for any text and any float, the CSV parses
back with one record per row and no line of a cell starting a formula, the XLSX and the Word draft
re-open, and none holds a control character."""

from __future__ import annotations

import csv
import io
import math
import re

import openpyxl
import pandas as pd
from docx import Document
from hypothesis import example, given
from hypothesis import strategies as st

from lib import export
from lib.word import markdown_to_docx

CONTROLS = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"]
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TRIGGER_LINE = re.compile(r"(?:^|\r\n|\r|\n)[ ]*[=+\-@\t]")

# text with what spreadsheets and Word files trip on: formula starts, line breaks, controls, surrogates
_SPECIAL = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", " ", "'", '"', ",", "|", "*", *CONTROLS])
TEXT = st.lists(
    st.one_of(_SPECIAL, st.text(max_size=4), st.sampled_from(["Đạ K'Nàng", "Họp dân", "1+1", "SUM(A1)", "\ud800"])),
    max_size=8,
).map("".join)
FLOATS = st.floats(allow_nan=True, allow_infinity=True)


def _frame(texts: list[str], numbers: list[float]) -> pd.DataFrame:
    size = min(len(texts), len(numbers))
    # an object column, as the cleaner's text columns are: pandas 3's str dtype cannot hold lone surrogates
    return pd.DataFrame({"Nội dung": pd.Series(texts[:size], dtype=object), "Số": numbers[:size]})


@given(texts=st.lists(TEXT, min_size=1, max_size=6), numbers=st.lists(FLOATS, min_size=6, max_size=6))
@example(texts=["Đạ K'Nàng\ud800", "===Đạ K'Nàng"], numbers=[0.0] * 6)  # pandas hashes these two as one
def test_csv_parses_back_safely(texts, numbers):
    frame = _frame(texts, numbers)
    data = export.to_csv(frame)
    text = data.decode("utf-8-sig")
    assert not _FORBIDDEN.search(text)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(frame) + 1 and all(len(row) == 2 for row in rows)
    for row, original, number in zip(rows[1:], frame["Nội dung"], frame["Số"]):
        cell = row[0]
        assert not _TRIGGER_LINE.search(cell), cell
        # only apostrophes were added, and only the control characters were taken out
        assert cell.replace("'", "") == export.clean_text(original).replace("'", "")
        if not math.isfinite(number):
            assert row[1] == ""
        else:
            written = float(row[1])
            assert math.isclose(written, number, rel_tol=1e-13, abs_tol=1e-10)
            if written.is_integer() and abs(written) < 2**53:
                assert re.fullmatch(r"-?\d+", row[1]), row[1]  # 7, not 7.0


@given(texts=st.lists(TEXT, min_size=1, max_size=6), numbers=st.lists(FLOATS, min_size=6, max_size=6), title=TEXT)
@example(texts=["a", "b"], numbers=[1.7976931348623155e308, -1e308, 0, 0, 0, 0], title="")
def test_xlsx_reopens_without_formulas_or_controls(texts, numbers, title):
    frame = _frame(texts, numbers)
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(frame, title)))
    sheet = book.active
    assert 1 <= len(sheet.title) <= 31 and not _FORBIDDEN.search(sheet.title)
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type in ("f", "e")]
    for index, (original, number) in enumerate(zip(frame["Nội dung"], frame["Số"]), start=2):
        value = sheet.cell(index, 1).value or ""
        assert not _FORBIDDEN.search(value) and not _TRIGGER_LINE.search(value)
        expected = export.clean_text(original).replace("\r\n", "\n").replace("\r", "\n").replace("'", "")
        assert value.replace("'", "") == expected
        written = sheet.cell(index, 2).value
        if math.isfinite(number) and abs(number) >= 1e308:  # beyond Excel: the number as text
            assert float(written) == number
        elif math.isfinite(number):
            assert math.isclose(written, number, rel_tol=1e-13, abs_tol=1e-10)
        else:
            assert written is None


@given(lines=st.lists(TEXT, min_size=1, max_size=8))
def test_word_draft_reopens_from_any_text(lines):
    document = Document(io.BytesIO(markdown_to_docx("\n".join(lines))))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert not [t for t in texts if _FORBIDDEN.search(t)]
