# This file is part of the pm suite (物业管理系统). See README.md.
"""Bar and line charts of the monthly report drawn as SVG (pure Python, no
plotting library): LibreOffice embeds them in the PDF as vector graphics."""
from decimal import Decimal
from xml.sax.saxutils import escape

COLORS = ['#2f6db5', '#e07b39', '#3a9d5d', '#c0392b', '#8e44ad']


def _number(value):
    if value is None:
        return None
    return float(Decimal(str(value)))


def _label(value):
    if value is None:
        return ''
    if abs(value) >= 10000:
        return '%.1f万' % (value / 10000)
    if value == int(value):
        return '%d' % value
    return '%.1f' % value


def bar_chart_svg(title, labels, series, kind='bar', width=640, height=260,
        maximum=None):
    """Return the SVG (bytes) of a bar (grouped) or line chart.

    labels: the x labels; series: [(name, [values])] with None for
    missing values; maximum: the top of the y axis (e.g. 100 for rates)."""
    left, right, top, bottom = 56, 16, 34, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [_number(v) for _, vs in series for v in vs]
    present = [v for v in values if v is not None]
    top_value = maximum or max(present + [0]) or 1
    if not maximum:
        # a round top: 1, 2 or 5 × 10^n
        magnitude = 1
        while magnitude * 10 < top_value:
            magnitude *= 10
        for step in (1, 2, 5, 10):
            if step * magnitude >= top_value:
                top_value = step * magnitude
                break
    low_value = min(present + [0])
    span = (top_value - low_value) or 1

    def y(value):
        return top + plot_h - (value - low_value) / span * plot_h

    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
        'viewBox="0 0 %d %d" font-family="Noto Sans CJK SC, sans-serif">'
        % (width, height, width, height),
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        '<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>'
        % (left, escape(title)),
        ]
    # 5 intervals for a top of 1 or 5 × 10^n (0.2, 1 …), else 4 (0.5, 25 …)
    ticks = 5 if ('%g' % top_value)[0] in '15' else 4
    for i in range(ticks + 1):
        value = low_value + span * i / ticks
        out.append(
            '<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#dddddd"/>'
            % (left, left + plot_w, y(value), y(value)))
        out.append(
            '<text x="%d" y="%.1f" font-size="10" text-anchor="end">%s</text>'
            % (left - 4, y(value) + 3, _label(value)))
    count = max(len(labels), 1)
    slot = plot_w / count
    for i, label in enumerate(labels):
        out.append(
            '<text x="%.1f" y="%d" font-size="10" text-anchor="middle">'
            '%s</text>' % (left + slot * (i + 0.5), top + plot_h + 14,
                escape(str(label))))
    groups = max(len(series), 1)
    bar_w = slot * 0.8 / groups
    for s, (name, serie) in enumerate(series):
        color = COLORS[s % len(COLORS)]
        points = []
        for i, value in enumerate(serie):
            value = _number(value)
            if value is None:
                continue
            if kind == 'bar':
                x = left + slot * i + slot * 0.1 + bar_w * s
                y0, y1 = y(max(value, 0)), y(min(value, 0))
                out.append(
                    '<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" '
                    'fill="%s"/>' % (x, y0, bar_w, max(y1 - y0, 0.5), color))
            else:
                points.append((left + slot * (i + 0.5), y(value)))
        if kind != 'bar' and points:
            out.append(
                '<polyline fill="none" stroke="%s" stroke-width="2" '
                'points="%s"/>' % (color, ' '.join(
                        '%.1f,%.1f' % p for p in points)))
            for px, py in points:
                out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>'
                    % (px, py, color))
        # legend
        lx = left + 10 + s * 140
        out.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>'
            % (lx, height - 16, color))
        out.append('<text x="%d" y="%d" font-size="11">%s</text>'
            % (lx + 14, height - 7, escape(name)))
    out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#333333"/>'
        % (left, left + plot_w, y(low_value), y(low_value)))
    out.append('</svg>')
    return '\n'.join(out).encode('utf-8')
