"""Who has reported: the reporting calendar of ``reporting.yaml`` against what each organisation's tab holds.

For every organisation owing a report and every cycle (month, quarter, year of the reporting year) this
module decides one status, as of a given day:

- ``on_time``: a row of the cycle (an activity dated inside it, or an explicit nil report) was entered by
  the due day (its «Ngày nhập»);
- ``late``: the cycle's rows were all entered after the due day;
- ``undated``: rows are there but none says when it was entered (typed straight into the sheet without
  «Ngày nhập»), so timeliness is unknown; it counts as received, never as on time;
- ``missing``: nothing for the cycle and the due day has passed;
- ``not_due``: nothing yet, but the due day has not passed.

``nil`` tells a cycle reported as «không có hoạt động» (only nil rows) from one with activities.
Pure functions: the tracker page and the tests call them with a Dataset, the Config and the day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import Config, Cycle
from .dataset import Dataset
from .formatting import percent, short_date
from .period import Period

STATUS_LABELS = {
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "undated": "Đã nộp (chưa rõ ngày nhập)",
    "missing": "Chưa nộp",
    "not_due": "Chưa đến hạn",
}
# in the organisation × cycle grid: short, the page's caption says what «Đã nộp» alone means
GRID_LABELS = {**STATUS_LABELS, "undated": "Đã nộp"}
KIND_LABELS = {"month": "tháng", "quarter": "quý", "year": "năm"}
COLUMNS = [
    "organisation",
    "name",
    "tab",
    "kind",
    "cycle",
    "label",
    "start",
    "end",
    "due",
    "status",
    "nil",
    "rows",
    "received",
]


def due_date(period: Period, due_day: int) -> dt.date:
    """The due day of a cycle: day ``due_day`` of the month after the cycle's last day."""
    year, month = (period.end.year + 1, 1) if period.end.month == 12 else (period.end.year, period.end.month + 1)
    return dt.date(year, month, due_day)


def cycles(config: Config, kind: str, year: int) -> list[Period]:
    """The cycles of one kind in reporting year ``year`` (following ``reporting_year_start``)."""
    start = config.settings.year_start
    if kind == "month":
        return [Period.month(year, m, start) for m in range(1, 13)]
    if kind == "quarter":
        return [Period.quarter(year, q, start) for q in range(1, 5)]
    return [Period.year(year, start)]


def owing(config: Config, cycle: Cycle, period: Period) -> list[str]:
    """Codes of the organisations owing the report of a cycle: those the cycle names (all when none),
    in existence during the cycle."""
    codes = cycle.organisations or list(config.organisations)
    return [
        c for c in codes if c in config.organisations and config.organisations[c].valid_in(period.start, period.end)
    ]


def _as_days(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values, errors="coerce").to_numpy("datetime64[D]")


def _status(rows: int, nil: bool, entered: list[dt.date], undated: bool, due: dt.date, today: dt.date) -> str:
    if not rows and not nil:
        return "missing" if today > due else "not_due"
    if entered and min(entered) <= due:
        return "on_time"
    return "undated" if undated else "late"


@dataclass(frozen=True)
class Tracker:
    """Organisation × cycle statuses of one reporting year as of ``today``."""

    table: pd.DataFrame  # COLUMNS, one row per organisation × cycle started by ``today``
    today: dt.date
    year: int

    def grid(self, kind: str) -> pd.DataFrame:
        """Organisations (rows) × cycles of one kind (columns): the status label of each cell."""
        part = self.table[self.table["kind"] == kind]
        if part.empty:
            return pd.DataFrame()
        labels = part.apply(lambda row: status_label(row, GRID_LABELS), axis=1)
        grid = part.assign(text=labels).pivot(index="name", columns="cycle", values="text")
        order = list(dict.fromkeys(part["cycle"]))
        names = list(dict.fromkeys(part["name"]))
        grid = grid.reindex(index=names, columns=order).fillna("")
        grid.columns = [_cycle_heading(c) for c in grid.columns]
        grid.index.name = "Đơn vị"
        return grid

    def rates(self) -> pd.DataFrame:
        """Per organisation, over the cycles already due: how many, received, on time, and the rates."""
        due = self.table[self.table["due"] < self.today]
        rows = []
        for (code, name), group in due.groupby(["organisation", "name"], sort=False):
            total = len(group)
            received = int(group["status"].isin(["on_time", "late", "undated"]).sum())
            on_time = int((group["status"] == "on_time").sum())
            undated = int((group["status"] == "undated").sum())
            rows.append(
                {
                    "organisation": code,
                    "Đơn vị": name,
                    "Kỳ đã đến hạn": total,
                    "Đã nộp": received,
                    "Đúng hạn": on_time,
                    "Trễ hạn": int((group["status"] == "late").sum()),
                    "Chưa nộp": int((group["status"] == "missing").sum()),
                    "Tỷ lệ nộp": percent(100 * received / total) if total else "–",
                    # only cycles whose entry day is known can be on time or late: none known, no rate
                    "Tỷ lệ đúng hạn": percent(100 * on_time / (total - undated)) if total - undated else "–",
                }
            )
        return pd.DataFrame(rows)

    def overdue(self) -> pd.DataFrame:
        """The missing reports whose due day has passed: one row per organisation × cycle."""
        return self.table[self.table["status"] == "missing"].reset_index(drop=True)


def _cycle_heading(key: str) -> str:
    kind, _, rest = key.partition(":")
    return rest


def status_label(row: pd.Series, labels: dict[str, str] = STATUS_LABELS) -> str:
    label = labels[row["status"]]
    if row["nil"] and not row["rows"]:
        return f"Không có hoạt động ({label.lower()})"
    return label


def track(dataset: Dataset, config: Config, year: int, today: dt.date) -> Tracker:
    """Every organisation × cycle of reporting year ``year`` that has started by ``today`` (and ends on or
    after the calendar's start), with its status. Empty without a reporting calendar."""
    reporting = config.reporting
    if reporting is None:
        return Tracker(pd.DataFrame(columns=COLUMNS), today, year)
    acts = dataset.activities
    act_org = acts["organisation"].astype(str).to_numpy()
    act_day = _as_days(acts["date"])
    act_entered = _as_days(acts["entered"]) if "entered" in acts else np.full(len(acts), np.datetime64("NaT"), "M8[D]")
    nil = dataset.nil_reports
    nil_org = nil["organisation"].astype(str).to_numpy()
    nil_day = _as_days(nil["date"])
    nil_entered = _as_days(nil["entered"])
    records = []
    for cycle in reporting.cycles:
        for period in cycles(config, cycle.kind, year):
            if period.start > today or period.end < reporting.start:
                continue
            first, last = np.datetime64(period.start, "D"), np.datetime64(period.end, "D")
            due = due_date(period, cycle.due_day)
            in_acts = (act_day >= first) & (act_day <= last)
            in_nil = (nil_day >= first) & (nil_day <= last)
            for code in owing(config, cycle, period):
                org = config.organisations[code]
                mine = in_acts & (act_org == code)
                mine_nil = in_nil & (nil_org == code)
                stamps = np.concatenate([act_entered[mine], nil_entered[mine_nil]])
                dated = [d.astype(dt.date) for d in stamps if not np.isnat(d)]
                status = _status(int(mine.sum()), bool(mine_nil.any()), dated, len(dated) < len(stamps), due, today)
                records.append(
                    {
                        "organisation": code,
                        "name": org.short_name,
                        "tab": org.tab,
                        "kind": cycle.kind,
                        "cycle": f"{cycle.kind}:{_short(period)}",
                        "label": period.label,
                        "start": period.start,
                        "end": period.end,
                        "due": due,
                        "status": status,
                        "nil": bool(mine_nil.any()),
                        "rows": int(mine.sum()),
                        "received": min(dated) if dated else None,
                    }
                )
    return Tracker(pd.DataFrame(records, columns=COLUMNS), today, year)


def _short(period: Period) -> str:
    """A column heading: «T9», «Quý III», «Năm 2026»."""
    if period.kind == "month":
        return f"T{period.part}"
    if period.kind == "quarter":
        return f"Quý {('I', 'II', 'III', 'IV')[period.part - 1]}"
    return f"Năm {period.year_number}"


def reminder(tracker: Tracker, code: str, config: Config) -> str:
    """A ready-to-send Vietnamese reminder to one organisation listing its overdue reports; "" when none."""
    overdue = tracker.overdue()
    overdue = overdue[overdue["organisation"] == code]
    if overdue.empty:
        return ""
    org = config.organisations[code]
    nil = config.reporting.nil_activity.name if config.reporting else "Không có hoạt động"
    items = "\n".join(
        f"- Số liệu {row.label} ({short_date(row.start)}–{short_date(row.end)}), hạn {short_date(row.due)}"
        for row in overdue.itertuples()
    )
    return (
        f"Kính gửi: {org.name}\n\n"
        f"Đến ngày {short_date(tracker.today)}, {config.settings.committee} chưa nhận được số liệu sau đây "
        f"của đơn vị trên tab «{org.tab}» của bảng tính dùng chung:\n{items}\n\n"
        "Đề nghị đơn vị cập nhật các hoạt động của kỳ (ghi Ngày nhập) trong thời gian sớm nhất. "
        f"Trường hợp trong kỳ không có hoạt động, đề nghị ghi một dòng có Loại hoạt động «{nil}» "
        "với ngày trong kỳ để Ban Chỉ đạo nắm được.\n\nTrân trọng."
    )


def reminders(tracker: Tracker, config: Config) -> dict[str, str]:
    """Reminder text per organisation code with overdue reports, in config order."""
    codes = set(tracker.overdue()["organisation"])
    return {code: reminder(tracker, code, config) for code in config.organisations if code in codes}
