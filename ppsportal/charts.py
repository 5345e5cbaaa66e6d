"""Chart geometry: pure functions from series of numbers to the shapes an SVG template draws.

No queries, no HTML: a selector gives the numbers, a view formats their texts in the reader's
language, these functions place them, and ``ppsportal/includes/chart_*.html`` draws the SVG with
its title, description and the same numbers as a table. Coordinates are in the SVG's own user
units (the chart scales to its container through ``viewBox``) and come back as numbers rounded
to one decimal; templates print them inside ``{% localize off %}`` so that a Dutch page writes
``12.5``, never ``12,5``.

Three kinds:
- ``bar_chart``: horizontal bars, one row per label, one bar per series in each row (time to
  acknowledge per organisation; soft targets and their gaps per tier and region);
- ``stacked_columns``: one column per day, its series stacked (partnerships per health status);
- ``level_steps``: a step line over days between named levels (one partnership's health).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

WIDTH = 400
FONT_SIZE = 13
CHAR_WIDTH = 8.0  # a generous average advance of the bold sans-serif at FONT_SIZE
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
BAR_GAP = 3
ROW_GAP = 10
VALUE_ROOM = 130  # right of the longest bar: its value in words
TICK_ROOM = 60  # the least room between two date labels on an axis
AXIS_HEIGHT = 22


def _r(value: float) -> float:
    return round(value, 1)


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least ``value`` (1 for
    nothing), so that gridlines fall on round numbers."""
    if value <= 0 or math.isnan(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop ends at 10


def fit_label(text: str, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` units; the full text goes in the
    shape's ``<title>`` and the table."""
    room = max(int(width // CHAR_WIDTH), 4)
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


@dataclass(frozen=True)
class Series:
    key: str  # the CSS class suffix: ``chart-fill-<key>``
    label: str


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


def _label_every(every: int, step: float) -> int:
    """Label every ``every``-th column, or a multiple of it when the labels would touch."""
    wanted = every
    while wanted * step < TICK_ROOM:
        wanted += every
    return wanted


def _spread(ticks: list[Tick], room: float = TICK_ROOM) -> None:
    """Drop the tick before the last when the last (always kept: today) would run into it."""
    if len(ticks) > 1 and ticks[-1].x - ticks[-2].x < room:
        ticks.pop(-2)


# --- horizontal bars --------------------------------------------------------------------------


@dataclass(frozen=True)
class BarRow:
    label: str
    values: tuple[float | None, ...]  # one per series; None draws no bar (its text says why)
    texts: tuple[str, ...]  # the values in words, as the table shows them


@dataclass(frozen=True)
class Bar:
    series: Series
    x: float
    y: float
    width: float
    height: float
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarGroup:
    label: str
    short_label: str
    label_y: float
    bars: tuple[Bar, ...]


@dataclass
class BarChart:
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    series: tuple[Series, ...]
    groups: list[BarGroup] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    reference: Tick | None = None  # a vertical line: the deadline, say

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def table_rows(self) -> list[tuple[str, list]]:
        """The figures for the table beside the picture: a label and one cell per series."""
        return [(group.label, [bar.text for bar in group.bars]) for group in self.groups]


def bar_chart(
    rows: Sequence[BarRow],
    series: Sequence[Series],
    *,
    tick_text: Callable[[float], str] = lambda v: f"{v:g}",
    reference: float | None = None,
    reference_text: str = "",
    width: float = WIDTH,
    ticks: int = 4,
) -> BarChart:
    """Each row's label on a line of its own (so a long name never squeezes the bars), its bars
    below it, each followed by its value in words. The scale runs from 0 to ``nice_max`` of the
    largest value (and the reference), with ``ticks`` gridlines."""
    series = tuple(series)
    left, right = 4.0, width - VALUE_ROOM
    values = [v for row in rows for v in row.values if v is not None]
    if reference is not None:
        values.append(reference)
    top = max(values, default=0.0)
    scale_max = nice_max(top)
    span = right - left
    chart = BarChart(
        width=width,
        height=0,
        plot_left=left,
        plot_right=right,
        plot_top=0,
        plot_bottom=0,
        series=series,
    )
    y = 0.0
    for row in rows:
        label_y = y + FONT_SIZE
        y += LABEL_HEIGHT
        bars = []
        for index, s in enumerate(series):
            value = row.values[index] if index < len(row.values) else None
            bar_width = 0.0 if value is None else max(span * max(value, 0) / scale_max, 0)
            if value is not None and value > 0:
                bar_width = max(bar_width, 1.5)  # a small value stays visible
            text = row.texts[index] if index < len(row.texts) else ""
            bars.append(
                Bar(
                    series=s,
                    x=_r(left),
                    y=_r(y),
                    width=_r(bar_width),
                    height=BAR_HEIGHT,
                    text=text,
                    text_x=_r(left + bar_width + 4),
                    text_y=_r(y + BAR_HEIGHT - 3),
                )
            )
            y += BAR_HEIGHT + BAR_GAP
        chart.groups.append(
            BarGroup(
                label=row.label,
                short_label=fit_label(row.label, width - 8),
                label_y=_r(label_y),
                bars=tuple(bars),
            )
        )
        y += ROW_GAP
    chart.plot_bottom = _r(y)
    chart.height = _r(y + AXIS_HEIGHT)
    for i in range(ticks + 1):
        value = scale_max * i / ticks
        chart.ticks.append(Tick(x=_r(left + span * i / ticks), text=tick_text(value)))
    if reference is not None:
        chart.reference = Tick(x=_r(left + span * reference / scale_max), text=reference_text)
    return chart


# --- stacked columns over days ------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    series: Series
    x: float
    y: float
    width: float
    height: float
    value: float


@dataclass(frozen=True)
class Column:
    label: str  # the day in words, for the shape's ``<title>``
    segments: tuple[Segment, ...]


@dataclass
class ColumnChart:
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    series: tuple[Series, ...]
    columns: list[Column] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)  # ``x`` holds the y coordinate
    x_ticks: list[Tick] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.columns

    @property
    def table_rows(self) -> list[tuple[str, list]]:
        """The figures for the table beside the picture: a day and one cell per series."""
        return [(column.label, [s.value for s in column.segments]) for column in self.columns]


def stacked_columns(
    labels: Sequence[str],
    values: Sequence[Sequence[float]],
    series: Sequence[Series],
    *,
    x_label_every: int = 7,
    x_labels: Sequence[str] | None = None,
    width: float = WIDTH,
    height: float = 220,
    ticks: int = 4,
) -> ColumnChart:
    """One column per label (a day), its ``values`` (one per series) stacked from the bottom in
    series order. ``x_labels`` (short texts, default ``labels``) appear under every
    ``x_label_every``-th column and under the last."""
    series = tuple(series)
    left, right, top, bottom = 36.0, width - 24, 8.0, height - AXIS_HEIGHT
    chart = ColumnChart(
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        series=series,
    )
    if not labels:
        return chart
    totals = [sum(v for v in column if v) for column in values]
    scale_max = nice_max(max(totals, default=0))
    step = (right - left) / len(labels)
    x_label_every = _label_every(x_label_every, step)
    bar = max(step * 0.8, 1.0)
    shorts = list(x_labels) if x_labels is not None else list(labels)
    for i, label in enumerate(labels):
        x = left + step * i + (step - bar) / 2
        y = bottom
        segments = []
        for index, s in enumerate(series):
            value = values[i][index] if index < len(values[i]) else 0
            h = (bottom - top) * (value or 0) / scale_max
            y -= h
            segments.append(
                Segment(series=s, x=_r(x), y=_r(y), width=_r(bar), height=_r(h), value=value or 0)
            )
        chart.columns.append(Column(label=label, segments=tuple(segments)))
        if i % x_label_every == 0 or i == len(labels) - 1:
            chart.x_ticks.append(Tick(x=_r(x + bar / 2), text=shorts[i]))
    _spread(chart.x_ticks)
    if scale_max <= 5:  # small counts: a line at each whole number
        ticks = max(int(scale_max), 1)
    elif scale_max == 10:
        ticks = 5
    for i in range(ticks + 1):
        value = scale_max * i / ticks
        text = f"{value:g}" if value == int(value) else ""
        if text:
            chart.y_ticks.append(Tick(x=_r(bottom - (bottom - top) * i / ticks), text=text))
    return chart


# --- a step line between named levels -----------------------------------------------------------


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # the day and level in words


@dataclass
class StepChart:
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    levels: list[Tick] = field(default_factory=list)  # ``x`` holds the y coordinate
    points: list[Point] = field(default_factory=list)
    path: str = ""  # the SVG path's ``d``
    x_ticks: list[Tick] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.points


def level_steps(
    days: Sequence[str],
    levels: Sequence[int | None],
    level_names: Sequence[str],
    *,
    x_labels: Sequence[str] | None = None,
    x_label_every: int = 7,
    width: float = WIDTH,
) -> StepChart:
    """A step line: day ``i`` sits at level ``levels[i]`` (an index into ``level_names``, drawn
    top to bottom; None leaves a gap, a day without a record). One day draws a dot and a short
    flat line."""
    label_room = min(max((len(n) for n in level_names), default=4) * CHAR_WIDTH + 16, width / 3)
    rows = max(len(level_names), 1)
    top = 10.0
    height = top + rows * 34 + AXIS_HEIGHT
    left, right, bottom = label_room, width - 24, top + (rows - 1) * 34
    chart = StepChart(
        width=width,
        height=height,
        plot_left=_r(left),
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
    )
    for index, name in enumerate(level_names):
        y = top + index * 34 if rows > 1 else top
        chart.levels.append(Tick(x=_r(y), text=fit_label(name, label_room - 8)))
    if not days:
        return chart
    step = (right - left) / max(len(days), 1)
    x_label_every = _label_every(x_label_every, step)
    shorts = list(x_labels) if x_labels is not None else list(days)
    parts: list[str] = []
    pen_down = False
    for i, (day, level) in enumerate(zip(days, levels, strict=True)):
        x0, x1 = left + step * i, left + step * (i + 1)
        if i % x_label_every == 0 or i == len(days) - 1:
            chart.x_ticks.append(Tick(x=_r(x0 + step / 2), text=shorts[i]))
        if level is None:
            pen_down = False
            continue
        y = chart.levels[level].x
        name = level_names[level]
        chart.points.append(Point(x=_r((x0 + x1) / 2), y=y, label=f"{day}: {name}"))
        parts.append(f"{'L' if pen_down else 'M'}{_r(x0)} {y}L{_r(x1)} {y}")
        pen_down = True
    _spread(chart.x_ticks)
    chart.path = "".join(parts)
    return chart


# --- helpers for the callers ---------------------------------------------------------------------


def runs(days: Sequence, values: Sequence) -> list[tuple]:
    """Consecutive days with the same value as (first day, last day, value); days without a
    value (None) end a run and are left out. The step chart's table."""
    out: list[list] = []
    previous = None
    for day, value in zip(days, values, strict=True):
        if value is not None and out and value == out[-1][2] and previous is not None:
            out[-1][1] = day
        elif value is not None:
            out.append([day, day, value])
        previous = value
    return [tuple(run) for run in out]


def day_texts(days: Sequence) -> tuple[list[str], list[str]]:
    """Each day in the reader's language: in full (a shape's title, the table) and short (an
    axis label): "3 december 2026" and "3 dec" in Dutch, "3 Dec 2026" and "3 Dec" in British
    English (``ppsportal/formats``)."""
    from django.utils.formats import date_format
    from django.utils.translation import get_language

    short = "j b" if (get_language() or "nl").startswith("nl") else "j M"  # "dec", "Dec"
    return (
        [date_format(day, "DATE_FORMAT") for day in days],
        [date_format(day, short) for day in days],
    )
