"""Cleaning: raw tabs → one tidy Activities table and one Issues table.

Never drops a row silently: every non-blank row is either accepted or excluded with at least one
error naming the tab, the sheet row as the user sees it, the column, the value and what to do.
Warnings keep the row. Work is vectorised: each column's distinct values are normalised once and
mapped back, so cost follows distinct values rather than rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .catalogue import Catalogue, Catalogues, village_key
from .config import Config, Organisation
from .normalize import clean_name, fold, is_blank, is_sheet_error, nfc, parse_date, parse_number
from .source import RawData, RawTab

ERROR, WARNING = "error", "warning"
SEVERITY_LABELS = {ERROR: "Lỗi", WARNING: "Cảnh báo"}
ISSUE_COLUMNS = ["severity", "tab", "organisation", "row", "column", "value", "message", "suggestion"]
FILL_DOWN = ("date", "commune", "programme", "activity_type")
PARTNER_SPLIT = r"\s*[,;\n]\s*"


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

    @property
    def error_count(self) -> int:
        return int((self.issues["severity"] == ERROR).sum())

    @property
    def warning_count(self) -> int:
        return int((self.issues["severity"] == WARNING).sum())

    @property
    def years(self) -> list[int]:
        return sorted(self.activities["date"].dt.year.unique().tolist()) if len(self.activities) else []

    @property
    def latest_year(self) -> int | None:
        """The default period: the latest year present in the data (not the calendar year)."""
        return self.years[-1] if self.years else None


def display(value: Any) -> str:
    """A raw cell as the user typed it, for messages: 12.0 → "12"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


class _IssueLog:
    """Collects issues as small DataFrames, one per (rule, column), vectorised."""

    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []

    def add(self, severity: str, tab: str, organisation: str, rows: Any, column: str, values: Any,
            messages: Any, suggestions: Any = "") -> None:
        rows = np.atleast_1d(np.asarray(rows, dtype="float")) if rows is not None else np.array([np.nan])
        if not len(rows):
            return
        self.frames.append(pd.DataFrame({
            "severity": severity, "tab": tab, "organisation": organisation, "row": rows, "column": column,
            "value": [display(v) for v in np.atleast_1d(np.asarray(values, dtype=object))] if not isinstance(values, str) else values,
            "message": messages, "suggestion": suggestions,
        }, index=range(len(rows))))

    def table(self) -> pd.DataFrame:
        if not self.frames:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS}).astype({"row": "Int64"})
        issues = pd.concat(self.frames, ignore_index=True)
        issues["row"] = issues["row"].astype("Int64")
        order = issues["severity"].map({ERROR: 0, WARNING: 1})
        return issues.assign(_o=order).sort_values(["tab", "row", "_o"], na_position="first", kind="stable").drop(columns="_o").reset_index(drop=True)


def _distinct(series: pd.Series, fn: Callable[[Any], tuple]) -> list[np.ndarray]:
    """Apply ``fn`` to each distinct value of ``series`` and spread its result tuple over the rows."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    results = [fn(None if is_blank(value) else value) for value in uniques]
    columns = []
    for i in range(len(results[0]) if results else 0):
        column = np.empty(len(results), dtype=object)
        for j, result in enumerate(results):
            column[j] = result[i]
        columns.append(column[codes])
    return columns


def _hint(catalogue: Catalogue, value: Any) -> str:
    guess = catalogue.suggest(str(value))
    return f"Có phải là «{guess}»?" if guess else ""


class _TabCleaner:
    """Cleans one organisation tab."""

    def __init__(self, tab: RawTab, org: Organisation, config: Config, cats: Catalogues, log: _IssueLog, today: dt.date):
        self.tab, self.org, self.config, self.cats, self.log, self.today = tab, org, config, cats, log, today
        self.headers: dict[str, str] = {}  # code → header as written in the sheet

    def issue(self, severity: str, mask: np.ndarray, frame: pd.DataFrame, code: str, messages: Any, suggestions: Any = "") -> None:
        if mask.any():
            pick = lambda x: x[mask] if isinstance(x, np.ndarray) else x  # noqa: E731
            self.log.add(severity, self.tab.name, self.org.code, frame["_row"].to_numpy()[mask], self.headers.get(code, code),
                         frame[code].to_numpy()[mask], pick(messages), pick(suggestions))

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
                self.log.add(WARNING, self.tab.name, self.org.code, 1, text, text,
                             f"Cột «{text}» không có trong mẫu; dữ liệu của cột được giữ lại nhưng không dùng để tính chỉ số.",
                             hint or "Nếu là cột số liệu mới, hãy khai báo trong config/columns.yaml.")
            elif code in self.headers:
                self.log.add(WARNING, self.tab.name, self.org.code, 1, text, text,
                             f"Cột «{text}» trùng ý nghĩa với cột «{self.headers[code]}»; chỉ dùng cột đầu tiên.",
                             "Xoá hoặc đổi tên một trong hai cột.")
            else:
                self.headers[code] = text
                columns[index] = code
        return columns

    def run(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        values = self.tab.values
        stats = {"tab": self.tab.name, "organisation": self.org.code, "rows": 0, "accepted": 0, "excluded": 0}
        if self.tab.hidden:
            self.log.add(WARNING, self.tab.name, self.org.code, None, "", "",
                         f"Tab «{self.tab.name}» đang bị ẩn trong bảng tính; dữ liệu vẫn được đọc.",
                         "Bỏ ẩn tab để các đơn vị dễ cập nhật.")
        if not values:
            return pd.DataFrame(), stats
        columns = self.map_headers(values[0])
        width = max(len(r) for r in values)
        frame = pd.DataFrame(values[1:], dtype=object).reindex(columns=range(width))
        frame = frame[list(columns)].rename(columns=columns)
        frame["_row"] = np.arange(2, len(frame) + 2)
        data_cols = [c for c in frame.columns if c != "_row"]
        blank = frame[data_cols].map(is_blank).all(axis=1).to_numpy() if data_cols else np.ones(len(frame), bool)
        frame = frame[~blank].reset_index(drop=True)
        stats["rows"] = len(frame)
        missing = [f for f in self.config.fields.values() if f.required and f.code not in self.headers]
        if missing:
            names = ", ".join(f"«{f.name}»" for f in missing)
            rows = f" (các dòng {frame['_row'].iloc[0]}–{frame['_row'].iloc[-1]} chưa được tính)" if len(frame) else ""
            self.log.add(ERROR, self.tab.name, self.org.code, 1, ", ".join(f.name for f in missing), "",
                         f"Tab thiếu cột bắt buộc {names}{rows}.",
                         "Thêm cột với đúng tiêu đề ở dòng 1 (xem tab mẫu hoặc trang Nguồn dữ liệu).")
            stats["excluded"] = len(frame)
            return pd.DataFrame(), stats
        if frame.empty:
            return pd.DataFrame(), stats
        for code in [c for c in self.headers if c in frame.columns] + [c for c in frame.columns if c.startswith("extra:")]:
            frame[code] = frame[code].where(~frame[code].map(is_blank), None)
        bad = np.zeros(len(frame), bool)
        bad |= self.sheet_errors(frame)
        self.fill_down(frame)
        out = pd.DataFrame({"_row": frame["_row"]})
        bad |= self.dates(frame, out)
        bad |= self.communes(frame, out)
        bad |= self.villages(frame, out)
        bad |= self.programmes(frame, out)
        bad |= self.measures(frame, out)
        out["content"] = frame["content"].map(lambda v: nfc(str(v)), na_action="ignore") if "content" in frame else None
        out["partners"] = self.partners(frame)
        for extra in [c for c in frame.columns if c.startswith("extra:")]:
            out[extra] = frame[extra]
        accepted = out[~bad]
        self.duplicates(accepted, frame[~bad])
        stats["accepted"], stats["excluded"] = int((~bad).sum()), int(bad.sum())
        return accepted.rename(columns={"_row": "row"}).assign(tab=self.tab.name, organisation=self.org.code, group=self.org.group), stats

    def sheet_errors(self, frame: pd.DataFrame) -> np.ndarray:
        bad = np.zeros(len(frame), bool)
        for code in self.headers:
            mask = frame[code].map(is_sheet_error).to_numpy(bool)
            if mask.any():
                self.issue(ERROR, mask, frame, code, f"Ô bị lỗi công thức ở cột «{self.headers[code]}».",
                           "Sửa công thức hoặc nhập trực tiếp giá trị.")
                frame[code] = frame[code].astype(object).where(~mask, "\x00error")
                bad |= mask
        return bad

    def fill_down(self, frame: pd.DataFrame) -> None:
        """Blank required cells under a filled one look like merged cells: take the value above, warn."""
        for code in FILL_DOWN:
            column = frame[code]
            present = column.notna().to_numpy()
            last = np.maximum.accumulate(np.where(present, np.arange(len(column)), -1))
            filled = pd.Series(np.where(last >= 0, column.to_numpy()[np.maximum(last, 0)], None), index=column.index, dtype=object)
            mask = ~present & (last >= 0)
            if mask.any():
                above = filled.to_numpy()[mask]
                self.log.add(WARNING, self.tab.name, self.org.code, frame["_row"].to_numpy()[mask], self.headers[code], "",
                             [f"Ô «{self.headers[code]}» trống; đã lấy giá trị của dòng trên («{display(v)}») như ô gộp." for v in above],
                             "Ghi đầy đủ giá trị vào từng dòng (không gộp ô).")
                frame[code] = filled

    def dates(self, frame: pd.DataFrame, out: pd.DataFrame) -> np.ndarray:
        column = frame["date"]
        parsed, = _distinct(column, lambda v: (None if v is None or v == "\x00error" else parse_date(v),))
        missing = column.isna().to_numpy()
        invalid = ~missing & (column != "\x00error").to_numpy() & pd.isna(parsed)
        self.issue(ERROR, missing, frame, "date", "Thiếu ngày thực hiện.", "Nhập ngày dạng dd/mm/yyyy, ví dụ 05/03/2024.")
        self.issue(ERROR, invalid, frame, "date", "Không đọc được ngày.", "Nhập ngày dạng dd/mm/yyyy, ví dụ 05/03/2024.")
        out["date"] = pd.to_datetime(pd.Series(parsed, index=frame.index), errors="coerce")
        future = (out["date"] > pd.Timestamp(self.today)).to_numpy()
        self.issue(WARNING, future, frame, "date", "Ngày thực hiện ở tương lai.", "Kiểm tra lại năm hoặc tháng đã nhập.")
        return missing | invalid

    def communes(self, frame: pd.DataFrame, out: pd.DataFrame) -> np.ndarray:
        cat = self.cats.communes
        name, hint = _distinct(frame["commune"], lambda v: (cat.match(str(v)), _hint(cat, v)) if v not in (None, "\x00error") else (None, ""))
        missing = frame["commune"].isna().to_numpy()
        unknown = ~missing & (frame["commune"] != "\x00error").to_numpy() & pd.isna(name)
        self.issue(ERROR, missing, frame, "commune", "Thiếu tên xã.",
                   f"Ghi tên xã, hoặc «{self.config.unit.whole_unit_label}» nếu hoạt động chung toàn đơn vị.")
        self.issue(ERROR, unknown, frame, "commune",
                   np.array([f"Xã «{display(v)}» không có trong danh mục." for v in frame["commune"]], dtype=object), hint)
        out["commune"] = name
        return missing | unknown

    def villages(self, frame: pd.DataFrame, out: pd.DataFrame) -> np.ndarray:
        if "village" not in frame:
            out["village"] = None
            return np.zeros(len(frame), bool)
        pairs = pd.Series(list(zip(out["commune"], frame["village"])), index=frame.index)

        def check(pair: tuple) -> tuple:
            commune, raw = pair
            if is_blank(raw) or raw == "\x00error" or commune is None:
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

        name, problem, hint = _distinct(pairs, check)
        elsewhere, unknown, whole = (problem == "elsewhere"), (problem == "unknown"), (problem == "whole")
        texts = np.array([f"Thôn «{display(v)}» không thuộc xã {c}." for v, c in zip(frame["village"], out["commune"])], dtype=object)
        self.issue(ERROR, elsewhere, frame, "village", texts, hint)
        self.issue(WARNING, unknown, frame, "village",
                   np.array([f"Thôn «{display(v)}» không có trong danh mục của xã {c}; dòng vẫn được tính nhưng không tính vào độ phủ thôn."
                             for v, c in zip(frame["village"], out["commune"])], dtype=object), hint)
        self.issue(WARNING, whole, frame, "village", f"Hoạt động ghi «{self.config.unit.whole_unit_label}» nên không gắn với thôn; thôn đã được bỏ qua.",
                   "Ghi tên xã của thôn nếu hoạt động diễn ra tại thôn đó.")
        out["village"] = name
        return elsewhere

    def programmes(self, frame: pd.DataFrame, out: pd.DataFrame) -> np.ndarray:
        bad = np.zeros(len(frame), bool)
        for code, catalogue, noun, fix in (
            ("programme", self.cats.programmes, "Chương trình", "Ghi số chương trình (1–4) hoặc tên chương trình."),
            ("activity_type", self.cats.activity_types, "Loại hoạt động", "Chọn loại hoạt động trong danh mục (xem trang Nguồn dữ liệu)."),
        ):
            column = frame[code]
            value, hint = _distinct(column, lambda v: (catalogue.match(display(v)), _hint(catalogue, v)) if v not in (None, "\x00error") else (None, ""))
            missing = column.isna().to_numpy()
            unknown = ~missing & (column != "\x00error").to_numpy() & pd.isna(value)
            self.issue(ERROR, missing, frame, code, f"Thiếu {noun.lower()}.", fix)
            self.issue(ERROR, unknown, frame, code,
                       np.array([f"{noun} «{display(v)}» không có trong danh mục." for v in column], dtype=object),
                       np.where(hint != "", hint, fix))
            out[code] = value
            bad |= missing | unknown
        home = out["activity_type"].map(lambda a: self.config.activity_types[a].programme if a else None, na_action="ignore")
        clash = (home.notna() & out["programme"].notna() & (home != out["programme"])).to_numpy()
        if clash.any():
            numbers = {p.code: p.number for p in self.config.programmes.values()}
            self.issue(ERROR, clash, frame, "activity_type",
                       np.array([f"Loại hoạt động «{self.config.activity_types[a].name}» thuộc Chương trình {numbers[h]}, nhưng dòng ghi Chương trình {numbers[p]}."
                                 if a and h and p and h != p else "" for a, h, p in zip(out["activity_type"], home, out["programme"])], dtype=object),
                       "Sửa cột Chương trình hoặc cột Loại hoạt động cho khớp.")
        return bad | clash

    def measures(self, frame: pd.DataFrame, out: pd.DataFrame) -> np.ndarray:
        bad = np.zeros(len(frame), bool)
        for measure in self.config.measures.values():
            code = measure.code
            if code not in frame:
                continue
            column = frame[code]
            number, = _distinct(column, lambda v: (parse_number(v) if v not in (None, "\x00error") else None,))
            number = pd.to_numeric(pd.Series(number, index=frame.index), errors="coerce").to_numpy(float)
            given = column.notna().to_numpy() & (column != "\x00error").to_numpy()
            unreadable = given & np.isnan(number)
            negative = given & (number < 0)
            fraction = given & ~np.isnan(number) & (measure.type == "integer") & (np.mod(np.nan_to_num(number), 1) != 0)
            example = {"money": "1.265.000 hoặc 4.080 triệu", "integer": "số nguyên, ví dụ 120", "number": "ví dụ 26,5"}[measure.type]
            self.issue(ERROR, unreadable, frame, code, f"«{measure.name}» phải là số.", f"Nhập số ({example}); không ghi chữ trong ô số liệu.")
            self.issue(ERROR, negative, frame, code, f"«{measure.name}» không được âm.", "Nhập số lớn hơn hoặc bằng 0.")
            self.issue(ERROR, fraction, frame, code, f"«{measure.name}» phải là số nguyên.", "Nhập số nguyên, không có phần lẻ.")
            out[code] = number
            bad |= unreadable | negative | fraction
        return bad

    def partners(self, frame: pd.DataFrame) -> pd.Series:
        """Partner lists as tuples: organisation codes where recognised, cleaned text otherwise."""
        if "partners" not in frame:
            return pd.Series([()] * len(frame), index=frame.index, dtype=object)
        cat = self.cats.organisations

        def parse(value: Any) -> tuple:
            if value is None or value == "\x00error":
                return ((),)
            names = [clean_name(p) for p in pd.Series([str(value)]).str.split(PARTNER_SPLIT, regex=True)[0] if p.strip()]
            return (tuple(dict.fromkeys(cat.match(n) or n for n in names if cat.match(n) != self.org.code)),)

        parsed, = _distinct(frame["partners"], parse)
        return pd.Series(parsed, index=frame.index, dtype=object)

    def duplicates(self, accepted: pd.DataFrame, raw: pd.DataFrame) -> None:
        """Rows identical in every column to an earlier row of the same tab: probably typed twice."""
        if accepted.empty:
            return
        keys = accepted.drop(columns="_row").astype(str)
        dup = keys.duplicated(keep="first").to_numpy()
        if dup.any():
            first = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup()
            first_row = accepted["_row"].groupby(first.to_numpy()).transform("min").to_numpy()
            self.log.add(WARNING, self.tab.name, self.org.code, accepted["_row"].to_numpy()[dup], "", "",
                         [f"Dòng giống hệt dòng {r}; có thể bị nhập hai lần (vẫn được tính)." for r in first_row[dup]],
                         "Xoá dòng trùng nếu đây là cùng một hoạt động.")


def _meta_tab(raw: RawData, name: str, log: _IssueLog, columns: dict[str, list[str]]) -> tuple[pd.DataFrame, dict[str, str]]:
    """A small tab with a header row (targets, narrative): rows as a frame keyed by our names."""
    tab = raw.tabs.get(name)
    if tab is None or not tab.values:
        return pd.DataFrame(columns=[*columns, "row"]), {}
    keys = {fold(alias): code for code, aliases in columns.items() for alias in aliases}
    index = {i: keys[fold(str(h))] for i, h in enumerate(tab.values[0]) if fold(str(h)) in keys}
    missing = [aliases[0] for code, aliases in columns.items() if code not in index.values() and code != "commune"]
    if missing:
        log.add(ERROR, name, "", 1, ", ".join(missing), "", f"Tab «{name}» thiếu cột {', '.join(missing)}.",
                f"Dòng 1 của tab cần các cột: {' | '.join(a[0] for a in columns.values())}.")
        return pd.DataFrame(columns=[*columns, "row"]), {}
    rows = [[row[i] if i < len(row) else None for i in index] + [n] for n, row in enumerate(tab.values[1:], start=2)
            if any(not is_blank(c) for c in row)]
    headers = {code: nfc(str(tab.values[0][i])) for i, code in index.items()}
    return pd.DataFrame(rows, columns=[*index.values(), "row"]), headers


def _targets(raw: RawData, config: Config, cats: Catalogues, log: _IssueLog) -> pd.DataFrame:
    name = config.settings.tabs.targets
    frame, headers = _meta_tab(raw, name, log, {"year": ["Năm"], "indicator": ["Chỉ tiêu", "Chỉ số"],
                                                 "commune": ["Xã"], "value": ["Giá trị", "Chỉ tiêu giao", "Kế hoạch"]})
    result = pd.DataFrame({"year": pd.Series(dtype="Int64"), "indicator": pd.Series(dtype=object),
                           "commune": pd.Series(dtype=object), "value": pd.Series(dtype=float), "row": pd.Series(dtype="Int64")})
    if frame.empty:
        return result
    if "commune" not in frame:
        frame["commune"] = None
    ok = []
    for rec in frame.to_dict("records"):
        year, value = parse_number(rec["year"]) if not is_blank(rec["year"]) else None, parse_number(rec["value"]) if not is_blank(rec["value"]) else None
        indicator = cats.indicators.match(str(rec["indicator"])) if not is_blank(rec["indicator"]) else None
        commune = None if is_blank(rec["commune"]) else cats.communes.match(str(rec["commune"]))
        problems = [
            (year is None or not float(year).is_integer(), "year", "Năm không hợp lệ.", "Ghi năm bằng 4 chữ số, ví dụ 2024."),
            (indicator is None, "indicator", f"Chỉ tiêu «{display(rec['indicator'])}» không có trong danh mục chỉ số.", _hint(cats.indicators, rec["indicator"]) or "Dùng tên hoặc mã chỉ số trong config/indicators.yaml."),
            (value is None or value < 0, "value", "Giá trị chỉ tiêu phải là số không âm.", "Nhập số, ví dụ 65."),
            (not is_blank(rec["commune"]) and commune is None, "commune", f"Xã «{display(rec['commune'])}» không có trong danh mục.", _hint(cats.communes, rec["commune"])),
        ]
        found = [p for p in problems if p[0]]
        for _, code, message, hint in found:
            log.add(ERROR, name, "", rec["row"], headers.get(code, code), rec.get(code), message, hint)
        if not found:
            ok.append({"year": int(year), "indicator": indicator, "commune": commune, "value": float(value), "row": rec["row"]})
    return pd.concat([result, pd.DataFrame(ok)], ignore_index=True) if ok else result


def _narratives(raw: RawData, config: Config, log: _IssueLog) -> pd.DataFrame:
    frames = []
    for kind, name in (("assessment", config.settings.tabs.assessment), ("directions", config.settings.tabs.directions)):
        frame, _ = _meta_tab(raw, name, log, {"year": ["Năm"], "section": ["Mục", "Phần"], "text": ["Nội dung"]})
        if frame.empty:
            continue
        years = frame["year"].map(lambda v: parse_number(v) if not is_blank(v) else None)
        bad = years.isna() | frame["text"].map(is_blank)
        for rec in frame[bad].to_dict("records"):
            log.add(ERROR, name, "", rec["row"], "Năm" if is_blank(rec["text"]) is False else "Nội dung", rec["year"],
                    "Dòng cần có Năm (4 chữ số) và Nội dung.", "Điền đủ cột Năm và Nội dung hoặc xoá dòng.")
        good = frame[~bad]
        frames.append(pd.DataFrame({"kind": kind, "year": years[~bad].astype(int), "section": good["section"].map(lambda v: "" if is_blank(v) else nfc(str(v))),
                                    "text": good["text"].map(lambda v: nfc(str(v))), "row": good["row"]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["kind", "year", "section", "text", "row"])


def activity_columns(config: Config) -> list[str]:
    """Column order of the Activities table."""
    return ["tab", "organisation", "group", "row", "date", "commune", "village", "programme", "activity_type",
            "content", "partners", *config.measures]


def wanted_tabs(config: Config) -> list[str]:
    """Every tab the app reads: one per organisation plus targets and narrative tabs."""
    tabs = config.settings.tabs
    return [*config.organisation_tabs, tabs.targets, tabs.assessment, tabs.directions]


def clean(raw: RawData, config: Config, today: dt.date | None = None) -> Dataset:
    """Raw tabs → Dataset (activities, issues, targets, narratives, per-tab counts)."""
    today = today or raw.fetched_at.date()
    cats = Catalogues(config)
    log = _IssueLog()
    frames, stats = [], []
    for tab_name, org in config.organisation_tabs.items():
        tab = raw.tabs.get(tab_name)
        if tab is None:
            guess = Catalogue.build([(t, t, []) for t in raw.available]).suggest(tab_name, cutoff=80)
            log.add(ERROR, tab_name, org.code, None, "", "",
                    f"Không tìm thấy tab «{tab_name}» của {org.short_name} trong bảng tính.",
                    f"Có phải là tab «{guess}»? Đổi tên tab cho đúng." if guess else "Tạo tab với đúng tên này (trang Nguồn dữ liệu có lệnh tạo tab mẫu).")
            stats.append({"tab": tab_name, "organisation": org.code, "rows": 0, "accepted": 0, "excluded": 0, "missing": True})
            continue
        frame, tab_stats = _TabCleaner(tab, org, config, cats, log, today).run()
        stats.append({**tab_stats, "missing": False})
        if not frame.empty:
            frames.append(frame)
    columns = activity_columns(config)
    if frames:
        activities = pd.concat(frames, ignore_index=True)
        for column in columns:
            if column not in activities:
                activities[column] = np.nan if column in config.measures else None
    else:
        activities = pd.DataFrame({c: pd.Series(dtype=float if c in config.measures else object) for c in columns})
        activities["date"] = pd.to_datetime(activities["date"])
    extras = sorted(c for c in activities.columns if c.startswith("extra:"))
    activities = activities[columns + extras]
    activities["row"] = activities["row"].astype(int)
    for column in ("commune", "village", "programme", "activity_type", "organisation", "group", "tab"):
        activities[column] = activities[column].astype("category" if column != "village" else object)
    targets = _targets(raw, config, cats, log)
    narratives = _narratives(raw, config, log)
    issues = log.table()
    tab_stats = pd.DataFrame(stats)
    latest = activities.groupby("tab", observed=True)["date"].max()
    tab_stats["latest_date"] = tab_stats["tab"].map(latest)
    counts = issues.groupby(["tab", "severity"]).size().unstack(fill_value=0)
    for severity, name in ((ERROR, "errors"), (WARNING, "warnings")):
        tab_stats[name] = tab_stats["tab"].map(counts[severity] if severity in counts else {}).fillna(0).astype(int)
    return Dataset(activities=activities.reset_index(drop=True), issues=issues, targets=targets, narratives=narratives,
                   tab_stats=tab_stats, source_label=raw.source_label, source_id=raw.source_id,
                   fetched_at=raw.fetched_at, notice=raw.notice, extra_columns=extras)
