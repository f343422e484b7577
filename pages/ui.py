"""Streamlit glue shared by app.py and the pages: loading with Vietnamese errors, the sidebar filters
kept in the URL, tables with CSV/XLSX downloads, charts. Not a page itself."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from lib import boundaries, filters, period, st_adapter, views
from lib import formatting as fmt
from lib.config import Config
from lib.dataset import Dataset
from lib.exceptions import BCDError, ConfigError, SourceError
from lib.period import ROMAN
from pages import shell

log = logging.getLogger("bcd502")

QUALITY_PAGE = "pages/chat_luong.py"
SOURCE_PAGE = "pages/nguon_du_lieu.py"
CONTEXT_KEY = "_bcd_context"
T = TypeVar("T")
GENERIC_ERROR = "Đã có lỗi ngoài dự kiến khi hiển thị trang này. Vui lòng tải lại trang; nếu vẫn lỗi, báo cho quản trị viên (chi tiết đã được ghi lại ở máy chủ)."


@dataclass
class Context:
    """What every page reads: the configuration, the dataset, the sidebar's filters and today's date."""

    config: Config
    dataset: Dataset | None
    filters: filters.Filters | None
    today: dt.date
    load_error: BCDError | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def period(self) -> period.Period:
        return self.filters.period

    @property
    def latest(self) -> dt.date | None:
        """The last day with data in the whole dataset: comparisons stop there (like for like)."""
        return self.call(_latest_date, self.dataset)

    def view(self, function: Callable[..., T], *args: Any) -> T:
        """``function(activities, config, period, *args)`` for the sidebar's filters, shared by every session
        asking with the same fetch, filters and arguments."""
        return st_adapter.view(function, self.dataset, self.config, self.filters, *args)

    def call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)``, shared by every session calling it with equal arguments."""
        return st_adapter.call(function, *args)

    def shared(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` for a large result read by every session and modified by none (a dataset)."""
        return st_adapter.shared(function, *args)


# ---------------------------------------------------------------- errors


def hint(error: BCDError) -> str:
    """What to do next, by kind of error."""
    if isinstance(error, ConfigError):
        return (
            "Sửa tệp cấu hình được nêu ở trên (thư mục config/) rồi tải lại trang. Xem hướng dẫn cấu hình trong README."
        )
    if isinstance(error, SourceError):
        return "Kiểm tra nguồn dữ liệu (đường dẫn tệp, hoặc quyền chia sẻ bảng tính Google Sheets) ở trang «Nguồn dữ liệu», rồi bấm «Làm mới dữ liệu»."
    return "Kiểm tra lại lựa chọn rồi thử lại."


def show_error(error: BCDError) -> None:
    """The error's Vietnamese message (each configuration problem on its own line), shown as plain text:
    messages quote names and cells from the data."""
    if isinstance(error, ConfigError) and error.problems != [error.message]:
        text = "Cấu hình không hợp lệ:\n" + "\n".join(f"- {plain(p)}" for p in error.problems)
    else:
        text = plain(error.message)
    st.error(text, icon=":material/warning:")
    st.info(hint(error), icon=":material/lightbulb:")


def show_unexpected(error: Exception) -> None:
    """A generic Vietnamese message; the details go to the server log only."""
    log.exception("Unexpected error while rendering a page", exc_info=error)
    st.error(GENERIC_ERROR, icon=":material/warning:")


def load(today: dt.date) -> Context | None:
    """Config and dataset; a broken config stops the app, a broken source still allows the source page."""
    try:
        config = st_adapter.get_config()
    except BCDError as error:
        show_error(error)
        return None
    try:
        dataset = st_adapter.get_dataset()
    except BCDError as error:
        return Context(config, None, None, today, error)
    return Context(config, dataset, None, today)


def context(require_data: bool = True) -> Context:
    """The context app.py prepared for this run; stops the page with the load error when data is required."""
    ctx: Context | None = st.session_state.get(CONTEXT_KEY)
    if ctx is None:
        st.error("Hãy mở ứng dụng từ trang chính.")
        st.stop()
    if require_data and ctx.dataset is None:
        show_error(ctx.load_error)
        st.stop()
    return ctx


# ---------------------------------------------------------------- sidebar filters in the URL


def _query() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _seed(chosen: filters.Filters) -> None:
    chosen_period = chosen.period
    part = period.part_of(chosen_period)
    state = st.session_state
    state["f_kind"], state["f_year"] = chosen_period.kind, chosen_period.year_number
    state["f_half"], state["f_quarter"], state["f_month"] = (
        part if chosen_period.kind == k else 1 for k in ("half", "quarter", "month")
    )
    state["f_range"] = (chosen_period.start, chosen_period.end)
    state["f_boundaries"] = chosen.boundaries
    state["f_communes"], state["f_programmes"], state["f_organisations"] = (
        list(chosen.communes),
        list(chosen.programmes),
        list(chosen.organisations),
    )


def sidebar(ctx: Context) -> filters.Filters:
    """Period, view of communes through time, communes, programmes and organisations; seeded from and
    written back to the URL. Values of a link that cannot be used fall back to the default with a note
    (``ctx.notes``). Sets ``ctx.dataset`` and ``ctx.config`` to the chosen view of the period."""
    config, dataset = ctx.config, ctx.dataset
    state = st.session_state
    if "f_kind" not in state:
        state["f_seeded"], state["f_notes"] = filters.from_query(_query(), dataset, config, ctx.today)
        _seed(state["f_seeded"])
    year_start = config.settings.year_start  # the reporting year may start on 15/12
    default = ctx.call(filters.default_period, dataset, ctx.today, year_start)
    for key, value in (("f_half", 1), ("f_quarter", 1), ("f_month", 1), ("f_range", (default.start, default.end))):
        st.session_state.setdefault(key, value)
    programmes, organisations = views.programme_labels(config), views.organisation_labels(config)
    with st.sidebar:
        st.subheader("Bộ lọc")
        kind = st.selectbox("Kỳ", list(period.KINDS), format_func=period.KINDS.get, key="f_kind", filter_mode=None)
        start = end = None
        year, part = default.year_number, 1
        if kind == "range":
            chosen = st.date_input("Từ ngày – đến ngày", key="f_range", format="DD/MM/YYYY")
            start, end = (tuple(chosen) + (None, None))[:2] if isinstance(chosen, (tuple, list)) else (chosen, chosen)
            start, end = start or default.start, end or start or default.end
        else:
            shown_year = st.session_state.get("f_year") or default.year_number
            years = ctx.call(filters.year_choices, dataset, shown_year)
            year = st.selectbox("Năm", years, key="f_year", filter_mode=None)
            if kind == "half":
                part = st.selectbox(
                    "Nửa năm",
                    [1, 2],
                    format_func=lambda h: "6 tháng đầu năm" if h == 1 else "6 tháng cuối năm",
                    key="f_half",
                    filter_mode=None,
                )
            elif kind == "quarter":
                part = st.selectbox(
                    "Quý", [1, 2, 3, 4], format_func=lambda q: f"Quý {ROMAN[q]}", key="f_quarter", filter_mode=None
                )
            elif kind == "month":
                part = st.selectbox(
                    "Tháng", list(range(1, 13)), format_func=lambda m: f"Tháng {m}", key="f_month", filter_mode=None
                )
        chosen_period = period.build(kind, year, part, start, end, year_start)
        view = boundaries.DEFAULT
        if config.has_history:
            view = st.radio(
                "Địa giới xã",
                list(boundaries.LABELS),
                format_func=boundaries.LABELS.get,
                key="f_boundaries",
                help="Địa giới hiện nay: mọi số liệu, kể cả trước khi sắp xếp, tính theo các xã hiện nay (so sánh "
                "được qua các năm). Như khi ghi nhận: mỗi hoạt động tính cho xã tại thời điểm diễn ra.",
            )
        ctx.dataset = ctx.shared(boundaries.apply, dataset, view, config)
        ctx.config = config = boundaries.scope(config, view, chosen_period.start, chosen_period.end)
        names = [*config.communes, config.unit.whole_unit_label]
        state["f_communes"] = [c for c in state.get("f_communes", []) if c in names]
        communes = st.multiselect(
            "Xã", names, key="f_communes", filter_mode=None, select_all=False, placeholder="Tất cả các xã"
        )
        chosen_programmes = st.multiselect(
            "Chương trình",
            list(programmes),
            format_func=programmes.get,
            key="f_programmes",
            filter_mode=None,
            select_all=False,
            placeholder="Tất cả chương trình",
        )
        chosen_organisations = st.multiselect(
            "Đơn vị",
            list(organisations),
            format_func=organisations.get,
            key="f_organisations",
            filter_mode=None,
            select_all=False,
            placeholder="Tất cả đơn vị",
        )
    chosen_filters = filters.Filters(
        chosen_period, tuple(communes), tuple(chosen_programmes), tuple(chosen_organisations), view
    )
    if chosen_filters != state.get("f_seeded"):  # the user chose something: the link's notes no longer apply
        state["f_notes"] = []
    ctx.notes = state.get("f_notes", [])
    wanted = chosen_filters.to_query()
    if {k: ([v] if isinstance(v, str) else v) for k, v in wanted.items()} != _query():
        st.query_params.from_dict(wanted)
    return chosen_filters


def _latest_date(dataset: Dataset) -> dt.date | None:
    return dataset.latest_date


def _error_count(dataset: Dataset) -> int:
    return dataset.error_count


def error_count(ctx: Context) -> int:
    """The dataset's error count, counted once per fetch."""
    return ctx.call(_error_count, ctx.dataset)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$<>~:])")


def plain(text: object) -> str:
    """Text from the data (cells, the spreadsheet's title, messages quoting them) made inert for
    Streamlit's Markdown: no links, images, maths, colours or icons, one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def source_status(ctx: Context) -> None:
    """Small sidebar block: where the data comes from, when it was read, and the errors to fix."""
    with st.sidebar:
        st.divider()
        if ctx.dataset is None:
            st.error("Chưa đọc được dữ liệu.", icon=":material/warning:")
            return
        dataset = ctx.dataset
        st.caption(f"Nguồn: {plain(dataset.source_label)}  \nCập nhật: {fmt.timestamp(dataset.fetched_at)}")
        if dataset.notice:
            st.warning(plain(dataset.notice), icon=":material/schedule:")
        errors = error_count(ctx)
        if errors:
            st.page_link(QUALITY_PAGE, label=f"{fmt.number(errors)} dòng lỗi cần sửa", icon=":material/warning:")


# ---------------------------------------------------------------- page furniture


def header(title: str, ctx: Context, note: str = "") -> None:
    """Page title and a one-line summary of the filters in force."""
    st.title(title)
    for text in ctx.notes:
        st.warning(plain(text), icon=":material/link_off:")
    chosen = ctx.filters
    parts = [f"Kỳ: **{chosen.period.label}**"]
    if ctx.config.has_history:
        parts.append(f"Địa giới: {boundaries.LABELS[chosen.boundaries].lower()}")
    if chosen.communes:
        parts.append("Xã: " + plain(", ".join(chosen.communes)))
    if chosen.programmes:
        parts.append("Chương trình: " + ", ".join(f"CT{ctx.config.programmes[p].number}" for p in chosen.programmes))
    if chosen.organisations:
        labels = views.organisation_labels(ctx.config)
        parts.append("Đơn vị: " + plain(", ".join(labels[o] for o in chosen.organisations)))
    st.caption(" · ".join(parts) + (f"  \n{note}" if note else ""))
    if ctx.config.has_history:
        chosen_period = chosen.period
        for text in ctx.call(boundaries.gaps, ctx.config, chosen.boundaries, chosen_period.start, chosen_period.end):
            st.info(plain(text), icon=":material/history:")
    errors = error_count(ctx)
    if errors:
        st.page_link(
            QUALITY_PAGE,
            label=f"Có {fmt.number(errors)} dòng dữ liệu bị lỗi chưa được tính — xem và sửa",
            icon=":material/warning:",
        )


def table(frame: pd.DataFrame, title: str, key: str, *, height: int | str = "auto", hide_index: bool = True) -> None:
    """A table with Vietnamese number formatting (values stay sortable), offered in the page's «Tải số liệu»."""
    # text columns: object, or pandas 3's str dtype (which holds a blank as NaN)
    text = [c for c in frame.columns if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)]
    frame = frame.fillna(dict.fromkeys(text, ""))
    styled = frame.style.format({c: (lambda v, c=c: fmt.cell(v, c)) for c in frame.columns}, na_rep="–")
    if len(frame.columns) <= 2:  # a name and a figure fit a phone's width
        st.dataframe(styled, hide_index=hide_index, height=height, width="stretch", placeholder="–")
    else:  # wider: the grid on a wide screen, one card per row on a phone (shell.CSS chooses by the width)
        with st.container(key=f"bcd_grid_{key}"):
            pinned = {frame.columns[0]: st.column_config.Column(pinned=True)}
            st.dataframe(
                styled, hide_index=hide_index, height=height, width="stretch", placeholder="–", column_config=pinned
            )
        with st.container(key=f"bcd_cards_{key}"):
            st.html(views.phone_cards(frame if hide_index else frame.reset_index(), title))
    shell.collect(title, frame)


def metrics(
    cards: list[tuple[str, str, str | None, str]],
    key: str = "kpi_cards",
    trends: list[list[float] | None] | None = None,
) -> None:
    """Metric cards in a grid that shares the row (several per row on a laptop, one or two on a phone);
    labels and values wrap, never cut. ``trends``: a sparkline per card (monthly values)."""
    with st.container(key=key):
        for index, (label, value, delta, help_text) in enumerate(cards):
            trend = trends[index] if trends else None
            st.metric(
                label,
                value,
                delta,
                help=help_text or None,
                border=True,
                width="stretch",
                delta_arrow="off" if delta and delta.startswith("±") else "auto",
                chart_data=trend if trend and len(trend) > 1 else None,
                chart_type="area",
            )


def chart(builder: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """The chart ``builder(*args, **kwargs)`` (a function of lib/charts.py), full width; its spec is made once
    for every session asking with equal arguments."""
    st.vega_lite_chart(st_adapter.chart_spec(builder, *args, **kwargs), width="stretch")


def empty(ctx: Context) -> bool:
    """True (with a notice) when the filters leave no activity in the period."""
    if ctx.view(views.count_in_period):
        return False
    st.info(
        f"Không có hoạt động nào trong {ctx.period.label} với bộ lọc đang chọn. Hãy chọn kỳ hoặc bộ lọc khác ở thanh bên.",
        icon=":material/info:",
    )
    return True
