"""WorkbookSource returns tabs exactly as the Sheets API would (ragged rows, serial dates, error text)."""

import ast
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from lib.clean import clean, wanted_tabs
from lib.exceptions import SourceError
from lib.normalize import is_sheet_error
from lib.problems import ERROR, WARNING
from lib.sheets import is_google_sheet
from lib.source import WorkbookSource


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


# ---------------------------------------------------------------- hostile workbooks: far cells, error cells

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["Ngày", "Xã", "Chương trình", "Loại hoạt động", "Người tham gia"]
DATA = [
    HEADER,
    ["05/03/2024", "Rô Men", 2, "Ngày thứ 7 cùng nhân dân", 12],
    ["06/03/2024", "Đạ K'Nàng", 1, "Tuyên truyền", 30],
]
# Reads one tab in a fresh interpreter allowed 3 GiB of address space: a reader that sizes its cell
# block by the farthest cell asks for hundreds of GB and dies there instead of in the test run.
BOUNDED_READ = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
from lib.exceptions import SourceError
from lib.source import WorkbookSource
start = time.perf_counter()
try:
    tab = WorkbookSource(sys.argv[1]).fetch(["BCHQS"]).tabs["BCHQS"]
except SourceError as error:
    print(repr(error.message))
else:
    print(repr((tab.values, tab.stray, time.perf_counter() - start)))
"""


def read_bounded(path: Path):
    """(values, stray, seconds) of tab BCHQS, or the message of the SourceError raised."""
    done = subprocess.run(
        [sys.executable, "-c", BOUNDED_READ, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def far_xlsx(path: Path) -> Path:
    """Normal data, 500 blank rows inside it (kept), a note far to the right, a value at XFD1048576."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("BCHQS")
    for index, row in enumerate(DATA):
        sheet.write_row(index, 0, row)
    sheet.write_row(503, 0, ["07/03/2024", "Phi Liêng", 3, "Dân vận", 5])
    sheet.write(2, 52, "ghi chú ngoài bảng")  # BA3: 47 empty columns after the data
    sheet.write(1048575, 16383, "x")  # XFD1048576
    workbook.close()
    return path


def expected_far_rows() -> list:
    return [*DATA, *([[]] * 500), ["07/03/2024", "Phi Liêng", 3, "Dân vận", 5]]


def test_xlsx_value_at_the_last_cell_is_read_with_bounded_memory(tmp_path):
    values, stray, seconds = read_bounded(far_xlsx(tmp_path / "xa.xlsx"))
    assert values == expected_far_rows()
    assert stray == [(3, 52, "ghi chú ngoài bảng"), (1048576, 16383, "x")]
    assert seconds < 30


def test_xlsx_far_cells_of_every_kind_are_listed_with_their_values(tmp_path):
    workbook = openpyxl.Workbook()  # openpyxl writes inline-less shared strings, booleans and dates
    sheet = workbook.active
    sheet.title = "BCHQS"
    for row in DATA:
        sheet.append(row)
    sheet["AZ2"] = 12.5
    sheet["AZ3"] = True
    sheet["A5000"] = dt.date(2024, 3, 5)
    sheet["B5000"] = "=1/0"
    path = tmp_path / "xa.xlsx"
    workbook.save(path)
    raw = WorkbookSource(path).fetch(["BCHQS"])
    assert raw.tabs["BCHQS"].values == DATA
    assert raw.tabs["BCHQS"].stray[:3] == [(2, 51, 12.5), (3, 51, True), (5000, 0, 45356)]


def write_ods(path: Path, rows_xml: str, **more_tables: str) -> Path:
    """An .ods whose table BCHQS (then each of ``more_tables``) has the given rows, in the markup
    LibreOffice writes."""
    tables = "".join(
        f'<table:table table:name="{name}"><table:table-column table:number-columns-repeated="16384"/>'
        f"{rows}</table:table>"
        for name, rows in {"BCHQS": rows_xml, **more_tables}.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
        'office:version="1.3"><office:body><office:spreadsheet>'
        f"{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def ods_cell(value) -> str:
    if isinstance(value, str):
        return (
            f'<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{value}</text:p>'
            "</table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="float" office:value="{value}" calcext:value-type="float">'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def ods_error(formula: str, text: str) -> str:
    """A formula cell whose result is an error, exactly as LibreOffice saves it."""
    return (
        f'<table:table-cell table:formula="of:={formula}" office:value-type="string" office:string-value="" '
        f'calcext:value-type="error"><text:p>{text}</text:p></table:table-cell>'
    )


def ods_row(cells: str, pad: int = 16384) -> str:
    return f'<table:table-row table:style-name="ro1">{cells}<table:table-cell table:number-columns-repeated="{pad}"/></table:table-row>'


def test_ods_value_at_the_last_cell_is_read_with_bounded_memory(tmp_path):
    rows = "".join(ods_row("".join(ods_cell(v) for v in row), 16384 - len(row)) for row in DATA)
    rows += '<table:table-row table:number-rows-repeated="1048572"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    rows += (
        f'<table:table-row><table:table-cell table:number-columns-repeated="16383"/>{ods_cell("x")}</table:table-row>'
    )
    values, stray, seconds = read_bounded(write_ods(tmp_path / "xa.ods", rows))
    assert values == DATA and stray == [(1048576, 16383, "x")] and seconds < 30


def test_ods_formula_errors_arrive_as_their_error_text(tmp_path):
    """calamine reads LibreOffice's error cells as blanks: a #N/A commune would then be filled down
    from the row above and counted under the wrong commune."""
    rows = [
        "".join(ods_cell(v) for v in HEADER),
        "".join(ods_cell(v) for v in DATA[1]),
        ods_cell("06/03/2024") + ods_error("NA()", "#N/A") + ods_cell(2) + ods_cell("Tuyên truyền") + ods_cell(5),
        ods_cell("07/03/2024")
        + ods_cell("Rô Men")
        + ods_error("1/0", "#DIV/0!")
        + ods_cell("Dân vận")
        + ods_error("SQRT(-1)", "Err:502"),
        # written by a program that shows the error as text only; a formula giving "" stays empty
        ods_cell("09/03/2024")
        + ods_error("NA()", "#N/A").replace(' calcext:value-type="error"', "")
        + ods_error("&quot;&quot;", "").replace(' calcext:value-type="error"', ""),
        # an error cell repeated over two columns, after a repeated empty cell
        ods_cell("08/03/2024")
        + '<table:table-cell table:number-columns-repeated="2"/>'
        + ods_error("NA()", "#N/A").replace(
            "<table:table-cell ", '<table:table-cell table:number-columns-repeated="2" '
        ),
    ]
    path = write_ods(tmp_path / "loi.ods", "".join(ods_row(r, 100) for r in rows))
    values = WorkbookSource(path).fetch(["BCHQS"]).tabs["BCHQS"].values
    assert values == [
        HEADER,
        DATA[1],
        ["06/03/2024", "#N/A", 2, "Tuyên truyền", 5],
        ["07/03/2024", "Rô Men", "#DIV/0!", "Dân vận", "Err:502"],
        ["09/03/2024", "#N/A"],
        ["08/03/2024", "", "", "#N/A", "#N/A"],
    ]
    assert all(is_sheet_error(v) for v in ("#N/A", "#DIV/0!", "Err:502"))


def test_ods_stray_cells_in_another_tab_do_not_stop_the_read(tmp_path):
    """calamine reads every table of an .ods at once: a far cell in any tab (even one not asked for)
    used to make the whole workbook unreadable."""
    rows = "".join(ods_row("".join(ods_cell(v) for v in row), 30) for row in DATA)
    far = f'<table:table-row table:number-rows-repeated="2000000"/><table:table-row><table:table-cell table:number-columns-repeated="16000"/>{ods_cell(1)}</table:table-row>'
    path = write_ods(tmp_path / "hai.ods", rows, **{"Ghi chú": far})
    raw = WorkbookSource(path).fetch(["BCHQS", "Ghi chú"])
    assert raw.tabs["BCHQS"].values == DATA and raw.tabs["BCHQS"].stray == []
    assert raw.tabs["Ghi chú"].values == [] and raw.tabs["Ghi chú"].stray == [(2000001, 16000, 1)]


def test_xlsx_written_by_libreoffice_keeps_its_error_cells(tmp_path):
    """The .xlsx error cells (t="e") stay restored next to the new scan."""
    workbook = xlsxwriter.Workbook(str(tmp_path / "loi.xlsx"))
    sheet = workbook.add_worksheet("BCHQS")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, DATA[1])
    sheet.write_row(2, 0, ["06/03/2024"])
    sheet.write_formula(2, 1, "=NA()", None, "#N/A")
    sheet.write_row(2, 2, [2, "Tuyên truyền", 5])
    workbook.close()
    values = WorkbookSource(tmp_path / "loi.xlsx").fetch(["BCHQS"]).tabs["BCHQS"].values
    assert values[2] == ["06/03/2024", "#N/A", 2, "Tuyên truyền", 5]


def test_a_tab_too_sparse_to_read_is_refused_with_a_message(tmp_path):
    """Values every few hundred rows and columns chain into a block of billions of cells: refused,
    naming the tab, instead of read."""
    workbook = xlsxwriter.Workbook(str(tmp_path / "thua.xlsx"))
    sheet = workbook.add_worksheet("BCHQS")
    for step in range(0, 1_048_000, 900):
        sheet.write(step, min(step // 900 * 20, 16383), 1)
    workbook.close()
    assert read_bounded(tmp_path / "thua.xlsx").startswith("Tab «BCHQS» có vùng dữ liệu quá lớn")


def test_messages_name_the_file_not_the_server_path(tmp_path):
    with pytest.raises(SourceError) as caught:
        WorkbookSource(tmp_path / "khong-co.xlsx")
    assert "khong-co.xlsx" in caught.value.message and str(tmp_path) not in caught.value.message
    broken = tmp_path / "hong.ods"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SourceError) as caught:
        WorkbookSource(broken).fetch(["A"])
    assert str(tmp_path) not in caught.value.message and "Error" not in caught.value.message


def test_xls_cells_far_from_the_data_are_left_out_and_listed(tmp_path):
    """.xls has no XML to scan (and at most 65 536 × 256 cells): the block is cut from the rows read."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "BCHQS"
    for row in DATA:
        sheet.append(row)
    sheet["BA3"] = "ghi chú ngoài bảng"
    sheet["IV60000"] = "x"
    workbook.save(tmp_path / "cu.xlsx")
    tab = WorkbookSource(convert(tmp_path / "cu.xlsx", "xls")).fetch(["BCHQS"]).tabs["BCHQS"]
    assert tab.values == DATA
    assert tab.stray == [(3, 52, "ghi chú ngoài bảng"), (60000, 255, "x")]


def convert(path: Path, suffix: str) -> Path:
    """The workbook saved by LibreOffice in another format (skips the test without LibreOffice)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is needed for this file format")
    subprocess.run(
        [soffice, "--headless", "--convert-to", suffix, "--outdir", str(path.parent), str(path)],
        env={**os.environ, "HOME": str(path.parent)},
        capture_output=True,
        timeout=180,
        check=True,
    )
    return path.with_suffix(f".{suffix}")


def test_ods_saved_by_libreoffice_keeps_its_formula_errors(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "BCHQS"
    for row in (*DATA, ["06/03/2024", "=NA()", 2, "Tuyên truyền", "=SQRT(-1)"]):
        sheet.append(row)
    workbook.save(tmp_path / "loi.xlsx")
    values = WorkbookSource(convert(tmp_path / "loi.xlsx", "ods")).fetch(["BCHQS"]).tabs["BCHQS"].values
    assert values == [*DATA, ["06/03/2024", "#N/A", 2, "Tuyên truyền", "Err:502"]]


def test_xlsx_without_cell_addresses_is_placed_cell_by_cell(tmp_path):
    """Some programs leave out row and cell addresses (allowed: cells then follow one another) or
    write attributes in another order: the scan places such cells one by one, far cells and error
    cells included."""
    path = far_xlsx(tmp_path / "xa.xlsx")
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    sheet = re.sub(r'<c r="[A-E][1-3]" ', "<c ", sheet)  # rows 1 to 3: the data cells without address
    sheet = sheet.replace('<row r="2"', "<row")  # row 2 counted after row 1
    sheet = sheet.replace('<row r="504"', '<row r="5"><c t="e" r="B5"><f>NA()</f><v>#N/A</v></c></row><row r="504"')
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    values, stray, _ = read_bounded(path)
    expected = expected_far_rows()
    expected[4] = ["", "#N/A"]
    assert values == expected
    assert stray == [(3, 52, "ghi chú ngoài bảng"), (1048576, 16383, "x")]


def error_xls(path: Path) -> Path:
    """An .xls saved by LibreOffice with formula errors: #N/A in the commune column (under a filled
    commune, so it looks like a merged cell), #DIV/0! and #REF! among numbers, #N/A far from the data."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "BCHQS"
    for row in (
        *DATA,
        ["07/03/2024", "=NA()", 2, "Ngày thứ 7 cùng nhân dân", 30],
        ["08/03/2024", "Rô Men", 2, "Ngày thứ 7 cùng nhân dân", "=1/0"],
        ["09/03/2024", "Đạ K'Nàng", "=#REF!", "Tuyên truyền", '=""'],
        ["10/03/2024", "Rô Men", 2, "Ngày thứ 7 cùng nhân dân", 8],
    ):
        sheet.append(row)
    sheet["IV60000"] = "=NA()"
    workbook.save(path.with_suffix(".xlsx"))
    return convert(path.with_suffix(".xlsx"), "xls")


def test_xls_formula_errors_arrive_as_their_error_text(tmp_path):
    """calamine reads the error cells of an .xls as blanks; their codes come from xlrd, and a far
    error cell is listed as stray like any far value."""
    tab = WorkbookSource(error_xls(tmp_path / "loi.xls")).fetch(["BCHQS"]).tabs["BCHQS"]
    assert tab.values == [
        *DATA,
        ["07/03/2024", "#N/A", 2, "Ngày thứ 7 cùng nhân dân", 30],
        ["08/03/2024", "Rô Men", 2, "Ngày thứ 7 cùng nhân dân", "#DIV/0!"],
        ["09/03/2024", "Đạ K'Nàng", "#REF!", "Tuyên truyền"],
        ["10/03/2024", "Rô Men", 2, "Ngày thứ 7 cùng nhân dân", 8],
    ]
    assert tab.stray == [(60000, 255, "#N/A")]


def test_xls_error_cells_are_reported_not_filled_down(tmp_path, config):
    raw = WorkbookSource(error_xls(tmp_path / "loi.xls")).fetch(wanted_tabs(config))
    dataset = clean(raw, config)
    issues = dataset.issues[dataset.issues["tab"] == "BCHQS"]
    assert list(zip(issues["severity"], issues["code"], issues["row"], issues["column"], issues["value"])) == [
        (ERROR, "cell.formula_error", 4, "Xã", "#N/A"),  # not taken from the row above
        (ERROR, "cell.formula_error", 5, "Người tham gia", "#DIV/0!"),
        (ERROR, "cell.formula_error", 6, "Chương trình", "#REF!"),
        (WARNING, "cell.stray", 60000, "IV", "#N/A"),
    ]
    counted = dataset.activities[dataset.activities["tab"] == "BCHQS"]
    assert sorted(counted["row"]) == [2, 3, 7]
    assert counted["commune"].tolist().count("Rô Men") == 2


def test_xls_read_when_xlrd_cannot_find_the_error_cells(tmp_path, monkeypatch, caplog):
    """calamine stays the reader: should xlrd fail on a file, the values are still read (logged)."""

    def fails(path, tabs):
        raise ValueError("unsupported record")

    monkeypatch.setattr("lib.source._xls_errors", fails)
    tab = WorkbookSource(error_xls(tmp_path / "loi.xls")).fetch(["BCHQS"]).tabs["BCHQS"]
    assert tab.values[3] == ["07/03/2024", "", 2, "Ngày thứ 7 cùng nhân dân", 30]
    assert "formula-error cells not found" in caplog.text
