"""Closures recorded in the «Chốt số liệu» tab by another server, in AppTest on a workbook: the report page
adopts one whose id still matches the period's rows, refuses to draft one that does not (the administrator
can still reopen), and the quality page names the register rows it cannot read."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import closing
from lib.config import load_config
from lib.loading import load_dataset
from lib.period import Period
from tests.test_app import DEMO, ROOT

YEAR, QUARTER = Period.year(2024), Period.quarter(2024, 3)


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test's own config and data directory (the app keeps its config for the process)."""
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture()
def workbook(tmp_path, monkeypatch):
    """A copy of the demo with a register tab: 2024 closed elsewhere on today's rows, Q3 2024 closed on other
    rows, and one row nobody can read."""
    path = tmp_path / "so-lieu.xlsx"
    shutil.copy(DEMO, path)
    config_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", config_dir)
    settings = config_dir / "settings.yaml"
    settings.write_text(
        settings.read_text("utf-8").replace("data_dir: data", f"data_dir: {tmp_path / 'data'}"), "utf-8"
    )
    config = load_config(config_dir)
    year_id = closing.content_id(load_dataset(str(path), config), config, YEAR)
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet(config.settings.tabs.closures)
    for row in (
        closing.TAB_HEADER,
        [YEAR.label, "01/01/2024", "31/12/2024", year_id, 795, "a@x.vn", "09:00 ngày 15/01/2025", "Chốt"],
        [QUARTER.label, "01/07/2024", "30/09/2024", "000000000000", 3, "a@x.vn", "09:10 ngày 15/01/2025", "Chốt"],
        [QUARTER.label, "01/07/2024", "30/09/2024", "000000000000", 3, "a@x.vn", "chiều qua", "Mở lại"],
    ):
        sheet.append(row)
    book.save(path)
    monkeypatch.setenv("BCD502_SOURCE", str(path))
    monkeypatch.setenv("BCD502_CONFIG", str(config_dir))
    return tmp_path / "data" / closing.DIRECTORY, year_id


def page(path: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(path)
    at.run()
    return at


def test_a_closure_from_elsewhere_is_adopted_while_its_rows_are_unchanged(workbook):
    directory, year_id = workbook
    at = page("pages/bao_cao.py", ky=YEAR.key)
    assert not at.exception
    assert any(f"Số liệu chốt ngày 15/01/2025 (mã {year_id})" in i.value for i in at.info)
    assert (directory / f"{year_id}.pkl").is_file()  # frozen here from now on
    assert any("Xem trước" == s.value for s in at.subheader)


def test_a_closure_from_elsewhere_on_other_rows_gives_no_draft_but_can_be_reopened(workbook):
    at = page("pages/bao_cao.py", ky=QUARTER.key)
    assert not at.exception
    assert any("trên một máy chủ khác" in e.value and "000000000000" in e.value for e in at.error)
    assert not any("Xem trước" == s.value for s in at.subheader)
    assert not at.get("download_button")
    at.button(key="reopen_period").click().run()
    assert not at.exception and any(f"Đã mở lại số liệu {QUARTER.label}" in s.value for s in at.success)
    assert any("Xem trước" == s.value for s in at.subheader)


def test_the_quality_page_names_the_register_rows_it_cannot_read(workbook):
    at = page("pages/chat_luong.py", ky=QUARTER.key)
    assert not at.exception
    assert any("Dòng 4 của tab chốt số liệu không đọc được" in w.value for w in at.warning)
    assert any("trên một máy chủ khác" in w.value for w in at.warning)
