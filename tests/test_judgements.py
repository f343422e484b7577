"""Every data-chosen sentence of the draft, on small datasets built for each branch and run through the real
pipeline (raw tabs → clean → indicators → template): the sentence the data picks, and never the others."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest
from conftest import raw_data

from lib import boundaries
from lib.clean import clean
from lib.period import Period
from lib.report import render_markdown

YEAR = Period.year(2024)
SIGNED = dt.date(2024, 12, 5)
SATURDAY = "Ngày thứ 7 cùng nhân dân"


def draft(config, tabs: dict[str, list[dict]], targets: list[list] | None = None) -> str:
    """The 2024 draft of activities given per tab as {column code: value} (measures by their code)."""
    fields = {"date": "Ngày", "commune": "Xã", "village": "Thôn", "programme": "Chương trình"}
    fields |= {"activity_type": "Loại hoạt động", "content": "Nội dung", "partners": "Đơn vị phối hợp"}
    names = fields | {code: m.name for code, m in config.measures.items()}
    header = list(names.values())
    raw = {tab: [] for tab in config.organisation_tabs}
    for tab, records in tabs.items():
        raw[tab] = [header] + [[record.get(code, "") for code in names] for record in records]
    if targets:
        raw[config.settings.tabs.targets] = [["Năm", "Chỉ tiêu", "Xã", "Giá trị"], *targets]
    return render_markdown(clean(raw_data(raw), config), config, YEAR, signing_date=SIGNED)


def row(day: str, activity: str, programme: str = "CT2", commune: str = "Rô Men", **measures) -> dict:
    return {"date": day, "commune": commune, "programme": programme, "activity_type": activity, **measures}


def saturday(day: str = "06/04/2024", **measures) -> dict:
    return row(day, SATURDAY, village="Thôn 1", content="Dọn vệ sinh", rounds=1, **measures)


def line(text: str, start: str) -> str:
    """The one line (sentence, list item or footnote) of the draft that starts with ``start``."""
    found = [x for x in text.splitlines() if x.startswith(start)]
    assert len(found) == 1, f"{start!r}: {found}"
    return found[0]


# ---------------------------------------------------------------- section I: the year in figures


@pytest.mark.parametrize(
    "before, now, judgement",
    [
        (None, 80, None),
        (50, 80, "tăng 30 lượt người so với cùng kỳ (01/01–06/04/2023)"),
        (80, 80, "bằng cùng kỳ (01/01–06/04/2023)"),
        (120, 80, "giảm 40 lượt người so với cùng kỳ (01/01–06/04/2023)"),
    ],
)
def test_participants_are_compared_only_when_both_years_have_them(config, before, now, judgement):
    rows = [saturday(participants=now)]
    if before is not None:
        rows.append(saturday("06/04/2023", participants=before))
    sentence = line(draft(config, {"BCHQS": rows}), "Năm 2024 (số liệu đến ngày 06/04/2024), lực lượng vũ trang")
    assert f"thu hút {now} lượt người tham gia" in sentence
    if judgement:
        assert f"thu hút {now} lượt người tham gia, {judgement}" in sentence
    else:
        assert "cùng kỳ" not in sentence


@pytest.mark.parametrize(
    "money, sentence",
    [
        ({}, "> [Cần bổ sung: tổng kinh phí thực hiện trong kỳ (chưa hoạt động nào ghi kinh phí).]"),
        ({"mobilised": 2_500_000}, "Tổng kinh phí thực hiện 2,5 triệu đồng, toàn bộ từ nguồn vận động, tài trợ."),
        (
            {"budget_state": 1_250_000, "people_contrib": 3_000_000},
            "Tổng kinh phí thực hiện 4,3 triệu đồng, gồm: ngân sách nhà nước 1,3 triệu đồng; nhân dân đối ứng 3 triệu đồng.",
        ),
    ],
)
def test_money_names_only_the_sources_recorded(config, money, sentence):
    text = draft(config, {"BCHQS": [saturday(participants=10, **money)]})
    assert sentence in text.splitlines()
    if len(money) < 2:
        assert "gồm:" not in text.split("## II.")[0]


def test_a_period_without_activities_is_a_placeholder_not_prose(config):
    text = draft(config, {"BCHQS": [saturday("06/04/2023", participants=10)]})
    section = text.split("## I.")[1].split("## II.")[0]
    assert "> [Cần bổ sung: năm 2024 chưa có hoạt động phối hợp nào được ghi nhận" in section
    assert "lực lượng vũ trang và Mặt trận" not in section and "Tổng kinh phí" not in section


# ---------------------------------------------------------------- programme 2


def test_saturday_model_without_rows_is_a_placeholder(config):
    text = draft(
        config, {"BCHQS": [row("06/04/2024", "Tặng quà", content="Tặng quà", gifts=2, budget_state=1_000_000)]}
    )
    assert "> [Cần bổ sung: kết quả mô hình “Ngày thứ 7 cùng nhân dân” trong kỳ" in text
    assert "Mô hình dân vận" not in text


TET = "Thăm hỏi, tặng quà Tết"


@pytest.mark.parametrize(
    "rows, footnote",
    [
        (
            [{"mobilised": 3_000_000, "beneficiaries": 6}],
            "[^tet]: Toàn bộ từ nguồn vận động từ cấp ủy, chính quyền, Mặt trận, các tổ chức thành viên, cơ quan, "
            "doanh nghiệp và cá nhân 3.000.000 đồng/6 lượt người.",
        ),
        (
            [{"budget_state": 2_000_000, "beneficiaries": 4}, {"fund_poor": 1_000_000, "beneficiaries": 2}],
            "[^tet]: Chia theo nguồn: ngân sách nhà nước 2.000.000 đồng/4 lượt người; "
            "Quỹ Vì người nghèo các cấp 1.000.000 đồng/2 lượt người.",
        ),
    ],
)
def test_tet_support_lists_the_sources_it_has(config, rows, footnote):
    tet = [row("10/02/2024", TET, content="Tặng quà Tết", **r) for r in rows]
    text = draft(config, {"MTTQ": tet, "BCHQS": [saturday(participants=5)]})
    assert footnote in text.splitlines()
    sentence = line(text, "Dịp Tết Nguyên đán")
    assert "tặng quà, hỗ trợ 6 lượt người, với tổng nguồn lực 3.000.000 đồng" in sentence
    # donors are named only when a row records mobilised money; no group of people the data does not name
    assert ("nhà hảo tâm" in sentence) == any("mobilised" in r for r in rows)
    assert "hộ cận nghèo" not in sentence


RECRUIT = "Tuyển chọn, gọi công dân nhập ngũ"


@pytest.mark.parametrize(
    "recruits, target, judgement",
    [
        (9, None, "9 thanh niên đã lên đường nhập ngũ."),
        (10, 10, "10 thanh niên đã lên đường nhập ngũ, hoàn thành 100% chỉ tiêu được giao (10 người)"),
        (12, 10, "12 thanh niên đã lên đường nhập ngũ, vượt chỉ tiêu được giao (10 người), đạt 120%"),
        (8, 10, "08 thanh niên đã lên đường nhập ngũ, đạt 80% chỉ tiêu được giao (10 người)".replace("08", "8")),
    ],
)
def test_recruitment_against_its_quota(config, recruits, target, judgement):
    rows = [saturday(participants=5), row("20/02/2024", RECRUIT, content="Giao quân", recruits=recruits)]
    targets = [[2024, "recruits", "", target]] if target else None
    sentence = line(draft(config, {"BCHQS": rows}, targets), "Trong tuyển chọn, gọi công dân nhập ngũ")
    assert judgement in sentence
    others = {"hoàn thành", "vượt chỉ tiêu", "đạt "} - {
        w for w in ("hoàn thành", "vượt chỉ tiêu", "đạt ") if w in judgement
    }
    assert not [w for w in others if w in sentence]


def test_recruitment_without_rows_is_a_placeholder(config):
    text = draft(config, {"BCHQS": [saturday(participants=5)]})
    assert "> [Cần bổ sung: kết quả tuyển chọn, gọi công dân nhập ngũ" in text


HOUSE = "Xây dựng, bàn giao nhà tình nghĩa"


def test_houses_say_where_they_were_built(config):
    rows = [
        saturday(participants=5),
        row(
            "15/09/2024",
            HOUSE,
            commune="Đạ Long",
            village="Đạ Nhinh 2",
            content="Bàn giao nhà",
            houses=1,
            mobilised=60_000_000,
        ),
        row("02/11/2024", HOUSE, commune="Phi Liêng", content="Bàn giao nhà", houses=1, mobilised=40_000_000),
    ]
    text = draft(config, {"BCHQS": rows})
    assert "Các lực lượng phối hợp xây dựng, bàn giao 02 căn nhà, tổng giá trị 100 triệu đồng:" in text
    assert line(text, "- 01 căn tại xã Đạ Long").startswith(
        "- 01 căn tại xã Đạ Long (Đạ Nhinh 2), ngày 15/09/2024, trị giá 60 triệu đồng (Bàn giao nhà; BCHQS huyện)"
    )
    assert line(text, "- 01 căn tại xã Phi Liêng").startswith("- 01 căn tại xã Phi Liêng, ngày 02/11/2024, trị giá 40")


def test_houses_recorded_as_none_are_said_to_be_none(config):
    rows = [saturday(participants=5), row("15/09/2024", HOUSE, content="Khảo sát nhà ở", houses=0)]
    text = draft(config, {"BCHQS": rows})
    assert "Trong kỳ chưa có căn nhà nào được xây dựng, bàn giao." in text
    assert "00 căn" not in text


def test_figures_no_row_records_are_one_marked_placeholder(config):
    text = draft(config, {"BCHQS": [saturday(participants=5)]})
    assert (
        "> [Cần bổ sung: số liệu trong kỳ về ngày công dân vận trong huấn luyện, nhà xây dựng, bàn giao, mô hình sinh kế và suất quà.]"
        in text
    )
    assert "chưa có số liệu trong kỳ" not in text.lower().replace("> [cần bổ sung: số liệu trong kỳ", "")


def test_livelihood_models_say_where_they_went(config):
    rows = [
        saturday(participants=5),
        row(
            "15/09/2024",
            "Mô hình sinh kế",
            commune="Đạ Tông",
            content="Tặng bò giống",
            livelihood_models=3,
            beneficiaries=3,
            mobilised=45_000_000,
        ),
    ]
    text = draft(config, {"Công an": rows})
    assert "Hỗ trợ 03 mô hình sinh kế:" in text
    assert line(text, "- 03 mô hình") == (
        "- 03 mô hình tại xã Đạ Tông, ngày 15/09/2024, trị giá 45 triệu đồng, 3 lượt người được hỗ trợ "
        "(Tặng bò giống; Công an huyện)."
    )


def test_gifts_carry_their_unit_rate_or_only_their_value(config):
    rows = [
        saturday(participants=5),
        row(
            "26/02/2024",
            "Tặng quà",
            commune="Toàn huyện",
            content="Đón quân nhân xuất ngũ",
            gifts=4,
            budget_state=1_200_000,
        ),
        row("08/03/2024", "Tặng quà", commune="Toàn huyện", content="Quà 8/3", budget_state=5_000_000),
    ]
    text = draft(config, {"BCHQS": rows})
    assert "Thăm hỏi, tặng 4 suất quà:" in text
    assert line(text, "- Ngày 26/02/2024") == (
        "- Ngày 26/02/2024, toàn huyện: Đón quân nhân xuất ngũ (BCHQS huyện): 04 suất, bình quân 300.000 đồng/suất, "
        "tổng trị giá 1,2 triệu đồng;"
    )
    assert (
        line(text, "- Ngày 08/03/2024") == "- Ngày 08/03/2024, toàn huyện: Quà 8/3 (BCHQS huyện): trị giá 5 triệu đồng."
    )


# ---------------------------------------------------------------- programme 3

WEAPONS = "Thu hồi vũ khí"


def test_weapons_handed_in_are_listed_by_session(config):
    rows = [
        row(
            "12/03/2024",
            WEAPONS,
            "CT3",
            "Liêng Srônh",
            content="Đổi quà lấy vũ khí",
            partners="Phòng PC06 Công an tỉnh",
            rounds=1,
            participants=40,
            weapons_homemade=4,
        ),
        row(
            "12/04/2024",
            WEAPONS,
            "CT3",
            "Đạ Long",
            content="Đổi quà lấy vũ khí",
            rounds=1,
            weapons_homemade=1,
            weapons_air=1,
        ),
    ]
    text = draft(config, {"Công an": rows})
    assert line(text, "Công an phối hợp tổ chức") == (
        "Công an phối hợp tổ chức 02 buổi tuyên truyền, vận động nhân dân tự nguyện giao nộp vũ khí, vật liệu nổ, "
        "công cụ hỗ trợ; kết quả thu hồi 05 súng tự chế, 01 súng hơi[^vk]."
    )
    assert line(text, "[^vk]:") == (
        "[^vk]: Theo từng buổi: ngày 12/03/2024 tại xã Liêng Srônh (Công an huyện phối hợp với Phòng PC06 Công an tỉnh, "
        "40 người dự): thu hồi 04 súng tự chế; ngày 12/04/2024 tại xã Đạ Long (Công an huyện): thu hồi 01 súng tự chế, 01 súng hơi."
    )


def test_sessions_where_nothing_was_handed_in_say_so(config):
    rows = [row("12/03/2024", WEAPONS, "CT3", content="Tuyên truyền", rounds=1, weapons_homemade=0, weapons_air=0)]
    sentence = line(draft(config, {"Công an": rows}), "Công an phối hợp tổ chức")
    assert sentence.endswith("công cụ hỗ trợ; trong kỳ chưa có vũ khí nào được giao nộp.")
    assert "00" not in sentence and "[^vk]" not in sentence


def test_weapons_without_any_row_are_a_placeholder(config):
    rows = [row("12/03/2024", "Đề án 06", "CT3", content="Định danh điện tử", participants=30)]
    text = draft(config, {"Công an": rows})
    assert "> [Cần bổ sung: kết quả tuyên truyền, vận động thu hồi vũ khí" in text
    assert "súng" not in text.split("### 3.")[1].split("### 4.")[0]


def test_violations_only_when_recorded(config):
    base = [row("12/03/2024", "Đề án 06", "CT3", content="Định danh điện tử", participants=30)]
    assert "vi phạm" not in draft(config, {"Công an": base}).split("### 3.")[1].split("### 4.")[0]
    fined = base + [row("13/02/2024", "Xử lý vi phạm", "CT3", content="Pháo", violations=2, fines=15_000_000)]
    assert line(draft(config, {"Công an": fined}), "Các lực lượng đã phát hiện") == (
        "Các lực lượng đã phát hiện, xử lý 02 vụ vi phạm, xử phạt vi phạm hành chính, nộp ngân sách nhà nước 15.000.000 đồng."
    )
    warned = base + [row("13/02/2024", "Xử lý vi phạm", "CT3", content="Nhắc nhở", violations=1, fines=0)]
    assert line(draft(config, {"Công an": warned}), "Các lực lượng đã phát hiện") == (
        "Các lực lượng đã phát hiện, xử lý 01 vụ vi phạm."
    )
    unknown = base + [row("13/02/2024", "Xử lý vi phạm", "CT3", content="Pháo", violations=1)]
    assert line(draft(config, {"Công an": unknown}), "Các lực lượng đã phát hiện") == (
        "Các lực lượng đã phát hiện, xử lý 01 vụ vi phạm; tiền xử phạt [Cần bổ sung: số tiền xử phạt nộp ngân sách]."
    )


# ---------------------------------------------------------------- events and section III


def test_events_are_dated_and_placed_in_their_programme(config):
    rows = [
        saturday(participants=5),
        row(
            "02/02/2024",
            "Giao lưu quân dân",
            commune="Liêng Srônh",
            village="Thôn 1",
            content="Tết Quân - Dân",
            partners="MTTQ",
            participants=350,
        ),
    ]
    text = draft(config, {"BCHQS": rows})
    programme_two = text.split("### 2.")[1].split("### 3.")[0]
    assert (
        "- Ngày 02/02/2024, xã Liêng Srônh (Thôn 1): Tết Quân - Dân (BCHQS huyện phối hợp với MTTQ huyện; 350 người tham dự)."
        in programme_two
    )
    assert "thôn Thôn" not in text


def test_section_three_names_silent_members_or_says_all_took_part(config, demo):
    text = draft(config, {"BCHQS": [saturday(participants=5)]})
    section = text.split("## III.")[1].split("###")[0]
    # the committee itself is not a member that should have recorded activities of its own
    assert re.search(r"chưa ghi nhận hoạt động của Công an huyện, MTTQ huyện, .+ và LĐLĐ huyện\.", section)
    assert "BCĐ 502" not in section
    assert "tất cả các thành viên" not in section and "Số liệu cho thấy" not in section
    whole = render_markdown(demo, config, YEAR, signing_date=SIGNED).split("## III.")[1].split("###")[0]
    assert "tất cả các thành viên Ban Chỉ đạo đều có hoạt động phối hợp" in whole and "chưa ghi nhận" not in whole


# ---------------------------------------------------------------- the reference's itemised rows in the 2024 draft


@pytest.fixture(scope="module")
def draft_2024(demo, config) -> str:
    return render_markdown(demo, config, YEAR, signing_date=SIGNED)


@pytest.mark.parametrize(
    "start, figures",
    [
        (
            "- Ngày 05/02/2024, toàn huyện: Thăm, chúc Tết 8 xã",
            ["16 suất", "bình quân 1.000.000 đồng/suất", "tổng trị giá 16 triệu đồng"],
        ),
        (
            "- Ngày 03/02/2024, toàn huyện: Thăm, tặng quà 8 gia đình chính sách",
            ["08 suất", "tổng trị giá 4 triệu đồng"],
        ),
        ("- Ngày 26/02/2024, toàn huyện: Đón 60 quân nhân xuất ngũ", ["60 suất", "bình quân 300.000 đồng/suất"]),
        (
            "- Ngày 20/02/2024, 8 xã: Gặp mặt, tặng quà thanh niên lên đường nhập ngũ",
            ["65 suất", "bình quân 2.500.000 đồng/suất"],
        ),
        ("- Ngày 08/03/2024, toàn huyện: Tặng quà vợ cán bộ, nữ dân quân", ["trị giá 15 triệu đồng"]),
        ("- Ngày 01/06/2024, toàn huyện: Tặng quà con cán bộ", ["48 suất", "tổng trị giá 23,4 triệu đồng"]),
        ("- Ngày 20/08/2024, toàn huyện: Khen thưởng các cháu", ["25 suất", "tổng trị giá 8,1 triệu đồng"]),
        ("- Ngày 20/05/2024, toàn huyện: Thăm, chúc mừng 03 cơ sở Phật giáo", ["03 suất", "tổng trị giá 3 triệu đồng"]),
        ("Các lực lượng phối hợp xây dựng, bàn giao", ["02 căn nhà", "tổng giá trị 100 triệu đồng"]),
        ("- 01 căn tại xã Đạ Long", ["(Đạ Nhinh 2)", "ngày 15/09/2024", "“Nghĩa tình quân dân”"]),
        ("- 01 căn tại xã Đạ M'Rông", ["(Đạ Kao)", "ngày 02/11/2024"]),
        ("- 05 mô hình tại xã Đạ Long", ["trị giá 250 triệu đồng", "Công an huyện"]),
        (
            "[^vk]:",
            [
                "ngày 12/03/2024 tại xã Liêng Srônh (Công an huyện phối hợp với Phòng PC06 Công an tỉnh",
                "thu hồi 04 súng tự chế;",
            ],
        ),
        ("- Ngày 02/02/2024, xã Liêng Srônh (Thôn 1): Chương trình “Tết Quân - Dân”", ["350 người tham dự"]),
        ("Trong huấn luyện dân quân tự vệ", ["812 ngày công"]),
        ("Các lực lượng đã phát hiện, xử lý", ["02 vụ vi phạm", "15.000.000 đồng"]),
        ("Công an phối hợp tổ chức", ["07 buổi", "24 súng tự chế", "04 súng hơi"]),
    ],
)
def test_each_itemised_row_of_the_workbook_is_a_sentence_of_the_2024_draft(draft_2024, start, figures):
    sentence = line(draft_2024, start)
    for figure in figures:
        assert figure in sentence, figure


def test_livelihood_models_recorded_as_none_are_said_to_be_none(config):
    rows = [saturday(participants=5), row("15/09/2024", "Mô hình sinh kế", content="Khảo sát", livelihood_models=0)]
    text = draft(config, {"BCHQS": rows})
    assert "Trong kỳ chưa có mô hình sinh kế nào được hỗ trợ." in text and "00 mô hình" not in text


def test_no_focused_campaign_no_campaign_sentence(config, draft_2024):
    assert "Đợt dân vận tập trung" not in draft(config, {"BCHQS": [saturday(participants=5)]})
    assert line(draft_2024, "Đợt dân vận tập trung tại xã Đạ Long").startswith(
        "Đợt dân vận tập trung tại xã Đạ Long huy động tổng kinh phí 4.080 triệu đồng"
    )


def test_an_itemised_activity_is_not_repeated_among_the_notable_ones(draft_2024):
    for content in ("Triển khai chương trình phối hợp hoạt động năm 2024", "Thăm, chúc mừng 03 cơ sở Phật giáo"):
        assert len(re.findall(re.escape(content), draft_2024)) == 1, content


def test_communes_named_with_their_noun_are_not_named_twice(demo, config):
    """Today's communes carry their noun («Xã Đam Rông 4»): the draft writes «xã Đam Rông 4», never «xã Xã»,
    and a village whose name has brackets is not put in brackets again."""
    today = boundaries.apply(demo, boundaries.CURRENT, config)
    text = render_markdown(today, boundaries.scope(config, today.boundaries, YEAR.start, YEAR.end), YEAR)
    assert not re.search(r"xã Xã", text, re.I) and "((" not in text and "))" not in text
    assert line(text, "- 01 căn tại xã Đam Rông 4 (Đạ Nhinh 2), ngày 15/09/2024")
    assert line(text, "Đợt dân vận tập trung tại xã Đam Rông 4 huy động tổng kinh phí 4.080 triệu đồng")
    assert line(text, "- Ngày 02/02/2024, xã Đam Rông 2 – Thôn 1 (Liêng Srônh): Chương trình “Tết Quân - Dân”")


# ---------------------------------------------------------------- long lists: the largest named, the others summed up


def limited(config, **limits: int):
    """A copy of the configuration whose itemised lists name at most ``limits[name]`` items."""
    changed = copy.deepcopy(config)
    lists = changed.dashboard.report.itemised
    for name, limit in limits.items():
        lists[name] = lists[name].model_copy(update={"limit": limit})
    return changed


def test_a_long_list_names_the_largest_items_in_date_order_and_sums_up_the_others(config):
    values = [60, 10, 90, 30, 20]  # million đồng, one house each, in date order
    communes = ["Rô Men", "Phi Liêng", "Đạ Long", "Đạ Long", "Liêng Srônh"]
    houses = [
        row(f"0{i + 1}/09/2024", HOUSE, commune=c, content=f"Nhà số {i + 1}", houses=1, mobilised=v * 1_000_000)
        for i, (v, c) in enumerate(zip(values, communes))
    ]
    text = draft(limited(config, houses=2), {"BCHQS": [saturday(participants=5), *houses]})
    assert "Các lực lượng phối hợp xây dựng, bàn giao 05 căn nhà, tổng giá trị 210 triệu đồng:" in text
    named = [x for x in text.splitlines() if x.startswith("- 01 căn tại")]
    assert [x.split(", ngày ")[1][:10] for x in named] == ["01/09/2024", "03/09/2024"]  # 60 and 90: the largest
    assert named[-1].endswith(";")  # the list goes on with the others
    assert line(text, "- 03 căn khác") == "- 03 căn khác tại 3 xã, tổng trị giá 60 triệu đồng."


def test_a_list_within_its_limit_has_no_line_for_others(config):
    rows = [row("01/09/2024", HOUSE, content="Nhà", houses=1, mobilised=5_000_000), saturday(participants=5)]
    text = draft(limited(config, houses=1), {"BCHQS": rows})
    assert line(text, "- 01 căn tại xã Rô Men").endswith(".") and "căn khác" not in text


def test_weapon_sessions_past_the_limit_are_summed_up_in_the_footnote(config):
    sessions = [
        row(f"1{i}/03/2024", WEAPONS, "CT3", c, content=f"Buổi {i}", rounds=1, participants=10, weapons_homemade=n)
        for i, (c, n) in enumerate([("Đạ Long", 1), ("Rô Men", 5), ("Phi Liêng", 2), ("Đạ Long", 3)])
    ]
    note = line(draft(limited(config, weapons=2), {"Công an": sessions}), "[^vk]:")
    assert note.startswith("[^vk]: Theo từng buổi: ngày 11/03/2024 tại xã Rô Men")  # 5 and 3 weapons: the largest
    assert "; ngày 13/03/2024 tại xã Đạ Long" in note
    assert note.endswith("; 2 buổi khác tại 2 xã (20 người dự): thu hồi 03 súng tự chế.")


def test_events_past_the_limit_are_counted_under_their_programme(config):
    events = [
        row(f"0{i + 1}/05/2024", "Hội nghị quán triệt", "CT1", content=f"Hội nghị {i + 1}", participants=10 * (i + 1))
        for i in range(4)
    ]
    text = draft(limited(config, events=1), {"BCHQS": [saturday(participants=5), *events]})
    assert line(text, "- Ngày 04/05/2024").startswith("- Ngày 04/05/2024, xã Rô Men: Hội nghị 4")  # the largest
    assert line(text, "- Cùng 3 hội nghị, sự kiện khác.") == "- Cùng 3 hội nghị, sự kiện khác."
