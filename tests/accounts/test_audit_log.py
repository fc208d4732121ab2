"""The audit log: logins, logouts and failed logins are recorded; coordinators browse, filter and
export it; nobody else sees it."""

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.audit import record
from accounts.models import AuditEvent

URL = "/konto/revision/"
CSV_URL = "/konto/revision/csv/"


def test_the_audit_log_urls_are_named():
    assert reverse("accounts:audit_log") == URL
    assert reverse("accounts:audit_log_csv") == CSV_URL


def test_login_logout_and_a_failed_login_are_audited_with_the_ip(lolland):
    client = Client(REMOTE_ADDR="192.0.2.10")
    client.post("/konto/login/", {"login": lolland.email, "password": "wrong"})
    client.post("/konto/login/", {"login": lolland.email, "password": "correct horse battery"})
    client.post(reverse("account_logout"))
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["auth.login_failed", "auth.login", "auth.logout"]
    failed, login, logout = events
    assert failed.actor is None
    assert failed.object_ref == lolland.email
    assert failed.detail == {"email": lolland.email}
    assert login.actor == lolland and login.actor_email == lolland.email
    assert logout.actor == lolland
    assert {e.ip for e in events} == {"192.0.2.10"}
    assert "wrong" not in str([e.detail for e in events])


def test_a_failed_login_for_an_unknown_address_is_audited(client, db):
    client.post("/konto/login/", {"login": "nobody@example.dk", "password": "guess"})
    event = AuditEvent.objects.get()
    assert event.action == "auth.login_failed"
    assert event.detail == {"email": "nobody@example.dk"}


@pytest.fixture
def events(lolland, odder, coordinator):
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=UTC)):
        record("round.opened", actor=coordinator, object_type="surveys.round", object_ref="feb26")
    with time_machine.travel(datetime(2026, 2, 20, 9, tzinfo=UTC)):
        record(
            "submission.submitted",
            actor=lolland,
            object_type="submissions.submission",
            object_ref="feb26/360",
        )
        record(
            "submission.saved",
            actor=odder,
            object_type="submissions.submission",
            object_ref="feb26/727",
            detail={"comment": '=HYPERLINK("http://evil")'},
        )
    with time_machine.travel(datetime(2026, 3, 5, 9, tzinfo=UTC)):
        record("round.closed", actor=coordinator, object_type="surveys.round", object_ref="feb26")


def shown(response):
    """The actions listed, leaving out the logins the test clients themselves made."""
    assert response.status_code == 200
    return [e.action for e in response.context["page"] if e.action != "auth.login"]


def test_a_coordinator_browses_the_audit_log_newest_first(as_coordinator, events):
    response = as_coordinator.get(URL)
    assert shown(response) == [
        "round.closed",
        "submission.saved",
        "submission.submitted",
        "round.opened",
    ]
    body = response.content.decode()
    assert "officer@odder.dk" in body and "feb26/727" in body


def test_events_are_told_in_words_with_months_in_the_interface_language(
    as_coordinator, coordinator, lolland, events
):
    from reference.models import Municipality
    from tests.factories import make_round

    round_ = make_round(codes=["360"], slug="feb26", title="Februar 2026")
    with time_machine.travel(datetime(2026, 3, 7, 0, tzinfo=UTC)):
        record("round.opened", actor=coordinator, obj=round_)
        record(
            "user.invited",
            actor=coordinator,
            obj=lolland,
            detail={"municipality": "360", "long": "x" * 300, "codes": ["101", "147"]},
        )
    html = as_coordinator.get(URL).content.decode()
    assert "Karin Koordinator inviterede Lone Lolland (officer@lolland.dk)" in html
    assert "Karin Koordinator åbnede runden Februar 2026" in html
    assert "Lone Lolland indsendte besvarelsen fra " in html
    assert f"{Municipality.objects.get(code='360').name} i Februar 2026" in html
    assert "7. marts 2026 kl. 01.00" in html
    assert "x" * 300 in html and "101, 147" in html  # details are never cut off
    assert 'tabindex="0" role="region" aria-labelledby="audit-results"' in html
    as_coordinator.cookies["django_language"] = "en"
    html = as_coordinator.get(URL).content.decode()
    assert "Karin Koordinator invited Lone Lolland (officer@lolland.dk)" in html
    assert "7 March 2026 at 01:00" in html and "marts" not in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"action": "round.opened"}, ["round.opened"]),
        ({"actor": "lolland"}, ["submission.submitted"]),
        ({"object": "feb26/727"}, ["submission.saved"]),
        ({"object": "surveys.round"}, ["round.closed", "round.opened"]),
        (
            {"date_from": "2026-02-15", "date_to": "2026-02-28"},
            ["submission.saved", "submission.submitted"],
        ),
        ({"date_from": "2026-03-01"}, ["round.closed"]),
        ({"actor": "coordinator", "action": "round.closed"}, ["round.closed"]),
    ],
)
def test_the_audit_log_filters_by_action_actor_object_and_date(
    as_coordinator, events, query, expected
):
    assert shown(as_coordinator.get(URL, query)) == expected


def test_an_invalid_filter_answers_with_a_message_not_the_whole_log(as_coordinator, events):
    response = as_coordinator.get(URL, {"date_from": "i går", "action": "no.such"})
    assert shown(response) == []
    body = response.content.decode()
    assert 'class="alert alert-error error-summary"' in body
    assert "Skriv en gyldig dato med dag, måned og år" in body


def test_the_audit_log_is_paginated(as_coordinator, coordinator):
    for i in range(55):
        record("test.event", actor=coordinator, object_ref=str(i))
    first = as_coordinator.get(URL, {"action": "test.event"})
    assert len(first.context["page"]) == 50
    assert "page=2" in first.content.decode()
    second = as_coordinator.get(URL, {"action": "test.event", "page": 2})
    assert [e.object_ref for e in second.context["page"]] == [str(i) for i in range(4, -1, -1)]
    assert as_coordinator.get(URL, {"page": "999"}).status_code == 200
    assert as_coordinator.get(URL, {"page": "x"}).status_code == 200


def test_the_csv_export_has_the_filtered_rows_and_neutralises_formulas(as_coordinator, events):
    response = as_coordinator.get(CSV_URL, {"action": "submission.saved"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="indberet-revision-')
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["at", "actor_email", "ip", "action", "object_type", "object_ref", "detail"]
    assert len(rows) == 2
    assert rows[1][1:6] == [
        "officer@odder.dk",
        "",
        "submission.saved",
        "submissions.submission",
        "feb26/727",
    ]
    assert rows[1][0] == "2026-02-20T10:00:00+01:00"
    assert rows[1][6].startswith("{")  # the JSON detail; the formula is inside, not a cell


def test_a_cell_that_starts_like_a_formula_is_neutralised(as_coordinator, coordinator):
    record("=cmd|' /C calc'!A0", actor=coordinator, object_ref="+1-2", object_type="\tx")
    text = b"".join(as_coordinator.get(CSV_URL).streaming_content).decode()
    row = next(r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if "calc" in str(r))
    assert row[3].startswith("'=")
    assert row[5].startswith("'+")
    assert row[4].startswith("'\t")


def test_downloading_the_audit_log_is_itself_audited(as_coordinator, coordinator, events):
    b"".join(as_coordinator.get(CSV_URL, {"actor": "odder"}).streaming_content)
    event = AuditEvent.objects.filter(action="audit.exported").get()
    assert event.actor == coordinator
    assert event.detail == {"actor": "odder"}


def test_an_invalid_filter_gives_the_page_with_a_message_instead_of_a_file(as_coordinator, db):
    response = as_coordinator.get(CSV_URL, {"date_to": "31-31-2026"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


@pytest.mark.parametrize("path", [URL, CSV_URL])
def test_officers_and_analysts_get_404_and_anonymous_visitors_the_login_page(
    path, as_lolland, as_odder, as_analyst, client, events
):
    assert as_lolland.get(path).status_code == 404
    assert as_odder.get(path).status_code == 404
    assert as_analyst.get(path).status_code == 404
    assert client.get(path)["Location"].startswith("/konto/login/")


def test_a_superuser_sees_the_audit_log(db):
    from accounts.models import Role
    from tests.conftest import client_for
    from tests.factories import make_user

    admin = make_user(Role.OFFICER, is_superuser=True, is_staff=True, mfa=True)
    assert client_for(admin).get(URL).status_code == 200


def test_the_audit_log_only_answers_get(as_coordinator):
    assert as_coordinator.post(URL).status_code == 405


def test_the_date_filters_are_three_fields_day_month_year(as_coordinator, events):
    body = as_coordinator.get(URL).content.decode()
    for part in ("day", "month", "year"):
        assert f'name="date_from-{part}"' in body and f'name="date_to-{part}"' in body
    typed = {"date_from-day": "15", "date_from-month": "2", "date_from-year": "2026"}
    actions = shown(as_coordinator.get(URL, typed))
    assert actions and "round.opened" not in actions
    assert "round.opened" in shown(as_coordinator.get(URL))


def test_tokens_revoked_by_a_new_password_read_as_a_sentence(as_coordinator, lolland):
    record("token.revoked_all", actor=lolland, object_type="user", object_ref=str(lolland.pk))
    body = as_coordinator.get(URL, {"action": "token.revoked_all"}).content.decode()
    assert f"{lolland.display_name} fik alle sine API-tokens tilbagekaldt" in body


def test_a_survey_is_named_in_the_interface_language(as_coordinator, coordinator):
    from surveys.builder import open_draft
    from tests.factories import shipped_definition

    open_draft(survey=shipped_definition().survey, actor=coordinator, ip=None)
    html = as_coordinator.get(URL).content.decode()
    assert "kladde til undersøgelsen Juniormesterlære — tilmeldte elever" in html
    as_coordinator.cookies["django_language"] = "en"
    html = as_coordinator.get(URL).content.decode()
    assert "draft of the survey Junior apprenticeship — enrolled pupils" in html
