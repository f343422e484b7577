import datetime as dt
import unicodedata

import pytest

from lib.normalize import clean_name, fold, parse_date, parse_number, to_serial


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
    ],
)
def test_vietnamese_numbers(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "khoảng 50 người", "1.2.3", "", "12 abc 5", True])
def test_unreadable_numbers(text):
    assert parse_number(text) is None


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


@pytest.mark.parametrize("value", ["31/02/2024", "2024-13-01", "hôm qua", -5, ""])
def test_bad_dates(value):
    assert parse_date(value) is None


def test_serial_round_trip():
    assert parse_date(to_serial(dt.date(2024, 10, 29))) == dt.date(2024, 10, 29)


def test_names_fold_accents_apostrophes_and_nfd():
    nfd = unicodedata.normalize("NFD", "Đạ K'Nàng")
    assert fold(nfd) == fold("Đạ K’ Nàng") == fold("da knang") == fold("ĐẠ K‘NÀNG")
    assert clean_name(nfd + "  ") == "Đạ K'Nàng"
    assert clean_name("Đạ M ’ Rông") == "Đạ M'Rông"
