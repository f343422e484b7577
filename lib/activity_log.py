"""The activity log: an append-only JSON-lines file of who signed in (or was refused), refreshed the data, downloaded a draft,
set up tabs (and what later features add). Administrators read it on the «Nhật ký hoạt động» page.

Only what identifies the person (their e-mail address and role) and plain facts about the action are
written: details are whitelisted scalars, and any key that names a secret, token, password, key or
cookie is dropped, so no secret or token can reach the file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import formatting as fmt

LOG_FILE = "activity.jsonl"
EVENTS = {
    "sign_in": "Đăng nhập",
    "refused": "Bị từ chối: tài khoản chưa được cấp quyền",
    "sign_out": "Đăng xuất",
    "refresh": "Làm mới dữ liệu",
    "download_report": "Tải dự thảo báo cáo",
    "download_basis": "Tải cơ sở số liệu của dự thảo",
    "setup_sheets": "Tạo tab trong bảng tính",
    "append_row": "Nhập một dòng hoạt động",
    "close_period": "Chốt số liệu",
    "reopen_period": "Mở lại số liệu đã chốt",
}
_FORBIDDEN = ("secret", "token", "password", "private", "key", "cookie", "credential")
_LOCK = threading.Lock()
COLUMNS = ["Thời gian", "Người dùng", "Vai trò", "Việc", "Chi tiết"]


def _safe(detail: Mapping[str, Any] | None) -> dict[str, str | int | float | bool]:
    """The detail without any key naming a secret and with scalar values only (others as short text)."""
    safe: dict[str, str | int | float | bool] = {}
    for key, value in (detail or {}).items():
        if any(word in str(key).lower() for word in _FORBIDDEN):
            continue
        safe[str(key)] = value if isinstance(value, (str, int, float, bool)) else str(value)[:200]
    return safe


def record(
    path: Path,
    event: str,
    email: str = "",
    role: str = "",
    detail: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Append one entry (one line, written at once) and return it. ``event`` is a key of EVENTS."""
    if event not in EVENTS:
        raise ValueError(f"unknown activity event {event!r}")
    entry = {
        "time": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "event": event,
        "email": email,
        "role": role,
        "detail": _safe(detail),
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    return entry


def read(path: Path, limit: int = 5000) -> tuple[list[dict[str, Any]], int]:
    """The last ``limit`` entries, newest first, and the number of lines that could not be read."""
    if not path.is_file():
        return [], 0
    entries, broken = [], 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            broken += 1
            continue
        if isinstance(entry, dict):
            entries.append(entry)
        else:
            broken += 1
    return entries[::-1][:limit], broken


def _when(value: Any) -> str:
    try:
        return fmt.timestamp(dt.datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def table(entries: list[dict[str, Any]], role_labels: Mapping[str, str]) -> pd.DataFrame:
    """The entries as the log page shows them, in Vietnamese."""
    rows = [
        [
            _when(e.get("time")),
            e.get("email") or "(đăng nhập đang tắt)",
            role_labels.get(e.get("role") or "", ""),
            EVENTS.get(e.get("event"), str(e.get("event"))),
            "; ".join(f"{k}: {v}" for k, v in (e.get("detail") or {}).items()),
        ]
        for e in entries
    ]
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)


def select(frame: pd.DataFrame, events: Sequence[str] = (), people: Sequence[str] = ()) -> pd.DataFrame:
    """The rows of table() for the chosen kinds of action and people (empty = all)."""
    mask = pd.Series(True, index=frame.index)
    if events:
        mask &= frame["Việc"].isin(list(events))
    if people:
        mask &= frame["Người dùng"].isin(list(people))
    return frame[mask].reset_index(drop=True)
