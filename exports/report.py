"""The automatic report of a round (PDF, WeasyPrint, Danish): the figures of
`analyse_round` in sentences and tables, charts and a map of Denmark drawn as SVG here in
Python, and for entries surveys a catalogue of the entries grouped by theme."""

import functools
import json
import math
import re
from html import escape

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from exports import charts, renderers
from exports.analysis import RESPONDED, analyse_round, anonymise, latest_rounds, num, pct
from lib.formula import ILLEGAL_CHARACTERS_RE
from reference.models import Organisation
from reference.municipalities import GEOJSON
from submissions.models import Submission
from surveys.definitions import text

MAP_CREDIT = (
    "Kort: Indeholder data fra Styrelsen for Dataforsyning og Infrastruktur "
    "(tidl. Geodatastyrelsen), DAGI kommunegrænser 1:500.000, 2014 "
    "(via github.com/Neogeografen/dagi)."
)
BAND_COLOURS = ["#b2182b", "#ef8a62", "#fddbc7", "#4393c3", "#2166ac", "#053061"]
TOP_COLOUR = "#1a9850"
NO_RESPONSE = "#bdbdbd"
NO_VALUE = "#ffffff"
TARGET = "#c00000"
MAP_TOLERANCE = 0.7  # px: a vertex nearer than this to its simplified outline is dropped
FONT = "font-family:DejaVu Sans,Liberation Sans,sans-serif"


def band_colours(bands):
    """Zero is dark red, the band at/above target green, those between from red to blue."""
    colours = {}
    middle = [b for b in bands if b["key"] not in ("zero", "at_or_above_target")]
    for i, band in enumerate(middle):
        colours[band["key"]] = BAND_COLOURS[1 + min(i, len(BAND_COLOURS) - 2)]
    colours["zero"] = BAND_COLOURS[0]
    colours["at_or_above_target"] = TOP_COLOUR
    return colours


def _t(x, y, s, anchor="start", size=11, weight="normal", fill="#1a1a1a"):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}" style="{FONT}">{escape(str(s))}</text>'
    )


def _svg(width, height, body, title):
    return mark_safe(  # noqa: S308 — every text in body passed through html.escape
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def hbar_chart(items, target=None, title="", width=640, label_width=170, colour="#2166ac", fmt=pct):
    """Horizontal bars: items are (label, value); a dashed line marks the target. `fmt` shows a
    value (a share by default)."""
    row, top = 20, 10
    height = top + row * len(items) + 30
    scale_max = max([v for _, v in items if v is not None] + [target or 0, 1e-9]) * 1.15
    plot = width - label_width - 60

    def x(v):
        return label_width + plot * (v / scale_max)

    body = []
    for i, (label, value) in enumerate(items):
        y = top + i * row
        body.append(_t(label_width - 6, y + 14, label, "end", 10))
        if value is None:
            body.append(_t(label_width + 4, y + 14, "ingen værdi", size=9, fill="#666"))
            continue
        w = max(x(value) - label_width, 0.5)
        body.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{colour}"/>'
        )
        body.append(_t(label_width + w + 4, y + 14, fmt(value), size=9))
    axis_y = top + row * len(items)
    body.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{axis_y}" stroke="#333"/>'
    )
    if target is not None:
        tx = x(target)
        body.append(
            f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{axis_y + 4}" '
            f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="5,3"/>'
        )
        shown = pct(target, 0) if fmt is pct else fmt(target)
        body.append(_t(tx, axis_y + 18, f"Mål: {shown}", "middle", 10, "bold", TARGET))
    return _svg(width, height, body, title)


def column_chart(items, title="", width=640, height=220):
    """Vertical bars of counts: items are (label, count, colour)."""
    top, bottom, left = 20, 40, 30
    plot_h = height - top - bottom
    n = max(len(items), 1)
    slot = (width - left - 10) / n
    peak = max([c for _, c, _ in items] + [1])
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        f'stroke="#333"/>'
    ]
    for i, (label, count, colour) in enumerate(items):
        h = plot_h * count / peak
        x = left + i * slot + slot * 0.2
        y = top + plot_h - h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" '
            f'fill="{colour}" stroke="#555" stroke-width="0.5"/>'
        )
        body.append(_t(x + slot * 0.3, y - 4, count, "middle", 11, "bold"))
        body.append(_t(x + slot * 0.3, top + plot_h + 16, label, "middle", 10))
    return _svg(width, height, body, title)


def simplify(points, tolerance):
    """Douglas–Peucker: the vertices of a ring that lie further than `tolerance` from the
    outline through the kept ones (first and last always kept). Iterative, so a long coast
    does not recurse deeply."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    limit = tolerance * tolerance
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        worst, index = -1.0, 0
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                # squared distance to the segment's line, scaled by its length²
                cross = dx * (py - ay) - dy * (px - ax)
                d = cross * cross / length
            else:
                d = (px - ax) ** 2 + (py - ay) ** 2
            if d > worst:
                worst, index = d, i
        if worst > limit:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


@functools.lru_cache(maxsize=1)
def _map_paths():
    """{code: svg path} of every municipality, projected once per process (equirectangular,
    longitude scaled by cos 56°) and simplified to what shows at the map's size (a few
    thousand vertices instead of tens of thousands: WeasyPrint parses and draws every one),
    and the drawing's size."""
    with open(GEOJSON, encoding="utf-8") as f:
        features = json.load(f)["features"]
    k = math.cos(math.radians(56))
    lon0, lat1, scale = 8.0, 57.8, 150.0
    paths, max_x, max_y = {}, 0.0, 0.0
    for feature in features:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        parts = []
        for polygon in polygons:
            for ring in polygon:
                projected = [((lon - lon0) * k * scale, (lat1 - lat) * scale) for lon, lat in ring]
                for x, y in projected:
                    max_x, max_y = max(max_x, x), max(max_y, y)
                points = simplify(projected, MAP_TOLERANCE)
                if len(points) >= 4:  # a closed ring: three corners and back
                    parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points[:-1]) + "Z")
        paths[feature["properties"]["code"]] = "".join(parts)
    return paths, math.ceil(max_x) + 5, math.ceil(max_y) + 5


def denmark_map(indicator, title, area_of=None):
    """The municipalities coloured by band; non-responders grey, responders without a value
    white; municipalities that were not asked are outlined only. `area_of` (municipality code
    → respondent code) draws respondents made of municipalities: a region is the municipalities
    that lie in it."""
    paths, width, height = _map_paths()
    colours = band_colours(indicator["bands"])
    by_code = {m["code"]: m for m in indicator["municipalities"]}
    body = []
    for code, d in paths.items():
        m = by_code.get(area_of.get(code) if area_of is not None else code)
        if m is None:
            fill = "#f4f4f4"
        elif m["state"] not in RESPONDED:
            fill = NO_RESPONSE
        elif m["band"] is None:
            fill = NO_VALUE
        else:
            fill = colours[m["band"]]
        body.append(
            f'<path d="{d}" fill="{fill}" stroke="#444" stroke-width="0.4" '
            f'fill-rule="evenodd"><title>{escape(m["name"] if m else code)}</title></path>'
        )
    legend = [(text(b["label"], "da"), colours[b["key"]]) for b in indicator["bands"]]
    legend += [("Ikke svaret", NO_RESPONSE), ("Ingen værdi (0 elever)", NO_VALUE)]
    lx, ly = width - 175, 20
    for i, (label, colour) in enumerate(legend):
        y = ly + i * 18
        body.append(
            f'<rect x="{lx}" y="{y}" width="14" height="12" fill="{colour}" stroke="#444" '
            f'stroke-width="0.5"/>'
        )
        body.append(_t(lx + 20, y + 10, label, size=10))
    return _svg(width, height, body, title)


def _ratio(value):
    return num(value, 1)


MAP_UNITS = {"kommuner": "kommune", "regioner": "region"}


def map_areas(round_):
    """How the round's respondents are drawn on the map: None for no map (a register without
    boundaries, e.g. the vocational schools), else (municipality code → respondent code, or
    None when they are the municipalities themselves; the unit's name for the title)."""
    register = round_.survey.register
    if not register.has_geometry or register.key not in MAP_UNITS:
        return None
    if register.key == "kommuner":
        return None, MAP_UNITS["kommuner"]
    regions = dict(
        Organisation.objects.filter(register__key="kommuner").values_list("code", "attributes")
    )
    return {code: (attrs or {}).get("region") for code, attrs in regions.items()}, "region"


def _indicator_context(ind, spec, anonymised=False, areas=(None, "kommune")):
    numerator = spec.question(ind["numerator"])
    denominator = spec.question(ind["denominator"])
    colours = band_colours(ind["bands"])
    top = ind["top"]
    ratio = ind.get("type") == "ratio"
    fmt = _ratio if ratio else pct
    return {
        **ind,
        "label_da": text(ind["label"], "da"),
        "target_label_da": text(ind["target_label"], "da"),
        "numerator_label": text(numerator.label, "da") if numerator else ind["numerator"],
        "denominator_label": text(denominator.label, "da") if denominator else "",
        "band_rows": [
            {**b, "label_da": text(b["label"], "da"), "colour": colours[b["key"]]}
            for b in ind["bands"]
        ],
        "under": under_threshold_rows(ind),
        "is_ratio": ratio,
        "unit_da": text(ind.get("unit"), "da"),
        "top_chart": hbar_chart(
            [(f"{t['rank']}. {t['name']}", t["value"]) for t in top],
            ind["target"],
            f"Top {len(top)}: {text(ind['label'], 'da')}",
            fmt=fmt,
        ),
        "band_chart": column_chart(
            [(text(b["label"], "da"), b["count"], colours[b["key"]]) for b in ind["bands"]],
            "Kommuner fordelt på intervaller",
        ),
        "group_chart": hbar_chart(
            [(g["dst_group"], g["value"]) for g in ind["by_dst_group"]],
            ind["target"],
            "Andel efter kommunegruppe",
            fmt=fmt,
        ),
        # A map names every respondent by where it is: not in an anonymised report, and not
        # for a ratio (its bands are not the map's colours), nor for a register without
        # boundaries (the vocational schools).
        "map": None
        if anonymised or ratio or areas is None
        else denmark_map(ind, f"Kort: {text(ind['label'], 'da')} pr. {areas[1]}", areas[0]),
        "appendix": sorted(ind["municipalities"], key=lambda m: m["name"]),
    }


def analysis_context(summary, language="da"):
    """The statistics, splits, scatters and trend of a summary, with their charts, as the
    report and the data page show them (a table next to every chart)."""
    scatters = [
        {
            **s,
            "label_text": text(s["label"], language),
            "x_label": text(s["x"]["label"], language),
            "y_label": text(s["y"]["label"], language),
            "chart": charts.scatter_chart(s, f"scatter-{s['key']}", language),
            "table": [
                {
                    **p,
                    "x_text": charts.figure(p["x"], s["x"]["kind"]),
                    "y_text": charts.figure(p["y"], s["y"]["kind"]),
                }
                for p in s["points"]
            ],
            "correlation_text": num(s["correlation"], 2),
        }
        for s in summary.get("scatters") or []
    ]
    splits = [
        {
            **s,
            "label_text": text(s["label"], language),
            "part_rows": [
                {
                    "label": text(p["label"], language),
                    "mean": charts.figure(p["mean"], p["kind"], 0),
                    "mean_exact": charts.figure(p["mean"], p["kind"], 1),
                    "range": f"{charts.figure(p['min'], p['kind'], 0)}–"
                    f"{charts.figure(p['max'], p['kind'], 0)}",
                }
                for p in s["parts"]
            ],
            "table": [
                {
                    **r,
                    "texts": [
                        charts.figure(v, p["kind"], 0)
                        for v, p in zip(r["values"], s["parts"], strict=True)
                    ],
                }
                for r in s["rows"]
            ],
        }
        for s in summary.get("splits") or []
    ]
    statistics = [
        {
            **s,
            "label_text": text(s["label"], language),
            **{
                f"{k}_text": charts.figure(s[k], s["value"]["kind"], 2)
                for k in ("mean", "median", "min", "max", "total")
            },
        }
        for s in summary.get("statistics") or []
    ]
    trends = []
    for t in summary.get("trend") or []:
        kind = "number" if t["type"] == "ratio" else "share"
        trends.append(
            {
                **t,
                "label_text": text(t["label"], language),
                "chart": charts.trend_chart(t, f"trend-{t['indicator']}", language)
                if len(t["rounds"]) > 1
                else None,
                "national_texts": [charts.figure(r["national"], kind) for r in t["rounds"]],
                "round_rows": [
                    {**r, "national_text": charts.figure(r["national"], kind)} for r in t["rounds"]
                ],
                "table": [
                    {**r, "texts": [charts.figure(v, kind) for v in r["values"]]}
                    for r in t["respondents"]
                ],
                "target_text": charts.figure(t["target"], kind, 0) if t["target"] else "",
            }
        )
    return {"scatters": scatters, "splits": splits, "statistics": statistics, "trends": trends}


def under_threshold_rows(ind):
    """Per threshold: the municipalities under it (zeros included), how many of them are at 0,
    and the bands of the chart that make up the same count — text, key figures and chart all
    read these numbers, so they cannot disagree."""
    rows = []
    for u in ind["counts"]["under_threshold"]:
        bands = [b for b in ind["bands"] if b["upper"] is not None and b["upper"] <= u["threshold"]]
        rows.append(
            {
                **u,
                "above_zero": u["count"] - u["zero"],
                "bands": [{"label": text(b["label"], "da"), "count": b["count"]} for b in bands],
                "band_total": sum(b["count"] for b in bands),
            }
        )
    return rows


def catalogue(round_, spec, names=None):
    """Entries of responding municipalities grouped by their theme (the first single-choice
    question, `theme` if there is one), in the definition's choice order."""
    group_q = spec.question("theme") or next(
        (q for q in spec.questions if q.type == "single_choice"), None
    )
    shown = [
        q
        for q in spec.questions
        if q.type != "email" and (group_q is None or q.key != group_q.key) and q.key != "title"
    ]
    groups = {v: [] for v in (group_q.choice_values if group_q else [])}
    groups[None] = []
    rows = (
        Submission.objects.filter(round=round_, state__in=RESPONDED)
        .order_by("municipality__name")
        .values_list("municipality__code", "municipality__name", "answers")
    )
    if names is not None:  # anonymised: pseudonyms, in their order
        rows = sorted(((c, names[c], a) for c, _, a in rows), key=lambda r: r[1])
    nothing = []
    for _code, name, answers in rows:
        answers = answers if isinstance(answers, dict) else {}
        entries = answers.get("entries") or []
        if not entries and answers.get("nothing_to_report"):
            nothing.append(name)
        for entry in entries:
            key = entry.get(group_q.key) if group_q else None
            fields, sections = [], []
            for i, (section, questions) in enumerate(spec.groups(shown)):
                section_fields = []
                for q in questions:
                    value = entry.get(q.key)
                    if value in (None, "", []):
                        continue  # unanswered, or hidden by a show-when (stored empty)
                    if q.type == "single_choice":
                        value = q.choice_label(value, "da")
                    elif q.type == "date" and isinstance(value, str) and len(value) == 10:
                        value = f"{value[8:10]}-{value[5:7]}-{value[0:4]}"
                    elif q.type == "multiple_choice":
                        value = ", ".join(q.choice_label(v, "da") for v in value)
                    section_fields.append({"label": text(q.label, "da"), "value": value})
                if section_fields:
                    title = text(section.title, "da") if section else ""
                    if section is None and i > 0:
                        title = "Øvrige spørgsmål"  # after a section: not part of it
                    sections.append({"title": title, "fields": section_fields})
                    fields += section_fields
            groups.setdefault(key if key in groups else None, []).append(
                {
                    "municipality": name,
                    "title": entry.get("title") or "",
                    "fields": fields,
                    "sections": sections,
                }
            )
    out = [
        {
            "label": group_q.choice_label(key, "da") if group_q and key else "Uden tema",
            "entries": entries,
        }
        for key, entries in groups.items()
        if entries
    ]
    return out, nothing


def analysis_page_context(round_, *, with_key=False, language=None):
    """What the data page shows of a round (in the interface language): the summary, its
    indicators with their bands, the statistics, splits, scatters and trend with their charts
    and tables and, with `with_key` (coordinators only), the anonymised report's key."""
    from lib.text import language as active_language

    language = language or active_language()
    summary = analyse_round(round_)
    spec = round_.definition.spec
    indicators = []
    for ind in summary["indicators"]:
        ratio = ind["type"] == "ratio"
        kind = "number" if ratio else "share"
        indicators.append(
            {
                **ind,
                "label_text": text(ind["label"], language),
                "unit_text": text(ind["unit"], language),
                "national_text": charts.figure(ind["national"]["value"], kind),
                "mean_text": charts.figure(ind["stats"]["mean"], kind),
                "range_text": f"{charts.figure(ind['stats']['min'], kind)}–"
                f"{charts.figure(ind['stats']['max'], kind)}",
                "target_text": charts.figure(ind["target"], kind, 0)
                if ind["target"] is not None
                else "",
                "band_rows": [
                    {
                        **b,
                        "label_text": text(b["label"], language),
                        "share_text": charts.figure(b["share"], "share", 0),
                    }
                    for b in ind["bands"]
                ],
            }
        )
    key = anonymised_summary(round_, summary)[1] if with_key else None
    return {
        "round": round_,
        "survey_title": text(spec.title, language),
        "summary": summary,
        "response_rate_text": charts.figure(summary["response_rate"], "share"),
        "indicators": indicators,
        "anonymised_key": key,
        **analysis_context(summary, language),
    }


def anonymised_summary(round_, summary=None):
    """(summary with pseudonyms, key) for the round: every recipient has a pseudonym, so the
    key is complete even for respondents the figures do not name."""
    summary = summary if summary is not None else analyse_round(round_)
    return anonymise(
        summary, round_.survey.key, respondents=round_.recipients.values_list("code", "name")
    )


# The trend's tables on the report's page: A4 less the margins (210 − 2 × 18 mm = 493 pt), set
# at 9 pt (the table of totals; the respondents' table is at 8 pt), header cells in bold (about
# a tenth wider), 2 mm (5.7 pt) of padding on either side of a cell. A column is as wide as the
# longest word of its header or its widest figure: beyond the page's width, columns are drawn
# off its edge. Six rounds at most: more would be too narrow to read at a glance, and every
# round is one more cell a respondent (a thousand rows) for WeasyPrint to lay out.
PAGE_WIDTH_PT = 493
TREND_FONT_PT = 9
TREND_BOLD = 1.1
TREND_PADDING_PT = 2 * 5.7
TREND_MOST_ROUNDS = 6


def _longest_word(s, size, bold=False):
    words = re.split(r"(?<=-)|\s+", str(s))
    return max(charts.text_width(w, size) for w in words) * (TREND_BOLD if bold else 1)


def report_trend_rounds(trend):
    """How many of the trend's newest rounds (at least two, at most TREND_MOST_ROUNDS) fit
    side by side in the report's trend tables, next to the respondents' names."""
    kind = "number" if trend["type"] == "ratio" else "share"
    names = [r["name"] for r in trend["respondents"]]
    first = max(
        _longest_word(s, TREND_FONT_PT, bold)
        for s, bold in [(n, False) for n in names] + [("Respondenter med tal", False),
                                                       ("Respondent", True)]
    )  # fmt: skip
    room = PAGE_WIDTH_PT - first - TREND_PADDING_PT
    count = 0
    for i in range(len(trend["rounds"]) - 1, -1, -1):
        r = trend["rounds"][i]
        title = r["title"] + (" (foreløbig)" if r["provisional"] else "")
        figures = [charts.figure(r["national"], kind)] + [
            charts.figure(p["values"][i], kind) for p in trend["respondents"]
        ]
        column = TREND_PADDING_PT + max(
            _longest_word(title, TREND_FONT_PT, bold=True),
            max(charts.text_width(f, TREND_FONT_PT) for f in set(figures)),
        )
        if count >= TREND_MOST_ROUNDS or (column > room and count >= 2):
            break
        room -= column
        count += 1
    return count


MUNICIPAL_NOUN = {"one": "kommune", "many": "kommuner"}
RESPONDENT_NOUN = {"one": "respondent", "many": "respondenter"}


def report_context(round_, anonymised=False):
    summary = analyse_round(round_)
    names = None
    if anonymised:
        summary, key = anonymised_summary(round_, summary)
        names = {row["code"]: row["pseudonym"] for row in key}
    spec = round_.definition.spec
    areas = map_areas(round_)
    context = {
        "summary": summary,
        "round": round_,
        "anonymised": anonymised,
        "survey_title": text(spec.title, "da"),
        "sender": settings.ORGANISATION_NAME,
        "site_url": settings.SITE_URL,
        "generated_at": timezone.localtime(),
        "indicators": [
            _indicator_context(ind, spec, anonymised, areas) for ind in summary["indicators"]
        ],
        "map_credit": MAP_CREDIT,
        # Region and DST group sections for the municipalities; other registers have their
        # attributes' groupings (analysis.round_groupings) instead.
        "municipal": round_.survey.register.key == "kommuner",
        # What the text calls those who answer: municipalities, or for any other register
        # the neutral "respondent" the tables of splits and scatters use.
        "noun": MUNICIPAL_NOUN if round_.survey.register.key == "kommuner" else RESPONDENT_NOUN,
        # The trend over the newest rounds that fit the page (the data page and the exports
        # have all of them).
        **analysis_context(
            {
                **summary,
                "trend": [
                    latest_rounds(t, report_trend_rounds(t)) for t in summary.get("trend") or []
                ],
            },
            "da",
        ),
    }
    if spec.has_entries:
        context["catalogue"], context["nothing_to_report"] = catalogue(round_, spec, names)
        context["entries_label"] = text((spec.entries or {}).get("label_plural"), "da")
    return context


def render_report_html(round_, anonymised=False):
    with translation.override("da"):
        return render_to_string("exports/report.html", report_context(round_, anonymised))


REPORT_CACHE_SECONDS = 30 * 24 * 3600


def report_pdf(round_, anonymised=False):
    """The PDF report of a round (`anonymised`: respondents as pseudonyms, no map). A closed
    round's report is built once and reused until the round or any of its submissions changes
    (the key says so); an open round's figures move, so its report is built each time (the
    export throttle bounds how often)."""
    if not round_.is_closed:
        return render_report(round_, anonymised)
    from django.core.cache import cache
    from django.db.models import Count, Max, Sum

    from submissions.models import Submission

    marks = Submission.objects.filter(round=round_).aggregate(
        n=Count("id"), versions=Sum("version"), last=Max("last_activity_at")
    )
    last = marks["last"].timestamp() if marks["last"] else 0
    closed = round_.closed_at.timestamp() if round_.closed_at else 0
    key = f"report-pdf:{round_.pk}:{closed}:{marks['n']}:{marks['versions']}:{last}"
    if anonymised:
        key += ":anonymised"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_report(round_, anonymised)
        cache.set(key, pdf, REPORT_CACHE_SECONDS)
    return pdf


SVG_ELEMENT = re.compile(r"<svg\b.*?</svg>", re.S)


def charts_as_images(html):
    """(html, charts): every inline <svg> of the report (this module's and exports.charts'
    drawings; none contains another) replaced by an <img> of the same drawing, served by
    renderers.ChartFetcher from `charts`. The PDF is the same, page for page (the image's size
    is the drawing's own width and height); WeasyPrint parses an image's SVG with its C XML
    parser instead of its Python HTML parser — the map, and the trend's line per respondent,
    are most of the report's markup."""
    charts = {}

    def image(match):
        name = f"chart:{len(charts)}"
        # A name may hold a control character that html.escape keeps: the HTML parser took it
        # inline, but it makes an SVG image invalid XML, and WeasyPrint drops the drawing.
        charts[name] = ILLEGAL_CHARACTERS_RE.sub("", match.group(0))
        return f'<img src="{name}" alt="">'

    return SVG_ELEMENT.sub(image, html), charts


def render_report(round_, anonymised=False):
    """The PDF report of a round, as bytes."""
    # Loaded on first use, not at start-up: WeasyPrint is slow to import.
    from weasyprint import HTML

    html, charts = charts_as_images(render_report_html(round_, anonymised))
    fetcher = renderers.ChartFetcher(charts)
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
