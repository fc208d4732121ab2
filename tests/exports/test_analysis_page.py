"""The data page of one round (/data/runde/<slug>/): the analysis with every chart's values in
a table, the trend across rounds, and the key to the anonymised report for coordinators only.
Officers, and rounds the reader cannot export (a draft, another slug), answer 404."""

import re

import pytest
from django.urls import reverse

from demo.schools import school_answers
from tests.exports.schools import make_school_round, make_study_round
from tests.factories import make_round, make_submission


@pytest.fixture
def school_round(db):
    earlier = make_study_round("skoler-2022", answered=lambda i: i < 10, state="closed")
    return make_study_round(
        previous=earlier, deadline=earlier.deadline.replace(year=earlier.deadline.year + 1)
    )


def url(round_):
    return reverse("exports:analysis", args=[round_.slug])


def test_an_analyst_sees_the_figures_charts_and_their_tables(school_round, as_analyst):
    response = as_analyst.get(url(school_round))
    assert response.status_code == 200
    html = response.content.decode()
    assert "26 af 27 har svaret" in html
    # every chart is an image named by its title and description, followed by its table
    charts = re.findall(r'<svg[^>]*role="img"[^>]*aria-labelledby="([^"]+)"', html)
    assert {c.split()[0] for c in charts} >= {
        "scatter-support_vs_agreements-title",
        "scatter-admin_vs_agreements-title",
        "trend-agreement_rate-title",
        "trend-pupils_per_fte-title",
    }
    for chart in charts:
        title, desc = chart.split()
        assert f'id="{title}"' in html and f'id="{desc}"' in html
        after = html.split(f'aria-labelledby="{chart}"', 1)[1]
        following = after.find("<svg")
        assert "<table" in after and (following == -1 or after.index("<table") < following)
    assert "style=" not in "".join(re.findall(r"<svg.*?</svg>", html, re.S))  # CSP: no inline style
    assert "Tallene bag punktdiagrammet" in html
    assert "Under 150" in html and "52\xa0%" in html  # the bands and their shares
    assert "Nøgle til den anonymiserede rapport" not in html  # the key is for coordinators
    # the trend of both indicators over both rounds
    assert html.count("Udvikling over runderne") == 2
    assert html.count('<th scope="row">Runde 1</th>') == 2


def test_a_coordinator_also_sees_the_key_to_the_anonymised_codes(school_round, as_coordinator):
    html = as_coordinator.get(url(school_round)).content.decode()
    assert "Nøgle til den anonymiserede rapport" in html
    key = html.split('id="noegle"')[1]
    assert key.count("<tr>") == 28  # header + 27 schools, non-responder included
    assert "R01" in key and "København" in key


def test_the_page_offers_both_reports_for_download(school_round, as_analyst):
    html = as_analyst.get(url(school_round)).content.decode()
    assert 'value="pdf-anonym"' in html and 'value="pdf"' in html
    response = as_analyst.post(
        reverse("exports:download"), {"rounds": [school_round.pk], "format": "pdf-anonym"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="erhvervsskoler_kommuner_skoler-2023_rapport_anonym.pdf"'
    )
    assert response.content.startswith(b"%PDF")


def test_officers_get_404_and_anonymous_visitors_the_login_page(school_round, as_lolland, client):
    assert as_lolland.get(url(school_round)).status_code == 404
    response = client.get(url(school_round))
    assert response.status_code == 302 and "/konto/" in response["Location"]


def test_a_draft_round_and_an_unknown_slug_answer_404(db, as_analyst, as_coordinator):
    draft = make_school_round(codes=["101"], slug="skoler-udkast", state="draft")
    for client in (as_analyst, as_coordinator):
        assert client.get(url(draft)).status_code == 404
        assert client.get(reverse("exports:analysis", args=["findes-ikke"])).status_code == 404


def test_the_exports_page_links_each_round_to_its_analysis(school_round, as_analyst):
    html = as_analyst.get(reverse("exports:index")).content.decode()
    assert f'href="{url(school_round)}"' in html


def test_a_municipal_round_shows_its_share_indicator_and_trend(db, as_analyst):
    first = make_round(codes=["101", "147"], slug="jml-1", state="closed")
    make_submission(first, "101", {"pupils_8_9": 100, "enrolled": 4})
    second = make_round(
        codes=["101", "147"],
        slug="jml-2",
        previous=first,
        deadline=first.deadline.replace(year=first.deadline.year + 1),
    )
    make_submission(second, "101", {"pupils_8_9": 100, "enrolled": 6})
    make_submission(second, "147", {"pupils_8_9": 100, "enrolled": 2})
    html = as_analyst.get(reverse("exports:analysis", args=["jml-2"])).content.decode()
    assert "Andel i juniormesterlære" in html
    table = html.split("pr. respondent og runde")[1].split("</table>")[0]
    # København 4 % then 6 %; Frederiksberg no value in the first round, then 2 %
    assert re.search(r"København</th><td[^>]*>4,0\xa0%</td><td[^>]*>6,0\xa0%", table)
    assert re.search(r"Frederiksberg</th><td[^>]*>–</td><td[^>]*>2,0\xa0%", table)


def test_the_page_makes_as_many_queries_for_27_respondents_as_for_2(
    school_round, as_coordinator, db
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before = make_school_round(codes=["101"], slug="skoler-lille-1", state="closed")
    small = make_school_round(
        codes=["101", "165"],
        slug="skoler-lille-2",
        previous=before,
        deadline=before.deadline.replace(year=before.deadline.year + 1),
    )
    make_submission(before, "101", school_answers()[0]["answers"])
    for school in school_answers()[:2]:
        make_submission(small, school["municipality_code"], school["answers"])
    counts = []
    for round_ in (small, school_round):
        with CaptureQueriesContext(connection) as queries:
            assert as_coordinator.get(url(round_)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_page_of_an_entries_round_shows_who_answered(db, as_analyst):
    round_ = make_round("proevehandlinger", codes=["101", "147"], slug="ph-2026")
    make_submission(round_, "147", {"entries": [], "nothing_to_report": True})
    response = as_analyst.get(reverse("exports:analysis", args=["ph-2026"]))
    assert response.status_code == 200
    assert "1 af 2 har svaret" in response.content.decode()


def test_in_english_the_page_reads_english_with_english_figures(school_round, as_coordinator):
    as_coordinator.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = as_coordinator.get(url(school_round)).content.decode()
    assert "26 of 27 have responded" in html
    assert "Share of FTE on pupil support and training agreements" in html  # the definition's
    assert "Key to the anonymised report" in html and "Target: 80\xa0%" in html
    assert "Pupils per FTE" in html and "Fordelingen af årsværk" not in html
    assert re.search(r"\d\.\d\xa0%", html) and not re.search(r"\d,\d\xa0%", html)
