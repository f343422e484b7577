"""Cleaning: raw tabs → one tidy Activities table and one Issues table.

Never drops a row silently: every non-blank row is either accepted or excluded with at least one
error naming the tab, the sheet row as the user sees it, the column, the value and what to do.
Warnings keep the row. Work is vectorised: each column's distinct values are normalised once and
mapped back, so cost follows distinct values rather than rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .catalogue import Catalogue, Catalogues, village_key
from .config import Config, Organisation
from .dataset import Dataset
from .normalize import clean_name, fold, is_blank, is_sheet_error, nfc, parse_date, parse_number
from .problems import ERROR, WARNING
from .source import RawData, RawTab

try:  # rows of ragged lists → 2-D object array in one C pass (what the DataFrame constructor uses)
    from pandas._libs.lib import to_object_array as _to_object_array
except ImportError:  # pragma: no cover - the private helper moved

    def _to_object_array(rows: list[list[Any]], min_width: int = 0) -> np.ndarray:
        return pd.DataFrame(rows, dtype=object).reindex(columns=range(min_width)).to_numpy(dtype=object)


ISSUE_COLUMNS = ["severity", "tab", "organisation", "row", "column", "value", "message", "suggestion"]
FILL_DOWN = ("date", "commune", "programme", "activity_type")
PARTNER_SPLIT = r"\s*[,;\n]\s*"
_PARTNER_RE = re.compile(PARTNER_SPLIT)


def display(value: Any) -> str:
    """A raw cell as the user typed it, for messages: 12.0 → "12"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


class _IssueLog:
    """Collects issues column-wise, one batch per (rule, column); the table is built once at the end."""

    def __init__(self) -> None:
        self.batches: list[tuple] = []

    def add(
        self,
        severity: str,
        tab: str,
        organisation: str,
        rows: Any,
        column: str,
        values: Any,
        messages: Any,
        suggestions: Any = "",
    ) -> None:
        rows = np.atleast_1d(np.asarray(rows, dtype="float")) if rows is not None else np.array([np.nan])
        if not len(rows):
            return
        values = (
            [display(v) for v in np.atleast_1d(np.asarray(values, dtype=object))]
            if not isinstance(values, str)
            else values
        )
        self.batches.append((severity, tab, organisation, rows, column, values, messages, suggestions))

    def table(self) -> pd.DataFrame:
        if not self.batches:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS}).astype({"row": "Int64"})
        columns: dict[str, list] = {c: [] for c in ISSUE_COLUMNS if c != "row"}
        for severity, tab, organisation, rows, column, values, messages, suggestions in self.batches:
            n = len(rows)
            for name, item in (
                ("severity", severity),
                ("tab", tab),
                ("organisation", organisation),
                ("column", column),
                ("value", values),
                ("message", messages),
                ("suggestion", suggestions),
            ):
                if isinstance(item, str):
                    columns[name].extend([item] * n)
                else:
                    items = item.tolist() if isinstance(item, np.ndarray) else list(item)
                    if len(items) != n:
                        raise ValueError(f"{len(items)} {name} for {n} rows")
                    columns[name].extend(items)
        issues = pd.DataFrame({"row": np.concatenate([b[3] for b in self.batches]), **columns})[ISSUE_COLUMNS]
        issues["row"] = issues["row"].astype("Int64")
        order = issues["severity"].map({ERROR: 0, WARNING: 1})
        return (
            issues.assign(_o=order)
            .sort_values(["tab", "row", "_o"], na_position="first", kind="stable")
            .drop(columns="_o")
            .reset_index(drop=True)
        )


ERROR_CELL = "\x00error"  # a formula-error cell, once reported
_UNREADABLE, _NEGATIVE, _FRACTION = 1, 2, 4  # problem bits of a measure cell
_STACK_ROWS = 1 << 14  # rows stacked into one cell block at a time
_HASH_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: row hashes for the duplicate search


class _Distinct:
    """The distinct values of one column code across all tabs, with what was computed from them once."""

    __slots__ = ("values", "raw", "errors", "missing", "memo")

    def __init__(self, values: np.ndarray, raw: np.ndarray, errors: np.ndarray):
        self.values, self.raw, self.errors = values, raw, errors
        self.missing = np.fromiter((v is None for v in values), bool, len(values))
        self.memo: dict[str, list[np.ndarray]] = {}


class _Column:
    """One column of a tab, factorised: per-row codes into the column's distinct values.

    Every rule works on the distinct values and spreads its result over the rows by indexing with
    the codes, so cost follows distinct values rather than rows. A column read from the sheet shares
    its distinct values with the same column of every other tab (``shared``): they are cleaned once
    (blank → None, formula error → ERROR_CELL), the last one is None, the value of empty cells
    (code -1), and what rules compute from them is kept for the next tab."""

    __slots__ = ("codes", "values", "shared")

    def __init__(self, codes: np.ndarray, values: np.ndarray, shared: _Distinct | None = None):
        self.codes, self.values, self.shared = codes, values, shared

    def flags(self, test: Callable[[Any], bool]) -> np.ndarray:
        """``test`` of each distinct value, spread over the rows."""
        return np.fromiter((test(v) for v in self.values), bool, len(self.values))[self.codes]

    @property
    def missing(self) -> np.ndarray:
        return self.shared.missing[self.codes] if self.shared else self.flags(lambda v: v is None)

    @property
    def error(self) -> np.ndarray:
        return (
            self.shared.errors[self.codes]
            if self.shared
            else self.flags(lambda v: isinstance(v, str) and v == ERROR_CELL)
        )

    def cells(self, mask: np.ndarray | None = None) -> np.ndarray:
        return self.values[self.codes if mask is None else self.codes[mask]]

    def distinct(self, fn: Callable[[Any], tuple], key: str | None = None) -> list[_Column]:
        """Apply ``fn`` to each distinct value; one column (same codes) per element of its result tuple.
        With a ``key``, the results are kept for the same column of the next tabs (``fn`` must not
        depend on the tab)."""
        memo = self.shared.memo if self.shared is not None and key else {}
        if key not in memo:
            results = [fn(value) for value in self.values]
            arrays = []
            for i in range(len(results[0])):
                array = np.empty(len(results), dtype=object)
                for j, result in enumerate(results):
                    array[j] = result[i]
                arrays.append(array)
            memo[key] = arrays
        return [_Column(self.codes, array) for array in memo[key]]


def _share(cleaners: list[_TabCleaner]) -> None:
    """Factorise each column code once over all tabs and hand every tab its codes.

    Empty rows (``[]``, as the Sheets API returns a blank line) are left out before anything is
    copied. Tabs with the same header layout (the usual case: every organisation fills in the same
    template) are stacked into one cell array, and each column is copied out of it straight into
    the array that holds that column for all tabs."""
    layouts: dict[tuple, list[_TabCleaner]] = {}
    for cleaner in cleaners:
        layouts.setdefault(tuple(cleaner.layout.items()), []).append(cleaner)
    holders: dict[str, list[_TabCleaner]] = {}
    for layout, members in layouts.items():
        for _, code in layout:
            holders.setdefault(code, []).extend(members)
    columns = {code: np.empty(sum(c.data_rows for c in members), dtype=object) for code, members in holders.items()}
    filled = dict.fromkeys(columns, 0)
    for layout, members in layouts.items():
        if not layout:
            continue
        rows = [row for cleaner in members for row in cleaner.tab.values[1:] if row]
        width = max(index for index, _ in layout) + 1
        for chunk in range(0, len(rows), _STACK_ROWS):  # a block at a time: the same memory serves every block
            cells = _to_object_array(rows[chunk : chunk + _STACK_ROWS], width)
            for index, code in layout:
                columns[code][filled[code] : filled[code] + len(cells)] = cells[:, index]
                filled[code] += len(cells)
            del cells
    while columns:
        code, cells = columns.popitem()
        codes, uniques = pd.factorize(cells)  # empty cells (None, NaN) get code -1
        del cells
        raw = np.empty(len(uniques) + 1, dtype=object)
        raw[:-1] = uniques
        raw[np.fromiter((is_blank(v) for v in raw), bool, len(raw))] = None
        values = raw.copy()
        errors = np.zeros(len(values), bool)
        if not code.startswith("extra:"):  # formula errors are a rule of the template's columns
            errors = np.fromiter((is_sheet_error(v) for v in raw), bool, len(raw))
            values[errors] = ERROR_CELL
        shared = _Distinct(values, raw, errors)
        start = 0
        for cleaner in holders[code]:
            cleaner.columns[code] = _Column(codes[start : start + cleaner.data_rows], values, shared)
            start += cleaner.data_rows


def _pairs(first: _Column, second: _Column) -> _Column:
    """The column of (first, second) value pairs, factorised."""
    first_codes, first_uniques = pd.factorize(first.values)  # None → -1
    left = first_codes[first.codes] + 1  # 0 for None
    key = left.astype(np.int64) * (len(second.values) + 1) + (second.codes + 1)
    codes, keys = pd.factorize(key)
    names = np.append(np.asarray(first_uniques, dtype=object), None)
    values = np.empty(len(keys) + 1, dtype=object)
    values[:-1] = [
        (names[k // (len(second.values) + 1) - 1], second.values[k % (len(second.values) + 1) - 1]) for k in keys
    ]
    values[-1] = (None, None)
    return _Column(codes, values)


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


def _hint(catalogue: Catalogue, value: Any) -> str:
    guess = catalogue.suggest(str(value))
    return f"Có phải là «{guess}»?" if guess else ""


def _at(value: Any, mask: np.ndarray) -> Any:
    """A per-row array restricted to the flagged rows; a scalar stays as it is."""
    return value[mask] if isinstance(value, np.ndarray) else value


@dataclass
class _Accepted:
    """A tab's accepted rows: their positions among the tab's rows, and the output columns (all rows
    of the tab; only ``take`` is copied into the Activities table)."""

    take: np.ndarray
    columns: dict[str, _Column]


class _TabCleaner:
    """Cleans one organisation tab."""

    def __init__(
        self,
        tab: RawTab,
        org: Organisation,
        config: Config,
        cats: Catalogues,
        log: _IssueLog,
        today: dt.date,
        village_checks: dict | None = None,
        texts: dict | None = None,
    ):
        self.tab, self.org, self.config, self.cats, self.log, self.today = tab, org, config, cats, log, today
        self.village_checks = {} if village_checks is None else village_checks  # shared by the tabs of one clean()
        self.texts = {} if texts is None else texts
        self.headers: dict[str, str] = {}  # code → header as written in the sheet
        self.layout: dict[int, str] = {}  # sheet column index → code
        self.columns: dict[str, _Column] = {}
        self.sheet_rows = np.zeros(0, np.int64)  # sheet row of each data row (a row that is not an empty list)
        self.rows = np.zeros(0, np.int64)  # sheet row of each data row kept for the rules

    @property
    def data_rows(self) -> int:
        return len(self.sheet_rows)

    def issue(self, severity: str, mask: np.ndarray, code: str, messages: Any, suggestions: Any = "") -> None:
        """Issues for the flagged rows; messages and suggestions are text or per-row arrays."""
        if mask.any():
            self.log.add(
                severity,
                self.tab.name,
                self.org.code,
                self.rows[mask],
                self.headers.get(code, code),
                self.columns[code].cells(mask),
                _at(messages, mask),
                _at(suggestions, mask),
            )

    def map_headers(self, header: list[Any]) -> dict[int, str]:
        """Column index → code; reports unknown and duplicated headers once per tab."""
        columns: dict[int, str] = {}
        for index, cell in enumerate(header):
            if is_blank(cell):
                continue
            text = nfc(str(cell))
            code = self.cats.headers.match(text)
            if code is None:
                columns[index] = f"extra:{text}"
                hint = _hint(self.cats.headers, text)
                self.log.add(
                    WARNING,
                    self.tab.name,
                    self.org.code,
                    1,
                    text,
                    text,
                    f"Cột «{text}» không có trong mẫu; dữ liệu của cột được giữ lại nhưng không dùng để tính chỉ số.",
                    hint or "Nếu là cột số liệu mới, hãy khai báo trong config/columns.yaml.",
                )
            elif code in self.headers:
                self.log.add(
                    WARNING,
                    self.tab.name,
                    self.org.code,
                    1,
                    text,
                    text,
                    f"Cột «{text}» trùng ý nghĩa với cột «{self.headers[code]}»; chỉ dùng cột đầu tiên.",
                    "Xoá hoặc đổi tên một trong hai cột.",
                )
            else:
                self.headers[code] = text
                columns[index] = code
        return columns

    def read(self) -> None:
        """Map the header row: which sheet column holds each code (cells are taken by ``_share``)."""
        if self.tab.hidden:
            self.log.add(
                WARNING,
                self.tab.name,
                self.org.code,
                None,
                "",
                "",
                f"Tab «{self.tab.name}» đang bị ẩn trong bảng tính; dữ liệu vẫn được đọc.",
                "Bỏ ẩn tab để các đơn vị dễ cập nhật.",
            )
        values = self.tab.values
        if not values:
            return
        last = {
            code: index for index, code in self.map_headers(values[0]).items()
        }  # a repeated unknown header: its last column
        self.layout = {index: code for code, index in sorted(last.items(), key=lambda item: item[1])}
        self.sheet_rows = np.flatnonzero(np.fromiter(map(len, values[1:]), np.intp, len(values) - 1)) + 2

    def run(self) -> tuple[_Accepted | None, dict[str, Any]]:
        """Rules over the tab's columns (after ``read`` and ``_share``): the accepted rows and the counts."""
        stats = {"tab": self.tab.name, "organisation": self.org.code, "rows": 0, "accepted": 0, "excluded": 0}
        if not self.tab.values:
            return None, stats
        blank = np.ones(self.data_rows, bool)
        for column in self.columns.values():
            blank &= column.missing
        keep = ~blank
        self.rows = self.sheet_rows[keep]
        if not keep.all():
            for column in self.columns.values():
                column.codes = column.codes[keep]
        n = len(self.rows)
        stats["rows"] = n
        missing = [f for f in self.config.fields.values() if f.required and f.code not in self.headers]
        if missing:
            names = ", ".join(f"«{f.name}»" for f in missing)
            rows = f" (các dòng {self.rows[0]}–{self.rows[-1]} chưa được tính)" if n else ""
            self.log.add(
                ERROR,
                self.tab.name,
                self.org.code,
                1,
                ", ".join(f.name for f in missing),
                "",
                f"Tab thiếu cột bắt buộc {names}{rows}.",
                "Thêm cột với đúng tiêu đề ở dòng 1 (xem tab mẫu hoặc trang Nguồn dữ liệu).",
            )
            stats["excluded"] = n
            return None, stats
        if not n:
            return None, stats
        bad = np.zeros(n, bool)
        bad |= self.sheet_errors()
        self.fill_down()
        out: dict[str, _Column] = {}
        bad |= self.dates(out)
        bad |= self.communes(out)
        bad |= self.villages(out)
        bad |= self.programmes(out)
        bad |= self.measures(out)
        content = self.columns.get("content")
        out["content"] = (
            content.distinct(lambda v: (v if v is None else nfc(str(v)),), "content")[0]
            if content
            else _Column(np.full(n, -1), np.array([None], dtype=object))
        )
        out["partners"] = self.partners()
        for extra in [c for c in self.columns if c.startswith("extra:")]:
            out[extra] = self.columns[extra]
        good = ~bad
        self.duplicates(out, good)
        stats["accepted"], stats["excluded"] = int(good.sum()), int(bad.sum())
        return _Accepted(np.flatnonzero(good), out), stats

    def sheet_errors(self) -> np.ndarray:
        bad = np.zeros(len(self.rows), bool)
        for code in self.headers:
            column = self.columns[code]
            mask = column.error
            if mask.any():
                self.log.add(
                    ERROR,
                    self.tab.name,
                    self.org.code,
                    self.rows[mask],
                    self.headers[code],
                    column.shared.raw[column.codes[mask]],
                    f"Ô bị lỗi công thức ở cột «{self.headers[code]}».",
                    "Sửa công thức hoặc nhập trực tiếp giá trị.",
                )
                bad |= mask
        return bad

    def fill_down(self) -> None:
        """Blank required cells under a filled one look like merged cells: take the value above, warn."""
        for code in FILL_DOWN:
            column = self.columns[code]
            present = ~column.missing
            last = np.maximum.accumulate(np.where(present, np.arange(len(present)), -1))
            mask = ~present & (last >= 0)
            if mask.any():
                filled = np.where(last >= 0, column.codes[np.maximum(last, 0)], column.codes)
                above = column.values[filled[mask]]
                self.log.add(
                    WARNING,
                    self.tab.name,
                    self.org.code,
                    self.rows[mask],
                    self.headers[code],
                    "",
                    [
                        f"Ô «{self.headers[code]}» trống; đã lấy giá trị của dòng trên («{display(v)}») như ô gộp."
                        for v in above
                    ],
                    "Ghi đầy đủ giá trị vào từng dòng (không gộp ô).",
                )
                column.codes = filled

    def dates(self, out: dict) -> np.ndarray:
        column = self.columns["date"]
        memo = column.shared.memo
        if "date" not in memo:
            parsed = [None if v is None or v == ERROR_CELL else parse_date(v) for v in column.values]
            memo["date"] = [
                np.fromiter((p is None for p in parsed), bool, len(parsed)),
                pd.to_datetime(pd.Series(parsed, dtype=object), errors="coerce").to_numpy(),
            ]
        unparsed, days = memo["date"]
        missing = column.missing
        invalid = ~missing & ~column.error & unparsed[column.codes]
        self.issue(ERROR, missing, "date", "Thiếu ngày thực hiện.", "Nhập ngày dạng dd/mm/yyyy, ví dụ 05/03/2024.")
        self.issue(ERROR, invalid, "date", "Không đọc được ngày.", "Nhập ngày dạng dd/mm/yyyy, ví dụ 05/03/2024.")
        dates = _Column(column.codes, days)
        future = days[column.codes] > np.datetime64(pd.Timestamp(self.today))
        self.issue(WARNING, future, "date", "Ngày thực hiện ở tương lai.", "Kiểm tra lại năm hoặc tháng đã nhập.")
        out["date"] = dates
        return missing | invalid

    def communes(self, out: dict) -> np.ndarray:
        cat = self.cats.communes
        column = self.columns["commune"]
        name, hint = column.distinct(
            lambda v: (cat.match(str(v)), _hint(cat, v)) if v not in (None, ERROR_CELL) else (None, ""), "commune"
        )
        missing = column.missing
        unknown = ~missing & ~column.error & name.flags(lambda v: v is None)
        self.issue(
            ERROR,
            missing,
            "commune",
            "Thiếu tên xã.",
            f"Ghi tên xã, hoặc «{self.config.unit.whole_unit_label}» nếu hoạt động chung toàn đơn vị.",
        )
        if unknown.any():
            self.log.add(
                ERROR,
                self.tab.name,
                self.org.code,
                self.rows[unknown],
                self.headers["commune"],
                column.cells(unknown),
                [f"Xã «{display(v)}» không có trong danh mục." for v in column.cells(unknown)],
                hint.cells(unknown),
            )
        out["commune"] = name
        return missing | unknown

    def villages(self, out: dict) -> np.ndarray:
        n = len(self.rows)
        if "village" not in self.columns:
            out["village"] = _Column(np.full(n, -1), np.array([None], dtype=object))
            return np.zeros(n, bool)
        village = self.columns["village"]
        pairs = _pairs(out["commune"], village)

        def check(pair: tuple) -> tuple:
            commune, raw = pair
            if is_blank(raw) or raw == ERROR_CELL or commune is None:
                return None, None, ""
            key = village_key(str(raw))
            known = self.cats.villages.get(commune, {})
            if key in known:
                return known[key], None, ""
            if commune == self.config.unit.whole_unit_label:
                return None, "whole", ""
            homes = self.cats.village_homes.get(key, [])
            if homes:
                return None, "elsewhere", f"Thôn này thuộc xã {', '.join(homes)}; sửa cột Xã hoặc cột Thôn."
            guess = Catalogue.build([(v, v, []) for v in known.values()]).suggest(str(raw))
            return None, "unknown", f"Có phải là «{guess}»?" if guess else "Kiểm tra tên thôn trong danh mục của xã."

        memo = self.village_checks

        def remembered(pair: tuple) -> tuple:
            key = tuple((type(v), v) for v in pair)
            if key not in memo:
                memo[key] = check(pair)
            return memo[key]

        name, problem, hint = pairs.distinct(remembered)
        elsewhere = problem.flags(lambda v: v == "elsewhere")
        unknown = problem.flags(lambda v: v == "unknown")
        whole = problem.flags(lambda v: v == "whole")
        communes = out["commune"]
        if elsewhere.any():
            self.log.add(
                ERROR,
                self.tab.name,
                self.org.code,
                self.rows[elsewhere],
                self.headers["village"],
                village.cells(elsewhere),
                [
                    f"Thôn «{display(v)}» không thuộc xã {c}."
                    for v, c in zip(village.cells(elsewhere), communes.cells(elsewhere))
                ],
                hint.cells(elsewhere),
            )
        if unknown.any():
            self.log.add(
                WARNING,
                self.tab.name,
                self.org.code,
                self.rows[unknown],
                self.headers["village"],
                village.cells(unknown),
                [
                    f"Thôn «{display(v)}» không có trong danh mục của xã {c}; dòng vẫn được tính nhưng không tính vào độ phủ thôn."
                    for v, c in zip(village.cells(unknown), communes.cells(unknown))
                ],
                hint.cells(unknown),
            )
        self.issue(
            WARNING,
            whole,
            "village",
            f"Hoạt động ghi «{self.config.unit.whole_unit_label}» nên không gắn với thôn; thôn đã được bỏ qua.",
            "Ghi tên xã của thôn nếu hoạt động diễn ra tại thôn đó.",
        )
        out["village"] = name
        return elsewhere

    def programmes(self, out: dict) -> np.ndarray:
        bad = np.zeros(len(self.rows), bool)
        for code, catalogue, noun, fix in (
            ("programme", self.cats.programmes, "Chương trình", "Ghi số chương trình (1–4) hoặc tên chương trình."),
            (
                "activity_type",
                self.cats.activity_types,
                "Loại hoạt động",
                "Chọn loại hoạt động trong danh mục (xem trang Nguồn dữ liệu).",
            ),
        ):
            column = self.columns[code]
            value, hint = column.distinct(
                lambda v, catalogue=catalogue: (
                    (catalogue.match(display(v)), _hint(catalogue, v)) if v not in (None, ERROR_CELL) else (None, "")
                ),
                code,
            )
            missing = column.missing
            unknown = ~missing & ~column.error & value.flags(lambda v: v is None)
            self.issue(ERROR, missing, code, f"Thiếu {noun.lower()}.", fix)
            if unknown.any():
                hints = hint.cells(unknown)
                self.log.add(
                    ERROR,
                    self.tab.name,
                    self.org.code,
                    self.rows[unknown],
                    self.headers[code],
                    column.cells(unknown),
                    [f"{noun} «{display(v)}» không có trong danh mục." for v in column.cells(unknown)],
                    np.where(hints != "", hints, fix),
                )
            out[code] = value
            bad |= missing | unknown
        types = self.config.activity_types
        activity, programme = out["activity_type"], out["programme"]
        number = {p: i for i, p in enumerate(self.config.programmes)}  # programme code → small int, None → -1
        home_id = np.array([number[types[a].programme] if a else -1 for a in activity.values])[activity.codes]
        given_id = np.array([-1 if p is None else number.get(p, -2) for p in programme.values])[programme.codes]
        clash = (home_id >= 0) & (given_id != -1) & (home_id != given_id)
        home = np.array([None, *self.config.programmes], dtype=object)[home_id + 1]
        given = programme.cells()
        if clash.any():
            numbers = {p.code: p.number for p in self.config.programmes.values()}
            self.log.add(
                ERROR,
                self.tab.name,
                self.org.code,
                self.rows[clash],
                self.headers["activity_type"],
                self.columns["activity_type"].cells(clash),
                [
                    f"Loại hoạt động «{types[a].name}» thuộc Chương trình {numbers[h]}, nhưng dòng ghi Chương trình {numbers[p]}."
                    for a, h, p in zip(activity.cells(clash), home[clash], given[clash])
                ],
                "Sửa cột Chương trình hoặc cột Loại hoạt động cho khớp.",
            )
        return bad | clash

    def measures(self, out: dict) -> np.ndarray:
        """Each measure column as numbers. Unreadable, negative and (for whole-number measures)
        fractional cells are errors; they are found once per distinct value as problem bits and
        spread over the rows with one small gather."""
        bad = np.zeros(len(self.rows), bool)
        for measure in self.config.measures.values():
            code = measure.code
            if code not in self.columns:
                continue
            column = self.columns[code]
            memo = column.shared.memo
            if "number" not in memo:
                parsed = [
                    float(v)
                    if type(v) in (int, float)
                    else parse_number(v)
                    if v is not None and v != ERROR_CELL
                    else None
                    for v in column.values
                ]
                numbers = pd.to_numeric(pd.Series(parsed, dtype=object), errors="coerce").to_numpy(float)
                given = ~column.shared.missing & ~column.shared.errors
                known = given & ~np.isnan(numbers)
                problems = (
                    (given & np.isnan(numbers)) * _UNREADABLE
                    | (known & (numbers < 0)) * _NEGATIVE
                    | (known & (np.mod(np.nan_to_num(numbers), 1) != 0)) * _FRACTION
                ).astype(np.uint8)
                memo["number"] = [numbers, problems]
            numbers, problems = memo["number"]
            if measure.type != "integer":
                problems = problems & ~np.uint8(_FRACTION)
            flags = problems[column.codes] if problems.any() else None
            if flags is not None and flags.any():
                example = {
                    "money": "1.265.000 hoặc 4.080 triệu",
                    "integer": "số nguyên, ví dụ 120",
                    "number": "ví dụ 26,5",
                }[measure.type]
                for bit, message, fix in (
                    (
                        _UNREADABLE,
                        f"«{measure.name}» phải là số.",
                        f"Nhập số ({example}); không ghi chữ trong ô số liệu.",
                    ),
                    (_NEGATIVE, f"«{measure.name}» không được âm.", "Nhập số lớn hơn hoặc bằng 0."),
                    (_FRACTION, f"«{measure.name}» phải là số nguyên.", "Nhập số nguyên, không có phần lẻ."),
                ):
                    self.issue(ERROR, (flags & bit) != 0, code, message, fix)
                bad |= flags != 0
            out[code] = _Column(column.codes, numbers)
        return bad

    def partners(self) -> _Column:
        """Partner lists as tuples: organisation codes where recognised, cleaned text otherwise."""
        if "partners" not in self.columns:
            empty = np.empty(1, dtype=object)
            empty[0] = ()
            return _Column(np.full(len(self.rows), -1), empty)
        cat = self.cats.organisations

        def split(value: Any) -> tuple:
            if value is None or value == ERROR_CELL:
                return (None,)
            return ([(n, cat.match(n)) for n in (clean_name(p) for p in _PARTNER_RE.split(str(value)) if p.strip())],)

        (names,) = self.columns["partners"].distinct(split, "partners")
        parsed = np.empty(len(names.values), dtype=object)
        for i, found in enumerate(names.values):
            parsed[i] = () if found is None else tuple(dict.fromkeys(m or n for n, m in found if m != self.org.code))
        return _Column(names.codes, parsed)

    def duplicates(self, out: dict, good: np.ndarray) -> None:
        """Rows identical in every column to an earlier row of the same tab: probably typed twice.

        Identical means equal as text, column by column (as ``astype(str)`` compares them); the text
        of each distinct value is computed once and rows are compared by their codes. A 64-bit hash
        of each row's codes narrows the search to rows whose hash repeats, and only those are
        grouped exactly, so the cost stays one pass over each column."""
        if not good.any():
            return
        keys = []  # per column: row codes, their text codes, how many texts
        hashed = np.zeros(len(good), np.uint64)
        codes = np.empty(len(good), np.intp)
        for column in out.values():
            known = self.texts.get(id(column.values))
            if known is None:
                known = self.texts[id(column.values)] = (
                    column.values,
                    *pd.factorize(np.array([str(v) for v in column.values], dtype=object)),
                )
            _, text_codes, distinct = known
            keys.append((column.codes, text_codes, len(distinct)))
            hashed *= _HASH_MULTIPLIER
            if len(distinct) == len(text_codes):  # no two values share a text: the value codes will do
                hashed += column.codes.view(np.uint64)
            else:
                hashed += np.take(text_codes, column.codes, out=codes).view(np.uint64)
        kept = np.flatnonzero(good)
        hash_codes = pd.factorize(hashed[kept])[0]
        candidates = kept[np.bincount(hash_codes)[hash_codes] > 1]
        if not len(candidates):
            return
        group = _row_groups(
            [(text_codes[row_codes[candidates]], cardinality) for row_codes, text_codes, cardinality in keys],
            len(candidates),
        )
        first = np.unique(group, return_index=True)[1]
        dup = np.ones(len(group), bool)
        dup[first] = False
        if dup.any():
            rows = self.rows[candidates]
            first_row = rows[first[group[dup]]]
            self.log.add(
                WARNING,
                self.tab.name,
                self.org.code,
                rows[dup],
                "",
                "",
                [f"Dòng giống hệt dòng {r}; có thể bị nhập hai lần (vẫn được tính)." for r in first_row],
                "Xoá dòng trùng nếu đây là cùng một hoạt động.",
            )


def _meta_tab(
    raw: RawData, name: str, log: _IssueLog, columns: dict[str, list[str]]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """A small tab with a header row (targets, narrative): rows as a frame keyed by our names."""
    tab = raw.tabs.get(name)
    if tab is None or not tab.values:
        return pd.DataFrame(columns=[*columns, "row"]), {}
    keys = {fold(alias): code for code, aliases in columns.items() for alias in aliases}
    index = {i: keys[fold(str(h))] for i, h in enumerate(tab.values[0]) if fold(str(h)) in keys}
    missing = [aliases[0] for code, aliases in columns.items() if code not in index.values() and code != "commune"]
    if missing:
        log.add(
            ERROR,
            name,
            "",
            1,
            ", ".join(missing),
            "",
            f"Tab «{name}» thiếu cột {', '.join(missing)}.",
            f"Dòng 1 của tab cần các cột: {' | '.join(a[0] for a in columns.values())}.",
        )
        return pd.DataFrame(columns=[*columns, "row"]), {}
    rows = [
        [row[i] if i < len(row) else None for i in index] + [n]
        for n, row in enumerate(tab.values[1:], start=2)
        if any(not is_blank(c) for c in row)
    ]
    headers = {code: nfc(str(tab.values[0][i])) for i, code in index.items()}
    return pd.DataFrame(rows, columns=[*index.values(), "row"]), headers


def _targets(raw: RawData, config: Config, cats: Catalogues, log: _IssueLog) -> pd.DataFrame:
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
        year, value = (
            parse_number(rec["year"]) if not is_blank(rec["year"]) else None,
            parse_number(rec["value"]) if not is_blank(rec["value"]) else None,
        )
        indicator = cats.indicators.match(str(rec["indicator"])) if not is_blank(rec["indicator"]) else None
        commune = None if is_blank(rec["commune"]) else cats.communes.match(str(rec["commune"]))
        problems = [
            (
                year is None or not float(year).is_integer(),
                "year",
                "Năm không hợp lệ.",
                "Ghi năm bằng 4 chữ số, ví dụ 2024.",
            ),
            (
                indicator is None,
                "indicator",
                f"Chỉ tiêu «{display(rec['indicator'])}» không có trong danh mục chỉ số.",
                _hint(cats.indicators, rec["indicator"]) or "Dùng tên hoặc mã chỉ số trong config/indicators.yaml.",
            ),
            (value is None or value < 0, "value", "Giá trị chỉ tiêu phải là số không âm.", "Nhập số, ví dụ 65."),
            (
                not is_blank(rec["commune"]) and commune is None,
                "commune",
                f"Xã «{display(rec['commune'])}» không có trong danh mục.",
                _hint(cats.communes, rec["commune"]),
            ),
        ]
        found = [p for p in problems if p[0]]
        for _, code, message, hint in found:
            log.add(ERROR, name, "", rec["row"], headers.get(code, code), rec.get(code), message, hint)
        if not found:
            ok.append(
                {
                    "year": int(year),
                    "indicator": indicator,
                    "commune": commune,
                    "value": float(value),
                    "row": rec["row"],
                }
            )
    return pd.concat([result, pd.DataFrame(ok)], ignore_index=True) if ok else result


def _narratives(raw: RawData, config: Config, log: _IssueLog) -> pd.DataFrame:
    frames = []
    for kind, name in (
        ("assessment", config.settings.tabs.assessment),
        ("directions", config.settings.tabs.directions),
    ):
        frame, _ = _meta_tab(raw, name, log, {"year": ["Năm"], "section": ["Mục", "Phần"], "text": ["Nội dung"]})
        if frame.empty:
            continue
        years = frame["year"].map(lambda v: parse_number(v) if not is_blank(v) else None)
        bad = years.isna() | frame["text"].map(is_blank)
        for rec in frame[bad].to_dict("records"):
            log.add(
                ERROR,
                name,
                "",
                rec["row"],
                "Năm" if is_blank(rec["text"]) is False else "Nội dung",
                rec["year"],
                "Dòng cần có Năm (4 chữ số) và Nội dung.",
                "Điền đủ cột Năm và Nội dung hoặc xoá dòng.",
            )
        good = frame[~bad]
        frames.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "year": years[~bad].astype(int),
                    "section": good["section"].map(lambda v: "" if is_blank(v) else nfc(str(v))),
                    "text": good["text"].map(lambda v: nfc(str(v))),
                    "row": good["row"],
                }
            )
        )
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["kind", "year", "section", "text", "row"])
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
    ]


def wanted_tabs(config: Config) -> list[str]:
    """Every tab the app reads: one per organisation plus targets and narrative tabs."""
    tabs = config.settings.tabs
    return [*config.organisation_tabs, tabs.targets, tabs.assessment, tabs.directions]


CATEGORY_COLUMNS = ("commune", "programme", "activity_type")  # few distinct values: stored as categoricals
TAB_COLUMNS = ("tab", "organisation", "group")  # one value per tab


def _activities(parts: list[tuple[_TabCleaner, _Accepted]], config: Config) -> pd.DataFrame:
    """The Activities table, assembled once column by column from each tab's accepted rows.

    Every column is taken straight into its final array (the measures into one float block, which
    becomes the table's float block as it is), so no row is copied twice and nothing is copied
    again to consolidate the table. Commune, programme, activity type and the tab's own columns
    are categoricals of the values present, sorted (as ``astype("category")`` makes them), built
    from codes."""
    columns = activity_columns(config)
    measures = list(config.measures)
    extras = sorted({c for _, accepted in parts for c in accepted.columns if c.startswith("extra:")})
    sizes = [len(accepted.take) for _, accepted in parts]
    ends = np.cumsum([0, *sizes]).tolist()
    spans = [(cleaner, accepted, start, end) for (cleaner, accepted), start, end in zip(parts, ends[:-1], ends[1:])]
    buffer = np.empty(max(sizes, default=0), np.intp)

    def fill(name: str, out: np.ndarray, missing: Any) -> np.ndarray:
        for _, accepted, start, end in spans:
            column = accepted.columns.get(name)
            if column is None:
                out[start:end] = missing
            else:
                codes = np.take(column.codes, accepted.take, out=buffer[: end - start])
                np.take(column.values, codes, out=out[start:end])
        return out

    def categorical(name: str) -> pd.Categorical:
        if name in TAB_COLUMNS:
            per_tab = [
                np.array(
                    [
                        cleaner.tab.name
                        if name == "tab"
                        else getattr(cleaner.org, "code" if name == "organisation" else name)
                    ],
                    dtype=object,
                )
                for cleaner, *_ in spans
            ]
        else:
            per_tab = [accepted.columns[name].values for _, accepted, *_ in spans]
        categories = sorted({v for values in per_tab for v in values if v is not None})
        index = {v: i for i, v in enumerate(categories)}
        codes = np.empty(ends[-1], np.int32)
        for (_, accepted, start, end), values in zip(spans, per_tab):
            lookup = np.array([-1 if v is None else index[v] for v in values], np.int32)
            if name in TAB_COLUMNS:
                codes[start:end] = lookup[0]
            else:
                np.take(
                    lookup,
                    np.take(accepted.columns[name].codes, accepted.take, out=buffer[: end - start]),
                    out=codes[start:end],
                )
        used = np.bincount(codes + 1, minlength=len(categories) + 1)[1:] > 0
        if not used.all():  # values met only in excluded rows are not categories
            codes = np.append(np.where(used, np.cumsum(used) - 1, -1), -1).astype(np.int32)[codes]
            categories = [c for c, u in zip(categories, used) if u]
        return pd.Categorical.from_codes(codes, pd.Index(categories, dtype=object))

    block = np.empty((len(measures), ends[-1]))
    for i, measure in enumerate(measures):
        fill(measure, block[i], np.nan)
    table = pd.DataFrame(block.T, columns=measures, copy=False)
    for name in [*(c for c in columns if c not in config.measures), *extras]:
        if name in TAB_COLUMNS or name in CATEGORY_COLUMNS:
            array: Any = categorical(name)
        elif name == "row":
            array = np.concatenate(
                [cleaner.rows[accepted.take] for cleaner, accepted, *_ in spans] or [np.zeros(0, int)]
            ).astype(int)
        else:
            array = fill(name, np.empty(ends[-1], "datetime64[ns]" if name == "date" else object), None)
        table.insert(columns.index(name) if name in columns else len(table.columns), name, array)
    return table


def clean(raw: RawData, config: Config, today: dt.date | None = None) -> Dataset:
    """Raw tabs → Dataset (activities, issues, targets, narratives, per-tab counts)."""
    today = today or raw.fetched_at.date()
    cats = Catalogues(config)
    log = _IssueLog()
    parts: list[tuple[_TabCleaner, _Accepted]] = []
    stats: list[dict] = []
    cleaners: list[_TabCleaner | None] = []
    village_checks: dict = {}
    texts: dict = {}
    for tab_name, org in config.organisation_tabs.items():
        tab = raw.tabs.get(tab_name)
        if tab is None:
            guess = Catalogue.build([(t, t, []) for t in raw.available]).suggest(tab_name, cutoff=80)
            log.add(
                ERROR,
                tab_name,
                org.code,
                None,
                "",
                "",
                f"Không tìm thấy tab «{tab_name}» của {org.short_name} trong bảng tính.",
                f"Có phải là tab «{guess}»? Đổi tên tab cho đúng."
                if guess
                else "Tạo tab với đúng tên này (trang Nguồn dữ liệu có lệnh tạo tab mẫu).",
            )
            stats.append(
                {"tab": tab_name, "organisation": org.code, "rows": 0, "accepted": 0, "excluded": 0, "missing": True}
            )
            cleaners.append(None)
            continue
        cleaner = _TabCleaner(tab, org, config, cats, log, today, village_checks, texts)
        cleaner.read()
        cleaners.append(cleaner)
        stats.append({})
    _share([c for c in cleaners if c is not None])
    for i, cleaner in enumerate(cleaners):
        if cleaner is None:
            continue
        accepted, tab_stats = cleaner.run()
        stats[i] = {**tab_stats, "missing": False}
        if accepted is not None and tab_stats["accepted"]:
            parts.append((cleaner, accepted))
    activities = _activities(parts, config)
    extras = [c for c in activities.columns if c.startswith("extra:")]
    targets = _targets(raw, config, cats, log)
    narratives = _narratives(raw, config, log)
    issues = log.table()
    tab_stats = pd.DataFrame(stats)
    latest = activities.groupby("tab", observed=True)["date"].max()
    tab_stats["latest_date"] = tab_stats["tab"].map(latest)
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
    )
