"""Pure helpers behind the dashboard pages: filters and their URL form, KPI cards, per-commune and
per-organisation tables, completeness and freshness. Every frame returned here is ready to show:
Vietnamese column headers, raw numbers (formatting happens at display and in charts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import formatting as fmt
from . import indicators as ind
from .config import Config
from .dataset import Dataset
from .exceptions import PeriodError
from .period import Period
from .problems import ERROR, SEVERITY_LABELS

PERIOD_KINDS = {"year": "Năm", "half": "6 tháng", "quarter": "Quý", "month": "Tháng", "range": "Tùy chọn"}
MONEY_SOURCES = ("budget_state", "mobilised", "fund_poor", "people_contrib")
QUERY_KEYS = {"period": "ky", "communes": "xa", "programmes": "ct", "organisations": "dv"}
REGION_III = "III"


# ---------------------------------------------------------------- labels


def programme_labels(config: Config) -> dict[str, str]:
    """``CT1`` → ``CT1. Tuyên truyền, giáo dục chính trị`` in config order."""
    return {p.code: f"CT{p.number}. {p.short_name}" for p in config.programmes.values()}


def organisation_labels(config: Config) -> dict[str, str]:
    return {o.code: o.short_name for o in config.organisations.values()}


def activity_type_labels(config: Config) -> dict[str, str]:
    return {a.code: a.name for a in config.activity_types.values()}


def readable(frame: pd.DataFrame, config: Config, label_title: str, drop: Sequence[str] = ()) -> pd.DataFrame:
    """A compute()-style frame for display: ``label`` → ``label_title``, indicator codes → names (money in đồng)."""
    names = {
        c: config.indicators[c].name + (" (đồng)" if config.indicators[c].unit == "đồng" else "")
        for c in frame.columns
        if c in config.indicators
    }
    return frame.drop(columns=list(drop)).rename(columns={"label": label_title, **names})


def _label(series: pd.Series, labels: Mapping[str, str]) -> pd.Series:
    return series.astype(object).map(lambda v: labels.get(v, v), na_action="ignore")


# ---------------------------------------------------------------- filters and the URL


@dataclass(frozen=True)
class Filters:
    """What the sidebar chose: a period and optional commune / programme / organisation lists."""

    period: Period
    communes: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()

    def to_query(self) -> dict[str, str | list[str]]:
        """Query parameters for a shareable link (empty lists left out)."""
        query: dict[str, str | list[str]] = {QUERY_KEYS["period"]: self.period.key}
        for name in ("communes", "programmes", "organisations"):
            if getattr(self, name):
                query[QUERY_KEYS[name]] = list(getattr(self, name))
        return query

    def apply(self, activities: pd.DataFrame) -> pd.DataFrame:
        """The activities of the chosen communes, programmes and organisations (every date)."""
        return ind.select(
            activities, communes=self.communes, programmes=self.programmes, organisations=self.organisations
        )

    @property
    def narrowed(self) -> bool:
        return bool(self.communes or self.programmes or self.organisations)


def default_period(dataset: Dataset) -> Period:
    """The latest year present in the data (the calendar year when there is no data yet)."""
    return Period.year(dataset.latest_year or dt.date.today().year)


def filters_from_query(query: Mapping[str, Sequence[str]], dataset: Dataset, config: Config) -> Filters:
    """Filters from URL parameters; unknown values are dropped, a bad period falls back to the default."""

    def first(key: str) -> str | None:
        values = query.get(key) or []
        return values[0] if values else None

    try:
        period = Period.parse(first(QUERY_KEYS["period"]) or "")
    except PeriodError:
        period = default_period(dataset)
    known = {
        "communes": [*config.communes, config.unit.whole_unit_label],
        "programmes": list(config.programmes),
        "organisations": list(config.organisations),
    }
    chosen = {
        name: tuple(v for v in dict.fromkeys(query.get(QUERY_KEYS[name]) or []) if v in known[name]) for name in known
    }
    return Filters(period, **chosen)


def build_period(
    kind: str, year: int, part: int = 1, start: dt.date | None = None, end: dt.date | None = None
) -> Period:
    """The period the sidebar widgets describe."""
    if kind == "half":
        return Period.half(year, part)
    if kind == "quarter":
        return Period.quarter(year, part)
    if kind == "month":
        return Period.month(year, part)
    if kind == "range" and start and end:
        return Period(start, end)
    return Period.year(year)


def period_part(period: Period) -> int:
    """The half, quarter or month number of a period (1 for a year or range)."""
    return {
        "half": 1 + (period.start.month > 6),
        "quarter": (period.start.month - 1) // 3 + 1,
        "month": period.start.month,
    }.get(period.kind, 1)


def year_choices(dataset: Dataset, period: Period) -> list[int]:
    """Years to offer, newest first: those in the data plus the chosen one."""
    return sorted({*dataset.years, period.start.year} or {dt.date.today().year}, reverse=True)


# ---------------------------------------------------------------- KPI cards


@dataclass(frozen=True)
class Kpi:
    """One metric card: label, shown value, change against the same period last year."""

    code: str
    label: str
    value: float
    text: str
    delta: str | None = None
    help: str = ""
    raw: dict[str, float] = field(default_factory=dict)


def _delta(change: float, previous: float, money: bool) -> str | None:
    if np.isnan(previous) or previous == 0 and change == 0:
        return None
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    amount = fmt.compact(abs(change)) if money else fmt.number(abs(change), 1)
    pct = f" ({sign}{fmt.percent(abs(change) / previous * 100, 1)})" if previous > 0 else ""
    return f"{sign}{amount}{pct}"


KPI_CODES = ("activities", "rounds", "participants", "labour_days", "beneficiaries", "money_total", *MONEY_SOURCES)


def kpis(activities: pd.DataFrame, config: Config, period: Period) -> list[Kpi]:
    """KPI cards for the period, each with the change against the same period of the previous year.

    Villages and communes reached are shown as ``x/N`` of the configured catalogue."""
    table = ind.compare(activities, config, [*KPI_CODES, "villages_reached", "communes_reached"], period).set_index(
        "indicator"
    )
    has_previous = len(ind.in_period(activities, period.previous_year())) > 0
    cards = []
    for code in [*KPI_CODES, "villages_reached", "communes_reached"]:
        row = table.loc[code]
        indicator = config.indicators[code]
        money = indicator.unit == "đồng"
        text = fmt.compact(row["value"])
        if code == "villages_reached":
            text = f"{fmt.number(row['value'])}/{fmt.number(config.village_count)}"
        elif code == "communes_reached":
            text = f"{fmt.number(row['value'])}/{fmt.number(len(config.communes))}"
        elif not money:
            text = fmt.number(row["value"], 1)
        previous = float(row["previous"]) if has_previous else np.nan
        note = (
            f"Cùng kỳ năm trước: {fmt.money(previous) if money else fmt.number(previous, 1)}"
            if has_previous
            else "Không có số liệu cùng kỳ năm trước."
        )
        cards.append(
            Kpi(
                code,
                indicator.name,
                float(row["value"]),
                text,
                _delta(float(row["change"]), previous, money) if has_previous else None,
                (fmt.money(row["value"]) + ". " if money else "") + note,
                {"value": float(row["value"]), "previous": previous},
            )
        )
    return cards


# ---------------------------------------------------------------- overview frames


def count_in_period(activities: pd.DataFrame, config: Config, period: Period) -> int:
    """How many of the activities are dated inside the period."""
    return len(ind.in_period(activities, period))


def data_until(activities: pd.DataFrame, period: Period) -> dt.date | None:
    """The latest activity date when the data stops before the end of the period (a year still running)."""
    latest = ind.in_period(activities, period)["date"].max()
    return None if pd.isna(latest) or latest.date() >= period.end - dt.timedelta(days=31) else latest.date()


def monthly_trend(
    activities: pd.DataFrame, config: Config, period: Period, codes: Sequence[str] = ("activities", "participants")
) -> pd.DataFrame:
    """Long frame per month: this period and the same months a year earlier (shifted onto this period)."""
    frames = []
    for series, span, shift in (("Kỳ này", period, 0), ("Cùng kỳ năm trước", period.previous_year(), 1)):
        table = ind.compute(activities, config, codes, span, ["year", "month"])
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


def by_programme(activities: pd.DataFrame, config: Config, period: Period) -> pd.DataFrame:
    """Per programme: activities, participants, beneficiaries, money."""
    codes = ["activities", "participants", "beneficiaries", "money_total"]
    table = ind.compute(activities, config, codes, period, "programme")
    table.insert(1, "label", _label(table["programme"], programme_labels(config)))
    return table


def by_activity_type(activities: pd.DataFrame, config: Config, period: Period) -> pd.DataFrame:
    """Per activity type (with its programme), only types that happened."""
    codes = ["activities", "rounds", "participants", "beneficiaries", "money_total"]
    table = ind.compute(activities, config, codes, period, "activity_type")
    table = table[table["activities"] > 0].copy()
    home = {a.code: a.programme for a in config.activity_types.values()}
    table.insert(1, "programme", _label(table["activity_type"].map(home), programme_labels(config)))
    table.insert(2, "label", _label(table["activity_type"], activity_type_labels(config)))
    return table.reset_index(drop=True)


def funds_by_source(activities: pd.DataFrame, config: Config, period: Period) -> pd.DataFrame:
    """Money per source: source name, amount in đồng, share of the total (%)."""
    values = ind.values(activities, config, MONEY_SOURCES, period)
    table = pd.DataFrame(
        {"source": [config.indicators[c].name for c in MONEY_SOURCES], "value": [values[c] for c in MONEY_SOURCES]}
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
    codes = list(codes or config.indicators)
    return ind.compute(activities, config, codes, period, "commune")


def commune_overview(activities: pd.DataFrame, config: Config, period: Period) -> pd.DataFrame:
    """The commune table of the page: flags, coverage and the main indicators, Vietnamese headers."""
    flags = commune_flags(config)
    cover = ind.coverage(activities, config, period)
    main = ind.compute(
        activities, config, ["activities", "participants", "beneficiaries", "money_total"], period, "commune"
    )
    table = flags.merge(cover.drop(columns=["villages", "extremely_difficult"]), on="commune").merge(
        main, on="commune", how="left"
    )
    return pd.DataFrame(
        {
            "Xã": table["commune"],
            "Vùng": table["region"],
            "Đạt chuẩn NTM": np.where(table["new_rural"], "Đạt", "Chưa đạt"),
            "Số thôn": table["villages"],
            "Thôn ĐBKK": table["extremely_difficult"],
            "Thôn có hoạt động": table["reached"],
            "Độ phủ thôn (%)": table["share"],
            "Thôn ĐBKK có hoạt động": table["extremely_difficult_reached"],
            "Số hoạt động": table["activities"],
            "Người tham gia": table["participants"],
            "Lượt người được hỗ trợ": table["beneficiaries"],
            "Tổng kinh phí (đồng)": table["money_total"],
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


def disadvantaged_summary(activities: pd.DataFrame, config: Config, period: Period) -> pd.DataFrame:
    """How much went to region-III communes and to extremely difficult villages, as shares of the whole."""
    rows = ind.in_period(activities, period)
    region3 = [c.name for c in config.unit.communes if c.region == REGION_III]
    hard = {(c.name, v.name) for c in config.unit.communes for v in c.villages if v.extremely_difficult}
    in_region3 = rows["commune"].isin(region3).to_numpy()
    in_hard = np.array([(c, v) in hard for c, v in zip(rows["commune"].astype(object), rows["village"])], bool)
    money = rows[list(MONEY_SOURCES)].sum(axis=1, min_count=1).fillna(0).to_numpy()
    measures = {
        "Số hoạt động": np.ones(len(rows)),
        "Lượt người được hỗ trợ": rows["beneficiaries"].fillna(0).to_numpy(),
        "Tổng kinh phí (đồng)": money,
    }
    records = []
    for name, values in measures.items():
        total = values.sum()
        for where, mask in (("Xã vùng III", in_region3), ("Thôn đặc biệt khó khăn", in_hard)):
            part = values[mask].sum()
            records.append(
                {
                    "Nơi nhận": where,
                    "Chỉ số": name,
                    "Giá trị": part,
                    "Toàn bộ": total,
                    "Tỷ lệ (%)": part / total * 100 if total else np.nan,
                }
            )
    return pd.DataFrame(records)


def village_table(activities: pd.DataFrame, config: Config, period: Period, commune: str) -> pd.DataFrame:
    """The villages of one commune: extremely difficult or not, and what happened there in the period."""
    rows = ind.in_period(activities, period)
    rows = rows[rows["commune"] == commune]
    money = rows[list(MONEY_SOURCES)].sum(axis=1, min_count=1).fillna(0)
    grouped = (
        rows.assign(_money=money)
        .groupby("village")
        .agg(
            activities=("row", "size"),
            participants=("participants", "sum"),
            beneficiaries=("beneficiaries", "sum"),
            money=("_money", "sum"),
        )
    )
    villages = config.communes[commune].villages
    table = pd.DataFrame({"village": [v.name for v in villages], "hard": [v.extremely_difficult for v in villages]})
    table = table.merge(grouped, left_on="village", right_index=True, how="left").fillna(
        {"activities": 0, "participants": 0, "beneficiaries": 0, "money": 0}
    )
    return pd.DataFrame(
        {
            "Thôn": table["village"],
            "Thôn ĐBKK": np.where(table["hard"], "Có", ""),
            "Có hoạt động": np.where(table["activities"] > 0, "Có", "Chưa"),
            "Số hoạt động": table["activities"],
            "Người tham gia": table["participants"],
            "Lượt người được hỗ trợ": table["beneficiaries"],
            "Tổng kinh phí (đồng)": table["money"],
        }
    )


def activity_list(activities: pd.DataFrame, config: Config, period: Period | None = None) -> pd.DataFrame:
    """Activities as a readable list, newest first."""
    rows = ind.in_period(activities, period).sort_values(["date", "tab", "row"], ascending=[False, True, True])
    money = rows[list(MONEY_SOURCES)].sum(axis=1, min_count=1)
    orgs = organisation_labels(config)
    return pd.DataFrame(
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
            "Người tham gia": rows["participants"],
            "Lượt người được hỗ trợ": rows["beneficiaries"],
            "Kinh phí (đồng)": money,
            "Tab": rows["tab"].astype(object),
            "Dòng": rows["row"],
        }
    ).reset_index(drop=True)


def notable_activities(activities: pd.DataFrame, config: Config, period: Period, limit: int = 15) -> pd.DataFrame:
    """The largest activities of the period: by money, then participants and beneficiaries."""
    table = activity_list(activities, config, period)
    keys = ["Kinh phí (đồng)", "Lượt người được hỗ trợ", "Người tham gia"]
    return table.sort_values(keys, ascending=False, na_position="last").head(limit).reset_index(drop=True)


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


def organisation_contribution(activities: pd.DataFrame, config: Config, period: Period) -> pd.DataFrame:
    """Each organisation's activities, participants, labour days, beneficiaries and money."""
    codes = [
        "activities",
        "rounds",
        "participants",
        "labour_days",
        "beneficiaries",
        "money_total",
        "communes_reached",
        "villages_reached",
    ]
    table = ind.compute(activities, config, codes, period, "organisation")
    table.insert(1, "label", _label(table["organisation"], organisation_labels(config)))
    return table


def period_months(period: Period) -> list[pd.Timestamp]:
    """First day of every month the period touches."""
    return list(
        pd.date_range(pd.Timestamp(period.start).to_period("M").to_timestamp(), pd.Timestamp(period.end), freq="MS")
    )


def completeness(activities: pd.DataFrame, config: Config, period: Period) -> pd.DataFrame:
    """Organisation × month: how many rows each tab recorded that month (0 = nothing reported)."""
    rows = ind.in_period(activities, period)
    months = period_months(period)
    counts = rows.groupby(
        [rows["organisation"].astype(object), rows["date"].dt.to_period("M").dt.to_timestamp()]
    ).size()
    grid = pd.MultiIndex.from_product([list(config.organisations), months], names=["organisation", "month"])
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


def update_history(
    history: list[tuple[dt.datetime, dict[str, int]]], fetched_at: dt.datetime, counts: dict[str, int]
) -> list[tuple[dt.datetime, dict[str, int]]]:
    """Keep the row counts of the last two distinct fetches (newest last)."""
    if history and history[-1][0] == fetched_at:
        return history
    return [*history[-1:], (fetched_at, counts)]


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
            "Số ngày từ hoạt động gần nhất": (pd.Timestamp(dataset.fetched_at.date()) - latest).dt.days,
            "Dòng dữ liệu": stats["rows"],
            "Dòng hợp lệ": stats["accepted"],
            "Dòng bị loại": stats["excluded"],
            "Lỗi": stats["errors"],
            "Cảnh báo": stats["warnings"],
            "Dòng mới từ lần tải trước": added,
            "Thiếu tab": stats["missing"].map({True: "Thiếu tab", False: ""}),
        }
    )


def progress_table(activities: pd.DataFrame, dataset: Dataset, config: Config, year: int) -> pd.DataFrame:
    """Targets of the year against actual values (whole unit or per commune)."""
    table = ind.progress(activities, dataset.targets, config, year)
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
            "Đơn vị": issues["organisation"].map(lambda o: orgs.get(o, "")),
            "Tab": issues["tab"],
            "Dòng": issues["row"],
            "Cột": issues["column"],
            "Giá trị": issues["value"],
            "Vấn đề": issues["message"],
            "Cách sửa": issues["suggestion"],
        }
    ).reset_index(drop=True)


def filter_issues(issues: pd.DataFrame, organisations: Sequence[str] = (), levels: Sequence[str] = ()) -> pd.DataFrame:
    """The rows of issues_table() for the chosen organisations and severity labels (empty = all)."""
    mask = np.ones(len(issues), bool)
    if organisations:
        mask &= issues["Đơn vị"].isin(list(organisations)).to_numpy()
    if levels:
        mask &= issues["Mức độ"].isin(list(levels)).to_numpy()
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
