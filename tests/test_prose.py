"""Prose carried over and the administrative voice of the draft: text rows carry their period and fill the
sections the configuration declares, every carried paragraph is marked for review (a visible marker in
Markdown, a yellow highlight in Word), actors are named by group and the committee never acts in its own
report, and the notable activities are varied and never repeat what another sentence already tells."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from conftest import raw_data
from test_judgements import draft, line, row

from lib import indicators as I
from lib import prior_draft, report
from lib.clean import clean
from lib.period import Period
from lib.report import render_docx, render_markdown
from lib.word import REVIEW_MARK

YEAR = Period.year(2024)
SIGNED = dt.date(2024, 12, 5)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def draft_2024(demo, config) -> str:
    return render_markdown(demo, config, YEAR, signing_date=SIGNED)


def paragraphs_by_highlight(docx: bytes) -> tuple[list[str], list[str]]:
    """The Word paragraphs carrying the review marker (each checked to be highlighted yellow in every run),
    and the other paragraphs with a highlighted run."""
    body = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    marked, highlighted = [], []
    for p in body.iter(f"{W}p"):
        runs = [r for r in p.iter(f"{W}r") if "".join(t.text or "" for t in r.iter(f"{W}t"))]
        text = "".join(t.text or "" for t in p.iter(f"{W}t"))
        yellow = [r.find(f"{W}rPr/{W}highlight") for r in runs]
        if REVIEW_MARK in text:
            marked.append(text)
            assert all(h is not None and h.get(f"{W}val") == "yellow" for h in yellow), text
        elif any(h is not None for h in yellow):
            highlighted.append(text)
    return marked, highlighted


def with_report(config, **changes):
    """A copy of the configuration with some report settings changed."""
    changed = copy.deepcopy(config)
    report = changed.settings.report.model_copy(update=changes)
    changed.settings = changed.settings.model_copy(update={"report": report})
    return changed


def section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def texts_draft(config, assessment: list[list], directions: list[list] | None = None, period: Period = YEAR) -> str:
    """A draft whose only data are one Saturday activity and the given text tabs (header row included)."""
    tabs = {t: [] for t in config.organisation_tabs}
    tabs[config.settings.tabs.assessment] = assessment
    if directions:
        tabs[config.settings.tabs.directions] = directions
    return render_markdown(clean(raw_data(tabs), config), config, period, signing_date=SIGNED)


# ---------------------------------------------------------------- text rows carry their period


def test_text_rows_carry_their_period_and_a_wrong_one_is_an_error_at_its_row(config):
    tabs = {t: [] for t in config.organisation_tabs}
    tabs["Nhận định"] = [
        ["Kỳ", "Mục", "Nội dung"],
        [2024, "Ưu điểm", "Cả năm"],
        ["2024-H1", "I", "Sáu tháng"],
        [2024.0, "Hạn chế", "Năm gõ như số"],
        ["2024-9T", "I", "Chín tháng"],
        ["2024-Q3", "I", "Quý ba"],
        ["2024-H3", "I", "Nửa năm không có"],
        ["", "I", "Thiếu kỳ"],
    ]
    dataset = clean(raw_data(tabs), config)
    got = dataset.narratives[["period", "year", "section", "text", "row"]].values.tolist()
    assert got == [
        ["2024", 2024, "Ưu điểm", "Cả năm", 2],
        ["2024-H1", 2024, "I", "Sáu tháng", 3],
        ["2024", 2024, "Hạn chế", "Năm gõ như số", 4],
        ["2024-9T", 2024, "I", "Chín tháng", 5],
        ["2024-Q3", 2024, "I", "Quý ba", 6],
    ]
    issues = dataset.issues[dataset.issues["tab"] == "Nhận định"]
    assert issues[["code", "row", "column"]].values.tolist() == [
        ["narrative.year", 7, "Kỳ"],
        ["narrative.year", 8, "Kỳ"],
    ]
    assert "2024-H1 (6 tháng đầu năm)" in issues["suggestion"].iloc[0]


def test_a_year_column_is_still_read_as_the_period(config):
    text = texts_draft(config, [["Năm", "Mục", "Nội dung"], [2024, "I", "Bối cảnh năm."]])
    assert f"{REVIEW_MARK} Bối cảnh năm." in section(text, "## I.", "## II.")


# ---------------------------------------------------------------- sections declared in config


def test_section_one_context_and_programme_openings_come_from_the_text_tab(draft_2024):
    one = section(draft_2024, "## I.", "## II.")
    assert (
        "\n\n[kiểm tra lại] Năm 2024, kinh tế của huyện giữ được đà tăng trưởng, sản xuất nông nghiệp ổn định;" in one
    )
    assert "\n\n[kiểm tra lại] Ngay từ đầu năm, Ban Chỉ đạo 502 huyện ban hành kế hoạch" in one
    assert "[Cần bổ sung: nhận định khái quát" not in one
    # each programme opens with its own text, before the figures
    first = section(draft_2024, "### 1. ", "### 2. ")
    assert first.split("\n\n")[1].startswith("[kiểm tra lại] Các lực lượng lồng ghép tuyên truyền vào sinh hoạt")
    assert first.split("\n\n")[2].startswith("Năm 2024, ")
    second = section(draft_2024, "### 2. ", "### 3. ")
    assert second.split("\n\n")[1].startswith("[kiểm tra lại] Mặt trận và các tổ chức chính trị - xã hội đưa nội dung")
    assert second.split("\n\n")[2].startswith("[kiểm tra lại] Cán bộ, chiến sỹ, đoàn viên, hội viên tham gia")
    for number in (3, 4):
        part = section(draft_2024, f"### {number}. ", "## III." if number == 4 else f"### {number + 1}. ")
        assert part.split("\n\n")[1].startswith("[kiểm tra lại] ")
        assert f"Mục «II.{number}»" not in part
    # the section rows are not assessment groups of section III
    three = section(draft_2024, "## III.", "## IV.")
    assert "### 1. Ưu điểm" in three and "### 2. Hạn chế" in three and "### 3. Nguyên nhân" in three
    assert "### 4." not in three and "kinh tế của huyện giữ được" not in three


def test_every_carried_paragraph_is_marked_and_figures_are_not(draft_2024, demo):
    carried = demo.narratives[
        ((demo.narratives["kind"] == "assessment") & (demo.narratives["period"] == "2024"))
        | ((demo.narratives["kind"] == "directions") & (demo.narratives["period"] == "2025"))
    ]
    assert len(carried) == 23
    for text in carried["text"]:
        assert re.search(rf"^(\d+\. )?{re.escape(REVIEW_MARK)} {re.escape(text)}$", draft_2024, re.M), text
    assert draft_2024.count(REVIEW_MARK) == 23
    assert REVIEW_MARK not in line(
        draft_2024, "Năm 2024, lực lượng vũ trang và Mặt trận, các tổ chức chính trị - xã hội đã phối hợp tổ chức 234"
    )
    assert "4. [kiểm tra lại] Sơ kết, tổng kết hoạt động của Ban Chỉ đạo đúng thời gian quy định." in draft_2024
    assert "6. [kiểm tra lại] Phối hợp bồi dưỡng kiến thức quốc phòng - an ninh cho chức sắc" in draft_2024


def test_the_sections_and_their_names_are_declared_in_config(config):
    renamed = with_report(config, text_sections={"context": ["Bối cảnh"], "opening_2": ["Mở đầu CT2"]})
    tabs = [["Kỳ", "Mục", "Nội dung"], [2024, "Bối cảnh", "Tình hình chung."], [2024, "I", "Không khai báo."]]
    tabs.append([2024, "mở đầu  ct2", "Mở đầu chương trình hai."])
    one = {t: [] for t in config.organisation_tabs}
    one["BCHQS"] = [
        ["Ngày", "Xã", "Chương trình", "Loại hoạt động", "Nội dung", "Số đợt"],
        ["06/04/2024", "Rô Men", "CT2", "Ngày thứ 7 cùng nhân dân", "Dọn vệ sinh", 1],
    ]
    one[config.settings.tabs.assessment] = tabs
    text = render_markdown(clean(raw_data(one), renamed), renamed, YEAR, signing_date=SIGNED)
    assert "\n\n[kiểm tra lại] Tình hình chung.\n\n" in section(text, "## I.", "## II.")
    assert section(text, "### 2. ", "### 3. ").split("\n\n")[1] == "[kiểm tra lại] Mở đầu chương trình hai."
    # «I» is not declared here: an assessment group of section III under its own name
    assert "### 1. I\n\n[kiểm tra lại] Không khai báo." in section(text, "## III.", "## IV.")


def test_a_half_year_draft_uses_the_rows_of_its_half_year(demo, config):
    half = render_markdown(demo, config, Period.half(2024, 1), signing_date=SIGNED)
    assert (
        "\n\n[kiểm tra lại] Sáu tháng đầu năm 2024, tình hình chính trị, trật tự an toàn xã hội trên địa bàn ổn định;"
        in section(half, "## I.", "## II.")
    )
    assert "kinh tế của huyện giữ được đà tăng trưởng" not in half  # the year's rows are the year's
    four = section(half, "## IV. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2024", "<!-- cột: trái -->")
    assert four.startswith(
        "\n\n1. [kiểm tra lại] Chuẩn bị chu đáo đợt dân vận tập trung cuối năm và tổng kết chương trình phối hợp năm 2024.\n"
    )
    # no text for the half-year's openings: the placeholder names the tab, period and section to fill
    assert (
        "> [Cần bổ sung: nội dung tuyên truyền, triển khai, cách làm nổi bật của chương trình 1 — ghi vào tab "
        "«Nhận định» (Kỳ 2024-H1, Mục «II.1») hoặc viết thẳng vào bản thảo.]" in half
    )
    assert "Sáu tháng đầu năm 2024, tình hình chính trị" not in render_markdown(demo, config, YEAR)


def test_placeholders_remain_where_no_text_exists(demo, config):
    text = render_markdown(demo, config, Period.year(2023), signing_date=SIGNED)
    assert REVIEW_MARK not in text
    assert (
        "> [Cần bổ sung: nhận định khái quát về tình hình kinh tế - xã hội, quốc phòng - an ninh và đời sống nhân dân "
        "trên địa bàn trong kỳ; việc quán triệt, triển khai chương trình phối hợp — ghi vào tab «Nhận định» "
        "(Kỳ 2023, Mục «I»).]" in text
    )
    assert "> [Cần bổ sung: ưu điểm — ghi vào tab «Nhận định» (Kỳ 2023, Mục «Ưu điểm»)" in text
    assert "> [Cần bổ sung: các nhiệm vụ trọng tâm năm 2024 — ghi vào tab «Phương hướng» với Kỳ 2024" in text


def test_word_highlights_each_carried_paragraph_and_nothing_else(demo, config, draft_2024):
    marked, highlighted = paragraphs_by_highlight(render_docx(demo, config, YEAR, signing_date=SIGNED))
    assert len(marked) == draft_2024.count(REVIEW_MARK) == 23
    assert marked[0].startswith("[kiểm tra lại] Năm 2024, kinh tế của huyện giữ được đà tăng trưởng")
    # nothing else is highlighted but placeholders (they ask for text that is not there)
    assert all(t.startswith("[Cần bổ sung") for t in highlighted)


# ---------------------------------------------------------------- actors, the committee, units


def test_programme_openings_name_actors_by_group(draft_2024):
    assert (
        "Năm 2024, Công an huyện và Mặt trận, các tổ chức chính trị - xã hội đã phối hợp tổ chức 34 hoạt động "
        "tại 8/8 xã, thu hút 2.125 lượt người tham gia."
    ) in draft_2024
    assert (
        "Năm 2024, lực lượng vũ trang và Mặt trận, các tổ chức chính trị - xã hội đã phối hợp tổ chức 136 hoạt động "
        "tại 8/8 xã, 53 thôn, thu hút 9.688 lượt người tham gia; kinh phí thực hiện 11.456,5 triệu đồng."
    ) in draft_2024
    assert (
        "Năm 2024, lực lượng vũ trang và MTTQ huyện đã phối hợp tổ chức 28 hoạt động tại 8/8 xã, 1 thôn, "
        "thu hút 1.383 lượt người tham gia; kinh phí thực hiện 3 triệu đồng."
    ) in draft_2024
    assert "Hội LHPN huyện, Huyện đoàn" not in section(draft_2024, "## II.", "## III.")


@pytest.mark.parametrize(
    "tabs, actors",
    [
        (["BCHQS", "MTTQ", "Hội Phụ nữ", "Hội Nông dân", "Hội CCB"], "BCHQS huyện và các tổ chức chính trị - xã hội"),
        (["Công an", "Hội Phụ nữ", "Đoàn Thanh niên"], "Công an huyện, Hội LHPN huyện và Huyện đoàn"),
        (["BCHQS", "Công an"], "lực lượng vũ trang"),
        (["BCĐ 502"], "các lực lượng"),
    ],
)
def test_actors_wording_follows_the_groups(config, tabs, actors):
    rows = {
        tab: [row("06/04/2024", "Tuyên truyền", "CT1", content="Tuyên truyền pháp luật", participants=10)]
        for tab in tabs
    }
    sentence = line(draft(config, rows), f"Năm 2024, {actors} đã phối hợp tổ chức")
    assert f", {actors} đã phối hợp tổ chức {len(tabs)} hoạt động tại 1/8 xã" in sentence


def test_the_committee_is_never_an_actor_in_its_own_report(draft_2024):
    assert (
        "- Ngày 12/01/2024, toàn huyện: Triển khai chương trình phối hợp hoạt động năm 2024 "
        "(BCHQS huyện và MTTQ huyện; 70 người tham dự)."
    ) in draft_2024
    body = section(draft_2024, "## I.", "<!-- cột: trái -->")
    assert "BCĐ 502" not in body
    assert "tất cả các thành viên Ban Chỉ đạo đều có hoạt động phối hợp" in body


def test_a_sum_is_written_in_one_unit(draft_2024):
    tet = line(draft_2024, "[^tet]: ")
    assert "ngân sách nhà nước 2.872.300.000 đồng/4.272 lượt người" in tet
    # the Tết rows are told by their sentence: not again among the notable activities in million đồng
    for repeated in ("2.872,3 triệu đồng", "2.410,9 triệu đồng", "710 triệu đồng;", "1.840 triệu đồng"):
        assert repeated not in section(draft_2024, "## II.", "## III."), repeated


# ---------------------------------------------------------------- notable activities


def notable(text: str, number: int) -> list[str]:
    part = section(text, f"### {number}. ", "## III." if number == 4 else f"### {number + 1}. ")
    if "Một số hoạt động tiêu biểu:" not in part:
        return []
    return [x for x in part.split("Một số hoạt động tiêu biểu:")[1].splitlines() if x.startswith("- ")]


def test_notable_activities_are_varied_and_never_repeat_another_sentence(draft_2024, demo):
    rows = I.in_period(demo.activities, YEAR)
    kinds = dict(zip(rows["content"], rows["activity_type"], strict=False))
    assert notable(draft_2024, 2) == [
        "- Huấn luyện dân quân kết hợp làm công tác dân vận giúp dân (8/8 xã, 8 lần; 268 người tham gia)."
    ]
    assert notable(draft_2024, 3) == [
        "- Hướng dẫn kích hoạt định danh điện tử mức 2 (8/8 xã, 16 lần; 851 người tham gia)."
    ]
    for number in (1, 2, 3, 4):
        shown = [re.match(r"- (.+?) \(", x)[1] for x in notable(draft_2024, number)]
        types = [kinds[c] for c in shown]
        assert len(types) == len(set(types)), (number, shown)  # at most one per activity type
    listed = section(draft_2024, "## II.", "## III.")
    assert "Xử phạt hành chính hành vi tàng trữ" not in listed  # told by the violations sentence
    assert "- Bê tông hoá đường giao thông nông thôn (" not in listed  # a work of the focused campaign


def test_notable_activities_name_communes_not_yet_named_first(config):
    rows = [
        row("06/04/2024", "Tuyên truyền", "CT1", content="Tuyên truyền A", mobilised=3_000_000),
        row("07/04/2024", "Nông thôn mới", "CT1", content="Vận động B", mobilised=2_000_000),
        row("08/04/2024", "Nông thôn mới", "CT1", commune="Phi Liêng", content="Vận động C", mobilised=1_000_000),
        row("09/04/2024", "Tuyên truyền", "CT1", commune="Phi Liêng", content="Tuyên truyền D", mobilised=2_500_000),
    ]
    few = with_report(config, highlights_per_programme=2)
    tabs = {t: [] for t in config.organisation_tabs}
    fields = ["Ngày", "Xã", "Chương trình", "Loại hoạt động", "Nội dung", "Vận động, tài trợ (đồng)"]
    codes = ["date", "commune", "programme", "activity_type", "content", "mobilised"]
    tabs["MTTQ"] = [fields] + [[r.get(c, "") for c in codes] for r in rows]
    text = render_markdown(clean(raw_data(tabs), few), few, YEAR, signing_date=SIGNED)
    # «Tuyên truyền D» ranks second but repeats an activity type; «Vận động B» ranks next but names Rô Men
    # again: the commune not yet named comes first
    assert notable(text, 1) == [
        "- Tuyên truyền A (xã Rô Men; kinh phí 3 triệu đồng).",
        "- Vận động C (xã Phi Liêng; kinh phí 1 triệu đồng).",
    ]


# ---------------------------------------------------------------- the previous period's approved draft

PRIOR = """# BÁO CÁO

## I. ĐẶC ĐIỂM TÌNH HÌNH

Huyện Đam Rông có tổng diện tích tự nhiên 87.255,8 ha, gồm 08 xã với 53 thôn.

Năm 2024, tình hình \\*ổn định\\*, nhân dân tin tưởng vào Ban Chỉ đạo 502 huyện.

> [Cần bổ sung: dân số.]

## II. KẾT QUẢ PHỐI HỢP HOẠT ĐỘNG NĂM 2024

### 1. Phối hợp tuyên truyền

[kiểm tra lại] Lồng ghép tuyên truyền vào sinh hoạt chi hội.

Năm 2024, Công an huyện đã phối hợp tổ chức 34 hoạt động tại 8/8 xã.

Đoạn sau các con số không phải phần mở đầu.

Một số hoạt động tiêu biểu:

- Tuyên truyền pháp luật (8/8 xã, 16 lần).

## III. ĐÁNH GIÁ CHUNG

Trong kỳ, 27/27 thôn đặc biệt khó khăn có hoạt động phối hợp.

### 1. Ưu điểm

Phối hợp chặt chẽ, đúng kế hoạch.

### 2. Hạn chế

[kiểm tra lại] Nguồn lực còn ít.

## IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2025

1. [kiểm tra lại] Duy trì mô hình “Ngày thứ 7 cùng nhân dân”.
2. Sơ kết, tổng kết năm 2025.
3. Phối hợp tổ chức các hoạt động kỷ niệm 95 năm Ngày truyền thống công tác dân vận của Đảng (15/10/1930 - 15/10/2025).

<!-- cột: trái -->
***Nơi nhận:***

- Lưu.
"""


def test_the_previous_draft_gives_its_prose_not_its_figures():
    prior = prior_draft.read(PRIOR)
    assert prior.context == ["Năm 2024, tình hình *ổn định*, nhân dân tin tưởng vào Ban Chỉ đạo 502 huyện."]
    assert prior.openings == {1: ["Lồng ghép tuyên truyền vào sinh hoạt chi hội."]}
    assert prior.assessment == [("Ưu điểm", ["Phối hợp chặt chẽ, đúng kế hoạch."]), ("Hạn chế", ["Nguồn lực còn ít."])]
    assert prior.directions == ["Duy trì mô hình “Ngày thứ 7 cùng nhân dân”.", "Sơ kết, tổng kết năm 2025."]


def test_the_previous_draft_fills_only_what_the_text_tabs_leave_empty(demo, config):
    text = render_markdown(demo, config, Period.year(2025), signing_date=SIGNED, prior_draft=PRIOR)
    one = section(text, "## I.", "## II.")
    assert (
        "\n\n[kiểm tra lại] Năm 2024, tình hình \\*ổn định\\*, nhân dân tin tưởng vào Ban Chỉ đạo 502 huyện.\n\n" in one
    )
    first = section(text, "### 1. ", "### 2. ")
    assert first.split("\n\n")[1] == "[kiểm tra lại] Lồng ghép tuyên truyền vào sinh hoạt chi hội."
    assert "Đoạn sau các con số" not in text and "87.255,8 ha, gồm 08 xã" not in one
    # 2025 has its own assessment rows and 2026 its own directions: the tabs win
    three = section(text, "## III.", "## IV.")
    assert "### 1. Ưu điểm\n\n[kiểm tra lại] Việc sắp xếp đơn vị hành chính" in three
    assert "Phối hợp chặt chẽ, đúng kế hoạch." not in three
    four = section(text, "## IV.", "<!-- cột: trái -->")
    assert "1. [kiểm tra lại] Kiện toàn tổ chức, quy chế phối hợp" in four and "Sơ kết, tổng kết năm 2025" not in four
    assert "[kiểm tra lại] [kiểm tra lại]" not in text


def test_a_period_without_text_rows_takes_every_section_of_the_previous_draft(demo, config):
    text = render_markdown(demo, config, Period.year(2023), signing_date=SIGNED, prior_draft=PRIOR)
    three = section(text, "## III.", "## IV.")
    assert "### 1. Ưu điểm\n\n[kiểm tra lại] Phối hợp chặt chẽ, đúng kế hoạch.\n\n### 2. Hạn chế\n\n" in three
    four = section(text, "## IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2024", "<!-- cột: trái -->")
    assert four.startswith(
        "\n\n1. [kiểm tra lại] Duy trì mô hình “Ngày thứ 7 cùng nhân dân”.\n2. [kiểm tra lại] Sơ kết, tổng kết năm 2025.\n"
    )
    assert "(15/10/1930 - 15/10/2025)" not in four  # last period's anniversaries are computed again, not carried
    docx = render_docx(demo, config, Period.year(2023), SIGNED, None, PRIOR)
    marked, _ = paragraphs_by_highlight(docx)
    assert len(marked) == text.count(REVIEW_MARK) == 6
    assert marked[-1] == "2. [kiểm tra lại] Sơ kết, tổng kết năm 2025."


def test_an_unreadable_previous_draft_is_a_vietnamese_message():
    assert prior_draft.decode("\ufeff## I. A".encode()) == "## I. A"
    with pytest.raises(prior_draft.PriorDraftError) as error:
        prior_draft.decode(b"\xff\xfe\x00binary")
    assert error.value.message == (
        "Không đọc được tệp dự thảo kỳ trước: cần tệp Markdown (.md) mã hoá UTF-8, "
        "như bản tải từ trang Báo cáo hoặc lập bằng lệnh report."
    )
    with pytest.raises(prior_draft.PriorDraftError, match="quá lớn"):
        prior_draft.decode(b"a" * (prior_draft.MAX_BYTES + 1))


def test_a_member_gone_before_the_period_does_not_stop_the_collective_wording(config):
    folded = copy.deepcopy(config)
    folded.organisations["ldld"] = folded.organisations["ldld"].model_copy(
        update={"valid_to": dt.date(2023, 12, 31), "successor": "mttq"}
    )
    acted = {"mttq", "phu_nu", "doan_tn", "nong_dan", "ccb", "bcd"}
    assert report._actors(folded, acted, YEAR) == ["Mặt trận, các tổ chức chính trị - xã hội"]
    # with the Labour Federation still a member, five of six is «most of the group»; the committee is not named
    assert report._actors(config, acted, YEAR) == ["các tổ chức chính trị - xã hội"]
    assert report._actors(folded, acted, Period.year(2023)) == ["các tổ chức chính trị - xã hội"]
