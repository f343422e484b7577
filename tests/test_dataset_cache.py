"""The cache of cleaned datasets: a workbook read again only when it (or the config) changes, cleaned data
kept on disk and never shown when it does not match, Google Sheets refreshed in the background."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import threading
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fake_sheets import service_account_info

from lib.clean import wanted_tabs
from lib.config import Config, load_config
from lib.dataset import Dataset
from lib.exceptions import SourceError
from lib.loading import DatasetCache, load_dataset
from lib.snapshot import CLEANED_VERSION, TABLES, CleanedStore
from lib.source import WorkbookSource
from tests.conftest import DEMO

ROOT = Path(__file__).resolve().parent.parent
KEY = "1CacheDamRong502SpreadsheetKey012345678"
URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit"
TTL = 300


class Reads:
    """A loader (the real load_dataset) that counts its reads."""

    def __init__(self, **options):
        self.specs: list[str] = []
        self.options = options

    def __call__(self, spec: str, config: Config) -> Dataset:
        self.specs.append(spec)
        return load_dataset(spec, config, **self.options)

    @property
    def count(self) -> int:
        return len(self.specs)


def never(spec: str, config: Config) -> Dataset:
    raise AssertionError(f"{spec} was read again")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def same_content(first: Dataset, second: Dataset) -> None:
    """Equal tables, cell for cell and type for type."""
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(first, table), getattr(second, table), check_exact=True)
    assert (first.source_id, first.source_label, first.extra_columns) == (
        second.source_id,
        second.source_label,
        second.extra_columns,
    )


def same(first: Dataset, second: Dataset) -> None:
    """The same fetch: equal content and fetch time."""
    same_content(first, second)
    assert first.fetched_at == second.fetched_at


@pytest.fixture()
def workbook(tmp_path) -> Path:
    path = tmp_path / "du-lieu.xlsx"
    shutil.copy(DEMO, path)
    return path


def drop_last_row(path: Path, tab: str = "MTTQ") -> None:
    """Edit the workbook as a user would: the last row of a tab deleted, file saved again."""
    book = openpyxl.load_workbook(path)
    sheet = book[tab]
    sheet.delete_rows(sheet.max_row)
    book.save(path)


# ---------------------------------------------------------------- workbook: keys


def test_an_unchanged_workbook_is_read_once(config, workbook, tmp_path):
    reads = Reads()
    cache = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned"))
    first = cache.get(str(workbook), config, reads)
    for _ in range(3):
        assert cache.get(str(workbook), config, reads) is first
    assert reads.count == 1
    assert cache.ready(str(workbook), config)


def test_a_new_modification_time_reads_again(config, workbook, tmp_path):
    reads = Reads()
    cache = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned"))
    first = cache.get(str(workbook), config, reads)
    info = workbook.stat()
    os.utime(workbook, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    assert not cache.ready(str(workbook), config)
    second = cache.get(str(workbook), config, reads)
    assert reads.count == 2 and second is not first
    same_content(second, first)


def test_a_new_size_reads_again_even_with_the_same_modification_time(config, workbook, tmp_path):
    reads = Reads()
    cache = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned"))
    first = cache.get(str(workbook), config, reads)
    before = workbook.stat()
    drop_last_row(workbook)
    os.utime(workbook, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert workbook.stat().st_mtime_ns == before.st_mtime_ns and workbook.stat().st_size != before.st_size
    second = cache.get(str(workbook), config, reads)
    assert reads.count == 2
    assert len(second.activities) == len(first.activities) - 1


def test_a_changed_config_reads_again_an_equal_one_does_not(config, workbook, tmp_path):
    copy = tmp_path / "config"
    shutil.copytree(config.directory, copy)
    reads = Reads()
    cache = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned"))
    cache.get(str(workbook), load_config(copy), reads)
    cache.get(str(workbook), load_config(copy), reads)  # another Config object, the same files
    assert reads.count == 1
    settings = copy / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("committee: ", "committee: Thường trực "), encoding="utf-8")
    changed = load_config(copy)
    assert changed.settings.committee != config.settings.committee
    cache.get(str(workbook), changed, reads)
    assert reads.count == 2


def test_a_new_day_reads_again(config, workbook, tmp_path):
    """Dates are checked against today (a date ahead of today is an error): the key has the day."""
    reads, today = Reads(), [dt.date(2026, 11, 30)]
    cache = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned"), today=lambda: today[0])
    cache.get(str(workbook), config, reads)
    cache.get(str(workbook), config, reads)
    today[0] = dt.date(2026, 12, 1)
    cache.get(str(workbook), config, reads)
    assert reads.count == 2


def test_visitors_arriving_together_share_one_read(config, workbook, tmp_path):
    reads, started, release = Reads(), threading.Event(), threading.Event()

    def slow(spec: str, config: Config) -> Dataset:
        started.set()
        release.wait(30)
        return reads(spec, config)

    cache = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned"))
    results: list[Dataset] = []
    first = threading.Thread(target=lambda: results.append(cache.get(str(workbook), config, slow)))
    first.start()
    started.wait(30)
    others = [threading.Thread(target=lambda: results.append(cache.get(str(workbook), config, slow))) for _ in range(4)]
    for thread in others:
        thread.start()
    release.set()
    for thread in [first, *others]:
        thread.join(60)
    assert reads.count == 1 and len(results) == 5 and all(r is results[0] for r in results)


# ---------------------------------------------------------------- cleaned data on disk


def test_after_a_restart_an_unchanged_workbook_comes_from_disk(config, workbook, tmp_path):
    store = tmp_path / "cleaned"
    fresh = DatasetCache(TTL, CleanedStore(store)).get(str(workbook), config, Reads())
    restarted = DatasetCache(TTL, CleanedStore(store)).get(str(workbook), config, never)
    same(restarted, fresh)
    assert [type(p) for p in restarted.activities["partners"].dropna()] == [tuple] * fresh.activities[
        "partners"
    ].notna().sum()
    assert restarted.activities["village"].map(type).isin([str, type(None)]).all()
    assert restarted.years == fresh.years and restarted.error_count == fresh.error_count


def test_stored_data_of_a_workbook_changed_while_stopped_is_never_shown(config, workbook, tmp_path):
    store = tmp_path / "cleaned"
    before = DatasetCache(TTL, CleanedStore(store)).get(str(workbook), config, Reads())
    drop_last_row(workbook)
    reads = Reads()
    after = DatasetCache(TTL, CleanedStore(store)).get(str(workbook), config, reads)
    assert reads.count == 1
    assert len(after.activities) == len(before.activities) - 1
    same_content(after, load_dataset(str(workbook), config))
    # and the disk now holds the new data: a third start reads nothing
    again = DatasetCache(TTL, CleanedStore(store)).get(str(workbook), config, never)
    assert len(again.activities) == len(after.activities)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: (d / "activities.parquet").write_bytes((d / "activities.parquet").read_bytes()[:500]),
        lambda d: (d / "activities.parquet").unlink(),
        lambda d: shutil.copy(d / "issues.parquet", d / "activities.parquet"),
        lambda d: (d / "meta.json").write_text("{not json", encoding="utf-8"),
        lambda d: (d / "meta.json").write_text(
            (d / "meta.json").read_text(encoding="utf-8").replace(f'"version": {CLEANED_VERSION}', '"version": 0'),
            encoding="utf-8",
        ),
    ],
    ids=["truncated", "missing", "other-table", "broken-meta", "old-version"],
)
def test_a_damaged_store_is_ignored_and_rebuilt(config, workbook, tmp_path, damage):
    store = CleanedStore(tmp_path / "cleaned")
    cache = DatasetCache(TTL, store)
    fresh = cache.get(str(workbook), config, Reads())
    directory = store.path(DatasetCache.name(str(workbook), config))
    damage(directory)
    reads = Reads()
    rebuilt = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned")).get(str(workbook), config, reads)
    assert reads.count == 1
    same_content(rebuilt, fresh)
    restarted = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned")).get(str(workbook), config, never)
    same(restarted, rebuilt)


def test_a_dataset_parquet_cannot_hold_stays_in_memory(config, workbook, tmp_path):
    store = CleanedStore(tmp_path / "cleaned")
    dataset = load_dataset(str(workbook), config)
    odd = dataset.activities.copy()
    odd["village"] = odd["village"].astype(object)
    odd.loc[0, "village"] = 12  # not text: no way to store it faithfully
    assert not store.save("odd", "k", dataclasses.replace(dataset, activities=odd))
    assert store.load("odd", "k") is None
    assert not any(p.name.startswith(".cleaned-") for p in (tmp_path / "cleaned").iterdir())


def test_only_the_latest_stores_are_kept(config, workbook, tmp_path):
    store = CleanedStore(tmp_path / "cleaned", kept=2)
    dataset = load_dataset(str(workbook), config)
    for name in ("a", "b", "c"):
        assert store.save(name, "k", dataset)
    assert store.load("a", "k") is None and store.load("c", "k") is not None
    assert len([p for p in (tmp_path / "cleaned").iterdir() if not p.name.startswith(".")]) == 2


# ---------------------------------------------------------------- Google Sheets: refreshed in the background


@pytest.fixture()
def sheet(fake_sheets, config):
    raw = WorkbookSource(DEMO).fetch(wanted_tabs(config))
    tabs = {name: [list(row) for row in tab.values] for name, tab in raw.tabs.items()}
    fake_sheets.add_spreadsheet(KEY, tabs)
    return fake_sheets


def sheet_reads() -> Reads:
    return Reads(credentials_info=service_account_info(), use_snapshots=False)


def add_row(fake, tab: str = "MTTQ") -> None:
    """Someone adds a row to a tab (a copy of its last row)."""
    rows = fake.spreadsheets[KEY].tab(tab).rows
    rows.append(list(rows[-1]))


def test_a_spreadsheet_is_fetched_once_within_the_ttl(sheet, config, tmp_path):
    clock, reads = Clock(), sheet_reads()
    cache = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned"), clock=clock)
    first = cache.get(URL, config, reads)
    clock.now += TTL - 1
    assert cache.get(URL, config, reads) is first
    cache.wait()
    assert reads.count == 1 and sheet.count("batchGet") == 1


def test_after_the_ttl_visitors_get_the_kept_data_while_it_refreshes(sheet, config, tmp_path):
    clock, reads = Clock(), sheet_reads()
    cache = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned"), clock=clock)
    first = cache.get(URL, config, reads)
    add_row(sheet)
    held, release = threading.Event(), threading.Event()

    def hold(recorded):
        if recorded.kind == "batchGet":
            held.set()
            release.wait(30)

    sheet.on_reply = hold
    clock.now += TTL
    assert cache.get(URL, config, reads) is first  # served at once; the refresh starts behind it
    held.wait(30)  # the refresh is now waiting for Google's answer …
    for _ in range(5):  # … and every visitor meanwhile gets the kept data without waiting for it
        assert cache.get(URL, config, reads) is first
    release.set()
    cache.wait(60)
    sheet.on_reply = None
    refreshed = cache.get(URL, config, reads)
    assert refreshed is not first and len(refreshed.activities) == len(first.activities) + 1
    assert reads.count == 2 and sheet.count("batchGet") == 2


def test_one_background_refresh_at_a_time(sheet, config, tmp_path):
    clock, reads = Clock(), sheet_reads()
    cache = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned"), clock=clock)
    cache.get(URL, config, reads)
    held, release = threading.Event(), threading.Event()
    sheet.on_reply = lambda r: (held.set(), release.wait(30)) if r.kind == "batchGet" else None
    clock.now += TTL
    cache.get(URL, config, reads)
    held.wait(30)
    for _ in range(10):
        cache.get(URL, config, reads)
    release.set()
    cache.wait(60)
    assert reads.count == 2 and sheet.count("batchGet") == 2


def test_a_failed_background_refresh_keeps_the_data_and_says_so(sheet, config, tmp_path):
    clock, reads = Clock(), sheet_reads()
    cache = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned"), clock=clock)
    first = cache.get(URL, config, reads)
    sheet.fail(403, times=3)
    clock.now += TTL
    cache.get(URL, config, reads)
    cache.wait(60)
    kept = cache.get(URL, config, reads)
    assert kept.notice.startswith("Đang hiển thị dữ liệu lúc ") and "chưa làm mới được" in kept.notice
    same(kept, first)
    clock.now += TTL - 1  # not retried at every visit: the next try is a TTL later
    cache.get(URL, config, reads)
    cache.wait(60)
    assert reads.count == 2


def test_after_a_restart_the_last_spreadsheet_data_is_served_then_refreshed(sheet, config, tmp_path):
    store = tmp_path / "cleaned"
    before = DatasetCache(TTL, CleanedStore(store)).get(URL, config, sheet_reads())
    add_row(sheet)
    reads = sheet_reads()
    cache = DatasetCache(TTL, CleanedStore(store))
    served = cache.get(URL, config, reads)  # from disk, no request made for this visitor
    same(served, before)
    cache.wait(60)
    assert reads.count == 1  # the refresh ran in the background
    assert len(cache.get(URL, config, reads).activities) == len(before.activities) + 1


def test_refresh_reads_now_and_a_failure_keeps_the_data(config, workbook, tmp_path):
    reads = Reads()
    cache = DatasetCache(TTL, CleanedStore(tmp_path / "cleaned"))
    first = cache.get(str(workbook), config, reads)
    second = cache.refresh(str(workbook), config, reads)
    assert reads.count == 2 and second is not first and cache.get(str(workbook), config, never) is second

    def broken(spec: str, config: Config) -> Dataset:
        raise SourceError("Không đọc được tệp du-lieu.xlsx.")

    with pytest.raises(SourceError):
        cache.refresh(str(workbook), config, broken)
    assert cache.get(str(workbook), config, never) is second


def test_the_project_data_dir_is_not_tracked():
    assert "/data/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
