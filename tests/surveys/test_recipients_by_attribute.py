"""A round's recipients ticked by an attribute (issue 14 item 2): the members of the survey's
register whose categorical attribute has one of the values. One rule (lifecycle.members_with),
the same cases through the round page and the API."""

import csv
import datetime as dt

import pytest
from django.utils import timezone

from demo.schools import register_table
from reference.models import Register
from reference.registers import DATA_DIR, ERHVERVSSKOLER, ensure_shipped_registers
from surveys import lifecycle
from surveys.models import Round, Survey
from surveys.registers import apply_members
from tests.api.conftest import token_client
from tests.conftest import client_for
from tests.factories import shipped_definition


def municipal_codes(column, value):
    with open(DATA_DIR / "municipalities.csv", encoding="utf-8", newline="") as f:
        return sorted(r["code"] for r in csv.DictReader(f) if r[column] == value)


def school_codes(column, value):
    return sorted(r["code"] for r in register_table() if r[column] == value)


@pytest.fixture
def surveys(db):
    register = ensure_shipped_registers(Register, (ERHVERVSSKOLER,))[ERHVERVSSKOLER]
    apply_members(register, register_table(), actor=None)
    shipped_definition("juniormesterlaere")
    shipped_definition("erhvervsskoler")


OK = [
    ("juniormesterlaere", "region", ["1081"], municipal_codes("region_code", "1081")),
    (
        "juniormesterlaere",
        "region",
        ["1081", "1085"],
        sorted(municipal_codes("region_code", "1081") + municipal_codes("region_code", "1085")),
    ),
    (
        "juniormesterlaere",
        "dst_group",
        ["Hovedstadskommuner"],
        municipal_codes("dst_group", "Hovedstadskommuner"),
    ),
    ("erhvervsskoler", "region", ["1084"], school_codes("region", "1084")),
    ("erhvervsskoler", "municipality", ["101"], school_codes("municipality", "101")),
]


def page_post(coordinator, survey_key, register_key, attribute, values, slug):
    deadline = timezone.localdate() + dt.timedelta(days=20)
    return client_for(coordinator).post(
        "/runder/ny/",
        {
            "survey": Survey.objects.get(key=survey_key).pk,
            "title": "Efter egenskab",
            "slug": slug,
            "deadline": deadline.strftime("%d-%m-%Y"),
            "recipients_mode": "attribute",
            "attribute_values": [f"{register_key}:{attribute}:{v}" for v in values],
        },
    )


def api_post(coordinator, survey_key, attribute, values, slug):
    return token_client(coordinator).post(
        "/api/v1/rounds/",
        {
            "survey": survey_key,
            "title": "Efter egenskab",
            "slug": slug,
            "deadline": "2027-03-01T22:59:00Z",
            "recipients": {"attribute": attribute, "values": values},
        },
        format="json",
    )


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("survey_key,attribute,values,expected", OK)
def test_recipients_ticked_by_an_attribute(
    via, survey_key, attribute, values, expected, surveys, coordinator
):
    assert expected  # the case picks someone
    register_key = Survey.objects.get(key=survey_key).register.key
    if via == "page":
        response = page_post(coordinator, survey_key, register_key, attribute, values, "r-1")
        assert response.status_code == 302, response.content.decode()[:2000]
    else:
        response = api_post(coordinator, survey_key, attribute, values, "r-1")
        assert response.status_code == 201, response.json()
        assert response.json()["recipients"] == expected
    round_ = Round.objects.get(slug="r-1")
    assert sorted(round_.recipients.values_list("code", flat=True)) == expected


def test_the_page_lists_each_register_s_categorical_attributes_and_values(surveys, coordinator):
    html = client_for(coordinator).get("/runder/ny/").content.decode()
    assert 'value="kommuner:region:1082"' in html and "Region Midtjylland (1082)" in html
    assert 'value="kommuner:dst_group:Hovedstadskommuner"' in html
    assert 'value="erhvervsskoler:municipality:101"' in html
    assert "Erhvervsskoler: Kommune" in html


BAD = [
    # (survey, attribute, values, message): the same Danish message on page and API
    (
        "juniormesterlaere",
        "region",
        ["1089"],
        "Ukendte værdier af egenskaben »Region«: 1089",
    ),
    (
        "juniormesterlaere",
        "farve",
        ["blå"],
        "Registret Kommuner har ingen egenskab »farve«, der kan vælges efter. "
        "Brug en af: region, dst_group.",
    ),
    (
        "erhvervsskoler",
        "dst_group",
        ["Hovedstadskommuner"],
        "Registret Erhvervsskoler har ingen egenskab »dst_group«, der kan vælges efter. "
        "Brug en af: region, municipality.",
    ),
]


@pytest.mark.parametrize("survey_key,attribute,values,message", BAD)
def test_an_unknown_attribute_or_value_is_refused_by_the_api(
    survey_key, attribute, values, message, surveys, coordinator
):
    response = api_post(coordinator, survey_key, attribute, values, "r-bad")
    assert response.status_code == 400
    field = response.json()["error"]["fields"][0]
    assert field["field"] == "recipients" and field["message"] == message
    assert not Round.objects.filter(slug="r-bad").exists()
    # The lifecycle's rule itself, as every caller meets it.
    register = Survey.objects.get(key=survey_key).register
    members, problems = lifecycle.members_with(
        register=register, attribute=attribute, values=values
    )
    assert members == [] and [str(p.message) for p in problems] == [message]


def test_no_values_are_refused_by_page_and_api(surveys, coordinator):
    assert api_post(coordinator, "juniormesterlaere", "region", [], "r-empty").status_code == 400
    response = page_post(coordinator, "juniormesterlaere", "kommuner", "region", [], "r-empty")
    assert response.status_code == 200
    assert "Sæt kryds ved mindst én værdi." in response.content.decode()
    assert not Round.objects.filter(slug="r-empty").exists()


def test_the_page_refuses_values_of_another_register_or_two_attributes(surveys, coordinator):
    other = page_post(coordinator, "erhvervsskoler", "kommuner", "region", ["1081"], "r-x")
    assert other.status_code == 200
    assert "Vælg værdier fra undersøgelsens register (Erhvervsskoler)." in other.content.decode()
    deadline = timezone.localdate() + dt.timedelta(days=20)
    two = client_for(coordinator).post(
        "/runder/ny/",
        {
            "survey": Survey.objects.get(key="juniormesterlaere").pk,
            "title": "To",
            "slug": "r-y",
            "deadline": deadline.strftime("%d-%m-%Y"),
            "recipients_mode": "attribute",
            "attribute_values": ["kommuner:region:1081", "kommuner:dst_group:Landkommuner"],
        },
    )
    assert "Vælg værdier af én egenskab ad gangen." in two.content.decode()
    assert not Round.objects.filter(slug__in=["r-x", "r-y"]).exists()


def test_an_inactive_member_is_not_ticked(surveys):
    schools = Register.objects.get(key=ERHVERVSSKOLER)
    codes = school_codes("region", "1084")
    schools.members.filter(code=codes[0]).update(is_active=False)
    members, problems = lifecycle.members_with(
        register=schools, attribute="region", values=["1084"]
    )
    assert not problems and [m.code for m in members] == codes[1:]


def test_the_checkbox_list_offers_the_members_of_the_survey_s_register(surveys, coordinator):
    """Issue 14: the round form's ticked recipients are members of the survey's register —
    the schools too, not only the municipalities; a member of another register is refused."""
    client = client_for(coordinator)
    html = client.get("/runder/ny/").content.decode()
    schools = Register.objects.get(key=ERHVERVSSKOLER)
    s05 = schools.members.get(code="S05")
    assert f'id="id_member_{s05.pk}"' in html and 'id="id_municipality_360"' in html
    deadline = timezone.localdate() + dt.timedelta(days=20)
    data = {
        "survey": Survey.objects.get(key="erhvervsskoler").pk,
        "title": "Skoler",
        "slug": "skoler-valgt",
        "deadline": deadline.strftime("%d-%m-%Y"),
        "recipients_mode": "chosen",
        "municipalities": [s05.pk],
    }
    assert client.post("/runder/ny/", data).status_code == 302
    round_ = Round.objects.get(slug="skoler-valgt")
    assert list(round_.recipients.values_list("code", flat=True)) == ["S05"]
    # Editing the draft shows the school ticked (and saving keeps it).
    edit = client.get(f"/runder/{round_.slug}/rediger/")
    assert f'id="id_member_{s05.pk}" value="{s05.pk}" checked' in edit.content.decode()

    lolland = Register.objects.get(key="kommuner").members.get(code="360")
    refused = client.post(
        "/runder/ny/", {**data, "slug": "skoler-x", "municipalities": [s05.pk, lolland.pk]}
    )
    assert refused.status_code == 200
    assert (
        "Vælg medlemmer af undersøgelsens register (Erhvervsskoler): Lolland (360)"
        in refused.content.decode()
    )
    assert not Round.objects.filter(slug="skoler-x").exists()
