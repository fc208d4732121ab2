"""A draft round before it opens: the slug suggested from the title, editing and deleting the
draft, and opening it with a confirmation that names who gets no invitation, either now or
automatically on the opening date (the timer's send_reminders command opens it)."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEvent, Role
from surveys import lifecycle
from surveys.lifecycle import open_due_rounds, suggest_slug
from surveys.models import Round
from tests.conftest import client_for
from tests.factories import make_round, make_user, shipped_definition
from tests.surveys.test_rounds import create


@pytest.fixture
def survey(db):
    return shipped_definition().survey


def test_an_empty_slug_is_made_from_survey_and_title_and_kept_unique(as_coordinator, survey):
    assert create(as_coordinator, survey, slug="", title="Forår på Ærø").status_code == 302
    assert Round.objects.get().slug == "juniormesterlaere-foraar-paa-aeroe"
    create(as_coordinator, survey, slug="", title="Forår på Ærø")
    assert set(Round.objects.values_list("slug", flat=True)) == {
        "juniormesterlaere-foraar-paa-aeroe",
        "juniormesterlaere-foraar-paa-aeroe-2",
    }
    assert suggest_slug(survey=survey, title="!!!") == "juniormesterlaere"


def test_the_slug_is_explained_in_plain_danish_and_a_bad_one_says_what_to_type(
    as_coordinator, survey
):
    page = as_coordinator.get("/runder/ny/").content.decode()
    assert "Lad feltet stå tomt, så laver vi det ud fra undersøgelsen og titlen" in page
    assert 'aria-describedby="id_slug-hint"' in page
    html = create(as_coordinator, survey, slug="Forår 2027").content.decode()
    assert "Brug kun små bogstaver a-z, tal og bindestreg i det korte navn" in html


def test_a_draft_is_edited_with_the_same_form(as_coordinator, survey):
    create(as_coordinator, survey)
    round_ = Round.objects.get()
    page = as_coordinator.get(f"/runder/{round_.slug}/rediger/").content.decode()
    assert 'value="Februar 2027"' in page
    for part, value in (("day", "15"), ("month", "3"), ("year", "2027")):
        assert re.search(rf'name="deadline-{part}"[^>]*value="{value}"', page), part
    ids = [
        str(pk)
        for pk in round_.recipients.filter(code__in=["101", "360"]).values_list("pk", flat=True)
    ]
    data = {
        "survey": survey.pk,
        "title": "Marts 2027",
        "slug": "jml-2027-03",
        "deadline": "15-03-2027",
        "opens_at": "01-02-2027",
        "recipients_mode": "chosen",
        "municipalities": ids,
    }
    response = as_coordinator.post(f"/runder/{round_.slug}/rediger/", data)
    assert response.status_code == 302
    round_.refresh_from_db()
    assert (round_.title, round_.slug, round_.recipients.count()) == (
        "Marts 2027",
        "jml-2027-03",
        2,
    )
    event = AuditEvent.objects.get(action="round.updated")
    assert event.detail["changed"] == ["recipients", "slug", "title"]


def test_a_draft_is_deleted_after_a_confirmation(as_coordinator, survey):
    create(as_coordinator, survey)
    round_ = Round.objects.get()
    page = as_coordinator.get(f"/runder/{round_.slug}/slet/").content.decode()
    assert "Sletningen kan ikke fortrydes" in page and "button-warning" in page
    response = as_coordinator.post(f"/runder/{round_.slug}/slet/", follow=True)
    assert "Kladden »Februar 2027« er slettet" in response.content.decode()
    assert not Round.objects.exists()
    assert AuditEvent.objects.get(action="round.deleted").detail["title"] == "Februar 2027"


def test_an_open_round_can_be_neither_edited_nor_deleted(as_coordinator):
    round_ = make_round(codes=["360"], slug="aaben")
    for path in ("rediger", "slet"):
        response = as_coordinator.post(f"/runder/aaben/{path}/", {"title": "x"})
        assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.title != "x" and round_.state == "open"
    assert not AuditEvent.objects.filter(action__in=["round.updated", "round.deleted"]).exists()


def test_opening_asks_first_and_names_who_gets_no_invitation(
    as_coordinator, lolland, django_capture_on_commit_callbacks
):
    round_ = make_round(codes=["360", "727"], state="draft", slug="ny")
    page = as_coordinator.get("/runder/ny/aabn/").content.decode()
    assert "1 kommune får ingen invitation" in page and "Odder (727)" in page
    assert "Lolland" not in page.split("får ingen invitation")[1].split("</ul>")[0]
    round_.refresh_from_db()
    assert round_.state == "draft"  # asking opened nothing
    with django_capture_on_commit_callbacks(execute=True):
        as_coordinator.post("/runder/ny/aabn/", {"when": "now"})
    round_.refresh_from_db()
    assert round_.state == "open" and [m.to for m in mail.outbox] == [[lolland.email]]


def test_a_future_opening_date_opens_the_round_on_schedule(
    as_coordinator, lolland, django_capture_on_commit_callbacks
):
    opens = timezone.now() + dt.timedelta(days=2)
    round_ = make_round(codes=["360"], state="draft", slug="senere", opens_at=opens)
    page = as_coordinator.get("/runder/senere/aabn/").content.decode()
    assert 'value="schedule" checked' in page and 'value="now"' in page
    as_coordinator.post("/runder/senere/aabn/", {"when": "schedule"})
    round_.refresh_from_db()
    assert round_.state == "draft" and round_.open_on_schedule
    assert "åbner automatisk" in as_coordinator.get("/runder/senere/").content.decode()
    assert open_due_rounds() == [] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        Round.objects.filter(pk=round_.pk).update(opens_at=timezone.now() - dt.timedelta(minutes=1))
        call_command("send_reminders")
    round_.refresh_from_db()
    assert round_.state == "open" and [m.to for m in mail.outbox] == [[lolland.email]]
    opened = AuditEvent.objects.get(action="round.opened")
    assert opened.actor is None  # the schedule did it
    assert open_due_rounds() == []  # once


def test_a_draft_without_a_future_opening_date_can_only_open_now(as_coordinator):
    round_ = make_round(codes=["360"], state="draft", slug="nu")
    page = as_coordinator.get("/runder/nu/aabn/").content.decode()
    assert 'value="schedule"' not in page
    as_coordinator.post("/runder/nu/aabn/", {"when": "schedule"})  # tampered: opens now
    round_.refresh_from_db()
    assert round_.state == "open" and not round_.open_on_schedule


@pytest.mark.parametrize("path", ["rediger", "slet", "aabn"])
def test_officers_and_analysts_cannot_touch_a_draft(db, path):
    round_ = make_round(codes=["360"], state="draft", slug="kladde")
    for user in (
        make_user(Role.OFFICER, ["360"]),
        make_user(Role.ANALYST),
    ):
        client = client_for(user)  # a session that passed two-factor where the role needs it
        assert client.get(f"/runder/kladde/{path}/").status_code == 404
        assert client.post(f"/runder/kladde/{path}/", {"when": "now"}).status_code == 404
    round_.refresh_from_db()
    assert round_.state == "draft"
    assert not AuditEvent.objects.filter(action__startswith="round.").exists()


def test_moving_a_scheduled_opening_date_asks_for_the_opening_again(coordinator):
    opens = timezone.now() + dt.timedelta(days=2)
    round_ = make_round(codes=["360"], state="draft", slug="flyt", opens_at=opens)
    lifecycle.schedule_opening(round_, actor=coordinator)
    round_.refresh_from_db()
    assert round_.open_on_schedule
    lifecycle.update_round(
        round_,
        actor=coordinator,
        survey=round_.survey,
        title=round_.title,
        slug=round_.slug,
        deadline=round_.deadline,
        opens_at=timezone.now() - dt.timedelta(hours=1),  # moved into the past
        recipients=["360"],
    )
    round_.refresh_from_db()
    assert not round_.open_on_schedule
    assert open_due_rounds() == [] and round_.state == "draft"  # nothing sent behind their back


def test_a_scheduled_round_says_so_and_offers_to_open_now_instead(
    as_coordinator, coordinator, lolland, django_capture_on_commit_callbacks
):
    opens = timezone.now() + dt.timedelta(days=2)
    round_ = make_round(codes=["360"], state="draft", slug="planlagt", opens_at=opens)
    lifecycle.schedule_opening(round_, actor=coordinator)
    lifecycle.schedule_opening(round_, actor=coordinator)  # twice: harmless, audited once
    assert AuditEvent.objects.filter(action="round.open_scheduled").count() == 1

    detail = as_coordinator.get("/runder/planlagt/").content.decode()
    assert "Runden åbner automatisk" in detail and "Åbn runden nu i stedet" in detail
    page = as_coordinator.get("/runder/planlagt/aabn/").content.decode()
    assert "Runden er sat til at åbne automatisk" in page
    assert 'value="schedule"' not in page and "Åbn runden nu og send invitationer" in page

    Round.objects.filter(pk=round_.pk).update(opens_at=timezone.now() - dt.timedelta(minutes=1))
    detail = as_coordinator.get("/runder/planlagt/").content.decode()
    assert "er nået: runden åbner automatisk om lidt" in detail

    with django_capture_on_commit_callbacks(execute=True):
        as_coordinator.post("/runder/planlagt/aabn/", {"when": "now"})
    round_.refresh_from_db()
    assert round_.state == "open" and not round_.open_on_schedule  # the schedule is used up
    assert open_due_rounds() == [] and len(mail.outbox) == 1
