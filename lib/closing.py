"""Closing a period («chốt số liệu»): freeze the cleaned data of a moment, find what changed after it.

An administrator closes a period: the cleaned dataset of that moment is stored (``data_dir/chot-so-lieu``)
under an id that is a hash of the period's rows, so equal figures give an equal id. The closure is listed
in a register next to it (and the page records it in the spreadsheet's «Chốt số liệu» tab and in the
activity log). The draft of a closed period reads the frozen dataset, so its figures never change under
the secretary's feet; rows of the period edited, added or removed afterwards are listed with the
difference they make to the period's figures. Reopening is an administrator's act, kept in the register.
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
from .formatting import number, short_date, timestamp
from .indicators import in_period
from .period import Period

DIRECTORY = "chot-so-lieu"
REGISTER = "so-chot.json"
TAB_HEADER = ["Kỳ", "Từ ngày", "Đến ngày", "Mã chốt", "Số dòng", "Người thực hiện", "Thời điểm", "Việc"]
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
        return f"Số liệu chốt ngày {short_date(self.closed_at.date())} (mã {self.id})"

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
