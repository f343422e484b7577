"""The report draft: a context of computed figures rendered through the committee's Jinja2
Markdown template (config/report.md.j2). The wording lives in the template; this module only
computes, formats (Babel vi_VN filters) and escapes text that comes from spreadsheet cells."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from . import formatting as fmt
from . import indicators as I
from .clean import Dataset
from .config import DEFAULT_CONFIG_DIR, Config, Indicator
from .exceptions import ReportError
from .period import Period

TEMPLATE = "report.md.j2"
MONEY = ("budget_state", "mobilised", "fund_poor", "people_contrib")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_MD_BLOCK_START = re.compile(r"^(?:([-+=])|(\d+)([.)]))(?=\s|$)")


# ---------------------------------------------------------------- escaping


class Escaped(str):
    """Text already escaped for Markdown (``md`` leaves it unchanged)."""


def md(text: Any) -> Escaped:
    """Make text inert in Markdown: one line, no headings, tables, links, HTML, emphasis or code."""
    if isinstance(text, Escaped):
        return text
    flat = " ".join(str(text).split())
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    flat = _MD_BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", flat)
    return Escaped(flat)


# ---------------------------------------------------------------- figures


def _number(value: Any) -> float | None:
    """A plain float, or None for NaN/None."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def _supported(rows: pd.DataFrame, indicator: Indicator, config: Config) -> bool:
    """Whether the rows can support the indicator: some row matches it and, for sums, fills one of
    its measures. An absent figure is not a measured zero."""
    if indicator.kind in ("ratio", "share"):
        parts = [indicator.numerator, indicator.denominator] if indicator.kind == "ratio" else [indicator.numerator]
        return all(_supported(rows, config.indicators[p], config) for p in parts)
    matching = rows[I.mask(rows, indicator)]
    if indicator.kind == "sum":
        return any(I.measure_present(matching, m) for m in indicator.measures)
    if indicator.kind == "distinct":
        return bool(matching[indicator.field].notna().any())
    return len(matching) > 0


def _figures(rows: pd.DataFrame, config: Config, codes: list[str], computed: dict[str, float]) -> dict[str, float | None]:
    return {c: _number(computed.get(c)) if _supported(rows, config.indicators[c], config) else None for c in codes}


def _money(rows: pd.DataFrame) -> pd.Series:
    return rows[list(MONEY)].sum(axis=1, min_count=1).fillna(0)


def _names(values: Any) -> list[Escaped]:
    return [md(v) for v in values]


def _highlights(rows: pd.DataFrame, config: Config, limit: int) -> list[dict[str, Any]]:
    """The programme's notable activities: rows grouped by their content, biggest money first."""
    rows = rows[rows["content"].notna()]
    if rows.empty:
        return []
    frame = pd.DataFrame({"content": rows["content"].astype(str).str.strip(), "money": _money(rows),
                          "participants": rows["participants"].fillna(0), "commune": rows["commune"].astype(object),
                          "date": rows["date"]})
    groups = frame.groupby("content", sort=False).agg(
        money=("money", "sum"), participants=("participants", "sum"), count=("content", "size"),
        communes=("commune", lambda s: list(dict.fromkeys(s))), first=("date", "min"), last=("date", "max"))
    groups = groups.sort_values(["money", "participants", "count"], ascending=False, kind="stable").head(limit)
    order = {name: i for i, name in enumerate([*config.communes, config.unit.whole_unit_label])}
    return [{"content": md(content), "money": g["money"] or None, "participants": g["participants"] or None, "count": int(g["count"]),
             "communes": _names(sorted(g["communes"], key=lambda c: order.get(c, len(order)))),
             "first": g["first"].date(), "last": g["last"].date()} for content, g in groups.iterrows()]


def _by_commune(rows: pd.DataFrame, config: Config, codes: list[str], key: str) -> list[dict[str, Any]]:
    """Per-commune values of some indicators, for the communes where ``key`` is positive."""
    table = I.compute(rows, config, codes, None, "commune")
    villages = {c.name: len(c.villages) for c in config.unit.communes}
    return [{"commune": r["commune"], "name": md(r["commune"]), "villages": villages.get(r["commune"]), **{c: _number(r[c]) for c in codes}}
            for r in table.to_dict("records") if (r[key] or 0) > 0]


def _campaigns(rows: pd.DataFrame, config: Config) -> list[dict[str, Any]]:
    codes = ["campaign_total", "campaign_support", "campaign_people"]
    result = []
    for item in _by_commune(rows, config, codes, "campaign_total"):
        own = rows[(rows["commune"] == item["commune"]) & rows["activity_type"].isin(config.indicators["campaign_total"].filter.activity_type)]
        item.update(works=_names(own["content"].dropna().drop_duplicates()),
                    first=own["date"].min().date(), last=own["date"].max().date())
        result.append(item)
    return result


def _targets(dataset: Dataset, config: Config, period: Period, rows: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Targets of the period's year: whole-unit value, actual in the period, % and per commune."""
    if period.start.year != period.end.year:
        return {}
    table = I.progress(dataset.activities, dataset.targets, config, period.start.year)
    if table.empty:
        return {}
    if period.kind != "year":  # targets are annual: measure what the period achieved against them
        codes = sorted(set(table["indicator"]))
        overall = I.values(rows, config, codes)
        by_commune = I.compute(rows, config, codes, None, "commune").set_index("commune")
        table["actual"] = [overall[r.indicator] if pd.isna(r.commune) else by_commune.at[r.commune, r.indicator] for r in table.itertuples()]
        table["percent"] = (table["actual"] / table["target"].where(table["target"] > 0) * 100).astype(float)
    result: dict[str, dict[str, Any]] = {}
    for r in table.itertuples():
        entry = result.setdefault(r.indicator, {"name": r.name, "unit": r.unit, "target": None, "actual": None,
                                                "percent": None, "communes": []})
        values = {"target": r.target, "actual": _number(r.actual), "percent": _number(r.percent)}
        if pd.isna(r.commune):
            entry.update(values)
        else:
            entry["communes"].append({"name": md(r.commune), **values})
    return result


def _narratives(dataset: Dataset, kind: str, year: int) -> list[dict[str, Any]]:
    """Narrative rows of one kind and year, grouped by section in the order they were written."""
    rows = dataset.narratives[(dataset.narratives["kind"] == kind) & (dataset.narratives["year"] == year)]
    groups: dict[str, list[Escaped]] = {}
    for r in rows.itertuples():
        groups.setdefault(r.section, []).append(md(r.text))
    return [{"section": md(section), "texts": texts} for section, texts in groups.items()]


def _comparison(config: Config, codes: list[str], now: dict, before: dict) -> list[dict[str, Any]]:
    return [{"code": c, "name": config.indicators[c].name, "unit": config.indicators[c].unit, "value": now[c],
             "previous": before[c], "change": now[c] - before[c] if now[c] is not None and before[c] is not None else None}
            for c in codes]


def _basis(dataset: Dataset, config: Config, rows: pd.DataFrame) -> dict[str, Any]:
    used = rows.groupby("tab", observed=True).size()
    tabs = [{"tab": md(s["tab"]), "organisation": md(config.organisations[s["organisation"]].short_name),
             "missing": bool(s["missing"]), "rows": int(s["rows"]), "accepted": int(s["accepted"]),
             "excluded": int(s["excluded"]), "used": int(used.get(s["tab"], 0)), "errors": int(s["errors"]),
             "warnings": int(s["warnings"])} for s in dataset.tab_stats.to_dict("records")]
    return {"source": md(dataset.source_label), "fetched_at": dataset.fetched_at, "notice": md(dataset.notice) if dataset.notice else None,
            "tabs": tabs, "used": len(rows), "accepted": sum(t["accepted"] for t in tabs), "excluded": sum(t["excluded"] for t in tabs),
            "errors": dataset.error_count, "warnings": dataset.warning_count}


def _profile(config: Config) -> dict[str, Any]:
    unit, profile = config.unit, config.unit.profile
    share = (profile.ethnic_minority_population / profile.population * 100
             if profile.population and profile.ethnic_minority_population is not None else None)
    return {
        "area_ha": profile.area_ha, "population": profile.population, "ethnic_groups": profile.ethnic_groups,
        "ethnic_minority_population": profile.ethnic_minority_population, "ethnic_minority_share": share,
        "communes": len(unit.communes), "villages": config.village_count,
        "new_rural": sum(c.new_rural for c in unit.communes),
        "region_iii": _names(c.name for c in unit.communes if c.region == "III"),
        "extremely_difficult": sum(v.extremely_difficult for c in unit.communes for v in c.villages),
    }


def build_context(dataset: Dataset, config: Config, period: Period, *, signing_date: dt.date | None = None) -> dict[str, Any]:
    """Everything the template may use: raw numbers (None where the data cannot support a figure),
    cell text already escaped, the unit's profile and the report settings."""
    activities = dataset.activities
    rows = I.in_period(activities, period)
    before = I.in_period(activities, period.previous_year())
    codes = list(config.indicators)
    compared = I.compare(activities, config, codes, period).set_index("indicator")
    now = _figures(rows, config, codes, compared["value"].to_dict())
    previous = _figures(before, config, codes, compared["previous"].to_dict())
    settings = config.settings.report
    limit = int(settings.get("highlights_per_programme", 3))
    programmes = []
    for programme in sorted(config.programmes.values(), key=lambda p: p.number):
        own = rows[rows["programme"] == programme.code]
        programmes.append({
            "code": programme.code, "number": programme.number, "name": programme.name, "short_name": programme.short_name,
            "has_data": not own.empty,
            "figures": _figures(own, config, ["activities", "participants", "money_total", "communes_reached", "villages_reached"],
                                I.values(own, config, ["activities", "participants", "money_total", "communes_reached", "villages_reached"])),
            "organisations": _names(config.organisations[o].short_name for o in config.organisations if o in set(own["organisation"])),
            "highlights": _highlights(own, config, limit),
        })
    coverage = I.coverage(activities, config, period)
    key = [c for c in settings.get("key_indicators", []) if c in config.indicators] or \
        [c for c in codes if config.indicators[c].kind in ("count", "sum", "distinct")]
    year = period.start.year if period.kind == "year" else None
    return {
        "unit": config.unit, "settings": config.settings, "report": settings, "profile": _profile(config),
        "period": period, "previous_period": period.previous_year(), "signing_date": signing_date or dt.date.today(),
        "v": now, "p": previous,
        "programmes": programmes,
        "saturday_communes": _by_commune(rows, config, ["sat_rounds", "sat_villages", "sat_participants"], "sat_rounds"),
        "campaigns": _campaigns(rows, config),
        "targets": _targets(dataset, config, period, rows),
        "coverage": {"communes_without": _names(coverage.loc[coverage["reached"] == 0, "commune"]),
                     "extremely_difficult": int(coverage["extremely_difficult"].sum()),
                     "extremely_difficult_reached": int(coverage["extremely_difficult_reached"].sum())},
        "silent_organisations": _names(o.short_name for code, o in config.organisations.items() if code not in set(rows["organisation"])),
        "assessment": _narratives(dataset, "assessment", year) if year else [],
        "directions": _narratives(dataset, "directions", year + 1) if year else [],
        "narrative_year": year,
        "comparison": _comparison(config, key, now, previous),
        "basis": _basis(dataset, config, rows),
    }


# ---------------------------------------------------------------- rendering


def _join(values: Any, last: str = " và ") -> str:
    """``a, b và c``."""
    items = [str(v) for v in values]
    return last.join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def _cap(text: Any) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


FILTERS = {
    "md": md, "num": lambda value, decimals=2: fmt.number(value, decimals), "pct": fmt.percent, "money": fmt.money, "mil": fmt.millions, "pad": fmt.padded,
    "long_date": fmt.long_date, "short_date": fmt.short_date, "join_vi": _join, "cap": _cap,
    "timestamp": lambda moment: f"{moment:%H:%M} ngày {moment:%d/%m/%Y}",
}


def _environment(config: Config) -> jinja2.Environment:
    """The committee's template directory first, the shipped default template as a fallback."""
    search = list(dict.fromkeys([str(config.directory), str(DEFAULT_CONFIG_DIR)]))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(search), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(FILTERS)
    return env


def render_markdown(dataset: Dataset, config: Config, period: Period, *, signing_date: dt.date | None = None) -> str:
    """The report draft as Markdown (UTF-8 text)."""
    context = build_context(dataset, config, period, signing_date=signing_date)
    try:
        text = _environment(config).get_template(TEMPLATE).render(context)
    except jinja2.TemplateNotFound as error:
        raise ReportError(f"Không tìm thấy mẫu báo cáo {TEMPLATE} trong thư mục cấu hình {config.directory}.") from error
    except jinja2.TemplateSyntaxError as error:
        raise ReportError(f"Mẫu báo cáo {TEMPLATE} sai cú pháp ở dòng {error.lineno}: {error.message}.") from error
    except jinja2.UndefinedError as error:
        raise ReportError(f"Mẫu báo cáo {TEMPLATE} dùng một giá trị không có: {error.message}.") from error
    except (TypeError, ValueError, jinja2.TemplateError) as error:
        raise ReportError(f"Không dựng được bản thảo báo cáo từ mẫu {TEMPLATE}: {error}.") from error
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_docx(dataset: Dataset, config: Config, period: Period, *, signing_date: dt.date | None = None) -> bytes:
    """The same draft as a Word document in the Nghị định 30/2020/NĐ-CP layout."""
    from .word import markdown_to_docx

    return markdown_to_docx(render_markdown(dataset, config, period, signing_date=signing_date))


# ---------------------------------------------------------------- command line


def _signing_date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày ký «{text}» không đúng dạng dd/mm/yyyy") from None


def _cmd_report(args: argparse.Namespace) -> int:
    from .cli import load, period_of

    config, dataset = load(args)
    period = period_of(args, dataset)
    if (args.format or Path(args.out).suffix.lstrip(".").lower()) == "docx":
        data = render_docx(dataset, config, period, signing_date=args.date)
    else:
        data = render_markdown(dataset, config, period, signing_date=args.date).encode("utf-8")
    try:
        Path(args.out).write_bytes(data)
    except OSError as error:
        raise ReportError(f"Không ghi được tệp {args.out}: {error.strerror}.") from error
    print(f"Đã lập bản thảo báo cáo {period.label}: {args.out}")
    return 0


def add_cli(subparsers: Any) -> None:
    """The ``report`` subcommand: write the draft of a period as Markdown or Word."""
    from .cli import add_common

    parser = subparsers.add_parser("report", help="lập bản thảo báo cáo (Markdown hoặc Word)")
    add_common(parser)
    parser.add_argument("--year", type=int, help="năm báo cáo (mặc định: năm mới nhất có dữ liệu)")
    parser.add_argument("--period", help="kỳ: 2024, 2024-H1, 2024-Q3, 2024-05 hoặc 2024-03-01..2024-06-30")
    parser.add_argument("--format", choices=("md", "docx"), help="định dạng (mặc định: theo đuôi tệp --out)")
    parser.add_argument("--out", required=True, help="tệp kết quả (.md hoặc .docx)")
    parser.add_argument("--date", type=_signing_date, help="ngày ký dd/mm/yyyy (mặc định: hôm nay)")
    parser.set_defaults(handler=_cmd_report)
