"""The command line, run as a user would, on the demo and on another unit's config."""

import json
import re
import subprocess
import sys

import openpyxl
import pytest

from tests.conftest import COMMUNE_CONFIG, DEMO, ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_check_lists_faulty_rows_and_exits_1(demo):
    result = run("check", "--source", str(DEMO))
    assert result.returncode == 1
    errors = demo.issues[demo.issues["severity"] == "error"]
    for issue in errors.itertuples():
        line = next(
            text for text in result.stdout.splitlines() if issue.value and issue.value in text and issue.tab in text
        )
        assert f" {issue.row} " in line and issue.message in line
    assert "4 lỗi, 7 cảnh báo" in result.stdout and "1 dòng ngoài địa bàn không tính." in result.stdout
    assert (demo.error_count, demo.warning_count) == (4, 7)


def test_indicators_json_reproduces_the_report(demo):
    result = run("indicators", "--source", str(DEMO), "--year", "2024", "--format", "json")
    assert result.returncode == 0, result.stderr
    values = {r["indicator"]: r["value"] for r in json.loads(result.stdout)["indicators"]}
    assert (
        values["sat_rounds"] == 72
        and values["tet_total"] == 5_993_175_000
        and values["campaign_total"] == 4_080_000_000
    )


def test_indicators_table_by_commune_in_vietnamese_format():
    args = ("indicators", "--source", str(DEMO), "--year", "2024", "--by", "commune", "--only", "sat_villages")
    recorded = run(*args, "--boundaries", "as-recorded")
    assert recorded.returncode == 0 and "Chỉ số năm 2024 (so với cùng kỳ năm 2023)" in recorded.stdout
    assert "Liêng Srônh" in recorded.stdout and "Xã Đam Rông 2" not in recorded.stdout
    current = run(*args)  # today's communes by default: 2024 mapped onto the four merged communes
    assert current.returncode == 0 and "Liêng Srônh" not in current.stdout
    villages = re.findall(r"^Xã Đam Rông \d .* thôn +(\d+) +\d+$", current.stdout, re.M)
    assert [int(v) for v in villages] == [13, 16, 13, 11]  # 53 villages, as the 8 communes had


def test_bad_source_and_period_give_vietnamese_errors(tmp_path):
    missing = run("check", "--source", str(tmp_path / "khong-co.xlsx"))
    assert missing.returncode == 2 and "Không tìm thấy tệp" in missing.stderr and "Traceback" not in missing.stderr
    period = run("indicators", "--source", str(DEMO), "--period", "năm ngoái")
    assert period.returncode == 2 and "Không hiểu kỳ báo cáo «năm ngoái»" in period.stderr


@pytest.fixture
def commune_workbook(tmp_path):
    """A tiny workbook for the post-2025 commune unit of tests/fixtures/commune_config."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    header = [
        "Ngày",
        "Xã",
        "Thôn",
        "Chương trình",
        "Loại hoạt động",
        "Số đợt",
        "Người tham gia",
        "Vận động, tài trợ (đồng)",
    ]
    rows = {
        "Quân sự xã": [
            ["07/03/2026", "Phi Liêng", "Đạ Ra Hoa", 2, "Ngày thứ 7 cùng nhân dân", 1, 40, "12.000.000"],
            ["14/03/2026", "Khu vực Đạ K'Nàng", "Pul", 2, "Ngày thứ 7 cùng nhân dân", 1, 35, ""],
        ],
        "Công an xã": [["20/03/2026", "Toàn xã", "", 3, "Thu hồi vũ khí", 2, 60, ""]],
        "MTTQ xã": [
            ["05/02/2026", "Đạ K'Nàng", "Bù Gia Rá", 2, "Tặng quà Tết", "", "", "8.500.000"],
            ["06/02/2026", "Rô Men", "", 2, "Tặng quà Tết", "", "", "1.000.000"],
        ],
        "Đoàn xã": [],
    }
    for tab, data in rows.items():
        sheet = wb.create_sheet(tab)
        sheet.append(header)
        for row in data:
            sheet.append(row)
    path = tmp_path / "commune.xlsx"
    wb.save(path)
    return path


def test_another_units_config_works_end_to_end(commune_workbook):
    result = run(
        "indicators",
        "--config",
        str(COMMUNE_CONFIG),
        "--source",
        str(commune_workbook),
        "--year",
        "2026",
        "--format",
        "json",
        "--only",
        "sat_rounds,sat_villages,participants,mobilised,communes_reached",
    )
    assert result.returncode == 0, result.stderr
    values = {r["indicator"]: r["value"] for r in json.loads(result.stdout)["indicators"]}
    assert values == {
        "sat_rounds": 2,
        "sat_villages": 2,
        "participants": 135,
        "mobilised": 20_500_000,
        "communes_reached": 2,
    }
    check = run("check", "--config", str(COMMUNE_CONFIG), "--source", str(commune_workbook))
    assert check.returncode == 1
    assert "Xã «Rô Men» không có trong danh mục." in check.stdout  # a district commune is unknown to this unit
