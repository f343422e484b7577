"""The Word draft: Nghị định 30/2020/NĐ-CP layout built from the rendered Markdown, real footnotes,
inert spreadsheet text, and a LibreOffice conversion."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from conftest import DEMO, HEADER, clean_tab
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt

from lib.cli import main
from lib.period import Period
from lib.report import render_docx, render_markdown
from lib.word import markdown_to_docx, parse

SIGNED = dt.date(2024, 12, 5)


@pytest.fixture(scope="module")
def docx_2024(demo, config) -> bytes:
    return render_docx(demo, config, Period.year(2024), signing_date=SIGNED, number=5)


@pytest.fixture(scope="module")
def document(docx_2024):
    return Document(io.BytesIO(docx_2024))


def _body_paragraphs(document):
    return [p for p in document.paragraphs if p.text.strip()]


def _footnotes(document):
    notes = parse_xml(document.part.part_related_by(RT.FOOTNOTES).blob).findall(qn("w:footnote"))
    return {n.get(qn("w:id")): "".join(t.text for t in n.iter(qn("w:t"))) for n in notes if int(n.get(qn("w:id"))) > 0}


def test_page_is_a4_with_decree_margins(document):
    section = document.sections[0]
    mm = {
        name: round(getattr(section, name).mm, 1)
        for name in ("page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin")
    }
    assert (mm["page_width"], mm["page_height"]) == (210, 297)
    assert 20 <= mm["top_margin"] <= 25 and 20 <= mm["bottom_margin"] <= 25
    assert 30 <= mm["left_margin"] <= 35 and 15 <= mm["right_margin"] <= 20


def test_two_column_header_table(document):
    header = document.tables[0]
    left, right = header.rows[0].cells[0], header.rows[0].cells[1]
    assert len(header.columns) == 2
    texts = [[c.text for c in row.cells] for row in header.rows]
    assert texts[0] == ["HUYỆN ỦY ĐAM RÔNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert texts[1] == ["BAN CHỈ ĐẠO 502", "Độc lập - Tự do - Hạnh phúc"]
    assert texts[2] == ["", ""]  # the rules under the issuing body and the motto
    assert texts[3] == ["Số: 05/BC-BCĐ", "Đam Rông, ngày 05 tháng 12 năm 2024"]
    assert right.paragraphs[0].runs[0].bold and not left.paragraphs[0].runs[0].bold
    assert all(r.italic for r in header.rows[3].cells[1].paragraphs[0].runs)
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None and {e.get(qn("w:val")) for e in borders} == {"nil"}


def test_bold_centred_title_and_subject(document):
    paragraphs = _body_paragraphs(document)
    title, subject = paragraphs[0], paragraphs[1]
    assert title.text == "BÁO CÁO"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(r.bold for r in title.runs)
    assert subject.text.startswith("Tình hình, kết quả phối hợp") and subject.text.endswith(
        "phương hướng, nhiệm vụ năm 2025"
    )
    assert subject.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(r.bold for r in subject.runs)


def test_headings_and_justified_body(document):
    texts = [p.text for p in document.paragraphs]
    for heading in (
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "II. KẾT QUẢ PHỐI HỢP HOẠT ĐỘNG NĂM 2024",
        "III. ĐÁNH GIÁ CHUNG",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2025",
        "1. Ưu điểm",
    ):
        paragraph = document.paragraphs[texts.index(heading)]
        assert all(r.bold for r in paragraph.runs)
    body = next(p for p in document.paragraphs if p.text.startswith("Huyện Đam Rông có tổng diện tích"))
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body.paragraph_format.first_line_indent is not None and body.paragraph_format.first_line_indent > 0
    assert "87.255,8 ha" in body.text and "65,07%" in body.text


def test_every_run_is_times_new_roman_13_to_14_in_the_body(document):
    runs = [r for p in document.paragraphs for r in p.runs if r.text.strip()]
    assert runs and all(r.font.name == "Times New Roman" for r in runs)
    assert all(Pt(13) <= r.font.size <= Pt(14) for r in runs)
    fonts = runs[0]._r.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman"


def test_footnotes_are_real_word_footnotes(document):
    notes = _footnotes(document)
    references = document.element.body.findall(".//" + qn("w:footnoteReference"))
    assert len(notes) == len(references) >= 3
    assert any("2.872.300.000 đồng/4.272 lượt người" in text for text in notes.values())
    assert any("95 km" in text and "5.254 cây" in text for text in notes.values())
    assert any("4.080 triệu đồng" in text for text in notes.values())


def test_recipients_and_signature_side_by_side(document):
    signature = next(t for t in document.tables if "Nơi nhận:" in t.cell(0, 0).text)
    left, right = signature.cell(0, 0), signature.cell(0, 1)
    items = [p for p in left.paragraphs if p.text.startswith("- ")]
    assert items[0].text == "- Ban Chỉ đạo 502 tỉnh;" and items[-1].text == "- Lưu BCĐ 502 huyện."
    assert all(Pt(11) <= r.font.size <= Pt(12) for p in left.paragraphs for r in p.runs)
    assert [p.text for p in right.paragraphs][:3] == ["ỦY VIÊN BAN THƯỜNG VỤ", "Kiêm", "TRƯỞNG BAN CHỈ ĐẠO"]
    assert (
        right.paragraphs[-1].text == "Nguyễn Văn Thành" and right.paragraphs[-1].alignment == WD_ALIGN_PARAGRAPH.CENTER
    )


def test_appendix_tables_and_no_markdown_left(document, docx_2024):
    comparison = next(t for t in document.tables if t.cell(0, 0).text == "Chỉ số")
    assert [c.text for c in comparison.rows[0].cells][2:4] == ["Năm 2024", "Cùng kỳ năm 2023"]
    assert not any(t.cell(0, 0).text == "Tab" for t in document.tables)  # the data basis is a separate download
    every = [p.text for p in document.paragraphs] + [
        c.text for t in document.tables for row in t.rows for c in row.cells
    ]
    for marker in ("**", "[^", "<!--", "\\", "|:---"):
        assert not any(marker in text for text in every), marker


def test_spreadsheet_text_stays_literal_text(config):
    rows = [
        HEADER,
        ["06/04/2024", "Rô Men", "", "CT1", "Tuyên truyền", "# heading | a | <script>x</script> **b**", "", 1, 50],
    ]
    document = Document(
        io.BytesIO(render_docx(clean_tab(config, rows), config, Period.year(2024), signing_date=SIGNED))
    )
    item = next(p for p in document.paragraphs if "<script>" in p.text)
    assert item.text.startswith("- # heading | a | <script>x</script> **b** (")
    assert not any(r.bold for r in item.runs)


def test_parse_inline_and_blocks():
    blocks, notes = parse(
        "# T\n\n**Bold title**\n\nA *b* \\*c\\* d[^n].\nnext line\n\n[^n]: Note *i*.\n\n- item\n> [Cần bổ sung]\n"
    )
    assert [b.kind for b in blocks] == ["heading", "para", "para", "item", "quote"]
    assert blocks[2].text == "A *b* \\*c\\* d[^n]. next line"
    assert notes == {"n": "Note *i*."}
    document = Document(io.BytesIO(markdown_to_docx("Một *nghiêng* **đậm** \\*sao\\*[^n]\n\n[^n]: Chú thích.\n")))
    runs = document.paragraphs[0].runs
    assert [(r.text, bool(r.italic), bool(r.bold)) for r in runs if r.text] == [
        ("Một ", False, False),
        ("nghiêng", True, False),
        (" ", False, False),
        ("đậm", False, True),
        (" *sao*", False, False),
    ]


def test_mid_year_docx(demo, config):
    document = Document(io.BytesIO(render_docx(demo, config, Period.half(2024, 1), signing_date=SIGNED)))
    texts = [p.text for p in document.paragraphs]
    assert "II. KẾT QUẢ PHỐI HỢP HOẠT ĐỘNG 6 THÁNG ĐẦU NĂM 2024" in texts
    markdown = render_markdown(demo, config, Period.half(2024, 1), signing_date=SIGNED)
    assert markdown.count("[^") // 2 == len(_footnotes(document))


def test_cli_writes_docx(tmp_path):
    out = tmp_path / "bao-cao.docx"
    assert main(["report", "--source", str(DEMO), "--year", "2024", "--out", str(out), "--date", "05/12/2024"]) == 0
    assert Document(str(out)).tables[0].cell(3, 1).text == "Đam Rông, ngày 05 tháng 12 năm 2024"


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice không được cài trên máy này")
def test_libreoffice_converts_to_pdf(tmp_path, docx_2024):
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(docx_2024)
    result = subprocess.run(
        [
            "libreoffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    pdf = tmp_path / "bao-cao.pdf"
    assert result.returncode == 0 and pdf.is_file(), result.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
            check=True,
            timeout=60,
        )
        assert list(tmp_path.glob("page*.png"))


CONTROLS = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")


def _every_text(document) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    if any(r.reltype == RT.FOOTNOTES for r in document.part.rels.values()):
        texts += list(_footnotes(document).values())
    return texts


def test_control_characters_leave_the_word_draft():
    c = CONTROLS
    markdown = (
        f"| HUYỆN{c} | CỘNG HÒA |\n|---|---|\n| BAN{c} | Độc lập |\n\n"
        f"# BÁO CÁO{c}\n\n## I. ĐẶC{c} ĐIỂM\n\nĐoạn{c} văn[^a] có\x0bngắt dòng.\n\n"
        f"- Mục{c}\n> [Cần bổ sung{c}]\n\n| Chỉ số | Năm{c} |\n|:---|---:|\n| Cây\x0bxanh | 5{c} |\n\n"
        f"[^a]: Chú{c} thích.\n"
    )
    document = Document(io.BytesIO(markdown_to_docx(markdown)))
    texts = _every_text(document)
    assert not [t for t in texts if any(ch in t for ch in CONTROLS)]
    assert "Đoạn   văn có ngắt dòng." in texts  # vertical tab and form feed read as spaces, the note kept
    table = document.tables[1]
    assert [[c.text for c in row.cells] for row in table.rows] == [["Chỉ số", "Năm"], ["Cây xanh", "5"]]
    assert _footnotes(document) == {"1": " Chú   thích."}
    assert document.core_properties.title == "BÁO CÁO I. ĐẶC   ĐIỂM"


def test_spreadsheet_control_characters_reach_no_word_run(config):
    rows = [
        HEADER,
        ["06/04/2024", "Rô Men", "", "CT1", "Tuyên truyền", f"Họp dân{CONTROLS}thôn 1\x0bthôn 2", "", 1, 50],
    ]
    data = render_docx(clean_tab(config, rows), config, Period.year(2024), signing_date=SIGNED)
    texts = _every_text(Document(io.BytesIO(data)))
    assert not [t for t in texts if any(ch in t for ch in CONTROLS)]
    assert any("Họp dân" in t and "thôn 2" in t for t in texts)
