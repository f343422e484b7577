"""Word export: the rendered Markdown draft laid out per Nghị định 30/2020/NĐ-CP (A4, Times New Roman,
two-column header, bold centred title, justified body with first-line indent, real footnotes,
recipients and signature side by side).

Reads only the Markdown subset the report template writes: pipe tables, ``#``–``####`` headings,
paragraphs, ``- `` and ``1. `` items, ``>`` placeholders, ``[^label]`` footnotes, ``**``/``*``
emphasis, backslash escapes, and the layout comments ``<!-- cột: trái|phải|hết -->`` and
``<!-- trang mới -->``. The first table before any heading is the document header.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .export import clean_text

FONT = "Times New Roman"
BODY_PT, HEADER_PT, TABLE_PT, NOTE_PT, RECIPIENTS_PT = 14, 13, 12, 12, 11
INDENT = Cm(1.27)
TEXT_WIDTH = Mm(210 - 30 - 15)
HEADER_WIDTHS = (Mm(62), Mm(103))
SIGNATURE_WIDTHS = (Mm(80), Mm(85))

_HEADING = re.compile(r"^(#{1,4}) (.+)$")
_FOOTNOTE = re.compile(r"^\[\^([^\]\s]+)\]: ?(.*)$")
_ITEM = re.compile(r"^(?:- |\d+\. )")
_QUOTE = re.compile(r"^> ?(.*)$")
_MARKER = re.compile(r"^<!--\s*(.+?)\s*-->$")
_TABLE = re.compile(r"^\|.*\|$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Markdown's lines (str.splitlines would also split at \x0b, \x85, \u2028…)
_INLINE = re.compile(r"\\(.)|(\*\*\*|\*\*|\*)|\[\^([^\]\s]+)\]")
_FOOTNOTES_XML = (
    f"<w:footnotes {nsdecls('w')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


# ---------------------------------------------------------------- Markdown blocks


@dataclass
class Block:
    kind: str  # heading | para | item | quote | table | marker
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)
    aligns: list[str] = field(default_factory=list)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in _CELL_SPLIT.split(line.strip()[1:-1])]


def parse(markdown: str) -> tuple[list[Block], dict[str, str]]:
    """Blocks in order, and footnote definitions by label."""
    blocks: list[Block] = []
    notes: dict[str, str] = {}
    lines = _LINE_BREAK.split(markdown)
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
        elif m := _MARKER.match(line):
            blocks.append(Block("marker", m[1]))
            i += 1
        elif m := _HEADING.match(line):
            blocks.append(Block("heading", m[2].strip(), level=len(m[1])))
            i += 1
        elif _TABLE.match(line):
            rows = []
            while i < len(lines) and _TABLE.match(lines[i].rstrip()):
                rows.append(_cells(lines[i]))
                i += 1
            aligns = []
            if len(rows) > 1 and all(re.fullmatch(r":?-+:?", c) for c in rows[1]):
                aligns = [
                    "center" if c.startswith(":") and c.endswith(":") else "right" if c.endswith(":") else "left"
                    for c in rows[1]
                ]
                del rows[1]
            blocks.append(Block("table", rows=rows, aligns=aligns))
        elif m := _FOOTNOTE.match(line):
            text, i = [m[2]], i + 1
            while i < len(lines) and lines[i].strip() and not _starts_block(lines[i]):
                text.append(lines[i].strip())
                i += 1
            notes[m[1]] = " ".join(text)
        elif _ITEM.match(line):
            blocks.append(Block("item", line.strip()))
            i += 1
        elif m := _QUOTE.match(line):
            text, i = [m[1]], i + 1
            while i < len(lines) and (q := _QUOTE.match(lines[i].rstrip())):
                text.append(q[1])
                i += 1
            blocks.append(Block("quote", " ".join(text)))
        else:
            text, i = [line.strip()], i + 1
            while i < len(lines) and lines[i].strip() and not _starts_block(lines[i]):
                text.append(lines[i].strip())
                i += 1
            blocks.append(Block("para", " ".join(text)))
    return blocks, notes


def _starts_block(line: str) -> bool:
    line = line.rstrip()
    return any(p.match(line) for p in (_MARKER, _HEADING, _TABLE, _FOOTNOTE, _ITEM, _QUOTE))


def _whole_bold(text: str) -> bool:
    return text.startswith("**") and text.endswith("**") and "**" not in text[2:-2]


# ---------------------------------------------------------------- Word writing


def _font(run, size: float, *, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _format(paragraph: Paragraph, align, *, indent: bool = False, after: float = 6, before: float = 0) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = INDENT if indent else None
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(before)
    fmt.line_spacing = 1.1


def _add_text(run, text: str) -> None:
    """``run.text = text`` for a new run: python-docx reads the text a character at a time to turn
    tabs and line breaks into elements; text without them is one ``<w:t>``, added directly."""
    if "\t" in text or "\n" in text or "\r" in text:
        run.text = text
    elif text:
        run._r.add_t(text)


class _Prototypes:
    """The run and paragraph properties a document repeats, built once each by _font/_format on a
    scratch element and copied into every new run or paragraph that needs the same (the same XML,
    without python-docx's element-by-element work each time)."""

    def __init__(self):
        self.runs: dict[tuple, object] = {}
        self.paragraphs: dict[tuple, object] = {}

    def font(self, run, size: float, *, bold: bool = False, italic: bool = False, highlight: bool = False) -> None:
        """_font (and a yellow highlight) on a run that has no properties yet."""
        r = run._r
        if r.rPr is not None:  # not a new run: set the properties one by one
            _font(run, size, bold=bold, italic=italic)
            if highlight:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            return
        key = (size, bool(bold), bool(italic), bool(highlight))
        if key not in self.runs:
            scratch = Run(OxmlElement("w:r"), None)
            _font(scratch, size, bold=bold, italic=italic)
            if highlight:
                scratch.font.highlight_color = WD_COLOR_INDEX.YELLOW
            self.runs[key] = scratch._r.rPr
        r.insert(0, copy.deepcopy(self.runs[key]))

    def format(self, paragraph: Paragraph, align, *, indent: bool = False, after: float = 6, before: float = 0) -> None:
        """_format on a paragraph that has no properties yet."""
        p = paragraph._p
        if p.pPr is not None:
            _format(paragraph, align, indent=indent, after=after, before=before)
            return
        key = (align, bool(indent), after, before)
        if key not in self.paragraphs:
            scratch = Paragraph(OxmlElement("w:p"), None)
            _format(scratch, align, indent=indent, after=after, before=before)
            self.paragraphs[key] = scratch._p.pPr
        p.insert(0, copy.deepcopy(self.paragraphs[key]))


def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    table._tbl.tblPr.append(borders)


def _widths(table, widths) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _data_widths(count: int) -> list:
    """A data table across the text width: the first (label) column wider than the figures."""
    if count == 1:
        return [TEXT_WIDTH]
    first = int(TEXT_WIDTH * 0.36)
    return [first] + [int((TEXT_WIDTH - first) / (count - 1))] * (count - 1)


def _keep_together(table) -> None:
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


class _Writer:
    """Turns blocks into a python-docx Document."""

    def __init__(self, notes: dict[str, str]):
        self.doc = Document()
        self.notes = notes
        self.note_ids: dict[str, int] = {}
        self.footnotes = None
        self.container = self.doc
        self.columns = None
        self.column = ""
        self.seen_heading = False
        self.after_title = False
        self.prototypes = _Prototypes()
        self._page()

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        normal = self.doc.styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
        # page number centred in the top margin from the second page on
        section.different_first_page_header_footer = True
        number = section.header.paragraphs[0]
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = number.add_run()
        _font(run, HEADER_PT)
        for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            else:
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            run._r.append(element)

    # -- inline text

    def inline(
        self,
        paragraph: Paragraph,
        text: str,
        size: float,
        *,
        bold: bool = False,
        italic: bool = False,
        highlight: bool = False,
    ) -> None:
        """Runs for Markdown inline text: emphasis toggles, escapes, footnote references."""
        buffer: list[str] = []

        def flush() -> None:
            if text := "".join(buffer):
                run = paragraph.add_run()
                _add_text(run, text)
                self.prototypes.font(run, size, bold=bold, italic=italic, highlight=highlight)
                buffer.clear()

        position = 0
        for match in _INLINE.finditer(text):
            buffer.append(text[position : match.start()])
            position = match.end()
            escaped, marker, note = match.groups()
            if escaped is not None:
                buffer.append(escaped)
            elif marker:
                flush()
                if len(marker) != 1:
                    bold = not bold
                if len(marker) != 2:
                    italic = not italic
            elif note in self.notes:
                flush()
                self.note_reference(paragraph, note, size)
            else:
                buffer.append(match[0])
        buffer.append(text[position:])
        flush()

    def note_reference(self, paragraph: Paragraph, label: str, size: float) -> None:
        if label not in self.note_ids:
            self.note_ids[label] = len(self.note_ids) + 1
            self.add_footnote(self.note_ids[label], self.notes[label])
        run = paragraph.add_run()
        _font(run, size)
        run.font.superscript = True
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), str(self.note_ids[label]))
        run._r.append(reference)

    def add_footnote(self, number: int, text: str) -> None:
        if self.footnotes is None:
            self.footnotes = XmlPart(
                PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(_FOOTNOTES_XML), self.doc.part.package
            )
            self.doc.part.relate_to(self.footnotes, RT.FOOTNOTES)
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(number))
        p = OxmlElement("w:p")
        note.append(p)
        self.footnotes.element.append(note)
        paragraph = Paragraph(p, None)
        self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.JUSTIFY, after=0)
        mark = paragraph.add_run()
        _font(mark, NOTE_PT)
        mark.font.superscript = True
        mark._r.append(OxmlElement("w:footnoteRef"))
        self.inline(paragraph, " " + text, NOTE_PT)

    # -- blocks

    def write(self, blocks: list[Block]) -> None:
        for block in blocks:
            getattr(self, f"_{block.kind}")(block)

    def _marker(self, block: Block) -> None:
        name = block.text.lower()
        if name == "trang mới":
            self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif name == "cột: trái":
            self.columns = self.doc.add_table(rows=1, cols=2)
            _borderless(self.columns)
            _widths(self.columns, SIGNATURE_WIDTHS)
            _keep_together(self.columns)
            self.container, self.column = self.columns.cell(0, 0), "left"
            self._clear(self.container)
        elif name == "cột: phải" and self.columns is not None:
            self.container, self.column = self.columns.cell(0, 1), "right"
            self._clear(self.container)
        elif name == "cột: hết" and self.columns is not None:
            right = self.columns.cell(0, 1).paragraphs
            if len(right) > 1:  # room for the signature above the signer's name
                right[-1].paragraph_format.space_before = Pt(64)
            self.container, self.column, self.columns = self.doc, "", None

    @staticmethod
    def _clear(cell) -> None:
        """A new cell holds one empty paragraph; drop it so content starts at the top."""
        for p in list(cell.paragraphs):
            if not p.text:
                p._p.getparent().remove(p._p)

    def _heading(self, block: Block) -> None:
        self.seen_heading = True
        paragraph = self.container.add_paragraph()
        if block.level == 1:
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.CENTER, before=18, after=0)
            self.inline(paragraph, block.text, BODY_PT, bold=True)
            self.after_title = True
            return
        self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, before=6)
        self.inline(paragraph, block.text, BODY_PT, bold=True, italic=block.level >= 4)

    def _para(self, block: Block) -> None:
        paragraph = self.container.add_paragraph()
        top = 12 if self.column and len(self.container.paragraphs) == 1 else 0  # columns start below the body text
        if self.column == "left":
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.LEFT, after=0, before=top)
            self.inline(paragraph, block.text, TABLE_PT)
        elif self.column == "right":
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.CENTER, after=0, before=top)
            self.inline(paragraph, block.text, BODY_PT)
        elif _whole_bold(block.text):
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.CENTER, after=12 if self.after_title else 6, before=6)
            self.inline(paragraph, block.text, BODY_PT)
        else:
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
            self.inline(paragraph, block.text, BODY_PT)
        self.after_title = False

    def _item(self, block: Block) -> None:
        paragraph = self.container.add_paragraph()
        if self.column:
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.LEFT, after=0)
            self.inline(paragraph, block.text, RECIPIENTS_PT)
        else:
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
            self.inline(paragraph, block.text, BODY_PT)

    def _quote(self, block: Block) -> None:
        paragraph = self.container.add_paragraph()
        self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
        self.inline(paragraph, block.text, BODY_PT, italic=True, highlight=True)

    def _table(self, block: Block) -> None:
        header = not self.seen_heading and not self.doc.tables
        width = max(len(r) for r in block.rows)
        table = self.container.add_table(rows=len(block.rows), cols=width)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if header:
            _borderless(table)
            _widths(table, HEADER_WIDTHS)
        else:
            table.style = self.doc.styles["Table Grid"]
            _widths(table, _data_widths(width))
        aligns = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
        }
        cells = [table_row.cells for table_row in table.rows]  # table.cell() lays out the whole grid on every call
        for r, row in enumerate(block.rows):
            for c in range(width):
                paragraph = cells[r][c].paragraphs[0]
                text = row[c] if c < len(row) else ""
                if header:
                    self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.CENTER, after=0)
                    # the national title (first row, right) is bold; the rest is as the Markdown says
                    self.inline(paragraph, text, HEADER_PT, bold=(r == 0 and c == 1))
                else:
                    align = (
                        WD_ALIGN_PARAGRAPH.CENTER
                        if r == 0
                        else aligns[block.aligns[c] if c < len(block.aligns) else "left"]
                    )
                    self.prototypes.format(paragraph, align, after=0)
                    self.inline(paragraph, text, TABLE_PT, bold=r == 0)
        if not header:
            self.container.add_paragraph()

    def save(self) -> bytes:
        titles = [p.text for p in self.doc.paragraphs if p.text.strip()][:2]
        self.doc.core_properties.title = " ".join(titles)
        self.doc.core_properties.language = "vi-VN"
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def markdown_to_docx(markdown: str) -> bytes:
    """The .docx bytes of a report draft written in the template's Markdown subset. Control characters
    a Word file cannot hold (NUL, the vertical tab a paste from Word brings, …) are dropped first; a
    vertical tab or form feed becomes a space."""
    blocks, notes = parse(clean_text(markdown, " "))
    writer = _Writer(notes)
    writer.write(blocks)
    return writer.save()
