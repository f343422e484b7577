"""The signable document (Nghị định 30/2020/NĐ-CP; Hướng dẫn 36-HD/VPTW for a Party committee): number,
date line, header rules, appendices with their reference, the signature kept with the last paragraph,
Vietnamese proofing, no hyphenation, tables sized to content; rendered by LibreOffice and looked at."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Emu, Pt
from test_periods import _config_with

from lib.config import load_config
from lib.document import DocumentInfo, parse_number, signing_date_note
from lib.exceptions import ReportError
from lib.period import Period
from lib.report import render_docx, render_markdown
from lib.word import CELL_MARGIN, HEADER_WIDTHS, TEXT_WIDTH, markdown_to_docx, text_width

ARTIFACTS = ROOT / "test-artifacts"
SIGNED = dt.date(2024, 12, 5)
LIBREOFFICE = shutil.which("libreoffice")


def _info(**changes) -> DocumentInfo:
    base = {"format": "state", "symbol": "BC-BCĐ", "place": "Đam Rông", "issuer": "Ban Chỉ đạo 502 huyện Đam Rông"}
    return DocumentInfo(**{**base, **changes})


# ---------------------------------------------------------------- number, date, reference


def test_number_and_date_lines():
    assert _info().number_line == "Số: …/BC-BCĐ"
    assert _info(number=5).number_line == "Số: 05/BC-BCĐ"
    assert _info(number=112).number_line == "Số: 112/BC-BCĐ"
    assert _info().date_line == "Đam Rông, ngày … tháng … năm …"
    assert _info(signing_date=dt.date(2025, 1, 8)).date_line == "Đam Rông, ngày 08 tháng 01 năm 2025"
    party = _info(format="party", symbol="BC/BCĐ", number=12)
    assert party.number_line == "Số 12-BC/BCĐ"  # Hướng dẫn 36: no colon, number then hyphen
    assert _info(format="party", symbol="BC/BCĐ").number_line == "Số …-BC/BCĐ"


def test_appendix_reference():
    assert _info(number=5, signing_date=SIGNED).reference == (
        "(Kèm theo Báo cáo số 05/BC-BCĐ ngày 05 tháng 12 năm 2024 của Ban Chỉ đạo 502 huyện Đam Rông)"
    )
    assert _info().reference == (
        "(Kèm theo Báo cáo số …/BC-BCĐ ngày … tháng … năm … của Ban Chỉ đạo 502 huyện Đam Rông)"
    )


@pytest.mark.parametrize("typed, number", [("5", 5), ("05", 5), (" Số: 12 ", 12), ("", None), ("  ", None), (7, 7)])
def test_numbers_as_typed(typed, number):
    assert parse_number(typed) == number


@pytest.mark.parametrize("typed", ["abc", "5a", "-3", "0", "1000000", "٥"])
def test_numbers_that_cannot_be_used_are_explained(typed):
    with pytest.raises(ReportError, match="Số văn bản"):
        parse_number(typed)


def test_signing_date_notes():
    start, end = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    assert signing_date_note(None, start, end) is None
    assert signing_date_note(dt.date(2024, 12, 5), start, end) is None
    assert signing_date_note(dt.date(2025, 1, 10), start, end) is None
    assert signing_date_note(dt.date(2025, 4, 2), start, end) is None  # 92 days after the period
    assert signing_date_note(dt.date(2025, 4, 3), start, end).startswith("Ngày ký 03/04/2025 cách ngày cuối kỳ")
    late = signing_date_note(dt.date(2026, 11, 30), start, end)
    assert late == (
        "Ngày ký 30/11/2026 cách ngày cuối kỳ báo cáo (31/12/2024) hơn ba tháng; "
        "kiểm tra lại ngày ký hoặc kỳ báo cáo ở thanh bên."
    )
    assert signing_date_note(dt.date(2023, 12, 31), start, end).startswith("Ngày ký 31/12/2023 ở trước kỳ báo cáo")


# ---------------------------------------------------------------- the Markdown draft


@pytest.fixture(scope="module")
def blank_draft(demo, config) -> str:
    return render_markdown(demo, config, Period.year(2024))


def test_the_draft_leaves_number_and_date_blank(blank_draft):
    assert "| Số: …/BC-BCĐ | *Đam Rông, ngày … tháng … năm …* |" in blank_draft
    assert str(dt.date.today().year) + "*" not in blank_draft


def test_the_draft_carries_a_given_number_and_date(demo, config):
    draft = render_markdown(demo, config, Period.year(2024), SIGNED, 5)
    assert "| Số: 05/BC-BCĐ | *Đam Rông, ngày 05 tháng 12 năm 2024* |" in draft
    assert "*(Kèm theo Báo cáo số 05/BC-BCĐ ngày 05 tháng 12 năm 2024 của Ban Chỉ đạo 502 huyện Đam Rông)*" in draft


def test_header_rules_and_signature_in_markdown(blank_draft):
    lines = blank_draft.splitlines()
    assert lines[2] == "| **BAN CHỈ ĐẠO 502** | **Độc lập - Tự do - Hạnh phúc** |"
    assert lines[3].startswith("| ———— | ————") and lines[3].endswith("— |")  # the rules under both
    subject = lines.index("# BÁO CÁO") + 2
    assert lines[subject].startswith("**Tình hình, kết quả") and set(lines[subject + 2]) == {"—"}
    assert "Ký, ghi rõ họ tên" not in blank_draft


def test_appendices_are_numbered_with_their_reference(blank_draft):
    pages = blank_draft.split("<!-- trang mới -->")[1:]
    assert [p.strip().splitlines()[0] for p in pages] == ["**Phụ lục I**", "**Phụ lục II**"]
    assert "**MỘT SỐ CHỈ SỐ CHỦ YẾU NĂM 2024**" in pages[0]
    assert "**KẾT QUẢ THỰC HIỆN CHỈ TIÊU NĂM 2024**" in pages[1]
    reference = "*(Kèm theo Báo cáo số …/BC-BCĐ ngày … tháng … năm … của Ban Chỉ đạo 502 huyện Đam Rông)*"
    assert all(reference in p for p in pages)
    assert "PHỤ LỤC" not in blank_draft and "Nguồn:" not in blank_draft


@pytest.fixture(scope="module")
def party_config(tmp_path_factory):
    directory = _config_with(
        tmp_path_factory.mktemp("party"),
        "    header_format: state\n    symbol: BC-BCĐ\n",
        "    header_format: party\n    symbol: BC/BCĐ\n",
    )
    return load_config(directory)


def test_party_format_header(demo, party_config):
    draft = render_markdown(demo, party_config, Period.year(2024), SIGNED, 12)
    lines = draft.splitlines()
    assert lines[0] == "| HUYỆN ỦY ĐAM RÔNG | ĐẢNG CỘNG SẢN VIỆT NAM |"
    assert lines[2].startswith("| **BAN CHỈ ĐẠO 502** | ————")
    assert lines[3] == "| \\* | *Đam Rông, ngày 05 tháng 12 năm 2024* |"
    assert lines[4] == "| Số 12-BC/BCĐ | |"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in draft
    assert "(Kèm theo Báo cáo số 12-BC/BCĐ ngày 05 tháng 12 năm 2024" in draft
    header = Document(io.BytesIO(render_docx(demo, party_config, Period.year(2024), SIGNED, 12))).tables[0]
    assert [[c.text for c in row.cells] for row in header.rows] == [
        ["HUYỆN ỦY ĐAM RÔNG", "ĐẢNG CỘNG SẢN VIỆT NAM"],
        ["BAN CHỈ ĐẠO 502", ""],
        ["*", "Đam Rông, ngày 05 tháng 12 năm 2024"],
        ["Số 12-BC/BCĐ", ""],
    ]
    rule = header.cell(1, 1).paragraphs[0]
    length = HEADER_WIDTHS[1] - 2 * CELL_MARGIN - 2 * rule.paragraph_format.left_indent
    assert abs(length - text_width("ĐẢNG CỘNG SẢN VIỆT NAM", 13, bold=True)) < Pt(1)  # as long as the title


# ---------------------------------------------------------------- the Word file


@pytest.fixture(scope="module")
def docx_2024(demo, config) -> bytes:
    return render_docx(demo, config, Period.year(2024), SIGNED, 5)


@pytest.fixture(scope="module")
def document(docx_2024):
    return Document(io.BytesIO(docx_2024))


def _rule_length(paragraph, available) -> int:
    border = paragraph._p.pPr.find(qn("w:pBdr"))
    assert border is not None and border[0].get(qn("w:val")) == "single"
    return available - 2 * paragraph.paragraph_format.left_indent


def test_rules_under_the_issuing_body_the_motto_and_the_subject(document):
    header = document.tables[0]
    issuer, motto = header.cell(1, 0), header.cell(1, 1)
    under_issuer = _rule_length(header.cell(2, 0).paragraphs[0], HEADER_WIDTHS[0] - 2 * CELL_MARGIN)
    under_motto = _rule_length(header.cell(2, 1).paragraphs[0], HEADER_WIDTHS[1] - 2 * CELL_MARGIN)
    issuer_width = text_width(issuer.text, 13, bold=True)
    assert issuer_width / 3 <= under_issuer <= issuer_width / 2  # 1/3 to 1/2 of the issuing body's name
    assert abs(under_motto - text_width(motto.text, 13, bold=True)) < Pt(1)  # as long as the motto
    paragraphs = document.paragraphs
    subject = next(i for i, p in enumerate(paragraphs) if p.text.startswith("Tình hình, kết quả"))
    rule = paragraphs[subject + 1]
    assert rule.text == "" and rule.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert TEXT_WIDTH / 3 <= _rule_length(rule, TEXT_WIDTH) <= TEXT_WIDTH / 2


def test_signature_block_is_kept_with_the_last_paragraph(document):
    body = document.element.body
    signature = next(t for t in document.tables if "Nơi nhận:" in t.cell(0, 0).text)
    before = signature._tbl.getprevious()
    last = next(p for p in document.paragraphs if p._p is before)
    assert last.text.startswith("8. Phối hợp tổ chức các hoạt động kỷ niệm")  # after the demo's seven tasks
    assert last.paragraph_format.keep_with_next and last.paragraph_format.keep_together
    assert signature.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
    texts = [p.text for p in signature.cell(0, 1).paragraphs]
    assert texts == ["ỦY VIÊN BAN THƯỜNG VỤ", "Kiêm", "TRƯỞNG BAN CHỈ ĐẠO", "Nguyễn Văn Thành"]
    assert "Ký, ghi rõ" not in body.xml


def test_appendices_in_word(document):
    texts = [p.text for p in document.paragraphs]
    first = texts.index("Phụ lục I")
    assert texts[first + 1] == "MỘT SỐ CHỈ SỐ CHỦ YẾU NĂM 2024"
    reference = document.paragraphs[first + 2]
    assert reference.text == (
        "(Kèm theo Báo cáo số 05/BC-BCĐ ngày 05 tháng 12 năm 2024 của Ban Chỉ đạo 502 huyện Đam Rông)"
    )
    assert reference.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(r.italic for r in reference.runs)
    assert "Phụ lục II" in texts and all(document.paragraphs[first + i].paragraph_format.keep_with_next for i in (0, 1))


def test_vietnamese_proofing_and_no_hyphenation(docx_2024, document):
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert defaults.get(qn("w:val")) == "vi-VN"
    normal = document.styles["Normal"].element
    assert normal.rPr.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    assert normal.pPr.find(qn("w:suppressAutoHyphens")) is not None
    langs = {e.get(qn("w:val")) for e in document.element.iter(qn("w:lang"))}
    assert langs <= {"vi-VN"}  # no run says otherwise
    hyphenation = document.settings.element.find(qn("w:autoHyphenation"))
    assert hyphenation is not None and hyphenation.get(qn("w:val")) == "false"


def test_data_tables_fit_their_content_and_repeat_their_header(document):
    comparison = next(t for t in document.tables if t.cell(0, 0).text == "Chỉ số")
    first = comparison.rows[0]._tr.trPr
    assert first.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in comparison.rows[1:])
    widths = [c.width for c in comparison.columns]
    assert abs(sum(widths) - TEXT_WIDTH) < Emu(12700)
    padding = 2 * CELL_MARGIN
    for index in range(len(comparison.columns)):
        cells = [row.cells[index].text for row in comparison.rows]
        longest_word = max(text_width(w, 12, bold=r == 0) for r, c in enumerate(cells) for w in c.split())
        assert widths[index] >= longest_word + padding  # no word is broken
        body = max(text_width(c, 12) for c in cells[1:])
        if index:  # units and figures stay on one line; the label column may wrap
            assert widths[index] >= body + padding
    assert widths[0] > max(widths[1:])


def test_content_sized_columns_give_way_to_long_labels():
    markdown = (
        "# T\n\n| Tên | Số |\n|:---|---:|\n"
        + "| " + "chữ " * 80 + "| 1.234.567 |\n"
    )  # fmt: skip
    table = Document(io.BytesIO(markdown_to_docx(markdown))).tables[0]
    label, figure = (c.width for c in table.columns)
    assert label + figure <= TEXT_WIDTH + 2 and figure >= text_width("1.234.567", 12) + 2 * CELL_MARGIN


# ---------------------------------------------------------------- LibreOffice: looked at


def _convert(tmp_path: Path, documents: dict[str, bytes]) -> dict[str, Path]:
    for name, data in documents.items():
        (tmp_path / f"{name}.docx").write_bytes(data)
    result = subprocess.run(
        [
            LIBREOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *(str(tmp_path / f"{name}.docx") for name in documents),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdfs = {name: tmp_path / f"{name}.pdf" for name in documents}
    assert result.returncode == 0 and all(p.is_file() for p in pdfs.values()), result.stderr
    return pdfs


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def _signature_markdown(paragraphs: int) -> str:
    body = "\n\n".join(f"Đoạn văn số {i} của báo cáo, một dòng." for i in range(1, paragraphs))
    return (
        "| CẤP TRÊN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n|:---:|:---:|\n"
        "| **BAN CHỈ ĐẠO** | **Độc lập - Tự do - Hạnh phúc** |\n\n# BÁO CÁO\n\n"
        f"{body}\n\nĐoạn cuối cùng của báo cáo.\n\n<!-- cột: trái -->\n***Nơi nhận:***\n\n"
        + "".join(f"- Nơi nhận {i};\n" for i in range(1, 10))
        + "\n<!-- cột: phải -->\n**TRƯỞNG BAN**\n\n**Người Ký**\n\n<!-- cột: hết -->\n"
    )


@pytest.mark.skipif(LIBREOFFICE is None or shutil.which("pdftotext") is None, reason="cần LibreOffice và poppler-utils")
def test_libreoffice_keeps_the_signature_with_the_last_paragraph(tmp_path):
    lengths = range(22, 31)
    pdfs = _convert(tmp_path, {f"ky-{n}": markdown_to_docx(_signature_markdown(n)) for n in lengths})
    moved = 0
    for n in lengths:
        pages = [p for p in _pages(pdfs[f"ky-{n}"]) if p.strip()]
        signed = next(i for i, p in enumerate(pages) if "Nơi nhận:" in p)
        assert "Đoạn cuối cùng của báo cáo." in pages[signed], n
        assert "Người Ký" in pages[signed], n
        moved += signed > 0
    assert moved  # at least one length put the signature on a second page, with its paragraph


@pytest.mark.skipif(LIBREOFFICE is None or shutil.which("pdftoppm") is None, reason="cần LibreOffice và poppler-utils")
def test_libreoffice_renders_the_2024_draft_for_review(tmp_path, docx_2024, demo, party_config):
    party = render_docx(demo, party_config, Period.year(2024), SIGNED, 12)
    pdfs = _convert(tmp_path, {"bao-cao-2024": docx_2024, "bao-cao-2024-dang": party})
    pages = _pages(pdfs["bao-cao-2024"])
    first = pages[0]
    assert "BAN CHỈ ĐẠO 502" in first and "Số: 05/BC-BCĐ" in first and "ngày 05 tháng 12 năm 2024" in first
    signed = next(p for p in pages if "Nơi nhận:" in p)
    assert "Nguyễn Văn Thành" in signed and "TRƯỞNG BAN CHỈ ĐẠO" in signed
    appendix = [p for p in pages if "Phụ lục I" in p]
    assert appendix and "(Kèm theo Báo cáo số 05/BC-BCĐ" in appendix[0]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in _pages(pdfs["bao-cao-2024-dang"])[0]
    ARTIFACTS.mkdir(exist_ok=True)
    for name, pdf in pdfs.items():
        for old in ARTIFACTS.glob(f"word-{name}-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", str(pdf), str(ARTIFACTS / f"word-{name}")], check=True, timeout=120
        )
    assert len(list(ARTIFACTS.glob("word-bao-cao-2024-*.png"))) >= len([p for p in pages if p.strip()])


def test_table_properties_in_schema_order(document):
    order = ["tblStyle", "tblW", "jc", "tblBorders", "tblLayout", "tblLook"]
    for table in document.tables:
        tags = [child.tag.split("}")[1] for child in table._tbl.tblPr]
        assert len(tags) == len(set(tags)) and tags == sorted(tags, key=order.index), tags
