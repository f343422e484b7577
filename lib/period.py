"""Reporting periods: a year, a half-year, a quarter, a month or any date range, with Vietnamese
labels and the same period of the previous year for comparisons."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from .exceptions import PeriodError

Kind = Literal["year", "half", "quarter", "month", "range"]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
KINDS = {"year": "Năm", "half": "6 tháng", "quarter": "Quý", "month": "Tháng", "range": "Tùy chọn"}
FIRST_YEAR, LAST_YEAR = 1900, 2100  # periods outside these years are typing mistakes


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    """A closed date interval with what it is (year, half, …) for labels."""

    start: dt.date
    end: dt.date
    kind: Kind = "range"

    def __post_init__(self) -> None:
        for day in (self.start, self.end):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise PeriodError(f"Năm {day.year} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}; kiểm tra lại kỳ đã chọn.")
        if self.end < self.start:
            raise PeriodError(
                f"Khoảng thời gian không hợp lệ: ngày kết thúc {self.end:%d/%m/%Y} trước ngày bắt đầu {self.start:%d/%m/%Y}."
            )

    @classmethod
    def year(cls, year: int) -> Period:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise PeriodError(
                f"Năm {year} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}; ghi năm bằng 4 chữ số, ví dụ 2024."
            )
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        if half not in (1, 2):
            raise PeriodError(f"Nửa năm phải là 1 hoặc 2, không phải {half}.")
        return cls(
            dt.date(year, 1 if half == 1 else 7, 1),
            dt.date(year, 6 if half == 1 else 12, 30 if half == 1 else 31),
            "half",
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise PeriodError(f"Quý phải từ 1 đến 4, không phải {quarter}.")
        last = quarter * 3
        return cls(dt.date(year, last - 2, 1), dt.date(year, last, calendar.monthrange(year, last)[1]), "quarter")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise PeriodError(f"Tháng phải từ 1 đến 12, không phải {month}.")
        return cls(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]), "month")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2024``, ``2024-H1``, ``2024-Q3``, ``2024-05`` or ``2024-03-01..2024-06-30``."""
        text = text.strip()
        patterns = (
            (r"(\d{4})", lambda m: cls.year(int(m[1]))),
            (r"(\d{4})-?[Hh]([12])", lambda m: cls.half(int(m[1]), int(m[2]))),
            (r"(\d{4})-?[Qq]([1-4])", lambda m: cls.quarter(int(m[1]), int(m[2]))),
            (r"(\d{4})-(\d{1,2})", lambda m: cls.month(int(m[1]), int(m[2]))),
            (
                r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})",
                lambda m: cls(dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])),
            ),
        )
        if len(text) > 40:
            text = text[:40] + "…"
        for pattern, build in patterns:
            match = re.fullmatch(pattern, text)
            if match:
                try:
                    return build(match)
                except ValueError:  # a day that does not exist, such as 2024-02-30
                    raise PeriodError(
                        f"Kỳ báo cáo «{text}» chứa một ngày không có thật; kiểm tra lại ngày, tháng."
                    ) from None
        raise PeriodError(
            f"Không hiểu kỳ báo cáo «{text}». Dùng dạng 2024, 2024-H1, 2024-Q3, 2024-05 hoặc 2024-03-01..2024-06-30."
        )

    @property
    def key(self) -> str:
        """The inverse of ``parse``: a short text for URLs and file names."""
        y = self.start.year
        return {
            "year": f"{y}",
            "half": f"{y}-H{1 if self.start.month == 1 else 2}",
            "quarter": f"{y}-Q{(self.start.month - 1) // 3 + 1}",
            "month": f"{y}-{self.start.month:02d}",
        }.get(self.kind, f"{self.start.isoformat()}..{self.end.isoformat()}")

    @property
    def label(self) -> str:
        """Vietnamese label: "năm 2024", "6 tháng đầu năm 2024", "quý III năm 2024", …"""
        y = self.start.year
        if self.kind == "year":
            return f"năm {y}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self.start.month == 1 else 'cuối'} năm {y}"
        if self.kind == "quarter":
            return f"quý {ROMAN[(self.start.month - 1) // 3 + 1]} năm {y}"
        if self.kind == "month":
            return f"tháng {self.start.month} năm {y}"
        return f"từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    def previous_year(self) -> Period:
        """The same period one year earlier."""
        return Period(_shift_year(self.start, -1), _shift_year(self.end, -1), self.kind)

    def next_label(self) -> str:
        """What comes after, for "directions for …": the next year or the rest of the year."""
        y = self.start.year
        if self.kind == "half" and self.start.month == 1:
            return f"6 tháng cuối năm {y}"
        return f"năm {self.end.year + 1}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def comparable(self, data_until: dt.date | None) -> Period:
        """The same span a year earlier, like for like: when the data stops on ``data_until`` before the
        period ends (a year still running, or reports not yet in), the same dates a year earlier."""
        if data_until is None or not self.start <= data_until < self.end:
            return self.previous_year()
        return Period(_shift_year(self.start, -1), _shift_year(data_until, -1))

    def data_until(self, data_until: dt.date | None) -> dt.date | None:
        """The last day with data when the data stops before the period ends (None: the period is covered)."""
        return data_until if data_until is not None and self.start <= data_until < self.end else None

    @property
    def span(self) -> str:
        """``01/01–12/04/2024`` (one year) or ``15/12/2023–14/12/2024``."""
        if self.start.year == self.end.year:
            return f"{self.start:%d/%m}–{self.end:%d/%m/%Y}"
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


def build(kind: str, year: int, part: int = 1, start: dt.date | None = None, end: dt.date | None = None) -> Period:
    """The period the sidebar widgets describe."""
    if kind == "half":
        return Period.half(year, part)
    if kind == "quarter":
        return Period.quarter(year, part)
    if kind == "month":
        return Period.month(year, part)
    if kind == "range" and start and end:
        return Period(start, end)
    return Period.year(year)


def part_of(period: Period) -> int:
    """The half, quarter or month number of a period (1 for a year or range)."""
    return {
        "half": 1 + (period.start.month > 6),
        "quarter": (period.start.month - 1) // 3 + 1,
        "month": period.start.month,
    }.get(period.kind, 1)


def months(period: Period) -> list[dt.date]:
    """First day of every month the period touches."""
    first, result = period.start.replace(day=1), []
    while first <= period.end:
        result.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return result
