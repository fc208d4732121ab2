import io
import re
from html import unescape

import pytest
from pypdf import PdfReader

from exports.report import render_report, render_report_html
from exports.services import build_export
from exports.templatetags import report_format
from tests.factories import make_round, make_submission


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_states_response_rate_non_responders_and_national_share(rounds, analyst):
    _, content_type, data, export = build_export(analyst, [rounds[1]], fmt="pdf")
    assert content_type == "application/pdf" and data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "77,8\xa0%" in text  # 7 of 9
    assert "Lolland" in text and "Odder" in text
    assert "4,6\xa0%" in text  # 114 / 2500, figure and unit never split
    assert "Foreløbige tal" in text
    assert "September 2025" in text  # change since the previous round
    assert export.checksum and export.rows == 9


def test_report_html_has_charts_map_and_target_line(rounds):
    html = render_report_html(rounds[1])
    assert html.count("<svg") == 5  # top 10, bands, groups, map; the trend over both rounds
    assert "Mål: 5 %" in html
    assert "Dataforsyning og Infrastruktur" in html
    assert "Syntetiske demodata" not in html


def test_demo_round_says_the_figures_are_synthetic(db):
    round_ = make_round(codes=["101"], is_demo=True, state="closed")
    make_submission(round_, "101", {"pupils_8_9": 10, "enrolled": 1})
    html = render_report_html(round_)
    assert "Syntetiske demodata" in html and "Endelige tal" in html


def test_entries_report_is_a_catalogue_by_theme(db):
    round_ = make_round("proevehandlinger", codes=["101", "147"])
    entry = {
        "title": "Brobygning 8. klasse",
        "theme": "early_action",
        "goal": "Flere i EUD",
        "status": "evaluated",
        "learning": "Tidlig kontakt virker",
        "contact_email": "person@kommune.dk",
    }
    make_submission(round_, "101", {"entries": [entry], "nothing_to_report": False})
    make_submission(round_, "147", {"entries": [], "nothing_to_report": True})
    text = pdf_text(render_report(round_))
    assert "Tidlig indsats og bedre datagrundlag" in text
    assert "Brobygning 8. klasse" in text and "Tidlig kontakt virker" in text
    assert "Evalueret" in text
    assert "person@kommune.dk" not in text
    assert "Frederiksberg" in text  # nothing to report, named


def _under_2_figures(html):
    """What the report says about 'under 2 %' in its text, its key figures and its band chart."""

    def plain(fragment):
        return re.sub(r"<[^>]+>", "", fragment).replace("&nbsp;", "\xa0").strip()

    sentence = plain(re.search(r'<p class="under-summary">(.*?)</p>', html, re.S)[1])
    said = re.search(r"(\d+) ligger under 2\xa0% \(heraf (\d+) på 0\xa0%\)", sentence)
    table = re.search(r"<th>Nøgletal</th>.*?<tbody>(.*?)</tbody>", html, re.S)[1]
    rows = {
        plain(label): plain(value)
        for label, value in re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", table)
    }
    svg = re.search(r'<svg[^>]*aria-label="Kommuner fordelt på intervaller".*?</svg>', html, re.S)
    texts = [unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg[0])]
    # Per bar: the count above it, then the label under it.
    chart = dict(zip(texts[1::2], (int(t) for t in texts[0::2]), strict=True))
    return said, rows, chart


def test_text_key_figures_and_chart_give_one_under_2_percent(db):
    """3 at 0 %, 2 over 0 but under 2 %, 1 at 3 %, 1 at 6 %: every place says 5 under 2 %, of
    which 3 at 0 %, and the chart's bars 0 % and 'over 0, under 2 %' add up to the same 5."""
    shares = {
        "101": (100, 0),
        "147": (100, 0),
        "151": (100, 0),
        "153": (100, 1),
        "155": (1000, 15),
        "157": (100, 3),
        "159": (100, 6),
    }
    round_ = make_round(codes=list(shares), state="closed")
    for code, (pupils, enrolled) in shares.items():
        make_submission(round_, code, {"pupils_8_9": pupils, "enrolled": enrolled})
    said, rows, chart = _under_2_figures(render_report_html(round_))
    assert said is not None and (int(said[1]), int(said[2])) == (5, 3)
    assert rows["Kommuner under 2\xa0%"] == "5"
    assert rows["heraf på 0\xa0%"] == "3" and rows["heraf over 0, under 2\xa0%"] == "2"
    assert chart["0 %"] == 3 and chart["Over 0, under 2 %"] == 2
    assert chart["0 %"] + chart["Over 0, under 2 %"] == int(said[1])


def test_figures_keep_their_unit_and_no_change_is_signed_zero(rounds):
    html = render_report_html(rounds[1])
    assert "4,6\xa0%" in html and "4,6 %" not in html
    assert "−0,0" not in html and "±" not in html
    assert "heraf" in html


def test_the_cover_names_the_sender_and_the_footer_font_is_sans_serif(rounds, settings):
    settings.ORGANISATION_NAME = 'Styrelsen for "Demo" & Data </style>'
    data = render_report(rounds[1])
    reader = PdfReader(io.BytesIO(data))
    cover = reader.pages[0].extract_text()
    assert "Afsender" in cover and 'Styrelsen for "Demo" & Data </style>' in cover
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("Serif" not in f for f in fonts), fonts
    footer = reader.pages[1].extract_text()
    assert 'Styrelsen for "Demo" & Data </style> · Juniormesterlære' in footer


def test_the_response_figures_share_a_page_with_the_first_indicator(rounds):
    _, _, data, _ = build_export(None, [rounds[1]], fmt="pdf")
    page_two = PdfReader(io.BytesIO(data)).pages[1].extract_text()
    assert "Besvarelser" in page_two and "Nøgletal" in page_two


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (0.012, "+1,2\xa0pct.-point"),
        (-0.012, "−1,2\xa0pct.-point"),
        (-0.0004, "0,0\xa0pct.-point"),  # not "−0,0"
        (0.0, "0,0\xa0pct.-point"),  # not "±0,0"
        (None, "–"),
    ],
)
def test_a_change_is_signed_only_when_it_shows_as_non_zero(change, shown):
    assert report_format.pp(change) == shown
    if change is not None:
        assert report_format.pp(change, "") == shown.split("\xa0")[0]


def test_footer_text_is_escaped_as_a_css_string():
    assert report_format.css_string('A & "B" </style>\\') == "A & \\22 B\\22  \\3c /style\\3e \\5c "
