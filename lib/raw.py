"""What every source returns: raw tabs exactly as the Sheets API ``values:batchGet`` gives them.

With ``UNFORMATTED_VALUE`` and ``SERIAL_NUMBER``: a list of rows, each a list of cells, trailing empty
cells and rows cut off (ragged rows), numbers as int/float, dates as serial numbers, text as str.
So a workbook and a spreadsheet with the same content go through the same cleaning. The workbook
reader and the Google Sheets reader both build on this module; neither imports the other's module
for it.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from typing import Any, Protocol

from .normalize import to_serial

Cell = str | int | float | bool


@dataclass(frozen=True)
class RawTab:
    """One tab's values as the Sheets API returns them.

    ``stray`` lists the cells a workbook reader left out because they lie far outside the tab's data
    block (for example one value at XFD1048576): ``(sheet row, 1-based; column index, 0-based; value)``.
    Reading them in place would take memory for every empty cell in between; the cleaner reports them."""

    name: str
    values: list[list[Cell]]
    hidden: bool = False
    stray: list[tuple[int, int, Cell]] = field(default_factory=list)


@dataclass(frozen=True)
class RawData:
    """What one fetch returned: the requested tabs that exist, and the names of all tabs present."""

    tabs: dict[str, RawTab]
    available: list[str]
    source_id: str
    source_label: str
    fetched_at: dt.datetime
    notice: str | None = None  # set when stale data is served (e.g. a snapshot after a failed refresh)
    extra: dict[str, Any] = field(default_factory=dict)


class Source(Protocol):
    """Anything that can fetch named tabs."""

    source_id: str
    label: str

    def fetch(self, tab_names: list[str]) -> RawData:
        """Fetch the tabs named (the ones that exist); never raises for a missing tab."""
        ...


def trim_rows(rows: list[list[Any]]) -> list[list[Cell]]:
    """Cut trailing empty cells of each row and trailing empty rows, as the Sheets API does."""
    trimmed: list[list[Cell]] = []
    append, cell_of, intern = trimmed.append, api_cell, sys.intern
    for row in rows:
        end = len(row)
        while end and (row[end - 1] is None or row[end - 1] == ""):
            end -= 1
        # Text is interned (a commune name repeated on 100 000 rows is kept once), whole numbers stay
        # as they are, integral floats become int, the rest goes through api_cell.
        append(
            [
                intern(cell)
                if (kind := type(cell)) is str
                else cell
                if kind is int
                else (int(cell) if kind is float and cell.is_integer() else cell_of(cell))
                for cell in (row[:end] if end < len(row) else row)
            ]
        )
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def api_cell(cell: Any) -> Cell:
    """One cell as the Sheets API returns it: dates and times as serial numbers, integral floats as int."""
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return to_serial(cell.date()) + (cell - dt.datetime.combine(cell.date(), dt.time())).total_seconds() / 86400
    if isinstance(cell, dt.date):
        return to_serial(cell)
    if isinstance(cell, dt.time):
        return (cell.hour * 3600 + cell.minute * 60 + cell.second) / 86400
    if isinstance(cell, dt.timedelta):
        return cell.total_seconds() / 86400
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell
