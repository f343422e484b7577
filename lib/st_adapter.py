"""The one module of lib/ that touches Streamlit: the shared data cache, the caches of the pages' tables
(per fetch and filters) and secrets access.

Pages call ``get_dataset()``; one fetch is shared by all sessions for the configured TTL, and
``refresh()`` forces the next call to fetch again (the "Làm mới dữ liệu" button).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from . import export
from .config import Config, load_config
from .dataset import Dataset
from .loading import load_dataset

CONFIG_ENV = "BCD502_CONFIG"
SOURCE_ENV = "BCD502_SOURCE"
VIEW_TTL_SECONDS = 6 * 3600
T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def get_config() -> Config:
    """The validated configuration (directory from BCD502_CONFIG, else config/)."""
    return load_config(os.environ.get(CONFIG_ENV) or None)


def source_spec(config: Config) -> str:
    """Which source the app reads: BCD502_SOURCE, then secrets, then the config's default."""
    return (
        os.environ.get(SOURCE_ENV)
        or source_spec_from_secrets()
        or str(config.resolve_path(config.settings.default_source))
    )


def _secrets_table() -> dict[str, Any] | None:
    try:
        table = st.secrets.get("connections", {}).get("gsheets")
    except Exception:  # no secrets.toml at all is the normal demo case
        return None
    return dict(table) if table else None


def source_spec_from_secrets() -> str | None:
    """The spreadsheet URL or key from ``[connections.gsheets] spreadsheet``, if configured."""
    table = _secrets_table()
    return str(table["spreadsheet"]) if table and table.get("spreadsheet") else None


def credentials_from_secrets() -> dict[str, Any] | None:
    """The service-account fields of ``[connections.gsheets]`` (without the spreadsheet key)."""
    table = _secrets_table()
    if not table:
        return None
    info = {k: v for k, v in table.items() if k not in ("spreadsheet", "worksheet", "type_")}
    return info if info.get("private_key") else None


@st.cache_resource(show_spinner=False)
def _loader(ttl_seconds: int):
    """A cached loader whose TTL comes from the config (st.cache_resource takes it at decoration)."""

    # cache_resource, not cache_data: every run gets the one shared Dataset instead of unpickling a copy of the
    # whole table; pages and lib/ only read it (every selection makes a new frame).
    @st.cache_resource(ttl=ttl_seconds, show_spinner="Đang tải dữ liệu…", max_entries=4)
    def load(spec: str, config_dir: str) -> Dataset:
        return load_dataset(spec, get_config(), credentials_info=credentials_from_secrets())

    return load


def get_dataset() -> Dataset:
    """The cleaned dataset, one fetch shared by every session for ``cache_ttl_seconds`` (read-only: never modify it)."""
    config = get_config()
    return _loader(config.settings.cache_ttl_seconds)(source_spec(config), str(config.directory))


def dataset_key(dataset: Dataset, config: Config) -> tuple[str, str, str]:
    """What identifies one fetch of the data: the source, the fetch time and the config directory.

    Results computed from one fetch are shared under this key without hashing the data itself; a refresh gives a new fetch time, hence new keys."""
    return dataset.source_id, dataset.fetched_at.isoformat(), str(config.directory)


@st.cache_data(show_spinner=False, max_entries=1024, ttl=VIEW_TTL_SECONDS)
def _cached(name: str, function_id: int, key: tuple, _compute: Callable[[], Any]) -> Any:
    return _compute()


def cached(function: Callable[..., Any], key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` (which calls ``function``), shared by all sessions for the same ``key``.

    ``key`` must name everything the result depends on besides the function (dataset_key, filters, …),
    as hashable plain values; the function's identity is part of the key too."""
    return _cached(f"{function.__module__}.{function.__qualname__}", id(function), key, compute)


_HASHED_ROWS = 50_000  # Streamlit hashes larger frames by a sample of rows: those are not cached


@st.cache_data(show_spinner=False, max_entries=256, ttl=VIEW_TTL_SECONDS)
def _downloads(frame: pd.DataFrame, title: str) -> tuple[bytes, bytes]:
    return export.to_csv(frame), export.to_xlsx(frame, title)


def downloads(frame: pd.DataFrame, title: str) -> tuple[bytes, bytes]:
    """The CSV and XLSX bytes of a table, cached by its content (small tables only)."""
    if len(frame) >= _HASHED_ROWS:
        return export.to_csv(frame), export.to_xlsx(frame, title)
    return _downloads(frame, title)


def refresh() -> None:
    """Force the next ``get_dataset()`` to fetch again, for every session."""
    _loader(get_config().settings.cache_ttl_seconds).clear()


def setup_spreadsheet(protect: bool = False):
    """Create the missing tabs of the configured Google Spreadsheet (administrators; needs editor rights).

    Uses the service account of the secrets, else the key file of the environment."""
    from .sheet_setup import init_sheet, open_spreadsheet

    config = get_config()
    spreadsheet = open_spreadsheet(source_spec(config), credentials_info=credentials_from_secrets())
    return init_sheet(spreadsheet, config, protect=protect)
