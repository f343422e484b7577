"""Round anniversaries (every 5 years) of the founding days the committee lists in its config, falling in
a period: section IV of a report suggests marking those of the next period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from .period import Period

EVERY = 5  # years between the anniversaries worth a suggestion (5, 10, 15 … 80, 95)


class FoundingDay(Protocol):
    name: str
    date: dt.date


@dataclass(frozen=True)
class RoundAnniversary:
    years: int
    name: str
    founded: dt.date
    day: dt.date

    @property
    def text(self) -> str:
        """``80 năm Ngày truyền thống Công an nhân dân (19/8/1945 - 19/8/2025)``."""
        return f"{self.years} năm {self.name} ({_day(self.founded)} - {_day(self.day)})"


def _day(day: dt.date) -> str:
    """``19/8/1945``: the way commemorations write their dates."""
    return f"{day.day}/{day.month}/{day.year}"


def _on(founded: dt.date, year: int) -> dt.date:
    try:
        return founded.replace(year=year)
    except ValueError:  # founded on 29 February: marked on 28 February in common years
        return founded.replace(year=year, day=28)


def round_anniversaries(days: Iterable[FoundingDay], period: Period | None) -> list[RoundAnniversary]:
    """Every anniversary that is a multiple of ``EVERY`` years and falls within the period, by date."""
    if period is None:
        return []
    found = []
    for founding in days:
        for year in range(period.start.year, period.end.year + 1):
            years, day = year - founding.date.year, _on(founding.date, year)
            if years > 0 and years % EVERY == 0 and period.contains(day):
                found.append(RoundAnniversary(years, founding.name, founding.date, day))
    return sorted(found, key=lambda a: (a.day, a.name))
