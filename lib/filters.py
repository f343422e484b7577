"""What the sidebar chose (a period and commune / programme / organisation lists) and its URL form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from . import boundaries as bounds
from . import indicators as ind
from .config import Config
from .dataset import Dataset
from .exceptions import PeriodError
from .period import Period

QUERY_KEYS = {"period": "ky", "communes": "xa", "programmes": "ct", "organisations": "dv", "boundaries": "dia-gioi"}
LONGEST_VALUE = 200  # longer URL values are not names of anything


@dataclass(frozen=True)
class Filters:
    """A period, optional commune / programme / organisation lists (empty = all) and the view of
    communes through time (``lib/boundaries.py``)."""

    period: Period
    communes: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    boundaries: str = bounds.DEFAULT

    def to_query(self) -> dict[str, str | list[str]]:
        """Query parameters for a shareable link (empty lists and the default view left out)."""
        query: dict[str, str | list[str]] = {QUERY_KEYS["period"]: self.period.key}
        if self.boundaries != bounds.DEFAULT:
            query[QUERY_KEYS["boundaries"]] = bounds.QUERY_VALUES[self.boundaries]
        for name in ("communes", "programmes", "organisations"):
            if getattr(self, name):
                query[QUERY_KEYS[name]] = list(getattr(self, name))
        return query

    def apply(self, activities: pd.DataFrame) -> pd.DataFrame:
        """The activities of the chosen communes, programmes and organisations (every date)."""
        return ind.select(
            activities, communes=self.communes, programmes=self.programmes, organisations=self.organisations
        )

    @property
    def narrowed(self) -> bool:
        return bool(self.communes or self.programmes or self.organisations)


def default_period(dataset: Dataset, today: dt.date) -> Period:
    """The latest year present in the data (the calendar year when there is no data yet)."""
    return Period.year(dataset.latest_year or today.year)


def year_choices(dataset: Dataset, chosen: int) -> list[int]:
    """Years to offer, newest first: those in the data plus the chosen one."""
    return sorted({*dataset.years, chosen}, reverse=True)


def from_query(
    query: Mapping[str, Sequence[str]], dataset: Dataset, config: Config, today: dt.date
) -> tuple[Filters, list[str]]:
    """Filters from URL parameters, and a Vietnamese note for each value that could not be used
    (a bad period falls back to the default, unknown names are dropped)."""
    notes: list[str] = []

    def values(key: str) -> list[str]:
        return [str(v)[:LONGEST_VALUE] for v in query.get(key) or []]

    period = default_period(dataset, today)
    typed = values(QUERY_KEYS["period"])
    if typed:
        try:
            period = Period.parse(typed[0])
        except PeriodError as error:
            notes.append(f"{error.message} Đang hiển thị {period.label}.")
    known = {
        "communes": [*config.communes, config.unit.whole_unit_label],
        "programmes": list(config.programmes),
        "organisations": list(config.organisations),
    }
    nouns = {"communes": "xã", "programmes": "chương trình", "organisations": "đơn vị"}
    chosen = {}
    for name, allowed in known.items():
        given = list(dict.fromkeys(values(QUERY_KEYS[name])))
        unknown = [v for v in given if v not in allowed]
        if unknown:
            notes.append(f"Đường dẫn có {nouns[name]} không có trong danh mục: {', '.join(unknown)}; đã bỏ qua.")
        chosen[name] = tuple(v for v in given if v in allowed)
    typed_view = values(QUERY_KEYS["boundaries"])
    view, note = bounds.from_query(typed_view[0] if typed_view else None)
    if note:
        notes.append(note)
    return Filters(period, **chosen, boundaries=view), notes
