"""Closing a period («chốt số liệu»): freeze the cleaned data of a moment, find what changed after it.

An administrator closes a period: the cleaned dataset of that moment is stored (``data_dir/chot-so-lieu``)
under an id that is a hash of the period's rows, so equal figures give an equal id. The closure is listed
in a register next to it (and the page records it in the spreadsheet's «Chốt số liệu» tab and in the
activity log). The draft of a closed period reads the frozen dataset, so its figures never change under
the secretary's feet; rows of the period edited, added or removed afterwards are listed with the
difference they make to the period's figures. Reopening is an administrator's act, kept in the register.

The «Chốt số liệu» tab is the register every server shares: each refresh reads it back
(``read_register``) and ``ClosureStore.merge`` brings in the closings and reopenings other servers
recorded. A server that did not freeze a closure itself adopts it only when the period's current rows
still hash to the closure's id (they are the frozen figures); otherwise it refuses to draft the period
rather than print today's figures as the frozen ones.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .config import Config
from .dataset import Dataset
from .exceptions import BCDError
from .formatting import TIME_ZONE, local_date, number, short_date, timestamp
from .indicators import in_period
from .normalize import nfc
from .period import Period, YearStart

DIRECTORY = "chot-so-lieu"
REGISTER = "so-chot.json"
TAB_HEADER = ["Kỳ", "Từ ngày", "Đến ngày", "Mã chốt", "Số dòng", "Người thực hiện", "Thời điểm", "Việc"]
CLOSE, REOPEN = "Chốt", "Mở lại"
_EPOCH = dt.date(1899, 12, 30)  # a date cell read as a serial number
_KEY_COLUMNS = ("date", "commune", "village", "programme", "activity_type", "content")


@dataclass(frozen=True)
class Closure:
    """One closing of a period (and its reopening, when that happened)."""

    period: str  # Period.key
    label: str
    start: dt.date
    end: dt.date
    id: str
    rows: int
    closed_at: dt.datetime
    closed_by: str
    reopened_at: dt.datetime | None = None
    reopened_by: str = ""

    @property
    def open(self) -> bool:
        return self.reopened_at is None

    def note(self) -> str:
        """«Số liệu chốt ngày 30/11/2026 (mã 1a2b3c4d5e6f)»: printed on the draft of the closed period."""
        return f"Số liệu chốt ngày {short_date(local_date(self.closed_at))} (mã {self.id})"

    def as_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key, value in data.items():
            if isinstance(value, (dt.date, dt.datetime)):
                data[key] = value.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Closure:
        values = dict(data)
        for key in ("start", "end"):
            values[key] = dt.date.fromisoformat(values[key])
        for key in ("closed_at", "reopened_at"):
            values[key] = dt.datetime.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)


def period_rows(dataset: Dataset, period: Period) -> pd.DataFrame:
    """The accepted rows of the period, in a stable order."""
    rows = in_period(dataset.activities, period)
    return rows.sort_values(["tab", "row"], kind="stable").reset_index(drop=True)


def content_id(dataset: Dataset, config: Config, period: Period) -> str:
    """A hash of the period's rows (every column but the sheet row number): the closure's id."""
    rows = period_rows(dataset, period)
    columns = [c for c in rows.columns if c != "row"]
    text = rows[columns].astype(str).to_csv(index=False)
    return hashlib.sha256(f"{period.key}\n{text}".encode()).hexdigest()[:12]


class ClosureStore:
    """The frozen datasets and the register of closures, in one directory."""

    def __init__(self, directory: Path):
        self.directory = directory

    @property
    def register(self) -> Path:
        return self.directory / REGISTER

    def closures(self) -> list[Closure]:
        if not self.register.is_file():
            return []
        try:
            return [Closure.from_json(item) for item in json.loads(self.register.read_text("utf-8"))]
        except (ValueError, KeyError, TypeError) as error:
            raise BCDError(f"Sổ chốt số liệu ({REGISTER}) bị hỏng, không đọc được; báo quản trị viên.") from error

    def active(self, period: Period) -> Closure | None:
        """The closure in force for a period: its last one, unless reopened."""
        found = [c for c in self.closures() if c.period == period.key]
        return found[-1] if found and found[-1].open else None

    def merge(self, shared: list[Closure]) -> list[Closure]:
        """Bring in the closures of the shared register (the spreadsheet's tab): a closing not known here
        is added, a reopening recorded elsewhere is applied. Closures only known here stay (their row may
        not have reached the tab). The merged register, saved when it changed."""
        local = self.closures()
        merged = list(local)
        for theirs in shared:
            index = next((i for i, c in enumerate(merged) if _same(c, theirs)), None)
            if index is None:
                merged.append(theirs)
            elif merged[index].open and not theirs.open:
                merged[index] = dataclasses.replace(merged[index], reopened_at=theirs.reopened_at, reopened_by=theirs.reopened_by)  # fmt: skip
        merged.sort(key=lambda c: c.closed_at)
        if merged != local:
            self._save(merged)
        return merged

    def frozen_or_adopted(self, closure: Closure, current: Dataset, config: Config) -> Dataset:
        """The dataset frozen by a closure; for a closure made on another server (no frozen copy here), the
        current dataset when the period's rows still hash to the closure's id, frozen here from now on."""
        if (self.directory / f"{closure.id}.pkl").is_file():
            return self.frozen(closure)
        period = Period(closure.start, closure.end, _kind(closure.period))
        if content_id(current, config, period) != closure.id:
            raise BCDError(
                f"Số liệu {closure.label} đã được chốt (mã {closure.id}) trên một máy chủ khác; máy chủ này không có "
                "bản số liệu đã chốt và số liệu hiện nay đã khác lúc chốt, nên không dùng để thay số liệu đã chốt. "
                f"Quản trị viên chép thư mục {DIRECTORY} từ máy chủ đã chốt, hoặc mở lại rồi chốt lại kỳ."
            )
        frozen = dataclasses.replace(current, boundaries="as-recorded")
        self._write(self.directory / f"{closure.id}.pkl", pickle.dumps(frozen, protocol=pickle.HIGHEST_PROTOCOL))
        return frozen

    def _write(self, path: Path, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tam-", dir=self.directory)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def _save(self, closures: list[Closure]) -> None:
        text = json.dumps([c.as_json() for c in closures], ensure_ascii=False, indent=1)
        self._write(self.register, text.encode("utf-8"))

    def close(self, dataset: Dataset, config: Config, period: Period, who: str, now: dt.datetime) -> Closure:
        """Freeze the dataset for the period; closing a period already closed is refused."""
        if self.active(period) is not None:
            raise BCDError(f"Số liệu {period.label} đã được chốt; mở lại trước khi chốt lần nữa.")
        closure = Closure(
            period.key,
            period.label,
            period.start,
            period.end,
            content_id(dataset, config, period),
            len(period_rows(dataset, period)),
            now,
            who,
        )
        frozen = dataclasses.replace(dataset, boundaries="as-recorded")
        self._write(self.directory / f"{closure.id}.pkl", pickle.dumps(frozen, protocol=pickle.HIGHEST_PROTOCOL))
        self._save([*self.closures(), closure])
        return closure

    def reopen(self, period: Period, who: str, now: dt.datetime) -> Closure:
        closures = self.closures()
        index = next((i for i in range(len(closures) - 1, -1, -1) if closures[i].period == period.key), None)
        if index is None or not closures[index].open:
            raise BCDError(f"Số liệu {period.label} chưa được chốt.")
        closures[index] = dataclasses.replace(closures[index], reopened_at=now, reopened_by=who)
        self._save(closures)
        return closures[index]

    def frozen(self, closure: Closure) -> Dataset:
        """The dataset frozen by a closure (as recorded; apply the chosen view of communes after)."""
        path = self.directory / f"{closure.id}.pkl"
        try:
            return pickle.loads(path.read_bytes())  # written by this module only
        except (OSError, pickle.UnpicklingError, EOFError) as error:
            raise BCDError(f"Không đọc được số liệu đã chốt (mã {closure.id}); báo quản trị viên.") from error


def register_row(closure: Closure, action: str) -> list[Any]:
    """The row recorded in the spreadsheet's «Chốt số liệu» tab (``action``: «Chốt» or «Mở lại»)."""
    when = closure.closed_at if action == "Chốt" else closure.reopened_at
    who = closure.closed_by if action == "Chốt" else closure.reopened_by
    return [closure.label, short_date(closure.start), short_date(closure.end), closure.id, closure.rows, who,
            timestamp(when), action]  # fmt: skip


def _same(mine: Closure, theirs: Closure) -> bool:
    """The same closing: period, id and the minute it was made (the tab keeps minutes, Vietnam time)."""
    return (mine.period, mine.id, timestamp(mine.closed_at)) == (theirs.period, theirs.id, timestamp(theirs.closed_at))


def _kind(key: str) -> str:
    """The kind of period a key names (``2026-11`` a month, ``2026-Q3`` a quarter, …)."""
    if ".." in key:
        return "range"
    rest = key.partition("-")[2]
    if not rest:
        return "year"
    return {"H": "half", "Q": "quarter", "9T": "nine"}.get(rest if rest == "9T" else rest[0], "month")


def _period_of(start: dt.date, end: dt.date, label: str, year_start: YearStart) -> Period:
    """The period a register row names by its dates (the year, half, quarter or month with these dates and
    this label; else the plain range)."""
    year = year_start.year_of(end)
    candidates = [
        Period.year(year, year_start),
        *(Period.half(year, h, year_start) for h in (1, 2)),
        Period.nine_months(year, year_start),
        *(Period.quarter(year, q, year_start) for q in (1, 2, 3, 4)),
        *(Period.month(year, m, year_start) for m in range(1, 13)),
    ]
    same = [p for p in candidates if (p.start, p.end) == (start, end)]
    return next((p for p in same if nfc(p.label) == nfc(label)), same[0] if same else Period(start, end))


def _date(cell: Any) -> dt.date:
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, (int, float)):
        return _EPOCH + dt.timedelta(days=int(cell))
    return dt.datetime.strptime(str(cell).strip(), "%d/%m/%Y").date()


def _moment(cell: Any) -> dt.datetime:
    """«14:05 ngày 29/11/2024» (as ``timestamp`` writes it, Vietnam time) → an aware time."""
    clock, _, day = str(cell).strip().partition(" ngày ")
    return dt.datetime.strptime(f"{day} {clock}", "%d/%m/%Y %H:%M").replace(tzinfo=TIME_ZONE)


def read_register(rows: list[list[Any]], year_start: YearStart) -> tuple[list[Closure], list[str]]:
    """The closures recorded in the «Chốt số liệu» tab (rows as the API gives them, header first), folded
    in order (a «Mở lại» reopens the last closing of the same id), and a Vietnamese note per row that
    cannot be read (its row number as the sheet shows it); such a row is skipped, never guessed."""
    if not rows:
        return [], []
    header = [nfc(str(c)).strip() for c in rows[0]]
    missing = [name for name in TAB_HEADER if name not in header]
    if missing:
        return [], [f"Tab chốt số liệu thiếu cột {', '.join(f'«{n}»' for n in missing)}; không đọc được sổ chốt."]
    at = {name: header.index(name) for name in TAB_HEADER}
    closures: list[Closure] = []
    problems: list[str] = []
    for number_, row in enumerate(rows[1:], start=2):
        cells = {name: (row[i] if i < len(row) else "") for name, i in at.items()}
        if all(str(v).strip() == "" for v in cells.values()):
            continue
        try:
            start, end = _date(cells["Từ ngày"]), _date(cells["Đến ngày"])
            when = _moment(cells["Thời điểm"])
            action = nfc(str(cells["Việc"])).strip()
            closure_id, who = str(cells["Mã chốt"]).strip(), str(cells["Người thực hiện"]).strip()
            if action not in (CLOSE, REOPEN) or not closure_id:
                raise ValueError(action)
            period = _period_of(start, end, str(cells["Kỳ"]).strip(), year_start)
            if action == CLOSE:
                count = int(float(str(cells["Số dòng"]).strip() or 0))
                closures.append(Closure(period.key, period.label, start, end, closure_id, count, when, who))
                continue
            index = next((i for i in range(len(closures) - 1, -1, -1) if closures[i].id == closure_id and closures[i].period == period.key), None)  # fmt: skip
            if index is None or not closures[index].open:
                raise ValueError("reopening without a closing")
            closures[index] = dataclasses.replace(closures[index], reopened_at=when, reopened_by=who)
        except (ValueError, TypeError, OverflowError, BCDError):
            problems.append(
                f"Dòng {number_} của tab chốt số liệu không đọc được (ngày, thời điểm, mã hay việc); đã bỏ qua."
            )
    return closures, problems


def _row_key(rows: pd.DataFrame) -> pd.Series:
    """A row's identity across reads: its Mã dòng when it has one, else its tab and sheet row."""
    fallback = rows["tab"].astype(str) + "#" + rows["row"].astype(str)
    if "row_id" not in rows:
        return fallback
    ids = rows["row_id"]
    return (rows["tab"].astype(str) + "@" + ids.astype(str)).where(ids.notna() & (ids.astype(str) != ""), fallback)


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as text for comparison, a blank as "" (pandas 3 keeps NaN through astype(str), and NaN != NaN)."""
    return frame.astype(object).where(frame.notna(), "").astype(str)


def changes(frozen: Dataset, current: Dataset, config: Config, period: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What changed in a closed period since it was closed: the rows (Tab, Dòng, Thay đổi) edited, added
    or removed, and the difference each measure's total for the period (only those that moved)."""
    before, after = period_rows(frozen, period), period_rows(current, period)
    compared = [c for c in (*_KEY_COLUMNS, *config.measures) if c in before and c in after]
    before = before.assign(_key=_row_key(before)).drop_duplicates("_key").set_index("_key")
    after = after.assign(_key=_row_key(after)).drop_duplicates("_key").set_index("_key")
    listed = []
    for key in after.index.difference(before.index):
        listed.append((after.at[key, "tab"], after.at[key, "row"], "Thêm sau khi chốt"))
    for key in before.index.difference(after.index):
        listed.append((before.at[key, "tab"], before.at[key, "row"], "Xoá hoặc sửa mất sau khi chốt"))
    both = before.index.intersection(after.index)
    old, new = _text(before.loc[both, compared]), _text(after.loc[both, compared])
    for key in both[(old != new).any(axis=1).to_numpy()]:
        listed.append((after.at[key, "tab"], after.at[key, "row"], "Sửa sau khi chốt"))
    rows = pd.DataFrame(listed, columns=["Tab", "Dòng", "Thay đổi"]).sort_values(["Tab", "Dòng"], kind="stable")
    totals = []
    for code, measure in config.measures.items():
        if code in before and code in after:
            was, now = float(before[code].sum()), float(after[code].sum())
            if was != now:
                totals.append((measure.label, number(was, 1), number(now, 1), number(now - was, 1)))
    difference = pd.DataFrame(totals, columns=["Cột số liệu", "Khi chốt", "Hiện nay", "Chênh lệch"])
    return rows.reset_index(drop=True), difference


def stamp(draft: str, closure: Closure) -> str:
    """The Markdown draft with the closure's note under its title block: the reader knows the figures are frozen."""
    return f"{draft.rstrip()}\n\n*{closure.note()}.*\n"
