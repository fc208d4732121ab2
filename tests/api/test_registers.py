"""API: registers/ and registers/{key}/members/ (coordinators and analysts), and the
`organisation` field of a submission beside `municipality` (null in a school round)."""

import pytest

from accounts.models import Role
from demo.schools import register_table
from reference.models import Register
from reference.registers import ERHVERVSSKOLER, ensure_shipped_registers
from surveys.registers import apply_members
from tests.api.conftest import token_client, url
from tests.factories import make_round, make_submission, make_user


@pytest.fixture
def schools(db):
    register = ensure_shipped_registers(Register, (ERHVERVSSKOLER,))[ERHVERVSSKOLER]
    apply_members(register, register_table(), actor=None)
    return register


def test_readers_list_the_registers_with_their_attributes(clients, schools):
    for role in ("coordinator", "analyst"):
        response = clients[role].get(url("registers/"))
        assert response.status_code == 200
        by_key = {r["key"]: r for r in response.json()}
        assert by_key["kommuner"]["members"] == 98 and by_key["regioner"]["members"] == 5
        assert by_key["erhvervsskoler"]["members"] == 27
        region = by_key["kommuner"]["attributes"][0]
        assert region == {
            "key": "region",
            "label": {"da": "Region", "en": "Region"},
            "type": "code",
            "register": "regioner",
            "categorical": True,
        }
        assert by_key["kommuner"]["has_geometry"] is True
        population = by_key["kommuner"]["attributes"][-1]
        assert population["key"] == "population" and population["type"] == "integer"
        assert "2020" in population["label"]["da"] and population["categorical"] is False


def test_readers_list_a_register_s_members(clients, schools):
    members = clients["analyst"].get(url("registers/erhvervsskoler/members/")).json()
    assert len(members) == 27
    assert members[4] == {
        "code": "S05",
        "name": "Erhvervsskole E",
        "active": True,
        "attributes": members[4]["attributes"],
    }
    assert set(members[4]["attributes"]) == {"region", "municipality"}
    kommuner = clients["coordinator"].get(url("registers/kommuner/members/")).json()
    lolland = next(m for m in kommuner if m["code"] == "360")
    assert lolland["attributes"] == {
        "region": "1085",
        "dst_group": "Landkommuner",
        "population": 41105,  # 1 January 2020 (reference/data/municipality_population.csv)
    }


@pytest.mark.parametrize("path", ["registers/", "registers/kommuner/members/"])
def test_officers_and_anonymous_are_refused(clients, path, schools):
    school_officer = make_user(Role.OFFICER, ["S05"], register="erhvervsskoler", email="s@x.dk")
    assert token_client(school_officer).get(url(path)).status_code == 403
    assert clients["officer_own"].get(url(path)).status_code == 403
    assert clients["anonymous"].get(url(path)).status_code == 401


def test_an_unknown_register_is_404_in_the_error_shape(clients):
    response = clients["analyst"].get(url("registers/nope/members/"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_municipalities_resource_lists_only_the_municipalities(clients, schools):
    body = clients["officer_own"].get(url("municipalities/")).json()
    assert len(body) == 98 and {"code", "name", "region_code"} <= set(body[0])
    assert not any(m["code"].startswith("S") or m["code"] == "1081" for m in body)


def test_a_submission_names_its_organisation_and_municipality_only_for_municipal_rounds(
    clients, schools, round_
):
    municipal = clients["officer_own"].get(url(f"rounds/{round_.slug}/submissions/360/")).json()
    assert municipal["municipality"] == "360" and municipal["municipality_name"] == "Lolland"
    assert municipal["organisation"] == {"register": "kommuner", "code": "360", "name": "Lolland"}

    school_round = make_round("erhvervsskoler", codes=["S05", "S06"], slug="skoler-2023")
    make_submission(school_round, "S05", {"pupils": 10, "pupils_with_agreement": 5})
    officer = make_user(Role.OFFICER, ["S05"], register="erhvervsskoler", email="s05@x.dk")
    body = token_client(officer).get(url("rounds/skoler-2023/submissions/S05/")).json()
    assert body["municipality"] is None and body["municipality_name"] is None
    assert body["organisation"] == {
        "register": "erhvervsskoler",
        "code": "S05",
        "name": "Erhvervsskole E",
    }
    # Another school's officer, and Lolland's, get the same 404 as for a missing one.
    for outsider in (
        clients["officer_own"],
        token_client(make_user(Role.OFFICER, ["S06"], register="erhvervsskoler", email="s06@x.dk")),
    ):
        assert outsider.get(url("rounds/skoler-2023/submissions/S05/")).status_code == 404
    surveys = {s["key"]: s for s in clients["analyst"].get(url("surveys/")).json()}
    assert surveys["erhvervsskoler"]["register"] == "erhvervsskoler"


def test_a_round_is_created_for_a_saved_selection_or_a_register_s_codes(clients, schools):
    from reference.models import Organisation, Selection
    from tests.factories import shipped_definition

    shipped_definition("juniormesterlaere")
    shipped_definition("erhvervsskoler")
    kommuner = Register.objects.get(key="kommuner")
    selection = Selection.objects.create(register=kommuner, name="Partnerskabet")
    selection.members.set(Organisation.objects.municipalities().filter(code__in=["101", "360"]))
    coordinator = clients["coordinator"]
    body = {"title": "X", "deadline": "2027-03-01T22:59:00Z"}
    created = coordinator.post(
        url("rounds/"),
        {
            **body,
            "survey": "juniormesterlaere",
            "slug": "p-1",
            "recipients": {"selection": "Partnerskabet"},
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["recipients"] == ["101", "360"]
    unknown = coordinator.post(
        url("rounds/"),
        {**body, "survey": "juniormesterlaere", "slug": "p-2", "recipients": {"selection": "Nej"}},
        format="json",
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"][0]["field"] == "recipients"
    schools_round = coordinator.post(
        url("rounds/"),
        {**body, "survey": "erhvervsskoler", "slug": "s-1", "recipients": ["S05", "S06"]},
        format="json",
    )
    assert schools_round.status_code == 201 and schools_round.json()["recipients"] == ["S05", "S06"]
    wrong = coordinator.post(
        url("rounds/"),
        {**body, "survey": "erhvervsskoler", "slug": "s-2", "recipients": ["360"]},
        format="json",
    )
    assert wrong.status_code == 400
    assert (
        "Ukendte koder i registret Erhvervsskoler: 360"
        in wrong.json()["error"]["fields"][0]["message"]
    )
