"""The report of the vocational-school study (synthetic answers, schools answering as the
municipality they sit in): the study's figures in text and tables, both scatter plots with
their values as a table, and the anonymised edition with codes instead of names."""

import re
from html import unescape

import pytest

from demo.schools import SURVEY_KEY, school_answers
from exports.report import render_report, render_report_html
from tests.exports.test_report import pdf_text
from tests.factories import asked_of_municipalities, make_round, make_submission

NAMES = ("København", "Helsingør", "Odense", "Aalborg", "Esbjerg", "Aarhus", "Viborg")


@pytest.fixture
def school_round(db):
    asked_of_municipalities(SURVEY_KEY)  # the names checked below are municipalities'
    schools = school_answers()
    round_ = make_round(
        SURVEY_KEY, codes=[s["municipality_code"] for s in schools], slug="skoler-2023"
    )
    for school in schools:
        if school["state"] == "submitted":
            make_submission(round_, school["municipality_code"], school["answers"])
    return round_


def plain(html):
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).replace("\xa0", " ")


def test_the_report_states_the_study_s_figures(school_round):
    html = render_report_html(school_round)
    text = plain(html)
    assert "26 af 27" in text
    # split: administration 43 %, relations work 31 %, pupil support 26 %, with ranges
    assert "andel til administrative opgaver 43 %" in text
    assert "andel til relationsarbejde 31 %" in text
    assert "andel til elevstøtte 26 %" in text
    for span in ("8 %–67 %", "14 %–63 %", "6 %–63 %"):
        assert span in text
    # pupils per årsværk by band: 3, 12, 8 of 23 = 13 %, 52 %, 35 %
    assert re.search(r"Under 150 3 13 % 150–300 12 52 % 300 og derover 8 35 %", text)
    # årsværk from 0.2 to 3.45
    assert re.search(r"Årsværk til lærepladsopsøgende arbejde 23 [\d,]+ [\d,]+ 0,20 3,45", text)
    assert "Uden tal:" in text  # the three schools without resource figures are named


def test_both_scatter_plots_are_drawn_with_their_values_as_a_table(school_round):
    html = render_report_html(school_round)
    for key in ("support_vs_agreements", "admin_vs_agreements"):
        svg = re.search(rf'<svg[^>]*aria-labelledby="scatter-{key}-title scatter-{key}-desc"'
                        r"[^>]*>.*?</svg>", html, re.S)  # fmt: skip
        assert svg is not None and 'role="img"' in svg.group(0)
        assert svg.group(0).count("<circle") == 23  # one dot per school with both values
        assert "Mål: 80 %" in unescape(svg.group(0)).replace("\xa0", " ")
        assert "style=" not in svg.group(0)  # drawable under the page's CSP
    section = html.split('aria-labelledby="scatter-support_vs_agreements-title')[1]
    table = section.split("<table>")[1].split("</table>")[0]
    assert table.count("<tr>") == 24  # header + 23 schools
    assert "Andel til elevstøtte" in table and "Aftaleindgåelse" in table


def test_the_anonymised_report_names_no_school_and_draws_no_map(school_round):
    html = render_report_html(school_round, anonymised=True)
    text = plain(html)
    for name in NAMES:
        assert name not in text
    assert "Anonymiseret udgave" in text and "R01" in text
    assert "Dataforsyning" not in html  # no map (and so no map credit)
    named = render_report_html(school_round)
    assert "København" in named and "Dataforsyning" in named


def test_the_anonymised_pdf_renders_with_codes(school_round):
    text = pdf_text(render_report(school_round, anonymised=True))
    assert "R01" in text and "København" not in text
    assert "Andel af årsværk til elevstøtte og aftaleindgåelse" in text
