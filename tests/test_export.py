"""Downloads: CSV and XLSX cells can never run as spreadsheet formulas."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from lib import export

FRAME = pd.DataFrame(
    {
        "Nội dung": ['=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)", "\tTab", "Bình thường", None],
        "Số": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        "Phối hợp": [("mttq", "ccb"), (), ("=x",), ("a",), ("b",), ("c",), ("d",)],
    }
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+84 912", "'+84 912"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\rx", "'\rx"),
        ("Đạ K'Nàng", "Đạ K'Nàng"),
        (-5.0, -5.0),
        (None, None),
        (("=a", "b"), "'=a, b"),
    ],
)
def test_safe_cell(value, expected):
    assert export.safe_cell(value) == expected


def test_csv_neutralises_text_keeps_numbers():
    text = export.to_csv(FRAME).decode("utf-8-sig")
    read = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert not read["Nội dung"].str.match(r"^[=+\-@]").any()
    assert read["Nội dung"].iloc[0] == '\'=HYPERLINK("http://x")'
    assert read["Số"].tolist() == FRAME["Số"].tolist()  # a negative number stays a number
    assert read["Phối hợp"].iloc[0] == "mttq, ccb"
    assert export.to_csv(FRAME).startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the diacritics


def test_xlsx_has_no_formulas_and_keeps_numbers():
    data = export.to_xlsx(FRAME, "Hoạt động: 2024/1")
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet.title == "Hoạt động  2024 1"
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["B3"].value == -2.0
    assert [c.value for c in sheet[1]] == ["Nội dung", "Số", "Phối hợp"]


def test_xlsx_with_dates_and_time_zones():
    frame = pd.DataFrame({"Ngày": pd.to_datetime(["2024-01-05"]).tz_localize("UTC"), "x": [1]})
    sheet = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(frame))).active
    assert sheet["A2"].value.year == 2024


def test_file_stem_is_ascii():
    assert export.file_stem("Hoạt động theo xã Đạ K'Nàng") == "hoat-dong-theo-xa-da-k-nang"
    assert export.file_stem("!!!") == "du-lieu"
