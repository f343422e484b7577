"""The Markdown report draft: the reference report's figures from the demo data, other periods and
units, honest gaps, escaping of spreadsheet text, traceability and the command line."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import replace

import pandas as pd
import pytest
from conftest import COMMUNE_CONFIG, DEMO, HEADER, clean_tab, raw_data

from lib import indicators as I
from lib.clean import clean
from lib.cli import main
from lib.config import load_config
from lib.exceptions import ReportError
from lib.formatting import money, number
from lib.period import Period
from lib.report import md, render_basis, render_markdown

SIGNED = dt.date(2024, 12, 5)

# Every figure of the committee's 2024 report that comes from the data, written the Vietnamese way.
REFERENCE_FIGURES = [
    "72 đợt",
    "53 thôn",
    "8.520 người",
    "95 km",
    "5.254 cây",
    "26,5 km",
    "15,2 km",
    "423,8 triệu đồng",
    "4.080 triệu đồng",
    "2.815 triệu đồng",
    "1.265 triệu đồng",
    "5.993.175.000 đồng",
    "11.658 lượt người",
    "2.872.300.000 đồng",
    "4.272",
    "2.410.875.000 đồng",
    "5.986",
    "710.000.000 đồng",
    "1.400",
    "100%",
    "24 súng tự chế",
    "04 súng hơi",
    "15.000.000 đồng",
    "65,07%",
    "87.255,8 ha",
]


@pytest.fixture(scope="module")
def draft_2024(demo, config) -> str:
    return render_markdown(demo, config, Period.year(2024), signing_date=SIGNED)


@pytest.mark.parametrize("figure", REFERENCE_FIGURES)
def test_annual_draft_has_every_reference_figure(draft_2024, figure):
    assert figure in draft_2024


def test_header_title_and_sections_follow_the_period(draft_2024):
    assert "| HUYỆN ỦY ĐAM RÔNG | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |" in draft_2024
    assert "**Độc lập - Tự do - Hạnh phúc**" in draft_2024
    assert "Số: …/BC-BCĐ" in draft_2024
    assert "*Đam Rông, ngày 05 tháng 12 năm 2024*" in draft_2024
    assert "\n# BÁO CÁO\n" in draft_2024
    assert "năm 2024; phương hướng, nhiệm vụ năm 2025**" in draft_2024
    headings = re.findall(r"^## (.+)$", draft_2024, re.M)
    assert headings == [
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "II. KẾT QUẢ PHỐI HỢP HOẠT ĐỘNG NĂM 2024",
        "III. ĐÁNH GIÁ CHUNG",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2025",
    ]


def test_one_subsection_per_programme_in_order(draft_2024, config):
    subsections = re.findall(r"^### (\d+)\. (.+)$", draft_2024, re.M)
    programmes = sorted(config.programmes.values(), key=lambda p: p.number)
    assert subsections[: len(programmes)] == [(str(p.number), p.name) for p in programmes]


def test_unit_profile_comes_from_config(draft_2024):
    assert "gồm 08 xã với 53 thôn" in draft_2024
    assert "6/8 xã đã đạt chuẩn nông thôn mới" in draft_2024
    assert "(Liêng Srônh và Đạ Long)" in draft_2024
    assert "27/53 thôn đặc biệt khó khăn" in draft_2024
    assert "58.706 người" in draft_2024 and "38.202 người" in draft_2024


def test_footnotes_are_referenced_and_defined(draft_2024):
    refs = set(re.findall(r"\[\^(\w+)\](?!:)", draft_2024))
    definitions = set(re.findall(r"^\[\^(\w+)\]:", draft_2024, re.M))
    assert refs == definitions and {"t7", "dvtt", "tet"} <= refs
    tet = re.search(r"^\[\^tet\]: (.+)$", draft_2024, re.M)[1]
    assert "2.872.300.000 đồng/4.272 lượt người" in tet and "710.000.000 đồng/1.400 lượt người" in tet


def test_notable_activities_come_from_row_content(draft_2024, demo):
    rows = I.in_period(demo.activities, Period.year(2024))
    assert (
        "- Huấn luyện dân quân kết hợp làm công tác dân vận giúp dân (8/8 xã, 8 lần; 268 người tham gia)." in draft_2024
    )
    assert "Huấn luyện dân quân kết hợp làm công tác dân vận giúp dân" in set(rows["content"])


def test_narratives_of_the_year_fill_sections_three_and_four(draft_2024, demo):
    assessment = demo.narratives[(demo.narratives["kind"] == "assessment") & (demo.narratives["period"] == "2024")]
    directions = demo.narratives[(demo.narratives["kind"] == "directions") & (demo.narratives["period"] == "2025")]
    for text in [*assessment["text"], *directions["text"]]:
        assert text in draft_2024
    assert "### 1. Ưu điểm" in draft_2024 and "### 2. Hạn chế" in draft_2024
    assert "1. [kiểm tra lại] Tiếp tục nắm tình hình" in draft_2024
    section_three = draft_2024.split("## III.")[1].split("<!-- cột: trái -->")[0]
    assert "[Cần bổ sung" not in section_three


def test_recipients_and_signature_from_config(draft_2024, config):
    for recipient in config.settings.report.recipients:
        assert f"- {recipient}" in draft_2024
    assert "**TRƯỞNG BAN CHỈ ĐẠO**" in draft_2024 and "**Nguyễn Văn Thành**" in draft_2024


def test_data_basis_traces_rows_in_a_download_of_its_own(draft_2024, demo, config):
    appendix = render_basis(demo, config, Period.year(2024))
    assert appendix.startswith("# CƠ SỞ SỐ LIỆU CỦA DỰ THẢO BÁO CÁO NĂM 2024\n")
    assert "CƠ SỞ SỐ LIỆU" not in draft_2024 and "Nguồn:" not in draft_2024  # not in the signable document
    used = I.in_period(demo.activities, Period.year(2024))
    assert f"Nguồn: {demo.source_label}" in appendix
    assert f"dùng {number(len(used))} dòng hoạt động trong kỳ" in appendix
    assert f"{demo.error_count} lỗi" in appendix
    for stats in demo.tab_stats.to_dict("records"):
        in_tab = int((used["tab"] == stats["tab"]).sum())
        assert f"| {stats['tab']} |" in appendix
        assert re.search(
            rf"\| {re.escape(stats['tab'])} \|[^|]+\| {stats['rows']} \| {stats['accepted']} \| {stats['excluded']} \| {in_tab} \|",
            appendix,
        )


def test_comparison_with_same_period_last_year(draft_2024, demo, config):
    table = I.compare(demo.activities, config, ["sat_rounds"], Period.year(2024)).iloc[0]
    assert f"tăng {number(table['change'])} đợt so với cùng kỳ năm 2023" in draft_2024
    assert "| Số đợt “Ngày thứ 7 cùng nhân dân” | đợt | 72 | 60 | +12 |" in draft_2024


def test_2023_draft_renders_its_own_figures(demo, config):
    period = Period.year(2023)
    text = render_markdown(demo, config, period, signing_date=SIGNED)
    v = I.values(demo.activities, config, None, period)
    assert "năm 2023; phương hướng, nhiệm vụ năm 2024" in text
    assert f"ra quân {number(v['sat_rounds'])} đợt tại {number(v['sat_villages'])} thôn" in text
    assert f"tổng nguồn lực {money(v['tet_total'])}" in text
    assert f"{number(v['tet_beneficiaries'])} lượt người" in text
    assert "72 đợt" not in text
    # no directions for 2024 in the demo's narrative tab: a visible placeholder, not invented prose
    assert "> [Cần bổ sung: các nhiệm vụ trọng tâm năm 2024" in text


def test_mid_year_draft_renders_its_own_figures(demo, config):
    period = Period.half(2024, 1)
    text = render_markdown(demo, config, period, signing_date=SIGNED)
    v = I.values(demo.activities, config, None, period)
    assert "6 tháng đầu năm 2024; phương hướng, nhiệm vụ 6 tháng cuối năm 2024" in text
    assert "## II. KẾT QUẢ PHỐI HỢP HOẠT ĐỘNG 6 THÁNG ĐẦU NĂM 2024" in text
    assert f"ra quân {number(v['sat_rounds'])} đợt" in text and v["sat_rounds"] != 72
    assert f"huy động {number(v['sat_participants'])} người" in text
    assert "so với cùng kỳ 6 tháng đầu năm 2023" in text
    assert "[Cần bổ sung: ưu điểm" in text


def test_any_date_range(demo, config):
    period = Period.parse("2024-03-01..2024-06-30")
    text = render_markdown(demo, config, period, signing_date=SIGNED)
    v = I.values(demo.activities, config, None, period)
    assert "từ ngày 01/03/2024 đến ngày 30/06/2024" in text
    assert f"đã phối hợp tổ chức {number(v['activities'])} hoạt động" in text


def test_missing_measure_is_said_plainly_not_printed_as_zero(demo, config):
    activities = demo.activities.copy()
    activities["weapons_air"] = float("nan")
    text = render_markdown(replace(demo, activities=activities), config, Period.year(2024), signing_date=SIGNED)
    assert "04 súng hơi" not in text and "[Cần bổ sung: số súng hơi thu hồi]" in text
    assert "00 súng hơi" not in text and " 0 súng hơi" not in text
    assert "| Súng hơi thu hồi | khẩu | – | – | – |" in text


def test_programme_without_rows_says_so(config):
    rows = [HEADER, ["06/04/2024", "Rô Men", "Thôn 1", "CT2", "Ngày thứ 7 cùng nhân dân", "Dọn vệ sinh", "", 1, 80]]
    text = render_markdown(clean_tab(config, rows), config, Period.year(2024), signing_date=SIGNED)
    programme_one = text.split("### 1.")[1].split("### 2.")[0]
    assert "> [Cần bổ sung: kết quả chương trình 1 trong kỳ (chưa có dòng hoạt động nào được ghi).]" in programme_one
    assert "ra quân 1 đợt tại 1 thôn" in text
    assert "> [Cần bổ sung: kết quả thăm hỏi, hỗ trợ dịp Tết (chưa có dòng hoạt động nào được ghi).]" in text
    assert "0 súng" not in text and "0 đồng" not in text


def test_malicious_cell_text_is_inert(config):
    evil = [
        "# heading | a | b |",
        "<script>alert(1)</script> [x](javascript:alert(1))",
        "line one\n## injected **bold** _em_ `code` &lt;b&gt;",
        "- list",
    ]
    # four activity types: the notable activities take at most one of each
    kinds = [
        ("CT1", "Tuyên truyền"),
        ("CT1", "Nông thôn mới"),
        ("CT4", "Củng cố tổ chức"),
        ("CT4", "Sinh hoạt chuyên đề"),
    ]
    rows = [HEADER] + [["06/04/2024", "Rô Men", "", *kinds[i], text, "", 1, 100 - i] for i, text in enumerate(evil)]
    dataset = clean(raw_data({**{t: [] for t in config.organisation_tabs}, "MTTQ": rows}), config)
    assert len(dataset.activities) == len(evil)
    text = render_markdown(dataset, config, Period.year(2024), signing_date=SIGNED)
    assert "<script>" not in text and "\\<script\\>" in text
    assert "](javascript" not in text.replace("\\](", "")
    assert not re.search(r"^#+ (heading|injected)", text, re.M)
    assert "\\| a \\| b \\|" in text
    assert "\\*\\*bold\\*\\*" in text and "\\_em\\_" in text and "\\`code\\`" in text and "\\&lt;" in text
    assert not re.search(r"^\s*\|\s*a\s*\|", text, re.M) and "\n- \\- list (" in text


@pytest.mark.parametrize(
    "raw, escaped",
    [
        ("# a", "\\# a"),
        ("- a", "\\- a"),
        ("12. a", "12\\. a"),
        ("a\n\nb", "a b"),
        ("x_y*z", "x\\_y\\*z"),
        ("Đạ K'Nàng", "Đạ K'Nàng"),
        ("87.255,8", "87.255,8"),
        ("-5 km", "-5 km"),
    ],
)
def test_md_escape(raw, escaped):
    assert md(raw) == escaped
    assert md(md(raw)) == escaped


def test_unit_from_another_config_renders_its_own_names(tmp_path):
    config = load_config(COMMUNE_CONFIG)
    rows = [
        HEADER,
        ["06/04/2024", "Khu vực Phi Liêng", "Păng Dung", "CT2", "Ngày thứ 7 cùng nhân dân", "Dọn đường", "", 2, 60],
    ]
    tabs = {t: [] for t in config.organisation_tabs}
    tabs["Quân sự xã"] = rows
    dataset = clean(raw_data(tabs), config)
    text = render_markdown(dataset, config, Period.year(2024), signing_date=SIGNED)
    assert "Xã Đam Rông 1 có tổng diện tích tự nhiên 21.500,5 ha" in text
    assert "*Đam Rông 1, ngày 05 tháng 12 năm 2024*" in text
    assert "Khu vực Phi Liêng: 2 đợt, 1/3 thôn, 60 người" in text
    assert "BAN CHỈ ĐẠO 502 XÃ ĐAM RÔNG 1" in text
    assert "Đạ Long" not in text and "HUYỆN ỦY" not in text


def test_broken_template_raises_report_error(tmp_path, demo):
    directory = tmp_path / "config"
    shutil.copytree(load_config().directory, directory)
    (directory / "report.md.j2").write_text("{% for x in %}", encoding="utf-8")
    with pytest.raises(ReportError, match="sai cú pháp"):
        render_markdown(demo, load_config(directory), Period.year(2024))
    (directory / "report.md.j2").write_text("{{ v.activities }}\n{{ v.no_such_indicator }}", encoding="utf-8")
    with pytest.raises(ReportError, match=r"report.md.j2 \(dòng 2\): .*«no_such_indicator» không khai báo"):
        render_markdown(demo, load_config(directory), Period.year(2024))


def test_committee_template_overrides_the_default(tmp_path, demo):
    directory = tmp_path / "config"
    shutil.copytree(load_config().directory, directory)
    (directory / "report.md.j2").write_text(
        "Số đợt: {{ v.sat_rounds|num }}; {{ signing_date|long_date }}\n", encoding="utf-8"
    )
    text = render_markdown(demo, load_config(directory), Period.year(2024), signing_date=dt.date(2025, 1, 9))
    assert text == "Số đợt: 72; ngày 09 tháng 01 năm 2025\n"


def test_cli_writes_markdown(tmp_path, capsys):
    out = tmp_path / "bao-cao.md"
    code = main(["report", "--source", str(DEMO), "--year", "2024", "--out", str(out), "--date", "05/12/2024"])
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "ngày 05 tháng 12 năm 2024" in text and "5.993.175.000 đồng" in text
    assert str(out) in capsys.readouterr().out


def test_cli_period_and_bad_date(tmp_path, capsys):
    out = tmp_path / "h1.md"
    assert main(["report", "--source", str(DEMO), "--period", "2024-H1", "--format", "md", "--out", str(out)]) == 0
    assert "6 tháng đầu năm 2024" in out.read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["report", "--source", str(DEMO), "--out", str(out), "--date", "2024-12-05"])
    assert "dd/mm/yyyy" in capsys.readouterr().err


SATURDAY = "Ngày thứ 7 cùng nhân dân"


@pytest.mark.parametrize(
    "rounds_before, rounds_now, judgement, comparison",
    [
        (None, 2, "được triển khai", None),
        (1, 2, "tiếp tục được duy trì và mở rộng", "tăng 1 đợt so với cùng kỳ (01/01–06/04/2023)"),
        (2, 2, "tiếp tục được duy trì", "bằng cùng kỳ (01/01–06/04/2023)"),
        (3, 2, "vẫn được duy trì nhưng với ít đợt hơn cùng kỳ", "giảm 1 đợt so với cùng kỳ (01/01–06/04/2023)"),
    ],
)
def test_judgements_are_chosen_by_the_data(config, rounds_before, rounds_now, judgement, comparison):
    rows = [HEADER, ["06/04/2024", "Rô Men", "Thôn 1", "CT2", SATURDAY, "Dọn vệ sinh", "", rounds_now, 80]]
    if rounds_before is not None:
        rows.append(["06/04/2023", "Rô Men", "Thôn 1", "CT2", SATURDAY, "Dọn vệ sinh", "", rounds_before, 50])
    text = render_markdown(clean_tab(config, rows), config, Period.year(2024), signing_date=SIGNED)
    sentence = next(line for line in text.splitlines() if line.startswith("Mô hình dân vận"))
    assert f"“Ngày thứ 7 cùng nhân dân” {judgement}: các lực lượng đã ra quân {rounds_now} đợt" in sentence
    if comparison:
        assert comparison in sentence
    else:
        assert "cùng kỳ" not in sentence


def test_no_statement_the_data_cannot_support(demo, config):
    text = render_markdown(demo, config, Period.year(2024), signing_date=SIGNED)
    # the committee's own paragraphs carried over from its text tabs are its words, marked for review
    text = "\n".join(x for x in text.splitlines() if "[kiểm tra lại]" not in x)
    for unsupported in (
        "xử lý nghiêm",
        "pháo nổ",
        "vũ khí thô sơ",
        "kinh phí huy động",
        "(Toàn huyện",
        "chưa có số liệu trong kỳ",
    ):
        assert unsupported not in text, unsupported
    assert "- Ngày 12/01/2024, toàn huyện: Triển khai chương trình phối hợp hoạt động năm 2024 (" in text
    assert "70 người tham dự)" in text


def test_communes_without_villages_are_not_said_to_have_no_activity(config):
    rows = [
        HEADER,
        ["06/04/2024", "Rô Men", "Thôn 1", "CT2", SATURDAY, "Dọn vệ sinh", "", 1, 80],
        ["07/04/2024", "Phi Liêng", "", "CT2", SATURDAY, "Dọn vệ sinh", "", 1, 40],
    ]
    data = clean_tab(config, rows)
    text = render_markdown(data, config, Period.year(2024), signing_date=SIGNED)
    section = text.split("## III.")[1].split("###")[0]
    year = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    others = [c.name for c in config.unit.communes if c.valid_in(*year) and c.name not in ("Rô Men", "Phi Liêng")]
    assert f"chưa có hoạt động tại xã {', '.join(others[:-1])} và {others[-1]}" in section
    assert "các hoạt động tại xã Phi Liêng chưa ghi thôn nên chưa tính được độ phủ thôn" in section
    cover = I.coverage(data.activities, config, Period.year(2024)).set_index("commune")
    assert cover.at["Rô Men", "share"] > 0 and pd.isna(cover.at["Phi Liêng", "share"])
    assert cover.at["Đạ Long", "share"] == 0


def test_a_target_without_rows_in_the_period_is_unknown_not_zero(demo, config):
    text = render_markdown(demo, config, Period.quarter(2024, 3), signing_date=SIGNED)
    assert "| Thanh niên nhập ngũ | người | 65 | – | – |" in text
    assert "| Mô hình sinh kế | mô hình | 5 | 5 | 100% |" in text
