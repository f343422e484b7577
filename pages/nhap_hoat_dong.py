"""Nhập hoạt động: organisation staff enter one row into their own tab (administrators into any tab).

The row is checked by the cleaner's rules before anything is written (lib/entry); problems show under
their field. Every write is recorded in the activity log."""

import datetime as dt

import streamlit as st

from lib import access, entry, st_adapter
from lib.exceptions import BCDError
from pages import access_ui, ui

RESULT_KEY = "_entry_result"
NONE = "— không ghi —"

ctx = ui.context(require_data=False)
config, today = st_adapter.get_config(), ctx.today  # whole history: the sidebar scopes ctx.config to its period
viewer = access_ui.current()
st.title("Nhập hoạt động")
organisations = [
    o for o in config.organisations.values() if access.may_edit_tab(viewer, o.code) and o.valid_in(today, today)
]
if not organisations:
    st.error("Tài khoản của bạn không được nhập vào tab nào.", icon=":material/lock:")
    st.stop()
if "row_id" not in config.fields:
    st.error("Cấu hình chưa khai báo cột «Mã dòng» (row_id) trong columns.yaml: chưa nhập được.", icon="⚠️")
    st.stop()
st.caption(
    "Dòng được kiểm tra theo đúng các quy tắc của trang Chất lượng dữ liệu trước khi ghi vào tab của đơn vị; "
    "số gõ kiểu Việt Nam (1.265.000; 26,5; 4,5 triệu). Ngày nhập và mã dòng được ghi tự động."
)
refusal = st_adapter.write_refusal()
if refusal:
    st.info(refusal, icon="ℹ️")
org = st.selectbox("Đơn vị", organisations, format_func=lambda o: f"{o.short_name} (tab «{o.tab}»)", key="entry_org")


def problems(code: str) -> None:
    """The problems of one field, under it."""
    result = st.session_state.get(RESULT_KEY)
    if not result or result.get("ok"):
        return
    for text in result["errors"].get(code, []):
        st.error(text, icon="⚠️")
    for text in result["warnings"].get(code, []):
        st.warning(text, icon="ℹ️")


fields = config.fields
left, right = st.columns(2)
with left:
    day = st.date_input(
        fields["date"].name,
        value=today,
        format="DD/MM/YYYY",
        key="entry_date",
        max_value=today + dt.timedelta(days=config.settings.latest_days_ahead),
    )
    problems("date")
    commune = st.selectbox(fields["commune"].name, entry.commune_choices(config, day), key="entry_commune")
    problems("commune")
    if "village" in fields:
        villages = entry.village_choices(config, commune, day)
        village = st.selectbox(fields["village"].name, [NONE, *villages], key="entry_village", disabled=not villages)
        problems("village")
with right:
    programmes = sorted(config.programmes.values(), key=lambda p: p.number)
    programme = st.selectbox(
        fields["programme"].name, programmes, format_func=lambda p: f"{p.number}. {p.short_name}", key="entry_programme"
    )
    problems("programme")
    kind = st.selectbox(
        fields["activity_type"].name, entry.activity_type_choices(config, programme.code), key="entry_kind"
    )
    problems("activity_type")
    partners = []
    if "partners" in fields:
        others = [o.short_name for o in config.organisations.values() if o.code != org.code and o.valid_in(day, day)]
        partners = st.multiselect(fields["partners"].name, others, key="entry_partners", placeholder="Không có")
        problems("partners")
content = st.text_area(fields["content"].name, key="entry_content", height=80) if "content" in fields else ""
problems("content")
st.markdown("**Số liệu** (để trống nếu không có)")
measures = list(config.measures.values())
numbers: dict[str, str] = {}
columns = st.columns(3)
for index, measure in enumerate(measures):
    with columns[index % 3]:
        numbers[measure.code] = st.text_input(measure.name, key=f"entry_{measure.code}", placeholder=measure.unit)
        problems(measure.code)


def typed_values() -> dict:
    """What the form holds, read from the widgets' state: a button's callback runs before the page does."""
    state = st.session_state
    values = {
        "date": state["entry_date"],
        "commune": state["entry_commune"],
        "programme": str(state["entry_programme"].number),
        "activity_type": state["entry_kind"],
    }
    if state.get("entry_village") not in (None, NONE):
        values["village"] = state["entry_village"]
    if (state.get("entry_content") or "").strip():
        values["content"] = state["entry_content"]
    if state.get("entry_partners"):
        values["partners"] = ", ".join(state["entry_partners"])
    for measure in config.measures:
        text = state.get(f"entry_{measure}") or ""
        if text.strip():
            values[measure] = text
    return values


def write(values: dict, what: str) -> None:
    org = st.session_state["entry_org"]
    row_id = entry.new_row_id(org)
    try:
        written = st_adapter.append_row(org.code, values, row_id)
    except BCDError as error:
        st.session_state[RESULT_KEY] = {"ok": False, "errors": {"": [error.message]}, "warnings": {}}
        return
    access_ui.record("append_row", tab=org.tab, dòng=written.row or "", mã_dòng=row_id, loại=what)
    where = f"dòng {written.row} " if written.row else ""
    st.session_state[RESULT_KEY] = {"ok": True, "message": f"Đã ghi {what} vào {where}tab «{org.tab}» (mã {row_id})."}


def submit() -> None:
    checked = entry.check(config, st.session_state["entry_org"], typed_values(), today)
    if not checked.ok:
        st.session_state[RESULT_KEY] = {"ok": False, "errors": checked.errors, "warnings": checked.warnings}
        return
    write(checked.values, "hoạt động")


def submit_nil() -> None:
    try:
        write(entry.nil_values(config, st.session_state["entry_date"], today), "báo cáo không có hoạt động")
    except BCDError as error:
        st.session_state[RESULT_KEY] = {"ok": False, "errors": {"": [error.message]}, "warnings": {}}


buttons = st.container(horizontal=True, gap="small")
buttons.button(
    "Kiểm tra và ghi vào bảng tính", type="primary", icon=":material/save:", on_click=submit, key="entry_submit"
)
if config.reporting is not None:
    buttons.button(
        f"Kỳ này «{config.reporting.nil_activity.name}»",
        icon=":material/event_busy:",
        on_click=submit_nil,
        key="entry_nil",
        help="Ghi một dòng báo cáo không có hoạt động, ngày như đã chọn ở trên (để Ban Chỉ đạo biết đơn vị đã báo cáo).",
    )
result = st.session_state.get(RESULT_KEY)
if result and result.get("ok"):
    st.success(result["message"] + " Các trang đã cập nhật số liệu mới.", icon="✅")
elif result:
    st.error("Dòng chưa được ghi: sửa các ô được đánh dấu ở trên rồi bấm ghi lại.", icon="⚠️")
    for text in result["errors"].get("", []):
        st.error(text, icon="⚠️")
