"""Configuration: the unit hierarchy, organisations, programmes, columns, indicators and settings.

Everything specific to one committee lives in a config directory of YAML files; this module loads
and validates them with pydantic at start-up. A bad file gives a ConfigError naming the file, the
key and the problem in Vietnamese, so nothing about a particular district lives in code.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .exceptions import ConfigError
from .normalize import clean_name, fold

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
        return {fold(self.name), *(fold(alias) for alias in self.aliases)}


# ---------------------------------------------------------------- units


class Profile(_Model):
    area_ha: float | None = None
    population: int | None = None
    ethnic_minority_population: int | None = None
    ethnic_groups: int | None = None


class Village(_Named):
    extremely_difficult: bool = False


class Commune(_Named):
    new_rural: bool = False
    region: Literal["I", "II", "III"] | None = None
    population: int | None = None
    villages: list[Village] = []


class Unit(_Named):
    level: str
    province: str
    parent_level: str | None = None
    whole_unit_label: str
    profile: Profile = Profile()
    communes: list[Commune] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_communes(self) -> Unit:
        _require_unique([c.name for c in self.communes], "communes", "tên xã")
        for index, commune in enumerate(self.communes):
            _require_unique([v.name for v in commune.villages], f"communes[{index}].villages", "tên thôn")
        return self


# ---------------------------------------------------------------- organisations


class Group(_Model):
    code: str
    name: str


class Organisation(_Named):
    code: str
    short_name: str
    group: str
    tab: str
    editors: list[str] = []


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

    code: Literal["date", "commune", "village", "programme", "activity_type", "content", "partners"]
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
    report: dict[str, Any] = {}


# ---------------------------------------------------------------- the whole configuration

FILES = {
    "unit": "unit.yaml",
    "organisations": "organisations.yaml",
    "programmes": "programmes.yaml",
    "columns": "columns.yaml",
    "indicators": "indicators.yaml",
    "settings": "settings.yaml",
}


class _UnitFile(_Model):
    unit: Unit


class _OrganisationsFile(_Model):
    groups: list[Group]
    organisations: list[Organisation]


class _ProgrammesFile(_Model):
    programmes: list[Programme]
    activity_types: list[ActivityType]


class _IndicatorsFile(_Model):
    indicators: list[Indicator]


class _SettingsFile(_Model):
    settings: Settings


class Config:
    """The validated configuration of one committee, with the look-ups the core needs."""

    def __init__(
        self,
        directory: Path,
        unit: Unit,
        groups: list[Group],
        organisations: list[Organisation],
        programmes: list[Programme],
        activity_types: list[ActivityType],
        columns: Columns,
        indicators: list[Indicator],
        settings: Settings,
    ):
        self.directory = directory
        self.unit = unit
        self.groups = {g.code: g for g in groups}
        self.organisations = {o.code: o for o in organisations}
        self.programmes = {p.code: p for p in programmes}
        self.activity_types = {a.code: a for a in activity_types}
        self.fields = {f.code: f for f in columns.fields}
        self.measures = {m.code: m for m in columns.measures}
        self.indicators = {i.code: i for i in indicators}
        self.settings = settings

    @property
    def communes(self) -> dict[str, Commune]:
        return {c.name: c for c in self.unit.communes}

    @cached_property
    def village_count(self) -> int:
        return sum(len(c.villages) for c in self.unit.communes)

    @property
    def organisation_tabs(self) -> dict[str, Organisation]:
        return {o.tab: o for o in self.organisations.values()}

    def resolve_path(self, value: str) -> Path:
        """A path from settings, relative to the project root when not absolute."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def report_template(self) -> Path:
        return self.directory / "report.md.j2"


def _require_unique(values: list[str], where: str, what: str) -> None:
    seen: dict[str, str] = {}
    for value in values:
        key = fold(value)
        if key in seen:
            raise ValueError(f"{where}: {what} «{value}» bị trùng với «{seen[key]}»")
        seen[key] = value


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise ConfigError(f"Thiếu tệp cấu hình {path.name} trong thư mục {path.parent}.")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        raise ConfigError(
            f"Tệp cấu hình {path.name} không đúng cú pháp YAML{where}: {getattr(error, 'problem', error)}."
        ) from error


def _location(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(gốc)"


_PYDANTIC_VI = {
    "missing": "thiếu khoá bắt buộc",
    "extra_forbidden": "khoá không được hỗ trợ (gõ sai tên?)",
    "string_type": "phải là chữ",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "float_parsing": "phải là số",
    "float_type": "phải là số",
    "bool_parsing": "phải là true/false",
    "bool_type": "phải là true/false",
    "list_type": "phải là danh sách",
    "literal_error": "giá trị không hợp lệ",
    "too_short": "không được để trống",
    "greater_than_equal": "giá trị quá nhỏ",
}


def _validate(model: type[_Model], data: Any, file: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        lines = []
        for item in error.errors():
            message = item["msg"].removeprefix("Value error, ")
            problem = _PYDANTIC_VI.get(item["type"], message)
            if item["type"] == "literal_error":
                problem = f"{problem} ({message})"
            lines.append(f"{file}: {_location(item['loc'])}: {problem}")
        raise ConfigError("Cấu hình không hợp lệ:\n" + "\n".join(f"- {line}" for line in lines)) from error


def _cross_check(config: Config) -> None:
    """References between files: every code an entry names must exist."""
    problems: list[str] = []

    def check(file: str, where: str, codes: list[str] | str | None, known: dict[str, Any], what: str) -> None:
        for code in [codes] if isinstance(codes, str) else codes or []:
            if code not in known:
                problems.append(f"{file}: {where}: {what} «{code}» không có trong cấu hình")

    for i, org in enumerate(config.organisations.values()):
        check("organisations.yaml", f"organisations[{i}].group", org.group, config.groups, "nhóm")
    for i, kind in enumerate(config.activity_types.values()):
        check("programmes.yaml", f"activity_types[{i}].programme", kind.programme, config.programmes, "chương trình")
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
    for file, items in (
        ("organisations.yaml", [o.tab for o in config.organisations.values()]),
        ("columns.yaml", [c.name for c in [*config.fields.values(), *config.measures.values()]]),
    ):
        try:
            _require_unique(items, "tab" if file == "organisations.yaml" else "tiêu đề cột", "giá trị")
        except ValueError as error:
            problems.append(f"{file}: {error}")
    for file, codes in (
        ("organisations.yaml", [o.code for o in config.organisations.values()]),
        ("programmes.yaml", [a.code for a in config.activity_types.values()]),
        ("indicators.yaml", [i.code for i in config.indicators.values()]),
    ):
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            problems.append(f"{file}: mã bị trùng: {', '.join(duplicates)}")
    if problems:
        raise ConfigError("Cấu hình không hợp lệ:\n" + "\n".join(f"- {p}" for p in problems))


def load_config(directory: str | Path | None = None) -> Config:
    """Load and validate the configuration directory (the project's config/ by default)."""
    directory = Path(directory) if directory else DEFAULT_CONFIG_DIR
    if not directory.is_dir():
        raise ConfigError(f"Không tìm thấy thư mục cấu hình {directory}.")
    raw = {key: _read_yaml(directory / name) for key, name in FILES.items()}
    unit = _validate(_UnitFile, raw["unit"], FILES["unit"]).unit
    orgs = _validate(_OrganisationsFile, raw["organisations"], FILES["organisations"])
    programmes = _validate(_ProgrammesFile, raw["programmes"], FILES["programmes"])
    columns = _validate(Columns, raw["columns"], FILES["columns"])
    indicators = _validate(_IndicatorsFile, raw["indicators"], FILES["indicators"]).indicators
    settings = _validate(_SettingsFile, raw["settings"], FILES["settings"]).settings
    config = Config(
        directory,
        unit,
        orgs.groups,
        orgs.organisations,
        programmes.programmes,
        programmes.activity_types,
        columns,
        indicators,
        settings,
    )
    _cross_check(config)
    return config
