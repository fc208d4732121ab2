"""A round's recipients as a saved selection: one rule (lifecycle.resolve_recipients →
selection_members), the same through the round page and the API. A selection of another
register than the survey's cannot be used, and the refusal says why."""

import datetime as dt

import pytest
from django.utils import timezone

from demo.schools import register_table
from reference.models import Organisation, Register, Selection
from reference.registers import ERHVERVSSKOLER, ensure_shipped_registers
from surveys import lifecycle
from surveys.forms import RoundForm
from surveys.models import Round, Survey
from surveys.registers import apply_members
from tests.api.conftest import token_client
from tests.conftest import client_for
from tests.factories import shipped_definition


@pytest.fixture
def selections(db):
    schools = ensure_shipped_registers(Register, (ERHVERVSSKOLER,))[ERHVERVSSKOLER]
    apply_members(schools, register_table(), actor=None)
    shipped_definition("juniormesterlaere")
    shipped_definition("erhvervsskoler")
    kommuner = Register.objects.get(key="kommuner")
    partnership = Selection.objects.create(register=kommuner, name="Partnerskabet")
    partnership.members.set(Organisation.objects.municipalities().filter(code__in=["101", "360"]))
    # A selection of the schools named like the municipal one: a name is looked up only within
    # the survey's register.
    school_group = Selection.objects.create(register=schools, name="Partnerskabet")
    school_group.members.set(schools.members.filter(code__in=["S05", "S06"]))
    return {"juniormesterlaere": partnership, "erhvervsskoler": school_group}


def page_post(coordinator, survey_key, selection, slug):
    deadline = timezone.localdate() + dt.timedelta(days=20)
    return client_for(coordinator).post(
        "/runder/ny/",
        {
            "survey": Survey.objects.get(key=survey_key).pk,
            "title": "Udvalg",
            "slug": slug,
            "deadline": deadline.strftime("%d-%m-%Y"),
            "recipients_mode": "selection",
            "selection": selection.pk if selection is not None else "",
        },
    )


def api_post(coordinator, survey_key, name, slug):
    return token_client(coordinator).post(
        "/api/v1/rounds/",
        {
            "survey": survey_key,
            "title": "Udvalg",
            "slug": slug,
            "deadline": "2027-03-01T22:59:00Z",
            "recipients": {"selection": name},
        },
        format="json",
    )


@pytest.mark.parametrize(
    "survey_key,expected",
    [("juniormesterlaere", ["101", "360"]), ("erhvervsskoler", ["S05", "S06"])],
)
def test_a_selection_of_the_survey_s_register_by_page_and_api(
    selections, coordinator, survey_key, expected
):
    response = page_post(coordinator, survey_key, selections[survey_key], "r-page")
    assert response.status_code == 302, response.content.decode()[:2000]
    page_round = Round.objects.get(slug="r-page")
    assert sorted(page_round.recipients.values_list("code", flat=True)) == expected
    response = api_post(coordinator, survey_key, "Partnerskabet", "r-api")
    assert response.status_code == 201, response.json()
    assert response.json()["recipients"] == expected


def test_the_page_refuses_a_selection_of_another_register_saying_why(selections, coordinator):
    response = page_post(coordinator, "erhvervsskoler", selections["juniormesterlaere"], "r-other")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Udvalget »Partnerskabet« hører til registret Kommuner; undersøgelsen er stillet til "
        "registret Erhvervsskoler." in html
    )
    assert "Ukendte" not in html  # not the old "unknown codes"
    assert not Round.objects.filter(slug="r-other").exists()


def test_the_page_asks_for_a_selection_when_none_is_chosen(selections, coordinator):
    response = page_post(coordinator, "juniormesterlaere", None, "r-none")
    assert response.status_code == 200
    assert "Vælg et gemt udvalg." in response.content.decode()
    assert not Round.objects.filter(slug="r-none").exists()


def test_the_api_refuses_a_name_no_selection_of_the_survey_s_register_has(selections, coordinator):
    Selection.objects.create(register=Register.objects.get(key="regioner"), name="Kun regioner")
    response = api_post(coordinator, "juniormesterlaere", "Kun regioner", "r-x")
    assert response.status_code == 400
    field = response.json()["error"]["fields"][0]
    assert field["field"] == "recipients" and field["code"] == "unknown"
    assert "Registret Kommuner har intet udvalg med navnet »Kun regioner«." in field["message"]
    assert not Round.objects.filter(slug="r-x").exists()


def test_the_lifecycle_refuses_a_selection_object_of_another_register(selections):
    schools = Register.objects.get(key=ERHVERVSSKOLER)
    members, problems = lifecycle.resolve_recipients(
        {"selection": selections["juniormesterlaere"]}, register=schools
    )
    assert members == [] and [p.code for p in problems] == ["other_register"]
    members, problems = lifecycle.resolve_recipients(
        {"selection": selections["erhvervsskoler"]}, register=schools
    )
    assert not problems and [m.code for m in members] == ["S05", "S06"]


def test_the_page_offers_only_selections_of_registers_a_survey_is_asked_of(selections, coordinator):
    Selection.objects.create(register=Register.objects.get(key="regioner"), name="Kun regioner")
    html = client_for(coordinator).get("/runder/ny/").content.decode()
    assert "Partnerskabet (Kommuner)" in html and "Partnerskabet (Erhvervsskoler)" in html
    assert "Kun regioner" not in html


def test_the_registers_asked_of_are_those_of_a_survey_with_a_definition(selections, coordinator):
    regioner = Register.objects.get(key="regioner")
    Survey.objects.create(key="udkast", name="Udkast", register=regioner)  # no definition yet
    Selection.objects.create(register=regioner, name="Kun regioner")
    asked_of = lifecycle.registers_asked_of()
    assert sorted(asked_of.values_list("key", flat=True)) == ["erhvervsskoler", "kommuner"]
    # The round page's three lists (members, selections, attributes) follow that one rule.
    form = RoundForm()
    assert {m.register.key for m in form.fields["municipalities"].queryset} == {
        "erhvervsskoler",
        "kommuner",
    }
    assert {s.register.key for s in form.fields["selection"].queryset} == {
        "erhvervsskoler",
        "kommuner",
    }
    assert {r.key for r, _spec, _pairs in form._attribute_groups} <= {"erhvervsskoler", "kommuner"}


@pytest.mark.parametrize(
    "language,query,chosen,everyone",
    [
        ("da", "", "Udvalgte modtagere", None),
        (
            "da",
            "?undersoegelse=erhvervsskoler",
            "Udvalgte erhvervsskoler",
            "Alle 27 erhvervsskoler",
        ),
        ("da", "?undersoegelse=juniormesterlaere", "Udvalgte kommuner", "Alle 98 kommuner"),
        ("en", "", "Selected recipients", None),
        (
            "en",
            "?undersoegelse=erhvervsskoler",
            "Selected vocational schools",
            "All 27 vocational schools",
        ),
    ],
)
def test_the_ticked_recipients_are_named_by_the_survey_s_register(
    selections, coordinator, language, query, chosen, everyone
):
    client = client_for(coordinator)
    client.cookies["django_language"] = language
    html = client.get("/runder/ny/" + query).content.decode()
    assert f'<legend class="form-label" id="id_municipalities">{chosen}</legend>' in html
    assert f"»{chosen}«" in html or f"‘{chosen}’" in html  # the hint repeats it
    if everyone:
        assert everyone in html
    assert "Udvalgte kommuner" not in html or "kommuner" in chosen


def test_an_abbreviated_register_name_keeps_its_capitals(selections, coordinator):
    Register.objects.filter(key="erhvervsskoler").update(name="FGU-institutioner")
    html = client_for(coordinator).get("/runder/ny/?undersoegelse=erhvervsskoler").content
    assert "Udvalgte FGU-institutioner" in html.decode()
    assert "fGU" not in html.decode()


def test_a_posted_or_edited_round_names_its_register(selections, coordinator):
    response = page_post(coordinator, "erhvervsskoler", None, "r-none")
    assert "Udvalgte erhvervsskoler" in response.content.decode()


@pytest.mark.parametrize("survey", ["abc", "99999999999999999999", "-1", "\x00", "²"])
def test_a_garbled_survey_posted_is_a_field_error_and_the_neutral_label(
    selections, coordinator, survey
):
    response = client_for(coordinator).post(
        "/runder/ny/", {"survey": survey, "title": "X", "recipients_mode": "all"}
    )
    assert response.status_code == 200
    assert "Udvalgte modtagere" in response.content.decode()
