"""Last-good snapshots: every successful fetch kept on disk, served when a refresh fails.

One JSON file per source (raw tabs, tab titles, fetch time, source id), written atomically
(temporary file then ``os.replace``) and only after a fetch succeeded, so a failed or partial
fetch never overwrites a good snapshot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from .exceptions import SourceError
from .formatting import timestamp
from .source import RawData, RawTab, Source

FORMAT_VERSION = 1
log = logging.getLogger(__name__)


class SnapshotStore:
    """A directory of last-good snapshots, one file per source id."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path(self, source_id: str) -> Path:
        return self.directory / f"{hashlib.sha256(source_id.encode()).hexdigest()[:24]}.json"

    def save(self, raw: RawData) -> None:
        """Store ``raw`` as the last good data of its source (atomic replace)."""
        document = {
            "version": FORMAT_VERSION,
            "source_id": raw.source_id,
            "source_label": raw.source_label,
            "fetched_at": raw.fetched_at.isoformat(),
            "available": raw.available,
            "tabs": [{"name": t.name, "hidden": t.hidden, "values": t.values} for t in raw.tabs.values()],
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".snapshot-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(document, file, ensure_ascii=False, allow_nan=False)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path(raw.source_id))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load(self, source_id: str) -> RawData | None:
        """The last good data of ``source_id``, or None when there is none (or it is unreadable)."""
        path = self.path(source_id)
        try:
            document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if document.get("version") != FORMAT_VERSION or document["source_id"] != source_id:
                return None
            tabs = {t["name"]: RawTab(t["name"], t["values"], bool(t["hidden"])) for t in document["tabs"]}
            return RawData(
                tabs=tabs,
                available=list(document["available"]),
                source_id=source_id,
                source_label=document["source_label"],
                fetched_at=dt.datetime.fromisoformat(document["fetched_at"]),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("Snapshot %s is unreadable: %s", path, error)
            return None


def stale_notice(raw: RawData, error: SourceError) -> str:
    """What the user reads when a snapshot is served instead of fresh data."""
    what = "Google Sheets" if raw.source_id.startswith("gsheet:") else "nguồn dữ liệu"
    return f"Đang hiển thị dữ liệu lúc {timestamp(raw.fetched_at)} vì không kết nối được {what}: {error.message}"


def fetch_with_fallback(source: Source, tab_names: list[str], store: SnapshotStore | None) -> RawData:
    """Fetch and store a snapshot; on SourceError serve the last snapshot with a notice (or re-raise)."""
    try:
        raw = source.fetch(tab_names)
    except SourceError as error:
        snapshot = store.load(source.source_id) if store else None
        if snapshot is None:
            raise
        return replace(snapshot, notice=stale_notice(snapshot, error))
    if store:
        try:
            store.save(raw)
        except (OSError, ValueError) as error:  # a read-only or full disk must not hide fresh data
            log.warning("Could not store snapshot of %s: %s", source.source_id, error)
    return raw
