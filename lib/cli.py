"""Command line: ``python -m lib <command>`` (check, indicators, report, init-sheet, template).

Every command takes ``--config DIR`` (another unit's configuration); the data commands take
``--source`` (a workbook path or a Google Sheets URL/key). Whatever happens, the user reads a
Vietnamese message and the exit code says how it ended (0 done, 1 data errors found by ``check``,
2 could not be done); details of an unexpected failure go to the log file only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from . import boundaries, export, prior_draft, report, sheet_setup, template
from . import indicators as ind
from .catalogue import Catalogue
from .config import PROJECT_ROOT, Config
from .dataset import Dataset
from .document import parse_number
from .exceptions import BCDError
from .formatting import figure, number
from .loading import load_checked_config, load_dataset
from .period import CALENDAR, FIRST_YEAR, LAST_YEAR, Period, YearStart
from .views import issues_table

LOG_FILE = PROJECT_ROOT / "data" / "logs" / "bcd502.log"
log = logging.getLogger("bcd502")

# argparse's own texts, in Vietnamese (argparse looks each one up through its module-level ``_``).
ARGPARSE_VI = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tuỳ chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "giá trị «%(value)s» không hợp lệ (chọn một trong: %(choices)s)",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "không hiểu tham số: %s",
    "expected one argument": "cần một giá trị",
    "invalid %(type)s value: %(value)r": "giá trị «%(value)s» không hợp lệ",
    "ambiguous option: %(option)s could match %(matches)s": "tuỳ chọn %(option)s không rõ (có thể là %(matches)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "one of the arguments %s is required": "cần một trong các tham số %s",
}
argparse._ = lambda text: ARGPARSE_VI.get(text, text)  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are Vietnamese and end with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"Lỗi: {message}\n")


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"năm «{text}» phải là số có 4 chữ số, ví dụ 2024") from None
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"năm {value} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}")
    return value


def _signing_date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày ký «{text}» không đúng dạng dd/mm/yyyy") from None


def add_common(parser: argparse.ArgumentParser) -> None:
    """The options every data command shares."""
    parser.add_argument(
        "--source",
        metavar="NGUỒN",
        help="tệp bảng tính (.xlsx, .ods) hoặc địa chỉ/mã Google Sheets; mặc định: nguồn trong cấu hình",
    )
    parser.add_argument("--config", metavar="THƯ_MỤC", help="thư mục cấu hình (mặc định: config/)")
    parser.add_argument("--credentials", metavar="TỆP_KHOÁ", help="tệp khoá tài khoản dịch vụ Google (JSON)")


def add_period(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=_year, metavar="NĂM", help="năm (mặc định: năm mới nhất có dữ liệu)")
    parser.add_argument(
        "--period", metavar="KỲ", help="kỳ: 2024, 2024-H1, 2024-Q3, 2024-05 hoặc 2024-03-01..2024-06-30"
    )
    parser.add_argument(
        "--boundaries",
        choices=(boundaries.CURRENT, boundaries.AS_RECORDED),
        default=boundaries.DEFAULT,
        metavar="ĐỊA_GIỚI",
        help="địa giới xã: current = mọi số liệu theo các xã hiện nay (mặc định); "
        "as-recorded = theo xã tại thời điểm hoạt động",
    )


def load(args: argparse.Namespace) -> tuple[Config, Dataset]:
    """Configuration and cleaned data for a command's options."""
    config = load_checked_config(args.config)
    dataset = load_dataset(args.source, config, credentials_file=args.credentials)
    if dataset.notice:
        print(dataset.notice, file=sys.stderr)
    return config, dataset


def period_of(args: argparse.Namespace, dataset: Dataset, year_start: YearStart = CALENDAR) -> Period:
    """``--period`` wins over ``--year``; neither means the latest year in the data. Years, halves,
    quarters and months follow the committee's reporting year (``settings.reporting_year_start``)."""
    if args.period:
        return Period.parse(args.period, year_start)
    year = args.year or dataset.latest_year
    if year is None:
        raise BCDError("Chưa có hoạt động nào trong dữ liệu nên không xác định được năm; hãy ghi rõ --year.")
    return Period.year(year, year_start)


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as error:
        reason = "thư mục không tồn tại" if isinstance(error, FileNotFoundError) else "không có quyền ghi hoặc đĩa đầy"
        raise BCDError(f"Không ghi được tệp «{path}»: {reason}.") from error


def _codes(config: Config, only: str | None) -> list[str] | None:
    """The indicator codes of ``--only`` (every indicator when not given); unknown codes are named with a guess."""
    if not only:
        return None
    codes = [c.strip() for c in only.split(",") if c.strip()]
    unknown = [c for c in codes if c not in config.indicators]
    if unknown:
        known = Catalogue.build([(c, c, []) for c in config.indicators])
        hints = [f"«{c}»" + (f" (có phải «{g}»?)" if (g := known.suggest(c)) else "") for c in unknown]
        raise BCDError(f"Không có chỉ số {', '.join(hints)} trong indicators.yaml.")
    return codes


def cmd_check(args: argparse.Namespace) -> int:
    """Print the Issues table (as the data-quality page shows it); exit 1 when any error excludes rows."""
    config, dataset = load(args)
    table = issues_table(dataset, config)
    table["Dòng"] = table["Dòng"].astype("string").fillna("")  # tab-level issues have no row
    if table.empty:
        print("Không có lỗi hay cảnh báo nào: mọi dòng đều hợp lệ.")
    else:
        print(table.to_string(index=False))
    stats = dataset.tab_stats
    accepted, excluded = int(stats["accepted"].sum()), int(stats["excluded"].sum())
    outside = int(stats["out_of_scope"].sum()) if "out_of_scope" in stats else 0
    print(
        f"\nTổng cộng: {dataset.error_count} lỗi, {dataset.warning_count} cảnh báo; "
        f"{number(accepted)} dòng hợp lệ, {number(excluded)} dòng bị loại"
        + (f", {number(outside)} dòng ngoài địa bàn không tính." if outside else ".")
    )
    return 1 if dataset.error_count else 0


TABLE_HEADERS = {
    "indicator": "Mã",
    "name": "Chỉ số",
    "unit": "Đơn vị tính",
    "value": "Kỳ này",
    "previous": "Cùng kỳ năm trước",
    "commune": "Xã",
    "village": "Thôn",
    "programme": "Chương trình",
    "activity_type": "Loại hoạt động",
    "organisation": "Đơn vị",
    "group": "Nhóm",
    "tab": "Tab",
    "month": "Tháng",
    "year": "Năm",
    "change": "Tăng (+), giảm (−)",
    "change_pct": "Tăng, giảm (%)",
}


def in_view(args: argparse.Namespace, config: Config, dataset: Dataset, period: Period) -> tuple[Config, Dataset]:
    """The configuration and data of the period in the chosen view of communes (``--boundaries``)."""
    return (
        boundaries.scope(config, args.boundaries, period.start, period.end),
        boundaries.apply(dataset, args.boundaries, config),
    )


def cmd_indicators(args: argparse.Namespace) -> int:
    """Every configured indicator (or --only) for the period, optionally by a dimension."""
    config, dataset = load(args)
    period = period_of(args, dataset, config.settings.year_start)
    config, dataset = in_view(args, config, dataset, period)
    previous = period.comparable(dataset.latest_date)  # like for like when the data stops before the period ends
    table = ind.compare(dataset.activities, config, _codes(config, args.only), period, args.by, previous=previous)
    if args.format == "json":
        records = table.astype(object).where(table.notna(), None).to_dict("records")
        payload = {"period": period.key, "label": period.label, "previous": previous.key, "indicators": records}
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    elif args.format == "csv":
        print(export.safe_frame(table.rename(columns=TABLE_HEADERS)).to_csv(index=False), end="")
    else:
        # the rule of the pages and the draft: money in triệu đồng, one precision per kind of figure
        units = table["unit"]
        shown = table.assign(
            unit=[figure(0, u).unit or u for u in units],
            value=[figure(v, u).text for v, u in zip(table["value"], units, strict=True)],
            previous=[figure(v, u).text for v, u in zip(table["previous"], units, strict=True)],
        )
        until = period.data_until(dataset.latest_date)
        compared = (
            f"số liệu đến {until:%d/%m/%Y}, so với cùng kỳ {previous.span}"
            if until
            else f"so với cùng kỳ {previous.label}"
        )
        print(f"Chỉ số {period.label} ({compared})")
        print(shown.drop(columns=["change", "change_pct"]).rename(columns=TABLE_HEADERS).to_string(index=False))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the draft of a period as Markdown or Word (and, with --basis, its data basis apart)."""
    config, dataset = load(args)
    period = period_of(args, dataset, config.settings.year_start)
    config, dataset = in_view(args, config, dataset, period)
    number = parse_number(args.number)
    prior = None
    if args.previous:
        try:
            prior = prior_draft.decode(Path(args.previous).read_bytes())
        except OSError:
            raise prior_draft.PriorDraftError(f"Không đọc được tệp dự thảo kỳ trước «{args.previous}».") from None
    if (args.format or Path(args.out).suffix.lstrip(".").lower()) == "docx":
        data = report.render_docx(dataset, config, period, args.date, number, prior)
    else:
        data = report.render_markdown(dataset, config, period, args.date, number, prior).encode("utf-8")
    _write(args.out, data)
    print(f"Đã lập bản thảo báo cáo {period.label}: {args.out}")
    if args.basis:
        _write(args.basis, report.render_basis(dataset, config, period).encode("utf-8"))
        print(f"Cơ sở số liệu của bản thảo: {args.basis}")
    return 0


def cmd_init_sheet(args: argparse.Namespace) -> int:
    """Create the missing tabs (headers, drop-downs) of the Google Spreadsheet."""
    config = load_checked_config(args.config)
    spreadsheet = sheet_setup.open_spreadsheet(args.source, credentials_file=args.credentials)
    print(sheet_setup.init_sheet(spreadsheet, config, protect=args.protect).summary())
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    """Write the empty workbook template for offline entry."""
    _write(args.out, template.build_template(load_checked_config(args.config)))
    print(f"Đã tạo tệp mẫu nhập liệu: {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m lib", description="Bảng điều hành BCĐ 502: kiểm tra dữ liệu, tính chỉ số, lập báo cáo."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="LỆNH", parser_class=_Parser)

    check = commands.add_parser("check", help="liệt kê các dòng lỗi/cảnh báo của từng tab")
    add_common(check)
    check.set_defaults(handler=cmd_check)

    indicators = commands.add_parser("indicators", help="tính các chỉ số cho một kỳ")
    add_common(indicators)
    add_period(indicators)
    indicators.add_argument(
        "--by",
        choices=ind.DIMENSIONS,
        metavar="CHIỀU",
        help=f"tách theo chiều ({', '.join(f'{d}: {TABLE_HEADERS[d].lower()}' for d in ind.DIMENSIONS if d in TABLE_HEADERS)})",
    )
    indicators.add_argument("--only", metavar="MÃ,MÃ", help="chỉ các mã chỉ số này, cách nhau bởi dấu phẩy")
    indicators.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        metavar="DẠNG",
        help="dạng kết quả: table (bảng, mặc định), csv hoặc json",
    )
    indicators.set_defaults(handler=cmd_indicators)

    draft = commands.add_parser("report", help="lập bản thảo báo cáo (Markdown hoặc Word)")
    add_common(draft)
    add_period(draft)
    draft.add_argument(
        "--format", choices=("md", "docx"), metavar="DẠNG", help="md hoặc docx (mặc định: theo đuôi tệp --out)"
    )
    draft.add_argument("--out", required=True, metavar="TỆP", help="tệp kết quả (.md hoặc .docx)")
    draft.add_argument(
        "--date", type=_signing_date, metavar="NGÀY", help="ngày ký dd/mm/yyyy (mặc định: để trống cho người ký điền)"
    )
    draft.add_argument(
        "--number", metavar="SỐ", help="số văn bản, ví dụ 5 (in thành Số: 05/BC-BCĐ; mặc định: để trống)"
    )
    draft.add_argument(
        "--basis", metavar="TỆP", help="tệp Markdown ghi riêng cơ sở số liệu (nguồn, thời điểm đọc, số dòng dùng)"
    )
    draft.add_argument(
        "--previous",
        metavar="TỆP",
        help="dự thảo đã duyệt của kỳ trước (.md): văn bản các mục được mang sang, đánh dấu «[kiểm tra lại]»",
    )
    draft.set_defaults(handler=cmd_report)

    init = commands.add_parser(
        "init-sheet",
        help="tạo các tab còn thiếu (tiêu đề, danh sách chọn) trong Google Sheets",
        description="Tạo các tab còn thiếu của từng đơn vị và tab Chỉ tiêu, có dòng tiêu đề, "
        "danh sách chọn và kiểm tra dữ liệu. Không sửa tab đã có.",
    )
    init.add_argument("--source", required=True, metavar="NGUỒN", help="đường dẫn hoặc mã bảng tính Google Sheets")
    init.add_argument(
        "--credentials",
        metavar="TỆP_KHOÁ",
        help="tệp khoá JSON của tài khoản dịch vụ (mặc định: biến BCD502_CREDENTIALS)",
    )
    init.add_argument(
        "--protect",
        action="store_true",
        help="khoá mỗi tab đơn vị, chỉ cho người trong editors (organisations.yaml) sửa",
    )
    init.add_argument("--config", metavar="THƯ_MỤC", help="thư mục cấu hình (mặc định: config/)")
    init.set_defaults(handler=cmd_init_sheet)

    empty = commands.add_parser("template", help="tạo tệp Excel mẫu để nhập liệu khi không có mạng")
    empty.add_argument("--out", required=True, metavar="TỆP", help="tệp .xlsx cần tạo")
    empty.add_argument("--config", metavar="THƯ_MỤC", help="thư mục cấu hình (mặc định: config/)")
    empty.set_defaults(handler=cmd_template)
    return parser


def _log_unexpected(error: BaseException) -> str:
    """Write the details of an unexpected failure to the log file; where they are, for the message."""
    try:
        LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(LOG_FILE, encoding="utf-8")
    except OSError:
        return ""
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    try:
        log.error("Unexpected error in the command line", exc_info=error)
    finally:
        log.removeHandler(handler)
        handler.close()
    return f" Chi tiết kỹ thuật đã được ghi vào {LOG_FILE.relative_to(PROJECT_ROOT)}."


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except BCDError as error:
        print(f"Lỗi: {error.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu.", file=sys.stderr)
        return 130
    except Exception as error:  # never a traceback: a Vietnamese message, the details in the log
        where = _log_unexpected(error)
        print(f"Lỗi ngoài dự kiến: lệnh không hoàn thành được.{where} Hãy báo cho quản trị viên.", file=sys.stderr)
        return 2
