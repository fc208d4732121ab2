import io

from pypdf import PdfReader

from exports.report import render_report, render_report_html
from exports.services import build_export
from tests.factories import make_round, make_submission


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_states_response_rate_non_responders_and_national_share(rounds, analyst):
    _, content_type, data, export = build_export(analyst, [rounds[1]], "pdf")
    assert content_type == "application/pdf" and data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "77,8 %" in text  # 7 of 9
    assert "Lolland" in text and "Odder" in text
    assert "4,6 %" in text  # 114 / 2500
    assert "Foreløbige tal" in text
    assert "September 2025" in text  # change since the previous round
    assert export.checksum and export.rows == 9


def test_report_html_has_charts_map_and_target_line(rounds):
    html = render_report_html(rounds[1])
    assert html.count("<svg") == 4  # top 10, bands, groups, map
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
