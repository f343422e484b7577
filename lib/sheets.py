"""Google Sheets source: two HTTP requests per refresh, bounded retries, Vietnamese errors.

One refresh is exactly one ``spreadsheets.get`` limited to sheet properties (which tabs exist,
which are hidden) and one ``values:batchGet`` for every requested tab that exists, with
``UNFORMATTED_VALUE`` and ``SERIAL_NUMBER`` so cells arrive as the cleaner expects them.
Transient failures (429, 5xx, time-outs, broken connections) are retried with exponential
back-off and jitter under a total time cap; every other failure becomes a SheetsError subclass
whose message says what to fix.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import google.auth.exceptions
import gspread
import requests
import tenacity
from google.auth.credentials import Credentials
from google.oauth2 import service_account
from gspread.exceptions import APIError

from .exceptions import ApiDisabled, CredentialsError, QuotaExceeded, SheetsError, SpreadsheetNotFound
from .normalize import nfc
from .source import SHEETS_KEY_RE, SHEETS_URL_RE, RawData, RawTab, trim_rows

READ_SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
WRITE_SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
CREDENTIAL_ENV_VARS = ("BCD502_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS")
METADATA_FIELDS = "properties(title,timeZone),sheets.properties(sheetId,title,index,hidden)"
VALUE_PARAMS = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}
ENABLE_API_URL = "https://console.cloud.google.com/apis/library/sheets.googleapis.com"
_CONSOLE_URL_RE = re.compile(r"https://console\.(?:developers|cloud)\.google\.com/[^\s\"']+")

NO_CREDENTIALS = (
    "Chưa cấu hình khoá tài khoản dịch vụ Google nên không đọc được Google Sheets. Chọn một cách: "
    "(1) điền bảng [connections.gsheets] trong .streamlit/secrets.toml theo mẫu .streamlit/secrets.toml.example; "
    "(2) đặt biến môi trường BCD502_CREDENTIALS (hoặc GOOGLE_APPLICATION_CREDENTIALS) là đường dẫn tới tệp khoá JSON; "
    "(3) khi chạy dòng lệnh, thêm --credentials TỆP_KHOÁ.json. Hướng dẫn chi tiết: docs/google-sheets.md."
)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry transient failures: attempts, back-off bounds and a total time cap (seconds)."""

    attempts: int = 5
    initial_wait: float = 1.0
    max_wait: float = 16.0
    total_seconds: float = 30.0
    timeout: tuple[float, float] = (10.0, 60.0)  # connect, read


def spreadsheet_key(spec: str) -> str:
    """The spreadsheet key of a Google Sheets URL or bare key."""
    spec = spec.strip()
    match = SHEETS_URL_RE.search(spec)
    if match:
        return match.group(1)
    if SHEETS_KEY_RE.match(spec):
        return spec
    raise SheetsError(
        f"«{spec}» không phải đường dẫn hay mã bảng tính Google Sheets. "
        "Hãy dán đường dẫn dạng https://docs.google.com/spreadsheets/d/<mã>/edit."
    )


def quote_sheet_name(title: str) -> str:
    """A tab title as an A1 range covering the whole tab: quoted, apostrophes doubled."""
    return "'" + title.replace("'", "''") + "'"


# ---------------------------------------------------------------- credentials


def _service_account_info(info: Mapping[str, Any]) -> dict[str, Any]:
    """Service-account fields of a secrets table (drops ``spreadsheet``; repairs escaped newlines)."""
    fields = {key: value for key, value in dict(info).items() if key != "spreadsheet"}
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
        except (ValueError, KeyError) as error:
            raise CredentialsError(
                "Khoá tài khoản dịch vụ trong secrets ([connections.gsheets]) không hợp lệ "
                f"({error}). Hãy chép lại đủ các trường của tệp khoá JSON (type, client_email, private_key, "
                "token_uri, …) theo mẫu .streamlit/secrets.toml.example."
            ) from error
    path = credentials_file or next((os.environ[v] for v in CREDENTIAL_ENV_VARS if os.environ.get(v)), None)
    if not path:
        raise CredentialsError(NO_CREDENTIALS)
    try:
        info = json.loads(Path(path).expanduser().read_text(encoding="utf-8"))
        return service_account.Credentials.from_service_account_info(info, scopes=list(scopes))
    except FileNotFoundError as error:
        raise CredentialsError(
            f"Không tìm thấy tệp khoá tài khoản dịch vụ {path}. "
            "Kiểm tra lại đường dẫn (--credentials hoặc biến môi trường BCD502_CREDENTIALS)."
        ) from error
    except (OSError, ValueError, KeyError, AttributeError) as error:
        raise CredentialsError(
            f"Tệp khoá {path} không phải khoá JSON hợp lệ của tài khoản dịch vụ ({error}). "
            "Tải lại khoá JSON trong Google Cloud Console (IAM → Tài khoản dịch vụ → Khoá)."
        ) from error


def authorize(credentials: Credentials, timeout: tuple[float, float] | None = RetryPolicy.timeout) -> gspread.Client:
    """A gspread client with request time-outs."""
    client = gspread.authorize(credentials)
    client.set_timeout(timeout)
    return client


def service_account_email(client: gspread.Client | gspread.HTTPClient) -> str | None:
    """The e-mail the spreadsheet must be shared with, when the client's credentials have one."""
    http = getattr(client, "http_client", client)
    return getattr(getattr(http, "auth", None), "service_account_email", None)


# ---------------------------------------------------------------- retries and error translation


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, APIError):
        return error.response.status_code == 429 or error.response.status_code >= 500
    if isinstance(error, google.auth.exceptions.RefreshError):
        return bool(getattr(error, "retryable", False))
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
    """A Vietnamese SheetsError for what gspread, google-auth or requests raised."""
    who = email or "tài khoản dịch vụ (địa chỉ client_email trong tệp khoá)"
    share = f"Mở bảng tính, bấm «Chia sẻ» và thêm {who} với quyền Người xem (Người chỉnh sửa nếu cần tạo tab)."
    if isinstance(error, APIError):
        status, detail = error.response.status_code, error.error.get("message", "")
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
            return _invalid_key(who, detail)
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
        return SheetsError(f"Google Sheets từ chối yêu cầu (mã {status}): {detail}")
    if isinstance(error, google.auth.exceptions.RefreshError) and not _is_transient(error):
        return _invalid_key(who, str(error))
    return SheetsError(
        f"Không kết nối được tới Google Sheets (đã thử {attempts} lần: {type(error).__name__}). "
        "Kiểm tra kết nối mạng rồi thử lại."
    )


def _invalid_key(who: str, detail: str) -> CredentialsError:
    return CredentialsError(
        f"Khoá của {who} không hợp lệ hoặc đã bị thu hồi ({detail}). Tạo khoá JSON mới "
        "trong Google Cloud Console (IAM → Tài khoản dịch vụ → Khoá) rồi cập nhật secrets "
        "hoặc tệp khoá."
    )


def call_with_retry(func: Callable[[], T], policy: RetryPolicy, *, key: str, email: str | None) -> T:
    """Run one API call, retrying transient failures; translate the final failure."""
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.attempts) | tenacity.stop_before_delay(policy.total_seconds),
        wait=tenacity.wait_exponential(multiplier=policy.initial_wait, max=policy.max_wait)
        + tenacity.wait_random(0, policy.initial_wait),
        retry=tenacity.retry_if_exception(_is_transient),
        reraise=True,
    )
    try:
        return retrying(func)
    except (APIError, requests.RequestException, google.auth.exceptions.GoogleAuthError) as error:
        attempts = retrying.statistics.get("attempt_number", 1)
        raise translate_error(error, key=key, email=email, attempts=attempts) from error


# ---------------------------------------------------------------- the source


def _now(time_zone: str | None) -> dt.datetime:
    """Now, in the spreadsheet's time zone when it is known."""
    try:
        return dt.datetime.now(ZoneInfo(time_zone)) if time_zone else dt.datetime.now().astimezone()
    except (ZoneInfoNotFoundError, ValueError):
        return dt.datetime.now().astimezone()


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
        """The source for a URL or key, with credentials from secrets, a file or the environment."""
        key = spreadsheet_key(spec)
        credentials = load_credentials(credentials_file=credentials_file, credentials_info=credentials_info)
        return cls(key, authorize(credentials, retry.timeout), retry=retry)

    def _call(self, func: Callable[[], T]) -> T:
        return call_with_retry(func, self.retry, key=self.key, email=self.email)

    def fetch(self, tab_names: list[str]) -> RawData:
        """The requested tabs that exist (a missing tab is simply absent), with every tab title."""
        http = self.client.http_client
        meta = self._call(lambda: http.fetch_sheet_metadata(self.key, params={"fields": METADATA_FIELDS}))
        sheets = [sheet["properties"] for sheet in meta.get("sheets", [])]
        by_name = {nfc(p["title"]): p for p in sheets}
        present = {name: by_name[nfc(name)] for name in tab_names if nfc(name) in by_name}
        tabs: dict[str, RawTab] = {}
        if present:
            ranges = [quote_sheet_name(p["title"]) for p in present.values()]
            body = self._call(lambda: http.values_batch_get(self.key, ranges, params=dict(VALUE_PARAMS)))
            value_ranges = body.get("valueRanges", [])
            if len(value_ranges) != len(ranges):
                raise SheetsError(
                    f"Google Sheets trả về {len(value_ranges)}/{len(ranges)} tab; dữ liệu chưa đầy đủ, hãy làm mới lại."
                )
            tabs = {
                name: RawTab(name, trim_rows(vr.get("values", [])), hidden=bool(props.get("hidden")))
                for (name, props), vr in zip(present.items(), value_ranges)
            }
        properties = meta.get("properties", {})
        self.label = f"Google Sheets «{properties.get('title') or self.key}»"
        return RawData(
            tabs=tabs,
            available=[p["title"] for p in sheets],
            source_id=self.source_id,
            source_label=self.label,
            fetched_at=_now(properties.get("timeZone")),
            extra={"title": properties.get("title"), "time_zone": properties.get("timeZone")},
        )
