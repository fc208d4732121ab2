"""Coordinators create rounds (all 98, a chosen subset, or pasted codes), open and reopen."""

import pytest

from reference.models import Municipality
from surveys.models import Round
from tests.factories import make_round, shipped_definition


@pytest.fixture
def survey(db):
    return shipped_definition().survey


def create(client, survey, **overrides):
    data = {
        "survey": survey.pk,
        "title": "Februar 2027",
        "slug": "jml-2027-02",
        "deadline": "15-03-2027",
        "opens_at": "01-02-2027",
        "recipients_mode": "all",
        **overrides,
    }
    return client.post("/runder/ny/", data)


def test_a_coordinator_creates_a_draft_round_for_all_98(as_coordinator, survey):
    response = create(as_coordinator, survey)
    assert response.status_code == 302
    round_ = Round.objects.get(slug="jml-2027-02")
    assert round_.state == "draft" and round_.recipients.count() == 98
    assert round_.definition == survey.current_definition()
    assert as_coordinator.get(response["Location"]).status_code == 200


def test_a_chosen_subset_by_checkbox(as_coordinator, survey):
    ids = [str(m.pk) for m in Municipality.objects.filter(code__in=["157", "360"])]
    response = create(as_coordinator, survey, recipients_mode="chosen", municipalities=ids)
    assert response.status_code == 302
    codes = set(Round.objects.get().recipients.values_list("code", flat=True))
    assert codes == {"157", "360"}


def test_pasted_codes_and_unknown_codes_are_named(as_coordinator, survey):
    response = create(as_coordinator, survey, recipients_mode="codes", codes="101, 157\n999 abc")
    assert response.status_code == 200
    assert "Ukendte kommunekoder: 999, abc" in response.content.decode()
    response = create(as_coordinator, survey, recipients_mode="codes", codes="101, 157\n360")
    assert Round.objects.get().recipients.count() == 3


def test_bad_round_input_is_explained(as_coordinator, survey):
    make_round(slug="taken")
    response = create(
        as_coordinator, survey, slug="taken", deadline="32-13-2027", recipients_mode="chosen"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "allerede en runde" in html and "Vælg mindst én kommune" in html
    assert 'href="#id_deadline-day"' in html  # the first of the three date fields


def test_the_previous_round_must_be_of_the_same_survey(as_coordinator, survey):
    other = make_round("proevehandlinger", slug="ph")
    response = create(as_coordinator, survey, previous=other.pk)
    assert "samme undersøgelse" in response.content.decode()


def test_open_then_reopen_a_closed_round(as_coordinator, survey):
    create(as_coordinator, survey)
    round_ = Round.objects.get()
    as_coordinator.post(f"/runder/{round_.slug}/aabn/")
    round_.refresh_from_db()
    assert round_.state == "open"
    round_.state = "closed"
    round_.save()
    assert "Genåbn runden" in as_coordinator.get(f"/runder/{round_.slug}/").content.decode()
    as_coordinator.post(f"/runder/{round_.slug}/genaabn/")
    round_.refresh_from_db()
    assert round_.state == "open"
