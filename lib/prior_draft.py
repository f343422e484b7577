"""The previous period's approved draft: a Markdown file as this product writes it, edited by the secretary.
Its section texts are offered as pre-filled paragraphs of the next draft, each marked for review, where
the text tabs have nothing for the period.

What is carried: the prose of section I (paragraphs with no figure but years and the committee's
number: sentences with figures are computed again for the new period), each programme's opening in section II (the paragraphs before its figures), the groups of section III under
their headings, and the numbered tasks of section IV (not the suggested anniversaries, computed again).
Lists, tables, footnotes, placeholders and layout markers are never carried."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .exceptions import BCDError
from .word import REVIEW_MARK

MAX_BYTES = 2_000_000
_PART = re.compile(r"^##\s+(I|II|III|IV)\.\s")
_SUBSECTION = re.compile(r"^###\s+(\d+)\.\s+(.+?)\s*$")
_NUMBERED = re.compile(r"^\d+\.\s+(.*)$")
_ANNIVERSARY = re.compile(r"\(\d{1,2}/\d{1,2}/\d{4} - \d{1,2}/\d{1,2}/\d{4}\)")
_ESCAPE = re.compile(r"\\(.)")
_NOT_PROSE = re.compile(r"^(?:[-|>#]|\[\^|<!--|\*\*|———)")


class PriorDraftError(BCDError):
    """The uploaded previous draft cannot be read."""


@dataclass
class PriorDraft:
    """Section texts of a previous draft, unescaped, without review markers."""

    context: list[str] = field(default_factory=list)
    openings: dict[int, list[str]] = field(default_factory=dict)
    assessment: list[tuple[str, list[str]]] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.context or self.openings or self.assessment or self.directions)


def _plain(text: str) -> str:
    """The paragraph's text: escapes resolved, a review marker dropped, spaces collapsed."""
    text = " ".join(text.split())
    if text.startswith(REVIEW_MARK):
        text = text[len(REVIEW_MARK) :].lstrip()
    return _ESCAPE.sub(r"\1", text)


def _has_figures(text: str) -> bool:
    """Whether a paragraph states figures: a number other than a year (2024) or the number in the
    committee's name (Ban Chỉ đạo 502, BCĐ 502)."""
    text = re.sub(r"\b(?:19|20)\d\d\b", "", text)
    text = re.sub(r"(?:Chỉ đạo|BCĐ)\s+\d+", "", text, flags=re.IGNORECASE)
    return bool(re.search(r"\d", text))


def decode(data: bytes) -> str:
    """The text of an uploaded file (UTF-8, with or without BOM), or a Vietnamese error."""
    if len(data) > MAX_BYTES:
        raise PriorDraftError("Tệp dự thảo kỳ trước quá lớn (tối đa 2 MB); hãy tải lên bản Markdown (.md).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PriorDraftError(
            "Không đọc được tệp dự thảo kỳ trước: cần tệp Markdown (.md) mã hoá UTF-8, như bản tải từ trang Báo cáo hoặc lập bằng lệnh report."
        ) from None


def read(markdown: str) -> PriorDraft:
    """The carried texts of a previous draft (see the module's docstring)."""
    prior = PriorDraft()
    part, sub, title = None, None, ""
    paragraphs: list[tuple[str | None, int | None, str, str]] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            paragraphs.append((part, sub, title, " ".join(block)))
            block.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        if line.startswith("<!-- cột:"):  # the recipients and the signature: the body has ended
            flush()
            break
        if m := _PART.match(line):
            flush()
            part, sub, title = m[1], None, ""
        elif m := _SUBSECTION.match(line):
            flush()
            sub, title = int(m[1]), _plain(m[2])
        elif not line:
            flush()
        elif part == "IV" and _NUMBERED.match(line):
            flush()
            block.append(line)
            flush()
        else:
            block.append(line)
    flush()
    groups: dict[str, list[str]] = {}
    counted: set[int] = set()  # programmes whose figures have begun: their opening is over
    for where, number, heading, text in paragraphs:
        if where is None or _NOT_PROSE.match(text):
            continue
        figures = _has_figures(_plain(text))
        if where == "I" and not figures:
            prior.context.append(_plain(text))
        elif where == "II" and number is not None and number not in counted:
            if figures or text.endswith(":"):
                counted.add(number)
            else:
                prior.openings.setdefault(number, []).append(_plain(text))
        elif where == "III" and number is not None:
            groups.setdefault(heading, []).append(_plain(text))
        elif where == "IV" and (m := _NUMBERED.match(text)) and not _ANNIVERSARY.search(text):
            prior.directions.append(_plain(m[1]))
    prior.assessment = list(groups.items())
    return prior
