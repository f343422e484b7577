"""Configuration: the unit hierarchy, organisations, programmes, columns, indicators and settings.

Everything specific to one committee lives in a config directory of YAML files; this module loads
and validates them with pydantic at start-up. A bad file gives a ConfigError naming the file, the
key and the problem in Vietnamese, so nothing about a particular district lives in code.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .exceptions import ConfigError, PeriodError
from .normalize import clean_name, name_key, words_key
from .period import YearStart

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "config"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Named(_Model):
    """Something users type by name: its name, its aliases and the keys they fold to."""

    name: str
    aliases: list[str] = []

    @field_validator("name", "aliases", mode="after")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return [clean_name(v) for v in value] if isinstance(value, list) else clean_name(value)

    def keys(self) -> set[str]:
        return {name_key(self.name), *(name_key(alias) for alias in self.aliases)}


# ---------------------------------------------------------------- units


class Profile(_Model):
    """Area and population of the unit's territory; ``valid_to``: the last day they describe it
    (before communes changed), so a later period, or a view mapped to later communes, omits them."""

    valid_to: dt.date | None = None
    area_ha: float | None = None
    population: int | None = None
    ethnic_minority_population: int | None = None
    ethnic_groups: int | None = None


class Span(_Model):
    """Days a fact holds, both ends included; an open end has no limit."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    start: dt.date | None = Field(None, alias="from")
    end: dt.date | None = Field(None, alias="to")

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return (self.start is None or self.start <= end) and (self.end is None or start <= self.end)


class RegionSpan(Span):
    region: Literal["I", "II", "III"]


class Village(_Named):
    """A village, valid from ``valid_from`` to ``valid_to`` (open ends: always); ``extremely_difficult``
    is true, false or the spans of the decisions that list it."""

    extremely_difficult: bool | list[Span] = False
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def valid_in(self, start: dt.date, end: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= end) and (self.valid_to is None or start <= self.valid_to)

    def extremely_difficult_in(self, start: dt.date, end: dt.date) -> bool:
        flag = self.extremely_difficult
        return flag if isinstance(flag, bool) else any(span.overlaps(start, end) for span in flag)


class Successor(_Model):
    """Where a commune's rows go after it ends: one successor (merge, rename) or several (split),
    each with the villages it takes; the one without a village list takes the rest."""

    name: str
    villages: list[str] | None = None

    @field_validator("name", mode="after")
    @classmethod
    def _clean(cls, value: str) -> str:
        return clean_name(value)


class Commune(_Named):
    """A commune of the unit, valid from ``valid_from`` to ``valid_to`` (open ends: always). After
    ``valid_to`` its rows belong to its ``successors``. A commune that joined from another unit has
    ``kept_by``: before it joined, its activities were recorded there and are out of scope here."""

    new_rural: bool | None = None  # not declared: nothing is said about it
    region: Literal["I", "II", "III"] | list[RegionSpan] | None = None
    population: int | None = None
    villages: list[Village] = []
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successors: list[Successor] = []
    kept_by: str | None = None
    established_by: str | None = None

    def region_in(self, start: dt.date, end: dt.date) -> str | None:
        """The region in force during the span (the latest one when it changed)."""
        if self.region is None or isinstance(self.region, str):
            return self.region
        found = [span.region for span in self.region if span.overlaps(start, end)]
        return found[-1] if found else None

    def valid_in(self, start: dt.date, end: dt.date) -> bool:
        """Part of the unit on some day of the span (a commune kept by another unit never is)."""
        if self.kept_by is not None:
            return False
        return (self.valid_from is None or self.valid_from <= end) and (self.valid_to is None or start <= self.valid_to)

    @property
    def current(self) -> bool:
        return self.valid_to is None


class OutsideArea(_Named):
    """An area of another unit whose rows may appear in the shared sheet: out of scope, counted apart."""


class Unit(_Named):
    level: str
    province: str
    parent_level: str | None = None
    whole_unit_label: str
    profile: Profile = Profile()
    communes: list[Commune] = Field(min_length=1)
    outside: list[OutsideArea] = []

    @model_validator(mode="after")
    def _unique_communes(self) -> Unit:
        _require_unique([c.name for c in self.communes], "communes", "tên xã")
        for index, commune in enumerate(self.communes):
            _require_unique([v.name for v in commune.villages], f"communes[{index}].villages", "tên thôn")
        return self


# ---------------------------------------------------------------- organisations


class Group(_Model):
    """A group of members. The draft names the members who acted by group, the way a committee writes:
    ``collective`` when every member of the group acted, ``partial`` when most of them (at least three)
    did, otherwise each member by its short name. ``actor: false`` (the committee itself) is never named
    as acting in its own report."""

    code: str
    name: str
    collective: str | None = None
    partial: str | None = None
    actor: bool = True


class Organisation(_Named):
    """A member of the committee and its tab. ``valid_to`` and ``successor`` (a code): after that day
    the rows of its tab count for the successor (organisations folded into another, as the mass
    organisations into the Fatherland Front)."""

    code: str
    short_name: str
    group: str
    tab: str
    editors: list[str] = []
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successor: str | None = None

    def valid_in(self, start: dt.date, end: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= end) and (self.valid_to is None or start <= self.valid_to)


# ---------------------------------------------------------------- programmes


class Programme(_Named):
    code: str
    number: int
    short_name: str


class ActivityType(_Named):
    code: str
    programme: str


# ---------------------------------------------------------------- columns


class FieldColumn(_Named):
    """A fixed-role column of the data contract (date, commune, programme, …)."""

    code: Literal[
        "date", "commune", "village", "programme", "activity_type", "content", "partners", "entered", "row_id"
    ]
    required: bool = False


class Measure(_Named):
    """A numeric column: integer counts, decimal quantities or money in đồng."""

    code: str
    type: Literal["integer", "number", "money"]
    unit: str
    short_name: str | None = None
    # Above this a value is implausible (a typo such as an extra zero): kept, with a warning.
    plausible_max: float | None = Field(None, gt=0)

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Columns(_Model):
    fields: list[FieldColumn]
    measures: list[Measure]


# ---------------------------------------------------------------- indicators


class Filter(_Model):
    """Which activities an indicator counts; each list is 'any of', the lists are 'all of'."""

    programme: list[str] = []
    activity_type: list[str] = []
    organisation: list[str] = []
    group: list[str] = []
    nonzero: list[str] = []


class Indicator(_Model):
    code: str
    name: str
    kind: Literal["count", "sum", "distinct", "ratio", "share"]
    unit: str = ""
    measure: str | list[str] | None = None
    field: Literal["village", "commune", "organisation", "activity_type", "programme"] | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    filter: Filter = Filter()

    @property
    def measures(self) -> list[str]:
        return [self.measure] if isinstance(self.measure, str) else list(self.measure or [])

    @model_validator(mode="after")
    def _kind_arguments(self) -> Indicator:
        needs = {
            "sum": ["measure"],
            "distinct": ["field"],
            "ratio": ["numerator", "denominator"],
            "share": ["numerator"],
        }
        missing = [name for name in needs.get(self.kind, []) if getattr(self, name) is None]
        if missing:
            raise ValueError(f"chỉ số loại «{self.kind}» cần khai báo {', '.join(missing)}")
        return self


# ---------------------------------------------------------------- settings


class Tabs(_Model):
    targets: str = "Chỉ tiêu"
    assessment: str = "Nhận định"
    directions: str = "Phương hướng"
    closures: str = "Chốt số liệu"  # the register of closed periods (written by the dashboard)


class Anniversary(_Model):
    """A founding day whose round anniversaries (every 5 years) the report suggests in section IV."""

    name: str
    date: dt.date

    @field_validator("date", mode="before")
    @classmethod
    def _vietnamese_date(cls, value: Any) -> Any:
        if isinstance(value, str) and (m := re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", value)):
            try:
                return dt.date(int(m[3]), int(m[2]), int(m[1]))
            except ValueError:
                raise ValueError(f"ngày «{value.strip()}» không có thật") from None
        return value


class ReportSettings(_Model):
    """The report's header, signature and recipients (Nghị định 30/2020/NĐ-CP, or Hướng dẫn 36-HD/VPTW
    when ``header_format`` is ``party``)."""

    parent_body: str = ""
    issuer: str | None = None
    header_format: Literal["state", "party"] = "state"
    # Ký hiệu after the number: "BC-BCĐ" gives "Số: 05/BC-BCĐ"; in the Party format "BC/BCĐ" gives "Số 12-BC/BCĐ".
    symbol: str = Field("BC-BCĐ", min_length=1)
    place: str | None = None
    subunit: str = "xã"
    village_noun: str = "thôn"
    armed_forces: str = "lực lượng vũ trang"
    extremely_difficult_basis: str | None = None
    highlights_per_programme: int = Field(3, ge=0, le=20)
    # Section texts carried over from the assessment tab: a template name (``texts.<name>``) → the values of
    # the tab's «Mục» column that fill it (compared ignoring case, accents and spacing).
    text_sections: dict[str, list[str]] = {}
    signer_title: list[str] = ["TRƯỞNG BAN CHỈ ĐẠO"]
    signer_name: str = ""
    recipients: list[str] = []
    anniversaries: list[Anniversary] = []


class Settings(_Model):
    title: str
    committee: str
    default_source: str
    data_dir: str = "data"
    cache_ttl_seconds: int = Field(300, ge=10)
    # Activity dates outside [earliest_year, today + latest_days_ahead] are errors (a typed year such as 0224 or 2300).
    earliest_year: int = Field(2000, ge=1900, le=2100)
    latest_days_ahead: int = Field(366, ge=0, le=3660)
    tabs: Tabs = Tabs()
    report: ReportSettings = ReportSettings()
    # First day of the reporting year: "01/01" (calendar year) or a day of December such as "15/12"
    # (year 2024 = 15/12/2023–14/12/2024; halves, quarters, months and "cùng kỳ" follow it).
    reporting_year_start: str = "01/01"

    @field_validator("reporting_year_start", mode="after")
    @classmethod
    def _year_start(cls, value: str) -> str:
        try:
            YearStart.parse(value)
        except PeriodError as error:
            raise ValueError(error.message) from None
        return value

    @property
    def year_start(self) -> YearStart:
        return YearStart.parse(self.reporting_year_start)


# ---------------------------------------------------------------- what the pages and the report show


class Money(_Model):
    """The money of an activity: ``total`` is a sum indicator whose measures are the money columns of a
    row (activity lists, villages, highlights); ``sources`` are the indicators of the funds chart."""

    total: str | None = None
    sources: list[str] = []


class OverviewPage(_Model):
    """``cards`` are every KPI card; ``primary`` (at most 6, each one of ``cards``) open the page with a
    sparkline of their monthly trend and make its opening sentence, the rest are one click away."""

    cards: list[str] = []
    primary: list[str] = Field(default=[], max_length=6)
    trend: list[str] = []
    programme_chart: str | None = None
    programme_table: list[str] = []


class ProgrammesPage(_Model):
    chart: str | None = None
    table: list[str] = []
    activity_type_chart: str | None = None
    activity_type_table: list[str] = []


class CommunesPage(_Model):
    table: list[str] = []
    chart: list[str] = []
    disadvantaged: list[str] = []
    villages: list[str] = []


class OrganisationsPage(_Model):
    table: list[str] = []
    chart: list[str] = []


class Itemised(_Model):
    """An itemised list of the draft (``items.<name>``): the activities one of ``rows`` counts (a count
    indicator's rows, or a sum indicator's rows with a value above zero), each with the sums of ``figures``
    (sum indicators, each row's own value). Rows with the same content are one item unless ``per_row``.
    A list names at most ``limit`` items, the largest (by its figures in order, then by rows),
    in date order; the draft sums up the others in one line (a large unit's year would otherwise list
    thousands of handovers in a document meant to be signed)."""

    rows: list[str] = Field(min_length=1)
    figures: list[str] = []
    per_row: bool = False
    limit: int = Field(12, ge=1)


class ReportFigures(_Model):
    """Figures the report's Python side computes by group; the template names every other figure itself.
    ``itemised`` lists are taken in the order declared: an activity goes to the first list that takes it."""

    programme_figures: list[str] = []
    breakdowns: dict[str, list[str]] = {}
    itemised: dict[str, Itemised] = {}
    appendix: list[str] = []
    # Indicators a sentence of the template already tells (a count's rows, a sum's rows above zero): their
    # activities are not repeated among the notable activities.
    told: list[str] = []


class Dashboard(_Model):
    """Which indicators each page and the report use: a unit that declares fewer gets fewer cards,
    charts and sentences. ``activity_list`` are sum indicators shown per row in activity lists;
    ``notable_rank`` orders the notable activities (largest first)."""

    money: Money = Money()
    overview: OverviewPage = OverviewPage()
    programmes: ProgrammesPage = ProgrammesPage()
    communes: CommunesPage = CommunesPage()
    organisations: OrganisationsPage = OrganisationsPage()
    activity_list: list[str] = []
    notable_rank: list[str] = []
    report: ReportFigures = ReportFigures()

    def references(self) -> list[tuple[str, str]]:
        """Every (key path, indicator code) this declaration names."""
        found: list[tuple[str, str]] = []

        def walk(value: Any, where: str) -> None:
            if isinstance(value, BaseModel):
                for name in type(value).model_fields:
                    walk(getattr(value, name), f"{where}.{name}")
            elif isinstance(value, dict):
                for key, item in value.items():
                    walk(item, f"{where}.{key}")
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    walk(item, f"{where}[{index}]")
            elif isinstance(value, str):
                found.append((where, value))

        walk(self, "dashboard")
        return found


# ---------------------------------------------------------------- the map (optional)


class Centre(_Model):
    """A commune's centre in WGS 84 degrees."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Shapes(_Model):
    """A GeoJSON FeatureCollection of commune polygons (path relative to the config directory) and the
    feature property holding each commune's name."""

    file: str
    name_property: str = "name"


class MapSettings(_Model):
    """The commune map of the pages: centres keyed by commune name (points), shapes when provided."""

    communes: dict[str, Centre] = {}
    shapes: Shapes | None = None


class _MapFile(_Model):
    map: MapSettings


# ---------------------------------------------------------------- the reporting calendar


class NilReport(_Named):
    """The activity type of an explicit nil report: «nothing to report this cycle», not an activity."""


class Cycle(_Model):
    """One reporting cycle: month, quarter or year (as lib/period cuts them from ``reporting_year_start``).
    The report of a cycle is due on ``due_day`` of the first month after the cycle's last day;
    ``organisations`` (codes) owe it, every organisation of the cycle when empty."""

    kind: Literal["month", "quarter", "year"]
    due_day: int = Field(ge=1, le=28)
    organisations: list[str] = []


class Reporting(_Model):
    start: dt.date  # the first day tracked: cycles ending before it are not asked for
    nil_activity: NilReport
    cycles: list[Cycle] = Field(min_length=1)


class _ReportingFile(_Model):
    reporting: Reporting


# ---------------------------------------------------------------- the whole configuration

FILES = {
    "unit": "unit.yaml",
    "organisations": "organisations.yaml",
    "programmes": "programmes.yaml",
    "columns": "columns.yaml",
    "indicators": "indicators.yaml",
    "dashboard": "dashboard.yaml",
    "settings": "settings.yaml",
}


REPORTING_FILE = "reporting.yaml"


class _UnitFile(_Model):
    unit: Unit


class _OrganisationsFile(_Model):
    groups: list[Group]
    organisations: list[Organisation]


class _ProgrammesFile(_Model):
    programmes: list[Programme]
    activity_types: list[ActivityType]


class _IndicatorsFile(_Model):
    indicators: list[Indicator] = Field(min_length=1)


class _DashboardFile(_Model):
    dashboard: Dashboard


class _SettingsFile(_Model):
    settings: Settings
    extends: str | None = None  # a directory (relative to this one) that supplies the files this one lacks


MODELS: dict[str, type[_Model]] = {
    "unit": _UnitFile,
    "organisations": _OrganisationsFile,
    "programmes": _ProgrammesFile,
    "columns": Columns,
    "indicators": _IndicatorsFile,
    "dashboard": _DashboardFile,
    "settings": _SettingsFile,
}


class Config:
    """The validated configuration of one committee, with the look-ups the core needs."""

    def __init__(self, directory: Path, files: dict[str, Any]):
        self.directory = directory
        self.scope: tuple = ()  # (boundaries, start, end) of a scoped copy; () for the whole history
        self.base: Path | None = None  # the directory ``extends:`` names, for the files this one lacks
        unit: Unit = files["unit"].unit
        self.has_history = any(c.valid_from or c.valid_to for c in unit.communes)  # communes changed over time
        self.has_village_history = any(v.valid_from or v.valid_to for c in unit.communes for v in c.villages)
        villages, self.village_moves = _inherit_villages(unit)
        self.unit = unit.model_copy(
            update={"communes": [c.model_copy(update={"villages": villages[c.name]}) for c in unit.communes]}
        )
        self.history: Unit = self.unit  # every commune through time; a scoped copy keeps it whole
        self.groups = {g.code: g for g in files["organisations"].groups}
        self.organisations = {o.code: o for o in files["organisations"].organisations}
        self.every_organisation = self.organisations  # a scoped copy keeps it whole
        self.programmes = {p.code: p for p in files["programmes"].programmes}
        self.activity_types = {a.code: a for a in files["programmes"].activity_types}
        self.fields = {f.code: f for f in files["columns"].fields}
        self.measures = {m.code: m for m in files["columns"].measures}
        self.indicators = {i.code: i for i in files["indicators"].indicators}
        self.dashboard: Dashboard = files["dashboard"].dashboard
        self.settings: Settings = files["settings"].settings
        self.map: MapSettings = files["map"].map if files.get("map") else MapSettings()
        self.commune_shapes: dict[str, Any] | None = files.get("shapes")
        reporting = files.get("reporting")
        self.reporting: Reporting | None = reporting.reporting if reporting else None

    @property
    def communes(self) -> dict[str, Commune]:
        return {c.name: c for c in self.unit.communes}

    @cached_property
    def village_count(self) -> int:
        return sum(len(c.villages) for c in self.unit.communes)

    @property
    def organisation_tabs(self) -> dict[str, Organisation]:
        """Every tab of the spreadsheet and its organisation, also in a copy scoped to a period that
        leaves out organisations no longer (or not yet) in existence."""
        return {o.tab: o for o in self.every_organisation.values()}

    @property
    def money_measures(self) -> list[str]:
        """The money columns of a row: the measures of the declared money total (none when not declared)."""
        total = self.dashboard.money.total
        return self.indicators[total].measures if total else []

    @property
    def programme_numbers(self) -> str:
        """The programme numbers as a user types them: «1–4», or «1, 3, 5» when not consecutive."""
        numbers = sorted(p.number for p in self.programmes.values())
        if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
            return f"{numbers[0]}–{numbers[-1]}"
        return ", ".join(str(n) for n in numbers)

    @property
    def current_communes(self) -> list[Commune]:
        """Today's communes: those with no end."""
        return [c for c in self.unit.communes if c.current and c.kept_by is None]

    def scoped(self, communes: list[Commune], start: dt.date, end: dt.date, scope: tuple) -> Config:
        """A copy listing only ``communes``, with their dated facts (region, extremely difficult
        villages) resolved for the span, for the pages and the report of one period."""
        resolved = [
            c.model_copy(
                update={
                    "region": c.region_in(start, end),
                    "villages": [
                        v.model_copy(update={"extremely_difficult": v.extremely_difficult_in(start, end)})
                        for v in c.villages
                        if v.valid_in(start, end)
                    ],
                }
            )
            for c in communes
        ]
        scoped = copy.copy(self)
        scoped.__dict__.pop("village_count", None)
        scoped.unit = self.unit.model_copy(update={"communes": resolved})
        scoped.organisations = {code: o for code, o in self.organisations.items() if o.valid_in(start, end)}
        scoped.scope = scope
        return scoped

    def resolve_path(self, value: str) -> Path:
        """A path from settings, relative to the project root when not absolute."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else PROJECT_ROOT / path


def _inherit_villages(unit: Unit) -> tuple[dict[str, list[Village]], dict[tuple[str, str], tuple[str, str]]]:
    """Each commune's villages: its own plus those its predecessors hand on (all of them after a
    merge or rename; the listed ones, or the rest, after a split), in declaration order. A handed-on
    name that two predecessors share is qualified with its commune: «Thôn 1 (Rô Men)».

    Also (old commune, village) → (successor, village name there), for the current-boundaries view."""
    villages = {c.name: list(c.villages) for c in unit.communes}
    moves: dict[tuple[str, str], tuple[str, str]] = {}
    earliest = dt.date.min
    for commune in sorted(unit.communes, key=lambda c: c.valid_from or earliest):  # predecessors first
        incoming: dict[str, list[tuple[str, Village]]] = {}
        for predecessor in unit.communes:
            for successor, given in _handed_on(predecessor, villages[predecessor.name]).items():
                if successor == commune.name:
                    incoming.setdefault(predecessor.name, []).extend((predecessor.name, v) for v in given)
        if not incoming:
            continue
        own = {name_key(v.name) for v in villages[commune.name]}
        handed = [pair for pairs in incoming.values() for pair in pairs]
        counts: dict[str, int] = {}
        for _, village in handed:
            counts[name_key(village.name)] = counts.get(name_key(village.name), 0) + 1
        for origin, village in handed:
            key = name_key(village.name)
            if key in own:
                target = next(v.name for v in villages[commune.name] if name_key(v.name) == key)
            else:
                target = f"{village.name} ({origin})" if counts[key] > 1 else village.name
                villages[commune.name].append(
                    village.model_copy(
                        update={"name": target, "aliases": [] if target != village.name else village.aliases}
                    )
                )
                own.add(name_key(target))
            moves[(origin, village.name)] = (commune.name, target)
    return villages, moves


def _handed_on(commune: Commune, villages: list[Village]) -> dict[str, list[Village]]:
    """Successor → the villages of ``commune`` it takes (see ``Successor``)."""
    if not commune.successors:
        return {}
    listed = {name_key(v): s.name for s in commune.successors for v in (s.villages or [])}
    rest = next((s.name for s in commune.successors if s.villages is None), None)
    out: dict[str, list[Village]] = {s.name: [] for s in commune.successors}
    for village in villages:
        target = listed.get(name_key(village.name), rest)
        if target is not None:
            out[target].append(village)
    return out


def _require_unique(values: list[str], where: str, what: str) -> None:
    repeated = _duplicates(values, fold_case=True)
    if repeated:
        raise ValueError(f"{where}: {what} «{repeated[0]}» bị trùng")


def _duplicates(values: list[str], fold_case: bool = False) -> list[str]:
    """The values that occur more than once (compared as matching keys when ``fold_case``: no case,
    accents, spacing or leading zeros), in first-seen order."""
    seen: dict[str, str] = {}
    repeated: dict[str, str] = {}
    for value in values:
        key = name_key(value) if fold_case else value
        if key in seen:
            repeated.setdefault(key, value)
        seen.setdefault(key, value)
    return list(repeated.values())


def _read_yaml(path: Path) -> tuple[Any, list[str]]:
    """A YAML file's content, or the problems that stop it being read (missing, encoding, syntax)."""
    if not path.is_file():
        return None, [f"{path.name}: thiếu tệp cấu hình trong thư mục cấu hình"]
    data = path.read_bytes()
    boms = {b"\xef\xbb\xbf": "utf-8-sig", b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}
    encoding = next((name for bom, name in boms.items() if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None, [
            f"{path.name}: tệp không được lưu bằng mã UTF-8 (có thể là ANSI hoặc UTF-16 không có dấu BOM); "
            "mở bằng trình soạn thảo và lưu lại với mã hoá UTF-8"
        ]
    try:
        return yaml.safe_load(text) or {}, []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        return None, [f"{path.name}: không đúng cú pháp YAML{where}; kiểm tra thụt lề, dấu hai chấm và dấu ngoặc"]


def _location(loc: tuple[Any, ...]) -> str:
    """The key path as written in YAML; the member tags pydantic adds for a union («literal[...]»,
    «list[Span]», «bool») are not keys and are left out."""
    text = ""
    for part in loc:
        if isinstance(part, str) and (_UNION_TAG.search(part) or part in ("bool", "str", "int", "float", "date")):
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(gốc)"


_UNION_TAG = re.compile(r"^\w+\[.*\]$")


_PYDANTIC_VI = {
    "missing": "thiếu khoá bắt buộc",
    "extra_forbidden": "khoá không được hỗ trợ (gõ sai tên?)",
    "string_type": "phải là chữ",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "float_parsing": "phải là số",
    "float_type": "phải là số",
    "bool_parsing": "phải là true/false",
    "bool_type": "phải là true/false",
    "list_type": "phải là danh sách (mỗi mục một dòng bắt đầu bằng «-», hoặc [a, b])",
    "dict_type": "phải là bảng «khoá: giá trị»",
    "model_type": "phải là bảng «khoá: giá trị»",
    "model_attributes_type": "phải là bảng «khoá: giá trị»",
    "literal_error": "giá trị không hợp lệ",
    "too_short": "không được để trống",
    "too_long": "quá nhiều mục",
    "greater_than_equal": "giá trị quá nhỏ",
    "greater_than": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
    "less_than": "giá trị quá lớn",
}


def _validate(model: type[_Model], data: Any, file: str) -> tuple[Any, list[str]]:
    """The validated file, or its problems in Vietnamese (file: key path: problem)."""
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        problems: list[str] = []
        seen: set[str] = set()  # a value fitting no member of a union: one problem, not one per member
        for item in error.errors():
            where = _location(item["loc"])
            if where in seen:
                continue
            seen.add(where)
            problem = _PYDANTIC_VI.get(item["type"])
            if item["type"] == "literal_error":
                allowed = item.get("ctx", {}).get("expected", "")
                problem = f"{problem} (chỉ nhận {allowed})" if allowed else problem
            elif item["type"] == "value_error":
                problem = str(item.get("ctx", {}).get("error", "giá trị không hợp lệ"))
            elif item["type"] == "too_long" and "max_length" in item.get("ctx", {}):
                problem = f"{problem} (tối đa {item['ctx']['max_length']})"
            elif item["type"].startswith(("greater", "less")):
                limit = next(iter(item.get("ctx", {}).values()), None)
                limit = f"{limit:g}" if isinstance(limit, float) else limit
                problem = f"{problem} (giới hạn {limit})" if limit is not None else problem
            problems.append(f"{file}: {where}: {problem or 'giá trị không hợp lệ'}")
        return None, problems


def _unique_codes(raw: dict[str, Any]) -> list[str]:
    """Codes that must be unique, checked on the files as written (a dict would keep only the last)."""
    problems = []
    lists = (
        ("organisations", "organisations", "mã đơn vị", "code"),
        ("organisations", "organisations", "tên tab", "tab"),
        ("organisations", "groups", "mã nhóm", "code"),
        ("programmes", "programmes", "mã chương trình", "code"),
        ("programmes", "programmes", "số chương trình", "number"),
        ("programmes", "activity_types", "mã loại hoạt động", "code"),
        ("columns", "measures", "mã cột số liệu", "code"),
        ("indicators", "indicators", "mã chỉ số", "code"),
    )
    for key, section, what, attribute in lists:
        items = getattr(raw[key], section)
        values = [str(getattr(item, attribute)) for item in items]
        for value in _duplicates(values, fold_case=attribute == "tab"):
            problems.append(f"{FILES[key]}: {section}: {what} «{value}» bị trùng (mỗi mã chỉ được khai báo một lần)")
    return problems


def _cycles(indicators: dict[str, Indicator]) -> list[str]:
    """Ratio and share indicators that depend on themselves, directly or through others."""
    problems, state = [], {}

    def visit(code: str, path: list[str]) -> None:
        if state.get(code) == "done" or code not in indicators:
            return
        if state.get(code) == "open":
            loop = path[path.index(code) :] + [code]
            problems.append(f"indicators.yaml: chỉ số «{code}»: tham chiếu vòng tròn {' → '.join(loop)}")
            return
        state[code] = "open"
        indicator = indicators[code]
        for part in (indicator.numerator, indicator.denominator):
            if part:
                visit(part, [*path, code])
        state[code] = "done"

    for code in indicators:
        visit(code, [])
    return problems


def _cross_check(config: Config) -> list[str]:
    """References between files: every code an entry names must exist and fit where it is used."""
    problems: list[str] = []

    def check(file: str, where: str, codes: list[str] | str | None, known: dict[str, Any], what: str) -> None:
        for code in [codes] if isinstance(codes, str) else codes or []:
            if code not in known:
                problems.append(f"{file}: {where}: {what} «{code}» không có trong cấu hình")

    for i, org in enumerate(config.organisations.values()):
        check("organisations.yaml", f"organisations[{i}].group", org.group, config.groups, "nhóm")
    for i, kind in enumerate(config.activity_types.values()):
        check("programmes.yaml", f"activity_types[{i}].programme", kind.programme, config.programmes, "chương trình")
    if config.reporting is not None:
        for i, cycle in enumerate(config.reporting.cycles):
            check(
                REPORTING_FILE,
                f"reporting.cycles[{i}].organisations",
                cycle.organisations,
                config.organisations,
                "đơn vị",
            )
        nil = config.reporting.nil_activity
        clash = [a.name for a in config.activity_types.values() if a.keys() & nil.keys()]
        if clash:
            problems.append(
                f"{REPORTING_FILE}: reporting.nil_activity: «{nil.name}» trùng loại hoạt động «{clash[0]}» "
                "của programmes.yaml; dòng báo cáo không có hoạt động phải có tên riêng"
            )
    missing_fields = {"date", "commune", "programme", "activity_type"} - set(config.fields)
    if missing_fields:
        problems.append(f"columns.yaml: fields: thiếu cột {', '.join(sorted(missing_fields))}")
    for i, ind in enumerate(config.indicators.values()):
        where = f"indicators[{i}] ({ind.code})"
        check("indicators.yaml", f"{where}.measure", ind.measures, config.measures, "cột số liệu")
        check("indicators.yaml", f"{where}.numerator", ind.numerator, config.indicators, "chỉ số")
        check("indicators.yaml", f"{where}.denominator", ind.denominator, config.indicators, "chỉ số")
        check("indicators.yaml", f"{where}.filter.programme", ind.filter.programme, config.programmes, "chương trình")
        check(
            "indicators.yaml",
            f"{where}.filter.activity_type",
            ind.filter.activity_type,
            config.activity_types,
            "loại hoạt động",
        )
        check(
            "indicators.yaml", f"{where}.filter.organisation", ind.filter.organisation, config.organisations, "đơn vị"
        )
        check("indicators.yaml", f"{where}.filter.group", ind.filter.group, config.groups, "nhóm")
        check("indicators.yaml", f"{where}.filter.nonzero", ind.filter.nonzero, config.measures, "cột số liệu")
    problems += _cycles(config.indicators)
    headers = [c.name for c in [*config.fields.values(), *config.measures.values()]]
    for name in _duplicates(headers, fold_case=True):
        problems.append(f"columns.yaml: tiêu đề cột «{name}» bị trùng")
    problems += _dashboard_problems(config)
    problems += _name_clashes(config.unit)
    problems += _lineage_problems(config.unit)
    problems += _organisation_problems(config.organisations)
    problems += _map_problems(config)
    return problems


def _lineage_problems(unit: Unit) -> list[str]:
    """Communes through time: every successor exists and starts the day after its predecessor ends
    (no gap, no overlap); a split hands on villages of its own, each to one successor, and the rest
    to at most one; a commune kept by another unit before it joined has an end date."""
    problems = []
    by_name = {c.name: c for c in unit.communes}

    def day(value: dt.date) -> str:
        return f"{value.day:02d}/{value.month:02d}/{value.year}"

    for i, commune in enumerate(unit.communes):
        where = f"unit.yaml: unit.communes[{i}]"
        if commune.valid_from and commune.valid_to and commune.valid_from > commune.valid_to:
            problems.append(f"{where}.valid_to: «{commune.name}» kết thúc trước ngày bắt đầu")
        if commune.successors and commune.valid_to is None:
            problems.append(f"{where}.valid_to: «{commune.name}» có xã kế thừa nên phải có ngày kết thúc (valid_to)")
        if commune.kept_by and commune.valid_to is None:
            problems.append(
                f"{where}.valid_to: «{commune.name}» có kept_by nên phải có ngày nhập vào đơn vị (valid_to)"
            )
        if commune.valid_to and not commune.successors and commune.kept_by is None:
            problems.append(
                f"{where}.successors: «{commune.name}» kết thúc ngày {day(commune.valid_to)} nhưng chưa khai báo xã kế thừa"
            )
        own = {name_key(v.name) for v in commune.villages}
        seen: dict[str, str] = {}
        for k, successor in enumerate(commune.successors):
            at = f"{where}.successors[{k}]"
            after = by_name.get(successor.name)
            if after is None:
                problems.append(f"{at}.name: xã kế thừa «{successor.name}» không có trong danh sách xã")
            elif commune.valid_to and after.valid_from != commune.valid_to + dt.timedelta(days=1):
                start = day(after.valid_from) if after.valid_from else "không có ngày bắt đầu"
                problems.append(
                    f"{at}.name: «{commune.name}» kết thúc ngày {day(commune.valid_to)} nên «{successor.name}» phải "
                    f"bắt đầu ngày {day(commune.valid_to + dt.timedelta(days=1))} (valid_from), đang là {start}"
                )
            for village in successor.villages or []:
                if name_key(village) not in own:
                    problems.append(f"{at}.villages: «{village}» không phải thôn của «{commune.name}»")
                elif name_key(village) in seen:
                    problems.append(
                        f"{at}.villages: thôn «{village}» đã giao cho «{seen[name_key(village)]}», không thể giao hai nơi"
                    )
                seen.setdefault(name_key(village), successor.name)
        if sum(s.villages is None for s in commune.successors) > 1:
            problems.append(
                f"{where}.successors: khi chia tách, chỉ một xã kế thừa được để trống danh sách thôn (nhận các thôn còn lại)"
            )
    if unit.communes and not any(c.current and c.kept_by is None for c in unit.communes):
        problems.append("unit.yaml: unit.communes: không có xã nào còn hiệu lực (không có valid_to)")
    for i, commune in enumerate(unit.communes):
        for k, village in enumerate(commune.villages):
            if village.valid_from and village.valid_to and village.valid_from > village.valid_to:
                problems.append(
                    f"unit.yaml: unit.communes[{i}].villages[{k}].valid_to: thôn «{village.name}» kết thúc trước ngày bắt đầu"
                )
    return problems


def _organisation_problems(organisations: dict[str, Organisation]) -> list[str]:
    """An organisation that ends names an existing successor, which exists the day after."""
    problems = []
    for i, org in enumerate(organisations.values()):
        where = f"organisations.yaml: organisations[{i}]"
        if org.valid_from and org.valid_to and org.valid_from > org.valid_to:
            problems.append(f"{where}.valid_to: «{org.code}» kết thúc trước ngày bắt đầu")
        if org.successor is not None:
            after = organisations.get(org.successor)
            if org.valid_to is None:
                problems.append(
                    f"{where}.valid_to: «{org.code}» có đơn vị kế thừa nên phải có ngày kết thúc (valid_to)"
                )
            elif after is None:
                problems.append(f"{where}.successor: đơn vị kế thừa «{org.successor}» không có trong danh sách")
            elif not after.valid_in(org.valid_to + dt.timedelta(days=1), org.valid_to + dt.timedelta(days=1)):
                problems.append(
                    f"{where}.successor: «{org.successor}» không còn hiệu lực ngày sau khi «{org.code}» kết thúc"
                )
    return problems


MAP_FILE = "map.yaml"


def _map_problems(config: Config) -> list[str]:
    """Every commune map.yaml names is a commune of unit.yaml (by its name as written there)."""
    names = {name_key(c.name): c.name for c in config.unit.communes}
    problems = []
    for name in config.map.communes:
        if name not in config.communes:
            known = names.get(name_key(name))
            hint = f"; có phải là «{known}»?" if known else f"; các xã: {', '.join(config.communes)}"
            problems.append(f"{MAP_FILE}: map.communes: xã «{name}» không có trong unit.yaml{hint}")
    if config.commune_shapes is not None and config.map.shapes is not None:
        prop = config.map.shapes.name_property
        for i, feature in enumerate(config.commune_shapes.get("features", [])):
            name = (feature.get("properties") or {}).get(prop)
            if name not in config.communes:
                problems.append(
                    f"{MAP_FILE}: map.shapes: vùng thứ {i + 1} của «{config.map.shapes.file}» có "
                    f"{prop} = «{name}», không phải tên một xã trong unit.yaml"
                )
    return problems


def _read_shapes(directory: Path, shapes: Shapes) -> tuple[dict[str, Any] | None, list[str]]:
    """The GeoJSON FeatureCollection map.yaml points to, or why it cannot be used."""
    path = directory / shapes.file
    where = f"{MAP_FILE}: map.shapes.file"
    if not path.is_file():
        return None, [f"{where}: không tìm thấy tệp «{shapes.file}» trong thư mục cấu hình"]
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None, [f"{where}: tệp «{shapes.file}» không phải GeoJSON hợp lệ (UTF-8)"]
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        return None, [f"{where}: tệp «{shapes.file}» phải là một GeoJSON FeatureCollection"]
    return data, []


def _name_clashes(unit: Unit) -> list[str]:
    """A commune's name or alias that reads as a name of the whole unit (its name, an alias, its
    level, the whole-unit label) or of another commune: a row giving it would be counted for one of
    them silently. Names are compared as words without case or accents (``words_key``)."""
    level = unit.level
    owners: dict[str, tuple[str, str, str]] = {}  # key → (name as written, where, owner)
    whole = f"cả {level} («{unit.whole_unit_label}»)"
    for text, where in (
        (unit.whole_unit_label, "unit.whole_unit_label"),
        (unit.name, "unit.name"),
        *((alias, f"unit.aliases[{k}]") for k, alias in enumerate(unit.aliases)),
        (level, "unit.level"),
        (f"toàn {level}", "unit.level"),
        (f"{level} {unit.name}", "unit.level, unit.name"),
    ):
        owners.setdefault(words_key(text), (text, where, whole))
    problems = []
    current = [c for c in unit.communes if c.current and c.kept_by is None]
    sole = current[0].name if len(current) == 1 else None  # a commune-level unit: the commune is the unit
    for i, commune in enumerate(unit.communes):
        for text, where in (
            (commune.name, f"unit.communes[{i}].name"),
            *((alias, f"unit.communes[{i}].aliases[{k}]") for k, alias in enumerate(commune.aliases)),
        ):
            other, other_where, owner = owners.setdefault(words_key(text), (text, where, commune.name))
            if owner != commune.name and not (owner == whole and commune.name == sole):
                problems.append(
                    f"unit.yaml: {where}: tên «{text}» của «{commune.name}» trùng với «{other}» ({other_where}), "
                    f"tên gọi của {owner if owner == whole else f'«{owner}»'}; đổi hoặc bỏ tên này để dòng ghi "
                    "tên này không bị tính nhầm chỗ"
                )
    return problems


def _dashboard_problems(config: Config) -> list[str]:
    """Every indicator the pages and the report are told to show exists and is of a kind that fits."""
    problems = []
    for where, code in config.dashboard.references():
        if code not in config.indicators:
            problems.append(f"dashboard.yaml: {where}: chỉ số «{code}» không có trong indicators.yaml")
    money, known = config.dashboard.money, config.indicators
    per_row = [("money.total", money.total)] if money.total else []
    per_row += [(f"activity_list[{i}]", c) for i, c in enumerate(config.dashboard.activity_list)]
    per_row += [(f"notable_rank[{i}]", c) for i, c in enumerate(config.dashboard.notable_rank)]
    for where, code in per_row:
        if code in known and (known[code].kind != "sum" or known[code].filter != Filter()):
            problems.append(
                f"dashboard.yaml: dashboard.{where}: chỉ số «{code}» phải là loại «sum» không có bộ lọc "
                "(giá trị của từng dòng hoạt động)"
            )
    for i, code in enumerate(config.dashboard.notable_rank):
        if code not in config.dashboard.activity_list and code != money.total:
            problems.append(
                f"dashboard.yaml: dashboard.notable_rank[{i}]: «{code}» phải có trong activity_list hoặc là money.total"
            )
    for name, items in config.dashboard.report.itemised.items():
        where = f"dashboard.yaml: dashboard.report.itemised.{name}"
        for i, code in enumerate(items.rows):
            if code in known and known[code].kind not in ("count", "sum"):
                problems.append(f"{where}.rows[{i}]: chỉ số «{code}» phải là loại «count» hoặc «sum»")
        for i, code in enumerate(items.figures):
            if code in known and known[code].kind != "sum":
                problems.append(f"{where}.figures[{i}]: chỉ số «{code}» phải là loại «sum» (giá trị của từng dòng)")
    overview = config.dashboard.overview
    for i, code in enumerate(overview.primary):
        if code not in overview.cards:
            problems.append(f"dashboard.yaml: dashboard.overview.primary[{i}]: «{code}» phải có trong overview.cards")
    for i, code in enumerate(config.dashboard.communes.disadvantaged):
        if code in known and known[code].kind not in ("count", "sum"):
            problems.append(
                f"dashboard.yaml: dashboard.communes.disadvantaged[{i}]: chỉ số «{code}» phải là loại «count» hoặc «sum»"
            )
    return problems


def _base_directory(directory: Path) -> tuple[Path | None, list[str]]:
    """The directory named by ``extends:`` in settings.yaml (a unit that reuses another's
    organisations, programmes, columns, indicators, dashboard and template), if any."""
    settings = directory / FILES["settings"]
    if not settings.exists():
        return None, []
    data, problems = _read_yaml(settings)
    if problems or not isinstance(data, dict) or not data.get("extends"):
        return None, []
    base = (directory / str(data["extends"])).resolve()
    if not base.is_dir() or base == directory.resolve():
        return None, [f"settings.yaml: extends: không tìm thấy thư mục cấu hình «{data['extends']}»"]
    return base, []


def load_config(directory: str | Path | None = None) -> Config:
    """Load and validate the configuration directory (the project's config/ by default).

    Every problem is reported at once: unreadable files, keys of the wrong type, codes declared twice,
    references to codes that do not exist, cycles between indicators and what the pages are told to show."""
    directory = Path(directory) if directory else DEFAULT_CONFIG_DIR
    if not directory.is_dir():
        raise ConfigError(f"Không tìm thấy thư mục cấu hình «{directory.name}».")
    problems: list[str] = []
    files: dict[str, Any] = {}
    base, base_problems = _base_directory(directory)
    problems += base_problems
    for key, name in FILES.items():
        path = directory / name
        if not path.exists() and base is not None:
            path = base / name
        data, read_problems = _read_yaml(path)
        problems += read_problems
        if not read_problems:
            files[key], file_problems = _validate(MODELS[key], data, name)
            problems += file_problems
    if (directory / MAP_FILE).exists():  # optional: without it the pages show no map
        data, read_problems = _read_yaml(directory / MAP_FILE)
        problems += read_problems
        if not read_problems:
            files["map"], file_problems = _validate(_MapFile, data, MAP_FILE)
            problems += file_problems
            if files["map"] is not None and files["map"].map.shapes is not None:
                files["shapes"], file_problems = _read_shapes(directory, files["map"].map.shapes)
                problems += file_problems
    reporting_path = directory / REPORTING_FILE
    if not reporting_path.exists() and base is not None:
        reporting_path = base / REPORTING_FILE
    if reporting_path.exists():  # optional: without it the app tracks no reporting calendar
        data, read_problems = _read_yaml(reporting_path)
        problems += read_problems
        if not read_problems:
            files["reporting"], file_problems = _validate(_ReportingFile, data, REPORTING_FILE)
            problems += file_problems
    if not problems:
        problems += _unique_codes(files)
    config = None
    if not problems:
        config = Config(directory, files)
        config.base = base
        problems += _cross_check(config)
    if problems:
        raise ConfigError("Cấu hình không hợp lệ:\n" + "\n".join(f"- {p}" for p in problems), problems)
    return config
