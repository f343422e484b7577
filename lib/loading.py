"""Loading a Dataset: open the source, fetch every configured tab (falling back to the last good
snapshot when Google Sheets cannot be reached), then clean."""

from __future__ import annotations

from typing import Any

from .clean import clean, wanted_tabs
from .config import Config
from .dataset import Dataset
from .source import WorkbookSource, open_source


def load_dataset(
    spec: str | None,
    config: Config,
    *,
    credentials_file: str | None = None,
    credentials_info: dict[str, Any] | None = None,
    use_snapshots: bool = True,
) -> Dataset:
    """The cleaned data of ``spec`` (a workbook path or a Google Sheets URL/key; the config's
    default source when None)."""
    spec = spec or str(config.resolve_path(config.settings.default_source))
    source = open_source(spec, credentials_file=credentials_file, credentials_info=credentials_info)
    if isinstance(source, WorkbookSource):
        return clean(source.fetch(wanted_tabs(config)), config)
    from .snapshot import SnapshotStore, fetch_with_fallback

    store = SnapshotStore(config.resolve_path(config.settings.data_dir) / "snapshots") if use_snapshots else None
    raw = fetch_with_fallback(source, wanted_tabs(config), store)
    return clean(raw, config)
