"""The catalogue of data problems, and the log that turns found problems into the Issues table.

Every kind of problem the cleaner can report has a stable code (``date.invalid``), a severity, a
short title (for filters), and Vietnamese templates for the message and the fix, filled in with
named fields (``{column}``, ``{value}`` and whatever the rule passes). Rules report problems by
code only, so the wording lives here, in one place, and tests can check codes and cells.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .normalize import display

ERROR, WARNING, OUT_OF_SCOPE = "error", "warning", "out_of_scope"
SEVERITY_LABELS = {ERROR: "Lỗi", WARNING: "Cảnh báo", OUT_OF_SCOPE: "Ngoài phạm vi"}
ISSUE_COLUMNS = ["severity", "code", "tab", "organisation", "row", "column", "value", "message", "suggestion"]


@dataclass(frozen=True)
class Problem:
    """One kind of data problem. ``fix_with_guess``, when set, replaces ``fix`` for an issue that
    comes with a close match (the ``guess`` field: «Có phải là …?»)."""

    code: str
    severity: str
    title: str
    message: str
    fix: str
    fix_with_guess: str | None = None

    @cached_property
    def fields(self) -> frozenset[str]:
        """The names the templates use."""
        templates = (self.message, self.fix, self.fix_with_guess or "")
        return frozenset(name for text in templates for _, name, _, _ in string.Formatter().parse(text) if name)


_DATE_FIX = "Nhập ngày dạng dd/mm/yyyy, ví dụ 05/03/2024."
_GUESS = "Có phải là «{guess}»?"

PROBLEMS: dict[str, Problem] = {
    p.code: p
    for p in (
        # ---- tabs and headers
        Problem(
            "tab.missing",
            ERROR,
            "Không có tab của đơn vị",
            "Không tìm thấy tab «{tab}» của {owner} trong bảng tính.",
            "Tạo tab với đúng tên này (trang Nguồn dữ liệu có lệnh tạo tab mẫu).",
            "Có phải là tab «{guess}»? Đổi tên tab cho đúng.",
        ),
        Problem(
            "tab.hidden",
            WARNING,
            "Tab bị ẩn",
            "Tab «{tab}» đang bị ẩn trong bảng tính; dữ liệu vẫn được đọc.",
            "Bỏ ẩn tab để các đơn vị dễ cập nhật.",
        ),
        Problem(
            "tab.missing_columns",
            ERROR,
            "Tab thiếu cột bắt buộc",
            "Tab thiếu cột bắt buộc {names}; {count} dòng dữ liệu của tab chưa được tính.",
            "Thêm cột với đúng tiêu đề ở dòng 1 (xem tab mẫu hoặc trang Nguồn dữ liệu).",
        ),
        Problem(
            "header.unknown",
            WARNING,
            "Cột lạ",
            "Cột «{value}» không có trong mẫu; dữ liệu của cột được giữ lại nhưng không dùng để tính chỉ số.",
            "Nếu là cột số liệu mới, hãy khai báo trong config/columns.yaml.",
            _GUESS,
        ),
        Problem(
            "header.duplicate",
            WARNING,
            "Cột trùng",
            "Cột «{value}» trùng ý nghĩa với cột «{first}»; chỉ dùng cột đầu tiên.",
            "Xoá hoặc đổi tên một trong hai cột.",
        ),
        # ---- cells and rows
        Problem(
            "cell.formula_error",
            ERROR,
            "Ô lỗi công thức",
            "Ô bị lỗi công thức ở cột «{column}».",
            "Sửa công thức hoặc nhập trực tiếp giá trị.",
        ),
        Problem(
            "entered.invalid",
            WARNING,
            "Ngày nhập không đọc được",
            "Không đọc được ngày nhập «{value}»; dòng vẫn được tính nhưng không xét được nộp đúng hạn.",
            "Ghi ngày nhập dạng dd/mm/yyyy, ví dụ 14/10/2026, hoặc để trống.",
        ),
        Problem(
            "cell.fill_down",
            WARNING,
            "Ô trống kiểu ô gộp",
            "Ô «{column}» trống; đã lấy giá trị của dòng trên («{above}») như ô gộp.",
            "Ghi đầy đủ giá trị vào từng dòng (không gộp ô).",
        ),
        Problem(
            "cell.stray",
            WARNING,
            "Ô lạc ngoài vùng dữ liệu",
            "Ô {cell} nằm xa vùng dữ liệu nên không được đọc (giá trị «{value}»).",
            "Xoá giá trị ở ô {cell}, hoặc chuyển nó vào đúng dòng và cột của bảng.",
        ),
        Problem(
            "row.unlabelled_data",
            ERROR,
            "Dữ liệu ở cột không có tiêu đề",
            "Dòng chỉ có dữ liệu ở ô {cell} («{value}»), thuộc cột không có tiêu đề (hoặc cột trùng bị bỏ qua); dòng chưa được tính.",
            "Chuyển dữ liệu vào đúng cột có tiêu đề, hoặc ghi tiêu đề cho cột ở dòng 1.",
        ),
        Problem(
            "row.duplicate",
            WARNING,
            "Dòng trùng",
            "Dòng giống hệt dòng {first}; có thể bị nhập hai lần (vẫn được tính).",
            "Xoá dòng trùng nếu đây là cùng một hoạt động.",
        ),
        # ---- dates
        Problem("date.missing", ERROR, "Thiếu ngày", "Thiếu ngày thực hiện.", _DATE_FIX),
        Problem("date.invalid", ERROR, "Ngày không đọc được", "Không đọc được ngày.", _DATE_FIX),
        Problem(
            "date.year_only",
            ERROR,
            "Ngày chỉ ghi năm",
            "Ô ngày chỉ ghi năm {year}, chưa có ngày và tháng thực hiện.",
            "Nhập đủ ngày dạng dd/mm/yyyy, ví dụ 05/03/{year}.",
        ),
        Problem(
            "date.out_of_range",
            ERROR,
            "Ngày ngoài khoảng hợp lý",
            "Ngày {date} nằm ngoài khoảng hợp lý (từ {first} đến {last}).",
            "Kiểm tra lại năm đã nhập (đủ 4 chữ số), ví dụ 05/03/2024.",
        ),
        Problem(
            "date.future",
            WARNING,
            "Ngày ở tương lai",
            "Ngày thực hiện ở tương lai.",
            "Kiểm tra lại năm hoặc tháng đã nhập.",
        ),
        # ---- communes and villages
        Problem(
            "commune.missing",
            ERROR,
            "Thiếu xã",
            "Thiếu tên xã.",
            "Ghi tên xã, hoặc «{whole}» nếu hoạt động chung toàn đơn vị.",
        ),
        Problem(
            "commune.unknown",
            ERROR,
            "Xã không có trong danh mục",
            "Xã «{value}» không có trong danh mục.",
            "Ghi đúng tên xã trong danh mục, hoặc «{whole}» nếu hoạt động chung toàn đơn vị.",
            _GUESS,
        ),
        Problem(
            "commune.after_end",
            WARNING,
            "Tên xã cũ sau khi sắp xếp",
            "Xã «{value}» chỉ còn đến ngày {end}; hoạt động ngày {date} được tính cho {successor}.",
            "Từ ngày {start}, ghi tên xã mới «{successor}».",
        ),
        Problem(
            "commune.split_undecided",
            WARNING,
            "Xã chia tách, dòng không ghi thôn",
            "Xã «{value}» đã chia tách từ ngày {start}; dòng không ghi thôn (hoặc thôn không có trong danh mục) nên được tính cho {successor}.",
            "Ghi tên xã mới, hoặc ghi thôn để biết hoạt động thuộc xã nào.",
        ),
        Problem(
            "organisation.after_end",
            WARNING,
            "Đơn vị đã kết thúc",
            "{owner} chỉ hoạt động đến ngày {end}; hoạt động ngày {date} được tính cho {successor}.",
            "Ghi các hoạt động từ ngày {start} vào tab của {successor}.",
        ),
        Problem(
            "village.outside_dates",
            WARNING,
            "Thôn ngoài thời gian tồn tại",
            "Thôn «{value}» của xã {commune} chỉ có {span}; hoạt động ngày {date} vẫn được tính nhưng không tính vào độ phủ thôn.",
            "Kiểm tra lại tên thôn hoặc ngày của hoạt động.",
        ),
        Problem(
            "commune.before_start",
            ERROR,
            "Tên xã mới dùng trước ngày thành lập",
            "«{value}» chỉ có từ ngày {start}; hoạt động ghi ngày {date}.",
            "Với hoạt động trước ngày {start}, ghi tên xã khi đó: {names}; hoặc sửa lại ngày.",
        ),
        Problem(
            "commune.out_of_scope",
            OUT_OF_SCOPE,
            "Hoạt động ngoài địa bàn",
            "Hoạt động tại «{value}» ({owner}) không thuộc địa bàn của đơn vị nên không được tính.",
            "Không cần sửa nếu đúng là hoạt động ngoài địa bàn; nếu ghi nhầm tên xã, sửa lại cột Xã.",
        ),
        Problem(
            "village.ambiguous",
            WARNING,
            "Thôn trùng tên trong xã",
            "Xã {commune} có nhiều thôn «{value}»: {names}; dòng vẫn được tính nhưng không tính vào độ phủ thôn.",
            "Ghi rõ thôn, ví dụ «{first}».",
        ),
        Problem(
            "village.elsewhere",
            ERROR,
            "Thôn không thuộc xã",
            "Thôn «{value}» không thuộc xã {commune}.",
            "Thôn này thuộc xã {homes}; sửa cột Xã hoặc cột Thôn.",
        ),
        Problem(
            "village.unknown",
            WARNING,
            "Thôn chưa có trong danh mục",
            "Thôn «{value}» không có trong danh mục của xã {commune}; dòng vẫn được tính nhưng không tính vào độ phủ thôn.",
            "Kiểm tra tên thôn trong danh mục của xã.",
            _GUESS,
        ),
        Problem(
            "village.whole_unit",
            WARNING,
            "Thôn ghi cho hoạt động toàn đơn vị",
            "Hoạt động ghi «{whole}» nên không gắn với thôn; thôn đã được bỏ qua.",
            "Ghi tên xã của thôn nếu hoạt động diễn ra tại thôn đó.",
        ),
        # ---- programmes and activity types
        Problem(
            "programme.missing",
            ERROR,
            "Thiếu chương trình",
            "Thiếu chương trình.",
            "Ghi số chương trình ({numbers}) hoặc tên chương trình.",
        ),
        Problem(
            "programme.unknown",
            ERROR,
            "Chương trình không có trong danh mục",
            "Chương trình «{value}» không có trong danh mục.",
            "Ghi số chương trình ({numbers}) hoặc tên chương trình.",
            _GUESS,
        ),
        Problem(
            "activity_type.missing",
            ERROR,
            "Thiếu loại hoạt động",
            "Thiếu loại hoạt động.",
            "Chọn loại hoạt động trong danh mục (xem trang Nguồn dữ liệu).",
        ),
        Problem(
            "activity_type.unknown",
            ERROR,
            "Loại hoạt động không có trong danh mục",
            "Loại hoạt động «{value}» không có trong danh mục.",
            "Chọn loại hoạt động trong danh mục (xem trang Nguồn dữ liệu).",
            _GUESS,
        ),
        Problem(
            "activity_type.programme_mismatch",
            ERROR,
            "Loại hoạt động không khớp chương trình",
            "Loại hoạt động «{activity}» thuộc Chương trình {home}, nhưng dòng ghi Chương trình {given}.",
            "Sửa cột Chương trình hoặc cột Loại hoạt động cho khớp.",
        ),
        # ---- numbers
        Problem(
            "number.text",
            ERROR,
            "Chữ trong ô số",
            "«{measure}» phải là số.",
            "Nhập số ({example}); không ghi chữ trong ô số liệu.",
        ),
        Problem(
            "number.dash",
            WARNING,
            "Dấu gạch trong ô số",
            "«{measure}» ghi «{value}»: được hiểu là ô trống (không có số liệu); dòng vẫn được tính.",
            "Để trống ô nếu không có số liệu, hoặc ghi 0 nếu số liệu bằng 0.",
        ),
        Problem(
            "number.malformed",
            ERROR,
            "Số viết sai dấu ngăn cách",
            "«{measure}»: không rõ cách đọc số «{value}» (dấu chấm, dấu phẩy không đúng chỗ).",
            "Viết số kiểu Việt Nam: dấu chấm ngăn cách hàng nghìn, dấu phẩy trước phần thập phân ({example}).",
        ),
        Problem(
            "number.negative",
            ERROR,
            "Số âm",
            "«{measure}» không được âm.",
            "Nhập số lớn hơn hoặc bằng 0.",
        ),
        Problem(
            "number.fraction",
            ERROR,
            "Số lẻ ở cột số nguyên",
            "«{measure}» phải là số nguyên.",
            "Nhập số nguyên, không có phần lẻ.",
        ),
        Problem(
            "number.too_large",
            ERROR,
            "Số quá lớn",
            "Giá trị «{value}» ở cột «{measure}» quá lớn, không thể là số liệu thật.",
            "Kiểm tra lại số đã nhập (thừa chữ số, dán nhầm ô).",
        ),
        Problem(
            "number.implausible",
            WARNING,
            "Số lớn bất thường",
            "«{measure}» = {value} lớn hơn mức hợp lý ({limit}); dòng vẫn được tính.",
            "Kiểm tra lại số đã nhập (thừa chữ số 0, nhầm đơn vị hoặc nhầm dấu thập phân).",
        ),
        # ---- targets tab
        Problem(
            "target.missing_columns",
            ERROR,
            "Tab chỉ tiêu thiếu cột",
            "Tab «{tab}» thiếu cột {names}.",
            "Dòng 1 của tab cần các cột: {expected}.",
        ),
        Problem(
            "target.year",
            ERROR,
            "Năm chỉ tiêu không hợp lệ",
            "Năm không hợp lệ.",
            "Ghi năm bằng 4 chữ số, ví dụ 2024.",
        ),
        Problem(
            "target.indicator_missing",
            ERROR,
            "Thiếu tên chỉ tiêu",
            "Thiếu tên chỉ tiêu.",
            "Dùng tên hoặc mã chỉ số trong config/indicators.yaml.",
        ),
        Problem(
            "target.indicator_unknown",
            ERROR,
            "Chỉ tiêu không có trong danh mục",
            "Chỉ tiêu «{value}» không có trong danh mục chỉ số.",
            "Dùng tên hoặc mã chỉ số trong config/indicators.yaml.",
            _GUESS,
        ),
        Problem(
            "target.commune_unknown",
            ERROR,
            "Xã của chỉ tiêu không có trong danh mục",
            "Xã «{value}» không có trong danh mục.",
            "Ghi đúng tên xã trong danh mục, hoặc để trống nếu chỉ tiêu chung toàn đơn vị.",
            _GUESS,
        ),
        Problem(
            "target.value",
            ERROR,
            "Giá trị chỉ tiêu không hợp lệ",
            "Giá trị chỉ tiêu phải là số không âm.",
            "Nhập số, ví dụ 65.",
        ),
        # ---- narrative tabs (assessment, directions)
        Problem(
            "narrative.missing_columns",
            ERROR,
            "Tab nhận định thiếu cột",
            "Tab «{tab}» thiếu cột {names}.",
            "Dòng 1 của tab cần các cột: {expected}.",
        ),
        Problem(
            "narrative.year",
            ERROR,
            "Kỳ của nhận định không hợp lệ",
            "Kỳ không hợp lệ.",
            "Ghi kỳ như 2024 (cả năm), 2024-H1 (6 tháng đầu năm), 2024-9T (9 tháng), 2024-Q3 (quý III) hoặc 2024-05.",
        ),
        Problem(
            "narrative.text_missing",
            ERROR,
            "Thiếu nội dung nhận định",
            "Dòng thiếu Nội dung.",
            "Điền cột Nội dung hoặc xoá dòng.",
        ),
    )
}


class IssueLog:
    """Collects issues column-wise, one batch per (problem, tab, column); the table is built once
    at the end, and each template is filled per row only when a field differs between rows."""

    def __init__(self) -> None:
        self.batches: list[tuple[Problem, str, str, np.ndarray, str, list[str] | str, dict[str, Any]]] = []

    def add(
        self,
        code: str,
        tab: str,
        organisation: str,
        rows: Any,
        column: str = "",
        values: Any = "",
        /,
        **fields: Any,
    ) -> None:
        """Issues of kind ``code`` at the sheet ``rows`` (None for the whole tab) of ``column``;
        ``values`` (the raw cells) and each field are one value for all rows or one per row."""
        kind = PROBLEMS[code]
        rows = np.atleast_1d(np.asarray(rows, dtype="float")) if rows is not None else np.array([np.nan])
        if not len(rows):
            return
        if not isinstance(values, str):
            values = [display(v) for v in np.atleast_1d(np.asarray(values, dtype=object))]
        missing = kind.fields - {"column", "value", "tab", "guess"} - set(fields)
        if missing:
            raise KeyError(f"{code}: no value for {sorted(missing)}")
        self.batches.append((kind, tab, organisation, rows, column, values, fields))

    def table(self) -> pd.DataFrame:
        """The Issues table: one row per issue, sorted by tab, sheet row, errors first."""
        if not self.batches:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS}).astype({"row": "Int64"})
        columns: dict[str, list] = {c: [] for c in ISSUE_COLUMNS if c != "row"}
        for kind, tab, organisation, rows, column, values, fields in self.batches:
            n = len(rows)
            messages, fixes = _fill(kind, n, {"tab": tab, "column": column, "value": values, **fields})
            for name, item in (
                ("severity", kind.severity),
                ("code", kind.code),
                ("tab", tab),
                ("organisation", organisation),
                ("column", column),
                ("value", values),
                ("message", messages),
                ("suggestion", fixes),
            ):
                if isinstance(item, str):
                    columns[name].extend([item] * n)
                else:
                    if len(item) != n:
                        raise ValueError(f"{kind.code}: {len(item)} {name} for {n} rows")
                    columns[name].extend(item)
        issues = pd.DataFrame({"row": np.concatenate([b[3] for b in self.batches]), **columns})[ISSUE_COLUMNS]
        issues["row"] = issues["row"].astype("Int64")
        order = issues["severity"].map({ERROR: 0, WARNING: 1, OUT_OF_SCOPE: 2})
        return (
            issues.assign(_o=order)
            .sort_values(["tab", "row", "_o"], na_position="first", kind="stable")
            .drop(columns="_o")
            .reset_index(drop=True)
        )


def _fill(kind: Problem, n: int, fields: dict[str, Any]) -> tuple[Any, Any]:
    """Message and fix of a batch: one text when the fields they use are the same for every row,
    else one text per row."""
    per_row = {k: list(v) for k, v in fields.items() if k in kind.fields and isinstance(v, _PER_ROW)}
    same = {k: display(v) for k, v in fields.items() if k not in per_row and not isinstance(v, _PER_ROW)}
    if not per_row:
        fix = kind.fix_with_guess if same.get("guess") and kind.fix_with_guess else kind.fix
        return kind.message.format(**same), fix.format(**same)
    for name, values in per_row.items():
        if len(values) != n:
            raise ValueError(f"{kind.code}: {len(values)} {name} for {n} rows")
    messages, fixes = [], []
    for i in range(n):
        row = {**same, **{k: v[i] if type(v[i]) is str else display(v[i]) for k, v in per_row.items()}}
        messages.append(kind.message.format(**row))
        fix = kind.fix_with_guess if row.get("guess") and kind.fix_with_guess else kind.fix
        fixes.append(fix.format(**row))
    return messages, fixes


_PER_ROW = (list, tuple, np.ndarray, pd.Series)
