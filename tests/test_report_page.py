"""The Báo cáo page: number and signing date blank by default, set on the page; a date that does not fit
the period is flagged; the data basis is a download of its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo" / "dam-rong-demo.xlsx"


@pytest.fixture(autouse=True)
def demo_source(monkeypatch):
    monkeypatch.setenv("BCD502_SOURCE", str(DEMO))
    monkeypatch.delenv("BCD502_CONFIG", raising=False)


def date_notes(at: AppTest) -> list[str]:
    """The page's notes about the signing date (the demo also shows that sign-in is off)."""
    return [w.value for w in at.warning if w.icon == ":material/event_busy:"]


def report_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/bao_cao.py")
    at.run()
    return at


def _latest(downloads: list[dict], suffix: str, *, basis: bool = False) -> bytes:
    found = [d for d in downloads if d["file_name"].endswith(suffix) and d["file_name"].startswith("co-so") == basis]
    return found[-1]["data"]


def test_number_and_date_are_blank_until_set(downloads, demo):
    at = report_page()
    draft = _latest(downloads, ".md").decode("utf-8")
    assert "| Số: …/BC-BCĐ | *Đam Rông, ngày … tháng … năm …* |" in draft
    assert not date_notes(at) and not at.exception
    at.text_input(key="report_number").input("5").run()
    year = demo.latest_year + 1  # signed early in the year after the period
    at.date_input(key="report_signing").set_value(dt.date(year, 1, 8)).run()
    draft = _latest(downloads, ".md").decode("utf-8")
    assert f"| Số: 05/BC-BCĐ | *Đam Rông, ngày 08 tháng 01 năm {year}* |" in draft
    assert f"(Kèm theo Báo cáo số 05/BC-BCĐ ngày 08 tháng 01 năm {year} của Ban Chỉ đạo 502 huyện Đam Rông)" in draft
    assert not date_notes(at) and not at.exception


def test_the_data_basis_is_a_separate_download(downloads, demo):
    report_page()
    basis = _latest(downloads, ".md", basis=True).decode("utf-8")
    assert basis.startswith(f"# CƠ SỞ SỐ LIỆU CỦA DỰ THẢO BÁO CÁO NĂM {demo.latest_year}\n")
    assert "| Tab | Đơn vị | Dòng có dữ liệu |" in basis
    draft = _latest(downloads, ".md").decode("utf-8")
    assert "CƠ SỞ SỐ LIỆU" not in draft and "| Tab |" not in draft


def test_a_number_that_cannot_be_used_is_explained(downloads):
    at = report_page()
    at.text_input(key="report_number").input("5a").run()
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]  # as the page shows it (Markdown escapes resolved)
    assert shown == ["Số văn bản «5a» không hợp lệ: chỉ ghi chữ số, ví dụ 5 hoặc 05. Dự thảo đang để trống số."]
    assert "| Số: …/BC-BCĐ |" in _latest(downloads, ".md").decode("utf-8")  # the draft is still there


def test_a_date_long_after_the_period_is_flagged(demo):
    at = report_page()  # the latest year of the demo data
    end = dt.date(demo.latest_year, 12, 31)
    at.date_input(key="report_signing").set_value(end + dt.timedelta(days=200)).run()
    day = end + dt.timedelta(days=200)
    assert date_notes(at) == [
        f"Ngày ký {day:%d/%m/%Y} cách ngày cuối kỳ báo cáo ({end:%d/%m/%Y}) hơn ba tháng; "
        "kiểm tra lại ngày ký hoặc kỳ báo cáo ở thanh bên."
    ]
    assert not at.exception


class _Upload:
    """What st.file_uploader returns for an uploaded file."""

    def __init__(self, data: bytes):
        self.data, self.name = data, "du-thao-ky-truoc.md"

    def getvalue(self) -> bytes:
        return self.data


def _uploading(monkeypatch, data: bytes) -> None:
    """The previous draft «uploaded» on the page: the page's uploader returns it."""
    original = DeltaGenerator.file_uploader

    def uploader(self, label, *args, **kwargs):
        original(self, label, *args, **kwargs)  # the widget is still laid out
        return _Upload(data) if kwargs.get("key") == "report_previous" else None

    monkeypatch.setattr(DeltaGenerator, "file_uploader", uploader)
    monkeypatch.setattr(st, "file_uploader", lambda *args, **kwargs: uploader(st._main, *args, **kwargs))


PREVIOUS = "## I. ĐẶC ĐIỂM\n\nTình hình kỳ trước ổn định.\n\n## IV. PHƯƠNG HƯỚNG\n\n1. Giữ vững phối hợp.\n"


def test_the_previous_draft_uploaded_fills_empty_sections(downloads, monkeypatch):
    _uploading(monkeypatch, PREVIOUS.encode("utf-8"))
    at = report_page()
    draft = _latest(downloads, ".md").decode("utf-8")
    assert "\n\n[kiểm tra lại] Tình hình kỳ trước ổn định.\n\n" in draft
    assert "\n1. [kiểm tra lại] Giữ vững phối hợp.\n" in draft
    assert not at.error and not at.exception


def test_an_unreadable_previous_draft_is_explained_and_the_draft_stays(downloads, monkeypatch):
    _uploading(monkeypatch, b"\xff\xfe\x00")
    at = report_page()
    shown = [e.value.replace("\\", "") for e in at.error]
    assert shown == [
        "Không đọc được tệp dự thảo kỳ trước: cần tệp Markdown (.md) mã hoá UTF-8, như bản tải từ trang Báo cáo "
        "hoặc lập bằng lệnh report. Dự thảo chưa mang sang văn bản kỳ trước."
    ]
    assert "[kiểm tra lại]" not in _latest(downloads, ".md").decode("utf-8") and not at.exception
