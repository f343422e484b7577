"""The frame around every page (not a page itself): the theme's CSS, the app's name and the unit above
each page, a mistyped link turned into the overview with a Vietnamese note, and the page's single
«Tải số liệu» (one XLSX with a sheet per table and the CSVs) built from the tables the page showed."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib import export
from lib.config import Config
from lib.period import Period

APP_NAME = "Bảng điều hành BCĐ 502"
TABLES_KEY = "_bcd_tables"
NOTE_KEY = "_bcd_unknown_page"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# - metric cards share the row and wrap their label, value and change instead of cutting them;
# - element toolbars (English tooltips, and on a phone they cover the caption under a table) and the
#   grid's English column menu are hidden: tables download through the page's «Tải số liệu»;
# - the file picker says «Chọn tệp» and its hint in Vietnamese instead of Streamlit's «Upload», «200MB per file»;
# - on a phone a table wider than a name and a figure is shown as cards (``ui.table``), not a grid whose
#   figures and messages would be cut at the right edge;
CSS = """
<style>
[class*="st-key-kpi_"] {
  display: grid !important; gap: 0.6rem;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, 9.5rem), 1fr));
}
.st-key-kpi_primary { grid-template-columns: repeat(auto-fit, minmax(min(100%, 10.5rem), 1fr)); }
[class*="st-key-kpi_"] > div { width: auto !important; min-width: 0; }
[data-testid="stMetric"] { height: 100%; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere; line-height: 1.3;
}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
[data-testid="stMetricValue"] { font-size: clamp(1.45rem, 1.1rem + 1.2vw, 2.1rem); }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; height: auto;
}
[data-testid="stElementToolbar"], [data-testid="stDataFrameColumnMenu"], [data-testid="stDataFrameColumnFormattingMenu"],
[data-testid="stDataFrameColumnVisibilityMenu"], [data-testid="stDataFrameStatisticsMenu"] { display: none !important; }
[class*="st-key-bcd_cards_"] { display: none !important; }
@media (max-width: 640px) {  /* a phone: a table of more than two columns is a list of cards, one per row */
  [class*="st-key-bcd_grid_"] { display: none !important; }
  [class*="st-key-bcd_cards_"] { display: block !important; }
}
.bcd-cards { list-style: none; margin: 0 !important; padding: 0 !important; }
.bcd-card { border: 1px solid rgba(128, 128, 128, 0.35); border-radius: 8px; padding: 0.5rem 0.75rem;
  margin: 0 0 0.5rem; }
.bcd-card-title { font-weight: 600; margin: 0 0 0.25rem; overflow-wrap: anywhere; }
.bcd-card dl { display: grid; grid-template-columns: minmax(5.5rem, 38%) 1fr; gap: 0.15rem 0.6rem;
  margin: 0 !important; padding: 0 !important; }
.bcd-card dt { opacity: 0.72; overflow-wrap: anywhere; }
.bcd-card dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
.bcd-cards-note { opacity: 0.8; font-size: 0.9rem; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span { display: none !important; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "Chọn tệp"; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "Kéo thả tệp vào đây hoặc bấm «Chọn tệp» (tối đa 200 MB)"; font-size: 0.875rem; opacity: 0.75; }
.st-key-bcd_brand p { margin: 0; }
.bcd-lead { font-size: 1.08rem; line-height: 1.6; border-left: 4px solid var(--primary-color, #9e1b1b);
  padding: 0.5rem 0.9rem; margin: 0.3rem 0 0.8rem; background: rgba(158, 27, 27, 0.05); border-radius: 0 6px 6px 0; }
</style>
"""


# On a phone the sidebar is a drawer over the page: choosing a page in it closes it (Streamlit leaves it
# open). One listener per browser tab; a filter changed in the drawer keeps it open.
CLOSE_DRAWER_JS = """
<script>
if (!window.__bcdCloseDrawer) {
  window.__bcdCloseDrawer = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest('[data-testid="stSidebarNav"] a, [data-testid="stSidebar"] [data-testid="stPageLink"] a');
    if (!link || window.innerWidth >= 768) return;
    setTimeout(() => {
      const control = document.querySelector('[data-testid="stSidebarCollapseButton"]');
      const button = control && (control.matches("button") ? control : control.querySelector("button"));
      if (button) button.click();
    }, 120);
  }, true);
}
</script>
"""


def style() -> None:
    st.html(CSS)
    st.html(CLOSE_DRAWER_JS, unsafe_allow_javascript=True)


def catch_unknown_page(pages: Sequence) -> None:
    """A link to a page that does not exist (``/theo-xaa``) opens the default page with a Vietnamese note
    instead of Streamlit's English «Page not found». Call before ``st.navigation``."""
    run = get_script_run_ctx()
    manager = getattr(run, "pages_manager", None)
    if manager is None or getattr(manager, "intended_page_script_hash", ""):
        return
    wanted = getattr(manager, "intended_page_name", "") or ""
    known = {page.url_path for page in pages} | {getattr(page, "_url_path", "") for page in pages}
    if wanted and wanted.strip("/") not in known:
        manager.set_script_intent("", "")
        st.session_state[NOTE_KEY] = wanted.strip("/")[:80]
    elif wanted in {getattr(page, "_url_path", None) for page in pages if page.url_path == ""}:
        manager.set_script_intent("", "")  # the default page by its own name: the root


def unknown_page_note() -> str | None:
    """The note for a mistyped link, once."""
    name = st.session_state.pop(NOTE_KEY, None)
    if name is None:
        return None
    return f"Không có trang «{name}» trong bảng điều hành (đường dẫn gõ sai hoặc đã cũ); đang mở trang Tổng quan."


def brand(config: Config) -> st.delta_generator.DeltaGenerator:
    """The app's name and the unit above every page, with room on the right for «Tải số liệu»."""
    unit = config.unit
    bar = st.container(horizontal=True, vertical_alignment="center", key="bcd_brand")
    bar.caption(
        f"**{APP_NAME}** · {unit.level} {unit.name}, {unit.parent_level or 'tỉnh'} {unit.province}", width="stretch"
    )
    note = unknown_page_note()
    if note:
        st.warning(note, icon=":material/link_off:")
    st.session_state[TABLES_KEY] = {}
    return bar


def collect(title: str, frame: pd.DataFrame) -> None:
    """Remember a table the page shows, for the page's «Tải số liệu»."""
    tables = st.session_state.setdefault(TABLES_KEY, {})
    name, number = title, 1
    while name in tables:
        number += 1
        name = f"{title} ({number})"
    tables[name] = frame


def downloads(slot: st.delta_generator.DeltaGenerator, config: Config, page_title: str, period: Period | None) -> None:
    """«Tải số liệu»: every table of the page in one XLSX (a sheet each) or in CSVs (a ZIP), named after
    the unit, the page and the period. Files are built only when asked for."""
    tables = dict(st.session_state.get(TABLES_KEY) or {})
    if not tables:
        return
    unit, period_key = config.unit.name, period.key if period else "toan-bo"
    with slot.popover("Tải số liệu", icon=":material/download:"):
        st.caption(f"{len(tables)} bảng của trang {page_title}, {period.label if period else 'toàn bộ dữ liệu'}.")
        st.download_button(
            "Excel (.xlsx), mỗi bảng một trang tính",
            lambda: export.workbook(tables),
            export.download_name(unit, page_title, period_key, "xlsx"),
            XLSX,
            key="page_xlsx",
            icon=":material/table_view:",
            on_click="ignore",
            type="primary",
        )
        st.download_button(
            "CSV (.zip), mỗi bảng một tệp",
            lambda: export.csv_archive(tables),
            export.download_name(unit, page_title, period_key, "zip"),
            "application/zip",
            key="page_csv",
            icon=":material/folder_zip:",
            on_click="ignore",
        )
