"""The round lifecycle has one home (surveys.lifecycle): the round page and the API answer the
same cases the same way, because both only parse input and call it."""

import datetime as dt

import pytest

from accounts.models import AuditEvent, Role
from reference.models import Municipality
from surveys import lifecycle
from surveys.models import Round
from tests.api.conftest import token_client, url
from tests.factories import make_round, make_user, shipped_definition

CHANNELS = ["page", "api"]


@pytest.fixture
def survey(db):
    return shipped_definition().survey


@pytest.fixture
def synthetic(db):
    return Municipality.objects.create(
        code="1001", name="Syntetisk 1001", region_code="0", region_name="-", dst_group="-",
        is_synthetic=True,
    )  # fmt: skip


def create(channel, coordinator, survey, *, codes=("360", "727"), opens=None, deadline=None):
    """Create a round through the page or the API; returns (created, {field: [message]}),
    with the page's recipient fields named "recipients" as in the API."""
    opens = opens or dt.date(2027, 2, 1)
    deadline = deadline or dt.date(2027, 3, 15)
    if channel == "page":
        response = coordinator["page"].post(
            "/runder/ny/",
            {
                "survey": survey.pk,
                "title": "Februar 2027",
                "slug": "jml-2027-02",
                "opens_at": opens.strftime("%d-%m-%Y"),
                "deadline": deadline.strftime("%d-%m-%Y"),
                "recipients_mode": "codes",
                "codes": ", ".join(codes),
            },
        )
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            return True, {}
        errors = response.context["form"].errors
        return False, {("recipients" if f == "codes" else f): m for f, m in errors.items()}
    response = coordinator["api"].post(
        url("rounds/"),
        {
            "survey": survey.key,
            "title": "Februar 2027",
            "slug": "jml-2027-02",
            "opens_at": f"{opens.isoformat()}T00:00:00+01:00",
            "deadline": f"{deadline.isoformat()}T23:59:00+01:00",
            "recipients": list(codes),
        },
        format="json",
    )
    assert response.status_code in (201, 400), response.json()
    if response.status_code == 201:
        return True, {}
    fields = {}
    for item in response.json()["error"]["fields"]:
        fields.setdefault(item["field"], []).append(item["message"])
    return False, fields


@pytest.fixture
def coordinator(coordinator, as_coordinator):
    return {"page": as_coordinator, "api": token_client(coordinator)}


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_synthetic_municipality_is_not_a_recipient(channel, coordinator, survey, synthetic):
    created, errors = create(channel, coordinator, survey, codes=("360", "1001"))
    assert not created
    assert errors == {"recipients": ["Ukendte kommunekoder: 1001"]}
    assert not Round.objects.filter(slug="jml-2027-02").exists()


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_round_cannot_open_after_its_deadline(channel, coordinator, survey):
    created, errors = create(
        channel, coordinator, survey, opens=dt.date(2027, 4, 1), deadline=dt.date(2027, 3, 15)
    )
    assert not created
    assert errors == {"deadline": ["Fristen kan ikke ligge før åbningsdatoen."]}


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_audit_row_says_what_was_created(channel, coordinator, survey):
    created, errors = create(channel, coordinator, survey)
    assert created, errors
    event = AuditEvent.objects.get(action="round.created")
    version = survey.current_definition().version
    assert event.detail == {"slug": "jml-2027-02", "recipients": 2, "definition": version}
    assert event.object_ref == str(Round.objects.get(slug="jml-2027-02").pk)


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_slug_taken_by_a_concurrent_create_is_a_message_not_a_crash(
    channel, coordinator, survey, monkeypatch
):
    # The checks ran before another request inserted the same slug: the insert itself fails.
    make_round(slug="jml-2027-02")
    monkeypatch.setattr(lifecycle, "round_problems", lambda **kwargs: [])
    created, errors = create(channel, coordinator, survey)
    assert not created
    assert errors == {"slug": ["Der findes allerede en runde med dette korte navn."]}
    assert Round.objects.filter(slug="jml-2027-02").count() == 1
    assert not AuditEvent.objects.filter(action="round.created").exists()


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_previous_round_comes_from_the_same_survey(channel, coordinator, survey):
    other = make_round("proevehandlinger", slug="ph")
    if channel == "page":
        response = coordinator["page"].post(
            "/runder/ny/",
            {
                "survey": survey.pk,
                "title": "X",
                "slug": "x-1",
                "deadline": "15-03-2027",
                "previous": other.pk,
                "recipients_mode": "all",
            },
        )
        errors = response.context["form"].errors
    else:
        response = coordinator["api"].post(
            url("rounds/"),
            {
                "survey": survey.key,
                "title": "X",
                "slug": "x-1",
                "deadline": "2027-03-15T23:59:00+01:00",
                "previous": "ph",
                "recipients": "all",
            },
            format="json",
        )
        errors = {f["field"]: [f["message"]] for f in response.json()["error"]["fields"]}
    assert errors == {
        "previous": ["Runden, der sammenlignes med, skal være af samme undersøgelse."]
    }
    assert not Round.objects.filter(slug="x-1").exists()


def test_opening_a_closed_round_and_closing_a_draft_are_refused_alike(coordinator, survey):
    closed = make_round(slug="closed", state="closed")
    draft = make_round(slug="draft", state="draft")
    with pytest.raises(lifecycle.RoundError) as refused:
        lifecycle.open_round(closed, actor=None)
    assert refused.value.code == "round_closed"
    with pytest.raises(lifecycle.RoundError) as refused:
        lifecycle.close_round(draft, actor=None)
    assert refused.value.code == "round_not_open"
    api = coordinator["api"]
    assert api.post(url("rounds/closed/open/")).json()["error"]["code"] == "round_closed"
    assert api.post(url("rounds/draft/close/")).json()["error"]["code"] == "round_not_open"
    page = coordinator["page"].post("/runder/closed/aabn/", follow=True).content.decode()
    assert "Runden er lukket." in page
    closed.refresh_from_db()
    draft.refresh_from_db()
    assert (closed.state, draft.state) == ("closed", "draft")


def test_the_service_itself_refuses_a_title_with_a_line_break(survey):
    # The form and the API show the rule at the field; any other caller (a command, the demo)
    # goes through create_round/update_round, which must refuse it too.
    coordinator = make_user(Role.COORDINATOR)
    deadline = dt.datetime(2027, 3, 15, 22, 59, tzinfo=dt.UTC)
    common = {"survey": survey, "deadline": deadline, "recipients": ["360"]}
    with pytest.raises(lifecycle.RoundError) as refused:
        lifecycle.create_round(actor=coordinator, title="Marts\n2027", slug="m-2027", **common)
    assert [(p.field, p.code) for p in refused.value.problems] == [("title", "invalid_characters")]
    round_ = lifecycle.create_round(actor=coordinator, title="Marts 2027", slug="m-2027", **common)
    with pytest.raises(lifecycle.RoundError):
        lifecycle.update_round(
            round_, actor=coordinator, title="Marts\u20282027", slug="m-2027", **common
        )
    round_.refresh_from_db()
    assert round_.title == "Marts 2027"
