"""Who has reported: nil reports in the cleaner, the statuses of the tracker, rates and reminders."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from lib import reporting
from lib.clean import clean
from lib.config import DEFAULT_CONFIG_DIR, load_config
from lib.exceptions import ConfigError
from tests.conftest import raw_data

HEADER = ["Ngày", "Xã", "Chương trình", "Loại hoạt động", "Người tham gia", "Ngày nhập", "Mã dòng"]
TODAY = dt.date(2026, 11, 30)


def activity(day: str, entered: str = "", people: int = 10) -> list:
    return [day, "Xã Đam Rông 1", 2, "Ngày thứ 7 cùng nhân dân", people, entered, ""]


def nil(day: str, entered: str = "") -> list:
    return [day, "", "", "Không có hoạt động", "", entered, ""]


def dataset(config, tabs: dict[str, list[list]]):
    everything = {name: [] for name in config.organisation_tabs}
    everything.update({tab: [HEADER, *rows] for tab, rows in tabs.items()})
    return clean(raw_data(everything), config, today=TODAY)


def cell(tracker, organisation: str, cycle: str):
    table = tracker.table
    return table[(table["organisation"] == organisation) & (table["cycle"] == cycle)].iloc[0]


def test_a_nil_report_is_recorded_and_not_counted_as_an_activity(config):
    d = dataset(config, {"BCHQS": [activity("05/09/2026", "10/10/2026"), nil("30/10/2026", "02/11/2026")]})
    assert len(d.activities) == 1 and d.activities.iloc[0]["participants"] == 10
    assert d.nil_reports[["organisation", "row", "date", "entered"]].values.tolist() == [
        ["bchqs", 3, dt.date(2026, 10, 30), dt.date(2026, 11, 2)]
    ]
    assert d.issues.empty


def test_a_nil_report_alias_counts_and_one_without_a_readable_date_is_an_error(config):
    d = dataset(config, {"MTTQ": [[*nil("14/10/2026")[:3], "Không phát sinh", "", "", ""], nil("tháng 10")]})
    assert d.nil_reports["row"].tolist() == [2]
    errors = d.issues[d.issues["severity"] == "error"]
    assert set(errors["row"]) == {3} and {"date.invalid", "activity_type.unknown"} <= set(errors["code"])


def test_statuses_on_time_late_nil_missing_undated_and_not_due(config):
    d = dataset(
        config,
        {
            "BCHQS": [activity("05/09/2026", "14/10/2026")],  # due 14/10: on time on the day itself
            "Công an": [activity("20/09/2026", "15/10/2026")],  # a day late
            "MTTQ": [nil("30/09/2026", "01/10/2026")],  # nothing to report, said on time
            "Hội Phụ nữ": [activity("11/09/2026")],  # typed in the sheet without Ngày nhập
            "Hội Nông dân": [activity("03/11/2026", "04/11/2026")],  # November: due 14/12, not yet
        },
    )
    t = reporting.track(d, config, 2026, TODAY)
    assert cell(t, "bchqs", "month:T9")["status"] == "on_time"
    assert cell(t, "cong_an", "month:T9")["status"] == "late"
    mttq = cell(t, "mttq", "month:T9")
    assert (mttq["status"], mttq["nil"], mttq["rows"]) == ("on_time", True, 0)
    assert reporting.status_label(mttq) == "Không có hoạt động (đúng hạn)"
    assert cell(t, "phu_nu", "month:T9")["status"] == "undated"
    assert cell(t, "doan_tn", "month:T9")["status"] == "missing"
    assert cell(t, "nong_dan", "month:T11")["status"] == "on_time"  # in before its due day
    assert cell(t, "nong_dan", "month:T10")["status"] == "missing"
    assert cell(t, "ldld", "month:T11")["status"] == "not_due"  # nothing yet, but not due either
    assert cell(t, "bchqs", "quarter:Quý III")["due"] == dt.date(2026, 10, 14)
    assert "bcd" not in set(t.table["organisation"])  # the committee owes nobody a report
    assert "month:T12" not in set(t.table["cycle"])  # not started on 30/11
    grid = t.grid("month")
    assert grid.loc["MTTQ huyện", "T9"] == "Không có hoạt động (đúng hạn)"
    assert grid.loc["Huyện đoàn", "T9"] == "Chưa nộp"


def test_rates_count_only_cycles_already_due(config):
    d = dataset(
        config,
        {
            "BCHQS": [activity(f"05/{m:02d}/2026", f"10/{m + 1:02d}/2026") for m in range(1, 11)],
            "MTTQ": [activity(f"05/{m:02d}/2026") for m in range(1, 11)],  # no entry day: received, timing unknown
        },
    )
    t = reporting.track(d, config, 2026, TODAY)
    rates = t.rates().set_index("organisation")
    assert rates.loc["mttq", "Tỷ lệ nộp"] == "100%" and rates.loc["mttq", "Tỷ lệ đúng hạn"] == "–"
    # 10 months and quarters I–III are due by 30/11; all on time (Q III's rows entered by 14/10)
    assert rates.loc["bchqs", "Kỳ đã đến hạn"] == 13
    assert rates.loc["bchqs", "Đúng hạn"] == 13 and rates.loc["bchqs", "Tỷ lệ đúng hạn"] == "100%"
    assert rates.loc["cong_an", "Chưa nộp"] == 13 and rates.loc["cong_an", "Tỷ lệ nộp"] == "0%"


def test_reminder_names_each_overdue_cycle_with_its_due_day(config):
    d = dataset(config, {"Hội CCB": [activity("05/09/2026", "10/10/2026")]})
    t = reporting.track(d, config, 2026, TODAY)
    texts = reporting.reminders(t, config)
    assert "ccb" in texts and "bcd" not in texts
    text = texts["ldld"]
    assert text.startswith("Kính gửi: Liên đoàn Lao động huyện")
    assert "- Số liệu tháng 10 năm 2026 (01/10/2026–31/10/2026), hạn 14/11/2026" in text
    assert "«Không có hoạt động»" in text and "tab «LĐLĐ»" in text
    assert "tháng 9 năm 2026" not in texts["ccb"] and "tháng 10 năm 2026" in texts["ccb"]


def test_cycles_follow_a_reporting_year_starting_on_15_december(tmp_path):
    shutil.copytree(DEFAULT_CONFIG_DIR, tmp_path / "c")
    settings = tmp_path / "c" / "settings.yaml"
    settings.write_text(settings.read_text().replace("reporting_year_start: 01/01", "reporting_year_start: 15/12"))
    config = load_config(tmp_path / "c")
    d = dataset(config, {"BCHQS": [activity("20/12/2025", "10/02/2026")]})  # month 1 of 2026: 15/12–14/01
    t = reporting.track(d, config, 2026, TODAY)
    first = cell(t, "bchqs", "month:T1")
    assert (first["start"], first["end"], first["due"], first["status"]) == (
        dt.date(2025, 12, 15),
        dt.date(2026, 1, 14),
        dt.date(2026, 2, 14),
        "on_time",
    )


def test_calendar_problems_are_reported_at_start_up(tmp_path):
    shutil.copytree(DEFAULT_CONFIG_DIR, tmp_path / "c")
    path = tmp_path / "c" / "reporting.yaml"
    data = yaml.safe_load(path.read_text())
    data["reporting"]["cycles"][0]["organisations"].append("hoi_xyz")
    data["reporting"]["cycles"][1]["due_day"] = 31
    data["reporting"]["nil_activity"]["name"] = "Tuyên truyền"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "c")
    text = caught.value.message
    assert "reporting.yaml: reporting.cycles[1].due_day" in text
    path.write_text(path.read_text().replace("due_day: 31", "due_day: 14"))
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "c")
    assert "đơn vị «hoi_xyz» không có trong cấu hình" in caught.value.message
    assert "trùng loại hoạt động" in caught.value.message
