"""The one module of lib/ that touches Streamlit: the shared data cache, the caches of the pages'
tables (by function arguments), the row counts of earlier fetches, and secrets access.

Pages call ``get_dataset()``; one cleaned dataset is shared by all sessions (a workbook until it changes,
Google Sheets refreshed in the background after the configured TTL), and ``refresh()`` reads the source
again at once (the "Làm mới dữ liệu" button).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import pickle
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import altair as alt
import pandas as pd
import streamlit as st

from . import export
from .closing import DIRECTORY, TAB_HEADER, Closure, ClosureStore, read_register, register_row
from .config import Config
from .dataset import Dataset
from .entry import Written, append_log_row, append_to_sheet, append_to_workbook
from .exceptions import BCDError, SourceError
from .filters import Filters
from .loading import DatasetCache, load_checked_config, load_dataset
from .period import Period
from .sheet_setup import init_sheet, open_spreadsheet
from .sheets import is_google_sheet
from .snapshot import CleanedStore, RecentFailures

# Altair validates every chart part as it is built ("debug mode", for tracebacks while writing charts) and the
# whole chart again when its spec is made (see ``chart_spec``). The app keeps the second only. Altair's default
# theme would add its own sizes to every chart: the app's charts are sized by Streamlit's theme instead.
alt.utils.schemapi.disable_debug_mode()
alt.theme.enable("none")

CONFIG_ENV = "BCD502_CONFIG"
SOURCE_ENV = "BCD502_SOURCE"
VIEW_TTL_SECONDS = 6 * 3600
T = TypeVar("T")

# What identifies an argument for the caches: one fetch of one source, one config directory, the filters,
# a function by its name, a small table by its pickled bytes. Results are shared by every session that asks
# with equal arguments. The key is written here rather than left to Streamlit's hash of every argument,
# which took a quarter of a page view's server time (a dozen cached calls with tuples and tables each).
_KEYS: dict[type, Callable[[Any], str]] = {
    Dataset: lambda d: f"D({d.source_id!r},{d.fetched_at.isoformat()},{d.boundaries})",
    Config: lambda c: f"C({str(c.directory)!r},{c.scope!r})",
    Filters: repr,
    Period: repr,
    types.FunctionType: lambda f: f"F({f.__module__}.{f.__qualname__})",
    str: repr,
    int: repr,
    float: repr,
    bool: repr,
    type(None): repr,
    dt.date: repr,
    dt.datetime: repr,
    bytes: lambda b: f"B({hashlib.blake2b(b).hexdigest()})",
}


def cache_key(value: Any) -> str:
    """The text that identifies ``value`` for the shared caches: equal texts, equal values. Tuples and lists
    by their items, a table (or anything else) by a digest of its pickled bytes."""
    if isinstance(value, (tuple, list)):
        return "(" + ",".join(map(cache_key, value)) + ")"
    key = _KEYS.get(type(value))
    if key is not None:
        return key(value)
    return f"P({hashlib.blake2b(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()})"


@st.cache_resource(show_spinner=False)
def get_config() -> Config:
    """The validated configuration (directory from BCD502_CONFIG, else config/), template included."""
    return load_checked_config(os.environ.get(CONFIG_ENV) or None)


# ---------------------------------------------------------------- secrets


def _secrets() -> dict[str, Any] | None:
    """The secrets, None when there are none at all (the demo). A secrets file that cannot be read stops the
    app rather than silently serving the demo's fictional figures."""
    files = [Path(p) for p in st.config.get_option("secrets.files") or []]
    try:
        secrets = st.secrets.to_dict()
    except Exception as error:  # no secrets at all, or a file that does not parse
        if any(f.is_file() for f in files):
            raise SourceError(
                "Không đọc được tệp bí mật .streamlit/secrets.toml (sai cú pháp TOML). Sửa tệp theo mẫu "
                "secrets.toml.example; khi đã có tệp bí mật, ứng dụng không dùng bảng tính mẫu."
            ) from error
        return None
    return secrets or None


def _gsheets() -> dict[str, Any] | None:
    """``[connections.gsheets]`` of the secrets, None when there are no secrets at all."""
    secrets = _secrets()
    if secrets is None:
        return None
    table = (secrets.get("connections") or {}).get("gsheets")
    if not isinstance(table, dict) or not table.get("spreadsheet"):
        raise SourceError(
            "Tệp .streamlit/secrets.toml chưa khai báo bảng tính: thêm mục [connections.gsheets] với khoá "
            "spreadsheet (địa chỉ Google Sheets) và các trường của tệp khoá tài khoản dịch vụ."
        )
    return table


def auth_settings() -> dict[str, Any] | None:
    """``[auth]`` of the secrets (sign-in on), None when it is absent (the demo runs open). An ``auth`` key
    that is not a table counts as sign-in on with nothing configured: closed, never open."""
    secrets = _secrets() or {}
    if "auth" not in secrets:
        return None
    table = secrets["auth"]
    return dict(table) if isinstance(table, dict) else {}


def source_spec(config: Config) -> str:
    """Which source the app reads: BCD502_SOURCE, then secrets, then (no secrets at all) the config's default."""
    if os.environ.get(SOURCE_ENV):
        return os.environ[SOURCE_ENV]
    table = _gsheets()
    return str(table["spreadsheet"]) if table else str(config.resolve_path(config.settings.default_source))


def credentials_from_secrets() -> dict[str, Any] | None:
    """The service-account fields of ``[connections.gsheets]`` (without the spreadsheet key), if any."""
    table = ((_secrets() or {}).get("connections") or {}).get("gsheets")
    if not isinstance(table, dict):
        return None
    info = {k: v for k, v in table.items() if k not in ("spreadsheet", "worksheet", "type_")}
    return info if info.get("private_key") else None


# ---------------------------------------------------------------- data


@st.cache_resource(show_spinner=False)
def _datasets(ttl_seconds: int, data_dir: str) -> DatasetCache:
    """The cleaned datasets, shared by every session: a workbook read again only when it changes, Google
    Sheets refreshed in the background after the config's TTL, both kept on disk (Parquet) across restarts."""
    return DatasetCache(ttl_seconds, CleanedStore(Path(data_dir) / "cleaned"), on_loaded=_settle)


def _settle(dataset: Dataset) -> None:
    """Once a dataset is loaded: collect what the previous one left, then move everything alive into the
    garbage collector's permanent generation. The dataset (hundreds of thousands of Python objects) is
    read-only for its whole life; without this, the full collection Streamlit runs after every script run
    walks all of it each time, most of the server's CPU per page view."""
    with _SETTLE_LOCK:
        gc.unfreeze()
        gc.collect()
        gc.freeze()


_SETTLE_LOCK = threading.Lock()


def _cache() -> DatasetCache:
    config = get_config()
    return _datasets(config.settings.cache_ttl_seconds, str(config.resolve_path(config.settings.data_dir)))


def _load(spec: str, config: Config) -> Dataset:
    """Fetch and clean ``spec`` (called by the cache, in a session or in a background refresh)."""
    return load_dataset(spec, config, credentials_info=credentials_from_secrets(), failures=_failures())


@st.cache_resource(show_spinner=False)
def _failures() -> RecentFailures:
    """The failed fetches of the last seconds, shared by every session: during an outage the sessions'
    reruns answer with the same message instead of each asking Google again."""
    return RecentFailures()


def get_dataset() -> Dataset:
    """The cleaned dataset, shared by every session (read-only: never modify it). A workbook is read again
    only when it changes; Google Sheets is refreshed in the background once ``cache_ttl_seconds`` have
    passed, so no visitor waits for it (see ``DatasetCache``)."""
    config, cache = get_config(), _cache()
    spec = source_spec(config)
    if cache.ready(spec, config):
        return cache.get(spec, config, _load)
    with st.spinner("Đang tải dữ liệu…"):
        return cache.get(spec, config, _load)


def refresh() -> None:
    """Read the source again now, for every session (a failure just remembered is forgotten first). The
    data kept meanwhile stays served; a failure is raised as its Vietnamese message and keeps it."""
    config, cache = get_config(), _cache()
    _failures().clear()
    with st.spinner("Đang đọc lại dữ liệu…"):
        cache.refresh(source_spec(config), config, _load)


@st.cache_data(show_spinner=False, max_entries=1024, ttl=VIEW_TTL_SECONDS)
def _copied(key: str, _function: Callable[..., T], _args: tuple) -> T:
    return _function(*_args)


def call(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)``, shared by every session calling it with equal arguments (see ``cache_key``); each
    session gets its own copy of the result."""
    return _copied(cache_key((function, args)), function, args)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=VIEW_TTL_SECONDS)
def _kept(key: str, _function: Callable[..., T], _args: tuple) -> T:
    return _function(*_args)


def shared(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` kept once for every session, never copied: for large results that nobody modifies
    (a dataset seen in a view of the communes). ``call`` hands each session its own copy, which for a dataset
    of 100,000 rows costs more than the rest of a page view."""
    return _kept(cache_key((function, args)), function, args)


@st.cache_data(show_spinner=False, max_entries=1024, ttl=VIEW_TTL_SECONDS)
def _vega_lite(key: str, _builder: Callable[..., alt.TopLevelMixin], _args: tuple, _kwargs: dict) -> dict[str, Any]:
    return _builder(*_args, **_kwargs).to_dict()


def chart_spec(builder: Callable[..., alt.TopLevelMixin], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The Vega-Lite spec (data included) of the chart ``builder(*args, **kwargs)``, made and validated once
    for every session asking with equal arguments: turning an Altair chart into its spec is a third of a
    page view's server time, the same work for every visitor."""
    return _vega_lite(cache_key((builder, args, sorted(kwargs.items()))), builder, args, kwargs)


def _filtered(function: Callable[..., T], dataset: Dataset, config: Config, filters: Filters, *args: Any) -> T:
    return function(filters.apply(dataset.activities), config, filters.period, *args)


def view(function: Callable[..., T], dataset: Dataset, config: Config, filters: Filters, *args: Any) -> T:
    """``function(activities, config, period, *args)`` for the filters' activities, cached by every argument."""
    return call(_filtered, function, dataset, config, filters, *args)


@st.cache_resource(show_spinner=False)
def _row_history() -> dict[str, list[tuple[Any, dict[str, int]]]]:
    """Row counts per tab of the last two fetches of each source, shared by all sessions."""
    return {}


def previous_fetch(dataset: Dataset) -> tuple[Any, dict[str, int]] | None:
    """The fetch time and per-tab row counts of the fetch before this one of the same source, if any."""
    history = _row_history().setdefault(dataset.source_id, [])
    counts = dict(zip(dataset.tab_stats["tab"], dataset.tab_stats["rows"]))
    if not history or history[-1][0] != dataset.fetched_at:
        history[:] = [*history[-1:], (dataset.fetched_at, counts)]
    return history[0] if len(history) > 1 else None


_HASHED_ROWS = 50_000  # Streamlit hashes larger frames by a sample of rows: those are not cached


@st.cache_data(show_spinner=False, max_entries=256, ttl=VIEW_TTL_SECONDS)
def _downloads(frame: pd.DataFrame, title: str) -> tuple[bytes, bytes]:
    return export.to_csv(frame), export.to_xlsx(frame, title)


def downloads(frame: pd.DataFrame, title: str) -> tuple[bytes, bytes]:
    """The CSV and XLSX bytes of a table, cached by its content (small tables only)."""
    if len(frame) >= _HASHED_ROWS:
        return export.to_csv(frame), export.to_xlsx(frame, title)
    return _downloads(frame, title)


def setup_spreadsheet(protect: bool = False):
    """Create the missing tabs of the configured Google Spreadsheet (administrators; needs editor rights).

    Uses the service account of the secrets, else the key file of the environment."""
    config = get_config()
    spreadsheet = open_spreadsheet(source_spec(config), credentials_info=credentials_from_secrets())
    return init_sheet(spreadsheet, config, protect=protect)


def write_refusal() -> str | None:
    """Why rows cannot be written to the configured source (the shipped demo workbook is read-only), or None."""
    if os.environ.get(SOURCE_ENV) or _gsheets() is not None:
        return None
    return (
        "Đang dùng bảng tính mẫu đi kèm ứng dụng: bản mẫu chỉ để xem, không ghi được. Kết nối bảng tính Google "
        "Sheets của đơn vị (docs/google-sheets.md) hoặc chỉ định tệp Excel của đơn vị bằng biến môi trường "
        f"{SOURCE_ENV} để nhập hoạt động."
    )


def append_row(organisation: str, values: dict[str, Any], row_id: str) -> Written:
    """Write one checked row into the organisation's tab of the configured source (Google Sheets, or the
    workbook file), then drop the cached data so every page shows the new row at once."""
    config = get_config()
    tab = config.organisations[organisation].tab
    spec = source_spec(config)
    refusal = write_refusal()
    if refusal:
        raise SourceError(refusal)
    if is_google_sheet(spec):
        spreadsheet = open_spreadsheet(spec, credentials_info=credentials_from_secrets())
        written = append_to_sheet(spreadsheet, config, tab, values, row_id)
    else:
        written = append_to_workbook(Path(spec), config, tab, values, row_id)
    refresh()
    return written


def closure_store() -> ClosureStore:
    """Where closed periods are frozen (under the data directory of settings), its register brought up to
    date with the «Chốt số liệu» tab of the data as last read (closings and reopenings of other servers)."""
    config = get_config()
    store = ClosureStore(config.resolve_path(config.settings.data_dir) / DIRECTORY)
    try:
        dataset = get_dataset()
    except BCDError:  # no data: nothing shared to bring in (the page shows why)
        return store
    if dataset.closure_register:
        shared, _ = read_register(dataset.closure_register, config.settings.year_start)
        store.merge(shared)
    return store


def record_closure(closure: Closure, action: str) -> str | None:
    """Record a closing or reopening in the «Chốt số liệu» tab of the source; the reason when it cannot be
    (the read-only demo), None once written."""
    refusal = write_refusal()
    if refusal:
        return refusal
    config = get_config()
    spec = source_spec(config)
    target = (
        open_spreadsheet(spec, credentials_info=credentials_from_secrets()) if is_google_sheet(spec) else Path(spec)
    )
    append_log_row(target, config.settings.tabs.closures, TAB_HEADER, register_row(closure, action))
    return None


@st.cache_resource(show_spinner=False)
def _sightings() -> tuple[threading.Lock, dict[str, None]]:
    return threading.Lock(), {}


def first_sight(key: str, keep: int = 10_000) -> bool:
    """True the first time any session of this server passes ``key`` (the most recent ``keep`` are kept)."""
    lock, seen = _sightings()
    with lock:
        if key in seen:
            return False
        seen[key] = None
        while len(seen) > keep:
            del seen[next(iter(seen))]
        return True
