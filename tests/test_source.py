"""WorkbookSource returns tabs exactly as the Sheets API would (ragged rows, serial dates, error text)."""

import datetime as dt
import unicodedata

import openpyxl
import pandas as pd
import pytest

from lib.exceptions import SourceError
from lib.source import WorkbookSource, is_google_sheet


@pytest.fixture
def workbook(tmp_path):
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = unicodedata.normalize("NFD", "Hội Phụ nữ")
    sheet.append(["Ngày", "Xã", "Số đợt", None, None])
    sheet.append([dt.date(2024, 3, 5), "Rô Men", 2.0, None, None])
    sheet.append([])
    sheet.append(["05/03/2024", "Đạ Long", "#REF!", None, "ghi chú"])
    hidden = wb.create_sheet("Ẩn")
    hidden.sheet_state = "hidden"
    hidden.append(["x"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def test_rows_as_the_sheets_api_gives_them(workbook):
    raw = WorkbookSource(workbook).fetch(["Hội Phụ nữ", "Ẩn", "Không có"])
    assert set(raw.tabs) == {"Hội Phụ nữ", "Ẩn"} and "Không có" not in raw.tabs
    assert raw.tabs["Hội Phụ nữ"].values == [
        ["Ngày", "Xã", "Số đợt"],
        [45356, "Rô Men", 2],
        [],
        ["05/03/2024", "Đạ Long", "#REF!", "", "ghi chú"],
    ]
    assert raw.tabs["Ẩn"].hidden and not raw.tabs["Hội Phụ nữ"].hidden
    assert len(raw.available) == 2


def test_missing_and_wrong_files(tmp_path):
    with pytest.raises(SourceError, match="Không tìm thấy tệp"):
        WorkbookSource(tmp_path / "khong.xlsx")
    with pytest.raises(SourceError, match="không phải bảng tính"):
        WorkbookSource(tmp_path / "ghi-chu.txt")
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(SourceError, match="Không đọc được tệp hong.xlsx"):
        WorkbookSource(broken).fetch(["A"])


def test_ods_gives_the_same_values_as_xlsx(tmp_path):
    rows = [
        ["Ngày", "Xã", "Số đợt", "Nội dung"],
        [dt.date(2024, 3, 5), "Rô Men", 2, "Dọn vệ sinh"],
        ["05/03/2024", "Đạ K'Nàng", 26.5, None],
    ]
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    for suffix, engine in ((".ods", "odf"), (".xlsx", "openpyxl")):
        frame.to_excel(tmp_path / f"book{suffix}", sheet_name="MTTQ", index=False, engine=engine)
    ods = WorkbookSource(tmp_path / "book.ods").fetch(["MTTQ"]).tabs["MTTQ"].values
    xlsx = WorkbookSource(tmp_path / "book.xlsx").fetch(["MTTQ"]).tabs["MTTQ"].values
    assert ods == xlsx == [rows[0], [45356, "Rô Men", 2, "Dọn vệ sinh"], ["05/03/2024", "Đạ K'Nàng", 26.5]]


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit#gid=0", True),
        ("1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", True),
        ("demo/dam-rong-demo.xlsx", False),
        ("bang.ods", False),
    ],
)
def test_google_sheet_specs(spec, expected):
    assert is_google_sheet(spec) is expected
