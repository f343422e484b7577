"""Entering one activity row: the form's choices, the check by the cleaner's own rules, and the write.

A row is checked by running ``clean`` on a one-row tab, so it passes exactly the rules the dashboard
applies later; nothing is written while an error remains. The write appends to the organisation's
tab with an id («Mã dòng»):

- Google Sheets: ``values:append`` with RAW input (no formula is ever evaluated), an explicit table
  range and INSERT_ROWS (a row typed in the sheet at the same moment is never overwritten). A
  transient failure (timeout, 429, 5xx) is retried a bounded number of times, and before each resend
  the id column is read: a row whose first attempt did land is never written twice.
- A workbook (offline use): the row is appended to a copy written next to the file, which then
  replaces it in one step (``os.replace``), so a crash never leaves half a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import tempfile
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gspread
import openpyxl
import tenacity
from gspread.utils import ValueInputOption, a1_to_rowcol, rowcol_to_a1

from .catalogue import Catalogues
from .clean import clean
from .config import Commune, Config, Organisation
from .exceptions import BCDError
from .problems import ERROR
from .raw import RawData, RawTab
from .sheet_setup import missing_entry_headers
from .sheets import RetryPolicy, _is_transient, call_with_retry, translate_error

ENTRY_CODES = ("entered", "row_id")  # written by the entry itself, not typed
_WORKBOOK_LOCK = threading.Lock()


# ---------------------------------------------------------------- the form's choices


def communes_on(config: Config, day: dt.date) -> list[Commune]:
    """The communes of the unit on ``day`` (a merged commune is offered until its last day only)."""
    return [c for c in config.history.communes if c.valid_in(day, day)]


def commune_choices(config: Config, day: dt.date) -> list[str]:
    """The «Xã» choices for a row dated ``day``: the whole unit, then the communes of that day."""
    return [config.unit.whole_unit_label, *(c.name for c in communes_on(config, day))]


def village_choices(config: Config, commune: str, day: dt.date) -> list[str]:
    """The villages of a commune on ``day`` (none for the whole unit)."""
    found = next((c for c in config.history.communes if c.name == commune), None)
    return [v.name for v in found.villages if v.valid_in(day, day)] if found else []


def activity_type_choices(config: Config, programme: str | None) -> list[str]:
    """The activity types of a programme (code), all of them when none is chosen."""
    return [a.name for a in config.activity_types.values() if programme is None or a.programme == programme]


def typed_fields(config: Config) -> list[str]:
    """Codes of the fields a person types (the entry fills Ngày nhập and Mã dòng)."""
    return [code for code in config.fields if code not in ENTRY_CODES]


# ---------------------------------------------------------------- the check


@dataclass
class Checked:
    """A row after the check: the values to write (by field or measure code) and the problems by code."""

    values: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return value.strip() if isinstance(value, str) else value


def check(config: Config, organisation: Organisation, typed: Mapping[str, Any], today: dt.date) -> Checked:
    """Check one row typed in the form (field and measure codes → what was typed; a date may be a date)
    with the cleaner's rules, as row 2 of the organisation's tab. Numbers are read Vietnamese style."""
    codes = [*typed_fields(config), *config.measures]
    names = {**{c: f.name for c, f in config.fields.items()}, **{c: m.name for c, m in config.measures.items()}}
    cells = [_text(typed.get(code)) if typed.get(code) not in (None, "") else "" for code in codes]
    tabs = {tab: [] for tab in config.organisation_tabs}
    tabs[organisation.tab] = [[names[c] for c in codes], cells]
    raw = RawData(tabs={t: RawTab(t, rows) for t, rows in tabs.items()}, available=list(tabs), source_id="entry",
                  source_label="Dòng đang nhập", fetched_at=dt.datetime.now(dt.UTC))  # fmt: skip
    dataset = clean(raw, config, today)
    by_header = {name: code for code, name in names.items()}
    result = Checked({})
    issues = dataset.issues[dataset.issues["tab"] == organisation.tab]
    for issue in issues.itertuples():
        code = by_header.get(issue.column, "")
        text = issue.message + (f" {issue.suggestion}" if issue.suggestion else "")
        target = result.errors if issue.severity == ERROR else result.warnings
        target.setdefault(code, []).append(text)
    if len(dataset.activities) == 1:
        row = dataset.activities.iloc[0]
        values: dict[str, Any] = {
            c: _text(typed.get(c)) for c in typed_fields(config) if typed.get(c) not in (None, "")
        }
        for code in config.measures:
            number = row[code]
            if number == number and number is not None:  # NaN: left blank
                values[code] = int(number) if float(number).is_integer() else float(number)
        if "entered" in config.fields:  # the day of entry: the reporting tracker judges timeliness by it
            values["entered"] = f"{today:%d/%m/%Y}"
        result.values = values
    elif not result.errors:  # a nil report or a row the cleaner set aside: not written from this form
        result.errors[""] = ["Dòng này không phải một hoạt động; kiểm tra lại Loại hoạt động."]
    return result


def nil_values(config: Config, day: dt.date, today: dt.date) -> dict[str, Any]:
    """The row of an explicit nil report for the cycle holding ``day``: «nothing to report», not an activity."""
    if config.reporting is None:
        raise BCDError("Chưa khai báo lịch báo cáo (reporting.yaml): không ghi được dòng «không có hoạt động».")
    values: dict[str, Any] = {"date": f"{day:%d/%m/%Y}", "activity_type": config.reporting.nil_activity.name}
    if "entered" in config.fields:
        values["entered"] = f"{today:%d/%m/%Y}"
    return values


def new_row_id(organisation: Organisation) -> str:
    """A fresh row id, unique across tabs and writers."""
    return f"{organisation.code}-{uuid.uuid4().hex[:12]}"


# ---------------------------------------------------------------- laying the row out under the tab's header


def layout(config: Config, header: list[Any], values: Mapping[str, Any], tab: str) -> tuple[list[Any], int]:
    """The row as a list under the tab's own header (column order is free) and the id column's index.
    A tab without a column the row needs is an error naming it (nothing is written)."""
    headers = Catalogues(config).headers
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        code = headers.match(str(cell)) if cell not in (None, "") else None
        if code is not None and code not in positions:
            positions[code] = index
    names = {**{c: f.name for c, f in config.fields.items()}, **{c: m.name for c, m in config.measures.items()}}
    lacking = [
        names.get(code, code) for code, value in values.items() if value not in (None, "") and code not in positions
    ]
    if "row_id" not in positions:
        lacking.append(config.fields["row_id"].name if "row_id" in config.fields else "Mã dòng")
    if lacking:
        raise BCDError(
            f"Tab «{tab}» chưa có cột {', '.join(f'«{n}»' for n in dict.fromkeys(lacking))}: quản trị viên bấm «Tạo các "
            "tab còn thiếu» ở trang Nguồn dữ liệu (thêm cột còn thiếu vào tab đã có) rồi nhập lại; dòng chưa được ghi."
        )
    width = max(positions.values()) + 1
    row: list[Any] = [""] * width
    for code, value in values.items():
        if value not in (None, ""):
            row[positions[code]] = value
    return row, positions["row_id"]


# ---------------------------------------------------------------- Google Sheets


@dataclass(frozen=True)
class Written:
    """Where a row went: the tab, its sheet row (when known), its id, and whether a retry found it already there."""

    tab: str
    row: int | None
    row_id: str
    already_there: bool = False


def _sheet_row(answer: Any) -> int | None:
    updated = ((answer or {}).get("updates") or {}).get("updatedRange", "") if isinstance(answer, dict) else ""
    cell = updated.rpartition("!")[2].partition(":")[0]
    try:
        return a1_to_rowcol(cell)[0] if cell else None
    except Exception:  # an answer of an unexpected shape: the row went in, its number is unknown
        return None


def append_to_sheet(
    spreadsheet: gspread.Spreadsheet,
    config: Config,
    tab: str,
    values: Mapping[str, Any],
    row_id: str,
    retry: RetryPolicy = RetryPolicy(),
) -> Written:
    """Append one row (codes → values, the id added) to a tab of the spreadsheet; see the module notes."""
    values = {**values, "row_id": row_id}
    key = spreadsheet.id
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(max(retry.attempts, 1)) | tenacity.stop_after_delay(retry.total_seconds),
        wait=tenacity.wait_exponential(multiplier=retry.initial_wait, max=retry.max_wait),
        retry=tenacity.retry_if_exception(_is_transient),
        reraise=True,
    )
    state: dict[str, Any] = {}
    try:
        for attempt in retrying:
            with attempt:
                if "row" not in state:
                    worksheet = spreadsheet.worksheet(tab)
                    header = (worksheet.get_values("1:1") or [[]])[0]
                    state["worksheet"] = worksheet
                    state["row"], state["id_column"] = layout(config, header, values, tab)
                worksheet = state["worksheet"]
                if attempt.retry_state.attempt_number > 1:  # the last attempt may have landed: look before resending
                    letter = rowcol_to_a1(1, state["id_column"] + 1).rstrip("1")
                    ids = [row[0] if row else "" for row in worksheet.get_values(f"{letter}:{letter}")]
                    if row_id in ids:
                        return Written(tab, ids.index(row_id) + 1, row_id, already_there=True)
                answer = worksheet.append_rows(
                    [state["row"]],
                    value_input_option=ValueInputOption.raw,
                    insert_data_option="INSERT_ROWS",
                    table_range="A1",
                )
                return Written(tab, _sheet_row(answer), row_id)
    except BCDError:
        raise
    except gspread.WorksheetNotFound as error:
        raise BCDError(
            f"Bảng tính chưa có tab «{tab}»: quản trị viên bấm «Tạo các tab còn thiếu» ở trang Nguồn dữ liệu."
        ) from error
    except Exception as error:
        attempts = retrying.statistics.get("attempt_number", 1)
        raise translate_error(error, key=key, email=None, attempts=attempts) from error
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------- a workbook (offline use)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time: threads of this server, and processes through a lock file next to the workbook."""
    with _WORKBOOK_LOCK, open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def append_to_workbook(path: Path, config: Config, tab: str, values: Mapping[str, Any], row_id: str) -> Written:
    """Append one row to a tab of an .xlsx workbook, replacing the file atomically; a row whose id is
    already in the tab is not written again."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise BCDError(
            f"Chỉ nhập được vào tệp Excel .xlsx; tệp «{path.name}» hãy mở bằng Excel hoặc LibreOffice và lưu dạng .xlsx."
        )
    written = {**values, "row_id": row_id}
    for code in ("date", "entered"):  # real dates in a workbook
        if isinstance(written.get(code), str):
            with contextlib.suppress(ValueError):
                written[code] = dt.datetime.strptime(written[code], "%d/%m/%Y").date()
    with _locked(path):
        try:
            book = openpyxl.load_workbook(path)
        except Exception as error:
            raise BCDError(f"Không mở được tệp «{path.name}» để ghi; dòng chưa được ghi.") from error
        if tab not in book.sheetnames:
            raise BCDError(f"Tệp «{path.name}» chưa có tab «{tab}»; dòng chưa được ghi.")
        sheet = book[tab]
        header = [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1), [])]
        while header and header[-1] in (None, ""):
            header.pop()
        for name in missing_entry_headers(config, header):  # an offline file gets its entry columns here
            header.append(name)
            sheet.cell(row=1, column=len(header), value=name)
        row, id_column = layout(config, header, written, tab)
        for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            if id_column < len(cells) and cells[id_column] == row_id:
                return Written(tab, number, row_id, already_there=True)
        last = max(
            (r for r in range(sheet.max_row, 0, -1) if any(c.value not in (None, "") for c in sheet[r])), default=1
        )
        for index, value in enumerate(row):
            sheet.cell(row=last + 1, column=index + 1, value=None if value == "" else value)
        _save_atomically(book, path)
    return Written(tab, last + 1, row_id)


def _save_atomically(book: Any, path: Path) -> None:
    """Save an openpyxl workbook to a copy next to ``path``, then put it in place in one step."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        book.save(temporary)
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise BCDError(f"Không ghi được tệp «{path.name}» ({error.strerror}); chưa ghi được gì.") from error


def append_log_row(target: gspread.Spreadsheet | Path, tab: str, header: list[str], row: list[Any],
                   retry: RetryPolicy = RetryPolicy()) -> None:  # fmt: skip
    """Append a row to a register tab (created with its header when missing), RAW, in the spreadsheet or
    the workbook: the «Chốt số liệu» tab records each closing and reopening."""
    if isinstance(target, Path):
        with _locked(target):
            book = openpyxl.load_workbook(target)
            if tab in book.sheetnames:
                sheet = book[tab]
            else:
                sheet = book.create_sheet(tab)
                for index, name in enumerate(header, start=1):
                    sheet.cell(row=1, column=index, value=name)
            sheet.append(row)
            _save_atomically(book, target)
        return

    def write() -> None:
        try:
            worksheet = target.worksheet(tab)
        except gspread.WorksheetNotFound:
            worksheet = target.add_worksheet(tab, rows=1000, cols=len(header))
            worksheet.update([header], "A1", value_input_option=ValueInputOption.raw)
        worksheet.append_rows([row], value_input_option=ValueInputOption.raw, insert_data_option="INSERT_ROWS",
                              table_range="A1")  # fmt: skip

    call_with_retry(write, RetryPolicy(attempts=1, timeout=retry.timeout), key=target.id, email=None)
