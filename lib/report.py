"""The report draft: a context of computed figures rendered through the committee's Jinja2
Markdown template (config/report.md.j2). The wording lives in the template; this module only
computes, formats (Babel vi_VN filters) and escapes text that comes from spreadsheet cells."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from . import formatting as fmt
from . import indicators as I
from .config import DEFAULT_CONFIG_DIR, Config, Indicator
from .dataset import Dataset
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


class _Support:
    """Whether rows can support an indicator: some row matches it and, for sums, fills one of its
    measures. An absent figure is not a measured zero.

    A count, sum or distinct count that came out non-zero had rows behind it: only the others
    need the rows looked at. Each filter and each column's filled cells are then decided once for
    the rows; ``within`` answers for a subset of them (a boolean array over the rows) reusing both."""

    def __init__(
        self, rows: pd.DataFrame, config: Config, subset: np.ndarray | None = None, parent: _Support | None = None
    ):
        self.rows, self.config, self.subset = rows, config, subset
        self.masks: dict[tuple, np.ndarray] = parent.masks if parent else {}
        self.filled: dict[str, np.ndarray] = parent.filled if parent else {}

    def within(self, subset: np.ndarray) -> _Support:
        return _Support(self.rows, self.config, subset, self)

    def _mask(self, indicator: Indicator) -> np.ndarray:
        key = I.filter_key(indicator)
        if key not in self.masks:
            self.masks[key] = I.mask(self.rows, indicator)
        keep = self.masks[key]
        return keep if self.subset is None else keep & self.subset

    def _filled(self, column: str) -> np.ndarray:
        if column not in self.filled:
            self.filled[column] = self.rows[column].notna().to_numpy()
        return self.filled[column]

    def __call__(self, indicator: Indicator, computed: dict[str, float]) -> bool:
        """``computed``: indicator values of the same rows (any subset of the codes)."""
        if indicator.kind in ("ratio", "share"):
            parts = [indicator.numerator, indicator.denominator] if indicator.kind == "ratio" else [indicator.numerator]
            return all(self(self.config.indicators[p], computed) for p in parts)
        value = _number(computed.get(indicator.code))
        if value is not None and value != 0:
            return True
        keep = self._mask(indicator)
        if indicator.kind == "sum":
            return any(m in self.rows and bool(self._filled(m)[keep].any()) for m in indicator.measures)
        if indicator.kind == "distinct":
            return bool(self._filled(indicator.field)[keep].any())
        return bool(keep.any())


def _figures(
    supported: _Support, config: Config, codes: list[str], computed: dict[str, float]
) -> dict[str, float | None]:
    return {c: _number(computed.get(c)) if supported(config.indicators[c], computed) else None for c in codes}


def _money(rows: pd.DataFrame) -> pd.Series:
    return rows[list(MONEY)].sum(axis=1, min_count=1).fillna(0)


def _names(values: Any) -> list[Escaped]:
    return [md(v) for v in values]


class _Highlights:
    """The programmes' notable activities: each programme's rows grouped by their content, biggest
    money first. The rows with content are grouped once, by programme and content; each group
    keeps its rows in order, so its sums, dates and communes are those of the programme's rows."""

    def __init__(self, rows: pd.DataFrame):
        rows = rows[rows["content"].notna().to_numpy()]
        programmes, self.programme_names = pd.factorize(rows["programme"].astype(object))
        contents, self.contents = _stripped(rows["content"])
        # one integer per (programme, content) pair; rows without a programme are in no programme
        pairs = np.where(programmes >= 0, programmes.astype(np.int64) * (len(self.contents) + 1) + contents, -1)
        frame = pd.DataFrame(
            {"money": _money(rows), "participants": rows["participants"].fillna(0), "date": rows["date"]}
        ).reset_index(drop=True)
        grouped = frame.groupby(pairs, sort=False)
        self.groups = grouped.agg(
            money=("money", "sum"),
            participants=("participants", "sum"),
            count=("money", "size"),
            first=("date", "min"),
            last=("date", "max"),
        )
        self.groups = self.groups[self.groups.index >= 0]
        self.programmes = np.asarray(self.programme_names, dtype=object)[self.groups.index // (len(self.contents) + 1)]
        self.rows = grouped.indices
        self.communes = rows["commune"].astype(object).to_numpy()

    def __call__(self, programme: str, config: Config, limit: int) -> list[dict[str, Any]]:
        groups = self.groups[self.programmes == programme]
        if groups.empty:
            return []
        groups = groups.sort_values(["money", "participants", "count"], ascending=False, kind="stable").head(limit)
        order = {name: i for i, name in enumerate([*config.communes, config.unit.whole_unit_label])}
        width = len(self.contents) + 1
        return [
            {
                "content": md(self.contents[pair % width]),
                "money": g["money"] or None,
                "participants": g["participants"] or None,
                "count": int(g["count"]),
                "communes": _names(
                    sorted(dict.fromkeys(self.communes[self.rows[pair]]), key=lambda c: order.get(c, len(order)))
                ),
                "first": g["first"].date(),
                "last": g["last"].date(),
            }
            for pair, g in groups.iterrows()
        ]


def _stripped(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's text as ``str(value).strip()``, as codes into the distinct texts (first seen first)."""
    codes, uniques = pd.factorize(column)
    if all(type(u) is str for u in uniques):  # strip each distinct text once
        stripped, texts = pd.factorize(np.array([u.strip() for u in uniques], dtype=object))
        return stripped[codes] if len(codes) else codes, list(texts)
    codes, texts = pd.factorize(column.astype(str).str.strip())
    return codes, list(texts)


def _by_commune(table: pd.DataFrame, config: Config, codes: list[str], key: str) -> list[dict[str, Any]]:
    """Per-commune values of some indicators (columns of ``table``, a compute() by commune), for the
    communes where ``key`` is positive."""
    villages = {c.name: len(c.villages) for c in config.unit.communes}
    return [
        {
            "commune": r["commune"],
            "name": md(r["commune"]),
            "villages": villages.get(r["commune"]),
            **{c: _number(r[c]) for c in codes},
        }
        for r in table[["commune", *codes]].to_dict("records")
        if (r[key] or 0) > 0
    ]


SATURDAY = ["sat_rounds", "sat_villages", "sat_participants"]
CAMPAIGN = ["campaign_total", "campaign_support", "campaign_people"]


def _campaigns(rows: pd.DataFrame, config: Config, table: pd.DataFrame) -> list[dict[str, Any]]:
    """The communes of a campaign: its figures, its works (distinct contents in the order first
    written) and its first and last day."""
    campaign = rows[rows["activity_type"].isin(config.indicators["campaign_total"].filter.activity_type)]
    communes = campaign["commune"].astype(object)
    dates = campaign["date"].groupby(communes, sort=False).agg(["min", "max"])
    works: dict[Any, list[Any]] = {}
    written = pd.DataFrame({"commune": communes, "content": campaign["content"]}).dropna(subset=["content"])
    for commune, content in written.drop_duplicates().itertuples(index=False):
        works.setdefault(commune, []).append(content)
    result = []
    for item in _by_commune(table, config, CAMPAIGN, "campaign_total"):
        commune = item["commune"]
        first, last = (
            (dates.at[commune, "min"], dates.at[commune, "max"]) if commune in dates.index else (pd.NaT, pd.NaT)
        )
        item.update(works=_names(works.get(commune, [])), first=first.date(), last=last.date())
        result.append(item)
    return result


def _targeted(dataset: Dataset, period: Period) -> pd.DataFrame:
    """The targets a report of the period measures: those of its year (none across two years)."""
    targets = dataset.targets
    return targets[targets["year"] == period.start.year] if period.start.year == period.end.year else targets.iloc[:0]


def _targets(
    dataset: Dataset, config: Config, period: Period, computed: dict[str, float], by_commune: pd.DataFrame
) -> dict[str, dict[str, Any]]:
    """Targets of the period's year: whole-unit value, actual in the period, % and per commune.

    Targets are annual: a shorter period is measured against them with its own rows. ``computed``
    and ``by_commune`` (indexed by commune) are the indicator values of the period's rows."""
    wanted = _targeted(dataset, period)
    if wanted.empty:
        return {}
    table = I.against_targets(wanted, config, computed, by_commune)
    rows = zip(table["indicator"], table["commune"], table["target"], table["actual"], table["percent"])
    result: dict[str, dict[str, Any]] = {}
    for code, commune, target, actual, percent in rows:
        indicator = config.indicators[code]
        entry = result.setdefault(
            code,
            {
                "name": indicator.name,
                "unit": indicator.unit,
                "target": None,
                "actual": None,
                "percent": None,
                "communes": [],
            },
        )
        values = {"target": target, "actual": _number(actual), "percent": _number(percent)}
        if pd.isna(commune):
            entry.update(values)
        else:
            entry["communes"].append({"name": md(commune), **values})
    return result


def _narratives(dataset: Dataset, kind: str, year: int) -> list[dict[str, Any]]:
    """Narrative rows of one kind and year, grouped by section in the order they were written."""
    rows = dataset.narratives[(dataset.narratives["kind"] == kind) & (dataset.narratives["year"] == year)]
    groups: dict[str, list[Escaped]] = {}
    for r in rows.itertuples():
        groups.setdefault(r.section, []).append(md(r.text))
    return [{"section": md(section), "texts": texts} for section, texts in groups.items()]


def _comparison(config: Config, codes: list[str], now: dict, before: dict) -> list[dict[str, Any]]:
    return [
        {
            "code": c,
            "name": config.indicators[c].name,
            "unit": config.indicators[c].unit,
            "value": now[c],
            "previous": before[c],
            "change": now[c] - before[c] if now[c] is not None and before[c] is not None else None,
        }
        for c in codes
    ]


def _basis(dataset: Dataset, config: Config, rows: pd.DataFrame) -> dict[str, Any]:
    used = rows.groupby("tab", observed=True).size()
    tabs = [
        {
            "tab": md(s["tab"]),
            "organisation": md(config.organisations[s["organisation"]].short_name),
            "missing": bool(s["missing"]),
            "rows": int(s["rows"]),
            "accepted": int(s["accepted"]),
            "excluded": int(s["excluded"]),
            "used": int(used.get(s["tab"], 0)),
            "errors": int(s["errors"]),
            "warnings": int(s["warnings"]),
        }
        for s in dataset.tab_stats.to_dict("records")
    ]
    return {
        "source": md(dataset.source_label),
        "fetched_at": dataset.fetched_at,
        "notice": md(dataset.notice) if dataset.notice else None,
        "tabs": tabs,
        "used": len(rows),
        "accepted": sum(t["accepted"] for t in tabs),
        "excluded": sum(t["excluded"] for t in tabs),
        "errors": dataset.error_count,
        "warnings": dataset.warning_count,
    }


def _profile(config: Config) -> dict[str, Any]:
    unit, profile = config.unit, config.unit.profile
    share = (
        profile.ethnic_minority_population / profile.population * 100
        if profile.population and profile.ethnic_minority_population is not None
        else None
    )
    return {
        "area_ha": profile.area_ha,
        "population": profile.population,
        "ethnic_groups": profile.ethnic_groups,
        "ethnic_minority_population": profile.ethnic_minority_population,
        "ethnic_minority_share": share,
        "communes": len(unit.communes),
        "villages": config.village_count,
        "new_rural": sum(c.new_rural for c in unit.communes),
        "region_iii": _names(c.name for c in unit.communes if c.region == "III"),
        "extremely_difficult": sum(v.extremely_difficult for c in unit.communes for v in c.villages),
    }


def build_context(
    dataset: Dataset, config: Config, period: Period, *, signing_date: dt.date | None = None
) -> dict[str, Any]:
    """Everything the template may use: raw numbers (None where the data cannot support a figure),
    cell text already escaped, the unit's profile and the report settings."""
    activities = dataset.activities
    rows = I.in_period(activities, period)
    before = I.in_period(activities, period.previous_year())
    codes = list(config.indicators)
    supported = _Support(rows, config)
    computed = I.values(rows, config, codes)
    now = _figures(supported, config, codes, computed)
    previous = _figures(_Support(before, config), config, codes, I.values(before, config, codes))
    settings = config.settings.report
    limit = int(settings.get("highlights_per_programme", 3))
    highlights = _Highlights(rows)
    programme_codes = rows["programme"]
    organisations = rows["organisation"]
    programmes = []
    for programme in sorted(config.programmes.values(), key=lambda p: p.number):
        chosen = (programme_codes == programme.code).to_numpy()
        own = rows[chosen]
        present = set(organisations[chosen].unique())
        figure_codes = ["activities", "participants", "money_total", "communes_reached", "villages_reached"]
        programmes.append(
            {
                "code": programme.code,
                "number": programme.number,
                "name": programme.name,
                "short_name": programme.short_name,
                "has_data": not own.empty,
                "figures": _figures(
                    supported.within(chosen), config, figure_codes, I.values(own, config, figure_codes)
                ),
                "organisations": _names(
                    config.organisations[o].short_name for o in config.organisations if o in present
                ),
                "highlights": highlights(programme.code, config, limit),
            }
        )
    coverage = I.coverage(rows, config)
    # each indicator's column of compute() depends only on its own definition: one call for every list
    targeted = sorted(set(_targeted(dataset, period)["indicator"]))
    by_commune = I.compute(rows, config, list(dict.fromkeys([*SATURDAY, *CAMPAIGN, *targeted])), None, "commune")
    key = [c for c in settings.get("key_indicators", []) if c in config.indicators] or [
        c for c in codes if config.indicators[c].kind in ("count", "sum", "distinct")
    ]
    year = period.start.year if period.kind == "year" else None
    return {
        "unit": config.unit,
        "settings": config.settings,
        "report": settings,
        "profile": _profile(config),
        "period": period,
        "previous_period": period.previous_year(),
        "signing_date": signing_date or dt.date.today(),
        "v": now,
        "p": previous,
        "programmes": programmes,
        "saturday_communes": _by_commune(by_commune, config, SATURDAY, "sat_rounds"),
        "campaigns": _campaigns(rows, config, by_commune),
        "targets": _targets(dataset, config, period, computed, by_commune.set_index("commune")),
        "coverage": {
            "communes_without": _names(coverage.loc[coverage["reached"] == 0, "commune"]),
            "extremely_difficult": int(coverage["extremely_difficult"].sum()),
            "extremely_difficult_reached": int(coverage["extremely_difficult_reached"].sum()),
        },
        "silent_organisations": _names(
            o.short_name for code, o in config.organisations.items() if code not in set(organisations.unique())
        ),
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
    "md": md,
    "num": lambda value, decimals=2: fmt.number(value, decimals),
    "pct": fmt.percent,
    "money": fmt.money,
    "mil": fmt.millions,
    "pad": fmt.padded,
    "long_date": fmt.long_date,
    "short_date": fmt.short_date,
    "join_vi": _join,
    "cap": _cap,
    "timestamp": fmt.timestamp,
}


@functools.lru_cache(maxsize=8)
def _environment(search: tuple[str, ...]) -> jinja2.Environment:
    """The Jinja environment of a template search path (built once per path)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(search)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    return env


@functools.lru_cache(maxsize=16)
def _compiled(search: tuple[str, ...], filename: str, source: str) -> jinja2.Template:
    """A template compiled once per file and text: an edited template is compiled again on its next use."""
    env = _environment(search)
    return env.template_class.from_code(env, env.compile(source, TEMPLATE, filename), env.make_globals(None), None)


def _template(config: Config) -> jinja2.Template:
    """The report template: the committee's template directory first, the shipped default as a fallback."""
    search = tuple(dict.fromkeys([str(config.directory), str(DEFAULT_CONFIG_DIR)]))
    env = _environment(search)
    source, filename, _ = env.loader.get_source(env, TEMPLATE)
    return _compiled(search, filename, source)


def render_markdown(dataset: Dataset, config: Config, period: Period, *, signing_date: dt.date | None = None) -> str:
    """The report draft as Markdown (UTF-8 text)."""
    context = build_context(dataset, config, period, signing_date=signing_date)
    try:
        text = _template(config).render(context)
    except jinja2.TemplateNotFound as error:
        raise ReportError(
            f"Không tìm thấy mẫu báo cáo {TEMPLATE} trong thư mục cấu hình {config.directory}."
        ) from error
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
