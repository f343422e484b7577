"""Deterministic generator of the embedded demo workbook (demo/dam-rong-demo.xlsx).

The 2024 rows add up exactly to the figures of the committee's 2024 report (72 rounds of
"Ngày thứ 7 cùng nhân dân" over all 53 villages, Tết support by source, the focused campaign at
Đạ Long, recruitment, weapons collected, …); 2023 has its own plausible figures. The rows run on
through 2025 and 2026 (to October): under the 8 old communes until 30/06/2025, under the 4 merged
communes from 01/07/2025, with a few rows after that day still typed with an old name (a warning,
counted for the new commune) and one row of Đưng K'Nớ from before it joined (out of scope). A handful of deliberately faulty rows (unknown commune, text in a number column, bad
date) sit in known places so the data-quality page has something to show; being errors, they are
excluded and leave every total unchanged. Some valid cells are typed the way people really type
them (numbers as text, dates as text, decomposed Unicode, curly apostrophes) to exercise cleaning.

Run: python -m demo.generate  (writes the workbook next to this file)
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from lib.config import Config, load_config

OUT = Path(__file__).resolve().parent / "dam-rong-demo.xlsx"
SEED = 502

# Column order of the organisation tabs; one tab uses aliases and another order on purpose.
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
    "Ngày công",
    "Lượt người được hỗ trợ",
    "Ngân sách nhà nước (đồng)",
    "Vận động, tài trợ (đồng)",
    "Quỹ Vì người nghèo (đồng)",
    "Nhân dân đối ứng (đồng)",
    "Đường làm vệ sinh (km)",
    "Cây xanh trồng, chăm sóc (cây)",
    "Kênh mương nạo vét (km)",
    "Đường điện lắp đặt (km)",
    "Nhà xây, bàn giao (căn)",
    "Mô hình sinh kế",
    "Suất quà",
    "Thanh niên nhập ngũ",
    "Súng tự chế thu hồi",
    "Súng hơi thu hồi",
    "Vụ vi phạm xử lý",
    "Tiền xử phạt nộp ngân sách (đồng)",
]
KEYS = [
    "date",
    "commune",
    "village",
    "programme",
    "activity_type",
    "content",
    "partners",
    "rounds",
    "participants",
    "labour_days",
    "beneficiaries",
    "budget_state",
    "mobilised",
    "fund_poor",
    "people_contrib",
    "road_km",
    "trees",
    "canal_km",
    "power_km",
    "houses",
    "livelihood_models",
    "gifts",
    "recruits",
    "weapons_homemade",
    "weapons_air",
    "violations",
    "fines",
]
ALIAS_HEADERS = {
    "date": "Ngày thực hiện",
    "commune": "Xã/Thị trấn",
    "activity_type": "Hoạt động",
    "participants": "Số người tham gia",
    "mobilised": "Vận động",
}

TYPE_NAMES = {
    "ngay_thu_7": "Ngày thứ 7 cùng nhân dân",
    "dan_van_tap_trung": "Dân vận tập trung",
    "tham_hoi_tet": "Thăm hỏi, tặng quà Tết",
    "tang_qua": "Tặng quà",
    "tuyen_quan": "Tuyển quân",
    "huan_luyen": "Huấn luyện DQTV",
    "xay_nha": "Nhà nghĩa tình quân dân",
    "mo_hinh_sinh_ke": "Mô hình sinh kế",
    "ket_nghia": "Tết quân dân",
    "thu_hoi_vu_khi": "Thu hồi vũ khí",
    "xu_ly_vi_pham": "Xử lý pháo nổ",
    "de_an_06": "Đề án 06",
    "dan_van_dtts": "Dân vận vùng đồng bào",
    "gap_mat_ton_giao": "Gặp mặt chức sắc tôn giáo",
    "tuyen_truyen": "Tuyên truyền pháp luật",
    "quan_triet": "Hội nghị quán triệt",
    "phong_trao_nong_thon_moi": "Nông thôn mới",
    "cung_co_to_chuc": "Củng cố tổ chức",
    "sinh_hoat_chuyen_de": "Sinh hoạt chuyên đề",
}
PROGRAMME_OF = {
    "tuyen_truyen": 1,
    "quan_triet": 1,
    "phong_trao_nong_thon_moi": 1,
    "thu_hoi_vu_khi": 3,
    "xu_ly_vi_pham": 3,
    "de_an_06": 3,
    "dan_van_dtts": 3,
    "gap_mat_ton_giao": 3,
    "cung_co_to_chuc": 4,
    "sinh_hoat_chuyen_de": 4,
}

SOCIO = ["mttq", "phu_nu", "doan_tn", "nong_dan", "ccb", "ldld"]
PARTNER_NAMES = {
    "bchqs": "BCHQS huyện",
    "cong_an": "Công an huyện",
    "mttq": "MTTQ huyện",
    "phu_nu": "Hội LHPN",
    "doan_tn": "Huyện đoàn",
    "nong_dan": "Hội Nông dân",
    "ccb": "Hội CCB",
    "ldld": "LĐLĐ huyện",
}


def split(total: int, parts: int, rng: random.Random, spread: float = 0.5) -> list[int]:
    """``total`` split into ``parts`` positive integers that add up exactly, with some variation."""
    weights = [1 + spread * (rng.random() * 2 - 1) for _ in range(parts)]
    raw = [total * w / sum(weights) for w in weights]
    out = [max(1, int(r)) for r in raw]
    out[-1] += total - sum(out)
    assert sum(out) == total and min(out) > 0, (total, parts, out)
    return out


class Builder:
    """Accumulates rows per organisation for one year."""

    def __init__(self, config: Config, rng: random.Random):
        self.config, self.rng = config, rng
        self.rows: dict[str, list[dict]] = {code: [] for code in config.organisations}
        self.era(dt.date(2024, 1, 1))

    def era(self, day: dt.date) -> None:
        """Use the communes (and their villages) of the unit on ``day``."""
        valid = [c for c in self.config.unit.communes if c.valid_in(day, day)]
        self.communes = [c.name for c in valid]
        self.villages = [(c.name, v.name) for c in valid for v in c.villages]

    def add(
        self,
        org: str,
        day: dt.date,
        commune: str,
        activity: str,
        content: str,
        village: str = "",
        partners: list[str] = (),
        **measures: float,
    ) -> None:
        self.rows[org].append(
            {
                "date": day,
                "commune": commune,
                "village": village,
                "programme": PROGRAMME_OF.get(activity, 2),
                "activity_type": TYPE_NAMES[activity],
                "content": content,
                "partners": ", ".join(PARTNER_NAMES[p] for p in partners),
                **measures,
            }
        )

    def saturdays(self, year: int, count: int) -> list[dt.date]:
        first = dt.date(year, 1, 6) + dt.timedelta(days=(5 - dt.date(year, 1, 6).weekday()) % 7)
        days = [first + dt.timedelta(weeks=w) for w in range(52) if (first + dt.timedelta(weeks=w)).year == year]
        return sorted(days[i % len(days)] for i in range(count))


def saturday_programme(
    b: Builder,
    year: int,
    rounds: int,
    villages: int,
    participants: int,
    road_tenths: int,
    trees: int,
    canal_tenths: int,
    power_tenths: int,
    power_value: int,
    people: int,
) -> None:
    """'Ngày thứ 7 cùng nhân dân': one row per round, covering ``villages`` distinct villages."""
    rng = b.rng
    places = b.villages[:villages] + [rng.choice(b.villages[:villages]) for _ in range(rounds - villages)]
    rng.shuffle(places)
    days = b.saturdays(year, rounds)
    people_split = split(participants, rounds, rng)
    leads = ["bchqs", "doan_tn", "phu_nu", "nong_dan", "ccb", "mttq", "ldld", "cong_an"]
    road = dict(zip(rng.sample(range(rounds), rounds * 5 // 6), split(road_tenths, rounds * 5 // 6, rng)))
    tree = dict(zip(rng.sample(range(rounds), rounds // 2), split(trees, rounds // 2, rng)))
    canal = dict(zip(rng.sample(range(rounds), rounds // 4), split(canal_tenths, rounds // 4, rng)))
    power_rounds = rng.sample(range(rounds), 6)
    power = dict(zip(power_rounds, split(power_tenths, 6, rng)))
    value = dict(zip(power_rounds, [v * 100_000 for v in split(power_value // 100_000, 6, rng)]))
    contrib_rounds = [i for i in range(rounds) if i not in power][:10]
    contrib = dict(zip(contrib_rounds, [v * 500_000 for v in split(people // 500_000, 10, rng)]))
    for i, ((commune, village), day) in enumerate(zip(places, days)):
        lead = leads[i % len(leads)]
        partners = rng.sample([p for p in leads if p != lead], 2)
        works = [
            w
            for w, d in (
                ("dọn vệ sinh đường làng", road),
                ("trồng cây xanh", tree),
                ("nạo vét kênh mương", canal),
                ("lắp đặt đường điện năng lượng mặt trời", power),
            )
            if i in d
        ] or ["tuyên truyền, giúp dân"]
        measures = {"rounds": 1, "participants": people_split[i]}
        if i in road:
            measures["road_km"] = road[i] / 10
        if i in tree:
            measures["trees"] = tree[i]
        if i in canal:
            measures["canal_km"] = canal[i] / 10
        if i in power:
            measures["power_km"], measures["mobilised"] = power[i] / 10, value[i]
        if i in contrib:
            measures["people_contrib"] = contrib[i]
        b.add(
            lead,
            day,
            commune,
            "ngay_thu_7",
            f"Ra quân {', '.join(works)} tại thôn {village}",
            village,
            partners,
            **measures,
        )


def tet_support(
    b: Builder, year: int, state: tuple[int, int], mobilised: tuple[int, int], fund: tuple[int, int]
) -> None:
    """Tết gifts by the Front and the organisations, one funding source per row."""
    rng, communes = b.rng, b.communes
    tet = dt.date(year, 1, 15)
    for source, (money, people), rows in (
        ("budget_state", state, 8),
        ("mobilised", mobilised, 16),
        ("fund_poor", fund, 8),
    ):
        amounts, heads = split(money // 5_000, rows, rng, 0.3), split(people, rows, rng, 0.3)
        for i in range(rows):
            org = "mttq" if source != "mobilised" else SOCIO[i % len(SOCIO)]
            label = {
                "budget_state": "hộ nghèo, gia đình chính sách",
                "mobilised": "hộ khó khăn",
                "fund_poor": "hộ nghèo (Quỹ Vì người nghèo)",
            }[source]
            b.add(
                org,
                tet + dt.timedelta(days=i % 20),
                communes[i % len(communes)],
                "tham_hoi_tet",
                f"Thăm hỏi, tặng quà Tết cho {label}",
                partners=["bchqs"] if i % 4 == 0 else [],
                beneficiaries=heads[i],
                **{source: amounts[i] * 5_000},
            )


def campaign(b: Builder, year: int, commune: str, rows: list[tuple[str, str, dict]]) -> None:
    """The focused mass-mobilisation campaign at one commune."""
    villages = [v.name for v in b.config.communes[commune].villages]
    for i, (org, content, measures) in enumerate(rows):
        b.add(
            org,
            dt.date(year, 8, 10) + dt.timedelta(days=9 * i),
            commune,
            "dan_van_tap_trung",
            content,
            villages[i % len(villages)],
            ["bchqs", "mttq"] if org not in ("bchqs", "mttq") else ["cong_an"],
            **measures,
        )


def recruitment(b: Builder, year: int, quota_by_commune: dict[str, int], gift: int) -> None:
    for commune, recruits in quota_by_commune.items():
        b.add(
            "bchqs",
            dt.date(year, 2, 20),
            commune,
            "tuyen_quan",
            "Gặp mặt, tặng quà thanh niên lên đường nhập ngũ",
            partners=["doan_tn", "mttq"],
            recruits=recruits,
            gifts=recruits,
            budget_state=recruits * gift,
        )


def training(b: Builder, year: int, labour_days: int) -> None:
    communes = b.communes
    for i, (commune, days) in enumerate(zip(communes, split(labour_days, len(communes), b.rng))):
        b.add(
            "bchqs",
            dt.date(year, 4, 8) + dt.timedelta(days=5 * i),
            commune,
            "huan_luyen",
            "Huấn luyện dân quân kết hợp làm công tác dân vận giúp dân",
            partners=["doan_tn"],
            participants=days // 3,
            labour_days=days,
        )


def routine(b: Builder, year: int, months: range) -> None:
    """Propaganda, meetings and organisation-building rows spread over the year."""
    rng, communes = b.rng, b.communes
    kinds = [
        ("tuyen_truyen", "Tuyên truyền phòng, chống ma tuý, an toàn giao thông"),
        ("phong_trao_nong_thon_moi", "Vận động nhân dân hiến đất, góp công làm đường nông thôn"),
        ("sinh_hoat_chuyen_de", "Sinh hoạt chuyên đề về xây dựng khối đại đoàn kết"),
        ("cung_co_to_chuc", "Kết nạp hội viên, củng cố chi hội"),
        ("de_an_06", "Hướng dẫn kích hoạt định danh điện tử mức 2"),
    ]
    orgs = ["mttq", "phu_nu", "doan_tn", "nong_dan", "ccb", "ldld", "cong_an"]
    for month in months:
        for j, org in enumerate(orgs):
            activity, content = kinds[(month + j) % len(kinds)]
            if activity == "de_an_06":
                org = "cong_an"
            commune = communes[(month * 3 + j) % len(communes)]
            b.add(
                org,
                dt.date(year, month, 3 + 3 * j),
                commune,
                activity,
                content,
                partners=[rng.choice([o for o in orgs if o != org])],
                rounds=1,
                participants=rng.randint(25, 90),
            )


def security(b: Builder, year: int, sessions: list[tuple[str, int, int]], cases: int, fine: int) -> None:
    """Weapons-collection sessions (commune, home-made guns, air guns) and firecracker cases."""
    for i, (commune, homemade, air) in enumerate(sessions):
        partner = "Phòng PC06 Công an tỉnh" if i == 0 else ""
        b.rows["cong_an"].append(
            {
                "date": dt.date(year, 3 + i, 12),
                "commune": commune,
                "programme": 3,
                "activity_type": TYPE_NAMES["thu_hoi_vu_khi"],
                "content": "Tuyên truyền vận động giao nộp vũ khí, vật liệu nổ, công cụ hỗ trợ (đổi quà lấy vũ khí)",
                "partners": ", ".join(filter(None, [partner, "MTTQ huyện"])),
                "rounds": 1,
                "participants": 40 + 7 * i,
                "weapons_homemade": homemade or None,
                "weapons_air": air or None,
            }
        )
    for i in range(cases):
        b.add(
            "cong_an",
            dt.date(year, 2, 13 + i),
            [b.communes[0], b.communes[2]][i % 2],
            "xu_ly_vi_pham",
            "Xử phạt hành chính hành vi tàng trữ, sử dụng trái phép pháo nổ dịp Tết",
            violations=1,
            fines=fine // cases,
        )


def year_2024(b: Builder) -> None:
    saturday_programme(
        b,
        2024,
        rounds=72,
        villages=53,
        participants=8520,
        road_tenths=950,
        trees=5254,
        canal_tenths=265,
        power_tenths=152,
        power_value=423_800_000,
        people=612_500_000,
    )
    campaign(
        b,
        2024,
        "Đạ Long",
        [
            (
                "bcd",
                "Bê tông hoá đường giao thông nông thôn",
                {"budget_state": 1_150_000_000, "people_contrib": 690_000_000, "participants": 320},
            ),
            (
                "bcd",
                "Tuyến đường hoa, đèn đường năng lượng mặt trời",
                {"mobilised": 420_000_000, "people_contrib": 180_000_000, "participants": 150},
            ),
            (
                "mttq",
                "Xây dựng nhà đại đoàn kết cho hộ nghèo",
                {"mobilised": 360_000_000, "people_contrib": 195_000_000, "beneficiaries": 3},
            ),
            (
                "bchqs",
                "Sửa chữa nhà văn hoá thôn, lợp lại mái trường học",
                {"budget_state": 300_000_000, "people_contrib": 100_000_000, "labour_days": 240},
            ),
            (
                "cong_an",
                "Trao tặng mô hình sinh kế cho hộ có hoàn cảnh khó khăn",
                {"mobilised": 250_000_000, "livelihood_models": 5, "beneficiaries": 5},
            ),
            (
                "doan_tn",
                "Công trình thanh niên: sân chơi cho thiếu nhi",
                {"mobilised": 185_000_000, "people_contrib": 50_000_000, "participants": 80},
            ),
            (
                "phu_nu",
                "Hỗ trợ bể chứa nước sạch cho hộ phụ nữ nghèo",
                {"mobilised": 150_000_000, "people_contrib": 50_000_000, "beneficiaries": 30},
            ),
        ],
    )
    tet_support(b, 2024, state=(2_872_300_000, 4272), mobilised=(2_410_875_000, 5986), fund=(710_000_000, 1400))
    recruitment(
        b,
        2024,
        {
            "Rô Men": 10,
            "Liêng Srônh": 9,
            "Phi Liêng": 9,
            "Đạ K'Nàng": 8,
            "Đạ Rsal": 8,
            "Đạ M'Rông": 7,
            "Đạ Tông": 7,
            "Đạ Long": 7,
        },
        gift=2_500_000,
    )
    training(b, 2024, labour_days=812)
    whole = b.config.unit.whole_unit_label
    b.add(
        "bchqs",
        dt.date(2024, 2, 5),
        whole,
        "tham_hoi_tet",
        "Thăm, chúc Tết 8 xã, các cơ quan và đơn vị kết nghĩa (16 đơn vị, 1.000.000 đồng/suất)",
        gifts=16,
        budget_state=16_000_000,
    )
    b.add(
        "bchqs",
        dt.date(2024, 2, 3),
        whole,
        "tang_qua",
        "Thăm, tặng quà 8 gia đình chính sách",
        gifts=8,
        budget_state=4_000_000,
    )
    b.add(
        "bchqs",
        dt.date(2024, 2, 26),
        whole,
        "tang_qua",
        "Đón 60 quân nhân xuất ngũ về địa phương, tặng quà 300.000 đồng/suất",
        gifts=60,
        budget_state=18_000_000,
    )
    b.add(
        "bchqs",
        dt.date(2024, 3, 8),
        whole,
        "tang_qua",
        "Tặng quà vợ cán bộ, nữ dân quân thường trực nhân Ngày Quốc tế Phụ nữ",
        budget_state=15_000_000,
    )
    b.add(
        "bchqs",
        dt.date(2024, 6, 1),
        whole,
        "tang_qua",
        "Tặng quà con cán bộ, dân quân thường trực nhân Ngày Quốc tế thiếu nhi",
        gifts=48,
        budget_state=23_400_000,
    )
    b.add(
        "bchqs",
        dt.date(2024, 8, 20),
        whole,
        "tang_qua",
        "Khen thưởng các cháu đạt thành tích xuất sắc năm học 2023-2024",
        gifts=25,
        budget_state=8_100_000,
    )
    b.add(
        "bchqs",
        dt.date(2024, 5, 20),
        whole,
        "gap_mat_ton_giao",
        "Thăm, chúc mừng 03 cơ sở Phật giáo nhân Lễ Phật đản",
        gifts=3,
        budget_state=3_000_000,
    )
    b.add(
        "bchqs",
        dt.date(2024, 2, 2),
        "Liêng Srônh",
        "ket_nghia",
        "Chương trình “Tết Quân - Dân” với xã và Ban nhân dân thôn 1",
        "Thôn 1",
        ["mttq", "doan_tn"],
        participants=350,
    )
    b.add(
        "bchqs",
        dt.date(2024, 9, 15),
        "Đạ Long",
        "xay_nha",
        "Bàn giao nhà “Nghĩa tình quân dân”",
        "Đạ Nhinh 2",
        ["mttq"],
        houses=1,
        mobilised=50_000_000,
    )
    b.add(
        "bchqs",
        dt.date(2024, 11, 2),
        "Đạ M'Rông",
        "xay_nha",
        "Bàn giao nhà “Nghĩa tình quân dân”",
        "Đạ Kao",
        ["mttq"],
        houses=1,
        mobilised=50_000_000,
    )
    security(
        b,
        2024,
        [
            ("Liêng Srônh", 4, 0),
            ("Đạ Long", 5, 1),
            ("Đạ M'Rông", 3, 1),
            ("Đạ Tông", 4, 0),
            ("Phi Liêng", 3, 1),
            ("Rô Men", 2, 1),
            ("Đạ Rsal", 3, 0),
        ],
        cases=2,
        fine=15_000_000,
    )
    b.add(
        "cong_an",
        dt.date(2024, 7, 18),
        "Liêng Srônh",
        "dan_van_dtts",
        "Giúp dân tiểu khu 179 nạo vét kênh mương, sửa đường, tuyên truyền không phá rừng làm rẫy",
        "Tiểu khu 179",
        ["mttq"],
        participants=60,
    )
    b.add(
        "mttq",
        dt.date(2024, 1, 25),
        whole,
        "gap_mat_ton_giao",
        "Gặp mặt chức sắc tôn giáo dịp Tết Nguyên đán",
        partners=["cong_an"],
        participants=45,
    )
    b.add(
        "bcd",
        dt.date(2024, 1, 12),
        whole,
        "quan_triet",
        "Triển khai chương trình phối hợp hoạt động năm 2024",
        partners=["bchqs", "mttq"],
        participants=70,
    )
    routine(b, 2024, range(1, 13))


def year_2023(b: Builder) -> None:
    saturday_programme(
        b,
        2023,
        rounds=60,
        villages=47,
        participants=7100,
        road_tenths=820,
        trees=4300,
        canal_tenths=210,
        power_tenths=96,
        power_value=265_000_000,
        people=450_000_000,
    )
    campaign(
        b,
        2023,
        "Liêng Srônh",
        [
            ("bcd", "Làm đường bê tông liên thôn", {"budget_state": 900_000_000, "people_contrib": 520_000_000}),
            (
                "mttq",
                "Xây dựng nhà đại đoàn kết",
                {"mobilised": 300_000_000, "people_contrib": 150_000_000, "beneficiaries": 3},
            ),
            (
                "cong_an",
                "Hỗ trợ mô hình sinh kế",
                {"mobilised": 180_000_000, "livelihood_models": 4, "beneficiaries": 4},
            ),
        ],
    )
    tet_support(b, 2023, state=(2_450_000_000, 3900), mobilised=(2_105_500_000, 5400), fund=(620_000_000, 1250))
    recruitment(
        b,
        2023,
        {
            "Rô Men": 9,
            "Liêng Srônh": 8,
            "Phi Liêng": 8,
            "Đạ K'Nàng": 7,
            "Đạ Rsal": 7,
            "Đạ M'Rông": 7,
            "Đạ Tông": 7,
            "Đạ Long": 7,
        },
        gift=2_000_000,
    )
    training(b, 2023, labour_days=760)
    security(
        b,
        2023,
        [("Đạ Long", 6, 1), ("Liêng Srônh", 5, 2), ("Đạ Tông", 4, 0), ("Phi Liêng", 3, 0), ("Đạ M'Rông", 2, 1)],
        cases=3,
        fine=18_000_000,
    )
    b.add(
        "bchqs",
        dt.date(2023, 10, 5),
        "Đạ Tông",
        "xay_nha",
        "Bàn giao nhà “Nghĩa tình quân dân”",
        "Đa Cháp",
        ["mttq"],
        houses=1,
        mobilised=50_000_000,
    )
    routine(b, 2023, range(1, 13))


def year_2025(b: Builder) -> None:
    saturday_programme(
        b,
        2025,
        rounds=14,
        villages=14,
        participants=1650,
        road_tenths=180,
        trees=900,
        canal_tenths=40,
        power_tenths=20,
        power_value=60_000_000,
        people=50_000_000,
    )
    tet_support(b, 2025, state=(1_200_000_000, 1800), mobilised=(980_000_000, 2300), fund=(300_000_000, 600))
    routine(b, 2025, range(1, 4))
    first_half_2025(b)
    b.era(dt.date(2025, 7, 1))
    second_half_2025(b)
    year_2026(b)


def weekly(b: Builder, start: dt.date, end: dt.date, org_cycle: list[str]) -> None:
    """'Ngày thứ 7 cùng nhân dân' every Saturday from ``start`` to ``end``, commune by commune in turn."""
    rng = b.rng
    day = start + dt.timedelta(days=(5 - start.weekday()) % 7)
    i = 0
    while day <= end:
        commune = b.communes[i % len(b.communes)]
        places = [v for c, v in b.villages if c == commune]
        village = places[(i // len(b.communes)) % len(places)]
        lead = org_cycle[i % len(org_cycle)]
        measures = {"rounds": 1, "participants": rng.randint(80, 160), "road_km": rng.randint(5, 20) / 10}
        if i % 3 == 0:
            measures["trees"] = rng.randint(50, 150)
        if i % 5 == 2:
            measures["people_contrib"] = rng.randint(4, 16) * 1_000_000
        b.add(
            lead,
            day,
            commune,
            "ngay_thu_7",
            f"Ra quân dọn vệ sinh, trồng cây xanh tại thôn {village}",
            village,
            [o for o in ("doan_tn", "mttq") if o != lead][:1],
            **measures,
        )
        day += dt.timedelta(weeks=1)
        i += 1


def first_half_2025(b: Builder) -> None:
    """April to June 2025: the last months of the district and its 8 communes."""
    weekly(b, dt.date(2025, 4, 19), dt.date(2025, 6, 28), ["bchqs", "doan_tn", "phu_nu", "ccb"])
    routine(b, 2025, range(4, 7))
    recruitment(
        b,
        2025,
        {
            "Rô Men": 9,
            "Liêng Srônh": 8,
            "Phi Liêng": 9,
            "Đạ K'Nàng": 8,
            "Đạ Rsal": 8,
            "Đạ M'Rông": 8,
            "Đạ Tông": 8,
            "Đạ Long": 7,
        },
        gift=2_000_000,
    )
    training(b, 2025, labour_days=720)
    security(b, 2025, [("Đạ Long", 3, 1), ("Liêng Srônh", 2, 0), ("Phi Liêng", 1, 1)], cases=2, fine=10_000_000)
    b.add(
        "mttq",
        dt.date(2025, 5, 24),
        "Đưng K'Nớ",
        "tang_qua",
        "Phối hợp thăm, tặng quà hộ nghèo trước khi sắp xếp đơn vị hành chính",
        partners=["bchqs"],
        beneficiaries=20,
        mobilised=20_000_000,
    )


def second_half_2025(b: Builder) -> None:
    """From 01/07/2025: the 4 merged communes; some rows still name the old communes."""
    weekly(b, dt.date(2025, 7, 5), dt.date(2025, 12, 27), ["bchqs", "mttq", "doan_tn", "nong_dan", "cong_an"])
    routine(b, 2025, range(7, 13))
    campaign(
        b,
        2025,
        "Xã Đam Rông 4",
        [
            (
                "bchqs",
                "Sửa chữa đường giao thông nông thôn",
                {"budget_state": 450_000_000, "people_contrib": 120_000_000},
            ),
            ("mttq", "Xây dựng nhà đại đoàn kết", {"mobilised": 200_000_000, "houses": 2, "beneficiaries": 2}),
            (
                "nong_dan",
                "Hỗ trợ mô hình sinh kế",
                {"mobilised": 90_000_000, "livelihood_models": 3, "beneficiaries": 3},
            ),
        ],
    )
    for day, org, old, content in (
        (dt.date(2025, 7, 9), "phu_nu", "Đạ Tông", "Tuyên truyền phòng, chống mua bán người"),
        (dt.date(2025, 7, 16), "ccb", "Rô Men", "Sinh hoạt chuyên đề về chính quyền địa phương hai cấp"),
        (dt.date(2025, 8, 2), "ldld", "Phi Liêng", "Thăm hỏi đoàn viên có hoàn cảnh khó khăn"),
        (dt.date(2025, 9, 13), "doan_tn", "Đạ M'Rông", "Tuyên truyền an toàn giao thông cho học sinh"),
    ):
        b.add(org, day, old, "tuyen_truyen", content, rounds=1, participants=45)


def year_2026(b: Builder) -> None:
    """January to October 2026, under the 4 communes."""
    tet_support(b, 2026, state=(1_350_000_000, 2000), mobilised=(1_120_000_000, 2600), fund=(340_000_000, 700))
    recruitment(
        b, 2026, {"Xã Đam Rông 1": 17, "Xã Đam Rông 2": 18, "Xã Đam Rông 3": 16, "Xã Đam Rông 4": 19}, gift=2_500_000
    )
    weekly(b, dt.date(2026, 1, 3), dt.date(2026, 10, 24), ["bchqs", "doan_tn", "phu_nu", "ccb", "mttq", "cong_an"])
    routine(b, 2026, range(1, 11))
    training(b, 2026, labour_days=680)
    security(
        b, 2026, [("Xã Đam Rông 4", 2, 1), ("Xã Đam Rông 2", 2, 0), ("Xã Đam Rông 1", 1, 0)], cases=2, fine=8_000_000
    )
    campaign(
        b,
        2026,
        "Xã Đam Rông 2",
        [
            ("bchqs", "Bê tông hoá đường liên thôn", {"budget_state": 600_000_000, "people_contrib": 150_000_000}),
            ("mttq", "Xây dựng nhà đại đoàn kết", {"mobilised": 240_000_000, "houses": 3, "beneficiaries": 3}),
            ("phu_nu", "Hỗ trợ mô hình sinh kế", {"mobilised": 60_000_000, "livelihood_models": 2, "beneficiaries": 2}),
        ],
    )


def humanise(rows: list[dict], rng: random.Random) -> None:
    """Type some valid cells the way people do: text numbers and dates, NFD, curly apostrophes."""
    for i, row in enumerate(rows):
        if i % 7 == 3 and isinstance(row.get("date"), dt.date):
            row["date"] = row["date"].strftime("%d/%m/%Y")
        if i % 11 == 5:
            for key in ("mobilised", "budget_state", "people_contrib"):
                if row.get(key):
                    row[key] = f"{int(row[key]):,}".replace(",", ".")
        if i % 13 == 6 and row.get("canal_km"):
            row["canal_km"] = f"{row['canal_km']:.1f}".replace(".", ",")
        if i % 9 == 4:
            row["commune"] = unicodedata.normalize("NFD", row["commune"]).replace("'", "’")
        if i % 17 == 8:
            row["commune"] = f" {row['commune']}  "


FAULTY = {
    # tab code → rows appended after the valid ones: each is an error that excludes the row.
    "phu_nu": [
        {
            "date": dt.date(2024, 5, 18),
            "commune": "Đạ Lonh",
            "programme": 1,
            "activity_type": "Tuyên truyền pháp luật",
            "content": "Tuyên truyền phòng chống bạo lực gia đình",
            "rounds": 1,
            "participants": 55,
        }
    ],
    "nong_dan": [
        {
            "date": dt.date(2024, 6, 22),
            "commune": "Phi Liêng",
            "programme": 1,
            "activity_type": "Nông thôn mới",
            "content": "Hội thảo chuyển giao kỹ thuật",
            "rounds": 1,
            "participants": "khoảng 50 người",
        }
    ],
    "ccb": [
        {
            "date": "31/02/2024",
            "commune": "Đạ Tông",
            "programme": 4,
            "activity_type": "Sinh hoạt chuyên đề",
            "content": "Sinh hoạt truyền thống",
            "rounds": 1,
            "participants": 40,
        }
    ],
    "doan_tn": [
        {
            "date": dt.date(2024, 9, 7),
            "commune": "Rô Men",
            "village": "Pul",
            "programme": 1,
            "activity_type": "Tuyên truyền",
            "content": "Tuyên truyền an toàn giao thông",
            "rounds": 1,
            "participants": 60,
        }
    ],
}


WARNED = {
    # tab code → valid rows that raise a warning (kept and counted).
    "ccb": [
        {
            "date": dt.date(2024, 10, 12),
            "commune": "Rô Men",
            "village": "Thôn 9",
            "programme": 4,
            "activity_type": "Sinh hoạt chuyên đề",
            "content": "Sinh hoạt chuyên đề về truyền thống",
            "rounds": 1,
            "participants": 35,
        }
    ],
}


def merge_looking(rows: list[dict]) -> None:
    """Blank the commune of the first row that repeats the one above, as a merged cell would."""
    for above, row in zip(rows, rows[1:]):
        if row["commune"] == above["commune"]:
            row["commune"] = None
            return


def cell(value):
    return value if value not in (None, "") else None


# ---------------------------------------------------------------- the text tabs (our own wording)

ASSESSMENT = [
    (
        2024,
        "Ưu điểm",
        "Các thành viên Ban Chỉ đạo xây dựng kế hoạch phối hợp sớm, phân công rõ người, rõ việc; mô hình “Ngày thứ 7 cùng nhân dân” được duy trì đều ở tất cả các thôn.",
    ),
    (2024, "Ưu điểm", "Đợt dân vận tập trung huy động được nhiều nguồn lực xã hội, nhân dân tích cực đối ứng."),
    (
        2024,
        "Hạn chế",
        "Sự phối hợp giữa một số đơn vị ở cơ sở chưa thường xuyên; nguồn vận động cho sinh kế và nhà ở còn ít so với nhu cầu.",
    ),
    (2024, "Nguyên nhân", "Một số cán bộ cơ sở kiêm nhiệm nhiều việc; điều kiện kinh tế của địa bàn còn khó khăn."),
    (
        2025,
        "Ưu điểm",
        "Việc sắp xếp đơn vị hành chính và chuyển sang chính quyền địa phương hai cấp từ 01/07/2025 không làm gián đoạn hoạt động phối hợp; các xã mới sớm kiện toàn đầu mối theo dõi.",
    ),
    (
        2025,
        "Hạn chế",
        "Một số đơn vị vẫn ghi tên xã cũ sau ngày 01/07/2025; số liệu của các xã trước sáp nhập phải quy đổi khi so sánh.",
    ),
    # 2024: the context of section I and the openings of section II
    (
        2024,
        "I",
        "Năm 2024, kinh tế của huyện giữ được đà tăng trưởng, sản xuất nông nghiệp ổn định; quốc phòng, an ninh được bảo đảm, không để xảy ra điểm nóng; đời sống vật chất và tinh thần của nhân dân từng bước được cải thiện, nhân dân tin tưởng và chấp hành tốt chủ trương của Đảng, chính sách, pháp luật của Nhà nước.",
    ),
    (
        2024,
        "I",
        "Khó khăn vẫn còn nhiều: địa bàn rộng, giao thông đi lại ở các thôn vùng sâu còn trắc trở; số hộ nghèo, hộ cận nghèo giảm qua từng năm nhưng vẫn chiếm phần đáng kể trong dân cư; tình trạng phá rừng làm rẫy, di cư tự do còn tiềm ẩn phức tạp.",
    ),
    (
        2024,
        "I",
        "Ngay từ đầu năm, Ban Chỉ đạo 502 huyện ban hành kế hoạch, phân công nhiệm vụ cho từng thành viên; Ban Chỉ huy Quân sự huyện, Công an huyện, Mặt trận và các tổ chức chính trị - xã hội đã quán triệt chương trình phối hợp đến cơ sở và đưa các chỉ tiêu vào kế hoạch công tác của cấp mình.",
    ),
    (
        2024,
        "II.1",
        "Các lực lượng lồng ghép tuyên truyền vào sinh hoạt của chi hội, chi đoàn, tổ dân quân và các buổi họp thôn, giúp nhân dân nắm rõ chủ trương của Đảng, chính sách, pháp luật của Nhà nước, cảnh giác trước luận điệu xuyên tạc của các thế lực thù địch; vận động nhân dân giữ rừng, không phát rừng làm rẫy, tích cực tham gia các phong trào thi đua ở khu dân cư và xây dựng nông thôn mới.",
    ),
    (
        2024,
        "II.2",
        "Mặt trận và các tổ chức chính trị - xã hội đưa nội dung Luật Nghĩa vụ quân sự, Luật Dân quân tự vệ, Luật Lực lượng dự bị động viên vào sinh hoạt định kỳ, động viên đoàn viên, hội viên và gia đình có con em trong độ tuổi sẵn sàng thực hiện nghĩa vụ; thăm hỏi, động viên lực lượng dân quân tự vệ, dự bị động viên trong thời gian huấn luyện.",
    ),
    (
        2024,
        "II.2",
        "Cán bộ, chiến sỹ, đoàn viên, hội viên tham gia các phong trào “Đền ơn đáp nghĩa”, “Cả nước chung sức xây dựng nông thôn mới”, góp ngày công làm đường, xây nhà, chuyển giao kỹ thuật trồng trọt, chăn nuôi, hỗ trợ học bổng cho học sinh nghèo và giới thiệu việc làm cho quân nhân xuất ngũ.",
    ),
    (
        2024,
        "II.3",
        "Công an huyện chủ trì tham mưu kế hoạch phát động phong trào toàn dân bảo vệ an ninh Tổ quốc năm 2024 và phong trào thi đua “Dân vận khéo” trong lực lượng; mở các đợt cao điểm tấn công, trấn áp tội phạm ma tuý, hình sự, công nghệ cao, kiểm soát chặt việc tàng trữ, đốt pháo nổ trong dịp Tết.",
    ),
    (
        2024,
        "II.3",
        "Các lực lượng vận động đồng bào dân tộc thiểu số bỏ hủ tục lạc hậu, không phát rừng làm nương rẫy ở các tiểu khu có đồng bào mới đến sinh sống; nắm chắc hoạt động của các tổ chức tôn giáo để kịp thời tham mưu cấp ủy, chính quyền xử lý từng vụ việc, không để phát sinh phức tạp.",
    ),
    (
        2024,
        "II.4",
        "Mặt trận và các đoàn thể đổi mới nội dung sinh hoạt ở cơ sở, thu hút thêm đoàn viên, hội viên; phối hợp với lực lượng vũ trang phát huy vai trò giám sát, phản biện xã hội, tạo đồng thuận trong nhân dân và củng cố khối đại đoàn kết toàn dân tộc trên địa bàn.",
    ),
    (
        2024,
        "Ưu điểm",
        "Ban Chỉ đạo 502 huyện theo dõi, đôn đốc sát việc thực hiện; các thành viên chủ động kết hợp huấn luyện dân quân tự vệ, dự bị động viên với làm công tác dân vận, đem lại kết quả thiết thực cho cơ sở.",
    ),
    (
        2024,
        "Hạn chế",
        "Ở một vài cơ quan, việc cử cán bộ tham gia “Ngày thứ 7 cùng nhân dân” chưa đều; một số cán bộ, đảng viên còn thụ động, chưa thật sự gương mẫu khi cùng làm với nhân dân.",
    ),
    (
        2024,
        "Nguyên nhân",
        "Kết quả có được trước hết do Ban Thường vụ Huyện ủy theo sát việc thực hiện và mỗi thành viên Ban Chỉ đạo được giao phần việc cụ thể; những mặt còn hạn chế chủ yếu vì một bộ phận cán bộ, đoàn viên, hội viên chưa thật sự chủ động.",
    ),
    # 6 tháng đầu năm 2024: the half-year draft has its own context
    (
        "2024-H1",
        "I",
        "Sáu tháng đầu năm 2024, tình hình chính trị, trật tự an toàn xã hội trên địa bàn ổn định; nhân dân đón Tết Nguyên đán Giáp Thìn vui tươi, an toàn; mùa vụ đông xuân thu hoạch đạt khá.",
    ),
]

DIRECTIONS = [
    (
        2025,
        "Tiếp tục nắm tình hình tư tưởng của nhân dân, nhất là vùng đồng bào dân tộc thiểu số và tôn giáo, để kịp thời phối hợp giải quyết.",
    ),
    (2025, "Duy trì mô hình “Ngày thứ 7 cùng nhân dân”, mở rộng sang các phần việc về nước sạch và sinh kế."),
    (
        2025,
        "Phối hợp tổ chức các hoạt động kỷ niệm ngày truyền thống công tác dân vận và Ngày Hội Đại đoàn kết toàn dân tộc.",
    ),
    (2025, "Sơ kết, tổng kết hoạt động của Ban Chỉ đạo đúng thời gian quy định."),
    (
        2026,
        "Kiện toàn tổ chức, quy chế phối hợp của Ban Chỉ đạo theo mô hình chính quyền địa phương hai cấp.",
    ),
    (2026, "Duy trì mô hình “Ngày thứ 7 cùng nhân dân” tại các thôn của 4 xã."),
    (
        2025,
        "Gắn thực hiện dân chủ ở cơ sở với phong trào thi đua “Dân vận khéo”; tham mưu cấp ủy chỉ đạo lực lượng dân quân tự vệ cùng các đoàn thể tuyên truyền chính sách, pháp luật đến từng thôn.",
    ),
    (
        2025,
        "Phối hợp bồi dưỡng kiến thức quốc phòng - an ninh cho chức sắc, chức việc các tôn giáo; tổ chức gặp mặt người có uy tín, già làng, trưởng thôn trong đồng bào dân tộc thiểu số.",
    ),
    (
        2025,
        "Củng cố Mặt trận, các đoàn thể và lực lượng quân sự ở cơ sở để cả hệ thống chính trị cùng tham gia công tác dân vận.",
    ),
    (
        "2024-H2",
        "Chuẩn bị chu đáo đợt dân vận tập trung cuối năm và tổng kết chương trình phối hợp năm 2024.",
    ),
]


def write(config: Config, out: Path = OUT) -> Path:
    rng = random.Random(SEED)
    b = Builder(config, rng)
    year_2023(b)
    year_2024(b)
    year_2025(b)
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for code, org in config.organisations.items():
        ws = wb.create_sheet(org.tab)
        rows = sorted(b.rows[code], key=lambda r: r["date"])
        rows = sorted(rows + WARNED.get(code, []), key=lambda r: r["date"])
        humanise(rows, rng)
        if code == "nong_dan":
            merge_looking(rows)
        keys = KEYS if code != "ldld" else KEYS[:5][::-1] + KEYS[5:] + ["reporter"]
        headers = [
            ALIAS_HEADERS.get(k, HEADER[KEYS.index(k)]) if code == "ldld" else HEADER[KEYS.index(k)]
            for k in keys[: len(KEYS)]
        ]
        headers += ["Người báo cáo"] if code == "ldld" else []
        for row in rows if code == "ldld" else []:
            row["reporter"] = "Văn phòng LĐLĐ"
        ws.append(headers)
        for c in ws[1]:
            c.font = bold
        for i, row in enumerate(rows + FAULTY.get(code, [])):
            if code == "mttq" and i == 10:
                ws.append([])  # a blank row in the middle, as happens in shared sheets
            ws.append([cell(row.get(k)) for k in keys])
        for c in ws["A"][1:] if keys[0] == "date" else []:
            if isinstance(c.value, dt.date):
                c.number_format = "DD/MM/YYYY"
        ws.freeze_panes = "A2"
    targets = wb.create_sheet(config.settings.tabs.targets)
    targets.append(["Năm", "Chỉ tiêu", "Xã", "Giá trị"])
    for year, quotas in ((2023, 60), (2024, 65)):
        targets.append([year, "Thanh niên nhập ngũ", None, quotas])
    for commune, quota in {
        "Rô Men": 10,
        "Liêng Srônh": 9,
        "Phi Liêng": 9,
        "Đạ K'Nàng": 8,
        "Đạ Rsal": 8,
        "Đạ M'Rông": 7,
        "Đạ Tông": 7,
        "Đạ Long": 7,
    }.items():
        targets.append([2024, "recruits", commune, quota])
    for row in (
        [2024, "Số đợt “Ngày thứ 7 cùng nhân dân”", None, 70],
        [2024, "sat_villages", None, 53],
        [2024, "Nhà xây, bàn giao", None, 2],
        [2024, "Mô hình sinh kế", None, 5],
        [2023, "sat_rounds", None, 60],
        [2025, "sat_rounds", None, 72],
        [2025, "recruits", None, 65],
        [2026, "sat_rounds", None, 24],
        [2026, "recruits", None, 70],
    ):
        targets.append(row)
    # Text tabs: «Kỳ» is the period a row serves (2024, 2024-H1, 2024-Q3, 2024-9T…). Rows whose «Mục» names a
    # section of settings.report.text_sections (I, II.1–II.4) open those sections; the others go to section III.
    assessment = wb.create_sheet(config.settings.tabs.assessment)
    assessment.append(["Kỳ", "Mục", "Nội dung"])
    for period, section, text in ASSESSMENT:
        assessment.append([period, section, text])
    directions = wb.create_sheet(config.settings.tabs.directions)
    directions.append(["Kỳ", "Mục", "Nội dung"])
    for period, text in DIRECTIONS:
        directions.append([period, "", text])
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


if __name__ == "__main__":
    print(write(load_config()))
