"""Charts of the weekly report, drawn as SVG on the server.

Plain SVG elements with presentation attributes (no style attribute, no script), so that the page
keeps its strict Content-Security-Policy and WeasyPrint draws the same chart in the PDF. Black,
grey and white only, each bar labelled with its number: legible when printed in black and white.
Every chart has the same numbers in a table under it (see presenters).
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"
# Fills told apart without colour: black, dark grey, light grey, white with a black outline.
FILLS = ["#000000", "#6b6b6b", "#bdbdbd", "#ffffff"]


def _text(x, y, text, *, size=12, anchor="middle", weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" font-family="{FONT}" fill="#000">{escape(text)}</text>'
    )


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="report-chart"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def column_chart(*, title: str, labels: list[str], values: list[float], highlight: int | None = None) -> str:
    """Vertical bars of percentages (0–100), one per label; the `highlight` bar black, others grey."""
    width, height, left, bottom, top = 720, 190, 34, 28, 18
    plot_h = height - bottom - top
    step = (width - left - 10) / max(len(values), 1)
    body = []
    for mark in (0, 50, 100):
        y = top + plot_h * (1 - mark / 100)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#999" stroke-width="0.5"/>')
        body.append(_text(left - 4, y + 4, f"{mark}%", size=10, anchor="end"))
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_h = plot_h * min(max(value or 0, 0), 100) / 100
        x = left + index * step + step * 0.15
        y = top + plot_h - bar_h
        fill = FILLS[0] if index == highlight else FILLS[2]
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{bar_h:.1f}" '
            f'fill="{fill}" stroke="#000" stroke-width="0.8"/>'
        )
        body.append(_text(x + step * 0.35, y - 4, f"{value:g}%", size=11))
        body.append(_text(x + step * 0.35, height - bottom + 16, label, size=11))
    return _svg(width, height, title, body)


def bar_chart(*, title: str, labels: list[str], values: list[float]) -> str:
    """Horizontal bars of percentages (0–100), one row per label (the branches)."""
    row_h, left, right = 22, 170, 60
    width = 720
    height = row_h * len(values) + 10
    plot_w = width - left - right
    body = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + index * row_h
        bar_w = plot_w * min(max(value or 0, 0), 100) / 100
        body.append(_text(left - 6, y + row_h * 0.7, label, size=12, anchor="end"))
        body.append(
            f'<rect x="{left}" y="{y + 3}" width="{plot_w}" height="{row_h - 6}" '
            'fill="#fff" stroke="#000" stroke-width="0.6"/>'
        )
        body.append(f'<rect x="{left}" y="{y + 3}" width="{bar_w:.1f}" height="{row_h - 6}" fill="{FILLS[1]}"/>')
        body.append(_text(left + plot_w + 6, y + row_h * 0.7, f"{value:g}%", size=12, anchor="start"))
    return _svg(width, height, title, body)


def grouped_chart(*, title: str, groups: list[str], series: list[tuple[str, list[float]]]) -> str:
    """Bars of percentages grouped by `groups` (the doses), one bar per series (everybody, 60+, …),
    told apart by fill and named in a legend."""
    width, height, left, bottom, top = 720, 210, 34, 48, 16
    plot_h = height - bottom - top
    group_w = (width - left - 10) / max(len(groups), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    body = []
    for mark in (0, 50, 100):
        y = top + plot_h * (1 - mark / 100)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#999" stroke-width="0.5"/>')
        body.append(_text(left - 4, y + 4, f"{mark}%", size=10, anchor="end"))
    for g, group in enumerate(groups):
        x0 = left + g * group_w + group_w * 0.1
        for s, (_name, values) in enumerate(series):
            value = values[g] or 0
            bar_h = plot_h * min(max(value, 0), 100) / 100
            x = x0 + s * bar_w
            y = top + plot_h - bar_h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.9:.1f}" height="{bar_h:.1f}" '
                f'fill="{FILLS[s % len(FILLS)]}" stroke="#000" stroke-width="0.8"/>'
            )
            body.append(_text(x + bar_w * 0.45, y - 3, f"{value:g}", size=9))
        body.append(_text(x0 + group_w * 0.4, height - bottom + 16, group, size=12))
    legend_x = left
    for s, (name, _values) in enumerate(series):
        y = height - 18
        body.append(
            f'<rect x="{legend_x}" y="{y - 10}" width="14" height="12" '
            f'fill="{FILLS[s % len(FILLS)]}" stroke="#000" stroke-width="0.8"/>'
        )
        body.append(_text(legend_x + 20, y, name, size=12, anchor="start"))
        legend_x += 40 + 14 * len(name)
    return _svg(width, height, title, body)
