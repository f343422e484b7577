"""Deterministic synthetic data for the benchmarks: N activity rows spread over T organisation tabs
of a unit with C communes, typed the way people really type them.

- ``write_config(directory, communes=C, tabs=T)`` writes a config directory compatible with
  ``lib.config.load_config``: the project's config files, with a generated unit of C communes
  (each with its villages) and, when T exceeds the configured organisations, extra organisations.
- ``generate(config, rows=N, seed=...)`` returns a ``Synthetic``: every tab as the rows a user
  would see (header in row 1, ragged, a few blank rows in the middle), the targets and narrative
  tabs, and the ground truth needed to check the cleaner: non-blank data rows per tab and the sheet
  rows of the injected faulty rows (about 1 %), each with exactly one error.
- ``Synthetic.raw()`` gives the same content as ``lib.source.RawData`` (what the Sheets API returns),
  and ``write_xlsx(synthetic, path)`` writes it as a workbook with a fast streaming writer.

Valid rows mix the realities the cleaner must handle: dates as date cells, ``dd/mm/yyyy`` text or
ISO text; communes by name, alias, in decomposed Unicode, with curly apostrophes, odd case or
extra spaces; programmes by number, code or title; activity types by name or alias; money typed as
``1.265.000`` or ``4,08 triệu``; decimals typed as ``26,5``; merged-looking blank cells under a
filled one; villages outside the catalogue (warning only); the odd row typed twice.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from demo.generate import ALIAS_HEADERS, HEADER, KEYS
from lib.config import DEFAULT_CONFIG_DIR, Config
from lib.source import RawData, RawTab, trim_rows

# Columns as in the demo workbook (HEADER, KEYS, ALIAS_HEADERS); some tabs also carry an unknown column.
EXTRA_HEADER = "Người báo cáo"

FIRST = ["Đạ", "Phi", "Liêng", "Rô", "Krông", "Bon", "Đinh", "Lộc", "Tân", "Hoà", "Ea", "Cư", "Ka", "Mê", "Păng", "Ta"]
SECOND = [
    "Long",
    "Men",
    "Tông",
    "K'Nàng",
    "Rsal",
    "M'Rông",
    "Srônh",
    "Nam",
    "Bắc",
    "Trung",
    "Hưng",
    "Phú",
    "Sơn",
    "Lâm",
    "Thành",
    "Yên",
    "Pul",
    "Ròn",
    "Tro",
    "Sar",
    "Ly",
    "Kao",
    "Nhinh",
    "Dơng",
]

# Activity type code → (weight, programme number, measures it fills: code → generator kind).
ACTIVITIES: dict[str, tuple[int, int, dict[str, str]]] = {
    "tuyen_truyen": (18, 1, {"rounds": "rounds", "participants": "people"}),
    "quan_triet": (4, 1, {"rounds": "rounds", "participants": "people"}),
    "phong_trao_nong_thon_moi": (6, 1, {"rounds": "rounds", "participants": "people", "labour_days": "days"}),
    "ngay_thu_7": (
        16,
        2,
        {
            "rounds": "one",
            "participants": "people",
            "road_km": "km",
            "trees": "trees",
            "canal_km": "km?",
            "power_km": "km?",
            "people_contrib": "money?",
        },
    ),
    "dan_van_tap_trung": (
        4,
        2,
        {"participants": "people", "budget_state": "money", "mobilised": "money?", "people_contrib": "money"},
    ),
    "tham_hoi_tet": (
        6,
        2,
        {
            "gifts": "gifts",
            "beneficiaries": "people",
            "budget_state": "money?",
            "mobilised": "money?",
            "fund_poor": "money?",
        },
    ),
    "tang_qua": (5, 2, {"gifts": "gifts", "budget_state": "money"}),
    "tuyen_quan": (2, 2, {"recruits": "small", "gifts": "small"}),
    "huan_luyen": (3, 2, {"participants": "people", "labour_days": "days"}),
    "xay_nha": (1, 2, {"houses": "one", "mobilised": "money", "people_contrib": "money?"}),
    "mo_hinh_sinh_ke": (2, 2, {"livelihood_models": "small", "beneficiaries": "small", "mobilised": "money"}),
    "ket_nghia": (2, 2, {"participants": "people"}),
    "thu_hoi_vu_khi": (
        2,
        3,
        {"rounds": "one", "participants": "people", "weapons_homemade": "small?", "weapons_air": "small?"},
    ),
    "xu_ly_vi_pham": (1, 3, {"violations": "one", "fines": "money"}),
    "de_an_06": (4, 3, {"rounds": "rounds", "participants": "people"}),
    "dan_van_dtts": (3, 3, {"participants": "people", "labour_days": "days?"}),
    "gap_mat_ton_giao": (2, 3, {"participants": "people"}),
    "cung_co_to_chuc": (8, 4, {"rounds": "rounds", "participants": "people"}),
    "sinh_hoat_chuyen_de": (10, 4, {"rounds": "rounds", "participants": "people"}),
}
CONTENT = [
    "Tuyên truyền phòng, chống ma tuý",
    "Tuyên truyền an toàn giao thông",
    "Giúp dân làm đường bê tông",
    "Dọn vệ sinh đường làng, khơi thông cống rãnh",
    "Trồng cây xanh tuyến đường thôn",
    "Nạo vét kênh mương nội đồng",
    "Lắp đèn đường năng lượng mặt trời",
    "Thăm, tặng quà gia đình chính sách",
    "Hỗ trợ hộ nghèo đón Tết",
    "Bàn giao nhà đại đoàn kết",
    "Hướng dẫn kích hoạt định danh điện tử",
    "Sinh hoạt chuyên đề về xây dựng khối đại đoàn kết",
    "Kết nạp hội viên, củng cố chi hội",
    "Vận động giao nộp vũ khí, vật liệu nổ",
    "Gặp mặt người có uy tín trong đồng bào",
    "Hội nghị triển khai kế hoạch phối hợp",
    "Huấn luyện dân quân kết hợp làm dân vận",
]
PARTNERS = [
    "BCHQS huyện",
    "Công an huyện",
    "MTTQ huyện",
    "Hội LHPN",
    "Huyện đoàn",
    "Hội Nông dân",
    "Hội CCB",
    "LĐLĐ huyện",
]
FAULTS = (
    "commune",
    "number_text",
    "date",
    "activity_type",
    "sheet_error",
    "negative",
    "fraction",
    "clash",
    "village_elsewhere",
    "programme",
)
YEARS = (2023, 2024, 2025)


# ---------------------------------------------------------------- config


def commune_names(count: int) -> list[str]:
    """``count`` distinct, Vietnamese-looking commune names (deterministic)."""
    names = [f"{a} {b}" for b in SECOND for a in FIRST]
    rng = random.Random(502)
    rng.shuffle(names)
    if count > len(names):
        raise ValueError(f"at most {len(names)} communes")
    return names[:count]


def unit_data(communes: int, seed: int = 502) -> dict[str, Any]:
    """The unit.yaml content of a district of ``communes`` communes with 5–12 villages each."""
    rng = random.Random(seed)
    entries = []
    for i, name in enumerate(commune_names(communes)):
        numbered = rng.randint(2, 6)
        named = rng.randint(3, 6)
        villages = [{"name": f"Thôn {j}"} for j in range(1, numbered + 1)]
        villages += [{"name": f"Bon {name} {j}"} for j in range(1, named + 1)]
        for j, village in enumerate(villages):
            if (i + j) % 3 == 0:
                village["extremely_difficult"] = True
        entries.append(
            {
                "name": name,
                "aliases": [f"xã {name}"],
                "new_rural": i % 3 != 0,
                "region": "III" if i % 4 == 0 else "I",
                "villages": villages,
            }
        )
    return {
        "unit": {
            "name": "Đam Rông",
            "aliases": ["huyện Đam Rông", "Dam Rong"],
            "level": "huyện",
            "parent_level": "tỉnh",
            "province": "Lâm Đồng",
            "whole_unit_label": "Toàn huyện",
            "profile": {"area_ha": 87255.8, "population": 58706},
            "communes": entries,
        }
    }


def write_config(directory: str | Path, communes: int = 40, tabs: int | None = None) -> Path:
    """A config directory: the project's files with a generated unit (and extra organisations)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for path in DEFAULT_CONFIG_DIR.iterdir():
        if path.is_file() and path.name != "map.yaml":  # the map places the demo's communes, not these
            shutil.copy(path, directory / path.name)
    (directory / "unit.yaml").write_text(
        yaml.safe_dump(unit_data(communes), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    organisations = yaml.safe_load((DEFAULT_CONFIG_DIR / "organisations.yaml").read_text(encoding="utf-8"))
    orgs = organisations["organisations"]
    if tabs is not None:
        extra = [
            {
                "code": f"to_{k}",
                "name": f"Tổ công tác số {k}",
                "short_name": f"Tổ công tác {k}",
                "group": "socio_political",
                "tab": f"Tổ công tác {k}",
            }
            for k in range(len(orgs) + 1, tabs + 1)
        ]
        organisations["organisations"] = orgs[:tabs] + extra
    (directory / "organisations.yaml").write_text(
        yaml.safe_dump(organisations, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return directory


# ---------------------------------------------------------------- rows


@dataclass
class Synthetic:
    """Generated tabs (rows as the user sees them, header first) and the ground truth."""

    tabs: dict[str, list[list[Any]]]
    data_rows: dict[str, int]  # non-blank data rows per organisation tab
    faulty: dict[str, list[int]]  # organisation tab → sheet rows of the injected faulty rows
    blank_rows: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.data_rows.values())

    @property
    def faulty_count(self) -> int:
        return sum(map(len, self.faulty.values()))

    def raw(self) -> RawData:
        """The same content as the Sheets API (and the workbook reader) would return it."""
        return RawData(
            tabs={name: RawTab(name, trim_rows(rows)) for name, rows in self.tabs.items()},
            available=list(self.tabs),
            source_id="synthetic",
            source_label="Dữ liệu tổng hợp",
            fetched_at=dt.datetime(2025, 7, 1, 8, 0).astimezone(),
        )


def _vary_name(name: str, rng: random.Random, aliases: list[str]) -> Any:
    """A commune as people type it: mostly right, sometimes decomposed, curly, spaced or by alias."""
    r = rng.random()
    if r < 0.72:
        return name
    if r < 0.80:
        return unicodedata.normalize("NFD", name)
    if r < 0.85:
        return name.replace("'", "’") if "'" in name else f" {name}  "
    if r < 0.90:
        return f" {name}  "
    if r < 0.95:
        return name.lower()
    return aliases[0] if aliases else name


def _measure(kind: str, rng: random.Random) -> Any:
    """A measure value of one generator kind, typed as people type (numbers as text, too)."""
    optional = kind.endswith("?")
    if optional:
        if rng.random() < 0.6:
            return None
        kind = kind[:-1]
    if kind == "one":
        return 1
    if kind == "rounds":
        return rng.choice((1, 1, 1, 2, 3))
    if kind == "small":
        return rng.randint(1, 12)
    if kind == "people":
        n = rng.randint(15, 400)
        return str(n) if rng.random() < 0.05 else n
    if kind == "gifts":
        return rng.randint(5, 300)
    if kind == "trees":
        return rng.randint(10, 500)
    if kind == "days":
        n = rng.randint(10, 200) + (0.5 if rng.random() < 0.2 else 0)
        return f"{n:.1f}".replace(".", ",") if rng.random() < 0.15 and n != int(n) else n
    if kind == "km":
        km = round(rng.uniform(0.2, 8.0), 1)
        return f"{km:.1f}".replace(".", ",") if rng.random() < 0.2 else km
    if kind == "money":
        amount = rng.randint(2, 4000) * 100_000
        r = rng.random()
        if r < 0.12:
            return f"{amount:,}".replace(",", ".")
        if r < 0.16:
            return f"{amount / 1e6:g}".replace(".", ",") + " triệu"
        if r < 0.19:
            return f"{amount:,} đồng".replace(",", ".")
        return amount
    raise ValueError(kind)


def _date_cell(day: dt.date, rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.80:
        return day
    if r < 0.95:
        return day.strftime("%d/%m/%Y")
    if r < 0.98:
        return day.isoformat()
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    weights = [0.5 + rng.random() for _ in range(parts)]
    counts = [int(total * w / sum(weights)) for w in weights]
    counts[0] += total - sum(counts)
    return counts


def generate(config: Config, rows: int, seed: int = 502, fault_rate: float = 0.01) -> Synthetic:
    """``rows`` non-blank activity rows over the organisation tabs of ``config``, deterministic for a seed."""
    rng = random.Random(seed)
    communes = list(config.unit.communes)
    whole = config.unit.whole_unit_label
    villages = {c.name: [v.name for v in c.villages] for c in communes}
    aliases = {c.name: list(c.aliases) for c in communes}
    programme_of = {code: ACTIVITIES[code][1] for code in ACTIVITIES}
    activity_names = {a.code: [a.name, *a.aliases] for a in config.activity_types.values()}
    programme_names = {
        p.number: [p.number, p.number, p.number, p.code, f"Chương trình {p.number}", p.name]
        for p in config.programmes.values()
    }
    codes = [c for c in ACTIVITIES if c in activity_names]
    weights = [ACTIVITIES[c][0] for c in codes]
    start, span = dt.date(YEARS[0], 1, 1), (dt.date(YEARS[-1], 6, 30) - dt.date(YEARS[0], 1, 1)).days
    orgs = list(config.organisations.values())
    counts = _split(rows, len(orgs), rng)
    tabs: dict[str, list[list[Any]]] = {}
    data_rows: dict[str, int] = {}
    faulty: dict[str, list[int]] = {}
    blank_total = 0
    for t, (org, count) in enumerate(zip(orgs, counts)):
        variant = t % 3 == 2
        keys = KEYS[:5][::-1] + KEYS[5:] if variant else list(KEYS)
        header = [ALIAS_HEADERS.get(k, HEADER[KEYS.index(k)]) if variant else HEADER[KEYS.index(k)] for k in keys]
        if variant:
            header.append(EXTRA_HEADER)
        out: list[list[Any]] = [header]
        bad_rows: list[int] = []
        previous: dict[str, Any] | None = None
        days = sorted(rng.randrange(span + 1) for _ in range(count))
        for i in range(count):
            if i and rng.random() < 0.001:  # a blank row in the middle
                out.append([])
                blank_total += 1
            code = rng.choices(codes, weights)[0]
            day = start + dt.timedelta(days=days[i])
            if rng.random() < 0.06:
                commune, village = whole, None
            else:
                commune = rng.choice(communes).name
                village = rng.choice(villages[commune]) if rng.random() < 0.65 else None
            rec: dict[str, Any] = {
                "date": _date_cell(day, rng),
                "commune": _vary_name(commune, rng, aliases.get(commune, [])),
                "village": village,
                "programme": rng.choice(programme_names[programme_of[code]]),
                "activity_type": rng.choice(activity_names[code]),
                "content": f"{rng.choice(CONTENT)} (đợt {rng.randint(1, 40)})",
                "partners": ", ".join(rng.sample(PARTNERS, rng.randint(1, 2))) if rng.random() < 0.45 else None,
            }
            for measure, kind in ACTIVITIES[code][2].items():
                rec[measure] = _measure(kind, rng)
            if village and rng.random() < 0.003:  # a village missing from the catalogue: warning only
                rec["village"] = f"Xóm Mới {rng.randint(1, 9)}"
            if previous is not None and previous["_ok"] and previous["_commune"] != whole and rng.random() < 0.004:
                # A merged-looking cell: same commune as the row above, left blank (warning only).
                rec["commune"], rec["village"] = None, rng.choice(villages[previous["_commune"]])
                commune = previous["_commune"]
            if previous is not None and previous["_ok"] and rng.random() < 0.002:  # typed twice (warning only)
                rec = {k: v for k, v in previous.items()}
                commune = previous["_commune"]
            ok = True
            if rng.random() < fault_rate:
                ok = False
                rec = _inject(rng.choice(FAULTS), rec, code, commune, communes, villages, whole, rng)
            rec["_ok"], rec["_commune"] = ok, commune
            row = [rec.get(k) for k in keys]
            if variant:
                row.append("Văn phòng" if rng.random() < 0.5 else None)
            out.append(row)
            if not ok:
                bad_rows.append(len(out))  # sheet row number (header is row 1)
            previous = rec
        tabs[org.tab] = out
        data_rows[org.tab] = count
        faulty[org.tab] = bad_rows
    tabs.update(_meta_tabs(config))
    return Synthetic(
        tabs,
        data_rows,
        faulty,
        blank_total,
        meta={"rows": rows, "seed": seed, "communes": len(communes), "tabs": len(orgs)},
    )


def _inject(
    kind: str,
    rec: dict[str, Any],
    code: str,
    commune: str,
    communes: list,
    villages: dict[str, list[str]],
    whole: str,
    rng: random.Random,
) -> dict[str, Any]:
    """The row with exactly one error of ``kind`` (everything else stays valid)."""
    rec = dict(rec)
    if rec.get("commune") is None:  # keep fill-down out of faulty rows
        rec["commune"] = commune
    if kind == "commune":
        rec["commune"], rec["village"] = rng.choice(["Xã Không Rõ", "Đạ Lonh Hạ", "Thị trấn Mới"]), None
    elif kind == "number_text":
        rec["participants"] = rng.choice(["khoảng 50 người", "nhiều", "năm mươi"])
    elif kind == "date":
        rec["date"] = rng.choice(["31/02/2024", "30/13/2024", "hôm qua", "2024/15/40"])
    elif kind == "activity_type":
        rec["activity_type"] = rng.choice(["Hoạt động chưa rõ loại", "Khác", "Việc tốt"])
    elif kind == "sheet_error":
        rec["rounds"] = rng.choice(["#REF!", "#N/A", "#VALUE!"])
    elif kind == "negative":
        rec["participants"] = -rng.randint(1, 50)
    elif kind == "fraction":
        rec["rounds"] = 2.5
    elif kind == "clash":
        number = ACTIVITIES[code][1]
        rec["programme"] = 1 if number != 1 else 4
    elif kind == "village_elsewhere":
        if commune == whole or len(communes) < 2:
            rec["commune"] = communes[0].name
            commune = communes[0].name
        other = next(c.name for c in communes if c.name != commune)
        rec["village"] = next(v for v in villages[other] if v.startswith("Bon "))
    elif kind == "programme":
        rec["programme"] = rng.choice(["Chương trình 9", "CT7"])
    return rec


def _meta_tabs(config: Config) -> dict[str, list[list[Any]]]:
    """Targets for two years (whole unit and per commune) and a few narrative rows."""
    tabs = config.settings.tabs
    targets: list[list[Any]] = [["Năm", "Chỉ tiêu", "Xã", "Giá trị"]]
    for year in (2024, 2025):
        for name, value in (
            ("Thanh niên nhập ngũ", 65),
            ("Số đợt “Ngày thứ 7 cùng nhân dân”", 70),
            ("sat_villages", 53),
            ("Nhà xây, bàn giao", 20),
            ("Mô hình sinh kế", 50),
        ):
            if name in ("sat_villages",) or config.indicators:
                targets.append([year, name, None, value])
        for commune in list(config.unit.communes)[:20]:
            targets.append([year, "recruits", commune.name, 8])
    narrative = [
        ["Năm", "Mục", "Nội dung"],
        [2024, "Ưu điểm", "Các thành viên phối hợp chặt chẽ, phân công rõ người, rõ việc."],
        [2024, "Hạn chế", "Sự phối hợp ở một số cơ sở chưa thường xuyên."],
    ]
    directions = [["Năm", "Mục", "Nội dung"], [2025, "", "Duy trì mô hình “Ngày thứ 7 cùng nhân dân”."]]
    return {tabs.targets: targets, tabs.assessment: narrative, tabs.directions: directions}


# ---------------------------------------------------------------- files


def write_xlsx(synthetic: Synthetic, path: str | Path) -> Path:
    """The tabs as an .xlsx workbook, streamed (constant memory) with xlsxwriter; dates as date cells."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    workbook = xlsxwriter.Workbook(
        str(tmp),
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in synthetic.tabs.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
    workbook.close()
    tmp.replace(path)
    return path
