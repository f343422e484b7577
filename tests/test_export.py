"""Downloads: CSV and XLSX cells can never run as spreadsheet formulas, hold no control characters,
write whole numbers as integers without binary noise, and carry Vietnamese number and date formats."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess

import numpy as np
import openpyxl
import pandas as pd
import pytest

from lib import export

CONTROLS = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
TRIGGERS = ("=", "+", "-", "@", "\t")

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
        ("  =1+1", "'  =1+1"),
        ("Họp dân\r=1+1", "Họp dân\r'=1+1"),
        ("a\n-b\r\n@c\n\tt\n+d", "a\n'-b\r\n'@c\n'\tt\n'+d"),
        ("Dòng 1\x0b=SUM(A1)", "Dòng 1\n'=SUM(A1)"),  # Word's line break becomes a line, then neutralised
        ("a\x00b\x1fc", "abc"),
        ("a - b = c", "a - b = c"),
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


def _csv_rows(frame: pd.DataFrame) -> list[list[str]]:
    data = export.to_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_quotes_line_breaks_and_neutralises_every_line():
    frame = pd.DataFrame(
        {
            "Nội dung": ["Họp dân\r=1+1", "a\n-b\r\n@c", "x\r\n\r\n+1", "Bình thường"],
            "Số": [-2.0, 1.5, 3.0, -4.0],
        }
    )
    rows = _csv_rows(frame)
    assert len(rows) == 5 and all(len(row) == 2 for row in rows)  # no cell broke its row
    assert [row[0] for row in rows[1:]] == ["Họp dân\r'=1+1", "a\n'-b\r\n'@c", "x\r\n\r\n'+1", "Bình thường"]
    for row in rows[1:]:
        for line in row[0].replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            assert not line.startswith(TRIGGERS)
    assert [row[1] for row in rows[1:]] == ["-2", "1.5", "3", "-4"]  # numbers stay numbers
    raw = export.to_csv(frame).decode("utf-8-sig")
    assert '"Họp dân\r\'=1+1"' in raw  # quoted: a bare CR is a new record to LibreOffice


def _calc_convert(tmp_path, name: str, data: bytes) -> openpyxl.Workbook:
    """The workbook LibreOffice Calc makes of a CSV (UTF-8, comma, double quote), as a user opening it gets."""
    source = tmp_path / f"{name}.csv"
    source.write_bytes(data)
    result = subprocess.run(
        [
            shutil.which("soffice") or shutil.which("libreoffice"),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    target = tmp_path / f"{name}.xlsx"
    if not target.is_file() and "could not be loaded" in result.stdout + result.stderr:
        pytest.skip("LibreOffice Calc không được cài trên máy này")
    assert result.returncode == 0 and target.is_file(), result.stdout + result.stderr
    return openpyxl.load_workbook(target)


@pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice không được cài trên máy này",
)
def test_libreoffice_opens_the_csv_without_formulas(tmp_path):
    frame = pd.DataFrame(
        {
            "Nội dung": ["Họp dân\r=1+1", "x\n=2+2", "=3+3", "a\x0b@SUM(A1)", "+84 912", "Đạ K'Nàng"],
            "Số": [7.0, 9.600000000000001, -2.0, np.nan, 1.5, 0.0],
        }
    )
    sheet = _calc_convert(tmp_path, "bang", export.to_csv(frame)).active
    rows = list(sheet.iter_rows())
    assert not [c.coordinate for row in rows for c in row if c.data_type == "f"]
    assert len(rows) == 7  # one row per record: no line of a cell became a row
    assert [c.value for c in rows[1]] == ["Họp dân\n'=1+1", 7]
    assert rows[6][0].value == "Đạ K'Nàng"
    assert [row[1].value for row in rows[1:]] == [7, 9.6, -2, None, 1.5, 0]


def test_control_characters_leave_every_file():
    frame = pd.DataFrame(
        {
            f"Cột{CONTROLS}": [f"a{CONTROLS}b", f"={CONTROLS}", "bình thường"],
            "Số": [1.0, 2.5, 3.0],
            "Ghi chú": [("x\x00y", "z"), None, "Dòng 1\x0bDòng 2\x0c"],
        }
    )
    text = export.to_csv(frame).decode("utf-8-sig")
    assert not any(c in text for c in CONTROLS)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][0] == "Cột\n\n" and rows[1][0] == "a\n\nb" and rows[2][0] == "'=\n\n"
    assert rows[1][2] == "xy, z" and rows[3][2] == "Dòng 1\nDòng 2\n"

    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(frame, f"Tab{CONTROLS}1")))
    sheet = book.active
    assert sheet.title == "Tab" + " " * 2 + "1"  # vertical tab and form feed read as spaces in a name
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts and not any(ch in t for t in texts for ch in CONTROLS)
    assert sheet["A2"].value == "a\n\nb" and sheet["C4"].value == "Dòng 1\nDòng 2\n"


@pytest.mark.parametrize(
    "title, expected",
    [("'Hoạt động'", "Hoạt động"), ("a" * 40, "a" * 31), ("\x00\x01", "Dữ liệu"), ("Thôn\nxã", "Thôn xã")],
)
def test_sheet_name_is_valid_for_excel(title, expected):
    assert export.sheet_name(title) == expected


def test_whole_numbers_are_integers_and_floats_lose_binary_noise():
    frame = pd.DataFrame(
        {
            "Số đợt": [7.0, 12.0, np.nan],
            "Km": [9.600000000000001, 0.1 + 0.2, 4.0],
            "Lớn": [4_280_000_000.000001, 1e20, -3.0],
            "Số nguyên": [1, 2, 3],
            "Giá trị": ["#REF!", 7.0, 2.675],
        }
    )
    rows = _csv_rows(frame)
    assert [row[0] for row in rows[1:]] == ["7", "12", ""]
    assert [row[1] for row in rows[1:]] == ["9.6", "0.3", "4"]
    assert [row[2] for row in rows[1:]] == ["4280000000", "1e+20", "-3"]
    assert [row[3] for row in rows[1:]] == ["1", "2", "3"]
    assert [row[4] for row in rows[1:]] == ["#REF!", "7", "2.675"]
    assert export.plain_number(7.0) == 7 and isinstance(export.plain_number(7.0), int)
    assert export.plain_number(9.600000000000001) == 9.6
    assert export.plain_number(float("inf")) is None and export.plain_number(float("nan")) is None
    assert export.plain_number(np.int64(-5)) == -5

    sheet = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(frame))).active
    assert sheet["A2"].value == 7 and isinstance(sheet["A2"].value, int)
    assert sheet["A2"].number_format == "#,##0" and sheet["A4"].value is None
    assert sheet["B2"].value == 9.6 and sheet["B3"].value == 0.3 and sheet["B2"].number_format == "#,##0.0#"
    assert sheet["C2"].value == 4_280_000_000
    assert sheet["E2"].value == "#REF!" and sheet["E2"].data_type == "s"  # text, not an error value
    assert sheet["E3"].value == 7 and sheet["E3"].data_type == "n"


def test_xlsx_dates_are_real_dates_shown_day_first():
    frame = pd.DataFrame(
        {
            "Ngày": pd.to_datetime(["2024-10-29", None, "2024-01-05"]),
            "Lúc": pd.to_datetime(["2024-12-31 17:30", "2024-01-01 00:00", None]).tz_localize("UTC"),
            "Ngày ghi": [dt.date(2024, 3, 8), None, ""],
            "Dòng": pd.array([2, 2024, None], dtype="Int64"),
            "Năm": [2023, 2024, 2025],
        }
    )
    sheet = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(frame))).active
    assert sheet["A2"].is_date and sheet["A2"].value == dt.datetime(2024, 10, 29)
    assert sheet["A2"].number_format == "dd/mm/yyyy" and sheet["A3"].value is None
    assert sheet["B2"].value == dt.datetime(2025, 1, 1, 0, 30)  # Vietnam time, no zone
    assert sheet["B2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["C2"].is_date and sheet["C2"].number_format == "dd/mm/yyyy" and sheet["C4"].value is None
    assert sheet["D3"].value == 2024 and sheet["D3"].number_format == "0"  # a row number, not 2.024
    assert sheet["E2"].value == 2023 and sheet["E2"].number_format == "0"


# ---------------------------------------------------------------- one download per page


def test_page_workbook_has_a_typed_sheet_per_table_with_frozen_headers():
    tables = {
        "Các xã": pd.DataFrame(
            {"Xã": ["Rô Men", "Đạ Long"], "Số hoạt động": [30.0, 7.0], "Độ phủ thôn (%)": [16.666, 25.0]}
        ),
        "Hoạt động: xã Rô Men": pd.DataFrame(
            {"Ngày": [dt.date(2024, 3, 5)], "Nội dung": ["=1+1"], "Tổng kinh phí (đồng)": [5_500_000.0], "Dòng": [12]}
        ),
        "các xã": pd.DataFrame({"a": [1]}),  # Excel compares sheet names without case
    }
    book = openpyxl.load_workbook(io.BytesIO(export.workbook(tables)))
    assert book.sheetnames == ["Các xã", "Hoạt động  xã Rô Men", "các xã (2)"]
    communes, activities = book["Các xã"], book["Hoạt động  xã Rô Men"]
    assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets)
    assert [c.value for c in communes[1]] == ["Xã", "Số hoạt động", "Độ phủ thôn (%)"]
    assert communes["B2"].value == 30 and isinstance(communes["B2"].value, int)  # a count, not 30.0
    assert communes["B2"].number_format == "#,##0" and communes["C2"].number_format == "#,##0.0#"
    assert activities["A2"].value == dt.datetime(2024, 3, 5) and activities["A2"].number_format == "dd/mm/yyyy"
    assert activities["B2"].value == "'=1+1" and activities["B2"].data_type == "s"
    assert activities["C2"].value == 5_500_000 and activities["C2"].number_format == "#,##0"
    assert activities["D2"].number_format == "0"  # a row number is no quantity: 12, not 1.2 thousand


def test_page_csvs_in_one_archive():
    import zipfile

    tables = {"Các xã": pd.DataFrame({"Số hoạt động": [30.0, 7.0]}), "Các xã ": pd.DataFrame({"x": ["=a"]})}
    archive = zipfile.ZipFile(io.BytesIO(export.csv_archive(tables)))
    assert archive.namelist() == ["cac-xa.csv", "cac-xa-2.csv"]
    assert archive.read("cac-xa.csv").decode("utf-8-sig").splitlines() == ["Số hoạt động", "30", "7"]
    assert archive.read("cac-xa-2.csv").decode("utf-8-sig").splitlines()[1] == "'=a"


@pytest.mark.parametrize(
    "page, period, expected",
    [
        ("Theo xã", "2024", "bcd502-dam-rong-theo-xa-2024.xlsx"),
        ("Tổng quan", "2025-Q1", "bcd502-dam-rong-tong-quan-2025-q1.xlsx"),
        (
            "Chất lượng dữ liệu",
            "2024-03-01..2024-06-30",
            "bcd502-dam-rong-chat-luong-du-lieu-2024-03-01-2024-06-30.xlsx",
        ),
    ],
)
def test_download_names_carry_unit_page_and_period(page, period, expected):
    assert export.download_name("Đam Rông", page, period, "xlsx") == expected
