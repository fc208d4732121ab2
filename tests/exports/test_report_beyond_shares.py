"""The report of the vocational-school study (synthetic answers, schools answering as the
municipality they sit in): the study's figures in text and tables, both scatter plots with
their values as a table, and the anonymised edition with codes instead of names."""

import re
from html import unescape

import pytest

from exports.report import render_report, render_report_html
from tests.exports.schools import make_study_round
from tests.exports.test_report import pdf_text
from tests.factories import make_round, make_submission

NAMES = ("København", "Helsingør", "Odense", "Aalborg", "Esbjerg", "Aarhus", "Viborg")


@pytest.fixture
def school_round(db):
    return make_study_round()


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


def test_an_anonymised_catalogue_of_entries_names_no_municipality(db):
    round_ = make_round("proevehandlinger", codes=["101", "147"])
    entry = {"title": "Brobygning", "theme": "early_action", "goal": "Flere i EUD"}
    entry |= {"status": "running"}
    make_submission(round_, "101", {"entries": [entry], "nothing_to_report": False})
    make_submission(round_, "147", {"entries": [], "nothing_to_report": True})
    text = plain(render_report_html(round_, anonymised=True))
    assert "Brobygning" in text
    assert "København" not in text and "Frederiksberg" not in text
    assert re.search(r"Intet at indberette: R0[12]", text)


def test_the_report_shows_the_trend_over_both_rounds_with_the_target(rounds):
    # conftest: København 1000/40 = 4 % then 1000/50 = 5 %; in total 7,2 % then 4,6 %
    text = plain(render_report_html(rounds[1]))
    assert "Udvikling over runderne: Andel i juniormesterlære" in text
    assert "I alt 7,2 % 4,6 %" in text
    assert "København 4,0 % 5,0 %" in text
    assert "Odense – 10,0 %" in text  # not a recipient of the first round
    assert "Den stiplede linje er målet (5 %)" in text


def test_a_round_without_earlier_rounds_has_no_trend_section(school_round):
    assert "Udvikling over runderne" not in render_report_html(school_round)
