"""The indicator engine: configured indicators for a period, by any dimension, against last year
and against targets. Indicators are data (config/indicators.yaml), not code per chart."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from .config import Config, Indicator
from .exceptions import ConfigError
from .period import Period

# Labels of the many small tables built here are kept as object: pandas 3 would build its string dtype for
# each of them, a fixed cost per table that weighed a quarter of the overview's indicators.
_ALL = pd.Index(["all"], dtype=object)

DIMENSIONS = ("commune", "village", "programme", "activity_type", "organisation", "group", "tab", "month", "year")


def in_period(activities: pd.DataFrame, period: Period | None) -> pd.DataFrame:
    """The activities dated inside the period (all of them when period is None)."""
    return activities if period is None else activities[_period_mask(activities, period)]


def _period_mask(activities: pd.DataFrame, period: Period) -> np.ndarray:
    dates = activities["date"].to_numpy()
    return (dates >= np.datetime64(period.start, "ns")) & (dates <= np.datetime64(period.end, "ns"))


def select(
    activities: pd.DataFrame,
    *,
    communes: Iterable[str] = (),
    programmes: Iterable[str] = (),
    organisations: Iterable[str] = (),
    activity_types: Iterable[str] = (),
) -> pd.DataFrame:
    """The dashboard's filters: keep rows whose commune/programme/… is among the chosen (empty = all)."""
    mask = np.ones(len(activities), bool)
    for column, chosen in (
        ("commune", communes),
        ("programme", programmes),
        ("organisation", organisations),
        ("activity_type", activity_types),
    ):
        chosen = list(chosen)
        if chosen:
            mask &= activities[column].isin(chosen).to_numpy()
    return activities[mask]


def mask(activities: pd.DataFrame | _Rows, indicator: Indicator) -> np.ndarray:
    """Which activities an indicator counts (its filter), as a boolean array."""
    f = indicator.filter
    keep = np.ones(len(activities), bool)
    for column, chosen in (
        ("programme", f.programme),
        ("activity_type", f.activity_type),
        ("organisation", f.organisation),
        ("group", f.group),
    ):
        if chosen:
            keep &= _isin(activities[column], chosen)
    for measure in f.nonzero:
        keep &= (activities[measure].fillna(0) > 0).to_numpy()
    return keep


def _isin(column: pd.Series, chosen: Iterable[str]) -> np.ndarray:
    """``column.isin(chosen)`` as a boolean array; on a categorical column, decided once per category."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        hit = np.append(column.cat.categories.isin(list(chosen)), False)  # code -1 (missing) → False
        return hit[column.cat.codes.to_numpy()]
    return column.isin(list(chosen)).to_numpy()


def _keys(activities: pd.DataFrame | _Rows, by: list[str]) -> list[pd.Series]:
    keys = []
    for dim in by:
        if dim == "month":
            keys.append(activities["date"].dt.month.rename("month"))
        elif dim == "year":
            keys.append(activities["date"].dt.year.rename("year"))
        else:
            keys.append(activities[dim])
    return keys


class _Rows:
    """The activities of a period and what every indicator table computed from them reuses: each
    column taken only when first asked for (an indicator reads a handful, so contents and partner
    lists are never copied), filter masks, row sums of measures and field codes.

    Through a ``SharedRows`` one is shared by every table computed from the same activities table and
    period (a page, the report or the overview compute many tables from one Dataset). It holds the
    table weakly (``collected`` is called when the table goes). Activities tables are never changed
    in place."""

    def __init__(
        self,
        activities: pd.DataFrame,
        period: Period | None,
        config: Config,
        collected: Callable[[weakref.ref], None] | None = None,
    ):
        self.table = weakref.ref(activities, collected)
        self.config = config
        self.positions = None if period is None else np.flatnonzero(_period_mask(activities, period))
        self.index = activities.index if self.positions is None else pd.RangeIndex(len(self.positions))
        self.taken: dict[str, pd.Series] = {}
        self.masks: dict[tuple, np.ndarray] = {}
        self.row_sums: dict[tuple[str, ...], np.ndarray] = {}
        self.codes: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, name: str) -> pd.Series:
        if name not in self.taken:
            column = self.table()[name]
            self.taken[name] = (
                column if self.positions is None else pd.Series(column.array.take(self.positions), name=name)
            )
        return self.taken[name]

    def mask(self, indicator: Indicator) -> np.ndarray:
        key = filter_key(indicator)
        if key not in self.masks:
            self.masks[key] = mask(self, indicator)
        return self.masks[key]

    def row_sum(self, measures: tuple[str, ...]) -> np.ndarray:
        """Each row's sum of the measures, a missing figure counting as 0 (as ``sum(axis=1).fillna(0)``)."""
        if measures not in self.row_sums:
            total = np.zeros(len(self))
            for measure in measures:
                values = self[measure].to_numpy(float)
                total += np.where(np.isnan(values), 0.0, values)
            self.row_sums[measures] = total
        return self.row_sums[measures]

    def field_codes(self, field: str) -> np.ndarray:
        """Integer code of each row's value of a field (-1: missing or not counted), worked out once."""
        if field in self.codes:
            return self.codes[field]
        codes = _codes(self[field])
        if field == "commune":
            whole = self.config.unit.whole_unit_label
            column = self["commune"]
            if isinstance(column.dtype, pd.CategoricalDtype):
                is_whole = np.append(column.cat.categories == whole, False)[column.cat.codes.to_numpy()]
            else:
                is_whole = (column == whole).to_numpy()
            codes = np.where(is_whole, -1, codes)
        elif field == "village":  # village names repeat across communes ("Thôn 1"): count commune/village pairs
            communes = _codes(self["commune"])
            pair = np.where(
                (codes >= 0) & (communes >= 0), communes.astype(np.int64) * (codes.max(initial=0) + 1) + codes, -1
            )
            codes = np.where(pair >= 0, pd.factorize(pair)[0], -1)
        self.codes[field] = codes
        return codes


SHARED_ROWS_KEPT = 4  # (table, period) pairs kept by default: a page or the report uses a period and the year before


class SharedRows:
    """Period rows shared by the indicator tables computed from one activities table (see ``_Rows``).

    Whoever computes several tables from the same data (a page, the report, a benchmark run) creates
    one and passes it as ``shared=`` to ``compute``, ``compare``, ``values``, ``coverage``, ``progress``
    and ``coordination_matrix``: tables of the same activities table (the same object, never changed
    in place) and period then take each column, filter mask, measure sum and field code once. It keeps
    the ``kept`` most recently used (table, period) pairs, holds the tables weakly (their rows go with
    them) and may be shared by threads (sessions run in threads). Without one every call computes
    from fresh rows: nothing is shared behind the caller's back."""

    def __init__(self, kept: int = SHARED_ROWS_KEPT):
        self.kept = kept
        self._rows: OrderedDict[tuple[int, Period | None, int], _Rows] = OrderedDict()
        self._lock = threading.RLock()  # a table collected while it is held re-enters it

    def rows(self, activities: pd.DataFrame, period: Period | None, config: Config) -> _Rows:
        """The shared rows of this activities table and period, made on first use."""
        key = (id(activities), period, id(config))
        with self._lock:
            rows = self._rows.get(key)
            if rows is not None and rows.table() is activities and rows.config is config:
                self._rows.move_to_end(key)
                return rows
            rows = self._rows[key] = _Rows(activities, period, config, self._on_collect(key))
            while len(self._rows) > self.kept:
                self._rows.popitem(last=False)
        return rows

    def _on_collect(self, key: tuple[int, Period | None, int]) -> Callable[[weakref.ref], None]:
        """What to do when the table of ``key`` is collected: drop its rows (without keeping this
        object alive for the table's sake)."""
        owner = weakref.ref(self)

        def collected(_: weakref.ref) -> None:
            shared = owner()
            if shared is not None:
                shared._forget(key)

        return collected

    def _forget(self, key: tuple[int, Period | None, int]) -> None:
        with self._lock:
            rows = self._rows.get(key)
            if rows is not None and rows.table() is None:
                del self._rows[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)

    def __contains__(self, pair: tuple[pd.DataFrame, Period | None]) -> bool:
        """Whether rows of this (activities table, period) are kept (for any config)."""
        activities, period = pair
        with self._lock:
            return any(
                key[:2] == (id(activities), period) and rows.table() is activities for key, rows in self._rows.items()
            )

    def clear(self) -> None:
        """Drop every kept rows, so the next tables are computed from scratch."""
        with self._lock:
            self._rows.clear()


def _period_rows(activities: pd.DataFrame, period: Period | None, config: Config, shared: SharedRows | None) -> _Rows:
    """The rows of this activities table and period: shared through ``shared``, else fresh."""
    return shared.rows(activities, period, config) if shared is not None else _Rows(activities, period, config)


def filter_key(indicator: Indicator) -> tuple:
    """What an indicator's filter keeps, as a hashable key: indicators with equal keys keep the same rows."""
    f = indicator.filter
    return tuple(f.programme), tuple(f.activity_type), tuple(f.organisation), tuple(f.group), tuple(f.nonzero)


class _Frame:
    """The rows of one compute() call grouped by ``by``: the group of each row and its labels (as
    ``groupby(..., observed=True)`` numbers and sorts them), and each filter's grouped rows."""

    def __init__(self, rows: _Rows, by: list[str]):
        self.rows, self.by = rows, by
        self.selections: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.groups = np.zeros(len(rows), np.intp)
        self.labels: pd.Index | None = None
        if by:
            grouped = pd.Series(np.zeros(len(rows)), index=rows.index).groupby(_keys(rows, by), observed=True)
            self.groups = np.nan_to_num(grouped.ngroup().to_numpy(dtype=float), nan=-1).astype(
                np.intp
            )  # -1: missing key
            self.labels = grouped.size().index

    def selection(self, indicator: Indicator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The indicator's rows that have a group: their positions, their groups, and which groups
        have at least one of them (the groups a groupby of those rows would show). Indicators with
        the same filter share it."""
        key = filter_key(indicator)
        if key not in self.selections:
            take = np.flatnonzero(self.rows.mask(indicator) & (self.groups >= 0))
            groups = self.groups[take]
            self.selections[key] = take, groups, np.bincount(groups, minlength=len(self.labels)) > 0
        return self.selections[key]

    def sums(self, indicators: list[Indicator]) -> dict[str, pd.Series]:
        """count and sum indicators, grouped by ``by``: a weighted bincount over the group of each
        kept row (a missing figure counts as 0; groups with no kept row are left out, as in a groupby)."""
        result = {}
        for indicator in indicators:
            keep = self.rows.mask(indicator)
            weights = None if indicator.kind == "count" else self.rows.row_sum(tuple(indicator.measures))
            if not self.by:
                total = float(keep.sum()) if weights is None else float(weights[keep].sum())
                result[indicator.code] = pd.Series([total], index=_ALL)
                continue
            take, groups, seen = self.selection(indicator)
            totals = np.bincount(
                groups, weights=None if weights is None else weights[take], minlength=len(self.labels)
            ).astype(float)
            result[indicator.code] = pd.Series(totals[seen], index=self.labels[seen])
        return result

    def distinct(self, indicator: Indicator) -> pd.Series:
        """Distinct non-missing values of a field among the indicator's rows, by group: a presence table
        of group × value (counted without sorting or hashing the rows) while it stays small."""
        keep, codes = self.rows.mask(indicator), self.rows.field_codes(indicator.field)
        size = int(codes.max(initial=-1)) + 1
        if not self.by:
            present = np.bincount(codes[keep & (codes >= 0)], minlength=size)
            return pd.Series([int(np.count_nonzero(present))], index=_ALL)
        seen = self.selection(indicator)[2]
        take = keep & (self.groups >= 0) & (codes >= 0)
        groups = len(self.labels)
        pairs = self.groups[take].astype(np.int64) * max(size, 1) + codes[take]
        if groups * size <= PRESENCE_CELLS:
            hit = np.zeros(groups * size, bool)
            hit[pairs] = True
            counts = hit.reshape(groups, size).sum(axis=1)
        else:
            counts = np.bincount(np.unique(pairs) // max(size, 1), minlength=groups)
        return pd.Series(counts[seen], index=self.labels[seen])


PRESENCE_CELLS = 16_000_000  # group × value cells (bytes) of a distinct count's presence table


def _codes(column: pd.Series) -> np.ndarray:
    """Integer code of each row's value, -1 where missing (equal values, equal codes)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.intp)
    return pd.factorize(column.to_numpy(object))[0]  # None and NaN alike → -1


def catalogue(config: Config, dim: str) -> list | None:
    """The full list of values of a dimension, so communes with nothing still show as 0."""
    return {
        "commune": [*config.communes, config.unit.whole_unit_label],
        "programme": list(config.programmes),
        "activity_type": list(config.activity_types),
        "organisation": list(config.organisations),
        "group": list(config.groups),
        "month": list(range(1, 13)),
    }.get(dim)


def recorded(rows: pd.DataFrame, config: Config, code: str) -> bool:
    """Whether the rows record an indicator at all: a row it counts and, for a sum, one of its measures filled
    (for a distinct count, its field); a ratio or share needs its parts. An unrecorded figure is unknown, not 0."""
    indicator = config.indicators[code]
    if indicator.kind in ("ratio", "share"):
        parts = [indicator.numerator, indicator.denominator] if indicator.kind == "ratio" else [indicator.numerator]
        return all(recorded(rows, config, part) for part in parts if part)
    keep = mask(rows, indicator)
    if indicator.kind == "sum":
        return any(m in rows and bool(rows[m].notna().to_numpy()[keep].any()) for m in indicator.measures)
    if indicator.kind == "distinct":
        return bool(rows[indicator.field].notna().to_numpy()[keep].any())
    return bool(keep.any())


def row_values(rows: pd.DataFrame, config: Config, code: str) -> pd.Series:
    """Each activity's own value of a sum indicator: the sum of its filled measures, NaN when none is filled."""
    return rows[config.indicators[code].measures].sum(axis=1, min_count=1)


def _summed(config: Config, codes: list[str]) -> list[Indicator]:
    """The count and sum indicators that ``codes`` need, directly or through ratios and shares. A
    code that names no indicator, or ratios and shares that depend on themselves, raise ConfigError
    (the config check refuses both; this keeps a config that slipped through from looping)."""
    wanted: dict[str, Indicator] = {}
    done: set[str] = set()

    def visit(code: str, path: list[str]) -> None:
        if code in path:
            cycle = " → ".join([*path[path.index(code) :], code])
            raise ConfigError(
                f"indicators.yaml: các chỉ số phụ thuộc vòng tròn vào nhau ({cycle}). Sửa numerator/denominator "
                "của các chỉ số này để không chỉ số nào cần đến chính nó."
            )
        if code in done:
            return
        indicator = config.indicators.get(code)
        if indicator is None:
            where = f" (dùng trong chỉ số «{path[-1]}»)" if path else ""
            raise ConfigError(f"indicators.yaml: không có chỉ số mã «{code}»{where}. Kiểm tra lại mã chỉ số.")
        if indicator.kind in ("count", "sum"):
            wanted[code] = indicator
        elif indicator.kind in ("ratio", "share"):
            for part in (indicator.numerator, indicator.denominator):
                if part:
                    visit(part, [*path, code])
        done.add(code)

    for code in codes:
        visit(code, [])
    return list(wanted.values())


def compute(
    activities: pd.DataFrame,
    config: Config,
    codes: Iterable[str] | None = None,
    period: Period | None = None,
    by: str | list[str] | None = None,
    *,
    shared: SharedRows | None = None,
) -> pd.DataFrame:
    """Indicators as a wide table: one row per group of ``by`` (or one row), one column per indicator.

    ``shared``: the period rows to share with other tables of the same data (see ``SharedRows``)."""
    by = [by] if isinstance(by, str) else list(by or [])
    if "village" in by and "commune" not in by:  # village names repeat across communes ("Thôn 1")
        by.insert(by.index("village"), "commune")
    codes = list(codes or config.indicators)
    wanted = _summed(config, codes)
    frame = _Frame(_period_rows(activities, period, config, shared), by)
    results: dict[str, pd.Series] = frame.sums(wanted) if wanted else {}
    totals = _Frame(frame.rows, []) if by else frame

    def value(code: str) -> pd.Series:
        if code not in results:
            indicator = config.indicators[code]
            if indicator.kind == "distinct":
                results[code] = frame.distinct(indicator).astype(float)
            elif indicator.kind == "ratio":
                num, den = value(indicator.numerator), value(indicator.denominator)
                num, den = num.align(den, fill_value=0)
                results[code] = (num / den.replace(0, np.nan)) * indicator.scale
            else:  # share of the whole
                num = value(indicator.numerator)
                numerator = config.indicators[indicator.numerator]
                if by:
                    whole = (
                        totals.distinct(numerator)
                        if numerator.kind == "distinct"
                        else totals.sums([numerator])[numerator.code]
                    )
                    total = float(whole.iloc[0])
                else:
                    total = float(num.sum())
                results[code] = num / total * indicator.scale if total else num * np.nan
        return results[code]

    table = pd.DataFrame({code: value(code) for code in codes}, columns=pd.Index(codes, dtype=object))
    if not by:
        return table.reset_index(drop=True)
    table.index.names = by
    if len(by) == 1 and (full := catalogue(config, by[0])) is not None:
        extra = [v for v in table.index if v not in full]
        table = table.reindex(pd.Index(full + extra, dtype=object, name=by[0]))
        sums = [c for c in codes if config.indicators[c].kind in ("count", "sum", "distinct")]
        table[sums] = table[sums].fillna(0)
    return table.reset_index()


def _long(table: pd.DataFrame, by: list[str], codes: list[str], name: str) -> pd.DataFrame:
    """``table.melt(id_vars=by, var_name="indicator", value_name=name)``, with text kept as object."""

    def column(values: np.ndarray) -> pd.Series | np.ndarray:
        return pd.Series(values, dtype=object) if values.dtype == object else values

    long = {b: column(np.tile(table[b].to_numpy(), len(codes))) for b in by}
    long["indicator"] = column(np.repeat(np.array(codes, dtype=object), len(table)))
    long[name] = table[codes].to_numpy(float).T.ravel()
    return pd.DataFrame(long)


def compare(
    activities: pd.DataFrame,
    config: Config,
    codes: Iterable[str] | None,
    period: Period,
    by: str | list[str] | None = None,
    *,
    previous: Period | None = None,
    shared: SharedRows | None = None,
) -> pd.DataFrame:
    """Long table: each indicator (per group) with its value, its value over ``previous`` (the same
    period a year earlier unless given: pass the like-for-like span when the data stops early) and the change."""
    by_list = [by] if isinstance(by, str) else list(by or [])
    if "village" in by_list and "commune" not in by_list:
        by_list.insert(by_list.index("village"), "commune")
    codes = list(codes or config.indicators)
    now = _long(compute(activities, config, codes, period, by_list, shared=shared), by_list, codes, "value")
    before = _long(
        compute(activities, config, codes, previous or period.previous_year(), by_list, shared=shared),
        by_list,
        codes,
        "previous",
    )
    if not by_list and len(set(codes)) == len(codes):  # one row per indicator, in the same order in both
        table = now.assign(previous=before["previous"].to_numpy())
    else:
        table = now.merge(before, on=[*by_list, "indicator"], how="left")
    table["change"] = table["value"] - table["previous"]
    table["change_pct"] = np.where(
        table["previous"] > 0, table["change"] / table["previous"].where(table["previous"] > 0) * 100, np.nan
    )
    table["name"] = table["indicator"].map(lambda c: config.indicators[c].name)
    table["unit"] = table["indicator"].map(lambda c: config.indicators[c].unit)
    return table[[*by_list, "indicator", "name", "unit", "value", "previous", "change", "change_pct"]]


def values(
    activities: pd.DataFrame,
    config: Config,
    codes: Iterable[str] | None = None,
    period: Period | None = None,
    *,
    shared: SharedRows | None = None,
) -> dict[str, float]:
    """Ungrouped indicator values as a plain dict (for KPI cards and the report)."""
    return compute(activities, config, codes, period, shared=shared).iloc[0].to_dict()


def coverage(
    activities: pd.DataFrame,
    config: Config,
    period: Period | None = None,
    activity_types: Iterable[str] = (),
    *,
    shared: SharedRows | None = None,
) -> pd.DataFrame:
    """Villages reached / villages in config, per commune, with the extremely difficult ones apart, and how
    many activities the commune has and how many of them name a village: a commune whose activities
    name none has an unknown coverage (NaN), not 0 %."""
    rows = _period_rows(activities, period, config, shared)
    communes, villages = rows["commune"].astype(object).to_numpy(), rows["village"].to_numpy(object)
    if activity_types := list(activity_types):
        keep = _isin(rows["activity_type"], activity_types)
        communes, villages = communes[keep], villages[keep]
    reached = set(zip(communes, villages))
    activities_of = pd.Series(communes).value_counts().to_dict()
    named = pd.Series(communes[pd.notna(villages)]).value_counts().to_dict()
    records = []
    for commune in config.unit.communes:
        names = [v.name for v in commune.villages]
        hard = [v.name for v in commune.villages if v.extremely_difficult]
        records.append(
            {
                "commune": commune.name,
                "villages": len(names),
                "reached": sum((commune.name, v) in reached for v in names),
                "extremely_difficult": len(hard),
                "extremely_difficult_reached": sum((commune.name, v) in reached for v in hard),
                "activity_rows": activities_of.get(commune.name, 0),
                "village_rows": named.get(commune.name, 0),
            }
        )
    table = pd.DataFrame(records)
    known = (table["villages"] > 0) & ~((table["activity_rows"] > 0) & (table["village_rows"] == 0))
    table["share"] = np.where(known, table["reached"] / table["villages"].where(known) * 100, np.nan)
    return table


def progress(
    activities: pd.DataFrame,
    targets: pd.DataFrame,
    config: Config,
    year: int,
    *,
    shared: SharedRows | None = None,
) -> pd.DataFrame:
    """Each target of the year (whole unit or one commune) with the actual value and the % reached."""
    wanted = targets[targets["year"] == year]
    if wanted.empty:
        return against_targets(wanted, config, {}, pd.DataFrame())
    codes = sorted(set(wanted["indicator"]))
    period = Period.year(year, config.settings.year_start)  # the reporting year (it may start on 15/12)
    shared = shared if shared is not None else SharedRows(kept=1)  # the two tables below read the same rows
    overall = values(activities, config, codes, period, shared=shared)
    by_commune = compute(activities, config, codes, period, "commune", shared=shared).set_index("commune")
    return against_targets(wanted, config, overall, by_commune)


def against_targets(
    wanted: pd.DataFrame, config: Config, overall: dict[str, float], by_commune: pd.DataFrame
) -> pd.DataFrame:
    """Targets rows (year, indicator, commune, value, row) beside actual values already computed:
    ``overall`` for whole-unit targets, ``by_commune`` (indexed by commune) for the others."""
    columns = ["indicator", "name", "unit", "commune", "target", "actual", "percent", "row"]
    if wanted.empty:
        return pd.DataFrame(columns=columns)
    actual = [
        overall[r.indicator] if r.commune is None or pd.isna(r.commune) else by_commune.at[r.commune, r.indicator]
        for r in wanted.itertuples()
    ]
    table = pd.DataFrame(
        {
            "indicator": wanted["indicator"].to_numpy(),
            "name": [config.indicators[c].name for c in wanted["indicator"]],
            "unit": [config.indicators[c].unit for c in wanted["indicator"]],
            "commune": wanted["commune"].to_numpy(),
            "target": wanted["value"].to_numpy(float),
            "actual": np.asarray(actual, float),
            "row": wanted["row"].to_numpy(),
        }
    )
    table["percent"] = np.where(
        table["target"] > 0, table["actual"] / table["target"].where(table["target"] > 0) * 100, np.nan
    )
    return table[columns]


def coordination_matrix(
    activities: pd.DataFrame, config: Config, period: Period | None = None, *, shared: SharedRows | None = None
) -> pd.DataFrame:
    """Joint activities: organisation × partner organisation (known organisations only)."""
    rows = _period_rows(activities, period, config, shared)
    pairs = pd.DataFrame({"organisation": rows["organisation"], "partners": rows["partners"]}, index=rows.index)
    pairs = pairs.explode("partners").dropna(subset=["partners"])
    pairs = pairs[pairs["partners"].isin(list(config.organisations))]
    pairs["organisation"] = pairs["organisation"].astype(object)
    return (
        pairs.groupby(["organisation", "partners"])
        .size()
        .rename("count")
        .reset_index()
        .rename(columns={"partners": "partner"})
    )
