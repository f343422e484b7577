"""Data kept on disk: last-good snapshots of raw fetches (served when a refresh fails) and cleaned
datasets (``CleanedStore``, Parquet: served after a restart instead of cleaning an unchanged source again).

One JSON file per source (raw tabs, tab titles, fetch time, source id), written atomically
(temporary file then ``os.replace``) and only after a fetch succeeded, so a failed or partial
fetch never overwrites a good snapshot; nor does a slow fetch that finishes after a newer one (the
fetch times are compared under a lock). Any failure of a refresh, of whatever kind, serves the last
snapshot with a notice; with no snapshot the failure is remembered for a short while
(``RecentFailures``) so that the reruns of every session during an outage do not each ask Google
again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from .dataset import Dataset
from .exceptions import SheetsError, SourceError
from .formatting import timestamp
from .raw import RawData, RawTab, Source

try:  # serialises writers across threads and processes where the platform has it
    import fcntl
except ImportError:  # pragma: no cover - not on the Linux servers the app runs on
    fcntl = None

FORMAT_VERSION = 1
FAILURE_SECONDS = 30.0
log = logging.getLogger(__name__)
_FETCHED_AT_RE = re.compile(rb'"fetched_at": "([^"]+)"')
_WRITE_LOCK = threading.Lock()  # where there is no fcntl

UNEXPECTED = (
    "Không đọc được dữ liệu do một lỗi không lường trước khi kết nối {what}. Thử làm mới lại sau ít phút; "
    "nếu lặp lại, báo cho quản trị hệ thống (chi tiết đã được ghi vào nhật ký của máy chủ)."
)


class SnapshotStore:
    """A directory of last-good snapshots, one file per source id."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path(self, source_id: str) -> Path:
        return self.directory / f"{hashlib.sha256(source_id.encode()).hexdigest()[:24]}.json"

    def save(self, raw: RawData) -> bool:
        """Store ``raw`` as the last good data of its source (atomic replace), unless the stored
        snapshot was fetched later (a slow fetch finishing last must not bring older data back).
        Returns whether ``raw`` was stored."""
        document = {
            "version": FORMAT_VERSION,
            "fetched_at": raw.fetched_at.isoformat(),
            "source_id": raw.source_id,
            "source_label": raw.source_label,
            "available": raw.available,
            "tabs": [
                {"name": t.name, "hidden": t.hidden, "values": t.values, **({"stray": t.stray} if t.stray else {})}
                for t in raw.tabs.values()
            ],
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path(raw.source_id)
        with self._locked():
            stored = self._fetched_at(path, raw.source_id)
            if stored is not None and _later(stored, raw.fetched_at):
                log.info("Snapshot of %s kept: stored %s is newer than %s", raw.source_id, stored, raw.fetched_at)
                return False
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".snapshot-", suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    json.dump(document, file, ensure_ascii=False, allow_nan=False)
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return True

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time in this directory: the compare-then-replace of ``save`` is atomic."""
        if fcntl is None:
            with _WRITE_LOCK:
                yield
            return
        directory = os.open(self.directory, os.O_RDONLY)  # the directory itself is the lock: no lock file
        try:
            fcntl.flock(directory, fcntl.LOCK_EX)
            yield
        finally:
            os.close(directory)  # closing releases the lock

    def _fetched_at(self, path: Path, source_id: str) -> dt.datetime | None:
        """The fetch time of the stored snapshot, read from the head of the file when it is there."""
        try:
            with open(path, "rb") as file:
                head = file.read(4096)
        except OSError:
            return None
        match = _FETCHED_AT_RE.search(head)
        if match:
            try:
                return dt.datetime.fromisoformat(match.group(1).decode())
            except ValueError:
                return None
        snapshot = self.load(source_id)
        return snapshot.fetched_at if snapshot else None

    def load(self, source_id: str) -> RawData | None:
        """The last good data of ``source_id``, or None when there is none (or it is unreadable)."""
        path = self.path(source_id)
        try:
            document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if document.get("version") != FORMAT_VERSION or document["source_id"] != source_id:
                return None
            tabs = {
                t["name"]: RawTab(
                    t["name"], t["values"], bool(t["hidden"]), [tuple(cell) for cell in t.get("stray", [])]
                )
                for t in document["tabs"]
            }
            return RawData(
                tabs=tabs,
                available=list(document["available"]),
                source_id=source_id,
                source_label=document["source_label"],
                fetched_at=dt.datetime.fromisoformat(document["fetched_at"]),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            log.warning("Snapshot %s is unreadable: %r", path, error)
            return None


def _later(first: dt.datetime, second: dt.datetime) -> bool:
    try:
        return first > second
    except TypeError:  # one of them without a time zone: a snapshot of an older version
        return False


class RecentFailures:
    """The last failure of each source for ``seconds``: within that time a new load re-raises it
    (or serves the snapshot) without asking the source again. Thread-safe; the app's sessions share the
    one its Streamlit adapter keeps."""

    def __init__(self, seconds: float = FAILURE_SECONDS):
        self.seconds = seconds
        self._failures: dict[str, tuple[float, SourceError]] = {}
        self._lock = threading.Lock()

    def get(self, source_id: str) -> SourceError | None:
        """The failure of ``source_id`` remembered less than ``seconds`` ago, if any."""
        with self._lock:
            entry = self._failures.get(source_id)
            if entry is None:
                return None
            if time.monotonic() - entry[0] >= self.seconds:
                del self._failures[source_id]
                return None
            return entry[1]

    def remember(self, source_id: str, error: SourceError) -> None:
        with self._lock:
            self._failures[source_id] = (time.monotonic(), error)

    def forget(self, source_id: str) -> None:
        with self._lock:
            self._failures.pop(source_id, None)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()


def stale_notice(raw: RawData, error: SourceError) -> str:
    """What the user reads when a snapshot is served instead of fresh data."""
    what = "Google Sheets" if raw.source_id.startswith("gsheet:") else "nguồn dữ liệu"
    return f"Đang hiển thị dữ liệu lúc {timestamp(raw.fetched_at)} vì không kết nối được {what}: {error.message}"


def _failure(source: Source, error: Exception) -> SourceError:
    """Any failure of a fetch as a SourceError: ours as they are, anything else logged and worded."""
    if isinstance(error, SourceError):
        return error
    log.error("Fetch of %s failed unexpectedly", source.source_id, exc_info=error)
    if source.source_id.startswith("gsheet:"):
        return SheetsError(UNEXPECTED.format(what="Google Sheets"))
    return SourceError(UNEXPECTED.format(what="nguồn dữ liệu"))


def fetch_with_fallback(
    source: Source,
    tab_names: list[str],
    store: SnapshotStore | None,
    *,
    failures: RecentFailures | None = None,
) -> RawData:
    """Fetch and store a snapshot. On any failure serve the last snapshot with a notice, or raise the
    failure as a SourceError; a failure is remembered in ``failures`` so that loads within its window
    answer the same without a new request."""
    error = failures.get(source.source_id) if failures is not None else None
    if error is None:
        try:
            raw = source.fetch(tab_names)
        except Exception as caught:
            error = _failure(source, caught)
            if failures is not None:
                failures.remember(source.source_id, error)
        else:
            if failures is not None:
                failures.forget(source.source_id)
            if store:
                try:
                    store.save(raw)
                except (OSError, ValueError, TypeError) as problem:  # a full disk must not hide fresh data
                    log.warning("Could not store snapshot of %s: %r", source.source_id, problem)
            return raw
    snapshot = store.load(source.source_id) if store else None
    if snapshot is None:
        raise error.with_traceback(None)
    return replace(snapshot, notice=stale_notice(snapshot, error))


# ---------------------------------------------------------------- cleaned data on disk

CLEANED_VERSION = 2  # 2: the closure register tab
TABLES = tuple(f.name for f in dataclasses.fields(Dataset) if f.type == "pd.DataFrame")  # the Dataset's tables
_MARK, _SEPARATOR = "\x1e", "\x1f"  # a tuple of texts stored as one text: mark, then the texts between separators
KEPT_CLEANED = 8  # cleaned datasets kept on disk (sources × configs); the least recently written go first


class CleanedStore:
    """Cleaned datasets on disk (Parquet), so that a server restart or an expired cache does not read and
    clean an unchanged source again.

    One directory per name (a source read with a config), holding one Parquet file per table and
    ``meta.json`` with the key the data is valid for (the caller's: file identity, config, code), the
    row count and column types of every table and the Dataset's other fields. A directory is written
    whole in a temporary directory and then renamed into place, so a reader never sees half of one. A
    directory that cannot be read back exactly (missing or truncated file, other key, other version,
    other row counts or types) is ignored and deleted: the caller then cleans the source again."""

    def __init__(self, directory: Path, kept: int = KEPT_CLEANED):
        self.directory = Path(directory)
        self.kept = kept

    def path(self, name: str) -> Path:
        return self.directory / hashlib.sha256(name.encode()).hexdigest()[:24]

    def save(self, name: str, key: str, dataset: Dataset) -> bool:
        """Store ``dataset`` as the cleaned data of ``name`` valid for ``key``; False (logged) when it cannot be."""
        final = self.path(name)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            temporary = Path(tempfile.mkdtemp(dir=self.directory, prefix=".cleaned-"))
        except OSError as error:
            log.warning("Could not store cleaned data of %s: %r", name, error)
            return False
        try:
            tables = {}
            for table in TABLES:
                frame = getattr(dataset, table)
                encoded, kinds = _encode(frame)
                encoded.to_parquet(temporary / f"{table}.parquet", index=False)
                tables[table] = {"rows": len(frame), "dtypes": _dtypes(frame), "kinds": kinds}
            meta = {
                "version": CLEANED_VERSION,
                "name": name,
                "key": key,
                "tables": tables,
                "source_label": dataset.source_label,
                "source_id": dataset.source_id,
                "fetched_at": dataset.fetched_at.isoformat(),
                "notice": dataset.notice,
                "extra_columns": list(dataset.extra_columns),
                "closure_register": dataset.closure_register,
            }
            (temporary / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            with _directory_lock(self.directory):
                if final.exists():
                    retired = Path(tempfile.mkdtemp(dir=self.directory, prefix=".retired-"))
                    os.replace(final, retired / "old")
                    shutil.rmtree(retired, ignore_errors=True)
                os.replace(temporary, final)
            self._prune(final)
            return True
        except Exception as error:  # a value Parquet cannot hold, a full disk: keep serving from memory
            log.warning("Could not store cleaned data of %s: %r", name, error)
            shutil.rmtree(temporary, ignore_errors=True)
            return False

    def load(self, name: str, key: str) -> Dataset | None:
        """The cleaned data of ``name`` if stored for ``key`` and read back whole; otherwise None (a
        stored directory that does not qualify is deleted)."""
        path = self.path(name)
        if not path.is_dir():
            return None
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            if meta.get("version") != CLEANED_VERSION or meta.get("name") != name or meta.get("key") != key:
                raise ValueError("stored for another key")
            tables = {}
            for table in TABLES:
                expected = meta["tables"][table]
                frame = _read(path / f"{table}.parquet", expected["kinds"])
                if len(frame) != expected["rows"] or _dtypes(frame) != expected["dtypes"]:
                    raise ValueError(f"{table}: rows or column types differ from what was stored")
                tables[table] = frame
            return Dataset(
                **tables,
                source_label=meta["source_label"],
                source_id=meta["source_id"],
                fetched_at=dt.datetime.fromisoformat(meta["fetched_at"]),
                notice=meta["notice"],
                extra_columns=list(meta["extra_columns"]),
                closure_register=list(meta["closure_register"]),
            )
        except Exception as error:  # whatever is wrong with it, it is not shown: clean again
            log.warning("Cleaned data %s ignored: %r", path, error)
            self.discard(name)
            return None

    def discard(self, name: str) -> None:
        shutil.rmtree(self.path(name), ignore_errors=True)

    def _prune(self, keep: Path) -> None:
        """Delete the least recently written directories beyond ``kept`` (never ``keep``)."""
        try:
            stored = [p for p in self.directory.iterdir() if p.is_dir() and not p.name.startswith(".")]
            stored.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError:
            return
        for old in [p for p in stored if p != keep][max(self.kept - 1, 0) :]:
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """One writer at a time in ``directory`` across threads and processes (the directory itself is the lock)."""
    if fcntl is None:
        with _WRITE_LOCK:
            yield
        return
    handle = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _dtypes(frame: pd.DataFrame) -> list[list[str]]:
    """Each column's name and type (a categorical with its categories in order: groupings follow it)."""
    return [
        [str(column), repr(dtype) if isinstance(dtype, pd.CategoricalDtype) else str(dtype)]
        for column, dtype in frame.dtypes.items()
    ]


def _encode(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The frame as Parquet can hold it, and how to restore each object column: ``text`` (strings and
    blanks), ``joined`` or ``tuple`` (tuples of strings, e.g. partner lists); ``category`` marks categoricals whose
    categories are object. Any other object column raises
    ValueError: the dataset is then kept in memory only."""
    kinds: dict[str, str] = {}
    columns: dict[str, Any] = {}
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            if series.cat.categories.dtype == object:  # Parquet gives categories back as str: restore object
                kinds[column] = "category"
            columns[column] = series
            continue
        if series.dtype != object:
            columns[column] = series
            continue
        present = series[series.notna()]
        if all(type(v) is str for v in present):
            kinds[column] = "text"
            columns[column] = series
        elif all(type(v) is tuple and all(type(x) is str for x in v) for v in present):
            if all(x and _MARK not in x and _SEPARATOR not in x for v in present for x in v):
                kinds[column] = "joined"  # one text per tuple: few distinct ones, rebuilt once each on reading
                columns[column] = series.map(lambda v: _MARK + _SEPARATOR.join(v), na_action="ignore")
            else:
                kinds[column] = "tuple"
                columns[column] = series.map(list, na_action="ignore")
        else:
            raise ValueError(f"column {column!r} holds values other than text or tuples of text")
    encoded = pd.DataFrame(columns, index=frame.index)
    encoded.columns = [str(c) for c in frame.columns]
    return encoded, kinds


def _read(path: Path, kinds: dict[str, str]) -> pd.DataFrame:
    """A stored table: text columns read as dictionaries, so each distinct text becomes one Python string
    (shared by its rows) instead of one per row."""
    texts = [column for column, kind in kinds.items() if kind in ("text", "joined")]
    return _decode(pq.read_table(path, read_dictionary=texts).to_pandas(), kinds)


def _objects(series: pd.Series) -> np.ndarray:
    """A column as an object array with None for blanks (a categorical one through its categories)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        values = np.empty(len(series.cat.categories) + 1, object)  # the last one, at code -1, is the blank
        values[:-1] = series.cat.categories.to_numpy(object)
        return values[series.cat.codes.to_numpy()]
    return series.to_numpy(object, na_value=None)


def _decode(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """Undo ``_encode``: object columns back to Python strings, tuples and values with None for blanks."""
    for column, kind in kinds.items():
        if kind == "category":
            series = frame[column]
            categories = pd.Index(series.cat.categories.to_numpy(object), dtype=object)
            frame[column] = pd.Categorical.from_codes(series.cat.codes.to_numpy(), categories=categories)
            continue
        values = _objects(frame[column])
        if kind == "joined":
            codes, texts = pd.factorize(values)
            tuples = np.empty(len(texts) + 1, object)  # the last one, at code -1, is the blank (None)
            tuples[:-1] = [tuple(t[1:].split(_SEPARATOR)) if len(t) > 1 else () for t in texts]
            restored = tuples[codes]
        elif kind == "tuple":
            restored = np.empty(len(values), object)
            restored[:] = [None if v is None else tuple(v) for v in values]
        elif kind == "text":
            restored = values
        else:
            raise ValueError(f"column {column!r}: unknown kind {kind!r}")
        frame[column] = pd.Series(restored, index=frame.index, dtype=object)
    return frame
