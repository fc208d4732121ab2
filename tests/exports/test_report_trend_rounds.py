"""A survey with more rounds than the report's page has room for: the PDF's trend shows the
newest rounds that fit, says so, and draws nothing off the page; the chart's round titles do
not overlap; the data page keeps every round."""

import io
import re
from datetime import timedelta
from html import unescape
from itertools import pairwise

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from exports.analysis import latest_rounds
from exports.charts import text_width, trend_chart
from exports.report import analysis_page_context, render_report, render_report_html
from tests.factories import make_round, make_submission

LONG = "[Syntetisk] Juniormesterlære — 1000 kommuner, runde {}"


def make_rounds(count, title="Runde {:02d}"):
    start = timezone.now() - timedelta(days=40 * count)
    rounds = []
    for i in range(1, count + 1):
        round_ = make_round(
            codes=["101", "147"],
            state="closed" if i < count else "open",
            slug=f"jml-{i}",
            title=title.format(i),
            deadline=start + timedelta(days=40 * i),
            previous=rounds[-1] if rounds else None,
        )
        make_submission(round_, "101", {"pupils_8_9": 1000, "enrolled": 10 + i}, state="accepted")
        if i < 3:  # Frederiksberg answered only the first two rounds
            make_submission(round_, "147", {"pupils_8_9": 200, "enrolled": i}, state="accepted")
        rounds.append(round_)
    return rounds


def trend_section(html):
    return html.split('<section class="analysis trend">')[1].split("</section>")[0]


def header(table_html):
    return [unescape(h) for h in re.findall(r'<th class="num">([^<]*)</th>', table_html)]


def drawn_off_the_page(data):
    """Every piece of text a page of the PDF draws beyond its right edge."""
    off = []
    for page in PdfReader(io.BytesIO(data)).pages:
        width = float(page.mediabox.width)

        def visit(text, cm, tm, font, size, width=width):
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            if text.strip() and x > width:
                off.append(text)

        page.extract_text(visitor_text=visit)
    return off


def pdf_text(data):
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.django_db
def test_the_report_shows_the_newest_six_of_nine_rounds_and_says_so():
    rounds = make_rounds(9)
    html = render_report_html(rounds[-1])
    section = trend_section(html)
    tables = section.split("<table")
    wanted = [f"Runde {i:02d}" for i in range(4, 10)]
    assert header(tables[2]) == wanted  # the respondents' table: the newest six, in order
    assert header(tables[1])[:5] == wanted[:5]  # the totals (the open round is provisional)
    assert header(tables[1])[5] == "Runde 09 (foreløbig)"
    assert "De seneste 6 af 9 runder vises; alle runder er i dataudtrækket." in section
    # Frederiksberg has no value in the rounds shown: not a row of its own
    assert "Frederiksberg" not in section and "København" in section
    chart = re.search(r"<svg.*?</svg>", section, re.S).group(0)
    assert "Runde 09" in chart and "Runde 03" not in chart


@pytest.mark.django_db
def test_the_pdf_has_the_newest_rounds_and_nothing_beyond_the_page():
    rounds = make_rounds(9)
    data = render_report(rounds[-1])
    text = pdf_text(data)
    for i in range(4, 10):
        assert f"Runde {i:02d}" in text
    for i in range(1, 4):
        assert f"Runde {i:02d}" not in text
    assert "De seneste 6 af 9 runder vises" in text.replace("\n", " ")
    assert drawn_off_the_page(data) == []


@pytest.mark.django_db
def test_long_round_titles_leave_fewer_columns_all_on_the_page():
    rounds = make_rounds(8, title=LONG)
    html = render_report_html(rounds[-1])
    shown = header(trend_section(html).split("<table")[2])
    assert 2 <= len(shown) < 6
    assert shown == [LONG.format(i) for i in range(9 - len(shown), 9)]
    assert f"De seneste {len(shown)} af 8 runder vises" in html
    assert drawn_off_the_page(render_report(rounds[-1])) == []


def test_with_two_rounds_the_report_shows_both_and_no_sentence(rounds):
    html = render_report_html(rounds[1])
    assert header(trend_section(html).split("<table")[2]) == ["September 2025", "Februar 2026"]
    assert "runder vises" not in html


@pytest.mark.django_db
def test_the_data_page_keeps_every_round():
    rounds = make_rounds(9)
    with translation.override("da"):
        context = analysis_page_context(rounds[-1])
    (trend,) = context["trends"]
    assert [r["title"] for r in trend["rounds"]] == [f"Runde {i:02d}" for i in range(1, 10)]


def test_the_sentence_has_an_english_translation():
    msgid = "De seneste %(shown)s af %(total)s runder vises; alle runder er i dataudtrækket."
    with translation.override("en"):
        assert translation.gettext(msgid) % {"shown": 6, "total": 42} == (
            "The newest 6 of 42 rounds are shown; every round is in the data export."
        )


def test_latest_rounds_keeps_the_newest_and_the_respondents_with_a_value_in_them():
    trend = {
        "rounds": [{"title": t} for t in "ABCD"],
        "respondents": [
            {"code": "1", "name": "x", "values": [0.1, 0.2, None, 0.4]},
            {"code": "2", "name": "y", "values": [0.1, 0.2, None, None]},
        ],
    }
    short = latest_rounds(trend, 2)
    assert [r["title"] for r in short["rounds"]] == ["C", "D"]
    assert short["respondents"] == [{"code": "1", "name": "x", "values": [None, 0.4]}]
    assert short["all_rounds"] == 4
    assert trend["respondents"][0]["values"] == [0.1, 0.2, None, 0.4]  # not changed
    assert latest_rounds(trend, 6)["rounds"] == trend["rounds"]


@pytest.mark.parametrize("count", [2, 6, 12, 42])
def test_the_trend_chart_s_round_titles_never_overlap_and_stay_on_the_chart(count):
    trend = {
        "type": "share",
        "label": {"da": "Andel"},
        "target": None,
        "rounds": [{"title": LONG.format(i), "national": 0.05} for i in range(1, count + 1)],
        "respondents": [],
    }
    svg = str(trend_chart(trend, "t", width=640))
    labels = re.findall(r'<text x="([\d.]+)" y="312.0" text-anchor="middle"[^>]*>([^<]*)<', svg)
    assert labels and unescape(labels[-1][1]) == LONG.format(count)  # the newest, always
    spans = [(float(x), text_width(unescape(t), 10)) for x, t in labels]
    for (x, w), (x2, w2) in pairwise(spans):
        assert x + w / 2 < x2 - w2 / 2  # side by side, not on top of each other
    assert all(x - w / 2 >= 0 and x + w / 2 <= 640 for x, w in spans)
