"""E-mails are plain text: a round title or municipality name with `&`, `<`, `>` and quotes
arrives exactly as typed, in the subject and the body, for every e-mail the app sends
(officer invitation, round invitation, receipt, returned, manual and scheduled reminder).
Django's template engine HTML-escapes by default, which turned "&" into "&amp;"."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from accounts.services import invite_officer
from reference.models import Municipality
from submissions import services
from submissions.models import Submission
from surveys import lifecycle
from tests.factories import make_round, make_user
from tracking import reminders

TITLE = "Forår & \"efterår\" <2026> 'ekstra'"
NAME = 'Lolland & <Falster> "Øst"'
ESCAPED = ("&amp;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#39;")


@pytest.fixture
def world(db):
    Municipality.objects.filter(code="360").update(name=NAME)
    coordinator = make_user(Role.COORDINATOR, email="koordinator@indberet.dk")
    officer = make_user(Role.OFFICER, ["360"], email="officer@lolland.dk")
    return coordinator, officer


def assert_plain(message, *expected):
    for part in (message.subject, message.body):
        assert not any(e in part for e in ESCAPED), part
    for text in expected:
        assert text in message.subject, message.subject
        assert text in message.body, message.body


def test_the_officer_invitation(world, django_capture_on_commit_callbacks):
    coordinator, _ = world
    with django_capture_on_commit_callbacks(execute=True):
        invite_officer(
            "ny@lolland.dk", Municipality.objects.get(code="360"), invited_by=coordinator
        )
    [message] = mail.outbox
    assert_plain(message, NAME)


def test_the_round_invitation_receipt_and_return(world, django_capture_on_commit_callbacks):
    coordinator, officer = world
    round_ = make_round(codes=["360"], state="draft", title=TITLE, slug="foraar-2026")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.open_round(round_, actor=coordinator)
    [invitation] = mail.outbox
    assert_plain(invitation, TITLE, NAME)

    lolland = Municipality.objects.get(code="360")
    answers = {"pupils_8_9": "400", "enrolled": "20"}
    services.save_draft(round_, lolland, actor=officer, answers=answers, explanations={}, version=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(round_, lolland, actor=officer)
    [receipt] = mail.outbox[1:]
    assert_plain(receipt, TITLE, NAME)

    submission = Submission.objects.get(round=round_, municipality=lolland)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_submission(submission, actor=coordinator, reason='Ret "9. klasse" & <tjek>')
    [returned] = mail.outbox[2:]
    assert_plain(returned, TITLE, NAME)
    assert 'Ret "9. klasse" & <tjek>' in returned.body


def test_manual_and_scheduled_reminders(world, django_capture_on_commit_callbacks):
    coordinator, _ = world
    round_ = make_round(codes=["360"], title=TITLE, slug="foraar-2026")
    subject, body = reminders.round_template(round_)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_manual(
            round_,
            actor=coordinator,
            codes=["360"],
            subject=subject,
            body=body,
            nonce=reminders.new_nonce(),
        )
    [manual] = mail.outbox
    assert_plain(manual, TITLE)
    assert NAME in manual.body

    round_.reminder_offsets = [-1]
    round_.deadline = timezone.now() + timedelta(hours=12)
    round_.opened_at = timezone.now() - timedelta(days=3)
    round_.save()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_scheduled()
    [scheduled] = mail.outbox[1:]
    assert_plain(scheduled, TITLE)
    assert NAME in scheduled.body
