import datetime as dt
import unicodedata

import pytest

from lib.normalize import (
    clean_name,
    display,
    fold,
    is_dash,
    is_sheet_error,
    malformed_number,
    name_key,
    nfc,
    parse_date,
    parse_number,
    to_serial,
    typed_year,
    words_key,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1.265.000", 1265000),
        ("26,5", 26.5),
        ("4.080 triệu", 4_080_000_000),
        ("2.815 tr", 2_815_000_000),
        ("5.993.175.000 đồng", 5_993_175_000),
        ("95 km", 95),
        ("1,265.5", 1265.5),
        ("1.265,5", 1265.5),
        ("26.5", 26.5),
        ("4.080", 4080),
        ("500k", 500_000),
        ("3 tỷ", 3e9),
        (" 12 ", 12),
        (12, 12),
        (7.5, 7.5),
        ("1,234,567", 1234567),
        ("1 265 000", 1265000),
        ("1,1 triệu", 1_100_000),
        ("-3", -3),
        ("2,5 nghìn đồng", 2500),
    ],
)
def test_vietnamese_numbers(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "khoảng 50 người", "1.2.3", "", "12 abc 5", True, "1e5", "2024-03-05"])
def test_unreadable_numbers(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["1,2,3", "0,5,0", "1.2.3", "1.000.5", "5.", "1 2 3", "12,5,0 triệu", "1,23.5"])
def test_malformed_numbers_are_refused_not_guessed(text):
    assert parse_number(text) is None and malformed_number(text)


@pytest.mark.parametrize("text", ["abc", "khoảng 50 người", "12 abc 5", "1.265.000", "26,5", 12])
def test_text_and_good_numbers_are_not_malformed(text):
    assert not malformed_number(text)


@pytest.mark.parametrize(
    "value, expected",
    [
        (45292, dt.date(2024, 1, 1)),
        (45292.75, dt.date(2024, 1, 1)),
        ("05/03/2024", dt.date(2024, 3, 5)),
        ("5/3/2024", dt.date(2024, 3, 5)),
        ("05-03-2024", dt.date(2024, 3, 5)),
        ("05.03.2024", dt.date(2024, 3, 5)),
        ("2024-03-05", dt.date(2024, 3, 5)),
        ("ngày 5 tháng 3 năm 2024", dt.date(2024, 3, 5)),
        (dt.datetime(2024, 3, 5, 8, 30), dt.date(2024, 3, 5)),
    ],
)
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2024", "2024-13-01", "hôm qua", -5, "", True, 2958466, "05/03/24"])
def test_bad_dates(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(
    "value, year",
    [
        (2025, 2025),
        (2025.0, 2025),
        ("2025", 2025),
        (" 2024 ", 2024),
        ("Năm 2024", 2024),
        (1900, 1900),
        (2100, 2100),
        (2025.5, None),
        (1899, None),
        (2101, None),
        (45356, None),
        ("05/03/2024", None),
        ("20255", None),
        (True, None),
        (None, None),
    ],
)
def test_a_year_typed_alone(value, year):
    assert typed_year(value) == year


@pytest.mark.parametrize("value", ["-", "–", "—", " — ", "--", "−"])
def test_a_lone_dash_is_a_dash(value):
    assert is_dash(value) and parse_number(value) is None


@pytest.mark.parametrize("value", ["-5", "- 5", "", "a-b", 0, None, "-" * 30])
def test_other_cells_are_no_dash(value):
    assert not is_dash(value)


def test_name_keys_drop_the_zeros_leading_a_number():
    assert name_key("Thôn 01") == name_key("thon 1") == name_key("Thon 001") == name_key("Thôn 1") == "thon1"
    assert name_key("Thôn 10") == "thon10" != name_key("Thôn 1")
    assert name_key("Tổ 0") == name_key("Tổ 00") == "to0"
    assert name_key("Khu 1.05") != name_key("Khu 1.5") and name_key("Tổ 2,05") != name_key("Tổ 2,5")
    assert name_key("Đạ K’ Nàng") == fold("Đạ K'Nàng")


def test_words_keys_keep_words_apart():
    assert words_key("Toàn huyện") == words_key(" toan  HUYEN ") == "toan huyen"
    assert words_key("Đạ M’Rông") == words_key("Da MRong") == "da mrong" != words_key("Đam Rông")
    assert words_key("Thôn 01") == words_key("thon-1") == "thon 1" != words_key("Thôn 10")


def test_serial_round_trip():
    assert parse_date(to_serial(dt.date(2024, 10, 29))) == dt.date(2024, 10, 29)


def test_names_fold_accents_apostrophes_and_nfd():
    nfd = unicodedata.normalize("NFD", "Đạ K'Nàng")
    assert fold(nfd) == fold("Đạ K’ Nàng") == fold("da knang") == fold("ĐẠ K‘NÀNG")
    assert clean_name(nfd + "  ") == "Đạ K'Nàng"
    assert clean_name("Đạ M ’ Rông") == "Đạ M'Rông"


def test_years_outside_the_usual_range_are_still_dates():
    """The cleaner reports them as out of the plausible window: they must not vanish as unreadable."""
    assert parse_date("05/03/0224") == dt.date(224, 3, 5)
    assert parse_date("01/01/2300") == dt.date(2300, 1, 1)
    assert parse_date(2958465) == dt.date(9999, 12, 31)


def test_control_characters_become_spaces():
    assert nfc("Dọn\x0bvệ\x00sinh\x1b\x7f đường ") == "Dọn vệ sinh đường"
    assert clean_name("Đạ\x0bK’ Nàng") == "Đạ K'Nàng"
    assert display("a\x0bb") == "a b" and display(12.0) == "12" and display(None) == ""


@pytest.mark.parametrize(
    "text",
    ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#ERROR!", "#SPILL!", "#CALC!", "Err:502"],
)
def test_sheet_errors(text):
    assert is_sheet_error(text) and is_sheet_error(f" {text.lower()} ")
