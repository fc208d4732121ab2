"""Reminders: the template and its variables, sending by hand, the schedule, the command."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import translation

from accounts.models import AuditEvent, Role
from reference.models import Municipality
from submissions.models import Contact, Reminder
from submissions.services import ServiceError
from tests.factories import make_round, make_submission, make_user
from tracking import notifications, reminders

ANSWERS = {"pupils_8_9": 200, "enrolled": 10}
UTC = dt.UTC
DEADLINE = dt.datetime(2026, 3, 13, 11, 0, tzinfo=UTC)  # 12.00 in Copenhagen
OPENED = DEADLINE - dt.timedelta(days=21)


@pytest.fixture
def round_(db, lolland, odder):
    """Lolland (officer), Odder (officer), København (contact only), Frederiksberg (nobody),
    Ballerup (officer, submitted)."""
    with time_machine.travel(OPENED, tick=False):
        round_ = make_round(
            codes=["360", "727", "101", "147", "151"],
            slug="feb-2026",
            title="Februar 2026",
            deadline=DEADLINE,
        )
    Contact.objects.create(
        municipality=Municipality.objects.get(code="101"), name="Kim", email="Kim@KK.dk"
    )
    make_user(Role.OFFICER, ["151"], email="officer@ballerup.dk")
    make_submission(round_, "151", ANSWERS, state="submitted")
    return round_


def send(round_, user, **kwargs):
    subject, body = reminders.default_template()
    params = {"subject": subject, "body": body, "nonce": reminders.new_nonce(), **kwargs}
    return reminders.send_manual(round_, actor=user, **params)


def sent_to():
    return sorted(address for m in mail.outbox for address in m.to)


# --- The template


def test_the_default_template_is_danish_with_round_deadline_and_direct_link(round_):
    subject, body = reminders.default_template()
    m = Municipality.objects.get(code="360")
    checked_subject, checked_body = reminders.check_template(subject, body)
    subj, text = reminders.render(round_, m, subject=checked_subject, body=checked_body)
    assert (
        subj == "Påmindelse: Juniormesterlære — tilmeldte elever — Februar 2026 – frist "
        "13. marts 2026 kl. 12.00"
    )
    assert "Kære kontaktperson i Lolland" in text
    assert "Fristen er 13. marts 2026 kl. 12.00." in text
    assert "http://testserver/indberet/feb-2026/360/" in text


@pytest.mark.parametrize(
    "subject, body, says",
    [
        ("", "Hej {municipality}", "Emnet er tom"),
        ("Påmindelse", "   ", "Teksten er tom"),
        ("Påmindelse", "Hej {navn}", "ukendt variabel: {navn}"),
        ("Påmindelse {frist}", "Hej", "Emnet bruger en ukendt variabel: {frist}"),
        ("Påmindelse", "Hej {}", "ukendt variabel: {}"),
        ("Påmindelse", "Hej {round.__class__}", "ukendt variabel"),
        ("Påmindelse", "Frist {deadline:>40}", "ukendt variabel: {deadline:>40}"),
        ("Påmindelse", "Frist {deadline!r}", "ukendt variabel: {deadline!r}"),
        ("Påmindelse", "Hej {municipality", "krøllet parentes"),
        ("Påmindelse", "Hej }", "krøllet parentes"),
        ("To\nlinjer", "Hej", "én linje"),
        ("x" * 201, "Hej", "for lang"),
    ],
)
def test_a_bad_template_is_refused_with_a_clear_message(subject, body, says):
    shown = {}
    for language in ("da", "en"):
        with translation.override(language):
            with pytest.raises(ServiceError) as e:
                reminders.check_template(subject, body)
            shown[language] = str(e.value.message)
    assert says in shown["da"]
    assert shown["en"] not in ("", shown["da"])  # translated, not the Danish source


def test_literal_braces_are_written_doubled(round_):
    subject, body = reminders.check_template("Svar {{nu}}", "Kode {{x}} til {municipality}")
    m = Municipality.objects.get(code="360")
    assert reminders.render(round_, m, subject=subject, body=body) == (
        "Svar {nu}",
        "Kode {x} til Lolland\n",
    )


# --- Sending by hand


def test_a_reminder_goes_to_the_officers_and_contacts_of_the_chosen_municipalities(
    round_, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = send(round_, coordinator, codes=["360", "101"])
    assert [r.municipality.code for r in result.sent] == ["101", "360"]
    assert sent_to() == ["kim@kk.dk", "officer@lolland.dk"]
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees another's address
    lolland_mail = next(m for m in mail.outbox if m.to == ["officer@lolland.dk"])
    assert "http://testserver/indberet/feb-2026/360/" in lolland_mail.body
    assert lolland_mail.reply_to == ["coordinator@indberet.dk"]
    logged = Reminder.objects.get(municipality__code="360")
    assert logged.outcome == "sent" and logged.sent_at is not None
    assert logged.recipients == ["officer@lolland.dk"]
    assert logged.subject == lolland_mail.subject and logged.body == lolland_mail.body
    assert logged.created_by == coordinator and logged.kind == "manual"
    assert AuditEvent.objects.filter(action="reminders.sent").count() == 1


def test_pressing_send_twice_sends_once(round_, coordinator, django_capture_on_commit_callbacks):
    nonce = reminders.new_nonce()
    with django_capture_on_commit_callbacks(execute=True):
        first = send(round_, coordinator, codes=["360"], nonce=nonce)
        second = send(round_, coordinator, codes=["360"], nonce=nonce)
    assert len(first.sent) == 1
    assert second.claimed == 0 and [m.code for m in second.already] == ["360"]
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1


def test_all_who_have_not_submitted_means_not_started_drafts_and_returned(
    round_, coordinator, django_capture_on_commit_callbacks
):
    make_submission(round_, "727", ANSWERS, state="draft")
    make_submission(round_, "101", ANSWERS, state="returned", returned_reason="Ret")
    with django_capture_on_commit_callbacks(execute=True):
        result = send(round_, coordinator, all_not_submitted=True)
    assert sorted(r.municipality.code for r in result.sent) == ["101", "360", "727"]
    assert [m.code for m in result.no_recipients] == ["147"]
    assert "officer@ballerup.dk" not in sent_to()


def test_a_municipality_with_no_email_is_logged_as_no_recipients_and_reported(
    round_, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = send(round_, coordinator, codes=["147"])
    assert [m.code for m in result.no_recipients] == ["147"]
    assert mail.outbox == []
    logged = Reminder.objects.get()
    assert (logged.outcome, logged.recipients) == ("no_recipients", [])


def test_a_chosen_municipality_that_has_submitted_is_skipped_and_reported(round_, coordinator):
    result = send(round_, coordinator, codes=["360", "151"])
    assert [m.code for m in result.skipped_responded] == ["151"]
    assert [r.municipality.code for r in result.sent] == ["360"]


@pytest.mark.parametrize(
    "change, code",
    [
        ({"state": "closed"}, "round_closed"),
        ({"state": "draft"}, "round_not_open"),
    ],
)
def test_a_round_that_is_not_open_is_refused_and_nothing_is_sent(round_, coordinator, change, code):
    for k, v in change.items():
        setattr(round_, k, v)
    round_.save()
    with pytest.raises(ServiceError) as e:
        send(round_, coordinator, all_not_submitted=True)
    assert e.value.code == code
    assert Reminder.objects.count() == 0 and mail.outbox == []


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"body": "Hej {navn}", "codes": ["360"]}, "unknown_variable"),
        ({"body": "", "codes": ["360"]}, "empty_template"),
        ({"codes": []}, "nothing_selected"),
        ({"codes": ["151"]}, "nothing_selected"),
        ({"codes": ["360", "999"]}, "unknown_municipality"),
        ({"codes": ["360"], "nonce": "not-a-nonce"}, "bad_nonce"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_half_sent(round_, coordinator, kwargs, code):
    with pytest.raises(ServiceError) as e:
        send(round_, coordinator, **kwargs)
    assert e.value.code == code
    assert Reminder.objects.count() == 0 and mail.outbox == []


def test_a_failed_delivery_is_logged_as_failed(round_, coordinator, settings):
    result = send(round_, coordinator, codes=["360"])
    settings.EMAIL_BACKEND = "tests.tracking.test_reminders.BrokenBackend"
    assert notifications.deliver(result.sent[0].pk) is False
    logged = Reminder.objects.get()
    assert logged.outcome == "failed" and "SMTP nede" in logged.error
    # A retried task does not try again (the delivery was claimed).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.deliver(result.sent[0].pk) is False
    assert mail.outbox == []


class BrokenBackend(BaseEmailBackend):
    """A mail server that is down: a real backend (usable as a context manager) that fails."""

    def send_messages(self, messages):
        raise OSError("SMTP nede")


# --- The schedule


def run_schedule(at):
    with time_machine.travel(at, tick=False):
        return reminders.send_scheduled()


def codes_for_step(offset):
    return sorted(
        Reminder.objects.filter(claim_key=f"schedule:{offset}").values_list(
            "municipality__code", flat=True
        )
    )


def test_the_schedule_reminds_exactly_the_non_submitters_at_each_step(
    round_, django_capture_on_commit_callbacks
):
    hour = dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_schedule(DEADLINE - dt.timedelta(days=7) - hour) == []
        run_schedule(DEADLINE - dt.timedelta(days=7) + hour)
    assert codes_for_step(-7) == ["101", "147", "360", "727"]
    assert sorted(sent_to()) == ["kim@kk.dk", "officer@lolland.dk", "officer@odder.dk"]

    # Odder submits, Lolland starts a draft; København's answer is returned for correction.
    make_submission(round_, "727", ANSWERS, state="submitted")
    make_submission(round_, "360", ANSWERS, state="draft")
    make_submission(round_, "101", ANSWERS, state="returned", returned_reason="Ret tallet")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_schedule(DEADLINE - dt.timedelta(days=1) + hour)
    assert codes_for_step(-1) == ["101", "147", "360"]
    assert sorted(sent_to()) == ["kim@kk.dk", "officer@lolland.dk"]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_schedule(DEADLINE + dt.timedelta(days=1) + hour)
    assert codes_for_step(1) == ["101", "147", "360"]
    assert Reminder.objects.filter(kind="scheduled", outcome="no_recipients").count() == 3


def test_running_the_schedule_twice_sends_once(round_, django_capture_on_commit_callbacks):
    at = DEADLINE - dt.timedelta(days=1) + dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        first = run_schedule(at)
        second = run_schedule(at + dt.timedelta(minutes=5))
    assert len(first) == 1 and second == []
    assert len(mail.outbox) == 3
    assert Reminder.objects.count() == 4


def test_a_step_that_passed_before_the_round_opened_is_not_sent(db, lolland):
    with time_machine.travel(DEADLINE - dt.timedelta(days=3), tick=False):
        round_ = make_round(codes=["360"], deadline=DEADLINE)
    assert run_schedule(DEADLINE - dt.timedelta(days=2)) == []
    assert Reminder.objects.count() == 0
    assert reminders.due_step(round_, DEADLINE - dt.timedelta(hours=20)) == -1


def test_a_scheduler_that_was_down_sends_only_the_latest_step(round_):
    run_schedule(DEADLINE + dt.timedelta(days=3))
    assert set(Reminder.objects.values_list("claim_key", flat=True)) == {"schedule:1"}


def test_a_closed_round_gets_no_scheduled_reminders(round_):
    round_.state = "closed"
    round_.save()
    assert run_schedule(DEADLINE + dt.timedelta(days=1, hours=1)) == []


def test_the_schedule_uses_the_rounds_own_template(round_, django_capture_on_commit_callbacks):
    round_.reminder_subject = "Husk {round}"
    round_.reminder_body = "Kære {municipality}, frist {deadline}: {link}"
    round_.save()
    with django_capture_on_commit_callbacks(execute=True):
        run_schedule(DEADLINE - dt.timedelta(days=1) + dt.timedelta(hours=1))
    lolland_mail = next(m for m in mail.outbox if m.to == ["officer@lolland.dk"])
    assert lolland_mail.subject.startswith("Husk Juniormesterlære")
    assert lolland_mail.body == (
        "Kære Lolland, frist 13. marts 2026 kl. 12.00: http://testserver/indberet/feb-2026/360/\n"
    )


# --- Schedule settings


def test_the_schedule_and_template_are_editable_and_checked(round_, coordinator):
    reminders.update_settings(
        round_, actor=coordinator, offsets=["-3", " 2", "-3"], subject="Husk", body="Hej {link}"
    )
    round_.refresh_from_db()
    assert round_.reminder_offsets == [-3, 2]
    assert (round_.reminder_subject, round_.reminder_body) == ("Husk", "Hej {link}\n")
    for bad in (["x"], ["400"], [str(i) for i in range(11)]):
        with pytest.raises(ServiceError):
            reminders.update_settings(round_, actor=coordinator, offsets=bad, subject="a", body="b")
    with pytest.raises(ServiceError):
        reminders.update_settings(round_, actor=coordinator, offsets=[], subject="a", body="{x}")
    round_.refresh_from_db()
    assert round_.reminder_offsets == [-3, 2]


# --- The command


def test_the_command_is_idempotent_and_reports_municipalities_without_email(
    round_, django_capture_on_commit_callbacks
):
    out, err = StringIO(), StringIO()
    with time_machine.travel(DEADLINE - dt.timedelta(days=7) + dt.timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", stdout=out, stderr=err)
            call_command("send_reminders", stdout=out, stderr=err)
    assert out.getvalue().count("feb-2026: trin -7 dage — 3 sendt, 1 uden e-mailadresse") == 1
    assert "Frederiksberg (147)" in err.getvalue()
    assert len(mail.outbox) == 3


def test_the_command_redelivers_a_reminder_whose_task_was_lost(round_, coordinator):
    with time_machine.travel(DEADLINE - dt.timedelta(days=2), tick=False):
        send(round_, coordinator, codes=["360"])  # on_commit never ran: the task was lost
    assert Reminder.objects.get().outcome == "pending"
    round_.reminder_offsets = []
    round_.save()
    with time_machine.travel(DEADLINE - dt.timedelta(days=2, minutes=-30), tick=False):
        call_command("send_reminders", stdout=StringIO(), stderr=StringIO())
    assert Reminder.objects.get().outcome == "sent"
    assert sent_to() == ["officer@lolland.dk"]


def test_the_email_is_danish_even_when_the_coordinator_uses_english(
    round_, coordinator, django_capture_on_commit_callbacks
):
    from django.utils import translation

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        send(round_, coordinator, codes=["360"])
    assert "Fristen er 13. marts 2026 kl. 12.00." in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("Påmindelse:")
