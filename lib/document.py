"""The signable document's identity: its number, its place and date, and the reference its appendices
carry, in the state format of Nghị định 30/2020/NĐ-CP or the Party format of Hướng dẫn 36-HD/VPTW.

A report without a number or a signing date keeps blanks ("…") for the secretary to fill in by hand:
a draft never prints today's date on last year's report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from . import formatting as fmt
from .exceptions import ReportError

Format = Literal["state", "party"]
BLANK = "…"
BLANK_DATE = "ngày … tháng … năm …"
LARGEST_NUMBER = 99_999
LATE_SIGNING_DAYS = 92  # a report signed more than three months after its period is probably a wrong date


def parse_number(text: str | int | None) -> int | None:
    """The number typed on the Báo cáo page or the command line: blank is None (left for the secretary);
    ``5``, ``05``, ``Số 05`` are 5; anything else is a Vietnamese error."""
    if text is None:
        return None
    if isinstance(text, int):
        number = text
    else:
        typed = re.sub(r"^\s*(?:số)?\s*:?\s*", "", str(text).strip(), flags=re.IGNORECASE)
        if not typed:
            return None
        if not typed.isascii() or not typed.isdigit():
            shown = str(text).strip()[:20]
            raise ReportError(f"Số văn bản «{shown}» không hợp lệ: chỉ ghi chữ số, ví dụ 5 hoặc 05.")
        number = int(typed)
    if not 1 <= number <= LARGEST_NUMBER:
        raise ReportError(f"Số văn bản phải từ 1 đến {LARGEST_NUMBER:,}".replace(",", ".") + f", không phải {number}.")
    return number


@dataclass(frozen=True)
class DocumentInfo:
    """What the header, the appendices and the file name say about the document itself."""

    format: Format
    symbol: str
    place: str
    issuer: str
    number: int | None = None
    signing_date: dt.date | None = None

    @property
    def party(self) -> bool:
        return self.format == "party"

    @property
    def number_text(self) -> str:
        """``05`` in the state format (a leading zero below 10), ``12`` in the Party format, ``…`` when blank."""
        if self.number is None:
            return BLANK
        return str(self.number) if self.party else f"{self.number:02d}"

    @property
    def reference_number(self) -> str:
        """``05/BC-BCĐ`` (state) or ``12-BC/BCĐ`` (Party)."""
        return f"{self.number_text}{'-' if self.party else '/'}{self.symbol}"

    @property
    def number_line(self) -> str:
        """``Số: 05/BC-BCĐ`` (Nghị định 30) or ``Số 12-BC/BCĐ`` (Hướng dẫn 36, no colon)."""
        return f"Số {self.reference_number}" if self.party else f"Số: {self.reference_number}"

    @property
    def date_text(self) -> str:
        """``ngày 05 tháng 12 năm 2024`` or the blank ``ngày … tháng … năm …``."""
        return fmt.long_date(self.signing_date) if self.signing_date else BLANK_DATE

    @property
    def date_line(self) -> str:
        """``Đam Rông, ngày 05 tháng 12 năm 2024``."""
        return f"{self.place}, {self.date_text}"

    @property
    def reference(self) -> str:
        """The line under an appendix's title: ``(Kèm theo Báo cáo số 05/BC-BCĐ ngày 05 tháng 12 năm 2024
        của Ban Chỉ đạo 502 huyện Đam Rông)``."""
        return f"(Kèm theo Báo cáo số {self.reference_number} {self.date_text} của {self.issuer})"


def signing_date_note(signing_date: dt.date | None, period_start: dt.date, period_end: dt.date) -> str | None:
    """A Vietnamese note when the chosen signing date does not fit the period (before it starts, or more
    than three months after it ends, such as today's date on last year's report); None when it fits or
    is blank."""
    if signing_date is None:
        return None
    shown = fmt.short_date(signing_date)
    if signing_date < period_start:
        return f"Ngày ký {shown} ở trước kỳ báo cáo (bắt đầu {fmt.short_date(period_start)}); kiểm tra lại ngày ký."
    if (signing_date - period_end).days > LATE_SIGNING_DAYS:
        return (
            f"Ngày ký {shown} cách ngày cuối kỳ báo cáo ({fmt.short_date(period_end)}) hơn ba tháng; "
            "kiểm tra lại ngày ký hoặc kỳ báo cáo ở thanh bên."
        )
    return None


def document_info(
    report_settings, committee: str, place: str, *, number: int | None = None, signing_date: dt.date | None = None
) -> DocumentInfo:
    """The identity of a report of this committee (``report_settings`` is the config's ``settings.report``)."""
    return DocumentInfo(
        format=report_settings.header_format,
        symbol=report_settings.symbol,
        place=place,
        issuer=committee,
        number=number,
        signing_date=signing_date,
    )
