"""A stateful fake of the Google Sheets v4 REST API, behind gspread's real HTTP traffic.

The `responses` library intercepts every request the real gspread client sends, so nothing reaches
Google. Response shapes follow the API reference: ragged rows (trailing empty cells and rows
dropped), no ``values`` key for an empty range, ``hidden`` only when true, field masks honoured on
``spreadsheets.get``, and Google's error body ``{"error": {"code", "message", "status"}}``.
Every request is recorded (method, kind, params, body) so tests can count and inspect them.

Seed it with ``fake.add_spreadsheet(key, {tab: rows}, hidden={...})``; cells may be ``datetime.date``
(stored as the serial number the API returns with ``SERIAL_NUMBER``). Inject failures with
``fake.fail(503)``, ``fake.fail(requests.ReadTimeout())`` or any answer at all with
``fake.fail(Canned(200, "<html>…", "text/html"))``; the token endpoint with ``fake.fail_token(...)``.
Use the ``fake_sheets`` fixture (register this module with ``pytest_plugins = ["tests.fake_sheets"]``).

A process that cannot be patched (the app server of a browser test) reaches the same fake over real HTTP:
``with serve_over_http(fake) as root:`` answers on a loopback port with the same request handling;
``root`` goes in the secrets as ``api_base_url`` and ``root + TOKEN_PATH`` as the key's ``token_uri``.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import http.server
import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import google.oauth2.credentials
import gspread
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gspread.utils import absolute_range_name, column_letter_to_index, rowcol_to_a1

API = "https://sheets.googleapis.com/v4/spreadsheets"
TOKEN_URL = "https://oauth2.googleapis.com/token"
SERVICE_ACCOUNT = "bcd502-reader@bcd502-demo.iam.gserviceaccount.com"
EPOCH = dt.date(1899, 12, 30)
STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
MESSAGES = {
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
    "other valid authentication credential.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of "
    "service 'sheets.googleapis.com' for consumer 'project_number:123456789012'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}
DISABLED = (
    "Google Sheets API has not been used in project 123456789012 before or it is disabled. Enable it by "
    "visiting https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project="
    "123456789012 then retry. If you enabled this API recently, wait a few minutes for the action to "
    "propagate to our systems and retry."
)


def service_account_info(email: str = SERVICE_ACCOUNT) -> dict[str, str]:
    """A service-account key (fresh RSA key) whose token exchange the fake answers."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return {
        "type": "service_account",
        "project_id": "bcd502-demo",
        "private_key_id": "abc123",
        "private_key": pem.decode(),
        "client_email": email,
        "client_id": "1234567890",
        "token_uri": TOKEN_URL,
    }


class StaticCredentials(google.oauth2.credentials.Credentials):
    """A bearer token that never needs refreshing, carrying a service-account e-mail for messages."""

    def __init__(self, token: str = "test", email: str = SERVICE_ACCOUNT):
        super().__init__(token=token)
        self.service_account_email = email


@dataclass(frozen=True)
class Canned:
    """An answer given as is (status, body, content type): an HTML page, cut-off JSON, JSON of another shape."""

    status: int
    body: str
    content_type: str = "application/json"

    def reply(self) -> tuple[int, dict[str, str], str]:
        return self.status, {"Content-Type": self.content_type}, self.body


class ApiError(Exception):
    """An error answer of the fake API."""

    def __init__(self, code: int, message: str | None = None, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code, self.message, self.details = code, message or MESSAGES.get(code, "Error"), details


@dataclass(frozen=True)
class Recorded:
    """One request the fake received."""

    method: str
    kind: str  # get | batchGet | values.get | values.update | values.append | batchUpdate | token
    key: str | None
    params: dict[str, list[str]]
    body: Any


@dataclass
class FakeTab:
    """One tab: API-shaped properties, stored cells and what batchUpdate added to it."""

    properties: dict[str, Any]
    rows: list[list[Any]]
    validations: list[dict[str, Any]] = field(default_factory=list)
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    formats: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    formulas: set[tuple[int, int]] = field(default_factory=set)

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def sheet_id(self) -> int:
        return self.properties["sheetId"]

    @property
    def grid(self) -> dict[str, Any]:
        return self.properties.setdefault("gridProperties", {})

    def values(self) -> list[list[Any]]:
        """Stored rows as the API returns them (ragged)."""
        return _ragged(self.rows)

    def write(self, row: int, column: int, value: Any) -> None:
        while len(self.rows) <= row:
            self.rows.append([])
        cells = self.rows[row]
        cells.extend([None] * (column + 1 - len(cells)))
        cells[column] = value


@dataclass
class FakeSpreadsheet:
    key: str
    title: str
    tabs: list[FakeTab]
    shared: bool = True
    time_zone: str = "Asia/Ho_Chi_Minh"

    def tab(self, title: str) -> FakeTab:
        return next(t for t in self.tabs if t.title == title)

    def resource(self) -> dict[str, Any]:
        """The full Spreadsheet resource (without grid data)."""
        sheets = []
        for index, tab in enumerate(self.tabs):
            properties = copy.deepcopy(tab.properties) | {"index": index, "sheetType": "GRID"}
            if not properties.get("hidden"):
                properties.pop("hidden", None)
            if not properties["gridProperties"].get("frozenRowCount"):
                properties["gridProperties"].pop("frozenRowCount", None)
            sheet: dict[str, Any] = {"properties": properties}
            if tab.protected_ranges:
                sheet["protectedRanges"] = copy.deepcopy(tab.protected_ranges)
            sheets.append(sheet)
        return {
            "spreadsheetId": self.key,
            "properties": {
                "title": self.title,
                "locale": "vi_VN",
                "autoRecalc": "ON_CHANGE",
                "timeZone": self.time_zone,
            },
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.key}/edit",
        }


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (value.date() - EPOCH).days + (
            value - dt.datetime.combine(value.date(), dt.time())
        ).total_seconds() / 86400
    if isinstance(value, dt.date):
        return (value - EPOCH).days
    return value


def _ragged(rows: Iterable[list[Any]]) -> list[list[Any]]:
    out = []
    for row in rows:
        cells = ["" if c is None else c for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def column_letter(index: int) -> str:
    """0 → A, 26 → AA."""
    return rowcol_to_a1(1, index + 1)[:-1]


def parse_fields(text: str) -> dict[str, Any]:
    """A field mask ``a(b,c),d.e`` as a tree; an empty dict means the whole value."""
    tree: dict[str, Any] = {}

    def parse(i: int, node: dict[str, Any]) -> int:
        while i < len(text):
            match = re.match(r"[A-Za-z_*]+(?:\.[A-Za-z_]+)*", text[i:])
            if not match:
                raise ApiError(400, f"Invalid field selection {text}")
            target = node
            for part in match.group(0).split("."):
                target = target.setdefault(part, {})
            i += match.end()
            if i < len(text) and text[i] == "(":
                i = parse(i + 1, target) + 1
            if i < len(text) and text[i] == ",":
                i += 1
                continue
            return i
        return i

    parse(0, tree)
    return tree


def apply_mask(value: Any, tree: dict[str, Any]) -> Any:
    if not tree or "*" in tree:
        return value
    if isinstance(value, list):
        return [apply_mask(item, tree) for item in value]
    if isinstance(value, dict):
        return {k: apply_mask(v, tree[k]) for k, v in value.items() if k in tree}
    return value


class FakeSheets:
    """The fake API: spreadsheets by key, injected failures, and the log of requests."""

    def __init__(self) -> None:
        self.spreadsheets: dict[str, FakeSpreadsheet] = {}
        self.requests: list[Recorded] = []
        self.failures: deque[tuple[str | None, int | Exception | Canned]] = deque()
        self.token_failures: deque[Canned] = deque()
        self.api_enabled = True
        self.on_reply: Callable[[Recorded], None] | None = None  # called with each answered request, answer ready
        self.token_error: str | None = None
        self.tokens = {"test"}
        self._next_id = 1000

    # -------------------------------------------------------------- seeding and inspection

    def add_spreadsheet(
        self,
        key: str,
        tabs: Mapping[str, list[list[Any]]],
        *,
        hidden: Iterable[str] = (),
        title: str = "BCĐ 502 — dữ liệu",
        shared: bool = True,
    ) -> FakeSpreadsheet:
        """A spreadsheet with the given tabs (in order); rows are stored as given, dates as serials."""
        hidden = set(hidden)
        fake_tabs = []
        for name, rows in tabs.items():
            stored = [[_cell(c) for c in row] for row in rows]
            properties = {
                "sheetId": self._new_id(),
                "title": name,
                "hidden": name in hidden,
                "gridProperties": {"rowCount": max(1000, len(stored)), "columnCount": max([26, *map(len, stored)])},
            }
            fake_tabs.append(FakeTab(properties, stored))
        self.spreadsheets[key] = FakeSpreadsheet(key, title, fake_tabs, shared)
        return self.spreadsheets[key]

    def fail(self, status: int | Exception | Canned, times: int = 1, kind: str | None = None) -> None:
        """The next ``times`` Sheets requests (of ``kind``, or any) fail with this status or exception, or
        get this canned answer."""
        self.failures.extend([(kind, status)] * times)

    def fail_token(self, answer: Canned, times: int = 1) -> None:
        """The next ``times`` token exchanges get this answer."""
        self.token_failures.extend([answer] * times)

    def count(self, kind: str | None = None) -> int:
        return sum(1 for r in self.requests if kind is None or r.kind == kind)

    def of_kind(self, kind: str) -> list[Recorded]:
        return [r for r in self.requests if r.kind == kind]

    def client(self, credentials: Any = None) -> gspread.Client:
        """gspread's real client with a static token (no token exchange)."""
        return gspread.Client(auth=credentials or StaticCredentials())

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # -------------------------------------------------------------- transport

    def install(self, mock: responses.RequestsMock) -> None:
        pattern = re.compile(re.escape(API) + r"/.*")
        for method in ("GET", "POST", "PUT"):
            mock.add_callback(method, pattern, callback=self._handle)
        mock.add_callback("POST", TOKEN_URL, callback=self._token)

    def _token(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.requests.append(Recorded("POST", "token", None, {}, None))
        if self.token_failures:
            return self.token_failures.popleft().reply()
        if self.token_error:
            return 400, {}, json.dumps({"error": self.token_error, "error_description": "Invalid JWT Signature."})
        self.tokens.add("sa-token")
        return 200, {}, json.dumps({"access_token": "sa-token", "expires_in": 3600, "token_type": "Bearer"})

    def _handle(self, request: Any) -> tuple[int, dict[str, str], str]:
        url = urlsplit(request.url)
        path = url.path.removeprefix("/v4/spreadsheets/")
        params = parse_qs(url.query, keep_blank_values=True)
        body = json.loads(request.body) if request.body else None
        key, kind, a1 = self._route(request.method, path)
        recorded = Recorded(request.method, kind, key, params, body)
        self.requests.append(recorded)
        try:
            failure = next((f for f in self.failures if f[0] in (None, kind)), None)
            if failure:
                self.failures.remove(failure)
                if isinstance(failure[1], Canned):
                    return failure[1].reply()
                if isinstance(failure[1], Exception):
                    raise failure[1]
                raise ApiError(failure[1])
            if not self.api_enabled:
                raise ApiError(
                    403,
                    DISABLED,
                    [
                        {
                            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                            "reason": "SERVICE_DISABLED",
                            "domain": "googleapis.com",
                        }
                    ],
                )
            if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
                raise ApiError(401)
            spreadsheet = self.spreadsheets.get(key)
            if spreadsheet is None:
                raise ApiError(404)
            if not spreadsheet.shared:
                raise ApiError(403)
            result = getattr(self, "_" + kind.replace(".", "_"))(spreadsheet, params, body, a1)
        except ApiError as error:
            payload: dict[str, Any] = {
                "code": error.code,
                "message": error.message,
                "status": STATUS.get(error.code, "UNKNOWN"),
            }
            if error.details:
                payload["details"] = error.details
            return error.code, {"Content-Type": "application/json"}, json.dumps({"error": payload})
        answer = json.dumps(result)  # the data as of now, even if the answer is held back below
        if self.on_reply:
            self.on_reply(recorded)
        return 200, {"Content-Type": "application/json"}, answer

    @staticmethod
    def _route(method: str, path: str) -> tuple[str, str, str | None]:
        key, rest = re.fullmatch(r"([A-Za-z0-9_-]+)(.*)", path).groups()
        if rest == "":
            return key, "get", None
        if rest == ":batchUpdate":
            return key, "batchUpdate", None
        if rest == "/values:batchGet":
            return key, "batchGet", None
        match = re.fullmatch(r"/values/([^/]+?)(:append)?", rest)
        if not match:
            return key, "unknown", None
        a1 = unquote(match.group(1))
        if match.group(2):
            return key, "values.append", a1
        return key, "values.update" if method == "PUT" else "values.get", a1

    # -------------------------------------------------------------- ranges

    @staticmethod
    def _parse_a1(spreadsheet: FakeSpreadsheet, a1: str) -> tuple[FakeTab, int, int | None, int, int | None]:
        """Tab and zero-based [row0, row1) × [col0, col1) of an A1 range (None: unbounded)."""
        quoted = re.fullmatch(r"'((?:[^']|'')*)'(?:!(.*))?", a1)
        if quoted:
            title, cells = quoted.group(1).replace("''", "'"), quoted.group(2)
        else:
            title, _, cells = a1.partition("!")
            cells = cells or None
            if "!" not in a1 and re.fullmatch(r"[A-Z]*\d*(:[A-Z]*\d*)?", a1) and a1:
                title, cells = spreadsheet.tabs[0].title, a1
        tab = next((t for t in spreadsheet.tabs if t.title == title), None)
        if tab is None:
            raise ApiError(400, f"Unable to parse range: {a1}")
        if not cells:
            return tab, 0, None, 0, None
        start, _, end = cells.partition(":")
        end = end or start
        (c0, r0), (c1, r1) = (re.fullmatch(r"([A-Z]*)(\d*)", part).groups() for part in (start, end))
        return (
            tab,
            int(r0) - 1 if r0 else 0,
            int(r1) if r1 else None,
            column_letter_to_index(c0) - 1 if c0 else 0,
            column_letter_to_index(c1) if c1 else None,
        )

    @staticmethod
    def _render(tab: FakeTab, r0: int, r1: int | None, c0: int, c1: int | None, params: dict[str, list[str]]) -> dict:
        if params.get("majorDimension", ["ROWS"])[0] != "ROWS":
            raise ApiError(400, "The fake supports majorDimension=ROWS only.")
        rows = _ragged(row[c0:c1] for row in tab.rows[r0:r1])
        if params.get("valueRenderOption", ["FORMATTED_VALUE"])[0] == "FORMATTED_VALUE":
            rows = [
                [
                    str(c).lower()
                    if isinstance(c, bool)
                    else str(int(c))
                    if isinstance(c, float) and c.is_integer()
                    else str(c)
                    for c in row
                ]
                for row in rows
            ]
        last_row = r1 or tab.grid["rowCount"]
        last_col = column_letter((c1 or tab.grid["columnCount"]) - 1)
        result: dict[str, Any] = {
            "range": f"{absolute_range_name(tab.title)}!{column_letter(c0)}{r0 + 1}:{last_col}{last_row}",
            "majorDimension": "ROWS",
        }
        if rows:
            result["values"] = rows
        return result

    # -------------------------------------------------------------- endpoints

    def _get(self, spreadsheet: FakeSpreadsheet, params: dict, body: Any, a1: Any) -> dict:
        resource = spreadsheet.resource()
        return apply_mask(resource, parse_fields(params["fields"][0])) if params.get("fields") else resource

    def _batchGet(self, spreadsheet: FakeSpreadsheet, params: dict, body: Any, a1: Any) -> dict:
        ranges = [self._render(*self._parse_a1(spreadsheet, r), params) for r in params.get("ranges", [])]
        return {"spreadsheetId": spreadsheet.key, "valueRanges": ranges}

    def _values_get(self, spreadsheet: FakeSpreadsheet, params: dict, body: Any, a1: str) -> dict:
        return self._render(*self._parse_a1(spreadsheet, a1), params)

    def _write(
        self, spreadsheet: FakeSpreadsheet, tab: FakeTab, row: int, col: int, values: list[list[Any]], params: dict
    ) -> dict:
        option = params.get("valueInputOption", [None])[0]
        if option not in ("RAW", "USER_ENTERED"):
            raise ApiError(400, "'valueInputOption' is required but not specified")
        for i, cells in enumerate(values):
            for j, value in enumerate(cells):
                if option == "USER_ENTERED" and isinstance(value, str) and value.startswith("="):
                    tab.formulas.add((row + i, col + j))
                tab.write(row + i, col + j, value)
        width = max(map(len, values), default=0)
        return {
            "spreadsheetId": spreadsheet.key,
            "updatedRows": len(values),
            "updatedColumns": width,
            "updatedCells": sum(map(len, values)),
            "updatedRange": f"{absolute_range_name(tab.title)}!{column_letter(col)}{row + 1}:"
            f"{column_letter(col + max(width, 1) - 1)}{row + max(len(values), 1)}",
        }

    def _values_update(self, spreadsheet: FakeSpreadsheet, params: dict, body: dict, a1: str) -> dict:
        tab, r0, _, c0, _ = self._parse_a1(spreadsheet, a1)
        return self._write(spreadsheet, tab, r0, c0, body.get("values", []), params)

    def _values_append(self, spreadsheet: FakeSpreadsheet, params: dict, body: dict, a1: str) -> dict:
        """Like the API: the rows go after the last row of the table (the tab's last non-empty row here),
        never over a row; insertDataOption is INSERT_ROWS or OVERWRITE (both write below the table)."""
        if params.get("insertDataOption", ["OVERWRITE"])[0] not in ("INSERT_ROWS", "OVERWRITE"):
            raise ApiError(400, "Invalid value at 'insert_data_option'")
        tab, _, _, c0, _ = self._parse_a1(spreadsheet, a1)
        updates = self._write(spreadsheet, tab, len(tab.values()), c0, body.get("values", []), params)
        return {"spreadsheetId": spreadsheet.key, "tableRange": absolute_range_name(tab.title), "updates": updates}

    def _batchUpdate(self, spreadsheet: FakeSpreadsheet, params: dict, body: dict, a1: Any) -> dict:
        draft = copy.deepcopy(spreadsheet)  # a batchUpdate applies entirely or not at all
        replies = []
        for index, request in enumerate(body.get("requests", [])):
            ((kind, payload),) = request.items()
            handler = getattr(self, f"_req_{kind}", None)
            if handler is None:
                raise ApiError(400, f"Invalid requests[{index}]: the fake does not support {kind}")
            replies.append(handler(draft, payload, index))
        spreadsheet.tabs = draft.tabs
        return {"spreadsheetId": spreadsheet.key, "replies": replies}

    # -------------------------------------------------------------- batchUpdate requests

    @staticmethod
    def _tab_by_id(spreadsheet: FakeSpreadsheet, sheet_id: int, index: int, kind: str) -> FakeTab:
        tab = next((t for t in spreadsheet.tabs if t.sheet_id == sheet_id), None)
        if tab is None:
            raise ApiError(400, f"Invalid requests[{index}].{kind}: No grid with id: {sheet_id}")
        return tab

    def _grid_range(
        self, spreadsheet: FakeSpreadsheet, grid_range: dict, index: int, kind: str
    ) -> tuple[FakeTab, int, int, int, int]:
        tab = self._tab_by_id(spreadsheet, grid_range.get("sheetId", 0), index, kind)
        rows, cols = tab.grid["rowCount"], tab.grid["columnCount"]
        r0, r1 = grid_range.get("startRowIndex", 0), grid_range.get("endRowIndex", rows)
        c0, c1 = grid_range.get("startColumnIndex", 0), grid_range.get("endColumnIndex", cols)
        if r1 > rows or c1 > cols:
            raise ApiError(
                400,
                f"Invalid requests[{index}].{kind}: Range ({absolute_range_name(tab.title)}!"
                f"{column_letter(c1 - 1)}{r1}) exceeds grid limits. Max rows: {rows}, max columns: {cols}",
            )
        return tab, r0, r1, c0, c1

    def _req_addSheet(self, spreadsheet: FakeSpreadsheet, payload: dict, index: int) -> dict:
        properties = copy.deepcopy(payload.get("properties", {}))
        properties.setdefault("sheetId", self._new_id())
        properties.setdefault("title", f"Sheet{len(spreadsheet.tabs) + 1}")
        properties.setdefault("hidden", False)
        grid = properties.setdefault("gridProperties", {})
        grid.setdefault("rowCount", 1000)
        grid.setdefault("columnCount", 26)
        if any(t.title == properties["title"] for t in spreadsheet.tabs):
            raise ApiError(
                400,
                f'Invalid requests[{index}].addSheet: A sheet with the name "{properties["title"]}" '
                "already exists. Please enter another name.",
            )
        if any(t.sheet_id == properties["sheetId"] for t in spreadsheet.tabs):
            raise ApiError(
                400, f"Invalid requests[{index}].addSheet: Sheet with id {properties['sheetId']} already exists."
            )
        position = properties.pop("index", len(spreadsheet.tabs))
        spreadsheet.tabs.insert(position, FakeTab(properties, []))
        return {"addSheet": {"properties": properties | {"index": position, "sheetType": "GRID"}}}

    def _req_updateSheetProperties(self, spreadsheet: FakeSpreadsheet, payload: dict, index: int) -> dict:
        source = payload["properties"]
        tab = self._tab_by_id(spreadsheet, source.get("sheetId", 0), index, "updateSheetProperties")
        for path in payload["fields"].split(","):
            *parents, leaf = path.strip().split(".")
            src, dst = source, tab.properties
            for part in parents:
                src, dst = src.get(part, {}), dst.setdefault(part, {})
            if leaf in src:
                dst[leaf] = src[leaf]
            else:
                dst.pop(leaf, None)
        return {}

    def _req_appendDimension(self, spreadsheet: FakeSpreadsheet, payload: dict, index: int) -> dict:
        tab = self._tab_by_id(spreadsheet, payload.get("sheetId", 0), index, "appendDimension")
        length = payload.get("length")
        if payload.get("dimension") not in ("ROWS", "COLUMNS") or not isinstance(length, int) or length < 1:
            raise ApiError(400, f"Invalid requests[{index}].appendDimension: length must be positive.")
        key = "rowCount" if payload["dimension"] == "ROWS" else "columnCount"
        tab.grid[key] = tab.grid.get(key, 0) + length
        return {}

    def _req_updateCells(self, spreadsheet: FakeSpreadsheet, payload: dict, index: int) -> dict:
        if "start" in payload:
            start = payload["start"]
            tab = self._tab_by_id(spreadsheet, start.get("sheetId", 0), index, "updateCells")
            r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
            width = max((len(r.get("values", [])) for r in payload["rows"]), default=0)
            self._grid_range(
                spreadsheet,
                {
                    "sheetId": tab.sheet_id,
                    "startRowIndex": r0,
                    "startColumnIndex": c0,
                    "endRowIndex": r0 + len(payload["rows"]),
                    "endColumnIndex": c0 + width,
                },
                index,
                "updateCells",
            )
        else:
            tab, r0, _, c0, _ = self._grid_range(spreadsheet, payload["range"], index, "updateCells")
        fields = {f.strip() for f in payload["fields"].split(",")}
        for i, row in enumerate(payload["rows"]):
            for j, cell in enumerate(row.get("values", [])):
                if "userEnteredValue" in fields or "*" in fields:
                    ((value_kind, value),) = cell.get("userEnteredValue", {"stringValue": None}).items()
                    if value_kind == "formulaValue":
                        tab.formulas.add((r0 + i, c0 + j))
                    tab.write(r0 + i, c0 + j, value)
                if any(f.startswith("userEnteredFormat") for f in fields) and "userEnteredFormat" in cell:
                    tab.formats[(r0 + i, c0 + j)] = cell["userEnteredFormat"]
        return {}

    def _req_setDataValidation(self, spreadsheet: FakeSpreadsheet, payload: dict, index: int) -> dict:
        tab, *_ = self._grid_range(spreadsheet, payload["range"], index, "setDataValidation")
        tab.validations = [v for v in tab.validations if v["range"] != payload["range"]]
        if payload.get("rule"):
            tab.validations.append({"range": payload["range"], "rule": payload["rule"]})
        return {}

    def _req_addProtectedRange(self, spreadsheet: FakeSpreadsheet, payload: dict, index: int) -> dict:
        protected = copy.deepcopy(payload["protectedRange"])
        tab, *_ = self._grid_range(spreadsheet, protected["range"], index, "addProtectedRange")
        protected["protectedRangeId"] = self._new_id()
        tab.protected_ranges.append(protected)
        return {"addProtectedRange": {"protectedRange": protected}}


@pytest.fixture
def fake_sheets() -> Iterator[FakeSheets]:
    """A fresh fake Sheets API; any other HTTP request fails with a connection error."""
    fake = FakeSheets()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        yield fake


TOKEN_PATH = "/token"


@contextlib.contextmanager
def serve_over_http(fake: FakeSheets) -> Iterator[str]:
    """The fake's own request handling behind a threaded HTTP server on a loopback port: its root address
    (Sheets API under ``/v4/spreadsheets``, token exchange at ``TOKEN_PATH``), stopped on exit. An injected
    exception (a time-out, a broken connection) drops the connection without an answer."""
    lock = threading.Lock()  # the fake is not thread-safe: one request at a time

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = SimpleNamespace(
                method=self.command,
                url=API.removesuffix("/v4/spreadsheets") + self.path,
                body=body,
                headers=self.headers,
            )
            try:
                with lock:
                    if self.command == "POST" and urlsplit(self.path).path == TOKEN_PATH:
                        status, headers, text = fake._token(request)
                    elif urlsplit(self.path).path.startswith("/v4/spreadsheets/"):
                        status, headers, text = fake._handle(request)
                    else:
                        status, headers, text = 404, {"Content-Type": "text/plain"}, "not found"
            except Exception:  # an injected failure: the connection breaks
                self.close_connection = True
                return
            payload = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", headers.get("Content-Type", "application/json"))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
