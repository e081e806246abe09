"""Charts drawn on the server as SVG: no chart library, nothing fetched from a CDN.

The dashboard must work on a government intranet with no internet and pass a security review,
so it ships no JavaScript at all: a bar chart is a few SVG rectangles with their numbers written
beside them, each bar a link to the rows it counts. SVG prints, scales, is read by screen readers
through its <title>s, and is tested by reading the page, not by running a script.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import escape

from pdgov.ui.dashboard import Bar, Clock, since

COLOURS = {"violation": "#d9534f", "warning": "#e0a800", None: "#4a7fb5"}
TEXT = "#222"


def bar_chart(bars: list[Bar], href: Callable[[Bar], str | None], width: int = 440) -> str:
    """Horizontal bars, one per ``Bar``, labelled with their words and counts."""
    if not bars:
        return '<p class="empty">（無資料）</p>'
    row, label_w, num_w = 28, 150, 44
    plot = width - label_w - num_w
    top = max(b.value for b in bars) or 1
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {row * len(bars) + 6}" width="{width}" '
             f'height="{row * len(bars) + 6}" xmlns="http://www.w3.org/2000/svg">']
    for i, b in enumerate(bars):
        y = i * row + 3
        w = max(2, round(plot * b.value / top)) if b.value else 0
        bar = (f'<title>{escape(b.label)}：{b.value}</title>'
               f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" font-size="13" fill="{TEXT}">{escape(b.label)}</text>'
               f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row - 10}" rx="2" fill="{COLOURS.get(b.level)}"/>'
               f'<text x="{label_w + w + 6}" y="{y + 18}" font-size="13" fill="{TEXT}">{b.value}</text>')
        link = href(b)
        parts.append(f'<a href="{escape(link)}" class="bar" data-label="{escape(b.label)}">{bar}</a>' if link
                     else f"<g>{bar}</g>")
    parts.append("</svg>")
    return "".join(parts)


def clock_chart(clocks: list[Clock], href: Callable[[Clock], str], window: timedelta, width: int = 440) -> str:
    """Each open incident's four hours: the part used, and how far past the deadline it is."""
    if not clocks:
        return '<p class="empty">（無未通報事件）</p>'
    row, label_w = 46, 150
    plot = width - label_w - 10
    total = window.total_seconds() / 60
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {row * len(clocks)}" width="{width}" '
             f'height="{row * len(clocks)}" xmlns="http://www.w3.org/2000/svg">']
    for i, c in enumerate(clocks):
        y = i * row
        used = min(1.0, max(0.0, (total - c.minutes_left) / total))
        colour = COLOURS["violation"] if c.minutes_left < 0 else COLOURS["warning"] if used > 0.5 else COLOURS[None]
        parts.append(
            f'<a href="{escape(href(c))}" class="clock"><title>{escape(c.incident_id)}：期限 {c.due_at:%Y-%m-%d %H:%M}</title>'
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="{TEXT}">{escape(c.incident_id)}</text>'
            f'<rect x="{label_w}" y="{y + 6}" width="{plot}" height="14" rx="2" fill="#e8e8e8"/>'
            f'<rect x="{label_w}" y="{y + 6}" width="{round(plot * used)}" height="14" rx="2" fill="{colour}"/>'
            f'<text x="10" y="{y + 37}" font-size="12" fill="{TEXT}">知悉 {c.known_at:%m-%d %H:%M}　期限 '
            f'{c.due_at:%m-%d %H:%M}　{escape(since(c.minutes_left))}　{c.people} 人</text></a>')
    parts.append("</svg>")
    return "".join(parts)
