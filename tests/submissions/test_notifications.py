"""E-mails: the receipt (summary + PDF copy) to the submitter and every officer of the
municipality; the returned notice with the reason and a link; round invitations."""

import io

import pytest
from django.core import mail
from pypdf import PdfReader

from accounts.models import Role
from reference.models import Municipality
from submissions import services
from submissions.models import Submission
from tests.factories import make_round, make_user
from tests.submissions.conftest import post_form


def test_the_receipt_goes_to_the_submitter_and_every_officer_with_a_pdf(
    as_lolland, lolland, jml, django_capture_on_commit_callbacks
):
    colleague = make_user(Role.OFFICER, ["360"], email="kollega@lolland.dk")
    make_user(Role.OFFICER, ["727"], email="outsider@odder.dk")
    post_form(as_lolland, jml, {"pupils_8_9": "400", "enrolled": "20"}, version=0)
    with django_capture_on_commit_callbacks(execute=True):
        post_form(
            as_lolland, jml, {"pupils_8_9": "400", "enrolled": "20"}, version=1, action="submit"
        )
    assert sorted(m.to[0] for m in mail.outbox) == [colleague.email, lolland.email]
    message = mail.outbox[0]
    assert "Kvittering" in message.subject and "Lolland" in message.subject
    assert "Elever i 8. og 9. klasse: 400 elever" in message.body
    assert "http://testserver/indberet/jml-2026/360/kvittering/" in message.body
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and name.endswith(".pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Lolland" in text and "400" in text


def test_a_returned_submission_tells_the_officers_why(
    jml, lolland, coordinator, django_capture_on_commit_callbacks
):
    m = Municipality.objects.get(code="360")
    services.save_draft(
        jml,
        m,
        actor=lolland,
        answers={"pupils_8_9": "400", "enrolled": "20"},
        explanations={},
        version=0,
    )
    services.submit(jml, m, actor=lolland)
    sub = Submission.objects.get(round=jml, municipality=m)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_submission(sub, actor=coordinator, reason="Tallet for 9. klasse mangler")
    assert [m.to for m in mail.outbox] == [[lolland.email]]
    assert "Tallet for 9. klasse mangler" in mail.outbox[0].body
    assert "http://testserver/indberet/jml-2026/360/" in mail.outbox[0].body


@pytest.mark.django_db
def test_opening_a_round_invites_each_recipients_officers_with_a_direct_link(
    as_coordinator, lolland, odder, django_capture_on_commit_callbacks
):
    round_ = make_round(codes=["360", "101"], state="draft", slug="ny-runde")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(f"/runder/{round_.slug}/aabn/")
        as_coordinator.post(f"/runder/{round_.slug}/aabn/")  # twice: sends once
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.state == "open"
    assert [m.to for m in mail.outbox] == [[lolland.email]]  # Odder is no recipient
    assert "http://testserver/indberet/ny-runde/360/" in mail.outbox[0].body
