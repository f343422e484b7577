"""Nguồn dữ liệu: which source is read, when, snapshot status, refresh, the empty template, connecting Google Sheets."""

import streamlit as st

from lib import formatting as fmt
from lib import st_adapter, template
from lib.access import Action
from pages import access_ui, ui

ctx = ui.context(require_data=False)
config, dataset = ctx.config, ctx.dataset
st.title("Nguồn dữ liệu")


if dataset is None:
    ui.show_error(ctx.load_error)
else:
    left, right = st.columns(2)
    left.metric("Nguồn đang dùng", dataset.source_label, border=True)  # a metric's value is plain text
    right.metric("Đọc lúc", fmt.timestamp(dataset.fetched_at), border=True)
    if dataset.notice:
        st.warning(ui.plain(dataset.notice), icon=":material/schedule:")
    else:
        st.success("Dữ liệu được đọc trực tiếp từ nguồn (không dùng bản lưu dự phòng).", icon=":material/check_circle:")
    st.caption(
        "Tệp bảng tính được đọc lại ngay khi tệp thay đổi; Google Sheets được đọc lại ngầm sau mỗi "
        f"{config.settings.cache_ttl_seconds // 60} phút (người xem không phải chờ). "
        "Bấm «Làm mới dữ liệu» để đọc lại ngay sau khi các đơn vị cập nhật."
    )

if access_ui.may(Action.REFRESH):
    if st.button("Làm mới dữ liệu", icon=":material/refresh:", type="primary", key="source_refresh"):
        access_ui.record("refresh")
        st_adapter.refresh()
        st.rerun()
else:
    st.caption(
        "Nút «Làm mới dữ liệu» dành cho quản trị viên; tệp bảng tính được đọc lại khi thay đổi, Google Sheets "
        f"sau tối đa {config.settings.cache_ttl_seconds // 60} phút."
    )

st.subheader("Mẫu nhập liệu")
st.write(
    "Tệp Excel trống có sẵn các tab của từng đơn vị, dòng tiêu đề đúng mẫu và danh sách chọn "
    "(xã, chương trình, loại hoạt động). Dùng khi nhập liệu không có mạng, hoặc để tải lên Google Sheets."
)
st.download_button(
    "Tải tệp mẫu (.xlsx)",
    ctx.call(template.build_template, config),
    "mau-nhap-lieu-bcd-502.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="source_template",
    icon=":material/download:",
    on_click="ignore",
)

st.subheader("Kết nối Google Sheets")
st.markdown(
    "1. Tạo một tài khoản dịch vụ (service account) trong Google Cloud, bật **Google Sheets API** và tải tệp khoá JSON.\n"
    "2. Chia sẻ bảng tính dùng chung cho địa chỉ e-mail của tài khoản dịch vụ: quyền **Người xem** là đủ để đọc, "
    "quyền **Người chỉnh sửa** nếu muốn tạo tab mẫu bằng nút bên dưới.\n"
    "3. Chép tệp `.streamlit/secrets.toml.example` thành `.streamlit/secrets.toml`, điền đường dẫn bảng tính vào "
    "`spreadsheet` và chép các trường của tệp khoá JSON vào mục `[connections.gsheets]`.\n"
    "4. Khởi động lại ứng dụng, rồi bấm «Làm mới dữ liệu».\n\n"
    "Hướng dẫn chi tiết: tài liệu `docs/google-sheets.md` và mục «Kết nối Google Sheets» trong README."
)

if not access_ui.may(Action.SETUP_SHEETS):
    st.stop()
st.subheader("Quản trị: tạo các tab còn thiếu")
on_sheets = dataset is not None and dataset.source_id.startswith("gsheet:")
if not on_sheets:
    st.caption("Chỉ dùng được khi nguồn dữ liệu là Google Sheets. Nguồn hiện tại là một tệp trên máy chủ.")
else:
    st.write(
        "Tạo tab của các đơn vị và tab Chỉ tiêu còn thiếu (có dòng tiêu đề và danh sách chọn). Không sửa các tab đã có."
    )
    protect = st.checkbox(
        "Khoá mỗi tab, chỉ người được giao (editors trong cấu hình) mới sửa được", key="source_protect"
    )
    if st.button("Tạo các tab còn thiếu", icon=":material/add_box:", key="source_init"):
        result = st_adapter.setup_spreadsheet(protect=protect)
        access_ui.record("setup_sheets", **{"khoá tab": protect, "kết quả": result.summary()})
        st.success(result.summary())
        st_adapter.refresh()
