"""The entry and tracker pages in AppTest: they read the whole configuration whatever period the sidebar
shows, check a row before writing it, and the tracker sees the row at once."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from lib.source import WorkbookSource
from tests.test_app import DEMO, ROOT


@pytest.fixture()
def workbook(tmp_path, monkeypatch):
    path = tmp_path / "so-lieu.xlsx"
    shutil.copy(DEMO, path)
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    settings = config / "settings.yaml"
    settings.write_text(
        settings.read_text("utf-8").replace("data_dir: data", f"data_dir: {tmp_path / 'data'}"), "utf-8"
    )
    monkeypatch.setenv("BCD502_SOURCE", str(path))
    monkeypatch.setenv("BCD502_CONFIG", str(config))
    return path


def page(path: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(path)
    at.run()
    return at


def test_a_row_entered_with_an_old_period_in_the_sidebar_is_checked_then_written(workbook):
    at = page("pages/nhap_hoat_dong.py", ky="2024")  # the sidebar shows 2024, before the communes merged
    assert not at.exception and [t.value for t in at.title] == ["Nhập hoạt động"]
    assert "Xã Đam Rông 1" in at.selectbox(key="entry_commune").options  # today's communes, not 2024's
    at.text_input(key="entry_participants").set_value("12,5,0")
    at.button(key="entry_submit").click().run()
    assert any("không rõ cách" in e.value for e in at.error) and not at.success
    at.text_input(key="entry_participants").set_value("1.200")
    at.button(key="entry_submit").click().run()
    assert not at.exception and at.success and "Đã ghi hoạt động vào dòng" in at.success[0].value
    values = WorkbookSource(workbook).fetch(["BCHQS"]).tabs["BCHQS"].values
    header = values[0]
    assert values[-1][header.index("Người tham gia")] == 1200

    at.switch_page("pages/theo_doi_bao_cao.py")
    at.run()
    assert not at.exception and [t.value for t in at.title] == ["Theo dõi nộp báo cáo"]
    assert next(m.value for m in at.metric if m.label == "Đúng hạn") == "1"  # the row just written, on time


def test_the_demo_workbook_is_read_only_on_the_entry_page(monkeypatch):
    monkeypatch.delenv("BCD502_SOURCE", raising=False)
    monkeypatch.delenv("BCD502_CONFIG", raising=False)
    at = page("pages/nhap_hoat_dong.py")
    assert any("bản mẫu chỉ để xem" in i.value for i in at.info)
    at.text_input(key="entry_participants").set_value("5")
    at.button(key="entry_submit").click().run()
    assert not at.success and any("bản mẫu chỉ để xem" in e.value for e in at.error)
