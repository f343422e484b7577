"""Altair chart builders over pre-aggregated frames (from lib.views / lib.indicators).

Numbers read the Vietnamese way everywhere: axes through a Vega number locale (``.`` thousands,
``,`` decimals), tooltips through pre-formatted text from lib.formatting. Every programme and every
organisation keeps one colour on every page, taken from the config order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import altair as alt
import pandas as pd

from . import formatting as fmt
from .config import Config
from .views import organisation_labels, programme_labels

PROGRAMME_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
ORGANISATION_COLOURS = [
    "#4e79a7",
    "#e15759",
    "#f28e2b",
    "#b07aa1",
    "#59a14f",
    "#edc948",
    "#76b7b2",
    "#9c755f",
    "#ff9da7",
    "#bab0ac",
]
HIGHLIGHT, MUTED = "#c0392b", "#7f8c8d"
WRAP = 22  # characters per line of a category label
AXIS_SPACE = 90  # Streamlit fits the whole chart, axes included, into the given height
TIME_LOCALE = {
    "dateTime": "%A, %e %B %Y, %X",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["SA", "CH"],
    "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
    "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "months": [f"Tháng {m}" for m in range(1, 13)],
    "shortMonths": [f"Th{m}" for m in range(1, 13)],
}
LOCALE = {"number": fmt.VEGA_FORMAT_LOCALE, "time": TIME_LOCALE}


def _scale(labels: list[str], colours: list[str]) -> alt.Scale:
    return alt.Scale(domain=labels, range=[colours[i % len(colours)] for i in range(len(labels))])


def programme_scale(config: Config) -> alt.Scale:
    """One colour per programme label, in config order."""
    return _scale(list(programme_labels(config).values()), PROGRAMME_COLOURS)


def organisation_scale(config: Config) -> alt.Scale:
    """One colour per organisation short name, in config order."""
    return _scale(list(organisation_labels(config).values()), ORGANISATION_COLOURS)


def localised(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Apply the Vietnamese number and time locale (the last step of every builder)."""
    return chart.configure(locale=LOCALE).configure_axis(labelLimit=170, titleFontWeight="normal", titleLimit=300)


def _text(values: pd.Series, unit: str = "", decimals: int = 1) -> pd.Series:
    """Tooltip text: ``1.234,5 đồng``; a percentage as the pages write it, ``16,67%``."""
    if unit == "%":
        return values.map(fmt.percent)
    return values.map(lambda v: f"{fmt.number(v, decimals)}{' ' + unit if unit else ''}")


def wrap(text: str, width: int = WRAP) -> list[str]:
    """A label cut into lines of about ``width`` characters at spaces (a long word keeps its line)."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def wrapped_labels(labels: list[str], width: int = WRAP) -> str:
    """A Vega ``labelExpr`` writing each long category label on several lines, so a phone keeps room for the bars."""
    long = {label: wrap(label, width) for label in dict.fromkeys(map(str, labels)) if len(label) > width}
    if not long:
        return "datum.label"
    return f"({json.dumps(long, ensure_ascii=False)})[datum.value] || datum.label"


def by_value(frame: pd.DataFrame, category: str, value: str) -> list[str]:
    """The categories, largest value first (ties keep the frame's order; no value last)."""
    order = frame.assign(_v=frame[value].astype(float)).sort_values("_v", ascending=False, kind="stable")
    return list(dict.fromkeys(order[category].astype(str)))


def _axis(values: pd.Series, unit: str, title: str) -> tuple[pd.Series, str]:
    """Money is drawn in millions of đồng so axis labels stay short and Vietnamese; a percentage says so."""
    if unit == "đồng":
        return values / 1e6, f"{title} (triệu đồng)"
    if unit == "%":
        return values, f"{title} (%)"
    return values, title


def _whole(values: pd.Series) -> bool:
    return bool(((values.fillna(0) % 1) == 0).all())


def _row_height(labels: list[str]) -> int:
    """Room for a bar and its label's lines."""
    return 24 + 14 * max((len(wrap(label)) for label in labels), default=1)


def bar(
    frame: pd.DataFrame,
    category: str,
    value: str,
    *,
    category_title: str,
    value_title: str,
    unit: str = "",
    colour: str | None = None,
    scale: alt.Scale | None = None,
    highlight: str | None = None,
    sort: list[str] | None = None,
    height: int | None = None,
) -> alt.TopLevelMixin:
    """Horizontal bars, one per category, largest first unless ``sort`` gives the order; long labels wrap.

    ``colour`` names a column mapped with ``scale``; ``highlight`` names a boolean column drawn in red."""
    axis_values, axis_title = _axis(frame[value], unit, value_title)
    data = frame.assign(_text=_text(frame[value], unit), _x=axis_values)
    order = sort or by_value(data, category, value)
    encoding = {
        "y": alt.Y(
            f"{category}:N", title=None, sort=order, axis=alt.Axis(labelExpr=wrapped_labels(order), labelLimit=170)
        ),
        "x": alt.X(
            "_x:Q",
            title=axis_title,
            axis=alt.Axis(format=",~f", tickMinStep=1 if _whole(axis_values) else alt.Undefined),
        ),
        "tooltip": [alt.Tooltip(f"{category}:N", title=category_title), alt.Tooltip("_text:N", title=value_title)],
    }
    if colour:
        encoding["color"] = alt.Color(f"{colour}:N", scale=scale, legend=None)
    elif highlight:
        encoding["color"] = alt.Color(
            f"{highlight}:N", scale=alt.Scale(domain=[True, False], range=[HIGHLIGHT, MUTED]), legend=None
        )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(**encoding)
        .properties(height=height or AXIS_SPACE + _row_height(order) * data[category].nunique())
    )
    return localised(chart)


def trend(frame: pd.DataFrame, *, title: str, unit: str = "") -> alt.TopLevelMixin:
    """Monthly lines: this period and the same months a year earlier (frame from views.monthly_trend, one indicator)."""
    data = frame.assign(_text=_text(frame["value"], unit), _month=frame["month_start"].dt.strftime("%m/%Y"))
    series = ["Kỳ này", "Cùng kỳ năm trước"]
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("month_start:T", title="Tháng", axis=alt.Axis(format="%m/%Y", tickCount="month", labelAngle=-40)),
            y=alt.Y("value:Q", title=title, axis=alt.Axis(format=",~f")),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=series, range=["#1f77b4", "#aab7c4"]),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=series, range=[[1, 0], [5, 4]]), legend=None),
            tooltip=[
                alt.Tooltip("series:N", title="Kỳ"),
                alt.Tooltip("_month:N", title="Tháng"),
                alt.Tooltip("_text:N", title=title),
            ],
        )
        .properties(height=340)
    )
    return localised(chart)


def heatmap(
    frame: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    *,
    x_title: str,
    y_title: str,
    value_title: str,
    x_sort: list[str] | None = None,
    y_sort: list[str] | None = None,
    scheme: str = "blues",
) -> alt.TopLevelMixin:
    """A grid of counts with the number written in each cell."""
    data = frame.assign(_text=_text(frame[value], decimals=0))
    base = alt.Chart(data).encode(
        x=alt.X(
            f"{x}:N",
            title=x_title,
            sort=x_sort,
            axis=alt.Axis(labelAngle=-50, orient="top", labelOverlap=False, labelLimit=120, labelAlign="left"),
        ),
        y=alt.Y(f"{y}:N", title=y_title, sort=y_sort, axis=alt.Axis(labelOverlap=False)),
        tooltip=[
            alt.Tooltip(f"{y}:N", title=y_title),
            alt.Tooltip(f"{x}:N", title=x_title),
            alt.Tooltip("_text:N", title=value_title),
        ],
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            f"{value}:Q",
            title=value_title,
            scale=alt.Scale(scheme=scheme),
            legend=alt.Legend(format=",~f", orient="bottom"),
        )
    )
    top = float(data[value].max() or 0)
    labels = base.mark_text(fontSize=11).encode(
        text=alt.Text("_text:N"),
        color=alt.condition(alt.datum[value] > top / 2, alt.value("white"), alt.value("#333333")),
    )
    rows = len(y_sort or data[y].unique())
    return localised((cells + labels).properties(height=AXIS_SPACE + 60 + 32 * rows))


def share_bar(
    frame: pd.DataFrame, category: str, value: str, *, title: str, unit: str, colours: Mapping[str, str] | None = None
) -> alt.TopLevelMixin:
    """Horizontal bars with the amount and its share of the total in the tooltip (funds by source)."""
    total = frame[value].sum()
    axis_values, axis_title = _axis(frame[value], unit, title)
    data = frame.assign(
        _text=_text(frame[value], unit, 0),
        _x=axis_values,
        _share=frame[value].map(lambda v: fmt.percent(v / total * 100 if total else None)),
    )
    labels = list(data[category])
    scale = alt.Scale(
        domain=labels,
        range=[(colours or {}).get(label, ORGANISATION_COLOURS[i % 10]) for i, label in enumerate(labels)],
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", title=None, sort=by_value(data, category, value)),
            x=alt.X("_x:Q", title=axis_title, axis=alt.Axis(format=",~f")),
            color=alt.Color(f"{category}:N", scale=scale, legend=None),
            tooltip=[
                alt.Tooltip(f"{category}:N", title="Nguồn"),
                alt.Tooltip("_text:N", title=title),
                alt.Tooltip("_share:N", title="Tỷ trọng"),
            ],
        )
        .properties(height=AXIS_SPACE + 40 * len(labels))
    )
    return localised(chart)


def commune_map(
    frame: pd.DataFrame,
    value: str,
    *,
    value_title: str,
    unit: str = "",
    shapes: Mapping | None = None,
    name_property: str = "name",
    height: int = 420,
) -> alt.TopLevelMixin:
    """Communes coloured by an indicator: their shapes when ``shapes`` (a GeoJSON FeatureCollection)
    are given, otherwise a point at each centre (``frame`` has ``commune``, ``lat``, ``lon`` and ``value``),
    sized and coloured by the value and named beside it."""
    data = frame.assign(_text=_text(frame[value], unit), _v=_axis(frame[value], unit, value_title)[0])
    colour_title = _axis(frame[value], unit, value_title)[1]
    colour = alt.Color(
        "_v:Q",
        title=colour_title,
        scale=alt.Scale(scheme="oranges"),
        legend=alt.Legend(format=",~f", orient="bottom", type="gradient", gradientLength=220),
    )
    tooltip = [alt.Tooltip("commune:N", title="Xã"), alt.Tooltip("_text:N", title=value_title)]
    projection = "mercator"
    if shapes is not None:
        shapes = (
            alt.Chart(alt.Data(values=list(shapes.get("features", []))))
            .mark_geoshape(stroke="white", strokeWidth=1.5)
            .transform_calculate(commune=f"datum.properties[{json.dumps(name_property)}]")
            .transform_lookup(lookup="commune", from_=alt.LookupData(data, "commune", ["_v", "_text"]))
            .encode(color=colour, tooltip=tooltip)
            .project(projection)
        )
        return localised(shapes.properties(height=height))
    located = data.dropna(subset=["lat", "lon"]).assign(_size=lambda f: f["_v"])  # its own field: no merged legend
    base = alt.Chart(located).encode(longitude="lon:Q", latitude="lat:Q").project(projection)
    points = base.mark_circle(opacity=0.9, stroke="#5d4037", strokeWidth=1).encode(
        color=colour, size=alt.Size("_size:Q", legend=None, scale=alt.Scale(range=[120, 1400])), tooltip=tooltip
    )
    names = base.mark_text(dy=-15, fontSize=12, fontWeight="bold").encode(text="commune:N", tooltip=tooltip)
    chart = (points + names).properties(height=height, padding={"left": 36, "right": 36, "top": 16, "bottom": 8})
    return localised(chart)
