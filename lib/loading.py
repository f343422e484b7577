"""Loading what the app and the CLI start from: the configuration, checked with its report template,
and a Dataset (open the source, fetch every configured tab, falling back to the last good snapshot
when Google Sheets cannot be reached, then clean); and ``DatasetCache``, which keeps cleaned datasets
so that no visitor waits for a read the data does not need."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from .clean import clean, wanted_tabs
from .config import Config, load_config
from .dataset import Dataset
from .exceptions import BCDError, ConfigError
from .formatting import timestamp
from .formatting import today as vietnam_today
from .report import template_problems
from .snapshot import CLEANED_VERSION, CleanedStore, RecentFailures, SnapshotStore, fetch_with_fallback
from .source import WorkbookSource, is_google_sheet, open_source

log = logging.getLogger(__name__)
LIB = Path(__file__).resolve().parent


def load_checked_config(directory: str | Path | None = None) -> Config:
    """The configuration, validated file by file and then by a dry run of its report template: a config
    that loads is a config that renders."""
    config = load_config(directory)
    problems = template_problems(config)
    if problems:
        raise ConfigError("Cấu hình không hợp lệ:\n" + "\n".join(f"- {p}" for p in problems), problems)
    return config


def load_dataset(
    spec: str | None,
    config: Config,
    *,
    credentials_file: str | None = None,
    credentials_info: dict[str, Any] | None = None,
    use_snapshots: bool = True,
    failures: RecentFailures | None = None,
) -> Dataset:
    """The cleaned data of ``spec`` (a workbook path or a Google Sheets URL/key; the config's
    default source when None). ``failures`` remembers a failed fetch briefly, so that the loads of
    many sessions during an outage do not each ask Google again."""
    spec = spec or str(config.resolve_path(config.settings.default_source))
    source = open_source(spec, credentials_file=credentials_file, credentials_info=credentials_info)
    if isinstance(source, WorkbookSource):
        return clean(source.fetch(wanted_tabs(config)), config)
    store = SnapshotStore(config.resolve_path(config.settings.data_dir) / "snapshots") if use_snapshots else None
    raw = fetch_with_fallback(source, wanted_tabs(config), store, failures=failures)
    return clean(raw, config)


# ---------------------------------------------------------------- the cache of cleaned datasets


@functools.cache
def code_fingerprint() -> str:
    """What the cleaning code is: a cleaned dataset stored by other code (another version of the app,
    another pandas) is not valid for this one."""
    digest = hashlib.sha256(f"{CLEANED_VERSION}|{pd.__version__}".encode())
    for path in sorted(LIB.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def config_fingerprint(config: Config) -> str:
    """Every file of the configuration directory, by content: any change of the config changes it."""
    digest = hashlib.sha256()
    root = Path(config.directory)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def workbook_identity(spec: str) -> tuple[str, int, int] | None:
    """A local workbook's identity (resolved path, modification time in ns, size); None for Google
    Sheets, or for a path that is not a file (opening it will say why)."""
    if is_google_sheet(spec):
        return None
    try:
        path = Path(spec).resolve()
        info = path.stat()
    except OSError:
        return None
    return (str(path), info.st_mtime_ns, info.st_size) if path.is_file() else None


@dataclasses.dataclass
class _Entry:
    dataset: Dataset
    key: str
    loaded: float  # clock time of the fetch (or of the failed refresh) this entry stands for


Loader = Callable[[str, Config], Dataset]


class DatasetCache:
    """The cleaned dataset of each (source, config), shared by every visitor, read only when needed.

    - A workbook is read and cleaned again only when its identity (path, modification time, size),
      the config (its files when it was loaded), the code or the day (dates are checked against
      today) change: its key. Each call costs one ``stat`` of the file.
    - Google Sheets has no identity to compare: its data is kept for ``ttl_seconds``. When that has
      passed the kept data is still served and one refresh runs in the background (stale while
      revalidate): no visitor waits for Google. A refresh that fails keeps the data, with a notice.
    - With a ``store``, every cleaned dataset is also written to disk (Parquet) under its key, so that
      after a restart an unchanged workbook, or the last data of a spreadsheet (then refreshed in the
      background), is served from disk instead of being read and cleaned again.

    Only the first visitor of a source that has nothing in memory or on disk waits for a read; the
    others asking for it meanwhile wait for that one read, never start their own. Thread-safe."""

    def __init__(
        self,
        ttl_seconds: float,
        store: CleanedStore | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], dt.date] = vietnam_today,
        on_loaded: Callable[[Dataset], None] | None = None,
    ):
        self.ttl_seconds = ttl_seconds
        self.store = store
        self.clock, self.today, self.on_loaded = clock, today, on_loaded
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._refreshing: dict[str, threading.Thread] = {}
        self._guard = threading.Lock()
        self._config_keys: dict[int, tuple[Config, str]] = {}

    # ------------------------------------------------------------ keys

    def _config_key(self, config: Config) -> str:
        """The fingerprint of the config's files, taken once per Config object (a changed config is a new
        object: the app loads it again on restart)."""
        kept = self._config_keys.get(id(config))
        if kept is None or kept[0] is not config:
            kept = self._config_keys[id(config)] = (config, config_fingerprint(config))
        return kept[1]

    def key(self, spec: str, config: Config) -> str:
        """What the cleaned data of ``spec`` with ``config`` is valid for (see the class)."""
        identity = workbook_identity(spec)
        parts = [spec, self._config_key(config), code_fingerprint()]
        if identity is not None:
            parts += [*map(str, identity), self.today().isoformat()]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    @staticmethod
    def name(spec: str, config: Config) -> str:
        return f"{spec}\0{Path(config.directory).resolve()}"

    # ------------------------------------------------------------ reading

    def ready(self, spec: str, config: Config) -> bool:
        """Whether ``get`` would answer from memory at once (nothing to read or load from disk)."""
        entry = self._entries.get(self.name(spec, config))
        return entry is not None and entry.key == self.key(spec, config)

    def get(self, spec: str, config: Config, loader: Loader) -> Dataset:
        """The cleaned dataset of ``spec``: kept, from disk, or read with ``loader`` (see the class)."""
        name, key = self.name(spec, config), self.key(spec, config)
        remote = is_google_sheet(spec)
        entry = self._entries.get(name)
        if entry is None or entry.key != key:
            with self._lock(name):
                entry = self._entries.get(name)
                if entry is None or entry.key != key:
                    entry = self._first(name, key, spec, config, loader, remote)
        if remote and self.clock() - entry.loaded >= self.ttl_seconds:
            self._revalidate(name, key, spec, config, loader)
        return entry.dataset

    def _first(self, name: str, key: str, spec: str, config: Config, loader: Loader, remote: bool) -> _Entry:
        """What there is to serve when memory has nothing valid: the disk, else a read."""
        stored = self.store.load(name, key) if self.store is not None else None
        if stored is not None:
            # a spreadsheet's stored data is as old as its fetch: due for a background refresh at once
            entry = _Entry(stored, key, -float("inf") if remote else self.clock())
            log.info("Cleaned data of %s served from disk", spec)
        else:
            entry = _Entry(self._read(name, key, spec, config, loader), key, self.clock())
        self._keep(name, entry)
        return entry

    def _read(self, name: str, key: str, spec: str, config: Config, loader: Loader) -> Dataset:
        dataset = loader(spec, config)
        if self.store is not None:
            self.store.save(name, key, dataset)
        return dataset

    def _keep(self, name: str, entry: _Entry) -> None:
        with self._guard:
            self._entries[name] = entry
        if self.on_loaded is not None:
            self.on_loaded(entry.dataset)

    def _lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    # ------------------------------------------------------------ refreshing

    def _revalidate(self, name: str, key: str, spec: str, config: Config, loader: Loader) -> None:
        """Start one background refresh of ``name`` unless one is running."""
        with self._guard:
            running = self._refreshing.get(name)
            if running is not None and running.is_alive():
                return
            thread = threading.Thread(
                target=self._refresh_quietly, args=(name, key, spec, config, loader), name="bcd502-refresh", daemon=True
            )
            self._refreshing[name] = thread
        thread.start()

    def _refresh_quietly(self, name: str, key: str, spec: str, config: Config, loader: Loader) -> None:
        try:
            self.refresh(spec, config, loader)
        except Exception as error:  # the visitors keep the data they have, told that it could not be refreshed
            if not isinstance(error, BCDError):
                log.error("Background refresh of %s failed unexpectedly", spec, exc_info=error)
            message = error.message if isinstance(error, BCDError) else "lỗi ngoài dự kiến (đã ghi vào nhật ký)."
            with self._guard:
                entry = self._entries.get(name)
                if entry is not None:
                    notice = f"Đang hiển thị dữ liệu lúc {timestamp(entry.dataset.fetched_at)} vì chưa làm mới được: {message}"
                    self._entries[name] = _Entry(dataclasses.replace(entry.dataset, notice=notice), key, self.clock())

    def refresh(self, spec: str, config: Config, loader: Loader) -> Dataset:
        """Read ``spec`` again now (the "Làm mới dữ liệu" button, and the background refresh); meanwhile
        everyone else is served what is kept. Raises what the loader raises, keeping the kept data."""
        name = self.name(spec, config)
        with self._lock(name):
            key = self.key(spec, config)
            dataset = self._read(name, key, spec, config, loader)
            self._keep(name, _Entry(dataset, key, self.clock()))
        return dataset

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the background refreshes running now (tests, and a clean shutdown)."""
        with self._guard:
            threads = list(self._refreshing.values())
        for thread in threads:
            thread.join(timeout)

    def clear(self) -> None:
        """Forget what is kept in memory (the disk keeps its copies)."""
        with self._guard:
            self._entries.clear()
