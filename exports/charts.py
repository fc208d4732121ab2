"""SVG charts of the analysis that both the PDF report and the data page draw: a scatter of two
values (one dot per respondent) and a line chart of an indicator across rounds. Drawn here in
Python as text, so they need no JavaScript and no fonts or images from elsewhere.

Safe on a page under the strict CSP: presentation attributes only (no `style`), every text
through html.escape. Accessible: `role="img"` named by the chart's <title> and described by its
<desc>; the page and the report put the same values in a table next to each chart."""

import math
from html import escape

from django.utils.safestring import mark_safe

from exports.analysis import num, pct
from lib.text import language as active_language
from lib.text import pick

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK = "#1a1a1a"
DOT = "#1f5f9e"  # 6.7:1 on white
NATIONAL = "#003e5c"
RESPONDENT = "#8a8a8a"
TARGET = "#c00000"
GRID = "#d9d9d9"
NBSP = "\u00a0"


SWAP_SEPARATORS = str.maketrans(".,", ",.")

# Advance widths of DejaVu Sans (the report's font, the first one FONT names) in em, grouped;
# any other character counts as 0.8 em, wider than most, so a measured text is not too short.
ADVANCES = {
    0.28: "'ijlIJ",
    0.33: " ,.\u00a0/:;\\|f-",
    0.4: "()[]t!r",
    0.5: '"*_`–sz?',
    0.56: "cLFkvxy",
    0.62: "PTYaoøåeé",
    0.64: "ESbdghnpqu$0123456789{}",
    0.7: "KAVÅBRXZC",
    0.77: "UHNDG&OQØ",
    0.86: "w#+<=>^~M",
    1.0: "%mÆæW@—…",
}
ADVANCE = {ch: em for em, chars in ADVANCES.items() for ch in chars}


def text_width(s, size):
    """The width of `s` set in DejaVu Sans at `size` (px or pt: the unit of `size`)."""
    return size * sum(ADVANCE.get(ch, 0.8) for ch in str(s))


def _shortened(s, size, room):
    """`s`, or as much of it as fits `room` followed by an ellipsis."""
    s = str(s)
    if text_width(s, size) <= room:
        return s
    while s and text_width(s + "…", size) > room:
        s = s[:-1]
    return s.rstrip() + "…"


def axis_labels(centres, labels, size, lo, hi, gap=8):
    """[(x, label)] of the labels along an axis that fit side by side without touching: the
    last (the newest round) always, then every k-th before it, k the smallest step at which
    the widest label fits its slots; a label is moved inwards to stay within [lo, hi] and
    left out if it would then touch its neighbour."""
    n = len(labels)
    if not n:
        return []
    labels = [_shortened(t, size, hi - lo) for t in labels]
    widths = [text_width(t, size) for t in labels]
    slot = (centres[-1] - centres[0]) / (n - 1) if n > 1 else hi - lo
    step = max(1, math.ceil((max(widths) + gap) / slot)) if slot > 0 else n
    out, left_edge = [], hi + gap
    for i in range(n - 1, -1, -step):
        w = widths[i]
        x = min(max(centres[i], lo + w / 2), hi - w / 2)
        if x + w / 2 + gap > left_edge:
            continue
        out.append((x, labels[i]))
        left_edge = x - w / 2
    return out[::-1]


def figure(value, kind, decimals=1):
    """A value as a reader reads it: a share (0.43) and a percentage question (43) both as
    '43,0 %' (figure and unit joined by a non-breaking space), a number with Danish separators
    ('1.250', '294,1') — English ones ('1,250', '294.1') when English is the active language
    (the report is always Danish)."""
    if value is None:
        return "–"
    if kind == "share":
        shown = pct(value, decimals, space=NBSP)
    elif kind == "percent":
        shown = num(value, decimals) + NBSP + "%"
    else:
        plain = isinstance(value, float) and not value.is_integer()
        shown = num(value, decimals if plain else None)
    return shown.translate(SWAP_SEPARATORS) if active_language() == "en" else shown


def _text(x, y, s, anchor="start", size=11, weight="normal", fill=INK, rotate=None):
    turn = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate is not None else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}" font-family="{FONT}"{turn}>{escape(str(s))}</text>'
    )


def _svg(uid, width, height, body, title, desc):
    return mark_safe(  # noqa: S308 — every text in body passed through html.escape
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{uid}-title {uid}-desc" '
        f'class="chart"><title id="{uid}-title">{escape(title)}</title>'
        f'<desc id="{uid}-desc">{escape(desc)}</desc>{"".join(body)}</svg>'
    )


def _hline(x1, x2, y, colour):
    return f'<line x1="{x1}" y1="{y:.1f}" x2="{x2}" y2="{y:.1f}" stroke="{colour}"/>'


def ticks(lo, hi, count=5):
    """Round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    out = [round(math.floor(lo / step) * step, 10)]
    while out[-1] < hi - 1e-12:  # the last tick is at or above the highest value
        out.append(round(out[-1] + step, 10))
    return out


def _range(values, kind, target=None):
    """Axis range: from 0 (the values here are counts, shares and ratios) to a round top."""
    top = max([v for v in values if v is not None] + [target or 0, 1e-9])
    if kind == "share":
        top = min(max(top, 0.1), 1.0) if top <= 1 else top
    if kind == "percent":
        top = min(max(top, 10), 100) if top <= 100 else top
    marks = ticks(0, top)
    return marks[0], marks[-1], marks


def scatter_chart(scatter, uid, language="da", width=560, height=360):
    """One dot per respondent: x against y, a dashed line at y's target if it has one."""
    left, right, top, bottom = 64, 16, 16, 52
    pw, ph = width - left - right, height - top - bottom
    xs, ys = scatter["x"], scatter["y"]
    points = scatter["points"]
    x0, x1, xt = _range([p["x"] for p in points], xs["kind"])
    y0, y1, yt = _range([p["y"] for p in points], ys["kind"], ys.get("target"))

    def px(v):
        return left + pw * (v - x0) / (x1 - x0)

    def py(v):
        return top + ph - ph * (v - y0) / (y1 - y0)

    body = []
    for t in xt:
        body.append(
            f'<line x1="{px(t):.1f}" y1="{top}" x2="{px(t):.1f}" y2="{top + ph}" stroke="{GRID}"/>'
        )
        body.append(_text(px(t), top + ph + 16, figure(t, xs["kind"], 0), "middle", 10))
    for t in yt:
        body.append(_hline(left, left + pw, py(t), GRID))
        body.append(_text(left - 6, py(t) + 4, figure(t, ys["kind"], 0), "end", 10))
    body.append(f'<path d="M{left},{top}V{top + ph}H{left + pw}" fill="none" stroke="{INK}"/>')
    body.append(_text(left + pw / 2, height - 8, pick(xs["label"], language), "middle", 11))
    body.append(_text(14, top + ph / 2, pick(ys["label"], language), "middle", 11, rotate=-90))
    target = ys.get("target")
    if target is not None and y0 <= target <= y1:
        ty = py(target)
        body.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{left + pw}" y2="{ty:.1f}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="6,4"/>'
        )
        label = ("Mål: " if language == "da" else "Target: ") + figure(target, ys["kind"], 0)
        body.append(_text(left + pw - 4, ty - 5, label, "end", 10, "bold", TARGET))
    for p in points:
        tip = f"{p['name']}: {figure(p['x'], xs['kind'])}, {figure(p['y'], ys['kind'])}"
        body.append(
            f'<circle cx="{px(p["x"]):.1f}" cy="{py(p["y"]):.1f}" r="4.5" fill="{DOT}" '
            f'fill-opacity="0.8" stroke="#ffffff" stroke-width="1"><title>{escape(tip)}</title>'
            "</circle>"
        )
    title = pick(scatter["label"], language)
    if language == "da":
        desc = (
            f"Punktdiagram med {scatter['n']} punkter, ét pr. respondent: "
            f"{pick(xs['label'], language)} ud ad x-aksen og {pick(ys['label'], language)} op ad "
            "y-aksen. Tallene står i tabellen under figuren."
        )
    else:
        desc = (
            f"Scatter plot with {scatter['n']} dots, one per respondent: "
            f"{pick(xs['label'], language)} along the x axis and {pick(ys['label'], language)} "
            "up the y axis. The values are in the table below the chart."
        )
    return _svg(uid, width, height, body, title, desc)


def trend_chart(trend, uid, language="da", width=640, height=340, respondents=True):
    """The national value per round as a thick line with dots, each respondent's values as thin
    grey lines behind it (gaps where a round has no value), and the target dashed."""
    left, right, top, bottom = 64, 120, 16, 44
    pw, ph = width - left - right, height - top - bottom
    kind = "number" if trend["type"] == "ratio" else "share"
    rounds = trend["rounds"]
    values = [r["national"] for r in rounds]
    if respondents:
        values += [v for r in trend["respondents"] for v in r["values"]]
    y0, y1, yt = _range(values, kind, trend.get("target"))
    n = len(rounds)

    def px(i):
        return left + (pw * (i + 0.5) / n)

    def py(v):
        return top + ph - ph * (v - y0) / (y1 - y0)

    body = []
    for t in yt:
        body.append(_hline(left, left + pw, py(t), GRID))
        body.append(_text(left - 6, py(t) + 4, figure(t, kind, 0), "end", 10))
    # Under a line as long as the plot and its margins, the round titles that fit (they would
    # overlap each other if there are many rounds, or long titles).
    centres = [px(i) for i in range(n)]
    for x, title in axis_labels(centres, [r["title"] for r in rounds], 10, 4, width - 4):
        body.append(_text(x, top + ph + 16, title, "middle", 10))
    body.append(f'<path d="M{left},{top}V{top + ph}H{left + pw}" fill="none" stroke="{INK}"/>')

    def path(series):
        d, pen = [], "M"
        for i, v in enumerate(series):
            if v is None:
                pen = "M"
                continue
            d.append(f"{pen}{px(i):.1f},{py(v):.1f}")
            pen = "L"
        return "".join(d)

    if respondents:
        for r in trend["respondents"]:
            d = path(r["values"])
            if "L" in d:
                body.append(
                    f'<path d="{d}" fill="none" stroke="{RESPONDENT}" stroke-width="1" '
                    f'stroke-opacity="0.6"><title>{escape(r["name"])}</title></path>'
                )
    target = trend.get("target")
    if target is not None and y0 <= target <= y1:
        ty = py(target)
        body.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{left + pw}" y2="{ty:.1f}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="6,4"/>'
        )
        body.append(
            _text(left + pw + 6, ty + 4, ("Mål " if language == "da" else "Target ")
                  + figure(target, kind, 0), size=10, weight="bold", fill=TARGET)
        )  # fmt: skip
    national = [r["national"] for r in rounds]
    body.append(f'<path d="{path(national)}" fill="none" stroke="{NATIONAL}" stroke-width="3"/>')
    for i, v in enumerate(national):
        if v is not None:
            body.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="4" fill="{NATIONAL}"/>')
    last = next((i for i in range(n - 1, -1, -1) if national[i] is not None), None)
    if last is not None:
        body.append(
            _text(left + pw + 6, py(national[last]) + 4,
                  "I alt" if language == "da" else "Total", size=10, weight="bold", fill=NATIONAL)
        )  # fmt: skip
    title = pick(trend["label"], language)
    if language == "da":
        desc = (
            f"Linjediagram over {n} runder: den samlede værdi som tyk linje"
            + (", hver respondents værdi som tynde grå linjer" if respondents else "")
            + (f", målet som stiplet rød linje ({figure(target, kind, 0)})" if target else "")
            + ". Tallene står i tabellen under figuren."
        )
    else:
        desc = (
            f"Line chart over {n} rounds: the total as a thick line"
            + (", each respondent's value as thin grey lines" if respondents else "")
            + (f", the target as a dashed red line ({figure(target, kind, 0)})" if target else "")
            + ". The values are in the table below the chart."
        )
    return _svg(uid, width, height, body, title, desc)
