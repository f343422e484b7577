"""Spreadsheet set-up: create the missing organisation tabs and the targets tab, ready to fill in.

Each new tab gets its header row (written as plain strings, never parsed as formulas), a frozen
header, dropdowns for Xã / Chương trình / Loại hoạt động / Chỉ tiêu, number validation (≥ 0) for
measure columns and date validation for Ngày, all in ONE ``spreadsheets.batchUpdate``. Existing
tabs and their rows are never touched (except for adding a protected range when asked), so running
it twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import gspread

from .catalogue import Catalogues
from .config import Config
from .exceptions import SheetsError, SpreadsheetNotFound
from .sheets import (
    MALFORMED,
    WRITE_SCOPES,
    RetryPolicy,
    api_base_url,
    authorize,
    call_with_retry,
    load_credentials,
    service_account_email,
    spreadsheet_key,
)
from .template import ROW_COUNT, TARGET_HEADERS, commune_choices, programme_choices

log = logging.getLogger(__name__)
SETUP_FIELDS = "sheets(properties(sheetId,title,gridProperties.columnCount),protectedRanges(protectedRangeId,range))"


@dataclass(frozen=True)
class Column:
    """One column of a tab to create: its header and the validation rule of its data cells."""

    header: str
    rule: dict[str, Any] | None = None


@dataclass(frozen=True)
class TabPlan:
    title: str
    columns: list[Column]
    editors: list[str] | None = None  # None: not an organisation tab, never protected


@dataclass
class SetupResult:
    """What ``init_sheet`` did: tabs created, tabs protected, tabs left as they were."""

    created: list[str] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.protected)

    def summary(self) -> str:
        """A Vietnamese report for the command line."""
        lines = [
            f"Đã tạo {len(self.created)} tab: {', '.join(self.created)}."
            if self.created
            else "Không cần tạo tab nào: bảng tính đã có đủ các tab."
        ]
        if self.protected:
            lines.append(
                f"Đã khoá {len(self.protected)} tab (chỉ người được giao mới sửa được): {', '.join(self.protected)}."
            )
        if self.unchanged:
            lines.append(f"Giữ nguyên {len(self.unchanged)} tab đã có: {', '.join(self.unchanged)}.")
        return "\n".join([*lines, *self.warnings])


# ---------------------------------------------------------------- validation rules


def list_rule(values: Iterable[str], hint: str) -> dict[str, Any]:
    return {
        "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in values]},
        "strict": True,
        "showCustomUi": True,
        "inputMessage": hint,
    }


def number_rule(hint: str = "Nhập số lớn hơn hoặc bằng 0.") -> dict[str, Any]:
    return {
        "condition": {"type": "NUMBER_GREATER_THAN_EQ", "values": [{"userEnteredValue": "0"}]},
        "strict": True,
        "inputMessage": hint,
    }


DATE_RULE = {
    "condition": {"type": "DATE_IS_VALID"},
    "strict": True,
    "inputMessage": "Nhập ngày dạng ngày/tháng/năm, ví dụ 29/10/2024.",
}


def organisation_columns(config: Config) -> list[Column]:
    """Headers of an organisation tab (fields then measures, as named in config) with their rules."""
    by_field = {
        "date": DATE_RULE,
        "commune": list_rule(commune_choices(config), f"Chọn xã, hoặc «{config.unit.whole_unit_label}»."),
        "programme": list_rule(
            programme_choices(config), f"Chọn số chương trình phối hợp ({config.programme_numbers})."
        ),
        "activity_type": list_rule([a.name for a in config.activity_types.values()], "Chọn loại hoạt động."),
    }
    return [
        *(Column(f.name, by_field.get(f.code)) for f in config.fields.values()),
        *(Column(m.name, number_rule(f"Nhập số {m.unit} (≥ 0).")) for m in config.measures.values()),
    ]


def target_columns(config: Config) -> list[Column]:
    year, indicator, commune, value = TARGET_HEADERS
    return [
        Column(year, number_rule("Nhập năm, ví dụ 2025.")),
        Column(indicator, list_rule([i.name for i in config.indicators.values()], "Chọn chỉ số cần đặt chỉ tiêu.")),
        Column(commune, list_rule(commune_choices(config), "Để trống hoặc chọn xã nếu chỉ tiêu riêng cho xã.")),
        Column(value, number_rule("Nhập giá trị chỉ tiêu (≥ 0).")),
    ]


def tab_plans(config: Config) -> list[TabPlan]:
    """Every tab the set-up ensures: organisation tabs in config order, then the targets tab."""
    columns = organisation_columns(config)
    return [
        *(TabPlan(org.tab, columns, list(org.editors)) for org in config.organisations.values()),
        TabPlan(config.settings.tabs.targets, target_columns(config)),
    ]


# ---------------------------------------------------------------- the batchUpdate


def _new_tab_requests(plan: TabPlan, sheet_id: int) -> list[dict[str, Any]]:
    header = [
        {"userEnteredValue": {"stringValue": c.header}, "userEnteredFormat": {"textFormat": {"bold": True}}}
        for c in plan.columns
    ]
    grid = {"rowCount": ROW_COUNT, "columnCount": max(26, len(plan.columns)), "frozenRowCount": 1}
    return [
        {"addSheet": {"properties": {"sheetId": sheet_id, "title": plan.title, "gridProperties": grid}}},
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": header}],
                "fields": "userEnteredValue,userEnteredFormat.textFormat.bold",
            }
        },
        *(
            {
                "setDataValidation": {
                    "range": {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": i, "endColumnIndex": i + 1},
                    "rule": c.rule,
                }
            }
            for i, c in enumerate(plan.columns)
            if c.rule
        ),
    ]


def _protect_request(plan: TabPlan, sheet_id: int, account: str | None) -> dict[str, Any]:
    users = sorted({*(plan.editors or []), *([account] if account else [])})
    return {
        "addProtectedRange": {
            "protectedRange": {
                "range": {"sheetId": sheet_id},
                "warningOnly": False,
                "editors": {"users": users},
                "description": f"Tab «{plan.title}»: chỉ người được giao trong organisations.yaml được sửa.",
            }
        }
    }


def setup_requests(
    plans: list[TabPlan], sheets: list[dict[str, Any]], *, protect: bool, account: str | None
) -> tuple[list[dict[str, Any]], SetupResult]:
    """The batchUpdate requests that bring the spreadsheet (its ``sheets`` metadata) to the plan."""
    existing = {s["properties"]["title"]: s for s in sheets}
    next_id = max((s["properties"]["sheetId"] for s in sheets), default=0) + 1
    requests: list[dict[str, Any]] = []
    result = SetupResult()
    for plan in plans:
        sheet = existing.get(plan.title)
        if sheet is None:
            sheet_id, next_id = next_id, next_id + 1
            requests += _new_tab_requests(plan, sheet_id)
            result.created.append(plan.title)
        else:
            sheet_id = sheet["properties"]["sheetId"]
        if protect and plan.editors is not None and not (sheet and sheet.get("protectedRanges")):
            requests.append(_protect_request(plan, sheet_id, account))
            result.protected.append(plan.title)
            if not plan.editors:
                result.warnings.append(
                    f"Cảnh báo: tab «{plan.title}» chưa khai báo editors trong organisations.yaml; "
                    "chỉ chủ bảng tính và tài khoản dịch vụ sửa được tab này."
                )
        if sheet is not None and plan.title not in result.protected:
            result.unchanged.append(plan.title)
    return requests, result


def init_sheet(
    spreadsheet: gspread.Spreadsheet, config: Config, *, protect: bool = False, retry: RetryPolicy = RetryPolicy()
) -> SetupResult:
    """Create every missing tab of the data contract in one batchUpdate (none when nothing is missing)."""
    account = service_account_email(spreadsheet.client)
    meta = call_with_retry(
        lambda: spreadsheet.fetch_sheet_metadata(params={"fields": SETUP_FIELDS}),
        retry,
        key=spreadsheet.id,
        email=account,
    )
    sheets = meta.get("sheets") if isinstance(meta, dict) else None
    if not isinstance(sheets, list) or not all(
        isinstance(s, dict) and isinstance(s.get("properties"), dict) and "title" in s["properties"] for s in sheets
    ):
        log.warning("Unexpected metadata of %s: %s", spreadsheet.id, str(meta)[:200])
        raise SheetsError(MALFORMED)
    requests, result = setup_requests(tab_plans(config), sheets, protect=protect, account=account)
    requests += _entry_column_requests(spreadsheet, config, sheets, retry, account, result)
    if requests:
        try:
            call_with_retry(
                lambda: spreadsheet.batch_update({"requests": requests}),
                RetryPolicy(attempts=1),
                key=spreadsheet.id,
                email=account,
            )
        except SpreadsheetNotFound as error:
            raise SpreadsheetNotFound(
                f"{error.message} Để tạo tab, tài khoản dịch vụ cần quyền Người chỉnh sửa."
            ) from error
    return result


def missing_entry_headers(config: Config, header: list[Any]) -> list[str]:
    """The entry columns (Ngày nhập, Mã dòng) an existing organisation tab's header lacks."""
    known = {Catalogues(config).headers.match(str(cell)) for cell in header if cell not in (None, "")}
    return [config.fields[code].name for code in ("entered", "row_id") if code in config.fields and code not in known]


def _entry_column_requests(
    spreadsheet: gspread.Spreadsheet,
    config: Config,
    sheets: list[dict[str, Any]],
    retry: RetryPolicy,
    account: str | None,
    result: SetupResult,
) -> list[dict[str, Any]]:
    """Existing organisation tabs get the entry columns they lack, added after their last header (the
    rows below are left as they are): the entry page needs «Mã dòng» to write a row exactly once. A tab
    whose grid ends at its last header (an uploaded workbook) is widened first: the API refuses to write
    beyond the grid."""
    existing = {s["properties"]["title"]: s["properties"]["sheetId"] for s in sheets}
    widths = {
        s["properties"]["title"]: (s["properties"].get("gridProperties") or {}).get("columnCount") for s in sheets
    }
    tabs = [tab for tab in config.organisation_tabs if tab in existing]
    if not tabs or not any(code in config.fields for code in ("entered", "row_id")):
        return []
    ranges = [f"{gspread.utils.absolute_range_name(tab)}!1:1" for tab in tabs]
    answer = call_with_retry(lambda: spreadsheet.values_batch_get(ranges), retry, key=spreadsheet.id, email=account)
    requests = []
    for tab, block in zip(tabs, answer.get("valueRanges", []) if isinstance(answer, dict) else []):
        header = (block.get("values") or [[]])[0]
        missing = missing_entry_headers(config, header)
        if not missing:
            continue
        cells = [
            {"userEnteredValue": {"stringValue": name}, "userEnteredFormat": {"textFormat": {"bold": True}}}
            for name in missing
        ]
        width = widths.get(tab)
        if isinstance(width, int) and len(header) + len(missing) > width:
            requests.append(
                {
                    "appendDimension": {
                        "sheetId": existing[tab],
                        "dimension": "COLUMNS",
                        "length": len(header) + len(missing) - width,
                    }
                }
            )
        requests.append(
            {
                "updateCells": {
                    "start": {"sheetId": existing[tab], "rowIndex": 0, "columnIndex": len(header)},
                    "rows": [{"values": cells}],
                    "fields": "userEnteredValue,userEnteredFormat.textFormat.bold",
                }
            }
        )
        result.warnings.append(f"Đã thêm cột {', '.join(f'«{n}»' for n in missing)} vào tab «{tab}».")
    return requests


def open_spreadsheet(
    spec: str,
    *,
    credentials_file: str | None = None,
    credentials_info: dict[str, Any] | None = None,
    retry: RetryPolicy = RetryPolicy(),
) -> gspread.Spreadsheet:
    """The spreadsheet of a URL or key, opened with read-write credentials (secrets, key file or environment)."""
    key = spreadsheet_key(spec)
    base_url = api_base_url(credentials_info)
    credentials = load_credentials(
        credentials_file=credentials_file, credentials_info=credentials_info, scopes=WRITE_SCOPES
    )
    client = authorize(credentials, retry.timeout, base_url=base_url)
    return call_with_retry(
        lambda: gspread.Spreadsheet(client.http_client, {"id": key}),
        retry,
        key=key,
        email=service_account_email(client),
    )
