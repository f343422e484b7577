"""Word export: the rendered Markdown draft laid out per Nghị định 30/2020/NĐ-CP (A4, Times New Roman,
two-column header, bold centred title, justified body with first-line indent, real footnotes,
recipients and signature side by side).

Reads only the Markdown subset the report template writes: pipe tables, ``#``–``####`` headings,
paragraphs, ``- `` and ``1. `` items, ``>`` placeholders, ``[^label]`` footnotes, ``**``/``*``
emphasis, backslash escapes, and the layout comments ``<!-- cột: trái|phải|hết -->`` and
``<!-- trang mới -->``. The first table before any heading is the document header. A paragraph or a
header cell made only of em dashes (``————``) is a short horizontal rule (under the issuing body, the
motto, the subject line), as long as the dashes but never longer than the line above it. A whole-italic
line in parentheses (``*(Kèm theo …)*``) is centred.

Also per the decree: Vietnamese proofing language, no hyphenation, data tables sized to their content
with the header row repeated on every page, headings kept with what follows, and the signature block
kept on the page of the last paragraph.
"""

from __future__ import annotations

import copy
import io
import re
import unicodedata
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
from docx.shared import Cm, Emu, Mm, Pt, Twips
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .export import clean_text

FONT = "Times New Roman"
BODY_PT, HEADER_PT, TABLE_PT, NOTE_PT, RECIPIENTS_PT = 14, 13, 12, 12, 11
INDENT = Cm(1.27)
TEXT_WIDTH = Mm(210 - 30 - 15)
HEADER_WIDTHS = (Mm(62), Mm(103))
SIGNATURE_WIDTHS = (Mm(80), Mm(85))
CELL_MARGIN = Twips(108)  # Word's default left and right cell margin (0,19 cm)
LANGUAGE = "vi-VN"

_HEADING = re.compile(r"^(#{1,4}) (.+)$")
_FOOTNOTE = re.compile(r"^\[\^([^\]\s]+)\]: ?(.*)$")
# A paragraph carried over from earlier text (a text tab, the previous period's draft) starts with this
# marker: the Word file highlights the whole paragraph so the secretary reviews it.
REVIEW_MARK = "[kiểm tra lại]"
_ITEM = re.compile(r"^(?:- |\d+\. )")
_QUOTE = re.compile(r"^> ?(.*)$")
_MARKER = re.compile(r"^<!--\s*(.+?)\s*-->$")
_TABLE = re.compile(r"^\|.*\|$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Markdown's lines (str.splitlines would also split at \x0b, \x85, \u2028…)
_INLINE = re.compile(r"\\(.)|(\*\*\*|\*\*|\*)|\[\^([^\]\s]+)\]")
_RULE = re.compile(r"^—+$")
# Advance widths (thousandths of an em) of the printable ASCII characters in Times New Roman (the same
# metrics as Liberation Serif), regular and bold; a Vietnamese letter is as wide as its base letter.
_ADVANCE = {
    False: (
        "250 333 408 500 500 833 778 180 333 333 500 564 250 333 250 278 500 500 500 500 500 500 500 500 500 500 "
        "278 278 564 564 564 444 921 722 667 667 722 611 556 722 722 333 389 722 611 889 722 722 556 722 667 556 "
        "611 722 722 944 722 722 611 333 278 333 469 500 333 444 500 444 500 444 333 500 500 278 278 500 278 778 "
        "500 500 500 500 333 389 278 500 500 722 500 500 444 480 200 480 541"
    ),
    True: (
        "250 333 555 500 500 1000 833 278 333 333 500 570 250 333 250 278 500 500 500 500 500 500 500 500 500 500 "
        "333 333 570 570 570 500 930 722 667 722 722 667 611 778 778 389 500 778 667 944 722 778 611 778 722 556 "
        "667 722 722 1000 722 722 667 333 278 333 581 500 333 500 556 444 556 444 333 500 556 278 333 556 278 833 "
        "556 500 556 556 444 389 333 556 500 722 500 500 444 394 220 394 520"
    ),
}
_ADVANCES = {bold: [int(w) for w in widths.split()] for bold, widths in _ADVANCE.items()}
_WIDE = {"—": 1000, "…": 1000, "−": 564}
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


def _caption(text: str) -> bool:
    """A whole-italic line in parentheses, such as an appendix's ``*(Kèm theo Báo cáo số …)*``."""
    return text.startswith("*(") and text.endswith(")*") and "*" not in text[1:-1]


def plain(text: str) -> str:
    """The text a Markdown inline string shows: escapes resolved, emphasis and footnote references dropped."""
    return _INLINE.sub(lambda m: m[1] if m[1] is not None else "", text)


def _advance(char: str, bold: bool) -> int:
    table = _ADVANCES[bold]
    if char in _WIDE:
        return _WIDE[char]
    base = {"Đ": "D", "đ": "d"}.get(char) or unicodedata.normalize("NFD", char)[:1] or " "
    code = ord(base)
    return table[code - 32] if 32 <= code < 127 else 500


def text_width(text: str, size: float, *, bold: bool = False) -> int:
    """The width (EMU) of one line of text set in Times New Roman at ``size`` points."""
    return int(sum(_advance(c, bold) for c in text) * Pt(size) / 1000)


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
    table._tbl.tblPr.insert_element_before(borders, *_AFTER_TABLE_BORDERS)


def _widths(table, widths) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _fill(floor: list[int], ceiling: list[int], total: int) -> list[int]:
    """Widths between ``floor`` and ``ceiling`` that add up to ``total``: every column gets its ceiling
    up to a common level, the wider ones the level (found by bisection), the rounding to the widest."""

    def widths(level: float) -> list[int]:
        return [int(max(f, min(c, level))) for f, c in zip(floor, ceiling)]

    low, high = 0.0, float(max(ceiling))
    for _ in range(50):
        middle = (low + high) / 2
        low, high = (middle, high) if sum(widths(middle)) <= total else (low, middle)
    result = widths(low)
    result[result.index(max(result))] += total - sum(result)
    return result


def _data_widths(rows: list[list[str]], count: int, size: float = TABLE_PT) -> list[int]:
    """Column widths sized to the content, across the text width. Every column is at least as wide as
    its longest word (no word is broken); then, as room allows, every cell of the body on one line (the
    label column wraps first, a unit or a figure last); then the header cells on one line; what is left
    is spread like the content."""
    padding = 2 * CELL_MARGIN + Pt(6)  # a little room for the estimate
    least, body, full = [0] * count, [0] * count, [0] * count
    for r, row in enumerate(rows):
        for c in range(count):
            text = plain(row[c]) if c < len(row) else ""
            bold = r == 0
            words = [text_width(w, size, bold=bold) for w in text.split()] or [0]
            least[c] = max(least[c], max(words) + padding)
            line = text_width(text, size, bold=bold) + padding
            full[c] = max(full[c], line)
            if r or len(rows) == 1:
                body[c] = max(body[c], line)
    body = [max(b, m) for b, m in zip(body, least)]
    if sum(least) >= TEXT_WIDTH:
        return [int(w * TEXT_WIDTH / sum(least)) for w in least]
    if sum(full) <= TEXT_WIDTH:
        return [int(w * TEXT_WIDTH / sum(full)) for w in full]
    if sum(body) <= TEXT_WIDTH:
        return _fill(body, full, TEXT_WIDTH)
    return _fill(least, body, TEXT_WIDTH)


def _table_width(table, width: int) -> None:
    """The table's preferred width in twentieths of a point (python-docx leaves it "auto"); the layout
    is already fixed (``autofit`` off), so Word keeps the column widths."""
    preferred = table._tbl.tblPr.find(qn("w:tblW"))
    preferred.set(qn("w:type"), "dxa")
    preferred.set(qn("w:w"), str(int(Emu(width).twips)))


def _repeat_header(table) -> None:
    """The first row is repeated at the top of every page the table runs onto; no row splits."""
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if index == 0:
            properties.append(OxmlElement("w:tblHeader"))


_AFTER_TABLE_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
_AFTER_BORDER = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def _rule(paragraph: Paragraph, length: int, available: int) -> None:
    """Make an empty paragraph a centred solid rule ``length`` long in a line ``available`` wide."""
    side = Emu(max(0, (available - length) // 2))
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.left_indent = fmt.right_indent = side
    fmt.first_line_indent = None
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(3)  # exactly: the rule sits just under the line above
    fmt.keep_with_next = True
    border = parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="0" w:color="auto"/></w:pBdr>'
    )
    paragraph._p.get_or_add_pPr().insert_element_before(border, *_AFTER_BORDER)


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
        self.above = TEXT_WIDTH  # width of the line above, the longest a rule under it may be
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
        self._language()
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

    def _language(self) -> None:
        """Vietnamese proofing language for every run (document defaults, Normal style, theme) and no
        automatic hyphenation: a word is never broken mid-syllable."""
        styles = self.doc.styles.element
        for lang in styles.iter(qn("w:lang")):
            for attribute in ("w:val", "w:eastAsia"):
                lang.set(qn(attribute), LANGUAGE)
        normal = self.doc.styles["Normal"].element
        lang = normal.get_or_add_rPr().find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            normal.rPr.append(lang)
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)
        normal.get_or_add_pPr().insert_element_before(
            OxmlElement("w:suppressAutoHyphens"), *_AFTER_BORDER[_AFTER_BORDER.index("w:suppressAutoHyphens") + 1 :]
        )
        settings = self.doc.settings.element
        for theme in settings.iter(qn("w:themeFontLang")):
            theme.set(qn("w:val"), LANGUAGE)
        hyphenation = OxmlElement("w:autoHyphenation")
        hyphenation.set(qn("w:val"), "false")
        tab = settings.find(qn("w:defaultTabStop"))
        if tab is not None:
            tab.addnext(hyphenation)
        else:
            settings.append(hyphenation)

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
            if self.doc.paragraphs:  # the signature stays on the page of the last paragraph
                last = self.doc.paragraphs[-1].paragraph_format
                last.keep_with_next = last.keep_together = True
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
        self.above = text_width(plain(block.text), BODY_PT, bold=True)
        if block.level == 1:
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.CENTER, before=18, after=0)
            self.inline(paragraph, block.text, BODY_PT, bold=True)
            paragraph.paragraph_format.keep_with_next = True
            self.after_title = True
            return
        self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, before=6)
        self.inline(paragraph, block.text, BODY_PT, bold=True, italic=block.level >= 4)
        paragraph.paragraph_format.keep_with_next = True

    def _para(self, block: Block) -> None:
        paragraph = self.container.add_paragraph()
        if _RULE.match(block.text) and not self.column:
            _rule(paragraph, min(len(block.text) * Pt(BODY_PT), self.above), TEXT_WIDTH)
            paragraph.paragraph_format.space_after = Pt(6)
            return
        self.above = min(text_width(plain(block.text), BODY_PT, bold=_whole_bold(block.text)), TEXT_WIDTH)
        top = 12 if self.column and len(self.container.paragraphs) == 1 else 0  # columns start below the body text
        if self.column == "left":
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.LEFT, after=0, before=top)
            self.inline(paragraph, block.text, TABLE_PT)
        elif self.column == "right":
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.CENTER, after=0, before=top)
            self.inline(paragraph, block.text, BODY_PT)
        elif _whole_bold(block.text):  # the subject line, an appendix's number and title: kept with what follows
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.CENTER, after=12 if self.after_title else 6, before=6)
            self.inline(paragraph, block.text, BODY_PT)
            paragraph.paragraph_format.keep_with_next = True
        elif _caption(block.text):
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.CENTER, after=0)
            self.inline(paragraph, block.text, BODY_PT)
            paragraph.paragraph_format.keep_with_next = True
        else:
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
            self.inline(paragraph, block.text, BODY_PT, highlight=REVIEW_MARK in block.text)
        self.after_title = False

    def _item(self, block: Block) -> None:
        paragraph = self.container.add_paragraph()
        if self.column:
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.LEFT, after=0)
            self.inline(paragraph, block.text, RECIPIENTS_PT)
        else:
            self.prototypes.format(paragraph, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
            self.inline(paragraph, block.text, BODY_PT, highlight=REVIEW_MARK in block.text)

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
            widths = _data_widths(block.rows, width)
            _widths(table, widths)
            _table_width(table, sum(widths))
            _repeat_header(table)
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
                if header and _RULE.match(text):  # under the issuing body, the motto, the Party's name
                    above = block.rows[r - 1][c] if r and c < len(block.rows[r - 1]) else ""
                    bold = (r == 1 and c == 1) or _whole_bold(above)
                    length = min(len(text) * Pt(HEADER_PT), text_width(plain(above), HEADER_PT, bold=bold))
                    _rule(paragraph, length, HEADER_WIDTHS[c] - 2 * CELL_MARGIN)
                    paragraph.paragraph_format.space_after = Pt(6)
                elif header:
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
