"""Command line: ``python -m lib <command>`` (check, indicators, report, init-sheet, template).

Every command takes ``--config DIR`` (another unit's configuration) and ``--source`` (a workbook
path or a Google Sheets URL/key). Errors print a Vietnamese message and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable

from . import indicators as ind
from .config import Config, load_config
from .dataset import Dataset
from .exceptions import BCDError, PeriodError
from .formatting import number
from .loading import load_dataset
from .period import Period
from .views import issues_table

# Modules that contribute subcommands through an ``add_cli(subparsers)`` function.
PLUGINS = ("lib.report", "lib.sheet_setup")


def add_common(parser: argparse.ArgumentParser, *, source_required: bool = False) -> None:
    """The options every data command shares."""
    parser.add_argument(
        "--source",
        required=source_required,
        help="tệp bảng tính (.xlsx, .ods) hoặc địa chỉ/mã Google Sheets; mặc định: nguồn trong cấu hình",
    )
    parser.add_argument("--config", help="thư mục cấu hình (mặc định: config/)")
    parser.add_argument("--credentials", help="tệp khoá tài khoản dịch vụ Google (JSON)")


def load(args: argparse.Namespace) -> tuple[Config, Dataset]:
    """Configuration and cleaned data for a command's options."""
    config = load_config(args.config)
    dataset = load_dataset(args.source, config, credentials_file=args.credentials)
    if dataset.notice:
        print(dataset.notice, file=sys.stderr)
    return config, dataset


def period_of(args: argparse.Namespace, dataset: Dataset) -> Period:
    """``--period`` wins over ``--year``; neither means the latest year in the data."""
    if getattr(args, "period", None):
        return Period.parse(args.period)
    year = getattr(args, "year", None) or dataset.latest_year
    if year is None:
        raise PeriodError("Chưa có hoạt động nào trong dữ liệu nên không xác định được năm; hãy ghi rõ --year.")
    return Period.year(year)


def cmd_check(args: argparse.Namespace) -> int:
    """Print the Issues table (as the data-quality page shows it); exit 1 when any error excludes rows."""
    config, dataset = load(args)
    table = issues_table(dataset, config)
    table["Dòng"] = table["Dòng"].astype("string").fillna("")  # tab-level issues have no row
    if table.empty:
        print("Không có lỗi hay cảnh báo nào: mọi dòng đều hợp lệ.")
    else:
        print(table.to_string(index=False))
    accepted, excluded = int(dataset.tab_stats["accepted"].sum()), int(dataset.tab_stats["excluded"].sum())
    print(
        f"\nTổng cộng: {dataset.error_count} lỗi, {dataset.warning_count} cảnh báo; "
        f"{number(accepted)} dòng hợp lệ, {number(excluded)} dòng bị loại."
    )
    return 1 if dataset.error_count else 0


def cmd_indicators(args: argparse.Namespace) -> int:
    """Every configured indicator (or --only) for the period, optionally by a dimension."""
    config, dataset = load(args)
    period = period_of(args, dataset)
    codes = args.only.split(",") if args.only else None
    table = ind.compare(dataset.activities, config, codes, period, args.by)
    if args.format == "json":
        records = table.astype(object).where(table.notna(), None).to_dict("records")
        print(
            json.dumps(
                {"period": period.key, "label": period.label, "indicators": records},
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
    elif args.format == "csv":
        print(table.to_csv(index=False), end="")
    else:
        shown = table.assign(
            value=table["value"].map(lambda v: number(v, 2)), previous=table["previous"].map(lambda v: number(v, 2))
        )
        print(f"Chỉ số {period.label} (so với cùng kỳ {period.previous_year().label})")
        print(shown.drop(columns=["change", "change_pct"]).to_string(index=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lib", description="Bảng điều hành BCĐ 502: kiểm tra dữ liệu, tính chỉ số, lập báo cáo."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")

    check = commands.add_parser("check", help="liệt kê các dòng lỗi/cảnh báo của từng tab")
    add_common(check)
    check.set_defaults(handler=cmd_check)

    indicators = commands.add_parser("indicators", help="tính các chỉ số cho một kỳ")
    add_common(indicators)
    indicators.add_argument("--year", type=int, help="năm (mặc định: năm mới nhất có dữ liệu)")
    indicators.add_argument("--period", help="kỳ: 2024, 2024-H1, 2024-Q3, 2024-05 hoặc 2024-03-01..2024-06-30")
    indicators.add_argument("--by", choices=ind.DIMENSIONS, help="tách theo chiều: xã, thôn, chương trình, …")
    indicators.add_argument("--only", help="chỉ các mã chỉ số này, cách nhau bởi dấu phẩy")
    indicators.add_argument("--format", choices=("table", "csv", "json"), default="table")
    indicators.set_defaults(handler=cmd_indicators)

    for name in PLUGINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        module.add_cli(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except BCDError as error:
        print(f"Lỗi: {error.message}", file=sys.stderr)
        return 2
