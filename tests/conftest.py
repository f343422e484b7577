"""Shared fixtures: the project's config, the demo workbook and small raw tabs built in tests."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import streamlit as st
from hypothesis import HealthCheck, settings
from streamlit.delta_generator import DeltaGenerator

from lib.clean import clean, wanted_tabs
from lib.config import Config, load_config
from lib.dataset import Dataset
from lib.raw import RawData, RawTab
from lib.source import WorkbookSource

pytest_plugins = ["fake_sheets"]  # the fake Sheets API fixture

# Property-based tests: bounded examples so the whole suite stays within minutes on two cores.
# "ci" draws the same examples on every run, so a run is repeatable; "deep" explores afresh (HYPOTHESIS_PROFILE=deep).
settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("deep", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo" / "dam-rong-demo.xlsx"
COMMUNE_CONFIG = ROOT / "tests" / "fixtures" / "commune_config"
HEADER = [
    "Ngày",
    "Xã",
    "Thôn",
    "Chương trình",
    "Loại hoạt động",
    "Nội dung",
    "Đơn vị phối hợp",
    "Số đợt",
    "Người tham gia",
    "Vận động, tài trợ (đồng)",
]
FETCHED = dt.datetime(2024, 12, 31, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config()


@pytest.fixture(scope="session")
def demo(config: Config) -> Dataset:
    return clean(WorkbookSource(DEMO).fetch(wanted_tabs(config)), config)


def raw_data(tabs: dict[str, list[list]], hidden: frozenset[str] = frozenset()) -> RawData:
    """RawData with the given tabs, as a source would return them."""
    return RawData(
        tabs={name: RawTab(name, rows, name in hidden) for name, rows in tabs.items()},
        available=list(tabs),
        source_id="test",
        source_label="Dữ liệu thử",
        fetched_at=FETCHED,
    )


def clean_tab(config: Config, rows: list[list], tab: str = "BCHQS") -> Dataset:
    """Clean one organisation tab (the other tabs exist but are empty)."""
    tabs = {name: [] for name in config.organisation_tabs}
    tabs[tab] = rows
    return clean(raw_data(tabs), config)


def without_fetch_time(draft: str) -> str:
    """A report draft with its data-basis fetch time blanked: a server that read the workbook at
    another moment than the test writes another time, and nothing else may differ."""
    return re.sub(r"đọc lúc [^.(]*", "đọc lúc …", draft)


@pytest.fixture()
def downloads(monkeypatch) -> list[dict]:
    """Every download_button call of a run: label, data and file name."""
    calls: list[dict] = []
    original = DeltaGenerator.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        calls.append({"label": label, "data": data, "file_name": file_name})
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    monkeypatch.setattr(st, "download_button", lambda *args, **kwargs: spy(st._main, *args, **kwargs))
    return calls
