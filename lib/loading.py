"""Loading what the app and the CLI start from: the configuration, checked with its report template,
and a Dataset (open the source, fetch every configured tab, falling back to the last good snapshot
when Google Sheets cannot be reached, then clean)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .clean import clean, wanted_tabs
from .config import Config, load_config
from .dataset import Dataset
from .exceptions import ConfigError
from .report import template_problems
from .snapshot import RecentFailures, SnapshotStore, fetch_with_fallback
from .source import WorkbookSource, open_source


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
