"""Cleaning: raw tabs → one tidy Activities table and one Issues table.

Never drops a row silently: every non-blank row is either accepted or excluded with at least one
error naming the tab, the sheet row as the user sees it, the column, the value and what to do.
Warnings keep the row. Every problem is reported by its code in ``lib/problems.py``, which holds
the Vietnamese wording; a row is excluded exactly when it has an error.

What is checked, in order:

- per tab (``clean``, ``Tab.read``, ``Tab.run``): the tab exists, is not hidden, its headers are
  known and not repeated, the required columns are there; stray cells far from the data; rows
  with data only under headerless columns;
- per row, ``RULES``: one small function each, from ``check_formula_errors`` to ``read_extras``;
  then ``check_duplicates``;
- the targets and narrative tabs (``read_targets``, ``read_narratives``).

A rule sees each column as a ``Column`` (``lib/factorised.py``): it maps a function over the
distinct values of a column, flags rows, and reports flagged rows with ``Tab.issue``. Each distinct
value is checked once for all tabs, so the cost follows distinct values rather than rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from gspread.utils import rowcol_to_a1

from . import boundaries
from .catalogue import Catalogue, Catalogues, village_key
from .config import Config, Measure, Organisation
from .dataset import Dataset
from .exceptions import PeriodError
from .factorised import Column, Part, assemble, duplicates, pairs, stack
from .formatting import local_date
from .formatting import number as format_number
from .normalize import (
    clean_name,
    display,
    fold,
    is_blank,
    is_dash,
    malformed_number,
    name_key,
    nfc,
    parse_date,
    parse_number,
    typed_year,
)
from .period import Period, YearStart
from .problems import ERROR, OUT_OF_SCOPE, PROBLEMS, WARNING, IssueLog
from .raw import RawData, RawTab

FILL_DOWN = ("date", "commune", "programme", "activity_type")  # required columns people merge cells in
TOO_LARGE = 1e15  # no figure of an activity is this large; it also overflows number formatting
_PARTNER_RE = re.compile(r"\s*[,;\n]\s*")
_NUMBER_EXAMPLES = {"money": "1.265.000 hoặc 4.080 triệu", "integer": "số nguyên, ví dụ 120", "number": "ví dụ 26,5"}


class Tab:
    """One organisation tab while it is cleaned: what the rules read and where they write.

    ``columns`` holds the cells as read (column name → Column), ``out`` the cleaned columns the
    rules write for the Activities table, ``rows`` the sheet row of each row the rules see."""

    def __init__(
        self,
        raw: RawTab,
        org: Organisation,
        config: Config,
        cats: Catalogues,
        log: IssueLog,
        today: dt.date,
        cache: dict,
    ):
        self.raw, self.org, self.config, self.cats, self.log, self.today = raw, org, config, cats, log, today
        self.cache = cache  # what rules compute from pairs of values, kept for the next tabs
        self.headers: dict[str, str] = {}  # column name → header as written in the sheet
        self.layout: dict[int, str] = {}  # sheet column index → column name
        self.columns: dict[str, Column] = {}
        self.out: dict[str, Column] = {}
        self.data: list[list[Any]] = []  # the tab's rows below the header
        self.data_rows = np.zeros(0, np.int64)  # the sheet row of each of them
        self.rows = np.zeros(0, np.int64)
        self.excluded = np.zeros(0, bool)  # rows with an error
        self.outside = np.zeros(0, bool)  # rows of an area outside the unit: not counted, not errors
        self.nil: list[dict[str, Any]] = []  # explicit nil reports («Không có hoạt động»): not activities

    @property
    def name(self) -> str:
        return self.raw.name

    def issue(self, code: str, rows: np.ndarray, column: str = "", **fields: Any) -> None:
        """Report problem ``code`` on the flagged rows (a mask) of ``column``; an error excludes them.

        A field is one value for every row, a per-row array or Column (its flagged cells are
        taken), or a function of the cell as typed (called once per distinct cell)."""
        if not rows.any():
            return
        cells = self.columns[column].raw_cells(rows) if column in self.columns else ""
        for name, value in fields.items():
            if isinstance(value, Column):
                fields[name] = value.raw_cells(rows)
            elif isinstance(value, np.ndarray):
                fields[name] = value[rows]
            elif callable(value):
                fields[name] = _per_cell(value, cells)
        self.log.add(code, self.name, self.org.code, self.rows[rows], self.headers.get(column, column), cells, **fields)
        if PROBLEMS[code].severity == ERROR:
            self.excluded |= rows
        elif PROBLEMS[code].severity == OUT_OF_SCOPE:
            self.outside |= rows

    def read(self) -> None:
        """The header row: which sheet column holds which column; unknown and repeated headers."""
        if self.raw.hidden:
            self.log.add("tab.hidden", self.name, self.org.code, None)
        if not self.raw.values:
            return
        layout: dict[str, int] = {}  # a repeated unknown header: its last column
        for index, cell in enumerate(self.raw.values[0]):
            if is_blank(cell):
                continue
            text = nfc(str(cell))
            name = self.cats.headers.match(text)
            if name is None:
                layout[f"extra:{text}"] = index
                guess = self.cats.headers.suggest(text) or ""
                self.log.add("header.unknown", self.name, self.org.code, 1, text, text, guess=guess)
            elif name in self.headers:
                self.log.add("header.duplicate", self.name, self.org.code, 1, text, text, first=self.headers[name])
            else:
                self.headers[name] = text
                layout[name] = index
        self.layout = {index: name for name, index in sorted(layout.items(), key=lambda item: item[1])}
        self.data = self.raw.values[1:]
        self.data_rows = np.arange(2, len(self.raw.values) + 1)

    def run(self) -> tuple[Part | None, dict[str, Any]]:
        """Every rule over the tab's rows (after ``read`` and ``stack``): its accepted rows and counts."""
        stats = {
            "tab": self.name,
            "organisation": self.org.code,
            "rows": 0,
            "accepted": 0,
            "excluded": 0,
            "out_of_scope": 0,
        }
        if not self.raw.values:  # a tab not started yet: nothing to check
            return None, stats
        blank = np.ones(len(self.data_rows), bool)
        for column in self.columns.values():
            blank &= column.missing
        unlabelled = self.check_unlabelled_rows(blank)
        keep = ~blank & ~self.take_nil_reports(~blank)
        self.rows = self.data_rows[keep]
        if not keep.all():
            self.columns = {name: column.subset(keep) for name, column in self.columns.items()}
        self.excluded = np.zeros(len(self.rows), bool)
        self.outside = np.zeros(len(self.rows), bool)
        stats["rows"] = len(self.rows) + unlabelled
        stats["excluded"] = unlabelled
        missing = [f.name for f in self.config.fields.values() if f.required and f.code not in self.headers]
        if missing:
            names = ", ".join(f"«{name}»" for name in missing)
            self.log.add(
                "tab.missing_columns",
                self.name,
                self.org.code,
                1,
                ", ".join(missing),
                names=names,
                count=len(self.rows),
            )
            stats["excluded"] += len(self.rows)
            return None, stats
        if not len(self.rows):
            return None, stats
        for rule in RULES:
            rule(self)
        check_duplicates(self)
        accepted = np.flatnonzero(~(self.excluded | self.outside))
        stats["accepted"], stats["excluded"] = len(accepted), stats["excluded"] + int(self.excluded.sum())
        stats["out_of_scope"] = int((self.outside & ~self.excluded).sum())
        constants = {"tab": self.name, "organisation": self.org.code, "group": self.org.group}
        for name in ("organisation", "group"):
            if name in self.out:  # the tab's organisation ended: some rows count for its successor
                del constants[name]
        return Part(accepted, self.out, constants, {"row": self.rows[accepted]}), stats

    def take_nil_reports(self, rows: np.ndarray) -> np.ndarray:
        """The rows (of the flagged ones) that are explicit nil reports: «Loại hoạt động» names the
        configured nil activity and «Ngày» is readable. They are recorded in ``self.nil`` (the reporting
        tracker reads them) and leave the rules: a nil report is not an activity. One with an
        unreadable date stays a row, so the rules say what is wrong with it."""
        reporting = self.config.reporting
        found = np.zeros(len(rows), bool)
        if reporting is None or "activity_type" not in self.columns or "date" not in self.columns:
            return found
        keys = reporting.nil_activity.keys()
        kind = self.columns["activity_type"].map(lambda v: name_key(str(v)) in keys, key="nil")
        candidates = rows & (kind.distinct.values[kind.codes] == True)  # noqa: E712 (object array)
        if not candidates.any():
            return found
        days = self.columns["date"].raw_cells(candidates)
        entered = self.columns["entered"].raw_cells(candidates) if "entered" in self.columns else [None] * len(days)
        for position, cell, typed in zip(np.flatnonzero(candidates), days, entered):
            day = None if typed_year(cell) else parse_date(cell)
            if day is None:
                continue
            found[position] = True
            self.nil.append(
                {
                    "tab": self.name,
                    "organisation": _organisation_on(self.config, self.org, day),
                    "row": int(self.data_rows[position]),
                    "date": day,
                    "entered": None if is_blank(typed) else parse_date(typed),
                }
            )
        return found

    def check_unlabelled_rows(self, blank: np.ndarray) -> int:
        """Rows empty in every headed column but with a value elsewhere (under a blank or repeated
        header): they cannot be read, so each is an error naming its first such cell."""
        found = 0
        for position in np.flatnonzero(blank):
            row = self.data[position]
            index = next((i for i, cell in enumerate(row) if i not in self.layout and not is_blank(cell)), None)
            if index is None:
                continue
            number = int(self.data_rows[position])
            cell = _a1(number, index)
            self.log.add("row.unlabelled_data", self.name, self.org.code, number, _letters(cell), row[index], cell=cell)
            found += 1
        return found


def _per_cell(fn: Callable[[Any], Any], cells: np.ndarray) -> list[Any]:
    """``fn`` of each cell, called once per distinct cell."""
    known: dict = {}
    return [known[key] if (key := (type(c), c)) in known else known.setdefault(key, fn(c)) for c in cells]


def _a1(row: int, index: int) -> str:
    """A1-style address of a sheet row (1-based) and column index (0-based): (1, 0) → "A1"."""
    return rowcol_to_a1(row, index + 1)


def _letters(cell: str) -> str:
    """The column letters of an A1 address: "XFD1048576" → "XFD"."""
    return cell.rstrip("0123456789")


# ---------------------------------------------------------------- the rules, in order


def check_formula_errors(t: Tab) -> None:
    """A formula error (``#REF!``, ``#N/A``, ``Err:502``…) in a column of the template: an error."""
    for name in t.headers:
        t.issue("cell.formula_error", t.columns[name].error, name)


def fill_merged_cells(t: Tab) -> None:
    """A blank date, commune, programme or activity type under a filled cell looks like a merged
    cell: it takes the value above, with a warning. A formula error is never copied down."""
    for name in FILL_DOWN:
        column, filled = t.columns[name].fill_down()
        t.issue("cell.fill_down", filled, name, above=column)
        t.columns[name] = column


def check_dates(t: Tab) -> None:
    """Ngày: required and readable, between 1/1 of the earliest year and today plus the days
    ahead allowed (a year typed 0224 or 2300 is an error); a date after today is a warning. A
    year typed alone (2025, which a sheet would read as the serial date 17/07/1905) is an error."""
    column = t.columns["date"]
    first = dt.date(t.config.settings.earliest_year, 1, 1)
    last = t.today + dt.timedelta(days=t.config.settings.latest_days_ahead)
    year = column.map(typed_year, key="date.year")
    day = column.map(lambda v: None if typed_year(v) else parse_date(v), key="date")
    t.issue("date.missing", column.missing, "date")
    t.issue("date.year_only", ~year.missing, "date", year=year)
    t.issue("date.invalid", column.given & day.missing & year.missing, "date")
    window = day.map(
        lambda d: "date.out_of_range" if not first <= d <= last else "date.future" if d > t.today else None,
        key="date.window",
    )
    for code, rows in window.groups():
        t.issue(code, rows, "date", date=day.map(_dmy, key="date.text"), first=_dmy(first), last=_dmy(last))
    kept = day.map(lambda d: d if first <= d <= last else None, key="date.kept")
    t.out["date"] = kept.map_array(_nanosecond_days, key="date.ns")


_NS_DAYS = (np.datetime64("1677-09-22", "D"), np.datetime64("2262-04-11", "D"))  # whole days datetime64[ns] holds


def _nanosecond_days(days: np.ndarray) -> np.ndarray:
    """Days (``datetime.date`` or None) as datetime64[ns], the unit of the Activities date column:
    built as datetime64[D] by numpy and cast, so the unit never depends on what pandas infers; NaT
    for None and for a day outside what [ns] holds, which the cast would wrap round silently."""
    array = np.array(days.tolist(), "datetime64[D]")
    inside = (array >= _NS_DAYS[0]) & (array <= _NS_DAYS[1])
    return np.where(inside, array, np.datetime64("NaT", "D")).astype("datetime64[ns]")


def _dmy(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def check_communes(t: Tab) -> None:
    """Xã: required; a commune of the unit or the whole-unit label, by any spelling or alias."""
    column = t.columns["commune"]
    catalogue = t.cats.communes
    whole = t.config.unit.whole_unit_label
    name = column.map(lambda v: catalogue.match(str(v)), key="commune")
    t.issue("commune.missing", column.missing, "commune", whole=whole)
    outside = column.where(lambda v: t.cats.outside.match(str(v)) is not None, key="commune.outside")
    owner = f"ngoài {t.config.unit.level} {t.config.unit.name}"
    t.issue("commune.out_of_scope", outside & name.missing, "commune", owner=owner)
    unknown = column.given & name.missing & ~outside
    t.issue("commune.unknown", unknown, "commune", whole=whole, guess=_guess(catalogue))
    t.out["commune"] = name


def check_organisation_dates(t: Tab) -> None:
    """Đơn vị through time: rows of the tab of an organisation dated after it ended count for its
    successor (followed on while it too has ended), with a warning."""
    org, organisations = t.org, t.config.organisations
    if org.valid_to is None or org.successor is None:
        return
    days = t.out["date"].distinct.values[t.out["date"].codes].astype("datetime64[ns]")
    days = np.where(t.out["date"].missing, np.datetime64("NaT", "ns"), days)
    codes = np.full(len(t.rows), org.code, dtype=object)
    late = np.zeros(len(t.rows), bool)
    current = org
    while current.valid_to is not None and current.successor in organisations:
        moved = ~np.isnat(days) & (days > np.datetime64(current.valid_to, "ns")) & (codes == current.code)
        if not moved.any():
            break
        codes[moved], late = current.successor, late | moved
        current = organisations[current.successor]
    if not late.any():
        return
    text = pd.Series(days).dt.strftime("%d/%m/%Y").to_numpy(object)
    names = np.array([organisations[c].short_name for c in codes], object)
    start = _dmy(org.valid_to + dt.timedelta(days=1))
    t.issue(
        "organisation.after_end",
        late,
        "date",
        owner=org.short_name,
        end=_dmy(org.valid_to),
        date=text,
        successor=names,
        start=start,
    )
    t.out["organisation"] = Column.of(codes)
    t.out["group"] = Column.of(np.array([organisations[c].group for c in codes], object))


def _organisation_on(config: Config, org: Organisation, day: dt.date) -> str:
    """The organisation a row of ``org``'s tab dated ``day`` counts for (its successor after it ended)."""
    current = org
    while current.valid_to is not None and day > current.valid_to and current.successor in config.organisations:
        current = config.organisations[current.successor]
    return current.code


def check_village_dates(t: Tab) -> None:
    """Thôn through time: a village named on a day it did not exist is a warning and left out of the
    village coverage (the row still counts)."""
    if not t.config.has_village_history:
        return
    commune, village = t.out["commune"], t.out["village"]
    names = np.where(commune.missing, None, commune.distinct.values[commune.codes])
    places = np.where(village.missing, None, village.distinct.values[village.codes])
    days = t.out["date"].distinct.values[t.out["date"].codes].astype("datetime64[ns]")
    found = {(c.name, v.name): v for c in t.config.unit.communes for v in c.villages if v.valid_from or v.valid_to}
    outside = np.zeros(len(t.rows), bool)
    spans = np.full(len(t.rows), "", dtype=object)
    for (name, place), v in found.items():
        rows = (names == name) & (places == place) & ~np.isnat(days)
        early = rows & (days < np.datetime64(v.valid_from, "ns")) if v.valid_from else np.zeros_like(rows)
        late = rows & (days > np.datetime64(v.valid_to, "ns")) if v.valid_to else np.zeros_like(rows)
        span = " ".join(
            filter(
                None,
                [f"từ {_dmy(v.valid_from)}" if v.valid_from else "", f"đến {_dmy(v.valid_to)}" if v.valid_to else ""],
            )
        )
        outside |= early | late
        spans[early | late] = span
    if outside.any():
        text = pd.Series(days).dt.strftime("%d/%m/%Y").to_numpy(object)
        t.issue("village.outside_dates", outside, "village", commune=names, span=spans, date=text)
        kept = np.where(outside, None, places)
        t.out["village"] = Column.of(kept)


def resolve_commune_dates(t: Tab) -> None:
    """Xã through time: a row is resolved against the communes valid on its date. An old name after
    the commune ended is a warning and counts for its successor (the village decides a split); a new
    name before it started is an error naming the names of the time; rows of a commune whose
    activities another unit kept before it joined are out of scope. Also today's commune and
    village of every row, for the current-boundaries view."""
    if not any(c.valid_from or c.valid_to for c in t.config.unit.communes):
        t.out["commune_current"], t.out["village_current"] = t.out["commune"], t.out["village"]
        return
    commune, village = t.out["commune"], t.out["village"]
    days = t.out["date"].distinct.values[t.out["date"].codes]
    days = np.where(t.out["date"].missing, np.datetime64("NaT", "ns"), days).astype("datetime64[ns]")
    names = np.where(commune.missing, None, commune.distinct.values[commune.codes])
    places = np.where(village.missing, None, village.distinct.values[village.codes])
    found = boundaries.resolve(t.config, names, places, days)
    communes = t.config.communes
    text = pd.Series(days).dt.strftime("%d/%m/%Y").to_numpy(object)
    ends = np.array(
        [_dmy(communes[n].valid_to) if n in communes and communes[n].valid_to else "" for n in names], object
    )
    starts = np.array(
        [_dmy(communes[n].valid_from) if n in communes and communes[n].valid_from else "" for n in found.commune],
        object,
    )
    next_starts = np.array(
        [
            _dmy(communes[n].valid_to + dt.timedelta(days=1)) if n in communes and communes[n].valid_to else ""
            for n in names
        ],
        object,
    )
    late = found.after_end & ~found.undecided
    t.issue("commune.after_end", late, "commune", end=ends, date=text, successor=found.commune, start=next_starts)
    t.issue(
        "commune.split_undecided",
        found.after_end & found.undecided,
        "commune",
        start=next_starts,
        successor=found.commune,
    )
    early = found.before_start & ~found.after_end
    names_then = np.array([boundaries.suggestion_before(t.config, n) if n else "" for n in names], object)
    t.issue("commune.before_start", early, "commune", start=starts, date=text, names=names_then)
    owners = np.array(
        [f"khi đó thuộc {communes[n].kept_by}" if n in communes and communes[n].kept_by else "" for n in names], object
    )
    t.issue("commune.out_of_scope", found.outside, "commune", owner=owners)
    t.out["commune"], t.out["village"] = Column.of(found.commune), Column.of(found.village)
    t.out["commune_current"], t.out["village_current"] = (
        Column.of(found.current_commune),
        Column.of(found.current_village),
    )


def check_villages(t: Tab) -> None:
    """Thôn (optional): a village of the row's commune. A village of another commune is an error;
    one not in the catalogue, or given with the whole-unit label, is a warning and left out."""
    if "village" not in t.columns:
        t.out["village"] = Column.filled(len(t.rows))
        return
    whole = t.config.unit.whole_unit_label

    def outcome(pair: tuple) -> tuple[str | None, str | None, str]:
        """(village name, problem code, detail: the village's communes or a close name)."""
        commune, value = pair
        if commune is None or value is None:
            return None, None, ""
        key = village_key(str(value))
        known = t.cats.villages.get(commune, {})
        if key in known:
            return known[key], None, ""
        if commune == whole:
            return None, "village.whole_unit", ""
        shared = t.cats.ambiguous_villages.get(commune, {}).get(key)
        if shared:
            return None, "village.ambiguous", shared
        homes = t.cats.village_homes.get(key)
        if homes:
            return None, "village.elsewhere", ", ".join(homes)
        guess = Catalogue.build([(v, v, []) for v in known.values()]).suggest(str(value))
        return None, "village.unknown", guess or ""

    found = pairs(t.out["commune"], t.columns["village"], t.cache.setdefault("village", {})).map(outcome, key="village")
    detail = found.map(lambda o: ", ".join(f"«{n}»" for n in o[2]) if isinstance(o[2], list) else o[2])
    first = found.map(lambda o: o[2][0] if isinstance(o[2], list) else "")
    for code, rows in found.map(lambda o: o[1]).groups():
        fields = (
            {"names": detail, "first": first} if code == "village.ambiguous" else {"homes": detail, "guess": detail}
        )
        t.issue(code, rows, "village", commune=t.out["commune"], whole=whole, **fields)
    t.out["village"] = found.map(lambda o: o[0])


def check_programmes(t: Tab) -> None:
    """Chương trình: required; a programme by number, code or name."""
    _check_catalogue(t, "programme", t.cats.programmes, numbers=t.config.programme_numbers)


def check_activity_types(t: Tab) -> None:
    """Loại hoạt động: required; an activity type of the catalogue."""
    _check_catalogue(t, "activity_type", t.cats.activity_types)


def _check_catalogue(t: Tab, name: str, catalogue: Catalogue, **fields: Any) -> None:
    """A required column whose values must be in ``catalogue``: ``{name}.missing``, ``{name}.unknown``."""
    column = t.columns[name]
    value = column.map(lambda v: catalogue.match(display(v)), key=name)
    t.issue(f"{name}.missing", column.missing, name, **fields)
    t.issue(f"{name}.unknown", column.given & value.missing, name, guess=_guess(catalogue), **fields)
    t.out[name] = value


def check_programme_matches(t: Tab) -> None:
    """Each activity type belongs to one programme: a row giving another programme is an error."""
    types, programmes = t.config.activity_types, t.config.programmes
    home = t.out["activity_type"].map(lambda a: types[a].programme, key="home")
    both = pairs(home, t.out["programme"])
    clash = both.where(lambda pair: None not in pair and pair[0] != pair[1])
    t.issue(
        "activity_type.programme_mismatch",
        clash,
        "activity_type",
        activity=t.out["activity_type"].map(lambda a: types[a].name, key="name"),
        home=both.map(lambda pair: programmes[pair[0]].number if pair[0] else None),
        given=both.map(lambda pair: programmes[pair[1]].number if pair[1] else None),
    )


def check_measures(t: Tab) -> None:
    """Số liệu: a number, read the Vietnamese way (``lib/normalize.py``); not text, not
    ambiguous separators, not negative, whole for counts, below 10^15. Above the measure's
    plausible maximum it is kept with a warning; a lone dash is read as blank, with a warning."""
    for measure in t.config.measures.values():
        if measure.code not in t.columns:
            continue
        column = t.columns[measure.code]
        fields = {"measure": measure.name, "example": _NUMBER_EXAMPLES[measure.type]}
        number = column.map_array(_numbers, key="number")
        unreadable = column.given & number.missing
        for code, rows in column.groups(unreadable, by=_unreadable):
            t.issue(code, rows, measure.code, **fields)
        problems = number.map_array(lambda numbers, m=measure: _number_problems(numbers, m), key="problem")
        for code, rows in problems.groups():
            t.issue(code, rows, measure.code, **fields, limit=format_number(measure.plausible_max, 2))
        t.out[measure.code] = number


def _numbers(values: np.ndarray) -> np.ndarray:
    """Each value as a float, NaN where there is no number (most cells are numbers already)."""
    return np.array(
        [v if type(v) in (int, float) else np.nan if v is None else parse_number(v) for v in values], dtype=float
    )


def _unreadable(value: Any) -> str:
    """Why a cell is no number: a lone dash (read as blank, a warning), separators that fit no
    number form, or text."""
    if is_dash(value):
        return "number.dash"
    return "number.malformed" if malformed_number(value) else "number.text"


def _number_problems(numbers: np.ndarray, measure: Measure) -> np.ndarray:
    """The problem code of each number, or None (vectorised: a column has thousands of amounts)."""
    limit = measure.plausible_max or np.inf
    with np.errstate(invalid="ignore"):
        conditions = [
            numbers >= TOO_LARGE,
            numbers < 0,
            np.zeros(len(numbers), bool) if measure.type != "integer" else np.mod(numbers, 1) > 0,
            numbers > limit,
        ]
    codes = ["number.too_large", "number.negative", "number.fraction", "number.implausible"]
    return np.select(conditions, np.array(codes, dtype=object), default=None)


def read_content(t: Tab) -> None:
    """Nội dung (free text): clean spacing and control characters."""
    if "content" in t.columns:
        t.out["content"] = t.columns["content"].map(lambda v: nfc(str(v)), key="content")
    else:
        t.out["content"] = Column.filled(len(t.rows))


def read_partners(t: Tab) -> None:
    """Đơn vị phối hợp: a list split on ``,`` ``;`` or new lines; organisations are recognised by
    any name or alias (as their code) and the tab's own organisation is left out."""
    if "partners" not in t.columns:
        t.out["partners"] = Column.filled(len(t.rows), ())
        return
    catalogue = t.cats.organisations

    def split(value: Any) -> tuple:
        names = (clean_name(p) for p in _PARTNER_RE.split(str(value)) if p.strip())
        return tuple((name, catalogue.match(name)) for name in names)

    found = t.columns["partners"].map(split, key="partners")
    own = t.org.code
    partners = found.map(lambda f: tuple(dict.fromkeys(code or name for name, code in f if code != own)))
    t.out["partners"] = partners.fill_empty(())


def read_entry_columns(t: Tab) -> None:
    """Ngày nhập (the day a row was entered, which the reporting tracker reads) and Mã dòng (the id the
    entry page writes): kept when declared. An unreadable Ngày nhập is a warning; the row still counts."""
    if "entered" in t.config.fields:
        column = t.columns.get("entered")
        if column is None:
            t.out["entered"] = Column.filled(len(t.rows))
        else:
            day = column.map(parse_date, key="entered")
            t.issue("entered.invalid", column.given & day.missing, "entered")
            t.out["entered"] = day.map_array(_nanosecond_days, key="entered.ns")
    if "row_id" in t.config.fields:
        column = t.columns.get("row_id")
        t.out["row_id"] = (
            Column.filled(len(t.rows)) if column is None else column.map(lambda v: nfc(str(v)).strip(), key="row_id")
        )


def read_extras(t: Tab) -> None:
    """Columns not in the template: kept as typed (text cleaned), not used for indicators."""
    for name in t.columns:
        if name.startswith("extra:"):
            t.out[name] = t.columns[name].as_typed().map(_clean_text, key="extra")


def _clean_text(value: Any) -> Any:
    return nfc(value) if isinstance(value, str) else value


RULES: tuple[Callable[[Tab], None], ...] = (
    check_formula_errors,
    fill_merged_cells,
    check_dates,
    check_communes,
    check_villages,
    check_village_dates,
    resolve_commune_dates,
    check_organisation_dates,
    check_programmes,
    check_activity_types,
    check_programme_matches,
    check_measures,
    read_content,
    read_partners,
    read_entry_columns,
    read_extras,
)


def check_duplicates(t: Tab) -> None:
    """A row identical in every column to an earlier accepted row of the tab was probably typed
    twice: a warning (the row is still counted)."""
    repeated, first = duplicates(t.out.values(), ~(t.excluded | t.outside))
    flagged = np.zeros(len(t.rows), bool)
    flagged[repeated] = True
    earlier = np.zeros(len(t.rows), np.int64)
    earlier[repeated] = t.rows[first]
    t.issue("row.duplicate", flagged, first=earlier)


def _guess(catalogue: Catalogue) -> Callable[[Any], str]:
    """The closest name of ``catalogue`` to a cell, for «Có phải là …?»."""
    return lambda value: catalogue.suggest(display(value)) or ""


# ---------------------------------------------------------------- tab-level checks


def check_stray_cells(tab: RawTab, organisation: str, log: IssueLog) -> None:
    """Cells far outside a tab's data block are not read: a warning names each one."""
    by_column: dict[int, list[tuple[int, Any]]] = {}
    for row, index, value in tab.stray:
        by_column.setdefault(index, []).append((row, value))
    for index, cells in sorted(by_column.items()):
        rows = [row for row, _ in cells]
        addresses = [_a1(row, index) for row in rows]
        values = np.empty(len(cells), dtype=object)
        values[:] = [value for _, value in cells]
        log.add("cell.stray", tab.name, organisation, rows, _letters(addresses[0]), values, cell=addresses)


def _meta_tab(
    raw: RawData, name: str, log: IssueLog, columns: dict[str, list[str]], kind: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """A small tab with a header row (targets, narrative): its non-blank rows keyed by our names."""
    tab = raw.tabs.get(name)
    if tab is None or not tab.values:
        return pd.DataFrame(columns=[*columns, "row"]), {}
    keys = {fold(alias): code for code, aliases in columns.items() for alias in aliases}
    index = {i: keys[fold(str(h))] for i, h in enumerate(tab.values[0]) if fold(str(h)) in keys}
    missing = [aliases[0] for code, aliases in columns.items() if code not in index.values() and code != "commune"]
    if missing:
        expected = " | ".join(aliases[0] for aliases in columns.values())
        log.add(f"{kind}.missing_columns", name, "", 1, ", ".join(missing), names=", ".join(missing), expected=expected)
        return pd.DataFrame(columns=[*columns, "row"]), {}
    rows = [
        [row[i] if i < len(row) else None for i in index] + [n]
        for n, row in enumerate(tab.values[1:], start=2)
        if any(not is_blank(c) for c in row)
    ]
    headers = {code: nfc(str(tab.values[0][i])) for i, code in index.items()}
    return pd.DataFrame(rows, columns=[*index.values(), "row"]), headers


def read_targets(raw: RawData, config: Config, cats: Catalogues, log: IssueLog) -> pd.DataFrame:
    """The targets tab (Năm | Chỉ tiêu | Xã | Giá trị): year, indicator, optional commune, value."""
    name = config.settings.tabs.targets
    frame, headers = _meta_tab(
        raw,
        name,
        log,
        {
            "year": ["Năm"],
            "indicator": ["Chỉ tiêu", "Chỉ số"],
            "commune": ["Xã"],
            "value": ["Giá trị", "Chỉ tiêu giao", "Kế hoạch"],
        },
        "target",
    )
    result = pd.DataFrame(
        {
            "year": pd.Series(dtype="Int64"),
            "indicator": pd.Series(dtype=object),
            "commune": pd.Series(dtype=object),
            "value": pd.Series(dtype=float),
            "row": pd.Series(dtype="Int64"),
        }
    )
    if frame.empty:
        return result
    if "commune" not in frame:
        frame["commune"] = None
    ok = []
    for rec in frame.to_dict("records"):
        year = None if is_blank(rec["year"]) else parse_number(rec["year"])
        value = None if is_blank(rec["value"]) else parse_number(rec["value"])
        indicator = None if is_blank(rec["indicator"]) else cats.indicators.match(str(rec["indicator"]))
        commune = None if is_blank(rec["commune"]) else cats.communes.match(str(rec["commune"]))
        if commune is None and not is_blank(rec["commune"]) and cats.outside.match(str(rec["commune"])):
            owner = f"ngoài {config.unit.level} {config.unit.name}"
            log.add(
                "commune.out_of_scope",
                name,
                "",
                rec["row"],
                headers.get("commune", "commune"),
                rec["commune"],
                owner=owner,
            )
            continue
        checks = (  # (wrong?, problem code, column, catalogue to suggest a close name from)
            (year is None or not float(year).is_integer(), "target.year", "year", None),
            (is_blank(rec["indicator"]), "target.indicator_missing", "indicator", None),
            (
                not is_blank(rec["indicator"]) and indicator is None,
                "target.indicator_unknown",
                "indicator",
                cats.indicators,
            ),
            (value is None or not 0 <= value < TOO_LARGE, "target.value", "value", None),
            (not is_blank(rec["commune"]) and commune is None, "target.commune_unknown", "commune", cats.communes),
        )
        found = [(code, column, catalogue) for wrong, code, column, catalogue in checks if wrong]
        for code, column, catalogue in found:
            guess = (catalogue.suggest(display(rec[column])) or "") if catalogue else ""
            log.add(code, name, "", rec["row"], headers.get(column, column), rec[column], guess=guess)
        if not found:
            ok.append(
                {"year": int(year), "indicator": indicator, "commune": commune, "value": value, "row": rec["row"]}
            )
    # each column in the dtype of ``result``: text stays object with None for a blank (pandas 3 would infer str, NaN)
    return pd.DataFrame({c: pd.Series([r[c] for r in ok], dtype=result[c].dtype) for c in result}) if ok else result


def _narrative_period(value: Any, year_start: YearStart) -> Period | None:
    """The period of a text row: «Kỳ» 2024, 2024-H1, 2024-Q3, 2024-9T… (a year alone, typed as a number
    or text, is the year); None when it cannot be read."""
    if is_blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer():
            return None
        value = str(int(value))
    try:
        return Period.parse(nfc(str(value)), year_start)
    except PeriodError:
        return None


def read_narratives(raw: RawData, config: Config, log: IssueLog) -> pd.DataFrame:
    """The assessment and directions tabs (Kỳ | Mục | Nội dung; «Năm» is still read as the period): text
    for the report by period (2024, 2024-H1, 2024-Q3…). ``year`` is the year the period is named after."""
    frames = []
    year_start = config.settings.year_start
    for kind, name in (
        ("assessment", config.settings.tabs.assessment),
        ("directions", config.settings.tabs.directions),
    ):
        frame, headers = _meta_tab(
            raw,
            name,
            log,
            {"period": ["Kỳ", "Năm", "Kỳ báo cáo"], "section": ["Mục", "Phần"], "text": ["Nội dung"]},
            "narrative",
        )
        if frame.empty:
            continue
        periods = frame["period"].map(lambda v: _narrative_period(v, year_start))
        bad_period = periods.isna().to_numpy(bool)
        no_text = frame["text"].map(is_blank).to_numpy(bool)
        for code, column, bad in (
            ("narrative.year", "period", bad_period),
            ("narrative.text_missing", "text", no_text),
        ):
            if bad.any():
                log.add(code, name, "", frame["row"][bad], headers.get(column, column), frame[column][bad])
        good = frame[~(bad_period | no_text)]
        chosen = periods[good.index]
        frames.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "year": chosen.map(lambda p: p.year_number).astype(int),
                    "period": chosen.map(lambda p: p.key).astype(object),
                    "section": good["section"].map(lambda v: "" if is_blank(v) else nfc(str(v))),
                    "text": good["text"].map(lambda v: nfc(str(v))),
                    "row": good["row"],
                }
            )
        )
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["kind", "year", "period", "section", "text", "row"])
    )


def activity_columns(config: Config) -> list[str]:
    """Column order of the Activities table."""
    return [
        "tab",
        "organisation",
        "group",
        "row",
        "date",
        "commune",
        "village",
        "programme",
        "activity_type",
        "content",
        "partners",
        *config.measures,
        "commune_current",
        "village_current",
        *(name for name in ("entered", "row_id") if name in config.fields),
    ]


def wanted_tabs(config: Config) -> list[str]:
    """Every tab the app reads: one per organisation plus targets, narrative and closure register tabs."""
    tabs = config.settings.tabs
    return [*config.organisation_tabs, tabs.targets, tabs.assessment, tabs.directions, tabs.closures]


CATEGORY_COLUMNS = {"tab", "organisation", "group", "commune", "programme", "activity_type", "commune_current"}


def clean(raw: RawData, config: Config, today: dt.date | None = None) -> Dataset:
    """Raw tabs → Dataset (activities, issues, targets, narratives, per-tab counts)."""
    today = today or local_date(raw.fetched_at)
    cats = Catalogues(config)
    log = IssueLog()
    stats: dict[str, dict] = {}
    tabs: list[Tab] = []
    cache: dict = {}
    for tab_name, org in config.organisation_tabs.items():
        raw_tab = raw.tabs.get(tab_name)
        if raw_tab is None:
            guess = Catalogue.build([(t, t, []) for t in raw.available]).suggest(tab_name, cutoff=80)
            log.add("tab.missing", tab_name, org.code, None, owner=org.short_name, guess=guess or "")
            stats[tab_name] = {"tab": tab_name, "organisation": org.code, "rows": 0, "accepted": 0, "excluded": 0}
            continue
        tab = Tab(raw_tab, org, config, cats, log, today, cache)
        tab.read()
        tabs.append(tab)
    for tab, columns in zip(tabs, stack([(tab.layout, tab.data) for tab in tabs])):
        tab.columns = columns
    parts = []
    for tab in tabs:
        part, stats[tab.name] = tab.run()
        if part is not None and len(part.take):
            parts.append(part)
    organisations = {tab: org.code for tab, org in config.organisation_tabs.items()}
    for raw_tab in raw.tabs.values():
        check_stray_cells(raw_tab, organisations.get(raw_tab.name, ""), log)
    columns = activity_columns(config)
    extras = sorted({name for part in parts for name in part.columns if name.startswith("extra:")})
    activities = assemble(
        parts,
        [*columns, *extras],
        list(config.measures),
        CATEGORY_COLUMNS,
        {"row": "int64", "date": "datetime64[ns]", "entered": "datetime64[ns]"},
    )
    nil_reports = pd.DataFrame(
        [entry for tab in tabs for entry in tab.nil], columns=["tab", "organisation", "row", "date", "entered"]
    )
    targets = read_targets(raw, config, cats, log)
    narratives = read_narratives(raw, config, log)
    issues = log.table()
    tab_stats = pd.DataFrame([stats[name] for name in config.organisation_tabs])
    tab_stats["missing"] = tab_stats["tab"].map(lambda name: name not in raw.tabs)
    latest = activities.groupby("tab", observed=True)["date"].max()
    latest.index = latest.index.astype(object)
    # reindex rather than map: pandas 3's Series.map fails on an empty datetime Series (no accepted row)
    tab_stats["latest_date"] = latest.reindex(tab_stats["tab"].to_numpy(object)).to_numpy()
    counts = issues.groupby(["tab", "severity"]).size().unstack(fill_value=0)
    for severity, name in ((ERROR, "errors"), (WARNING, "warnings")):
        tab_stats[name] = tab_stats["tab"].map(counts[severity] if severity in counts else {}).fillna(0).astype(int)
    return Dataset(
        activities=activities,
        issues=issues,
        targets=targets,
        narratives=narratives,
        tab_stats=tab_stats,
        source_label=raw.source_label,
        source_id=raw.source_id,
        fetched_at=raw.fetched_at,
        notice=raw.notice,
        extra_columns=extras,
        nil_reports=nil_reports,
        closure_register=_register_rows(raw, config),
    )


def _register_rows(raw: RawData, config: Config) -> list[list[Any]]:
    """The closure register tab's cells as plain values (text, numbers), header first; none without the tab."""
    tab = raw.tabs.get(config.settings.tabs.closures)
    if tab is None:
        return []
    plain = (str, int, float, bool, type(None))
    return [[c if isinstance(c, plain) else str(c) for c in row] for row in tab.values]
