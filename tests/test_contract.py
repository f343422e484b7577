"""The config is the contract: a unit with six indicators of its own gets a working app, CLI and drafts;
every config mistake is reported at start-up, all at once, in Vietnamese; no code of the shipped
config is written in lib/ or pages/."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from lib import indicators as ind
from lib import sheet_setup
from lib.config import DEFAULT_CONFIG_DIR
from lib.exceptions import ConfigError
from lib.loading import load_checked_config, load_dataset
from lib.period import Period
from lib.report import render_docx, render_markdown
from tests.conftest import clean_tab

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal_config"
HEADER = ["Ngày", "Thôn", "Tổ", "Chương trình", "Hoạt động", "Nội dung", "Phối hợp", "Số người tham gia",
          "Lượt được hỗ trợ"]  # fmt: skip
ROWS = {
    "Quân sự": [
        ["12/03/2025", "Đăng Gia", "Tổ 1", 2, "Làm đường giao thông nông thôn", "Làm 300 m đường", "Mặt trận", 40, ""],
        ["14/03/2026", "Đăng Gia", "Tổ 2", 2, "Làm đường giao thông nông thôn", "Làm 500 m đường", "Mặt trận", 55, ""],
        ["20/04/2026", "Bon Đưng", "Tổ 3", 1, "Họp dân", "Họp dân về phòng cháy rừng", "", 70, ""],
    ],
    "Công an": [["02/05/2026", "Toàn xã", "", 3, "Tuần tra an ninh", "Tuần tra dịp lễ", "", 12, ""]],
    "Mặt trận": [
        ["05/02/2025", "Bon Đưng", "Tổ 3", 2, "Thăm hỏi gia đình chính sách", "Tặng quà Tết", "", "", 30],
        ["25/01/2026", "Đăng Gia", "Tổ 1", 2, "Thăm hỏi gia đình chính sách", "Tặng quà Tết", "Quân sự", "", 45],
    ],
}


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for tab, rows in ROWS.items():
        sheet = book.create_sheet(tab)
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
    path = tmp_path_factory.mktemp("minimal") / "lac-duong.xlsx"
    book.save(path)
    return path


@pytest.fixture(scope="module")
def minimal():
    return load_checked_config(MINIMAL)


@pytest.fixture(scope="module")
def data(minimal, workbook):
    return load_dataset(str(workbook), minimal)


# ---------------------------------------------------------------- a unit with six indicators


def test_minimal_unit_computes_its_own_indicators(minimal, data):
    assert data.error_count == 0 and len(data.activities) == 6
    values = ind.values(data.activities, minimal, list(minimal.indicators), Period.year(2026))
    assert values == {
        "activities": 4,
        "participants": 137,
        "beneficiaries": 45,
        "communes_reached": 2,
        "villages_reached": 3,
        "organisations_active": 3,
    }


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_minimal_unit_drafts(minimal, data, fmt):
    period = Period.year(2026)
    text = render_markdown(data, minimal, period)
    assert "đã phối hợp tổ chức 4 hoạt động tại 2/3 thôn và 3/3 tổ" in text
    assert "thu hút 137 lượt người tham gia, tăng 97 lượt người so với cùng kỳ (01/01–02/05/2025)" in text
    assert "| Số hoạt động | hoạt động | 4 | 2 | +2 |" in text
    for absent in ("Ngày thứ 7", "Tết Nguyên đán", "nhập ngũ", "kinh phí", "vũ khí"):
        assert absent not in text
    assert "ngày … tháng … năm …" in text  # no signing date: the secretary fills it in
    if fmt == "docx":
        document = docx.Document(io.BytesIO(render_docx(data, minimal, period)))
        body = "\n".join(p.text for p in document.paragraphs)
        assert "Lạc Dương" in body and "137 lượt người" in body


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_minimal_unit_cli(workbook, tmp_path):
    common = ["--config", str(MINIMAL), "--source", str(workbook)]
    table = run("indicators", *common, "--year", "2026")
    assert table.returncode == 0, table.stderr
    assert re.search(r"participants\s+Người tham gia\s+người\s+137\s+40", table.stdout)
    for out in ("du-thao.md", "du-thao.docx"):
        result = run("report", *common, "--year", "2026", "--out", str(tmp_path / out))
        assert result.returncode == 0 and "Traceback" not in result.stderr
        assert (tmp_path / out).stat().st_size > 1000
    check = run("check", *common)
    assert check.returncode == 0 and "mọi dòng đều hợp lệ" in check.stdout


@pytest.fixture()
def minimal_app(monkeypatch, workbook):
    monkeypatch.setenv("BCD502_CONFIG", str(MINIMAL))
    monkeypatch.setenv("BCD502_SOURCE", str(workbook))
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


PAGES = [
    "tong_quan",
    "theo_xa",
    "theo_chuong_trinh",
    "theo_don_vi",
    "chat_luong",
    "bao_cao",
    "nguon_du_lieu",
]


@pytest.mark.usefixtures("minimal_app")
def test_minimal_unit_every_page(minimal, data):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["ky"] = "2026"
    at.run()
    cards = {m.label: m.value for m in at.metric}
    assert cards == {
        "Số hoạt động": "4",
        "Người tham gia": "137",
        "Số thôn có hoạt động": "2/3",
        "Số tổ có hoạt động": "3/3",
    }
    for page in PAGES:
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, page
        assert not at.error, (page, [e.value for e in at.error])
    at.switch_page("pages/bao_cao.py")
    at.run()
    assert any("137 lượt người tham gia" in m.value for m in at.markdown)


# ---------------------------------------------------------------- config mistakes, all at once, in Vietnamese


@pytest.fixture()
def copy(tmp_path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(MINIMAL, target)
    return target


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(directory: Path) -> list[str]:
    with pytest.raises(ConfigError) as error:
        load_checked_config(directory)
    assert error.value.message.startswith("Cấu hình không hợp lệ:")
    return error.value.problems


def test_unknown_code_in_dashboard(copy):
    edit(copy / "dashboard.yaml", lambda d: d["dashboard"]["overview"]["cards"].append("rounds"))
    assert problems(copy) == [
        "dashboard.yaml: dashboard.overview.cards[4]: chỉ số «rounds» không có trong indicators.yaml"
    ]


@pytest.mark.parametrize(
    "added, loop",
    [
        ([{"code": "loop", "name": "Vòng", "kind": "ratio", "numerator": "loop", "denominator": "activities"}],
         "loop → loop"),
        ([{"code": "a", "name": "A", "kind": "share", "numerator": "b"},
          {"code": "b", "name": "B", "kind": "ratio", "numerator": "a", "denominator": "activities"}], "a → b → a"),
    ],
)  # fmt: skip
def test_indicator_cycles_are_refused(copy, added, loop):
    edit(copy / "indicators.yaml", lambda d: d["indicators"].extend(added))
    found = problems(copy)
    assert len(found) == 1 and found[0].endswith(f"tham chiếu vòng tròn {loop}")


def test_template_naming_an_undeclared_indicator_is_refused_with_its_line(copy):
    (copy / "report.md.j2").write_text(
        "# Báo cáo {{ period.label }}\n\nSố hoạt động: {{ v.activities }}.\n\nSố đợt: {{ v.sat_rounds }}.\n",
        encoding="utf-8",
    )
    assert problems(copy) == [
        "report.md.j2 (dòng 5): Mẫu báo cáo dùng chỉ số «sat_rounds» không khai báo trong indicators.yaml."
    ]


def test_template_syntax_error_is_refused(copy):
    (copy / "report.md.j2").write_text("{% if v.activities %}\nmở mà không đóng\n", encoding="utf-8")
    [found] = problems(copy)
    assert found.startswith("Mẫu báo cáo report.md.j2 sai cú pháp ở dòng")


def test_every_problem_reported_at_once(copy):
    edit(copy / "indicators.yaml", lambda d: d["indicators"][1].update(measure="so_nguoi_tg"))
    edit(copy / "organisations.yaml", lambda d: d["organisations"][1].update(code="qs"))
    edit(copy / "settings.yaml", lambda d: d["settings"]["report"].update(highlights_per_programme="bốn"))
    edit(copy / "settings.yaml", lambda d: d["settings"]["report"].update(recipients="Lưu văn thư"))
    found = problems(copy)
    assert "settings.yaml: settings.report.highlights_per_programme: phải là số nguyên" in found
    assert any(p.startswith("settings.yaml: settings.report.recipients: phải là danh sách") for p in found)
    # references are checked once every file reads: fix the types, and both reference problems show together
    edit(copy / "settings.yaml", lambda d: d["settings"]["report"].update(highlights_per_programme=4, recipients=[]))
    found = problems(copy)
    assert found == ["organisations.yaml: organisations: mã đơn vị «qs» bị trùng (mỗi mã chỉ được khai báo một lần)"]
    edit(copy / "organisations.yaml", lambda d: d["organisations"][1].update(code="ca"))
    edit(copy / "dashboard.yaml", lambda d: d["dashboard"].update(notable_rank=["communes_reached"]))
    assert problems(copy) == [
        "indicators.yaml: indicators[1] (participants).measure: cột số liệu «so_nguoi_tg» không có trong cấu hình",
        "dashboard.yaml: dashboard.notable_rank[0]: chỉ số «communes_reached» phải là loại «sum» không có bộ lọc "
        "(giá trị của từng dòng hoạt động)",
        "dashboard.yaml: dashboard.notable_rank[0]: «communes_reached» phải có trong activity_list hoặc là money.total",
    ]


@pytest.mark.parametrize(
    "file, section, message",
    [
        ("programmes.yaml", "activity_types", "mã loại hoạt động «hop_dan» bị trùng"),
        ("indicators.yaml", "indicators", "mã chỉ số «activities» bị trùng"),
        ("columns.yaml", "measures", "mã cột số liệu «so_nguoi» bị trùng"),
    ],
)
def test_duplicate_codes_are_refused_before_they_collapse(copy, file, section, message):
    edit(copy / file, lambda d: d[section].append(dict(d[section][0], name="Trùng mã")))
    assert any(message in p for p in problems(copy))


def test_yaml_encodings(copy):
    text = (copy / "settings.yaml").read_text(encoding="utf-8")
    (copy / "settings.yaml").write_bytes(text.encode("utf-16"))  # with its byte-order mark: accepted
    assert load_checked_config(copy).settings.committee == "Ban Chỉ đạo 502 xã Lạc Dương"
    (copy / "settings.yaml").write_bytes(text.encode("cp1258", errors="replace"))  # saved as "ANSI"
    [found] = problems(copy)
    assert found.startswith("settings.yaml: tệp không được lưu bằng mã UTF-8")


def test_programme_hints_follow_the_config(minimal):
    assert minimal.programme_numbers == "1–3"
    rule = next(c.rule for c in sheet_setup.organisation_columns(minimal) if c.header == "Chương trình")
    assert "Chọn số chương trình phối hợp (1–3)." in str(rule)
    rows = [["Ngày", "Thôn", "Chương trình", "Hoạt động"], ["05/03/2024", "Đăng Gia", 9, "Họp dân"]]
    faulty = clean_tab(minimal, rows, tab="Quân sự")
    [issue] = faulty.issues.itertuples()
    assert issue.code == "programme.unknown" and "(1–3)" in issue.suggestion


# ---------------------------------------------------------------- no code of the config in Python


def _shipped_codes() -> set[str]:
    config = load_checked_config(DEFAULT_CONFIG_DIR)
    return {*config.indicators, *config.measures, *config.programmes, *config.activity_types}


def test_no_config_code_is_written_in_lib_or_pages():
    codes = _shipped_codes()
    found = []
    for path in sorted([*ROOT.glob("lib/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]):
        for literal in re.findall(r"""["']([A-Za-z_][A-Za-z0-9_]*)["']""", path.read_text(encoding="utf-8")):
            if literal in codes:
                found.append(f"{path.relative_to(ROOT)}: {literal}")
    assert found == []
