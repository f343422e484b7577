"""Units through time: which commune a row belongs to on its date, and the two ways of showing history.

Communes are valid from ``valid_from`` to ``valid_to`` and hand their rows on to successors (merge,
split by village, rename; ``lib/config.py``). Cleaning resolves every row against the communes
valid on its date (``resolve``) and also maps it to today's communes. The pages, the CLI and the
report then show one of two views:

- **current** boundaries: all history mapped to today's communes, so a commune can be compared
  year on year;
- **as recorded**: each row under the commune it belonged to on its date.

Both views hold the same rows, so the totals of the whole unit are equal; only the commune (and
village) a row is shown under differs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .config import Commune, Config
from .dataset import Dataset
from .normalize import name_key

CURRENT, AS_RECORDED = "current", "as-recorded"
LABELS = {CURRENT: "Địa giới hiện nay", AS_RECORDED: "Như khi ghi nhận"}
QUERY_VALUES = {CURRENT: "hien-nay", AS_RECORDED: "nhu-ghi-nhan"}
DEFAULT = CURRENT


def _day(value: dt.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


# ---------------------------------------------------------------- rows


@dataclass
class Resolution:
    """Per row: the commune and village on the row's date, today's commune and village, and what
    was found (masks): an old name after its end, a new name before its start, a split the village
    could not decide, a row of an area outside the unit."""

    commune: np.ndarray
    village: np.ndarray
    current_commune: np.ndarray
    current_village: np.ndarray
    after_end: np.ndarray
    before_start: np.ndarray
    undecided: np.ndarray
    outside: np.ndarray


def _next(commune: Commune, village: str | None, moves: dict) -> tuple[str, str | None, bool]:
    """(successor, its village, decided) of a row of ``commune`` at ``village`` after it ended."""
    if village is not None and (commune.name, village) in moves:
        target, name = moves[(commune.name, village)]
        return target, name, True
    rest = next((s.name for s in commune.successors if s.villages is None), commune.successors[0].name)
    return rest, None, len(commune.successors) == 1 or village is not None


def resolve(config: Config, communes: np.ndarray, villages: np.ndarray, days: np.ndarray) -> Resolution:
    """Resolve rows (commune and village names as matched, days as datetime64, NaT unknown) against
    the communes valid on each day. Distinct (commune, village) pairs are resolved once; dates only
    decide, per commune, which rows are past its end or before its start."""
    moves = config.village_moves
    n = len(communes)
    commune, village = communes.astype(object).copy(), villages.astype(object).copy()
    after_end, before_start, undecided, outside = (np.zeros(n, bool) for _ in range(4))
    days = np.asarray(days, "datetime64[ns]")
    known = ~np.isnat(days)
    dated = [c for c in config.history.communes if c.valid_to or c.valid_from]
    for _ in range(len(dated) + 1):  # old → new → newer: one step per round
        moved = False
        for c in dated:
            rows = commune == c.name
            if not rows.any():
                continue
            if c.valid_to is not None:
                end = np.datetime64(c.valid_to, "ns")
                if c.kept_by is not None:
                    outside |= rows & known & (days <= end)
                late = rows & known & (days > end)
                if late.any() and c.successors:
                    pairs = pd.Series(village[late], dtype=object)
                    for value, index in pairs.groupby(pairs.fillna("\x00"), sort=False).groups.items():
                        target, target_village, decided = _next(c, None if value == "\x00" else value, moves)
                        positions = np.flatnonzero(late)[np.asarray(index)]
                        commune[positions], village[positions] = target, target_village
                        undecided[positions] |= not decided
                    after_end |= late
                    moved = True
            if c.valid_from is not None:
                before_start |= rows & known & (days < np.datetime64(c.valid_from, "ns"))
        if not moved:
            break
    current_commune, current_village = commune.copy(), village.copy()
    for _ in range(len(dated) + 1):
        moved = False
        for c in dated:
            rows = current_commune == c.name
            if not rows.any() or not c.successors:
                continue
            pairs = pd.Series(current_village[rows], dtype=object)
            for value, index in pairs.groupby(pairs.fillna("\x00"), sort=False).groups.items():
                target, target_village, _ = _next(c, None if value == "\x00" else value, moves)
                positions = np.flatnonzero(rows)[np.asarray(index)]
                current_commune[positions], current_village[positions] = target, target_village
            moved = True
        if not moved:
            break
    return Resolution(
        commune, village, current_commune, current_village, after_end, before_start & ~outside, undecided, outside
    )


def _all(config: Config) -> dict[str, Commune]:
    """Every commune through time, also from a copy scoped to one period."""
    return {c.name: c for c in config.history.communes}


def predecessors(config: Config, name: str) -> list[Commune]:
    """The communes whose rows pass to ``name`` directly."""
    return [c for c in config.history.communes if any(s.name == name for s in c.successors)]


def suggestion_before(config: Config, name: str) -> str:
    """What to type instead of a commune before it existed: its predecessors' names."""
    names = [c.name for c in predecessors(config, name) if c.kept_by is None]
    return " hoặc ".join(f"«{n}»" for n in names)


# ---------------------------------------------------------------- the two views


def current_name(config: Config, name: str) -> str:
    """Today's commune for a commune name (after a split: the successor taking the rest)."""
    every = _all(config)
    for _ in range(len(every)):
        commune = every.get(name)
        if commune is None or not commune.successors:
            return name
        name = next((s.name for s in commune.successors if s.villages is None), commune.successors[0].name)
    return name


def apply(dataset: Dataset, boundaries: str, config: Config) -> Dataset:
    """The dataset in the chosen view: under current boundaries every row shows today's commune and
    village, and per-commune targets of additive indicators (count, sum) are added up over the
    communes that merged; other per-commune targets of merged communes are shown as recorded only.
    As recorded, each row keeps the commune of its date (what cleaning wrote)."""
    if boundaries != CURRENT or not config.has_history:
        return dataclasses.replace(dataset, boundaries=boundaries)
    activities = dataset.activities.copy(deep=False)
    activities["commune"] = activities["commune_current"]
    activities["village"] = activities["village_current"]
    targets = dataset.targets
    if len(targets):
        targets = targets.assign(
            commune=targets["commune"].map(lambda c: c if c is None or pd.isna(c) else current_name(config, c))
        )
        whole = targets["commune"].isna()
        per_commune = targets[~whole]
        additive = per_commune["indicator"].map(lambda code: config.indicators[code].kind in ("count", "sum"))
        keys = ["year", "indicator", "commune"]
        merged = per_commune[additive].groupby(keys, sort=False, as_index=False).agg({"value": "sum", "row": "min"})
        alone = per_commune[~additive]
        alone = alone[~alone.duplicated(keys, keep=False)]
        targets = pd.concat([targets[whole], merged, alone], ignore_index=True)[list(dataset.targets.columns)]
    return dataclasses.replace(dataset, activities=activities, targets=targets, boundaries=boundaries)


def communes_in(config: Config, boundaries: str, start: dt.date, end: dt.date) -> list[Commune]:
    """The communes a view lists for a period: today's (current), or those part of the unit on some
    day of the period (as recorded)."""
    if boundaries == CURRENT:
        return [c for c in config.history.communes if c.current and c.kept_by is None]
    return [c for c in config.history.communes if c.valid_in(start, end)]


@lru_cache(maxsize=256)
def _scoped(config: Config, boundaries: str, start: dt.date, end: dt.date) -> Config:
    return config.scoped(communes_in(config, boundaries, start, end), start, end, (boundaries, start, end))


def scope(config: Config, boundaries: str, start: dt.date, end: dt.date) -> Config:
    """The configuration a view of the period uses: its communes only, dated facts resolved."""
    return _scoped(config, boundaries, start, end)


# ---------------------------------------------------------------- what the view must say


@dataclass(frozen=True)
class Change:
    """Communes that ended the day before ``day`` and the commune that took their rows from ``day``."""

    day: dt.date
    before: tuple[str, ...]
    after: str
    joined: dict[str, str]  # predecessor → the unit that kept its activities before it joined
    basis: str | None


def changes(config: Config) -> list[Change]:
    """Every change of communes the configuration declares, by day then new commune."""
    found: dict[tuple[dt.date, str], list[Commune]] = {}
    every = _all(config)
    for commune in every.values():
        for successor in commune.successors:
            after = every.get(successor.name)
            if after is not None and after.valid_from is not None:
                found.setdefault((after.valid_from, after.name), []).append(commune)
    return [
        Change(
            day,
            tuple(c.name for c in before),
            name,
            {c.name: c.kept_by for c in before if c.kept_by},
            every[name].established_by,
        )
        for (day, name), before in sorted(found.items())
    ]


def story(config: Config, boundaries: str, start: dt.date, end: dt.date) -> dict:
    """What a report of the period says about communes through time: the changes that took effect
    in it (grouped by day), whether figures were mapped to today's communes, and the gaps."""
    every = changes(config)
    days: dict[dt.date, list[Change]] = {}
    for change in every:
        if start <= change.day <= end:
            days.setdefault(change.day, []).append(change)
    later = [c for c in every if c.day > start]
    return {
        "view": boundaries,
        "label": LABELS[boundaries],
        "changes": [
            {"day": day, "basis": next((c.basis for c in group if c.basis), None), "merges": group}
            for day, group in sorted(days.items())
        ],
        "mapped": boundaries == CURRENT and bool(later),
        "mapped_since": later[0].day if later else None,
        "split_view": boundaries == AS_RECORDED and bool(days),
        "gaps": gaps(config, boundaries, start, end),
    }


def gaps(config: Config, boundaries: str, start: dt.date, end: dt.date) -> list[str]:
    """Sentences saying where the view's figures for the period are incomplete: under current
    boundaries, a commune whose predecessor's activities were kept by another unit during the
    period; as recorded, the communes that were part of the unit for only part of the period."""
    notes = []
    partial: dict[str, list[str]] = {}
    for commune in communes_in(config, boundaries, start, end):
        if boundaries == CURRENT:
            for before in _ancestors(config, commune.name):
                if before.kept_by and before.valid_to and start <= before.valid_to:
                    notes.append(
                        f"Số liệu của {commune.name} đến {_day(min(before.valid_to, end))} không gồm xã {before.name} "
                        f"(khi đó thuộc {before.kept_by}, số liệu do đơn vị đó theo dõi)."
                    )
            continue
        first = commune.valid_from if commune.valid_from and commune.valid_from > start else None
        last = commune.valid_to if commune.valid_to and commune.valid_to < end else None
        if first and last:
            span = f"từ {_day(first)} đến {_day(last)}"
        elif first or last:
            span = f"từ {_day(first)}" if first else f"đến {_day(last)}"
        else:
            continue
        partial.setdefault(span, []).append(commune.name)
    for span, names in partial.items():
        listed = ", ".join(names[:-1]) + f" và {names[-1]}" if len(names) > 1 else names[0]
        notes.append(f"Số liệu của {listed} tính {span} (thời gian thuộc đơn vị trong kỳ).")
    return notes


def _ancestors(config: Config, name: str) -> list[Commune]:
    found, queue = [], predecessors(config, name)
    while queue:
        commune = queue.pop(0)
        found.append(commune)
        queue += predecessors(config, commune.name)
    return found


def from_query(value: str | None) -> tuple[str, str | None]:
    """The view a link asks for (``ranh-gioi=hien-nay|nhu-ghi-nhan``), with a note when unusable."""
    if value is None:
        return DEFAULT, None
    for code, text in QUERY_VALUES.items():
        if name_key(value) == name_key(text) or value == code:
            return code, None
    return DEFAULT, f"Cách xem địa giới «{value}» trong đường dẫn không hợp lệ; đang xem theo địa giới hiện nay."
