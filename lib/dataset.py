"""The Dataset: what the pages, the report and the CLI read after cleaning."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .problems import ERROR, WARNING


@dataclass
class Dataset:
    """Everything the pages, the report and the CLI read: clean activities and what went wrong."""

    activities: pd.DataFrame
    issues: pd.DataFrame
    targets: pd.DataFrame
    narratives: pd.DataFrame
    tab_stats: pd.DataFrame
    source_label: str
    source_id: str
    fetched_at: dt.datetime
    notice: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    # explicit nil reports (tab, organisation, row, date, entered): a cycle with nothing to report
    nil_reports: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["tab", "organisation", "row", "date", "entered"])
    )
    boundaries: str = "as-recorded"  # the view of communes through time (lib/boundaries.py)
    # the «Chốt số liệu» tab as read (header first): the register of closed periods all servers share
    closure_register: list[list[Any]] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return int((self.issues["severity"] == ERROR).sum())

    @property
    def warning_count(self) -> int:
        return int((self.issues["severity"] == WARNING).sum())

    @functools.cached_property
    def years(self) -> list[int]:
        """The years with activities (worked out once: a dataset is never changed in place)."""
        return sorted(self.activities["date"].dt.year.unique().tolist()) if len(self.activities) else []

    @functools.cached_property
    def latest_date(self):
        """The last day any activity was recorded for (None without activities): comparisons stop there.
        Worked out once: every page and every new visitor's filters ask for it."""
        latest = self.activities["date"].max() if len(self.activities) else None
        return None if latest is None or pd.isna(latest) else latest.date()

    @property
    def latest_year(self) -> int | None:
        """The default period: the latest year present in the data (not the calendar year)."""
        return self.years[-1] if self.years else None
