"""The report draft: a context of computed figures rendered through the committee's Jinja2
Markdown template (config/report.md.j2). The wording lives in the template; this module only
computes, formats (Babel vi_VN filters) and escapes text that comes from spreadsheet cells."""

from __future__ import annotations

import datetime as dt
import functools
import re
import traceback
from dataclasses import dataclass
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from . import boundaries, export, lunar
from . import formatting as fmt
from . import indicators as I
from .anniversary import round_anniversaries
from .clean import clean
from .config import DEFAULT_CONFIG_DIR, Config, Indicator
from .dataset import Dataset
from .document import DocumentInfo, document_info
from .exceptions import ReportError
from .normalize import fold
from .period import Period
from .prior_draft import PriorDraft
from .prior_draft import read as prior_draft_texts
from .source import RawData, RawTab
from .word import REVIEW_MARK, markdown_to_docx

TEMPLATE = "report.md.j2"
BASIS_TEMPLATE = "basis.md.j2"  # the data basis: a separate download, not part of the signable document
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&$])")
_MD_BLOCK_START = re.compile(r"^(?:([-+=])|(\d+)([.)]))(?=\s|$)")


# ---------------------------------------------------------------- escaping


class Escaped(str):
    """Text already escaped for Markdown (``md`` leaves it unchanged)."""


def md(text: Any) -> Escaped:
    """Make text inert in Markdown: one line, no headings, tables, links, HTML, emphasis or code."""
    if isinstance(text, Escaped):
        return text
    flat = " ".join(export.clean_text(str(text), " ").split())
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


class UndeclaredFigure(ReportError):
    """The template names an indicator the configuration does not declare."""


class Figures(dict):
    """Indicator values by code for the template. Naming a code that is not declared is an error (the
    template dry run reports it at start-up); a section tests ``"code" in v`` before using an optional one."""

    def __missing__(self, code: str) -> Any:
        raise UndeclaredFigure(f"Mẫu báo cáo dùng chỉ số «{code}» không khai báo trong indicators.yaml.")

    def __getattr__(self, code: str) -> Any:
        if code.startswith("__"):
            raise AttributeError(code)
        return self[code]


def _figures(supported: _Support, config: Config, codes: list[str], computed: dict[str, float]) -> Figures:
    return Figures({c: _number(computed.get(c)) if supported(config.indicators[c], computed) else None for c in codes})


class _Others(dict):
    """``more.<name>`` for the template: the summed-up items a list did not name, None for a list that named
    every item and for one the unit does not declare (its section is skipped)."""

    def __missing__(self, name: str) -> None:
        return None


def _names(values: Any) -> list[Escaped]:
    return [md(v) for v in values]


class _Highlights:
    """The programmes' notable activities: each programme's rows grouped by their content, ranked by the
    declared figures (money first in the shipped config), then chosen for variety: at most one per
    activity type, communes not yet named first. The rows with content are grouped once, by programme
    and content; each group keeps its rows in order, so its sums, dates and communes are those of the
    programme's rows. Rows in ``left_out`` (itemised, or told by a sentence of their own) are not
    notable: the draft does not tell an activity twice."""

    def __init__(self, rows: pd.DataFrame, config: Config, left_out: np.ndarray | None = None):
        dashboard = config.dashboard
        self.money, self.shown = dashboard.money.total, list(dashboard.activity_list)
        self.rank = list(dashboard.notable_rank)
        codes = list(dict.fromkeys([*([self.money] if self.money else []), *self.shown]))
        columns = [
            "programme",
            "content",
            "commune",
            "date",
            "activity_type",
            *{m for c in codes for m in config.indicators[c].measures},
        ]
        keep = rows["content"].notna().to_numpy().copy()
        if left_out is not None:
            keep &= ~left_out
        rows = rows.loc[keep, columns]  # only the columns read are taken
        programmes, self.programme_names = pd.factorize(rows["programme"].astype(object))
        contents, self.contents = _stripped(rows["content"])
        # one integer per (programme, content) pair; rows without a programme are in no programme
        pairs = np.where(programmes >= 0, programmes.astype(np.int64) * (len(self.contents) + 1) + contents, -1)
        frame = pd.DataFrame(
            {**{c: I.row_values(rows, config, c).fillna(0).to_numpy() for c in codes}, "date": rows["date"].to_numpy()}
        )
        grouped = frame.groupby(pairs, sort=False)
        self.groups = grouped.agg(
            **{c: (c, "sum") for c in codes}, count=("date", "size"), first=("date", "min"), last=("date", "max")
        )
        self.groups = self.groups[self.groups.index >= 0]
        self.programmes = np.asarray(self.programme_names, dtype=object)[self.groups.index // (len(self.contents) + 1)]
        self.rows = grouped.indices
        self.communes = rows["commune"].astype(object).to_numpy()
        self.types = rows["activity_type"].astype(object).to_numpy()

    def _varied(self, groups: pd.DataFrame, whole: str, limit: int) -> pd.DataFrame:
        """Up to ``limit`` of the ranked groups, at most one per activity type: first those that name a
        commune not yet named (or the whole unit), then the others, shown in rank order."""
        chosen: list[int] = []
        types: set[Any] = set()
        named: set[Any] = set()
        for first_pass in (True, False):
            for position, pair in enumerate(groups.index):
                if len(chosen) >= limit:
                    break
                kind = self.types[self.rows[pair][0]]
                if position in chosen or kind in types:
                    continue
                places = set(self.communes[self.rows[pair]])
                if first_pass and places <= named:
                    continue
                chosen.append(position)
                types.add(kind)
                named |= places - {whole} if places != {whole} else places
        return groups.iloc[sorted(chosen)]

    def __call__(self, programme: str, config: Config, limit: int) -> list[dict[str, Any]]:
        groups = self.groups[self.programmes == programme]
        if groups.empty:
            return []
        whole = config.unit.whole_unit_label  # not an area: the template says "toàn huyện" instead
        groups = self._varied(groups.sort_values([*self.rank, "count"], ascending=False, kind="stable"), whole, limit)
        order = {name: i for i, name in enumerate(config.communes)}
        width = len(self.contents) + 1
        return [
            {
                "content": md(self.contents[pair % width]),
                "money": (g[self.money] or None) if self.money else None,
                "figures": Figures({c: g[c] or None for c in self.shown}),
                "count": int(g["count"]),
                "communes": _names(
                    sorted(
                        (c for c in dict.fromkeys(self.communes[self.rows[pair]]) if c != whole),
                        key=lambda c: order.get(c, len(order)),
                    )
                ),
                "whole": whole in set(self.communes[self.rows[pair]]),
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


@dataclass
class _CommuneFigures:
    """One commune of a declared per-commune table: its figures, the first and last day of the rows the
    table's first indicator counts and, when the template asks, the contents written there (in the order
    first written)."""

    commune: str
    villages: int | None
    figures: Figures
    first: dt.date | None
    last: dt.date | None
    contents: np.ndarray

    @property
    def name(self) -> Escaped:
        return md(self.commune)

    @functools.cached_property
    def works(self) -> list[Escaped]:
        return _names(dict.fromkeys(c for c in self.contents if isinstance(c, str)))


def _breakdowns(rows: pd.DataFrame, config: Config, table: pd.DataFrame) -> dict[str, list[_CommuneFigures]]:
    """The declared per-commune tables: for each, the communes where its first indicator is above zero."""
    villages = {c.name: len(c.villages) for c in config.unit.communes}
    result = {}
    for name, codes in config.dashboard.report.breakdowns.items():
        result[name] = []
        if not codes:
            continue
        keep = I.mask(rows, config.indicators[codes[0]])  # only the three columns read are taken
        communes = rows["commune"].astype(object).to_numpy()[keep]
        dates, contents = rows["date"].to_numpy()[keep], rows["content"].to_numpy()[keep]
        where = pd.Series(communes).groupby(communes, sort=False).indices
        for record in table[["commune", *codes]].to_dict("records"):
            commune = record["commune"]
            if not (record[codes[0]] or 0) > 0:
                continue
            positions = where.get(commune, np.zeros(0, np.intp))
            days = pd.to_datetime(dates[positions]) if len(positions) else None
            result[name].append(
                _CommuneFigures(
                    commune,
                    villages.get(commune),
                    Figures({c: _number(record[c]) for c in codes}),
                    days.min().date() if days is not None else None,
                    days.max().date() if days is not None else None,
                    contents[positions],
                )
            )
    return result


def _told(rows: pd.DataFrame, config: Config, codes: list[str]) -> np.ndarray:
    """The rows one of these indicators counts: a count indicator's rows, a sum indicator's rows above zero."""
    keep = np.zeros(len(rows), bool)
    for code in codes:
        indicator = config.indicators[code]
        counted = I.mask(rows, indicator)
        if indicator.kind == "sum":
            counted &= (I.row_values(rows, config, code).fillna(0) > 0).to_numpy()
        keep |= counted
    return keep


def _itemised(rows: pd.DataFrame, config: Config) -> tuple[dict[str, list[dict[str, Any]]], _Others, np.ndarray]:
    """The declared itemised lists (``items.<name>``): each activity one of a list's ``rows`` indicators
    counts, in the first list that takes it; rows of the same programme and content are one item (unless
    ``per_row``), with its sums, dates, places, organisations and partners, in date order. At most the
    list's ``limit`` items are named: the largest by each figure in turn, then by rows, then the earliest;
    ``more.<name>`` sums up the others (their number, rows,
    figures and communes), None when every item is named. Also which rows the lists took. The committee
    itself is never an item's actor: its rows are the partners' doing."""
    whole = config.unit.whole_unit_label
    organisations = config.organisations
    silent = {o.code for o in organisations.values() if not config.groups[o.group].actor}
    silent |= {organisations[c].short_name for c in silent}
    taken = np.zeros(len(rows), bool)
    result: dict[str, list[dict[str, Any]]] = {}
    more = _Others()
    for name, declared in config.dashboard.report.itemised.items():
        keep = _told(rows, config, declared.rows)
        keep &= ~taken
        taken |= keep
        chosen = rows[keep]
        values = {
            code: I.row_values(chosen, config, code).where(I.mask(chosen, config.indicators[code]))
            for code in declared.figures
        }
        if declared.per_row:
            keys = np.arange(len(chosen))
        else:
            keys = pd.factorize(
                chosen["programme"].astype(str) + "\x00" + chosen["content"].fillna("").astype(str).str.strip()
            )[0]
        groups = pd.Series(keys).groupby(keys, sort=False).indices
        named, others = list(groups), []
        if len(groups) > declared.limit:  # the largest by the figures in their declared order, then the earliest
            sizes = pd.DataFrame({c: v.fillna(0).to_numpy() for c, v in values.items()} | {"rows": 1})
            sizes["first"] = -chosen["date"].to_numpy().astype("datetime64[D]").astype("int64")
            order = sizes.groupby(keys, sort=False).agg({**dict.fromkeys(values, "sum"), "rows": "sum", "first": "max"})
            order = order.sort_values([*values, "rows", "first"], ascending=False)
            named, others = list(order.index[: declared.limit]), list(order.index[declared.limit :])
        items = []
        for key in named:
            positions = groups[key]
            group = chosen.iloc[positions]
            communes = list(dict.fromkeys(group["commune"].astype(object)))
            villages = [v for v in dict.fromkeys(group["village"]) if isinstance(v, str) and v]
            acting = list(dict.fromkeys(organisations[o].short_name for o in group["organisation"] if o not in silent))
            partners = [
                p
                for p in dict.fromkeys(
                    organisations[p].short_name if p in organisations else p for ps in group["partners"] for p in ps
                )
                if p not in silent and p not in acting
            ]
            if not acting:  # the committee's own row: its partners did the work
                acting, partners = partners, []
            content = group["content"].iloc[0]
            items.append(
                {
                    "programme": group["programme"].iloc[0],
                    "content": md(content) if isinstance(content, str) and content.strip() else None,
                    "organisations": _names(acting),
                    "partners": _names(partners),
                    "whole": whole in communes,
                    "communes": _names(c for c in communes if c != whole),
                    "villages": _names(villages),
                    "first": group["date"].min().date(),
                    "last": group["date"].max().date(),
                    "count": len(group),
                    "figures": Figures({c: _number(v.iloc[positions].sum(min_count=1)) for c, v in values.items()}),
                }
            )
        result[name] = sorted(items, key=lambda item: item["first"])
        more[name] = None
        if others:
            rest = np.concatenate([groups[key] for key in others])
            communes = chosen["commune"].iloc[rest]
            more[name] = {
                "count": len(others),
                "rows": len(rest),
                "communes": int(communes[communes != whole].nunique()),
                "figures": Figures({c: _number(v.iloc[rest].sum(min_count=1)) for c, v in values.items()}),
                "programmes": chosen["programme"].iloc[[groups[key][0] for key in others]].value_counts().to_dict(),
            }
    return result, more, taken


def _targeted(dataset: Dataset, period: Period) -> pd.DataFrame:
    """The targets a report of the period measures: those of its year (none across two years)."""
    targets = dataset.targets
    if period.kind == "range" and period.start.year != period.end.year:
        return targets.iloc[:0]
    return targets[targets["year"] == period.year_number]  # the reporting year (it may start on 15/12)


def _targets(
    dataset: Dataset,
    config: Config,
    period: Period,
    computed: dict[str, float],
    by_commune: pd.DataFrame,
    supported: Figures,
) -> dict[str, dict[str, Any]]:
    """Targets of the period's year: whole-unit value, actual in the period, % and per commune.

    Targets are annual: a shorter period is measured against them with its own rows. ``computed``
    and ``by_commune`` (indexed by commune) are the indicator values of the period's rows; where no
    row supports a figure (``supported`` is None) its actual and percentage are unknown, not 0."""
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
        known = supported[code] is not None
        values = {
            "target": target,
            "actual": _number(actual) if known else None,
            "percent": _number(percent) if known else None,
        }
        if pd.isna(commune):
            entry.update(values)
        else:
            entry["communes"].append({"name": md(commune), **values})
    return result


def _marked(text: Any) -> Escaped:
    """A paragraph carried over from a text tab: visibly marked for the secretary to review."""
    return Escaped(f"{REVIEW_MARK} {md(text)}")


def _carried(dataset: Dataset, config: Config, period: Period, prior: PriorDraft | None = None) -> dict[str, Any]:
    """Section text carried over from the text tabs for the period, each paragraph marked for review:
    ``texts`` (the sections declared in ``report.text_sections``, by name), ``assessment`` (the other
    rows of the assessment tab, grouped by «Mục» in the order written) and ``directions`` (rows of the
    directions tab for the next period). Rows match by period: a year's rows serve the year's draft, a
    half-year's (2024-H1) the half-year's. A section the tabs leave empty takes the texts of the previous
    period's approved draft (``prior``), if one was given."""
    rows = dataset.narratives
    if "period" not in rows:  # a dataset read before text rows carried their period
        rows = rows.assign(period=rows["year"].astype(str))
    following = period.next()
    keys = {"assessment": period.key if period.kind != "range" else None, "directions": following and following.key}
    sections = {fold(label): name for name, labels in config.settings.report.text_sections.items() for label in labels}
    texts: dict[str, list[Escaped]] = {name: [] for name in config.settings.report.text_sections}
    grouped: dict[str, dict[str, list[Escaped]]] = {"assessment": {}, "directions": {}}
    for kind, key in keys.items():
        if key is None:
            continue
        for r in rows[(rows["kind"] == kind) & (rows["period"] == key)].itertuples():
            name = sections.get(fold(r.section)) if kind == "assessment" and r.section else None
            if name:
                texts[name].append(_marked(r.text))
            else:
                grouped[kind].setdefault(r.section, []).append(_marked(r.text))
    if prior is not None:
        slots = {"context": prior.context, **{f"opening_{n}": p for n, p in prior.openings.items()}}
        for name, paragraphs in slots.items():
            if not texts.get(name):
                texts[name] = [_marked(p) for p in paragraphs]
        if not grouped["assessment"]:
            grouped["assessment"] = {title: [_marked(p) for p in ps] for title, ps in prior.assessment}
        if not grouped["directions"] and prior.directions:
            grouped["directions"] = {"": [_marked(p) for p in prior.directions]}
    return {
        "texts": texts,
        **{
            kind: [{"section": md(section), "texts": paragraphs} for section, paragraphs in groups.items()]
            for kind, groups in grouped.items()
        },
    }


def _actors(config: Config, codes: Any, period: Period) -> list[Escaped]:
    """The members who acted, named the way a committee writes: a group all of whose members (those in
    existence during the period) acted by its collective wording, most of a group (at least three) by its
    partial wording, otherwise each member by its short name; a group that is not an actor (the committee
    itself) is never named."""
    present = set(codes)
    phrases: list[str] = []
    for group in config.groups.values():
        if not group.actor:
            continue
        members = [
            o
            for o in config.organisations.values()
            if o.group == group.code
            and (o.valid_from is None or o.valid_from <= period.end)
            and (o.valid_to is None or o.valid_to >= period.start)
        ]
        acted = [o for o in members if o.code in present]
        if not acted:
            continue
        if len(acted) == len(members) and len(members) > 1 and group.collective:
            phrases.append(group.collective)
        elif len(acted) >= 3 and 2 * len(acted) > len(members) and group.partial:
            phrases.append(group.partial)
        else:
            phrases.extend(o.short_name for o in acted)
    return _names(phrases)


def _comparison(config: Config, codes: list[str], now: dict, before: dict) -> list[dict[str, Any]]:
    return [
        {
            "code": c,
            "name": config.indicators[c].name,
            "unit": config.indicators[c].unit,
            "shown_unit": fmt.figure(0, config.indicators[c].unit).unit or config.indicators[c].unit,
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
            # every tab is listed, also one whose organisation ended before the period (scoped out of the config)
            "organisation": md(config.organisation_tabs[s["tab"]].short_name),
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
    if profile.valid_to and not boundaries.profile_holds(config, profile.valid_to):
        profile = type(profile)()  # the figures describe the territory before it changed
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
        # None unless every commune says whether it meets the new-rural standard
        "new_rural": None
        if any(c.new_rural is None for c in unit.communes)
        else sum(bool(c.new_rural) for c in unit.communes),
        "region_iii": _names(c.name for c in unit.communes if c.region == "III"),
        "extremely_difficult": sum(v.extremely_difficult for c in unit.communes for v in c.villages),
    }


def build_context(
    dataset: Dataset,
    config: Config,
    period: Period,
    *,
    signing_date: dt.date | None = None,
    number: int | None = None,
    prior_draft: str | None = None,
) -> dict[str, Any]:
    """Everything the template may use: raw numbers (None where the data cannot support a figure),
    cell text already escaped, the unit's profile and the report settings. No signing date (or number)
    leaves the date line (or the number) for the secretary to fill in. ``prior_draft``: the previous
    period's approved draft (Markdown), whose section texts fill what the text tabs leave empty. A
    configuration not yet scoped to the period is scoped here, in the dataset's view of communes."""
    if not config.scope:
        config = boundaries.scope(config, dataset.boundaries, period.start, period.end)
    activities = dataset.activities
    rows = I.in_period(activities, period)
    comparable = period.comparable(dataset.latest_date)  # like for like when the data stops early
    before = I.in_period(activities, comparable)
    codes = list(config.indicators)
    figures = config.dashboard.report
    supported = _Support(rows, config)
    shared = I.SharedRows()  # the period's rows, read once for every table below
    computed = I.values(rows, config, codes, shared=shared)
    now = _figures(supported, config, codes, computed)
    previous = _figures(_Support(before, config), config, codes, I.values(before, config, codes))
    settings = config.settings.report
    items, more, itemised = _itemised(rows, config)
    highlights = _Highlights(rows, config, itemised | _told(rows, config, figures.told))
    programme_codes = rows["programme"]
    organisations = rows["organisation"]
    programmes = []
    for programme in sorted(config.programmes.values(), key=lambda p: p.number):
        chosen = (programme_codes == programme.code).to_numpy()
        own = rows[chosen]
        present = set(organisations[chosen].unique())
        wanted = list(figures.programme_figures)
        programmes.append(
            {
                "code": programme.code,
                "number": programme.number,
                "name": programme.name,
                "short_name": programme.short_name,
                "has_data": not own.empty,
                "figures": _figures(
                    supported.within(chosen), config, wanted, I.values(own, config, wanted) if wanted else {}
                ),
                "organisations": _names(
                    config.organisations[o].short_name for o in config.organisations if o in present
                ),
                "actors": _actors(config, present, period),
                "highlights": highlights(programme.code, config, settings.highlights_per_programme),
            }
        )
    coverage = I.coverage(rows, config, shared=shared)
    targeted = sorted(set(_targeted(dataset, period)["indicator"]))
    split = list(dict.fromkeys([*(c for group in figures.breakdowns.values() for c in group), *targeted]))
    by_commune = (
        I.compute(rows, config, split, None, "commune", shared=shared) if split else pd.DataFrame({"commune": []})
    )
    carried = _carried(dataset, config, period, prior_draft_texts(prior_draft) if prior_draft else None)
    following = period.next()
    return {
        "unit": config.unit,
        "settings": config.settings,
        "report": settings,
        "profile": _profile(config),
        "period": period,
        "previous_period": comparable,
        "data_until": period.data_until(dataset.latest_date),
        "signing_date": signing_date,
        "v": now,
        "p": previous,
        "programmes": programmes,
        "breakdowns": _breakdowns(rows, config, by_commune),
        "items": items,
        "more": more,
        "targets": _targets(dataset, config, period, computed, by_commune.set_index("commune"), now),
        "coverage": {
            "communes_without": _names(coverage.loc[coverage["activity_rows"] == 0, "commune"]),
            "communes_without_villages": _names(
                coverage.loc[(coverage["activity_rows"] > 0) & (coverage["village_rows"] == 0), "commune"]
            ),
            "extremely_difficult": int(coverage["extremely_difficult"].sum()),
            "extremely_difficult_reached": int(coverage["extremely_difficult_reached"].sum()),
        },
        "silent_organisations": _names(
            o.short_name
            for code, o in config.organisations.items()
            if code not in set(organisations.unique()) and config.groups[o.group].actor
        ),
        "actors": _actors(config, set(organisations.unique()), period),
        "texts": carried["texts"],
        "assessment": carried["assessment"],
        "directions": carried["directions"],
        "review": REVIEW_MARK,
        # the «Kỳ» a text row needs to fill this draft (None for a range of dates)
        "narrative_period": period.key if period.kind != "range" else None,
        "directions_period": following.key if following else None,
        "comparison": _comparison(config, list(figures.appendix), now, previous),
        "units": boundaries.story(config, dataset.boundaries, period.start, period.end),
        "basis": _basis(dataset, config, rows),
        "document": _document(config, signing_date, number),
        "calendar": _calendar_facts(config, period),
    }


# ---------------------------------------------------------------- the document and the calendar


def _document(config: Config, signing_date: dt.date | None, number: int | None) -> DocumentInfo:
    """Number, place and date line, appendix reference (Nghị định 30/2020 or Hướng dẫn 36)."""
    settings = config.settings.report
    return document_info(
        settings,
        md(config.settings.committee),
        md(settings.place or config.unit.name),
        number=number,
        signing_date=signing_date,
    )


def _calendar_facts(config: Config, period: Period) -> dict[str, Any]:
    """The Tết within the period (its year and lunar name, None when no Tết falls in it) and the round
    anniversaries of the next period, for section IV."""
    tet_year = lunar.tet_in(period)
    return {
        "tet_year": tet_year,
        "tet_name": lunar.year_name(tet_year) if tet_year else None,
        "next_anniversaries": [
            {"text": md(a.text), "years": a.years, "name": md(a.name), "day": a.day}
            for a in round_anniversaries(config.settings.report.anniversaries, period.next())
        ],
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
    "num": lambda value, decimals=fmt.QUANTITY_DECIMALS: fmt.number(value, decimals),
    "pct": fmt.percent,
    "money": fmt.money,
    "mil": fmt.millions,
    "fig": lambda value, unit: fmt.figure(value, unit).text,
    "figure": lambda value, unit: str(fmt.figure(value, unit)),
    "pad": fmt.padded,
    "long_date": fmt.long_date,
    "short_date": fmt.short_date,
    "join_vi": _join,
    "cap": _cap,
    "timestamp": fmt.timestamp,
}


def declares(figures: Figures, *codes: str) -> bool:
    """Whether the configuration declares every one of these indicators (template global)."""
    return all(code in figures for code in codes)


@functools.lru_cache(maxsize=8)
def _environment(search: tuple[str, ...]) -> jinja2.Environment:
    """The Jinja environment of a template search path: the committee's config directory first, the
    shipped template as a fallback. Jinja's own cache compiles each template once, and again when the
    file changes."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(search)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=True,
    )
    env.filters.update(FILTERS)
    env.globals["declares"] = declares
    env.tests["lower_startswith"] = lambda text, prefix: str(text).lower().startswith(str(prefix).lower())
    env.tests["in_text"] = lambda text, part: part in str(text)
    return env


def _template(config: Config, name: str = TEMPLATE) -> jinja2.Template:
    """The report template (or the data basis template) of a committee: its own directory first, then
    the directory it extends, then the shipped one."""
    search = [str(config.directory), *([str(config.base)] if config.base else []), str(DEFAULT_CONFIG_DIR)]
    return _environment(tuple(dict.fromkeys(search))).get_template(name)


def _template_line(error: BaseException, name: str = TEMPLATE) -> str:
    """`` (dòng N)`` of the template line a rendering error came from, when the traceback has it."""
    lines = [f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(name)]
    return f" (dòng {lines[-1]})" if lines else ""


def _render(context: dict[str, Any], config: Config, name: str = TEMPLATE) -> str:
    try:
        text = _template(config, name).render(context)
    except jinja2.TemplateNotFound as error:
        raise ReportError(f"Không tìm thấy mẫu báo cáo {name} trong thư mục cấu hình.") from error
    except jinja2.TemplateSyntaxError as error:
        raise ReportError(f"Mẫu báo cáo {name} sai cú pháp ở dòng {error.lineno}: {error.message}.") from error
    except UndeclaredFigure as error:
        raise UndeclaredFigure(f"{name}{_template_line(error, name)}: {error.message}") from error
    except jinja2.UndefinedError as error:
        found = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", str(error))
        shown = next((g for g in found.groups() if g), "") if found else ""
        raise ReportError(
            f"{name}{_template_line(error, name)}: mẫu dùng tên «{shown}» không có trong dữ liệu báo cáo."
        ) from error
    except (TypeError, ValueError, ArithmeticError, jinja2.TemplateError) as error:
        raise ReportError(
            f"{name}{_template_line(error, name)}: không dựng được bản thảo từ mẫu (kiểm tra biểu thức ở dòng này)."
        ) from error
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_markdown(
    dataset: Dataset,
    config: Config,
    period: Period,
    signing_date: dt.date | None = None,
    number: int | None = None,
    prior_draft: str | None = None,
) -> str:
    """The report draft as Markdown (UTF-8 text); ``prior_draft``: the previous period's approved draft."""
    context = build_context(dataset, config, period, signing_date=signing_date, number=number, prior_draft=prior_draft)
    return _render(context, config)


def render_docx(
    dataset: Dataset,
    config: Config,
    period: Period,
    signing_date: dt.date | None = None,
    number: int | None = None,
    prior_draft: str | None = None,
) -> bytes:
    """The same draft as a Word document in the Nghị định 30/2020/NĐ-CP layout."""
    return markdown_to_docx(render_markdown(dataset, config, period, signing_date, number, prior_draft))


def render_basis(dataset: Dataset, config: Config, period: Period) -> str:
    """The data basis of a draft (source, time read, rows used per tab) as Markdown: a separate download
    for the secretary's checks, not part of the document that is signed."""
    rows = I.in_period(dataset.activities, period)
    context = {
        "settings": config.settings,
        "period": period,
        "previous_period": period.comparable(dataset.latest_date),
        "data_until": period.data_until(dataset.latest_date),
        "basis": _basis(dataset, config, rows),
    }
    return _render(context, config, BASIS_TEMPLATE)


# ---------------------------------------------------------------- the template dry run


def _sample(config: Config, year: int, full: bool) -> Dataset:
    """A small dataset made from the configuration alone: with ``full``, every organisation records every
    activity type in the year and the year before, with every measure filled, plus targets and narratives;
    otherwise nothing. Rendering both exercises the template's branches with and without data."""
    measures = list(config.measures.values())
    header = [f.name for f in config.fields.values()] + [m.name for m in measures]
    commune = config.unit.communes[0]
    village = commune.villages[0].name if commune.villages else ""
    orgs = list(config.organisations.values())
    tabs = {}
    for index, org in enumerate(orgs if full else []):
        partner = orgs[(index + 1) % len(orgs)].name if len(orgs) > 1 else ""
        rows = [header]
        for kind in config.activity_types.values():
            for day in (f"15/03/{year - 1}", f"15/03/{year}"):
                cells = {
                    "date": day,
                    "commune": commune.name,
                    "village": village,
                    "programme": config.programmes[kind.programme].name,
                    "activity_type": kind.name,
                    "content": kind.name,
                    "partners": partner,
                }
                rows.append([cells.get(c, "") for c in config.fields] + [1] * len(measures))
        tabs[org.tab] = RawTab(org.tab, rows)
    names = config.settings.tabs
    if full:
        targets = [["Năm", "Chỉ tiêu", "Xã", "Giá trị"]]
        for code in config.indicators:
            targets += [[year, code, "", 2], [year, code, commune.name, 1]]
        tabs[names.targets] = RawTab(names.targets, targets)
        sections = [labels[0] for labels in config.settings.report.text_sections.values() if labels]
        tabs[names.assessment] = RawTab(
            names.assessment,
            [["Kỳ", "Mục", "Nội dung"], [year, "Ưu điểm", "Nội dung"], *([year, m, "Nội dung"] for m in sections)],
        )
        tabs[names.directions] = RawTab(names.directions, [["Năm", "Mục", "Nội dung"], [year + 1, "", "Nhiệm vụ"]])
    fetched = dt.datetime(year, 12, 31, 12, tzinfo=dt.UTC)
    raw = RawData(tabs=tabs, available=list(tabs), source_id="mẫu", source_label="mẫu", fetched_at=fetched)
    return clean(raw, config, today=fmt.local_date(fetched))


def template_problems(config: Config) -> list[str]:
    """Render the report template on data made from the configuration (none, then every figure filled):
    any name the configuration does not declare, or any expression that fails, is a problem (file, line, what)."""
    year = max(config.settings.earliest_year + 1, 2024)
    problems = []
    period = Period.year(year)
    for full in (False, True):
        sample = _sample(config, year, full)
        for render, arguments in (
            (render_markdown, (sample, config, period, dt.date(year, 12, 31), 5)),
            (render_basis, (sample, config, period)),  # the data basis template too
        ):
            try:
                render(*arguments)
            except ReportError as error:
                if error.message not in problems:
                    problems.append(error.message)
    return problems
