"""The speed machinery behind the cleaner: columns held as codes into their distinct values.

A tab of 100 000 rows has a few hundred distinct communes, dates or amounts. Each column is
factorised once over all tabs (``stack``): per row a code, per distinct value one entry. A rule
computes its result once per distinct value and the result is spread over the rows by indexing
with the codes, so the cost follows distinct values rather than rows.

The rules in ``lib/clean.py`` see a ``Column`` and never its codes:

- ``column.map(fn, key)``: ``fn`` of each distinct value, as a new column (empty and
  formula-error cells give None); ``map_array`` does the same with a vectorised ``fn``;
- ``column.where(test, key)``: the rows whose value passes ``test``;
- ``column.groups()``: the rows of each distinct non-None value (a problem code, say), or of each
  ``by(cell)`` among flagged rows;
- ``column.missing`` / ``column.error`` / ``column.given``: empty, formula-error, other cells;
- ``column.raw_cells(rows)``: the cells as typed, for the Issues table;
- ``column.fill_down()``, ``column.as_typed()``, ``Column.filled(rows, value)``.

A ``key`` names what was computed, so that it is computed once for all tabs.

The rest of this module stacks the raw rows (``stack``), pairs two columns (``pairs``), finds
identical rows (``duplicates``) and assembles the Activities table from codes (``assemble``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .normalize import is_sheet_error

ERROR_CELL = "\x00error"  # the cleaned value of a formula-error cell (the raw text stays in Values.raw)
_HASH_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: row hashes for the duplicate search
_DISTINCT_HINT = 1 << 15  # distinct cell values expected in a workbook, to size the factorising table


class Values:
    """The distinct values of a column, and what was computed from them.

    The same column of every tab shares one ``Values``, and so does everything derived from it with
    a ``key``: derived values are kept in ``memo`` and computed once for all tabs. The last value
    is the value of empty cells (code -1)."""

    __slots__ = ("values", "raw", "errors", "memo", "by_value", "_missing", "_labels", "_texts")

    def __init__(
        self,
        values: np.ndarray,
        raw: np.ndarray | None = None,
        errors: np.ndarray | None = None,
        by_value: dict | None = None,
    ):
        self.values = values
        self.raw = values if raw is None else raw
        self.errors = np.zeros(len(values), bool) if errors is None else errors
        self.memo: dict[Any, Values] = {}
        self.by_value = by_value  # results of ``map`` kept by value (for values that are not shared)
        self._missing: np.ndarray | None = None
        self._labels: tuple[np.ndarray, list] | None = None
        self._texts: tuple[np.ndarray, int] | None = None

    @property
    def missing(self) -> np.ndarray:
        """Per value: is it None (NaN or NaT in a typed array)?"""
        if self._missing is None:
            kind = self.values.dtype.kind
            if kind == "f":
                self._missing = np.isnan(self.values)
            elif kind == "M":
                self._missing = np.isnat(self.values)
            else:
                self._missing = self.values == None  # noqa: E711 (elementwise on an object array)
        return self._missing

    def labels(self) -> tuple[np.ndarray, list]:
        """Small int per value (0 for None) and the distinct non-None values they stand for."""
        if self._labels is None:
            index: dict = {}
            labels = np.zeros(len(self.values), np.intp)
            for i in np.flatnonzero(~self.missing):
                labels[i] = index.setdefault(self.values[i], len(index) + 1)
            self._labels = labels, list(index)
        return self._labels

    def texts(self) -> tuple[np.ndarray, int]:
        """Per value, a code of its text (``str(value)``), and how many texts: rows are compared as
        text. Numbers and dates are equal exactly when their texts are, so they are compared as they are."""
        if self._texts is None:
            if self.values.dtype.kind in "fM":
                codes, uniques = pd.factorize(self.values)  # NaN, NaT → -1: one more text
                self._texts = np.where(codes < 0, len(uniques), codes), len(uniques) + 1
            else:
                codes, uniques = pd.factorize(np.array([str(v) for v in self.values], dtype=object))
                self._texts = codes, len(uniques)
        return self._texts


class Column:
    """One column of one tab: per row a code into the column's distinct ``Values``."""

    __slots__ = ("codes", "distinct")

    def __init__(self, codes: np.ndarray, distinct: Values):
        self.codes, self.distinct = codes, distinct

    @classmethod
    def filled(cls, rows: int, value: Any = None) -> Column:
        """A column of ``rows`` cells that all hold ``value`` (None: all empty)."""
        values = np.empty(1, dtype=object)
        values[0] = value
        return cls(np.full(rows, -1, np.intp), Values(values))

    @property
    def missing(self) -> np.ndarray:
        """Rows whose cell is empty."""
        return self.distinct.missing[self.codes]

    @property
    def error(self) -> np.ndarray:
        """Rows whose cell holds a formula error."""
        return self.distinct.errors[self.codes]

    @property
    def given(self) -> np.ndarray:
        """Rows with a value: neither empty nor a formula error."""
        return ~(self.distinct.missing | self.distinct.errors)[self.codes]

    def raw_cells(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The cells of the rows as they were typed."""
        return self.distinct.raw[self.codes if rows is None else self.codes[rows]]

    def map(self, fn: Callable[[Any], Any], key: str | None = None) -> Column:
        """``fn`` of each distinct value, as a column (same rows). Empty and formula-error cells give
        None without calling ``fn``. With a ``key`` the result is computed once for every tab, so
        ``fn`` must give the same result for the same value in every tab."""
        distinct = self.distinct
        if key is not None and key in distinct.memo:
            return Column(self.codes, distinct.memo[key])
        if key is not None and distinct.by_value is not None:
            fn = _remembered(fn, distinct.by_value.setdefault(key, {}))
        skip = (distinct.missing | distinct.errors).tolist()
        results = [None if skipped else fn(value) for value, skipped in zip(distinct.values, skip)]
        derived = Values(np.fromiter(results, object, len(results)))
        if key is not None and distinct.by_value is None:
            distinct.memo[key] = derived
        return Column(self.codes, derived)

    def map_array(self, fn: Callable[[np.ndarray], np.ndarray], key: str | None = None) -> Column:
        """Like ``map`` with a vectorised ``fn``: it gets the array of distinct values at once
        (formula errors as None) and returns an array as long, of any dtype (for thousands of
        distinct amounts, say)."""
        distinct = self.distinct
        if key is not None and key in distinct.memo:
            return Column(self.codes, distinct.memo[key])
        values = np.where(distinct.errors, None, distinct.values) if distinct.errors.any() else distinct.values
        derived = Values(np.asarray(fn(values)))
        if key is not None:
            distinct.memo[key] = derived
        return Column(self.codes, derived)

    def where(self, test: Callable[[Any], bool], key: str | None = None) -> np.ndarray:
        """Rows whose value passes ``test`` (never empty or formula-error cells). Without a ``key``
        the test runs on every distinct value each time: give one for a column read from the sheet."""
        return ~self.map(lambda value: True if test(value) else None, key).missing

    def groups(
        self, rows: np.ndarray | None = None, by: Callable[[Any], Any] | None = None
    ) -> Iterator[tuple[Any, np.ndarray]]:
        """(key, rows) for each distinct key: the value itself, or ``by`` of the cell as typed.
        Only the flagged ``rows`` (all rows by default) are grouped; None keys are left out."""
        if rows is None and by is None:
            labels, keys = self.distinct.labels()  # computed once for every tab
            row_labels = labels[self.codes] if labels.any() else None
        else:
            present = np.unique(self.codes if rows is None else self.codes[rows])
            source = self.distinct.values if by is None else self.distinct.raw
            index: dict = {}
            found = []
            for code in present:
                key = source[code] if by is None else by(source[code])
                found.append(0 if key is None else index.setdefault(key, len(index) + 1))
            keys = list(index)
            row_labels = None
            if keys:
                lookup = np.zeros(len(self.distinct.values), np.intp)
                lookup[present] = found
                row_labels = lookup[self.codes]
                if rows is not None:
                    row_labels[~rows] = 0
        if row_labels is None:
            return
        counts = np.bincount(row_labels, minlength=len(keys) + 1)
        for label, key in enumerate(keys, start=1):
            if counts[label]:
                yield key, row_labels == label

    def as_typed(self) -> Column:
        """The column with the cells as typed (formula errors as their text, blanks None)."""
        if "as_typed" not in self.distinct.memo:
            self.distinct.memo["as_typed"] = Values(self.distinct.raw)
        return Column(self.codes, self.distinct.memo["as_typed"])

    def fill_empty(self, value: Any) -> Column:
        """The column with its empty cells holding ``value`` (for output, where None will not do)."""
        values = self.distinct.values.copy()
        for i in np.flatnonzero(self.distinct.missing):
            values[i] = value
        return Column(self.codes, Values(values))

    @classmethod
    def of(cls, values: np.ndarray) -> Column:
        """A column holding one value per row (None for empty)."""
        codes, uniques = pd.factorize(pd.Series(values, dtype=object))
        distinct = np.empty(len(uniques) + 1, dtype=object)
        distinct[:-1] = list(uniques)
        return cls(codes.astype(np.intp), Values(distinct))

    def subset(self, rows: np.ndarray) -> Column:
        """The column restricted to the rows (a boolean mask)."""
        return Column(self.codes[rows], self.distinct)

    def fill_down(self) -> tuple[Column, np.ndarray]:
        """Empty cells take the value of the nearest cell above, as merged cells show; a formula
        error is never copied. The filled column and the rows that were filled."""
        n = len(self.codes)
        present = ~self.missing
        last = np.maximum.accumulate(np.where(present, np.arange(n), -1)) if n else np.zeros(0, np.intp)
        source = np.maximum(last, 0)
        filled = ~present & (last >= 0) & ~self.error[source]
        return Column(np.where(filled, self.codes[source], self.codes), self.distinct), filled


def _remembered(fn: Callable[[Any], Any], known: dict) -> Callable[[Any], Any]:
    """``fn`` with its results kept in ``known`` by value (and type: 1 and True are equal keys)."""

    def remembered(value: Any) -> Any:
        key = (type(value), value)
        if key not in known:
            known[key] = fn(value)
        return known[key]

    return remembered


def stack(tabs: list[tuple[dict[int, str], list[list[Any]]]]) -> list[dict[str, Column]]:
    """Every tab's columns, each column factorised once over all tabs.

    ``tabs``: per tab, its layout (sheet column index → column name) and its data rows. The result: per tab, column name → Column; the same column of every tab shares
    one ``Values``. Blank cells become None and formula errors ``ERROR_CELL`` (``Values.raw``
    keeps them as typed).

    The cells of every row are laid end to end in one array and factorised at once (ragged rows
    need no padding), so a column is a gather of cell codes; its own distinct values are then
    found with integer lookups."""
    bounds = np.cumsum([0, *(len(tab_rows) for _, tab_rows in tabs)])
    rows = itertools.chain.from_iterable(tab_rows for _, tab_rows in tabs)
    lengths = np.fromiter(map(len, rows), np.intp, bounds[-1])
    ends = np.cumsum(lengths)
    starts = ends - lengths
    rows = itertools.chain.from_iterable(tab_rows for _, tab_rows in tabs)
    cells = np.fromiter(itertools.chain.from_iterable(rows), object, int(ends[-1]) if len(ends) else 0)
    # Empty cells (None, NaN) get code -1. A sheet holds far fewer distinct values than cells: a
    # small starting table (it grows as needed) keeps the hashing in cache, a third faster.
    cell_codes, uniques = pd.factorize(cells, size_hint=min(len(cells), _DISTINCT_HINT))
    uniques = _numbers_apart_from_booleans(cells, cell_codes, uniques)
    del cells
    past_end = len(cell_codes)
    cell_codes = np.append(cell_codes, -1)  # the code of a cell past the end of a short row
    kinds = np.fromiter(map(_kind, uniques), np.int8, len(uniques))
    holders: dict[str, list[tuple[int, int]]] = {}  # column name → (tab, sheet column index) holding it
    for i, (layout, _) in enumerate(tabs):
        for index, name in layout.items():
            holders.setdefault(name, []).append((i, index))
    result: list[dict[str, Column]] = [{} for _ in tabs]
    seen = np.zeros(len(uniques) + 1, bool)
    lookup = np.full(len(uniques) + 1, -1, np.intp)
    for name, places in holders.items():
        positions = [
            np.where(lengths[bounds[i] : bounds[i + 1]] > index, starts[bounds[i] : bounds[i + 1]] + index, past_end)
            for i, index in places
        ]
        column = cell_codes[np.concatenate(positions)] + 1  # 0 for an empty cell
        seen[column] = True
        seen[0] = False
        ids = np.flatnonzero(seen)  # the column's distinct values, as codes into ``uniques`` (+1)
        seen[ids] = False
        lookup[ids] = np.arange(len(ids))
        codes = lookup[column]
        lookup[ids] = -1
        raw = np.empty(len(ids) + 1, dtype=object)
        raw[:-1] = uniques[ids - 1]
        kind = np.append(kinds[ids - 1], _BLANK)
        raw[kind == _BLANK] = None
        values = raw.copy()
        errors = kind == _ERROR
        values[errors] = ERROR_CELL
        shared = Values(values, raw, errors)
        start = 0
        for i, _ in places:
            size = bounds[i + 1] - bounds[i]
            result[i][name] = Column(codes[start : start + size], shared)
            start += size
    return result


def _numbers_apart_from_booleans(cells: np.ndarray, cell_codes: np.ndarray, uniques: np.ndarray) -> np.ndarray:
    """Python holds True == 1 and False == 0, so factorising puts a checkbox cell and a number
    under one value: whichever came first. Where that value is a boolean, the numbers get codes
    of their own (in place), so a 1 is never read as TRUE. (A TRUE met after a 1 reads as 1, as
    it does in the sheet's own sums.)"""
    booleans = [i for i, value in enumerate(uniques) if type(value) is bool]
    if not booleans:
        return uniques
    where = np.flatnonzero(np.isin(cell_codes, booleans))
    numbers = where[np.fromiter((type(cell) is not bool for cell in cells[where]), bool, len(where))]
    if not len(numbers):
        return uniques
    merged, first = np.unique(cell_codes[numbers], return_index=True)
    cell_codes[numbers] = len(uniques) + np.searchsorted(merged, cell_codes[numbers])
    return np.append(uniques, cells[numbers[first]])


_VALUE, _BLANK, _ERROR = 0, 1, 2


def _kind(value: Any) -> int:
    """A distinct cell value: a value, blank (None, spaces) or a formula error."""
    if value is None:
        return _BLANK
    if type(value) is not str:
        return _VALUE
    text = value.strip()
    if not text:
        return _BLANK
    return _ERROR if text[0] in "#Ee" and is_sheet_error(text) else _VALUE


def pairs(first: Column, second: Column, cache: dict | None = None) -> Column:
    """The column of (first value, second value) pairs; formula errors pair as None.

    ``cache``, a dict kept by the caller across tabs, keeps what ``map`` computes from the pairs."""
    first_codes, first_uniques = pd.factorize(first.distinct.values)  # None → -1
    left = first_codes[first.codes] + 1  # 0 for None
    width = len(second.distinct.values) + 1
    codes, keys = pd.factorize(left.astype(np.int64) * width + (second.codes + 1))
    names = np.append(np.asarray(first_uniques, dtype=object), None)
    seconds = np.where(second.distinct.errors, None, second.distinct.values)
    values = np.empty(len(keys) + 1, dtype=object)
    values[:-1] = [(names[k // width - 1], seconds[k % width - 1]) for k in keys]
    values[-1] = (None, None)
    return Column(codes, Values(values, by_value=cache))


def _row_groups(columns: list[tuple[np.ndarray, int]], size: int) -> np.ndarray:
    """Group id of each row over several code columns (codes in [0, cardinality)), in order of first appearance."""
    key = np.zeros(size, np.int64)
    span = 1
    for codes, cardinality in columns:
        if span * max(cardinality, 1) >= 2**62:
            key, uniques = pd.factorize(key)
            span = max(len(uniques), 1)
        key = key * max(cardinality, 1) + codes
        span *= max(cardinality, 1)
    return pd.factorize(key)[0]


def duplicates(columns: Iterable[Column], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Among ``rows`` (a mask), the rows equal as text, column by column, to an earlier row, and
    for each the position of that earlier row.

    Each distinct value's text is computed once (``Values.texts``) and rows are compared by codes.
    A 64-bit hash of each row narrows the search to rows whose hash repeats, and only those are
    grouped exactly, so the cost stays one pass over each column."""
    none = np.zeros(0, np.intp)
    if not rows.any():
        return none, none
    keys = []  # per column: row codes, their text codes, how many texts
    hashed = np.zeros(len(rows), np.uint64)
    scratch = np.empty(len(rows), np.intp)
    for column in columns:
        text_codes, count = column.distinct.texts()
        keys.append((column.codes, text_codes, count))
        hashed *= _HASH_MULTIPLIER
        if count == len(text_codes):  # no two values share a text: the value codes will do
            hashed += column.codes.view(np.uint64)
        else:
            hashed += np.take(text_codes, column.codes, out=scratch).view(np.uint64)
    kept = np.flatnonzero(rows)
    hash_codes = pd.factorize(hashed[kept])[0]
    candidates = kept[np.bincount(hash_codes)[hash_codes] > 1]
    if not len(candidates):
        return none, none
    group = _row_groups(
        [(text_codes[row_codes[candidates]], count) for row_codes, text_codes, count in keys], len(candidates)
    )
    first = np.unique(group, return_index=True)[1]
    repeated = np.ones(len(group), bool)
    repeated[first] = False
    return candidates[repeated], candidates[first[group[repeated]]]


@dataclass
class Part:
    """One tab's share of the Activities table: ``take``, the positions of its accepted rows among
    its rows; ``columns``, its output columns (all rows); ``constants``, the values that are the
    same on every row of the tab; ``arrays``, per-row arrays already restricted to ``take``."""

    take: np.ndarray
    columns: dict[str, Column]
    constants: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def assemble(
    parts: list[Part], order: list[str], floats: list[str], categorical: set[str], dtypes: dict[str, str]
) -> pd.DataFrame:
    """One table from every part, built column by column straight into its final array.

    ``floats`` go into one float block, which becomes the table's block as it is (no copy to
    consolidate); ``categorical`` columns are categoricals of the values present, sorted (as
    ``astype("category")`` makes them), built from codes; ``dtypes`` gives the array type of the
    other columns (object by default). Columns no part has are empty. Column order: ``order``."""
    sizes = [len(part.take) for part in parts]
    ends = np.cumsum([0, *sizes]).tolist()
    spans = list(zip(parts, ends[:-1], ends[1:]))
    total = ends[-1]
    scratch = np.empty(max(sizes, default=0), np.intp)

    def fill(name: str, out: np.ndarray) -> np.ndarray:
        for part, start, end in spans:
            if name in part.arrays:
                out[start:end] = part.arrays[name]
            elif name in part.constants:
                out[start:end] = part.constants[name]
            elif name in part.columns:
                column = part.columns[name]
                codes = np.take(column.codes, part.take, out=scratch[: end - start])
                np.take(column.distinct.values, codes, out=out[start:end])
            else:
                out[start:end] = None
        return out

    def category(name: str) -> pd.Categorical:
        per_part = [
            np.array([part.constants[name]], dtype=object)
            if name in part.constants
            else part.columns[name].distinct.values
            if name in part.columns
            else np.array([None], dtype=object)
            for part in parts
        ]
        categories = sorted({v for values in per_part for v in values if v is not None})
        index = {v: i for i, v in enumerate(categories)}
        codes = np.empty(total, np.int32)
        for (part, start, end), values in zip(spans, per_part):
            lookup = np.array([-1 if v is None else index[v] for v in values], np.int32)
            if name in part.columns:
                np.take(
                    lookup,
                    np.take(part.columns[name].codes, part.take, out=scratch[: end - start]),
                    out=codes[start:end],
                )
            else:
                codes[start:end] = lookup[0]
        used = np.bincount(codes + 1, minlength=len(categories) + 1)[1:] > 0
        if not used.all():  # values met only in excluded rows are no categories
            codes = np.append(np.where(used, np.cumsum(used) - 1, -1), -1).astype(np.int32)[codes]
            categories = [c for c, u in zip(categories, used) if u]
        return pd.Categorical.from_codes(codes, pd.Index(categories, dtype=object))

    block = np.empty((len(floats), total))
    for i, name in enumerate(floats):
        fill(name, block[i])
    table = pd.DataFrame(block.T, columns=floats, copy=False)
    for name in order:
        if name in floats:
            continue
        if name in categorical:
            array: Any = category(name)
        else:
            array = fill(name, np.empty(total, dtypes.get(name, object)))
            if array.dtype == object:  # text stays object with None for a blank (pandas 3 would infer str, NaN)
                array = pd.Series(array, dtype=object, copy=False)
        table.insert(order.index(name), name, array)
    return table
