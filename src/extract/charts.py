"""Inline SVG charts for the HTML pages: no library, no network, text that a test can read."""
from __future__ import annotations

import html
from dataclasses import dataclass

BAR_W = 34            # px per category bar
GAP = 14              # px between bars
PLOT_H = 180          # px of the plot area
AXIS_W = 40           # px left of the plot for the value axis
LEGEND_H = 22         # px per legend row


@dataclass
class Series:
    label: str
    colour: str
    values: list[int]       # one per category


def _e(v) -> str:
    return html.escape(str(v), quote=True)


def _ticks(top: int) -> list[int]:
    """Up to five round tick values from 0 to at least `top`."""
    if top <= 0:
        return [0]
    step = 1
    while top / step > 5:
        for m in (2, 5, 10):
            if top / (step * m) <= 5:
                step *= m
                break
        else:
            step *= 10
    return list(range(0, top + step, step))


def stacked_bars(categories: list[str], series: list[Series], title: str) -> str:
    """A stacked bar chart: one bar per category, one stacked segment per series; each
    segment a <rect> with data-category, data-series and data-value, and a <title> tooltip."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    ticks = _ticks(max(totals, default=0))
    top = ticks[-1] or 1
    width = AXIS_W + len(categories) * (BAR_W + GAP) + GAP
    height = PLOT_H + 40 + LEGEND_H * ((len(series) + 5) // 6)
    out = [f'<svg class="chart" role="img" aria-label="{_e(title)}" width="{max(width, 320)}" '
           f'height="{height}" viewBox="0 0 {max(width, 320)} {height}" '
           'font-size="11">']
    for t in ticks:
        y = PLOT_H - PLOT_H * t / top + 10
        out.append(f'<line x1="{AXIS_W}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{AXIS_W - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{t}</text>')
    for i, cat in enumerate(categories):
        x = AXIS_W + GAP + i * (BAR_W + GAP)
        y = PLOT_H + 10
        for s in series:
            v = s.values[i]
            if not v:
                continue
            h = PLOT_H * v / top
            y -= h
            out.append(f'<rect x="{x}" y="{y:.1f}" width="{BAR_W}" height="{h:.1f}" fill="{s.colour}" '
                       f'data-category="{_e(cat)}" data-series="{_e(s.label)}" data-value="{v}">'
                       f'<title>{_e(cat)}: {_e(s.label)} {v}</title></rect>')
        out.append(f'<text x="{x + BAR_W / 2}" y="{PLOT_H + 24}" text-anchor="middle">{_e(cat)}</text>'
                   f'<text x="{x + BAR_W / 2}" y="{y - 3:.1f}" text-anchor="middle" fill="#333">'
                   f'{totals[i]}</text>')
    for j, s in enumerate(series):
        lx = AXIS_W + (j % 6) * 60
        ly = PLOT_H + 40 + (j // 6) * LEGEND_H
        out.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{s.colour}"/>'
                   f'<text x="{lx + 14}" y="{ly}">{_e(s.label)}</text>')
    out.append("</svg>")
    return "".join(out)
