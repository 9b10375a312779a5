"""The distribution of composites (综合得分分布) as geometry for an inline SVG, and the labels it is coloured by.

Drawn on the server so the page needs no script (the CSP forbids inline script); the bars carry classes, never
style attributes, and static/css/site.css colours them by title. Called by rating.results.routes; the template
``results/_histogram.html`` turns a ``Histogram`` into markup.
"""

import math
from dataclasses import dataclass

from rating.scoring.verdict import Title

#: Stacking order in a bar, bottom up; None is a ranked post without a title.
STACK = (Title.WARNING, None, Title.EXCELLENT, Title.BENCHMARK)

BIN = 5  #: points per bar
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 12, 28


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    title: Title | None
    count: int
    low: int  #: the bin is [low, low + BIN)


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Histogram:
    segments: list[Segment]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT
    #: The exact counts behind the bars, for the table beside the chart: (low, {title: count}) per bin.
    bands: tuple = ()


def _bounds(values: list[float]) -> tuple[int, int]:
    low = int(math.floor(min(values) / BIN) * BIN)
    high = int(math.floor(max(values) / BIN) * BIN) + BIN
    low, high = max(0, low), min(100, high)
    return (low, high) if high > low else (max(0, high - BIN), high)


def histogram(lines) -> Histogram | None:
    """Bars of ``BIN`` points over the ranked lines' composites, each stacked by title; None without any."""
    scored = [(line.composite, line.title) for line in lines if line.rank is not None]
    if not scored:
        return None
    low, high = _bounds([value for value, _title in scored])
    bins = (high - low) // BIN
    counts = [dict.fromkeys(STACK, 0) for _ in range(bins)]
    for value, title in scored:
        index = min(max(int((value - low) // BIN), 0), bins - 1)
        counts[index][title] += 1
    tallest = max(sum(c.values()) for c in counts)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / bins
    scale = plot_height / tallest
    segments = []
    for index, by_title in enumerate(counts):
        floor = HEIGHT - BOTTOM
        for title in STACK:
            count = by_title[title]
            if count:
                height = count * scale
                floor -= height
                segments.append(
                    Segment(
                        round(LEFT + index * step + 1, 2),
                        round(floor, 2),
                        round(step - 2, 2),
                        round(height, 2),
                        title,
                        count,
                        low + index * BIN,
                    )
                )
    x_ticks = [Tick(round(LEFT + i * step, 2), str(low + i * BIN)) for i in range(bins + 1)]
    y_step = next(n for n in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if n * 4 >= tallest or n == 1000)
    y_ticks = [Tick(round(HEIGHT - BOTTOM - n * scale, 2), str(n)) for n in range(0, tallest + 1, y_step)]
    bands = tuple((low + index * BIN, by_title) for index, by_title in enumerate(counts))
    return Histogram(segments, x_ticks, y_ticks, len(scored), bands=bands)
