"""Last-good snapshots: stored on success, served with a plain notice on failure, never overwritten by one."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from fake_sheets import FakeSheets

from lib.exceptions import SheetsError, SourceError
from lib.sheets import GoogleSheetsSource, RetryPolicy
from lib.snapshot import SnapshotStore, fetch_with_fallback
from lib.source import RawData, RawTab

KEY = "1SnApShOtKeY0123456789abcdefghij"
FAST = RetryPolicy(attempts=2, initial_wait=0.001, max_wait=0.002, total_seconds=5)
TABS = {
    "BCHQS": [["Ngày", "Xã", "Người tham gia"], [45352, "Đạ K'Nàng", 12], [], [45353.5, "Rô Men", 2.5, True]],
    "Hội Phụ nữ": [["Ngày"]],
}


class FailingSource:
    """A source whose refresh always fails (the Source protocol, for the notice wording)."""

    source_id = f"gsheet:{KEY}"
    label = "Google Sheets"

    def fetch(self, tab_names: list[str]) -> RawData:
        raise SheetsError("Máy chủ Google Sheets đang gặp sự cố (mã 503, đã thử 5 lần). Thử lại sau ít phút.")


def sample(fetched_at: dt.datetime) -> RawData:
    return RawData(
        tabs={n: RawTab(n, v, hidden=n == "Hội Phụ nữ") for n, v in TABS.items()},
        available=[*TABS, "Hướng dẫn"],
        source_id=f"gsheet:{KEY}",
        source_label="Google Sheets «BCĐ 502»",
        fetched_at=fetched_at,
    )


def sheets_source(fake: FakeSheets) -> GoogleSheetsSource:
    return GoogleSheetsSource(KEY, fake.client(), retry=FAST)


def test_round_trip_keeps_tabs_types_and_time(tmp_path):
    store = SnapshotStore(tmp_path)
    raw = sample(dt.datetime(2026, 11, 29, 14, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    store.save(raw)
    loaded = store.load(raw.source_id)
    assert loaded == raw
    assert [type(c) for c in loaded.tabs["BCHQS"].values[3]] == [float, str, float, bool]
    assert store.load("gsheet:other") is None
    assert [p.name for p in tmp_path.iterdir()] == [store.path(raw.source_id).name]


def test_notice_says_when_and_why(tmp_path):
    store = SnapshotStore(tmp_path)
    store.save(sample(dt.datetime(2026, 11, 29, 14, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))))
    raw = fetch_with_fallback(FailingSource(), list(TABS), store)
    assert raw.notice == (
        "Đang hiển thị dữ liệu lúc 14:05 ngày 29/11/2026 vì không kết nối được Google Sheets: "
        "Máy chủ Google Sheets đang gặp sự cố (mã 503, đã thử 5 lần). Thử lại sau ít phút."
    )
    assert raw.tabs == sample(raw.fetched_at).tabs


def test_success_is_stored_then_served_after_a_failure(fake_sheets, tmp_path):
    fake_sheets.add_spreadsheet(KEY, TABS)
    store = SnapshotStore(tmp_path / "snapshots")
    fresh = fetch_with_fallback(sheets_source(fake_sheets), list(TABS), store)
    assert fresh.notice is None and store.load(fresh.source_id).tabs == fresh.tabs

    fake_sheets.fail(500, times=10)
    stale = fetch_with_fallback(sheets_source(fake_sheets), list(TABS), store)
    assert stale.tabs == fresh.tabs
    assert stale.notice.startswith(
        f"Đang hiển thị dữ liệu lúc {fresh.fetched_at:%H:%M ngày %d/%m/%Y} "
        "vì không kết nối được Google Sheets: Máy chủ Google Sheets đang gặp sự cố"
    )


def test_failed_or_partial_fetch_never_overwrites_the_snapshot(fake_sheets, tmp_path):
    fake_sheets.add_spreadsheet(KEY, TABS)
    store = SnapshotStore(tmp_path)

    def load() -> RawData:  # every load asks Google again (no failure remembered between them)
        return fetch_with_fallback(sheets_source(fake_sheets), list(TABS), store, failures=None)

    good = load()
    before = store.path(good.source_id).read_bytes()

    fake_sheets.spreadsheets[KEY].tab("BCHQS").rows.append([45400, "Phi Liêng", 99])
    fake_sheets.fail(503, times=10, kind="batchGet")  # metadata answers, values do not: a partial fetch
    served = load()
    assert served.notice and served.tabs == good.tabs
    fake_sheets.fail(429, times=10)
    load()
    assert store.path(good.source_id).read_bytes() == before

    fake_sheets.failures.clear()
    newer = load()
    assert newer.notice is None and store.load(good.source_id).tabs["BCHQS"].values[-1] == [45400, "Phi Liêng", 99]


def test_without_snapshot_the_error_is_raised(fake_sheets, tmp_path):
    fake_sheets.add_spreadsheet(KEY, TABS, shared=False)
    with pytest.raises(SourceError, match="chưa được chia sẻ"):
        fetch_with_fallback(sheets_source(fake_sheets), list(TABS), SnapshotStore(tmp_path))
    with pytest.raises(SourceError):
        fetch_with_fallback(sheets_source(fake_sheets), list(TABS), None)
    assert not list(tmp_path.iterdir())


def test_unreadable_snapshot_counts_as_none(tmp_path):
    store = SnapshotStore(tmp_path)
    store.path(FailingSource.source_id).write_text("{not json", encoding="utf-8")
    assert store.load(FailingSource.source_id) is None
    with pytest.raises(SheetsError):
        fetch_with_fallback(FailingSource(), ["BCHQS"], store)


def test_interrupted_write_leaves_the_old_snapshot_and_no_temporary_file(tmp_path):
    store = SnapshotStore(tmp_path)
    good = sample(dt.datetime(2026, 11, 29, 14, 5, tzinfo=dt.UTC))
    store.save(good)
    broken = RawData(
        tabs={"BCHQS": RawTab("BCHQS", [[float("nan")]])},
        available=["BCHQS"],
        source_id=good.source_id,
        source_label="x",
        fetched_at=good.fetched_at,
    )
    with pytest.raises(ValueError):
        store.save(broken)
    assert store.load(good.source_id) == good
    assert [p.name for p in tmp_path.iterdir()] == [store.path(good.source_id).name]


def test_an_older_snapshot_never_replaces_a_newer_one(tmp_path):
    store = SnapshotStore(tmp_path)
    newer = sample(dt.datetime(2026, 11, 29, 14, 5, tzinfo=dt.UTC))
    older = replace(newer, tabs={"BCHQS": RawTab("BCHQS", [["cũ"]])}, fetched_at=newer.fetched_at - dt.timedelta(1))
    assert store.save(newer) and not store.save(older)
    assert store.load(newer.source_id) == newer
    assert store.save(replace(newer, fetched_at=newer.fetched_at + dt.timedelta(seconds=1)))


def test_a_slow_refresh_finishing_last_keeps_the_newer_snapshot(fake_sheets, tmp_path):
    """Session A asks for the values, its answer is held up; session B refreshes meanwhile and
    stores newer data; A's older data, arriving last, must not replace it."""
    fake_sheets.add_spreadsheet(KEY, TABS)
    store = SnapshotStore(tmp_path)
    held, release = threading.Event(), threading.Event()

    def hold_first_values(request) -> None:
        if request.kind == "batchGet" and not held.is_set():
            held.set()
            release.wait(10)

    fake_sheets.on_reply = hold_first_values
    results = {}
    slow = threading.Thread(
        target=lambda: results.setdefault("slow", fetch_with_fallback(sheets_source(fake_sheets), list(TABS), store))
    )
    slow.start()
    assert held.wait(10)
    fake_sheets.spreadsheets[KEY].tab("BCHQS").rows.append([45400, "Phi Liêng", 99])
    quick = fetch_with_fallback(sheets_source(fake_sheets), list(TABS), store)
    release.set()
    slow.join(10)
    assert results["slow"].fetched_at < quick.fetched_at
    assert results["slow"].tabs["BCHQS"].values[-1] != [45400, "Phi Liêng", 99]
    assert store.load(quick.source_id).tabs == quick.tabs
    assert store.load(quick.source_id).tabs["BCHQS"].values[-1] == [45400, "Phi Liêng", 99]


def test_stray_cells_survive_a_snapshot(tmp_path):
    store = SnapshotStore(tmp_path)
    raw = sample(dt.datetime(2026, 11, 29, 14, 5, tzinfo=dt.UTC))
    raw = replace(raw, tabs={**raw.tabs, "BCHQS": replace(raw.tabs["BCHQS"], stray=[(1048576, 16383, "x")])})
    store.save(raw)
    assert store.load(raw.source_id) == raw
