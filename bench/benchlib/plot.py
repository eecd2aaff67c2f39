"""The small-message figures as a picture: messages per second and proxy CPU per message,
one bar per system (direct, weir and each of its data paths, the peers), side by side.
Plain SVG written here, so the benchmark needs no plotting library."""
from xml.sax.saxutils import escape

from benchlib.report import FIGURES, systems_in

PANELS = [
    ("2. Small messages (messages/s)", "64-byte messages per second (higher is better)", "{:,.0f}"),
    ("5. ↳ proxy CPU per message (µs)", "proxy CPU µs per message (lower is better)", "{:.2f}"),
]
COLOURS = {"direct": "#9e9e9e", "haproxy": "#1f77b4", "nginx": "#2ca02c"}
WEIR_COLOURS = ["#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"]

BAR = 34
GAP = 14
LEFT = 20
TOP = 60
PANEL_HEIGHT = 220
PANEL_GAP = 90
LABEL_SPACE = 70
MIN_WIDTH = 720  # room for the title
HEADROOM = 0.88  # the largest bar's share of a panel's height, leaving room for its label


def _colour(system, weir_index):
    if system in COLOURS:
        return COLOURS[system]
    return WEIR_COLOURS[weir_index % len(WEIR_COLOURS)]


def render_svg(results, title):
    """The SVG text for `results` (as report.render gets them)."""
    figures = {figure.label: figure for figure in FIGURES}
    systems = systems_in(results)
    width = max(MIN_WIDTH, LEFT * 2 + max(1, len(systems)) * (BAR + GAP) + LABEL_SPACE)
    height = TOP + len(PANELS) * (PANEL_HEIGHT + PANEL_GAP)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="24" font-size="15" font-weight="bold">{escape(title)}</text>']
    for index, (label, caption, fmt) in enumerate(PANELS):
        figure = figures[label]
        values = [figure.value(results[system]) for system in systems]
        largest = max((value for value in values if value is not None), default=0) or 1
        top = TOP + index * (PANEL_HEIGHT + PANEL_GAP)
        baseline = top + PANEL_HEIGHT
        out.append(f'<text x="{LEFT}" y="{top - 12}" font-weight="bold">{escape(caption)}</text>')
        out.append(f'<line x1="{LEFT}" y1="{baseline}" x2="{width - LEFT}" y2="{baseline}" '
                   f'stroke="#333"/>')
        weir_index = 0
        for position, (system, value) in enumerate(zip(systems, values)):
            x = LEFT + GAP + position * (BAR + GAP)
            colour = _colour(system, weir_index)
            if system.startswith("weir"):
                weir_index += 1
            if value is not None:
                bar = HEADROOM * PANEL_HEIGHT * value / largest
                out.append(f'<rect x="{x}" y="{baseline - bar:.1f}" width="{BAR}" '
                           f'height="{bar:.1f}" fill="{colour}"><title>{escape(system)}: '
                           f'{escape(fmt.format(value))}</title></rect>')
                out.append(f'<text x="{x + BAR / 2}" y="{baseline - bar - 4:.1f}" font-size="10" '
                           f'text-anchor="middle">{escape(fmt.format(value))}</text>')
            else:
                out.append(f'<text x="{x + BAR / 2}" y="{baseline - 4}" font-size="10" '
                           f'text-anchor="middle">–</text>')
            out.append(f'<text x="{x + BAR / 2}" y="{baseline + 14}" font-size="11" '
                       f'text-anchor="end" transform="rotate(-35 {x + BAR / 2} {baseline + 14})">'
                       f'{escape(system)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
