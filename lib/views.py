"""Pure helpers behind the dashboard pages: KPI cards, per-programme, per-commune and
per-organisation tables, completeness and freshness. Which indicators each one shows comes from
``config.dashboard`` (or the codes a page passes): no indicator or measure is named here. Every
frame returned is ready to show: Vietnamese column headers, raw numbers (formatting happens at
display and in charts)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import formatting as fmt
from . import indicators as ind
from .config import Config, Indicator
from .dataset import Dataset
from .period import Period, months
from .problems import ERROR, PROBLEMS, SEVERITY_LABELS

REGION_III = "III"
PERCENT_SUFFIX = " (%)"


# ---------------------------------------------------------------- labels


def programme_labels(config: Config) -> dict[str, str]:
    """``CT1`` → ``CT1. Tuyên truyền, giáo dục chính trị`` in config order."""
    return {p.code: f"CT{p.number}. {p.short_name}" for p in config.programmes.values()}


def organisation_labels(config: Config) -> dict[str, str]:
    return {o.code: o.short_name for o in config.organisations.values()}


def activity_type_labels(config: Config) -> dict[str, str]:
    return {a.code: a.name for a in config.activity_types.values()}


def column_title(indicator: Indicator) -> str:
    """A table header for an indicator: its name, with the unit for money and percentages."""
    if indicator.unit == "đồng":
        return f"{indicator.name} (đồng)"
    return f"{indicator.name}{PERCENT_SUFFIX}" if indicator.unit == "%" else indicator.name


def readable(frame: pd.DataFrame, config: Config, label_title: str, drop: Sequence[str] = ()) -> pd.DataFrame:
    """A compute()-style frame for display: ``label`` → ``label_title``, indicator codes → headers."""
    names = {c: column_title(config.indicators[c]) for c in frame.columns if c in config.indicators}
    return frame.drop(columns=list(drop)).rename(columns={"label": label_title, **names})


def _label(series: pd.Series, labels: Mapping[str, str]) -> pd.Series:
    return series.astype(object).map(lambda v: labels.get(v, v), na_action="ignore")


def _codes(*groups: Sequence[str] | str | None) -> list[str]:
    """The indicator codes of several declarations, each once, in order."""
    found: list[str] = []
    for group in groups:
        found += [group] if isinstance(group, str) else list(group or [])
    return list(dict.fromkeys(found))


def _compute(
    activities: pd.DataFrame, config: Config, codes: list[str], period: Period | None, by: str
) -> pd.DataFrame:
    """``ind.compute`` by one dimension; with no codes, just the dimension's values (nothing is computed)."""
    if codes:
        return ind.compute(activities, config, codes, period, by)
    return pd.DataFrame({by: ind.catalogue(config, by)})


# ---------------------------------------------------------------- KPI cards


@dataclass(frozen=True)
class Kpi:
    """One metric card: label, shown value, change against the same period last year. ``text`` is written
    in ``unit`` by the rule every output uses (``fmt.figure``): the draft writes the same figure as
    ``text unit``; the card names a unit the number alone does not say (triệu đồng) in its label."""

    code: str
    label: str
    value: float
    text: str
    delta: str | None = None
    help: str = ""
    unit: str = ""

    @property
    def figure(self) -> str:
        """The figure as the draft writes it: ``2.577,3 triệu đồng``, ``8.520 người``, ``53/53 thôn``."""
        return f"{self.text} {self.unit}" if self.unit and self.text != fmt.MISSING else self.text


def _delta(change: float, previous: float, unit: str) -> str | None:
    if np.isnan(previous) or previous == 0 and change == 0:
        return None
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    amount = fmt.figure(abs(change), unit).text
    pct = f" ({sign}{fmt.percent(abs(change) / previous * 100)})" if previous > 0 else ""
    return f"{sign}{amount}{pct}"


def _catalogue_size(indicator: Indicator, config: Config) -> int | None:
    """For a distinct count of communes or villages: how many the unit has (shown as ``x/N``)."""
    if indicator.kind != "distinct" or indicator.filter != type(indicator.filter)():
        return None
    return {"commune": len(config.communes), "village": config.village_count}.get(indicator.field)


def kpis(
    activities: pd.DataFrame, config: Config, period: Period, codes: Sequence[str], data_until: dt.date | None = None
) -> list[Kpi]:
    """KPI cards for the period, each with the change against the same span a year earlier (like for like
    when the data stops on ``data_until`` before the period ends). Every figure follows ``fmt.figure``, the
    rule of the draft and the CLI; a scaled unit (money in triệu đồng) is named in the card's label."""
    codes = _codes(codes)
    if not codes:
        return []
    previous = period.comparable(data_until)
    table = ind.compare(activities, config, codes, period, previous=previous).set_index("indicator")
    rows, before_rows = ind.in_period(activities, period), ind.in_period(activities, previous)
    cards = []
    for code in codes:
        row, indicator = table.loc[code], config.indicators[code]
        value = float(row["value"])
        known = ind.recorded(rows, config, code)  # as the draft: a figure no row records is unknown, not 0
        shown = fmt.figure(value if known else None, indicator.unit)
        size = _catalogue_size(indicator, config)
        text = f"{shown.text}/{fmt.quantity(size)}" if size is not None and known else shown.text
        label = f"{indicator.name} ({shown.unit})" if shown.unit and shown.unit != indicator.unit else indicator.name
        has_previous = ind.recorded(before_rows, config, code)
        before = float(row["previous"]) if has_previous else np.nan
        if has_previous:
            note = f"Cùng kỳ năm trước: {fmt.figure(before, indicator.unit)}."
        else:
            note = "Không có số liệu cùng kỳ năm trước."
        if not known:
            note = f"Chưa có dòng hoạt động nào ghi số liệu này trong kỳ. {note}"
        delta = _delta(float(row["change"]), before, indicator.unit) if has_previous and known else None
        cards.append(Kpi(code, label, value, text, delta, note, shown.unit))
    return cards


# ---------------------------------------------------------------- overview frames


def _figure(indicator: Indicator, value: float, config: Config) -> str:
    """A value as the opening sentence writes it, by the rule every output follows (``formatting.figure``):
    ``1.119 lượt người``, ``5.993,2 triệu đồng``, ``65,07%``; a count of the catalogue as ``8/8``."""
    size = _catalogue_size(indicator, config)
    if size is not None:
        return f"{fmt.number(value)}/{fmt.number(size)}"
    shown = fmt.figure(value, indicator.unit)
    # "số hoạt động 234", not "số hoạt động 234 hoạt động": a unit the name already says is not repeated
    return shown.text if shown.unit and shown.unit.lower() in indicator.name.lower() else str(shown)


def _judgement(value: float, previous: float) -> str:
    """Rise, fall, same or nothing to compare with, chosen by the figures."""
    if np.isnan(previous) or previous == 0:
        return "cùng kỳ chưa có" if value > 0 and previous == 0 else ""
    if value == previous:
        return "bằng cùng kỳ"
    change = fmt.percent(abs(value - previous) / previous * 100)
    return f"{'tăng' if value > previous else 'giảm'} {change}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def headline(
    activities: pd.DataFrame, config: Config, period: Period, codes: Sequence[str], data_until: dt.date | None = None
) -> str:
    """The overview's opening sentence: the period's main figures (the given indicators, in order), each with
    its change against the same span a year earlier (like for like when the data stops on ``data_until``).
    Every word of judgement is chosen by the data; with no activity in the period the sentence says so."""
    codes = _codes(codes)
    until = period.data_until(data_until)
    opening = period.label[:1].upper() + period.label[1:]
    if until:
        opening += f" (số liệu đến {fmt.short_date(until)})"
    if not codes or not len(ind.in_period(activities, period)):
        return f"{opening}: chưa có hoạt động nào được ghi nhận với bộ lọc đang chọn."
    previous = period.comparable(data_until)
    table = ind.compare(activities, config, codes, period, previous=previous).set_index("indicator")
    has_previous = len(ind.in_period(activities, previous)) > 0
    parts = []
    for code in codes:
        indicator, row = config.indicators[code], table.loc[code]
        value = float(row["value"])
        text = f"{_lower_first(indicator.name)} {_figure(indicator, value, config)}"
        judgement = _judgement(value, float(row["previous"])) if has_previous else ""
        if judgement and _catalogue_size(indicator, config) is None:
            text += f" ({judgement})"
        parts.append(text)
    sentence = f"{opening}: {'; '.join(parts)}."
    if has_previous:
        return sentence + f" So sánh với cùng kỳ {previous.span}."
    return sentence + " Chưa có số liệu cùng kỳ năm trước để so sánh."


def monthly_values(
    activities: pd.DataFrame, config: Config, period: Period, codes: Sequence[str], data_until: dt.date | None = None
) -> dict[str, list[float]]:
    """Each indicator's value month by month over the period (every month the period touches, 0 where
    nothing happened, up to the month of ``data_until`` when the data stops before the period ends): the
    sparklines of the overview's cards."""
    codes = _codes(codes)
    until = period.data_until(data_until)
    firsts = [f for f in months(period) if until is None or f <= until]
    if not codes:
        return {}
    table = ind.compute(activities, config, codes, period, ["year", "month"])
    index = {(int(y), int(m)): i for i, (y, m) in enumerate(zip(table["year"], table["month"]))} if len(table) else {}
    series = {}
    for code in codes:
        column = table[code].to_numpy(float) if len(table) else np.array([])
        series[code] = [
            float(np.nan_to_num(column[index[(f.year, f.month)]])) if (f.year, f.month) in index else 0.0
            for f in firsts
        ]
    return series


def count_in_period(activities: pd.DataFrame, config: Config, period: Period) -> int:
    """How many of the activities are dated inside the period."""
    return len(ind.in_period(activities, period))


def monthly_trend(
    activities: pd.DataFrame, config: Config, period: Period, codes: Sequence[str], data_until: dt.date | None = None
) -> pd.DataFrame:
    """Long frame per month: this period and the same span a year earlier (shifted onto this period), like for
    like: when the data stops on ``data_until``, last year's line stops on the same day, so a month still
    being reported is compared with the same days of last year's month."""
    frames = []
    previous = period.comparable(data_until)
    for series, span, shift in (("Kỳ này", period, 0), ("Cùng kỳ năm trước", previous, 1)):
        table = ind.compute(activities, config, list(codes), span, ["year", "month"]) if codes else pd.DataFrame()
        if table.empty:
            continue
        table["month_start"] = pd.to_datetime({"year": table["year"] + shift, "month": table["month"], "day": 1})
        frames.append(table.drop(columns=["year", "month"]).assign(series=series))
    if not frames:
        return pd.DataFrame(columns=["month_start", "series", "indicator", "name", "value"])
    wide = pd.concat(frames, ignore_index=True)
    long = wide.melt(id_vars=["month_start", "series"], var_name="indicator", value_name="value")
    long["name"] = long["indicator"].map(lambda c: config.indicators[c].name)
    return long.sort_values(["indicator", "series", "month_start"]).reset_index(drop=True)


def by_programme(activities: pd.DataFrame, config: Config, period: Period, codes: Sequence[str]) -> pd.DataFrame:
    """The given indicators per programme, with the programme's label."""
    table = _compute(activities, config, _codes(codes), period, "programme")
    table.insert(1, "label", _label(table["programme"], programme_labels(config)))
    return table


def by_activity_type(activities: pd.DataFrame, config: Config, period: Period, codes: Sequence[str]) -> pd.DataFrame:
    """The given indicators per activity type (with its programme), only the types that happened."""
    table = _compute(activities, config, _codes(codes), period, "activity_type")
    present = set(ind.in_period(activities, period)["activity_type"].dropna().unique())
    table = table[table["activity_type"].isin(present)].copy()
    home = {a.code: a.programme for a in config.activity_types.values()}
    table.insert(1, "programme", _label(table["activity_type"].map(home), programme_labels(config)))
    table.insert(2, "label", _label(table["activity_type"], activity_type_labels(config)))
    return table.reset_index(drop=True)


def funds_by_source(activities: pd.DataFrame, config: Config, period: Period) -> pd.DataFrame:
    """Money per declared source: source name, amount in đồng, share of the total (%)."""
    sources = config.dashboard.money.sources
    values = ind.values(activities, config, sources, period) if sources else {}
    table = pd.DataFrame(
        {"source": [config.indicators[c].name for c in sources], "value": [values[c] for c in sources]},
        columns=["source", "value"],
    )
    total = table["value"].sum()
    table["share"] = table["value"] / total * 100 if total else np.nan
    return table


# ---------------------------------------------------------------- per commune


def commune_flags(config: Config) -> pd.DataFrame:
    """Each commune's region, new-rural standard and number of extremely difficult villages."""
    return pd.DataFrame(
        [
            {
                "commune": c.name,
                "region": c.region or "",
                "new_rural": c.new_rural,
                "villages": len(c.villages),
                "extremely_difficult": sum(v.extremely_difficult for v in c.villages),
                "region_iii": c.region == REGION_III,
            }
            for c in config.unit.communes
        ]
    )


def commune_indicators(
    activities: pd.DataFrame, config: Config, period: Period, codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Every (or the given) indicator per commune, the whole-unit row last."""
    return ind.compute(activities, config, list(codes or config.indicators), period, "commune")


def commune_overview(activities: pd.DataFrame, config: Config, period: Period, codes: Sequence[str]) -> pd.DataFrame:
    """The commune table of the page: flags, village coverage and the given indicators, Vietnamese headers."""
    flags = commune_flags(config)
    cover = ind.coverage(activities, config, period)
    main = _compute(activities, config, _codes(codes), period, "commune")
    table = flags.merge(
        cover.drop(columns=["villages", "extremely_difficult", "activity_rows", "village_rows"]), on="commune"
    ).merge(main, on="commune", how="left")
    frame = pd.DataFrame(
        {
            "Xã": table["commune"],
            "Vùng": table["region"],
            "Đạt chuẩn NTM": table["new_rural"].map({True: "Đạt", False: "Chưa đạt"}).fillna("").to_numpy(object),
            "Số thôn": table["villages"],
            "Thôn ĐBKK": table["extremely_difficult"],
            "Thôn có hoạt động": table["reached"],
            "Độ phủ thôn (%)": table["share"],
            "Thôn ĐBKK có hoạt động": table["extremely_difficult_reached"],
        }
    )
    for code in _codes(codes):
        frame[column_title(config.indicators[code])] = table[code].to_numpy()
    return frame


def map_frame(table: pd.DataFrame, config: Config, commune: str, value: str) -> pd.DataFrame:
    """One row per commune of ``table`` (column ``commune`` names it, ``value`` the figure) with its centre
    from the map configuration (NaN where none is configured): the data of the commune map."""
    centres = config.map.communes
    names = table[commune].astype(object)
    return pd.DataFrame(
        {
            "commune": names.to_numpy(),
            "lat": [centres[n].lat if n in centres else np.nan for n in names],
            "lon": [centres[n].lon if n in centres else np.nan for n in names],
            "value": table[value].astype(float).to_numpy(),
        }
    )


def indicator_matrix(activities: pd.DataFrame, config: Config, period: Period) -> pd.DataFrame:
    """Indicators as rows, communes (and the whole unit) as columns: the 'every indicator' table."""
    table = commune_indicators(activities, config, period).set_index("commune")
    matrix = table.T
    matrix.columns.name = None
    matrix.insert(0, "Đơn vị tính", [config.indicators[c].unit for c in matrix.index])
    matrix.index = [config.indicators[c].name for c in matrix.index]
    matrix.index.name = "Chỉ số"
    return matrix.reset_index()


def disadvantaged_summary(
    activities: pd.DataFrame, config: Config, period: Period, codes: Sequence[str]
) -> pd.DataFrame:
    """How much of each given indicator went to region-III communes and to extremely difficult
    villages, as shares of the whole."""
    rows = ind.in_period(activities, period)
    region3 = [c.name for c in config.unit.communes if c.region == REGION_III]
    hard = pd.MultiIndex.from_tuples(
        [(c.name, v.name) for c in config.unit.communes for v in c.villages if v.extremely_difficult]
    )
    places = {}  # only the kinds of place the communes in view have (none are region III after a merger, say)
    if region3:
        places["Xã vùng III"] = rows["commune"].isin(region3).to_numpy()
    if len(hard):
        places["Thôn đặc biệt khó khăn"] = pd.MultiIndex.from_arrays(
            [rows["commune"].astype(object), rows["village"].astype(object)]
        ).isin(hard)
    codes = _codes(codes)
    whole = ind.values(rows, config, codes) if codes else {}
    records = []
    for code in codes:
        total = whole[code]
        for where, mask in places.items():
            part = ind.values(rows[mask], config, [code])[code]
            records.append(
                {
                    "Nơi nhận": where,
                    "Chỉ số": column_title(config.indicators[code]),
                    "Giá trị": part,
                    "Toàn bộ": total,
                    "Tỷ lệ (%)": part / total * 100 if total else np.nan,
                }
            )
    return pd.DataFrame(records, columns=["Nơi nhận", "Chỉ số", "Giá trị", "Toàn bộ", "Tỷ lệ (%)"])


def village_table(
    activities: pd.DataFrame, config: Config, period: Period, commune: str, codes: Sequence[str]
) -> pd.DataFrame:
    """The villages of one commune: extremely difficult or not, and the given indicators in the period."""
    rows = ind.in_period(activities, period)
    rows = rows[(rows["commune"] == commune).to_numpy()]
    codes = _codes(codes)
    villages = config.communes[commune].villages
    table = pd.DataFrame({"village": [v.name for v in villages], "hard": [v.extremely_difficult for v in villages]})
    reached = set(rows["village"].dropna())
    frame = pd.DataFrame(
        {
            "Thôn": table["village"],
            "Thôn ĐBKK": np.where(table["hard"], "Có", ""),
            "Có hoạt động": np.where(table["village"].isin(reached), "Có", "Chưa"),
        }
    )
    if codes:
        values = ind.compute(rows, config, codes, None, "village")
        values = values[values["commune"] == commune].set_index("village")
        for code in codes:
            frame[column_title(config.indicators[code])] = table["village"].map(values[code]).fillna(0).to_numpy()
    return frame


def activity_list(activities: pd.DataFrame, config: Config, period: Period | None = None) -> pd.DataFrame:
    """Activities as a readable list, newest first, with the declared per-activity figures."""
    rows = ind.in_period(activities, period).sort_values(["date", "tab", "row"], ascending=[False, True, True])
    orgs = organisation_labels(config)
    frame = pd.DataFrame(
        {
            "Ngày": rows["date"].dt.date,
            "Đơn vị": _label(rows["organisation"], orgs),
            "Xã": rows["commune"].astype(object),
            "Thôn": rows["village"],
            "Chương trình": rows["programme"].astype(object),
            "Loại hoạt động": _label(rows["activity_type"], activity_type_labels(config)),
            "Nội dung": rows["content"],
            "Phối hợp": rows["partners"].map(
                lambda ps: ", ".join(orgs.get(p, p) for p in ps) if isinstance(ps, tuple) else ""
            ),
        }
    )
    for code in _codes(config.dashboard.activity_list, config.dashboard.money.total):
        frame[column_title(config.indicators[code])] = ind.row_values(rows, config, code).to_numpy()
    frame["Tab"] = rows["tab"].astype(object).to_numpy()
    frame["Dòng"] = rows["row"].to_numpy()
    return frame.reset_index(drop=True)


def commune_activities(activities: pd.DataFrame, config: Config, period: Period, commune: str) -> pd.DataFrame:
    """The activity list of one commune in the period."""
    return activity_list(activities[(activities["commune"] == commune).to_numpy()], config, period)


def notable_activities(activities: pd.DataFrame, config: Config, period: Period, limit: int = 15) -> pd.DataFrame:
    """The largest activities of the period, ranked by the declared figures in order."""
    table = activity_list(activities, config, period)
    keys = [column_title(config.indicators[c]) for c in config.dashboard.notable_rank]
    if keys:
        table = table.sort_values(keys, ascending=False, na_position="last", kind="stable")
    return table.head(limit).reset_index(drop=True)


def coordination(activities: pd.DataFrame, config: Config, period: Period) -> pd.DataFrame:
    """The coordination matrix with organisation short names, in config order (pairs that happened)."""
    matrix = ind.coordination_matrix(activities, config, period)
    orgs = organisation_labels(config)
    order = {code: i for i, code in enumerate(config.organisations)}
    matrix = matrix.assign(_a=matrix["organisation"].map(order), _b=matrix["partner"].map(order)).sort_values(
        ["_a", "_b"]
    )
    return pd.DataFrame(
        {
            "Đơn vị chủ trì": matrix["organisation"].map(orgs),
            "Đơn vị phối hợp": matrix["partner"].map(orgs),
            "Số hoạt động phối hợp": matrix["count"],
        }
    ).reset_index(drop=True)


# ---------------------------------------------------------------- per organisation


def organisation_contribution(
    activities: pd.DataFrame, config: Config, period: Period, codes: Sequence[str]
) -> pd.DataFrame:
    """The given indicators per organisation, with its short name."""
    table = _compute(activities, config, _codes(codes), period, "organisation")
    table.insert(1, "label", _label(table["organisation"], organisation_labels(config)))
    return table


def completeness(
    activities: pd.DataFrame, config: Config, period: Period, data_until: dt.date | None = None
) -> pd.DataFrame:
    """Organisation × month: how many rows each tab recorded that month (0 = nothing reported). When the data
    stops on ``data_until`` before the period ends, the months after it are not shown: not yet, not missing."""
    rows = ind.in_period(activities, period)
    until = period.data_until(data_until)
    firsts = [pd.Timestamp(m) for m in months(period) if until is None or m <= until]
    counts = rows.groupby(
        [rows["organisation"].astype(object), rows["date"].dt.to_period("M").dt.to_timestamp()]
    ).size()
    grid = pd.MultiIndex.from_product([list(config.organisations), firsts], names=["organisation", "month"])
    table = counts.reindex(grid, fill_value=0).rename("count").reset_index()
    table["label"] = table["organisation"].map(organisation_labels(config))
    table["month_label"] = table["month"].dt.strftime("%m/%Y")
    table["reported"] = table["count"] > 0
    return table


def completeness_table(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid as a wide table: one row per organisation, one column per month, plus the share of months reported."""
    wide = grid.pivot_table(index="label", columns="month_label", values="count", sort=False, aggfunc="sum")
    wide = wide[list(dict.fromkeys(grid["month_label"]))].reindex(list(dict.fromkeys(grid["label"])))
    wide["Tháng có báo cáo (%)"] = (wide > 0).mean(axis=1) * 100
    wide.index.name = "Đơn vị"
    return wide.reset_index()


def freshness(dataset: Dataset, config: Config, previous: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Per tab: latest activity date, rows read / accepted / excluded, errors and rows added since the previous fetch."""
    stats = dataset.tab_stats
    orgs = organisation_labels(config)
    added = stats["rows"] - stats["tab"].map(dict(previous or {})).astype(float)
    latest = pd.to_datetime(stats["latest_date"])
    return pd.DataFrame(
        {
            "Đơn vị": stats["organisation"].map(orgs),
            "Tab": stats["tab"],
            "Hoạt động gần nhất": latest.dt.date,
            "Số ngày từ hoạt động gần nhất": (pd.Timestamp(fmt.local_date(dataset.fetched_at)) - latest).dt.days,
            "Dòng dữ liệu": stats["rows"],
            "Dòng hợp lệ": stats["accepted"],
            "Dòng bị loại": stats["excluded"],
            "Lỗi": stats["errors"],
            "Cảnh báo": stats["warnings"],
            "Dòng mới từ lần tải trước": added,
            "Thiếu tab": stats["missing"].map({True: "Thiếu tab", False: ""}),
        }
    )


def progress_table(dataset: Dataset, config: Config, year: int) -> pd.DataFrame:
    """Targets of the year against actual values of every activity (whole unit or per commune)."""
    table = ind.progress(dataset.activities, dataset.targets, config, year)
    return pd.DataFrame(
        {
            "Chỉ tiêu": table["name"],
            "Phạm vi": table["commune"].fillna(config.unit.whole_unit_label),
            "Đơn vị tính": table["unit"],
            "Kế hoạch": table["target"],
            "Thực hiện": table["actual"],
            "Đạt (%)": table["percent"],
        }
    )


# ---------------------------------------------------------------- data quality


def issues_table(dataset: Dataset, config: Config, severity: str | None = None) -> pd.DataFrame:
    """The issues sorted so each organisation finds its own rows: organisation order, tab, sheet row."""
    issues = dataset.issues if severity is None else dataset.issues[dataset.issues["severity"] == severity]
    order = {tab: i for i, tab in enumerate(config.organisation_tabs)}
    issues = issues.assign(_o=issues["tab"].map(order).fillna(len(order)), _s=(issues["severity"] != ERROR).astype(int))
    issues = issues.sort_values(["_o", "tab", "_s", "row"], na_position="first", kind="stable")
    orgs = organisation_labels(config)
    return pd.DataFrame(
        {
            "Mức độ": issues["severity"].map(SEVERITY_LABELS),
            "Loại": issues["code"].map(lambda c: PROBLEMS[c].title),
            "Mã": issues["code"],
            "Đơn vị": issues["organisation"].map(lambda o: orgs.get(o, "")),
            "Tab": issues["tab"],
            "Dòng": issues["row"],
            "Cột": issues["column"],
            "Giá trị": issues["value"],
            "Vấn đề": issues["message"],
            "Cách sửa": issues["suggestion"],
        }
    ).reset_index(drop=True)


def filter_issues(
    issues: pd.DataFrame, organisations: Sequence[str] = (), levels: Sequence[str] = (), kinds: Sequence[str] = ()
) -> pd.DataFrame:
    """The rows of issues_table() for the chosen organisations, severity labels and kinds of problem (empty = all)."""
    mask = np.ones(len(issues), bool)
    for column, chosen in (("Đơn vị", organisations), ("Mức độ", levels), ("Loại", kinds)):
        if chosen:
            mask &= issues[column].isin(list(chosen)).to_numpy()
    return issues[mask]


def row_counts(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Accepted / excluded rows per tab with error and warning counts."""
    stats = dataset.tab_stats
    return pd.DataFrame(
        {
            "Đơn vị": stats["organisation"].map(organisation_labels(config)),
            "Tab": stats["tab"],
            "Dòng dữ liệu": stats["rows"],
            "Dòng được tính": stats["accepted"],
            "Dòng bị loại": stats["excluded"],
            "Lỗi": stats["errors"],
            "Cảnh báo": stats["warnings"],
        }
    )


# ---------------------------------------------------------------- report preview

_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]*(.*)$", re.M)
_FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\]")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
PAGE_BREAK = "trang mới"


def preview_markdown(draft: str) -> str:
    """The draft as the page previews it: the layout marks for the Word file (``<!-- cột: trái -->``…)
    are not shown (a page break becomes a rule), and footnotes become superscript numbers with the notes
    listed under «Chú thích» at the end, instead of the Markdown renderer's English «Footnotes»."""
    text = _COMMENT.sub(lambda m: "\n---\n" if m[1].strip() == PAGE_BREAK else "", draft)
    notes = {key: body.strip() for key, body in _FOOTNOTE_DEFINITION.findall(text)}
    text = _FOOTNOTE_DEFINITION.sub("", text)
    order: dict[str, int] = {}

    def reference(match: re.Match) -> str:
        key = match[1]
        if key not in notes:
            return match[0]
        number = order.setdefault(key, len(order) + 1)
        return f"⁽{str(number).translate(_SUPERSCRIPT)}⁾"

    text = _FOOTNOTE_REFERENCE.sub(reference, text)
    text = re.sub(r"\n{3,}", "\n\n", text).rstrip()
    if order:
        listed = "\n".join(f"{number}. {notes[key]}" for key, number in order.items())
        text += f"\n\n---\n\n**Chú thích**\n\n{listed}\n"
    return text


PHONE_ROWS = 200  # rows a phone lists as cards; the page's «Tải số liệu» has them all


def phone_cards(frame: pd.DataFrame, title: str, limit: int = PHONE_ROWS) -> str:
    """A table as a phone shows it: one card per row, its first column as the card's heading and every other
    column as «name: value» lines that wrap (a blank as «–»), so no figure or message is cut or hidden off the
    right edge.
    Past ``limit`` rows a note says how many are listed and where the rest are."""
    shown = frame.head(limit)
    names = [str(c) for c in shown.columns]
    texts = [[html.escape(fmt.cell(v, name) or fmt.MISSING) for v in shown[c]] for c, name in zip(shown.columns, names)]
    labels = [f"<dt>{html.escape(name)}</dt>" for name in names]
    cards = [
        f"<li class='bcd-card'><p class='bcd-card-title'>{row[0]}</p>"
        f"<dl>{''.join(f'{label}<dd>{text}</dd>' for label, text in zip(labels[1:], row[1:]))}</dl></li>"
        for row in zip(*texts)
    ]
    note = (
        f"<p class='bcd-cards-note'>Đang liệt kê {fmt.number(limit)}/{fmt.number(len(frame))} dòng đầu; "
        "đủ các dòng trong «Tải số liệu» hoặc trên màn hình rộng.</p>"
        if len(frame) > limit
        else ""
    )
    return f"<ul class='bcd-cards' aria-label='{html.escape(title)}'>{''.join(cards)}</ul>{note}"
