"""The officer's form through the view: bad input gives a clear Danish message and keeps
everything else typed; drafts, submit, warnings, stale versions, late and closed rounds."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role
from submissions import services
from submissions.models import Submission
from tests.conftest import client_for
from tests.factories import make_round, make_submission, make_user
from tests.submissions.conftest import form_url, post_form

GOOD = {"pupils_8_9": "400", "enrolled": "20", "comment": "Talt 1. februar"}


def saved(round_, code="360"):
    return Submission.objects.get(round=round_, municipality__code=code)


def page(client, round_, code="360"):
    return client.get(form_url(round_, code)).content.decode()


@pytest.mark.parametrize(
    "field,typed,message",
    [
        ("pupils_8_9", "mange", "Tegnet »m« kan ikke bruges i et tal."),
        ("pupils_8_9", "12,5", "Skriv et helt tal uden decimaler."),
        ("pupils_8_9", "12.5", "Skriv et helt tal uden decimaler."),
        ("pupils_8_9", "-3", "Tallet må ikke være negativt."),
        ("pupils_8_9", "99999999999999999999999", "Tallet er for stort."),
        ("pupils_8_9", "1" * 400, "Tallet er for stort."),
        ("pupils_8_9", "", "Feltet skal udfyldes."),
        ("comment", "x" * 2001, "Teksten er for lang: 2001 tegn, højst 2000."),
        ("comment", "hej\x00med\x07dig", "usynlige kontroltegn"),
    ],
)
def test_bad_input_gets_a_danish_message_and_everything_else_is_kept(
    as_lolland, jml, field, typed, message
):
    answers = {**GOOD, field: typed}
    response = post_form(as_lolland, jml, answers, version=0)
    assert response.status_code == 302
    html = page(as_lolland, jml)
    assert message in html
    assert 'href="#id_' + field + '"' in html  # the error summary links to the field
    sub = saved(jml)
    for key, value in GOOD.items():
        if key != field:
            assert str(sub.answers[key]) == value  # the rest is kept
    assert sub.error_count >= 1


def test_the_invalid_text_is_shown_back_in_the_field(as_lolland, jml):
    post_form(as_lolland, jml, {**GOOD, "pupils_8_9": "fire hundrede"}, version=0)
    assert 'value="fire hundrede"' in page(as_lolland, jml)


def test_enrolled_above_pupils_is_an_error_next_to_enrolled(as_lolland, jml):
    post_form(as_lolland, jml, {"pupils_8_9": "10", "enrolled": "11"}, version=0)
    html = page(as_lolland, jml)
    assert "Antal tilmeldte kan ikke være større end antal elever" in html
    assert 'href="#id_enrolled"' in html


def test_an_error_blocks_submission_but_not_the_draft(as_lolland, jml):
    response = post_form(
        as_lolland, jml, {"pupils_8_9": "10", "enrolled": "11"}, version=0, action="submit"
    )
    assert response.status_code == 200
    assert "kan ikke indsendes endnu" in response.content.decode()
    sub = saved(jml)
    assert sub.state == "draft"
    assert sub.answers["enrolled"] == 11


def test_unknown_posted_keys_are_ignored_and_not_stored(as_lolland, jml):
    post_form(as_lolland, jml, {**GOOD, "is_admin": "1"}, version=0, **{"state": "accepted"})
    sub = saved(jml)
    assert set(sub.answers) == {"pupils_8_9", "enrolled", "comment"}
    assert sub.state == "draft"


@pytest.mark.parametrize("version", ["abc", "²", "1²", "١", ""])
def test_a_missing_or_garbled_version_is_refused_like_a_stale_one(as_lolland, jml, version):
    response = post_form(as_lolland, jml, GOOD, version=version)
    assert response.status_code == 409
    assert not Submission.objects.filter(round=jml, version__gt=0).exists()


def test_a_warning_needs_an_explanation_before_submitting(as_lolland, jml):
    share_high = {"pupils_8_9": "100", "enrolled": "30"}
    response = post_form(as_lolland, jml, share_high, version=0, action="submit")
    html = response.content.decode()
    assert "30 % af eleverne er tilmeldt" in html
    assert 'href="#id_explain_share_high"' in html
    assert saved(jml).state == "draft"
    response = post_form(
        as_lolland,
        jml,
        share_high,
        version=saved(jml).version,
        action="submit",
        **{"explain-share_high": "Ny ordning med mange pladser"},
    )
    assert response.status_code == 302
    sub = saved(jml)
    assert sub.state == "submitted"
    assert sub.explanations == {"share_high": "Ny ordning med mange pladser"}


def test_history_check_warns_against_the_previous_round(as_lolland, db):
    previous = make_round(codes=["360"], state="closed", slug="sep")
    make_submission(previous, "360", {"pupils_8_9": 400, "enrolled": 20})
    current = make_round(codes=["360"], previous=previous, slug="feb")
    post_form(as_lolland, current, {"pupils_8_9": "600", "enrolled": "20"}, version=0)
    html = page(as_lolland, current)
    assert "ændret sig mere end 30 %" in html
    assert "(400 → 600)" in html
    post_form(as_lolland, current, {"pupils_8_9": "450", "enrolled": "20"}, version=1)
    assert "ændret sig mere end 30 %" not in page(as_lolland, current)


def test_every_save_writes_a_revision(as_lolland, jml):
    post_form(as_lolland, jml, GOOD, version=0)
    post_form(as_lolland, jml, {**GOOD, "enrolled": "21"}, version=1)
    post_form(as_lolland, jml, {**GOOD, "enrolled": "21"}, version=2)  # no change: no revision
    sub = saved(jml)
    assert list(sub.revisions.order_by("number").values_list("number", "changed_keys")) == [
        (1, ["comment", "enrolled", "pupils_8_9"]),
        (2, ["enrolled"]),
    ]


def test_two_people_saving_the_same_version_the_second_is_refused_and_both_kept(
    as_lolland, as_coordinator, jml
):
    post_form(as_lolland, jml, GOOD, version=0)
    first = post_form(as_lolland, jml, {**GOOD, "enrolled": "25"}, version=1)
    second = post_form(as_coordinator, jml, {**GOOD, "enrolled": "30"}, version=1)
    assert first.status_code == 302
    assert second.status_code == 409
    html = second.content.decode()
    assert "ændret af en anden" in html
    assert 'value="30"' in html  # what the second person typed is still in the field
    assert "25 elever" in html and "30 elever" in html  # saved vs typed
    assert 'name="version" value="2"' in html  # saving again applies theirs knowingly
    assert saved(jml).answers["enrolled"] == 25


def test_submitting_twice_is_harmless(as_lolland, jml, django_capture_on_commit_callbacks):
    from django.core import mail

    post_form(as_lolland, jml, GOOD, version=0)
    with django_capture_on_commit_callbacks(execute=True):
        first = post_form(as_lolland, jml, GOOD, version=1, action="submit")
        second = post_form(as_lolland, jml, GOOD, version=1, action="submit")
    assert first.status_code == second.status_code == 302
    assert second["Location"].endswith("/kvittering/")
    sub = saved(jml)
    assert sub.revisions.filter(action="submit").count() == 1
    assert len(mail.outbox) == 1


def test_a_late_submission_is_accepted_and_flagged(as_lolland, lolland, db):
    round_ = make_round(codes=["360"], deadline=timezone.now() + dt.timedelta(days=1))
    post_form(as_lolland, round_, GOOD, version=0)
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        as_lolland.force_login(lolland)  # the session of three days ago has expired
        response = post_form(as_lolland, round_, GOOD, version=1, action="submit")
        assert response.status_code == 302
        assert "efter fristen" in as_lolland.get(response["Location"]).content.decode()
    sub = saved(round_)
    assert sub.state == "submitted" and sub.late is True


def test_the_officer_reopens_a_submitted_form_until_the_deadline(as_lolland, lolland, db):
    round_ = make_round(codes=["360"], deadline=timezone.now() + dt.timedelta(days=2))
    post_form(as_lolland, round_, GOOD, version=0, action="submit")
    assert "Genåbn til rettelse" in page(as_lolland, round_)
    response = as_lolland.post(form_url(round_, suffix="genaabn/"))
    assert response.status_code == 302
    sub = saved(round_)
    assert sub.state == "draft"
    assert sub.revisions.filter(action="reopen").count() == 1
    post_form(as_lolland, round_, GOOD, version=sub.version, action="submit")
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        as_lolland.force_login(lolland)
        assert "Fristen er overskredet" in page(as_lolland, round_)
        as_lolland.post(form_url(round_, suffix="genaabn/"))
    assert saved(round_).state == "submitted"


def test_a_closed_round_is_read_only(as_lolland, db):
    round_ = make_round(codes=["360"], state="closed")
    html = page(as_lolland, round_)
    assert "Runden er lukket" in html
    assert 'name="action" value="submit"' not in html
    response = post_form(as_lolland, round_, GOOD, version=0)
    assert response.status_code == 409
    assert "Runden er lukket" in response.content.decode()
    assert not Submission.objects.filter(round=round_).exists()


def test_a_returned_submission_shows_the_reason_at_the_top(as_lolland, jml, coordinator):
    from submissions import services

    sub = make_submission(jml, "360", {"pupils_8_9": 400, "enrolled": 20})
    services.return_submission(sub, actor=coordinator, reason="Tjek antal elever i 9. klasse")
    html = page(as_lolland, jml)
    assert "sendt retur" in html
    assert "Tjek antal elever i 9. klasse" in html


def test_the_coordinator_edits_on_behalf_and_the_revision_says_so(as_coordinator, jml):
    response = post_form(as_coordinator, jml, GOOD, version=0)
    assert response.status_code == 302
    assert saved(jml).revisions.get().on_behalf is True
    assert "på vegne af" in page(as_coordinator, jml)


def test_the_analyst_reads_but_cannot_post(as_analyst, jml):
    make_submission(jml, "360", {"pupils_8_9": 400, "enrolled": 20})
    html = page(as_analyst, jml)
    assert "400 elever" in html and 'name="action"' not in html
    response = post_form(as_analyst, jml, GOOD, version=1)
    assert response.status_code == 403
    assert saved(jml).answers["pupils_8_9"] == 400


def test_autosave_answers_json_with_the_new_version(as_lolland, jml):
    data = {"q-pupils_8_9": "400", "q-enrolled": "2x", "version": "0", "action": "save"}
    response = as_lolland.post(form_url(jml), data, headers={"X-Autosave": "1"})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["version"] == 1 and body["errors"] == 1
    stale = as_lolland.post(form_url(jml), data, headers={"X-Autosave": "1"})
    assert stale.status_code == 409
    assert stale.json()["version"] == 1
    assert saved(jml).answers["enrolled"] == "2x"


def test_the_receipt_page_and_pdf_show_what_was_submitted(as_lolland, jml):
    post_form(as_lolland, jml, GOOD, version=0, action="submit")
    html = as_lolland.get(form_url(jml, suffix="kvittering/")).content.decode()
    assert "400 elever" in html and "5,0 %" in html and "kvittering.pdf" in html
    pdf = as_lolland.get(form_url(jml, suffix="kvittering.pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_receipt_pdf_has_header_sender_number_and_shows_every_typed_character(as_lolland, jml):
    from io import BytesIO

    from pypdf import PdfReader

    comment = "Talt af Åse 👍🏽 på skolen"
    post_form(as_lolland, jml, {**GOOD, "comment": comment}, version=0, action="submit")
    sub = saved(jml)
    number = f"IND-{jml.pk}-360-{sub.version}"
    html = as_lolland.get(form_url(jml, suffix="kvittering/")).content.decode()
    assert number in html
    pdf = PdfReader(BytesIO(as_lolland.get(form_url(jml, suffix="kvittering.pdf")).content))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Indberet" in text and number in text
    assert "Afsender: Lolland (360)" in text and "Lone Lolland" in text
    # The emoji the font cannot draw is named, not dropped; the Danish letters are kept.
    assert "Talt af Åse [thumbs up sign] på skolen" in text, text
    fonts = {
        str(f["/BaseFont"])
        for page in pdf.pages
        for f in page["/Resources"]["/Font"].values()
        if "/BaseFont" in f.get_object()
    }
    assert fonts and all("IBM-Plex-Sans" in name for name in fonts), fonts


def test_the_history_page_shows_a_readable_diff(as_lolland, jml):
    from datetime import timedelta

    post_form(as_lolland, jml, GOOD, version=0)
    post_form(as_lolland, jml, {**GOOD, "enrolled": "25"}, version=1)
    # Two editing sessions: the first save was made an hour before the second.
    first = saved(jml).revisions.get(number=1)
    first.created_at -= timedelta(hours=1)
    first.save()
    html = as_lolland.get(form_url(jml, suffix="historik/")).content.decode()
    assert "Version 2" in html and "Version 1" in html
    assert '<del class="change-old">20 elever</del>' in html
    assert '<ins class="change-new">25 elever</ins>' in html
    assert "Lone Lolland" in html


def test_saves_close_together_fold_into_one_line_but_every_revision_is_kept(as_lolland, jml):
    post_form(as_lolland, jml, GOOD, version=0)
    post_form(as_lolland, jml, {**GOOD, "enrolled": "25"}, version=1)
    post_form(as_lolland, jml, {**GOOD, "enrolled": "30"}, version=2)
    assert saved(jml).revisions.count() == 3
    html = as_lolland.get(form_url(jml, suffix="historik/")).content.decode()
    assert html.count('class="history-item"') == 1
    assert "3 gemninger" in html and "Besvarelsen har 3 versioner" in html
    assert "Version 1 ·" in html and "Version 2 ·" in html  # listed inside the folded line
    assert '<ins class="change-new">30 elever</ins>' in html  # the session's net change


def test_history_names_questions_and_warnings_not_internal_keys(as_lolland, jml):
    post_form(as_lolland, jml, {**GOOD, "enrolled": "100"}, version=0)
    post_form(
        as_lolland,
        jml,
        {**GOOD, "enrolled": "100"},
        version=1,
        **{"explain-share_high": "To nye skoler"},
    )
    html = as_lolland.get(form_url(jml, suffix="historik/")).content.decode()
    assert "Forklaring til advarslen om Elever tilmeldt juniormesterlære" in html
    assert "share_high" not in html


def test_a_long_history_is_paginated_and_loads_only_its_page(
    as_lolland, jml, django_assert_max_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    from submissions.models import Revision

    post_form(as_lolland, jml, GOOD, version=0)
    sub = saved(jml)
    start = timezone.now() + timedelta(hours=1)
    Revision.objects.bulk_create(
        Revision(
            submission=sub,
            number=n,
            action="save",
            state="draft",
            author=sub.updated_by,
            created_at=start + timedelta(hours=n),
            answers={**sub.answers, "enrolled": n},
            changed_keys=["enrolled"],
        )
        for n in range(2, 51)
    )
    with django_assert_max_num_queries(20):
        html = as_lolland.get(form_url(jml, suffix="historik/")).content.decode()
    assert html.count('class="history-item"') == 20
    assert "Side 1 af 3" in html and "?side=2" in html
    oldest = as_lolland.get(form_url(jml, suffix="historik/?side=3")).content.decode()
    assert oldest.count('class="history-item"') == 10 and "Version 1 ·" in oldest


def test_coordinators_see_how_many_versions_a_submission_has(as_lolland, as_coordinator, jml):
    post_form(as_lolland, jml, GOOD, version=0)
    post_form(as_lolland, jml, {**GOOD, "enrolled": "25"}, version=1)
    assert "Historik (2 versioner)" in page(as_coordinator, jml)
    assert "versioner)" not in page(as_lolland, jml)


def test_an_explanation_survives_its_warning_going_away_and_comes_back_with_it(as_lolland, jml):
    """Nothing typed is dropped: the explanation was typed while the share warning showed; the
    figure is corrected (warning gone, no field posted for it), then changed back."""
    high = {"pupils_8_9": "100", "enrolled": "30"}
    post_form(as_lolland, jml, high, version=0, **{"explain-share_high": "To nye skoler"})
    post_form(as_lolland, jml, {**high, "enrolled": "10"}, version=1)  # no warning, no field
    html = page(as_lolland, jml)
    assert "To nye skoler" not in html  # not shown without its warning …
    assert saved(jml).explanations == {"share_high": "To nye skoler"}  # … but kept
    post_form(as_lolland, jml, high, version=2)
    html = page(as_lolland, jml)
    assert "30 % af eleverne er tilmeldt" in html
    assert ">To nye skoler</textarea>" in html


def test_no_warning_on_a_field_that_already_has_an_error(as_lolland, jml):
    # 120 of 100 is both "more enrolled than pupils" (error) and a high share (warning).
    post_form(as_lolland, jml, {"pupils_8_9": "100", "enrolled": "120"}, version=0)
    html = page(as_lolland, jml)
    assert "kan ikke være større end" in html
    assert "af eleverne er tilmeldt" not in html
    assert [f["severity"] for f in saved(jml).findings if f["field"] == "enrolled"] == ["error"]


def test_the_officer_pages_write_dates_in_the_one_format(jml):
    jml.deadline = dt.datetime(2026, 3, 7, 22, 59, tzinfo=dt.UTC)  # 23.59 in Copenhagen
    jml.save(update_fields=["deadline"])
    client = client_for(make_user(Role.OFFICER, ["360"]))
    assert "7. marts 2026" in client.get("/").content.decode()
    assert "7. marts 2026 kl. 23.59" in client.get(form_url(jml)).content.decode()


def test_an_officer_cannot_store_explanations_for_warnings_the_definition_cannot_raise(jml):
    officer = make_user(Role.OFFICER, ["360"])
    typed = {"share_high": "Kept", "share_high@1": "x", "nope": "y", "share_high@x": "z"}
    typed.update({f"share_high@{n}": "flood" for n in range(2, 2000)})
    services.save_draft(
        jml,
        jml.recipients.get(code="360"),
        actor=officer,
        answers={},
        explanations=typed,
        version=0,
    )
    assert saved(jml).explanations == {"share_high": "Kept"}
