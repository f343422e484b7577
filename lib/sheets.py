"""Google Sheets source: two HTTP requests per refresh, bounded retries, Vietnamese errors.

One refresh is exactly one ``spreadsheets.get`` limited to sheet properties (which tabs exist,
which are hidden) and one ``values:batchGet`` for every requested tab that exists, with
``UNFORMATTED_VALUE`` and ``SERIAL_NUMBER`` so cells arrive as the cleaner expects them.
Transient failures (429, 5xx, time-outs, broken connections, cut-off answers) are retried with
exponential back-off and jitter; one refresh shares one budget of retries and one time cap across
its two requests. Every failure, whatever its shape (an error status, an HTML page, JSON missing
the expected keys), becomes a SheetsError whose Vietnamese message says what to fix; what the
libraries or Google said goes to the log, never to the user.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import google.auth.exceptions
import gspread
import requests
import tenacity
from google.auth.credentials import Credentials
from google.oauth2 import service_account
from gspread.exceptions import APIError, NoValidUrlKeyFound
from gspread.utils import absolute_range_name, extract_id_from_url

from .exceptions import (
    ApiDisabled,
    BCDError,
    CredentialsError,
    QuotaExceeded,
    SheetsError,
    SpreadsheetNotFound,
)
from .normalize import nfc
from .raw import RawData, RawTab, trim_rows

log = logging.getLogger(__name__)

READ_SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
WRITE_SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
CREDENTIAL_ENV_VARS = ("BCD502_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS")
METADATA_FIELDS = "properties(title,timeZone),sheets.properties(sheetId,title,index,hidden)"
VALUE_PARAMS = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}
SHEETS_HOST = "docs.google.com"
GOOGLE_API_ROOT = "https://sheets.googleapis.com"  # what gspread.urls builds every Sheets API address on
API_BASE_KEY = "api_base_url"
KEY_RE = re.compile(r"[A-Za-z0-9_-]{25,}")  # a bare spreadsheet key, as it appears in the address
ENABLE_API_URL = "https://console.cloud.google.com/apis/library/sheets.googleapis.com"
_CONSOLE_URL_RE = re.compile(r"https://console\.(?:developers|cloud)\.google\.com/[^\s\"']+")

NO_CREDENTIALS = (
    "Chưa cấu hình khoá tài khoản dịch vụ Google nên không đọc được Google Sheets. Chọn một cách: "
    "(1) điền bảng [connections.gsheets] trong .streamlit/secrets.toml theo mẫu .streamlit/secrets.toml.example; "
    "(2) đặt biến môi trường BCD502_CREDENTIALS (hoặc GOOGLE_APPLICATION_CREDENTIALS) là đường dẫn tới tệp khoá JSON; "
    "(3) khi chạy dòng lệnh, thêm --credentials TỆP_KHOÁ.json. Hướng dẫn chi tiết: docs/google-sheets.md."
)
MALFORMED = (
    "Google Sheets trả lời không đúng dạng mong đợi (thiếu dữ liệu hoặc không phải dữ liệu bảng tính), "
    "thường do sự cố tạm thời của Google hoặc mạng nội bộ chặn kết nối. Thử làm mới lại sau ít phút; "
    "nếu lặp lại, báo cho quản trị mạng kiểm tra kết nối tới Google."
)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry transient failures: attempts, back-off bounds and a total time cap (seconds).

    For one refresh (two requests) ``attempts`` bounds the requests of each call and ``attempts - 1``
    the retries of the whole refresh; ``total_seconds`` caps the waiting of the whole refresh."""

    attempts: int = 5
    initial_wait: float = 1.0
    max_wait: float = 16.0
    total_seconds: float = 30.0
    timeout: tuple[float, float] = (10.0, 60.0)  # connect, read


class RetryBudget:
    """The retries and the time left to one refresh, shared by its requests."""

    def __init__(self, policy: RetryPolicy):
        self.retries = max(policy.attempts - 1, 0)
        self.deadline = time.monotonic() + policy.total_seconds

    def seconds_left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)


def spreadsheet_key(spec: str) -> str:
    """The spreadsheet key of a Google Sheets address or bare key."""
    spec = spec.strip()
    try:
        parts = urlsplit(spec if "://" in spec else f"https://{spec}")
        if parts.hostname == SHEETS_HOST and parts.path.startswith("/spreadsheets/"):
            return extract_id_from_url(spec)
    except (ValueError, NoValidUrlKeyFound):
        pass
    if KEY_RE.fullmatch(spec):
        return spec
    raise SheetsError(
        f"«{spec}» không phải đường dẫn hay mã bảng tính Google Sheets. "
        "Hãy dán đường dẫn dạng https://docs.google.com/spreadsheets/d/<mã>/edit."
    )


def is_google_sheet(spec: str) -> bool:
    """True when the source text is a Google Sheets address or a bare spreadsheet key."""
    try:
        spreadsheet_key(spec)
    except SheetsError:
        return False
    return True


# ---------------------------------------------------------------- credentials


def _service_account_info(info: Mapping[str, Any]) -> dict[str, Any]:
    """Service-account fields of a secrets table (drops ``spreadsheet`` and ``api_base_url``; repairs escaped
    newlines)."""
    fields = {key: value for key, value in dict(info).items() if key not in ("spreadsheet", API_BASE_KEY)}
    if isinstance(fields.get("private_key"), str):
        fields["private_key"] = fields["private_key"].replace("\\n", "\n")
    return fields


def load_credentials(
    *,
    credentials_file: str | None = None,
    credentials_info: Mapping[str, Any] | None = None,
    scopes: tuple[str, ...] = READ_SCOPES,
) -> Credentials:
    """Service-account credentials from secrets, a key file, or the environment (in that order)."""
    if credentials_info:
        try:
            return service_account.Credentials.from_service_account_info(
                _service_account_info(credentials_info), scopes=list(scopes)
            )
        except (ValueError, KeyError, TypeError) as error:
            log.warning("Service-account key in secrets rejected: %r", error)
            raise CredentialsError(
                "Khoá tài khoản dịch vụ trong secrets ([connections.gsheets]) không hợp lệ. Hãy chép lại đủ "
                "các trường của tệp khoá JSON (type, client_email, private_key, token_uri, …) theo mẫu "
                ".streamlit/secrets.toml.example."
            ) from error
    path = credentials_file or next((os.environ[v] for v in CREDENTIAL_ENV_VARS if os.environ.get(v)), None)
    if not path:
        raise CredentialsError(NO_CREDENTIALS)
    name = Path(path).name
    try:
        info = json.loads(Path(path).expanduser().read_text(encoding="utf-8"))
        return service_account.Credentials.from_service_account_info(info, scopes=list(scopes))
    except FileNotFoundError as error:
        log.warning("Service-account key file %s not found", path)
        raise CredentialsError(
            f"Không tìm thấy tệp khoá tài khoản dịch vụ «{name}». "
            "Kiểm tra lại đường dẫn (--credentials hoặc biến môi trường BCD502_CREDENTIALS)."
        ) from error
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        log.warning("Service-account key file %s rejected: %r", path, error)
        raise CredentialsError(
            f"Tệp khoá «{name}» không phải khoá JSON hợp lệ của tài khoản dịch vụ. "
            "Tải lại khoá JSON trong Google Cloud Console (IAM → Tài khoản dịch vụ → Khoá)."
        ) from error


# ---------------------------------------------------------------- API address


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def api_base_url(info: Mapping[str, Any] | None) -> str | None:
    """The Sheets API root of ``api_base_url`` in the secrets table (a private proxy, or a local stand-in
    of the API in tests), None for Google's own address.

    It replaces ``https://sheets.googleapis.com`` in every request; it must be an https address, or an
    http one on this machine (localhost), with no query, fragment or user name and password."""
    value = (info or {}).get(API_BASE_KEY)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    problem = None
    try:
        parts = urlsplit(value.strip()) if isinstance(value, str) else None
        host = parts.hostname if parts else None
        if parts is None or parts.scheme not in ("https", "http") or not host:
            problem = "phải là một địa chỉ đầy đủ bắt đầu bằng https://"
        elif parts.scheme == "http" and not _is_loopback(host):
            problem = "chỉ được dùng http:// cho máy này (localhost); địa chỉ khác phải dùng https://"
        elif parts.query or parts.fragment or parts.username or parts.password:
            problem = "không được chứa dấu ?, # hay tên đăng nhập, mật khẩu"
        else:
            _ = parts.port  # raises on a malformed port
    except ValueError:
        problem = "không đúng dạng địa chỉ (kiểm tra số cổng)"
    if problem:
        raise CredentialsError(
            f"Khoá {API_BASE_KEY} trong [connections.gsheets] của .streamlit/secrets.toml {problem}, ví dụ "
            "https://proxy.donvi.gov.vn. Bỏ khoá này để dùng thẳng địa chỉ của Google."
        )
    return value.strip().rstrip("/")


class _RebasedHTTPClient(gspread.HTTPClient):
    """gspread's HTTP client sending the Sheets API requests to another root (``api_base_url``)."""

    base_url = GOOGLE_API_ROOT

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        if endpoint.startswith(GOOGLE_API_ROOT + "/"):
            endpoint = self.base_url + endpoint[len(GOOGLE_API_ROOT) :]
        return super().request(method, endpoint, *args, **kwargs)


def authorize(
    credentials: Credentials,
    timeout: tuple[float, float] | None = RetryPolicy.timeout,
    *,
    base_url: str | None = None,
) -> gspread.Client:
    """A gspread client with request time-outs, talking to ``base_url`` instead of Google when given."""
    if base_url:
        http_client = type("RebasedHTTPClient", (_RebasedHTTPClient,), {"base_url": base_url})
        client = gspread.authorize(credentials, http_client=http_client)
    else:
        client = gspread.authorize(credentials)
    client.set_timeout(timeout)
    return client


def service_account_email(client: gspread.Client | gspread.HTTPClient) -> str | None:
    """The e-mail the spreadsheet must be shared with, when the client's credentials have one."""
    http = getattr(client, "http_client", client)
    return getattr(getattr(http, "auth", None), "service_account_email", None)


# ---------------------------------------------------------------- retries and error translation


def _unreadable_token_answer(error: google.auth.exceptions.RefreshError) -> bool:
    """Whether the token endpoint answered with something other than a token or an OAuth error (an
    HTML page, an empty object): a network or Google problem, not a rejected key."""
    answers = [arg for arg in error.args[1:] if isinstance(arg, dict)]
    if answers:
        return not any("error" in answer for answer in answers)
    return "<" in str(error.args[0] if error.args else "")


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, APIError):
        return error.response.status_code == 429 or error.response.status_code >= 500
    if isinstance(error, google.auth.exceptions.RefreshError):
        return bool(getattr(error, "retryable", False)) or _unreadable_token_answer(error)
    if isinstance(error, requests.exceptions.JSONDecodeError):  # a cut-off or HTML answer
        return True
    return isinstance(error, (requests.ConnectionError, requests.Timeout, google.auth.exceptions.TransportError))


def _api_disabled_url(error: APIError) -> str | None:
    """The console link to enable the API when Google says it is disabled, else None."""
    details = error.error.get("details") or []
    reasons = {d.get("reason") for d in details if isinstance(d, dict)}
    message = str(error.error.get("message", ""))
    if "SERVICE_DISABLED" in reasons or re.search(r"has not been used in project|is disabled", message):
        match = _CONSOLE_URL_RE.search(message)
        return match.group(0).rstrip(".") if match else ENABLE_API_URL
    return None


def translate_error(error: Exception, *, key: str, email: str | None, attempts: int) -> SheetsError:
    """A Vietnamese SheetsError for what gspread, google-auth or requests raised (or anything else)."""
    who = email or "tài khoản dịch vụ (địa chỉ client_email trong tệp khoá)"
    share = f"Mở bảng tính, bấm «Chia sẻ» và thêm {who} với quyền Người xem (Người chỉnh sửa nếu cần tạo tab)."
    if isinstance(error, APIError):
        status = error.response.status_code
        if status == 404:
            return SpreadsheetNotFound(
                f"Không tìm thấy bảng tính Google Sheets có mã {key}, hoặc bảng tính chưa "
                f"được chia sẻ cho {who}. Kiểm tra lại đường dẫn. {share}"
            )
        if status == 403:
            url = _api_disabled_url(error)
            if url:
                return ApiDisabled(
                    "Google Sheets API chưa được bật cho dự án Google Cloud của tài khoản dịch vụ. "
                    f"Mở {url} , bấm «Bật» (Enable), đợi vài phút rồi làm mới lại."
                )
            return SpreadsheetNotFound(f"Bảng tính {key} chưa được chia sẻ cho {who}. {share}")
        if status == 401:
            return _invalid_key(who)
        if status == 429:
            return QuotaExceeded(
                f"Google Sheets báo vượt hạn mức số lần đọc (đã thử {attempts} lần). Đợi khoảng "
                "một phút rồi làm mới lại; nếu lặp lại thường xuyên, hãy tăng cache_ttl_seconds "
                "trong config/settings.yaml."
            )
        if status >= 500:
            return SheetsError(
                f"Máy chủ Google Sheets đang gặp sự cố (mã {status}, đã thử {attempts} lần). Thử lại sau ít phút."
            )
        return SheetsError(
            f"Google Sheets từ chối yêu cầu (mã {status}). Kiểm tra lại đường dẫn bảng tính và quyền của "
            f"{who}, rồi làm mới lại."
        )
    if isinstance(error, google.auth.exceptions.RefreshError):
        if not _unreadable_token_answer(error):
            return _invalid_key(who)
        return SheetsError(
            f"Máy chủ cấp quyền của Google trả lời không đúng dạng (đã thử {attempts} lần), thường do sự cố "
            "tạm thời hoặc mạng nội bộ chặn kết nối tới Google. Thử lại sau ít phút."
        )
    if isinstance(error, requests.exceptions.JSONDecodeError):
        return SheetsError(MALFORMED)
    if isinstance(error, (requests.RequestException, google.auth.exceptions.TransportError)):
        return SheetsError(
            f"Không kết nối được tới Google Sheets (đã thử {attempts} lần). Kiểm tra kết nối mạng rồi thử lại."
        )
    return SheetsError(MALFORMED)


def _invalid_key(who: str) -> CredentialsError:
    return CredentialsError(
        f"Khoá của {who} không hợp lệ hoặc đã bị thu hồi. Tạo khoá JSON mới "
        "trong Google Cloud Console (IAM → Tài khoản dịch vụ → Khoá) rồi cập nhật secrets "
        "hoặc tệp khoá."
    )


def call_with_retry(
    func: Callable[[], T], policy: RetryPolicy, *, key: str, email: str | None, budget: RetryBudget | None = None
) -> T:
    """Run one API call, retrying transient failures (within ``budget`` when one is shared by several
    calls); any final failure becomes a SheetsError, its details logged."""
    retries = policy.attempts - 1 if budget is None else budget.retries
    seconds = policy.total_seconds if budget is None else budget.seconds_left()
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(retries + 1) | tenacity.stop_before_delay(seconds),
        wait=tenacity.wait_exponential(multiplier=policy.initial_wait, max=policy.max_wait)
        + tenacity.wait_random(0, policy.initial_wait),
        retry=tenacity.retry_if_exception(_is_transient),
        reraise=True,
    )
    try:
        return retrying(func)
    except BCDError:
        raise
    except Exception as error:
        attempts = retrying.statistics.get("attempt_number", 1)
        log.warning("Google Sheets request for %s failed after %d attempt(s): %r", key, attempts, error)
        raise translate_error(error, key=key, email=email, attempts=attempts) from error
    finally:
        if budget is not None:
            budget.retries -= retrying.statistics.get("attempt_number", 1) - 1


# ---------------------------------------------------------------- answers of an unexpected shape


def _malformed(key: str, what: str) -> SheetsError:
    log.warning("Unexpected Google Sheets answer for %s: %s", key, what)
    return SheetsError(MALFORMED)


def _sheet_properties(meta: Any, key: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The ``properties`` of each tab and of the spreadsheet, checked for the fields used."""
    if not isinstance(meta, dict) or not isinstance(meta.get("sheets"), list):
        raise _malformed(key, f"metadata without a sheets list: {str(meta)[:200]}")
    properties = meta.get("properties", {})
    if not isinstance(properties, dict):
        raise _malformed(key, "spreadsheet properties are not an object")
    tabs = []
    for sheet in meta["sheets"]:
        tab = sheet.get("properties") if isinstance(sheet, dict) else None
        if not isinstance(tab, dict) or not isinstance(tab.get("title"), str):
            raise _malformed(key, f"sheet without properties.title: {str(sheet)[:200]}")
        tabs.append(tab)
    return tabs, properties


def _tab_values(body: Any, count: int, key: str) -> list[list[list[Any]]]:
    """The rows of each of the ``count`` ranges asked for, checked to be rows of plain cells."""
    if not isinstance(body, dict) or not isinstance(body.get("valueRanges"), list):
        raise _malformed(key, f"batchGet answer without valueRanges: {str(body)[:200]}")
    ranges = body["valueRanges"]
    if len(ranges) != count:
        raise SheetsError(f"Google Sheets trả về {len(ranges)}/{count} tab; dữ liệu chưa đầy đủ, hãy làm mới lại.")
    tabs = []
    for value_range in ranges:
        rows = value_range.get("values", []) if isinstance(value_range, dict) else None
        if not isinstance(rows, list) or not all(
            isinstance(row, list) and not any(isinstance(cell, (list, dict)) for cell in row) for row in rows
        ):
            raise _malformed(key, f"value range of an unexpected shape: {str(value_range)[:200]}")
        tabs.append([[_valid_text(cell) if type(cell) is str else cell for cell in row] for row in rows])
    return tabs


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_text(cell: str) -> str:
    """Text a JSON answer may carry as a lone surrogate (an invalid character that breaks grouping and
    the text columns downstream) with that character replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", cell) if _LONE_SURROGATE.search(cell) else cell


# ---------------------------------------------------------------- the source


def _zone(time_zone: str | None) -> dt.tzinfo | None:
    """The spreadsheet's time zone when it is known (else the server's)."""
    try:
        return ZoneInfo(time_zone) if time_zone else None
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None


class GoogleSheetsSource:
    """A Google Spreadsheet read through gspread's client, two requests per fetch."""

    def __init__(
        self, key: str, client: gspread.Client, *, email: str | None = None, retry: RetryPolicy = RetryPolicy()
    ):
        self.key = key
        self.client = client
        self.email = email or service_account_email(client)
        self.retry = retry
        self.source_id = f"gsheet:{key}"
        self.label = f"Google Sheets {key}"

    @classmethod
    def from_spec(
        cls,
        spec: str,
        *,
        credentials_file: str | None = None,
        credentials_info: Mapping[str, Any] | None = None,
        retry: RetryPolicy = RetryPolicy(),
    ) -> GoogleSheetsSource:
        """The source for an address or key, with credentials from secrets, a file or the environment."""
        key = spreadsheet_key(spec)
        base_url = api_base_url(credentials_info)
        credentials = load_credentials(credentials_file=credentials_file, credentials_info=credentials_info)
        return cls(key, authorize(credentials, retry.timeout, base_url=base_url), retry=retry)

    def fetch(self, tab_names: list[str]) -> RawData:
        """The requested tabs that exist (a missing tab is simply absent), with every tab title.

        ``fetched_at`` is when the request that returned the values was sent (the last attempt of
        ``values:batchGet``, or of the metadata call when no requested tab exists): what the data
        is as of, so snapshots of overlapping refreshes are ordered by their data."""
        http = self.client.http_client
        budget = RetryBudget(self.retry)
        asked: list[dt.datetime] = []

        def call(func: Callable[[], T]) -> T:
            def attempt() -> T:
                asked.append(dt.datetime.now(dt.UTC))
                return func()

            return call_with_retry(attempt, self.retry, key=self.key, email=self.email, budget=budget)

        meta = call(lambda: http.fetch_sheet_metadata(self.key, params={"fields": METADATA_FIELDS}))
        sheets, properties = _sheet_properties(meta, self.key)
        by_name = {nfc(p["title"]): p for p in sheets}
        present = {name: by_name[nfc(name)] for name in tab_names if nfc(name) in by_name}
        tabs: dict[str, RawTab] = {}
        if present:
            ranges = [absolute_range_name(p["title"]) for p in present.values()]
            body = call(lambda: http.values_batch_get(self.key, ranges, params=dict(VALUE_PARAMS)))
            values = _tab_values(body, len(ranges), self.key)
            tabs = {
                name: RawTab(name, trim_rows(rows), hidden=bool(props.get("hidden")))
                for (name, props), rows in zip(present.items(), values)
            }
        title = properties.get("title") if isinstance(properties.get("title"), str) else None
        time_zone = properties.get("timeZone") if isinstance(properties.get("timeZone"), str) else None
        self.label = f"Google Sheets «{title or self.key}»"
        return RawData(
            tabs=tabs,
            available=[p["title"] for p in sheets],
            source_id=self.source_id,
            source_label=self.label,
            fetched_at=asked[-1].astimezone(_zone(time_zone)),
            extra={"title": title, "time_zone": time_zone},
        )
