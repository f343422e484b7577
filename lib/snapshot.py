"""Last-good snapshots: every successful fetch kept on disk, served when a refresh fails.

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
import datetime as dt
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

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
