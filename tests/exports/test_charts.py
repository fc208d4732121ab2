"""The SVG charts of the analysis: every dot inside the plot, axes that cover the values,
named for screen readers, and nothing a strict CSP would block."""

import re

from exports.charts import figure, scatter_chart, ticks, trend_chart


def test_ticks_cover_the_values_in_round_steps():
    assert ticks(0, 0.86) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert ticks(0, 63) == [0, 20, 40, 60, 80]
    assert ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    assert ticks(0, 560) == [0, 200, 400, 600]


def test_figures_read_as_their_kind():
    assert figure(0.4321, "share") == "43,2\xa0%"
    assert figure(43, "percent", 0) == "43\xa0%"
    assert figure(294.13, "number", 1) == "294,1"
    assert figure(1250, "number") == "1.250"
    assert figure(None, "share") == "–"


SCATTER = {
    "key": "s",
    "label": {"da": "Elevstøtte & aftaler"},
    "n": 3,
    "x": {"key": "x", "label": {"da": "Elevstøtte"}, "kind": "percent", "unit": {}, "target": None},
    "y": {"key": "y", "label": {"da": "Aftaler"}, "kind": "share", "unit": {}, "target": 0.8},
    "points": [
        {"code": "1", "name": "<b>A</b>", "x": 6, "y": 0.86},
        {"code": "2", "name": "B", "x": 63, "y": 0.52},
        {"code": "3", "name": "C", "x": 30, "y": 0.7},
    ],
}


def test_the_scatter_keeps_every_dot_inside_the_plot_and_escapes_names():
    svg = str(scatter_chart(SCATTER, "s1"))
    width, height = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', svg).groups())
    dots = [(float(x), float(y)) for x, y in re.findall(r'cx="([\d.]+)" cy="([\d.]+)"', svg)]
    assert len(dots) == 3
    assert all(0 < x < width and 0 < y < height - 40 for x, y in dots)  # above the x axis labels
    highest = min(dots, key=lambda d: d[1])
    assert highest == dots[0]  # 86 % is the top dot, not cut off
    assert "<b>" not in svg and "&lt;b&gt;A&lt;/b&gt;" in svg
    assert 'role="img"' in svg and 'aria-labelledby="s1-title s1-desc"' in svg
    assert "Elevstøtte &amp; aftaler" in svg and "style=" not in svg
    assert "Mål: 80\xa0%" in svg


def test_the_trend_chart_breaks_a_line_where_a_round_has_no_value():
    trend = {
        "indicator": "share",
        "type": "share",
        "label": {"da": "Andel"},
        "target": 0.05,
        "rounds": [
            {"title": t, "national": v}
            for t, v in (("Sep", 0.04), ("Feb", 0.045), ("Sep 26", 0.05))
        ],
        "respondents": [{"code": "1", "name": "A", "values": [0.02, None, 0.03]}],
    }
    svg = str(trend_chart(trend, "t1"))
    respondent = re.search(r'<path d="([^"]+)"[^>]*stroke="#8a8a8a"', svg)
    assert respondent is None  # two points with a gap between: no line to draw
    trend["respondents"][0]["values"] = [0.02, 0.025, None]
    respondent = re.search(
        r'<path d="([^"]+)"[^>]*stroke="#8a8a8a"', svg := str(trend_chart(trend, "t1"))
    )
    assert respondent.group(1).count("M") == 1 and respondent.group(1).count("L") == 1
    assert svg.count("<circle") == 3  # the total's three rounds
    assert "Mål 5\xa0%" in svg and "style=" not in svg


def test_figures_take_english_separators_when_english_is_active():
    from django.utils import translation

    with translation.override("en"):
        assert figure(1250.5, "number", 1) == "1,250.5"
        assert figure(0.4321, "share") == "43.2\xa0%"
    with translation.override("da"):
        assert figure(1250.5, "number", 1) == "1.250,5"
