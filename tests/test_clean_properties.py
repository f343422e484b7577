"""Properties of reading and cleaning, over generated input (Hypothesis, the "ci" profile of conftest).

- a number typed any way an official types it reads back as its value;
- a date in any supported form reads back as that date;
- ``clean`` accounts for every row of a tab: each non-blank row is accepted or has an error, never
  both, never neither, and nothing raises."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from lib.clean import clean
from lib.normalize import is_blank, parse_date, parse_number, to_serial
from tests.conftest import raw_data

MULTIPLIERS = {"": 1, "k": 1000, "nghìn": 1000, "ngàn": 1000, "tr": 10**6, "triệu": 10**6, "tỷ": 10**9}
UNITS = ["", "đồng", "đ", "km", "người", "cây", "ha"]


def _grouped(digits: str, mark: str) -> str:
    """1265000 → 1.265.000 (with ``mark`` between groups of three)."""
    head = len(digits) % 3 or 3
    return mark.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


@st.composite
def typed_numbers(draw) -> tuple[str, Decimal]:
    """(text as typed, its value): Vietnamese grouping and decimal comma, or the English-keyboard
    forms the README accepts, with a multiplier word and a unit."""
    whole = draw(st.integers(0, 10**12))
    decimals = draw(st.sampled_from(["", "5", "25", "125", "05"]))
    digits = str(whole)
    style = draw(st.sampled_from(["plain", "dots", "spaces", "english"]))
    ambiguous = len(decimals) == 3 and 0 < whole < 1000  # 4.080 is four thousand eighty
    if style == "english" and (whole >= 10**6 or decimals) and not ambiguous:  # one comma alone is a decimal comma
        text = _grouped(digits, ",") + (f".{decimals}" if decimals else "")
    elif style == "plain" and decimals and not ambiguous:
        mark = draw(st.sampled_from([",", "."]))  # 26,5 or 26.5
        text = f"{digits}{mark}{decimals}"
    else:
        mark = {"dots": ".", "spaces": " "}.get(style, "")
        text = _grouped(digits, mark) + (f",{decimals}" if decimals else "")
    word = draw(st.sampled_from(sorted(MULTIPLIERS)))
    unit = draw(st.sampled_from(UNITS))
    if word:
        spelled = draw(st.sampled_from([word, word.upper(), unicodedata.normalize("NFD", word)]))
        text += draw(st.sampled_from(["", " "])) + spelled
    if unit:
        text += " " + unit
    value = Decimal(f"{whole}.{decimals or 0}") * MULTIPLIERS[word]
    return draw(st.sampled_from(["", " ", "  "])) + text + draw(st.sampled_from(["", " "])), value


@given(typed_numbers())
def test_numbers_typed_every_way_read_back(typed):
    text, value = typed
    assert parse_number(text) == float(value), text


@given(st.integers(0, 10**15), st.sampled_from(["", " đồng", " km"]))
def test_whole_numbers_with_thousands_dots_read_back(whole, unit):
    assert parse_number(_grouped(str(whole), ".") + unit) == whole


@st.composite
def typed_dates(draw) -> tuple[object, dt.date]:
    day = draw(st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)))
    form = draw(st.sampled_from(["dmy", "dmy0", "iso", "long", "serial", "serial time", "datetime"]))
    if form in ("dmy", "dmy0"):
        sep = draw(st.sampled_from(["/", "-", ".", " / "]))
        pattern = "{d:02d}{s}{m:02d}{s}{y}" if form == "dmy0" else "{d}{s}{m}{s}{y}"
        return pattern.format(d=day.day, m=day.month, y=day.year, s=sep), day
    if form == "iso":
        return day.isoformat() + draw(st.sampled_from(["", "T08:30:00", " 00:00"])), day
    if form == "long":
        text = f"ngày {day.day} tháng {day.month} năm {day.year}"
        return draw(st.sampled_from([text, text.capitalize(), unicodedata.normalize("NFD", text)])), day
    if form == "serial":
        return to_serial(day), day
    if form == "serial time":
        return to_serial(day) + draw(st.floats(0, 0.999)), day
    return dt.datetime.combine(day, dt.time(draw(st.integers(0, 23)))), day


@given(typed_dates())
def test_dates_in_every_supported_form_read_back(typed):
    value, day = typed
    assert parse_date(value) == day, value


# ---------------------------------------------------------------- clean() accounts for every row

VALID = {
    "Ngày": ["05/03/2024", 45356, "2024-06-01", "ngày 9 tháng 3 năm 2024"],
    "Xã": ["Rô Men", "Đạ Long", "toàn huyện", "Đạ K’ Nàng"],
    "Thôn": ["Thôn 1", "Pul", ""],
    "Chương trình": [2, "CT2", "Chương trình 2"],
    "Loại hoạt động": ["Ngày thứ 7 cùng nhân dân", "T7CND"],
    "Nội dung": ["Dọn vệ sinh", "Làm đường\x0bliên thôn"],
    "Đơn vị phối hợp": ["Đoàn TN; Hội Phụ nữ", ""],
    "Số đợt": [1, "2"],
    "Người tham gia": [120, "1.265"],
    "Vận động, tài trợ (đồng)": ["4.080 triệu", 500000, "26,5"],
    "Ghi chú riêng": ["sáng", 3],
}
GARBAGE = st.one_of(
    st.sampled_from(
        [
            "",
            "  ",
            "#REF!",
            "#N/A",
            "Err:502",
            "31/02/2024",
            "05/03/0224",
            2958465,
            "1,2,3",
            "khoảng 50",
            -3,
            2.5,
            1e16,
            "Đạ Lonh",
            "Thôn 9",
            7,
            "Họp dân",
            True,
            "\x00",
        ]
    ),
    st.text(max_size=6),
    st.integers(-5, 50_000),
)


@st.composite
def organisation_tabs(draw) -> list[list]:
    """A header with the template's columns in any order (sometimes one required column missing,
    an unknown column, a blank header cell) and a few rows: valid cells, garbage, blank lines,
    ragged lengths, cells past the header."""
    header = draw(st.permutations(list(VALID)))
    if draw(st.integers(0, 9)) == 0:
        header.remove(draw(st.sampled_from(["Ngày", "Xã", "Chương trình", "Loại hoạt động"])))
    if draw(st.booleans()):
        header.insert(draw(st.integers(0, len(header))), "")
    rows: list[list] = [header]
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 5)) == 0:
            rows.append([])
            continue
        row = [draw(st.sampled_from(VALID[name]) if name and draw(st.integers(0, 3)) else GARBAGE) for name in header]
        row += draw(st.lists(GARBAGE, max_size=2))  # cells past the header
        rows.append(row[: draw(st.integers(0, len(row)))] if draw(st.integers(0, 3)) == 0 else row)
    return rows


@given(organisation_tabs(), organisation_tabs())
def test_every_non_blank_row_is_accepted_or_has_an_error_never_both(config, first, second):
    tabs = {name: [] for name in config.organisation_tabs}
    tabs["BCHQS"], tabs["MTTQ"] = first, second
    d = clean(raw_data(tabs), config)
    for tab, rows in (("BCHQS", first), ("MTTQ", second)):
        non_blank = {n for n, row in enumerate(rows[1:], start=2) if any(not is_blank(c) for c in row)}
        accepted = set(d.activities.loc[d.activities["tab"] == tab, "row"])
        issues = d.issues[(d.issues["tab"] == tab) & (d.issues["severity"] == "error")]
        errors = set(issues["row"].dropna().astype(int)) - {1}
        missing_columns = (issues["code"] == "tab.missing_columns").any()
        assert accepted <= non_blank and errors <= non_blank
        assert not accepted & errors
        if missing_columns:  # the whole tab is one error: nothing is accepted
            assert not accepted
        else:
            assert accepted | errors == non_blank
        stats = d.tab_stats.set_index("tab").loc[tab]
        assert (stats["rows"], stats["accepted"]) == (len(non_blank), len(accepted))
        assert stats["excluded"] == len(non_blank) - len(accepted)
