"""Vietnamese number and date formatting: decimal half-up rounding on the value as written, any input
formatted without raising, missing values as "–"."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib import formatting as fmt

NUMERIC = (fmt.number, fmt.percent, fmt.money, fmt.millions, fmt.padded, fmt.quantity)


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: fmt.number(87255.8, 1) + " ha", "87.255,8 ha"),
        (lambda: fmt.percent(65.07), "65,07%"),
        (lambda: fmt.percent(100.0), "100%"),
        (lambda: fmt.money(5993175000), "5.993.175.000 đồng"),
        (lambda: fmt.millions(423800000), "423,8 triệu đồng"),
        (lambda: fmt.millions(4080000000), "4.080 triệu đồng"),
        (lambda: str(fmt.figure(5993175000, "đồng")), "5.993,2 triệu đồng"),
        (lambda: str(fmt.figure(423800000, "đồng")), "423,8 triệu đồng"),
        (lambda: str(fmt.figure(65.065, "%")), "65,07%"),
        (lambda: str(fmt.figure(26.45, "km")), "26,5 km"),
        (lambda: str(fmt.figure(None, "đồng")), "–"),
        (lambda: fmt.padded(2), "02"),
        (lambda: fmt.padded(24), "24"),
        (lambda: fmt.number(12.5, 2, trim=False), "12,50"),
        (lambda: fmt.long_date(dt.date(2024, 10, 29)), "ngày 29 tháng 10 năm 2024"),
        (lambda: fmt.long_date(dt.date(2024, 2, 5)), "ngày 05 tháng 02 năm 2024"),
        (lambda: fmt.short_date(dt.date(2024, 1, 5)), "05/01/2024"),
        (lambda: fmt.timestamp(dt.datetime(2024, 12, 31, 17, 30, tzinfo=dt.UTC)), "00:30 ngày 01/01/2025"),
    ],
)
def test_existing_outputs(call, expected):
    assert call() == expected


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: fmt.millions(538_150_000), "538,2 triệu đồng"),  # round() on the float gave 538,1
        (lambda: fmt.millions(11_350_000), "11,4 triệu đồng"),  # and 11,3
        (lambda: fmt.figure(538_150_000, "đồng").text, "538,2"),
        (lambda: fmt.number(16.666666666666664, 1), "16,7"),
        (lambda: fmt.percent(16.666666666666664), "16,67%"),
        (lambda: fmt.number(2.675, 2), "2,68"),  # 2.675 is 2.67499999… in binary
        (lambda: fmt.number(0.5), "1"),
        (lambda: fmt.number(2.5), "3"),
        (lambda: fmt.number(-2.5), "-3"),
        (lambda: fmt.number(1.005, 2), "1,01"),
        (lambda: fmt.percent(0.125, 2), "0,13%"),
        (lambda: fmt.number(-0.04), "0"),  # no negative zero
        (lambda: fmt.millions(-40), "0 triệu đồng"),
        (lambda: fmt.number(Decimal("1234.55"), 1), "1.234,6"),
        (lambda: fmt.millions(Decimal("538150000")), "538,2 triệu đồng"),
        (lambda: fmt.number(np.int64(1265000)), "1.265.000"),
        (lambda: fmt.number(np.float32(0.1), 1), "0,1"),
    ],
)
def test_decimal_half_up_on_the_value_as_written(call, expected):
    assert call() == expected


@pytest.mark.parametrize(
    "value",
    [None, float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("Infinity"), pd.NA, pd.NaT, np.nan],
)
@pytest.mark.parametrize("formatter", NUMERIC)
def test_missing_and_non_finite_values_are_a_dash(formatter, value):
    assert formatter(value) == fmt.MISSING == "–"


@pytest.mark.parametrize(
    "value",
    [1e28, -1e28, 1e30, -1e30, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324, Decimal("1e400")],
)
@pytest.mark.parametrize("formatter", NUMERIC)
def test_extreme_values_format_without_raising(formatter, value):
    text = formatter(value)
    assert isinstance(text, str) and text and text != fmt.MISSING
    assert len(text) < 60  # a power of ten, not hundreds of digits


def test_huge_values_as_a_power_of_ten():
    assert fmt.number(1e28) == "1 × 10²⁸"
    assert fmt.number(-1.7976931348623157e308) == "-1,8 × 10³⁰⁸"
    assert fmt.number(9.999e21) == "1 × 10²²"
    assert fmt.number(123_456_789_012_345_678_901) == "123.456.789.012.345.678.901"


@pytest.mark.parametrize("formatter", (fmt.long_date, fmt.short_date, fmt.timestamp))
def test_missing_dates_are_a_dash(formatter):
    assert formatter(None) == formatter(pd.NaT) == "–"


@given(value=st.floats(allow_nan=True, allow_infinity=True), decimals=st.integers(0, 6))
def test_every_formatter_returns_text_for_any_float(value, decimals):
    for formatter in NUMERIC:
        assert isinstance(formatter(value), str)
    assert isinstance(fmt.number(value, decimals), str)
    assert isinstance(fmt.number(value, decimals, trim=False), str)
    assert isinstance(fmt.percent(value, decimals), str)
    assert isinstance(fmt.millions(value, decimals), str)
    if not math.isfinite(value):
        assert fmt.number(value) == "–"


@given(value=st.one_of(st.integers(-(10**30), 10**30), st.decimals(allow_nan=True, allow_infinity=True)))
def test_every_formatter_returns_text_for_any_int_or_decimal(value):
    for formatter in NUMERIC:
        assert isinstance(formatter(value), str)


def _parse(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


@given(value=st.floats(min_value=-1e15, max_value=1e15, allow_nan=False), decimals=st.integers(0, 4))
def test_number_parses_back_to_the_rounded_value(value, decimals):
    expected = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = fmt.number(value, decimals)
    assert _parse(text) == expected
    assert not text.startswith("-0") or _parse(text) != 0
    assert _parse(fmt.number(value, decimals, trim=False)) == expected


@given(value=st.integers(min_value=-(10**15), max_value=10**15))
def test_money_and_millions_agree(value):
    assert _parse(fmt.money(value).removesuffix(" đồng")) == value
    expected = (Decimal(value) / Decimal(10**6)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert _parse(fmt.millions(value).removesuffix(" triệu đồng")) == expected


def test_a_place_names_its_noun_once():
    assert fmt.place("xã", "Rô Men") == "xã Rô Men"
    assert fmt.place("xã", "Xã Đam Rông 1") == "xã Đam Rông 1"
    assert fmt.place("thôn", "Thôn 3") == "thôn 3" and fmt.place("thôn", "Liêng Bông") == "thôn Liêng Bông"


def test_the_day_is_vietnams():
    assert fmt.local_date(dt.datetime(2026, 11, 30, 16, 59, tzinfo=dt.UTC)) == dt.date(2026, 11, 30)
    assert fmt.local_date(dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)) == dt.date(2026, 12, 1)
    assert fmt.local_date(dt.datetime(2026, 11, 30, 23, 0)) == dt.date(2026, 11, 30)  # naive: already local
    assert fmt.today() == dt.datetime.now(fmt.TIME_ZONE).date()


@pytest.mark.parametrize(
    "value, column, shown",
    [
        (np.int64(1119), "Người tham gia", "1.119"),
        (16.666, "Tỷ lệ (%)", "16,67%"),
        (2.5, "Kinh phí", "2,5"),
        (float("nan"), "Kinh phí", "–"),
        (None, "Ghi chú", ""),
        (pd.Timestamp("2024-03-05 10:00"), "Ngày", "05/03/2024"),
        (pd.NaT, "Ngày", "–"),
        (True, "Đúng hạn", "Có"),
        ("Thôn 1", "Thôn", "Thôn 1"),
    ],
)
def test_a_table_cell_shows_the_value_the_vietnamese_way(value, column, shown):
    assert fmt.cell(value, column) == shown
