"""Group-bys from registers (issue 14): a saved selection against the rest (the partnership)
in a municipal round, and a register's categorical attributes in a round of another register.

Municipal round: 101 1000/50, 147 200/20 (the partnership), 360 300/30, 727 no answer.
  Partnership Σ 70/1200; the rest Σ 30/300 = 10 %.
"""

import pytest

from exports.analysis import analyse_round
from exports.report import render_report_html
from reference.models import Organisation, Register, Selection
from tests.api.conftest import token_client, url
from tests.factories import make_round, make_submission


@pytest.fixture
def partnership_round(db):
    kommuner = Register.objects.get(key="kommuner")
    selection = Selection.objects.create(register=kommuner, name="Partnerskabet")
    selection.members.set(Organisation.objects.municipalities().filter(code__in=["101", "147"]))
    round_ = make_round(codes=["101", "147", "360", "727"], slug="jml-partnerskab")
    for code, (pupils, enrolled) in {"101": (1000, 50), "147": (200, 20), "360": (300, 30)}.items():
        make_submission(round_, code, {"pupils_8_9": pupils, "enrolled": enrolled})
    return round_


def test_a_saved_selection_is_a_group_by_against_the_rest(partnership_round):
    [indicator] = analyse_round(partnership_round)["indicators"]
    [grouping] = indicator["groupings"]
    assert grouping["kind"] == "selection" and grouping["label"]["da"] == "Partnerskabet"
    inside, rest = grouping["groups"]
    assert (inside["group"], inside["label"], inside["recipients"], inside["responses"]) == (
        "in",
        "Partnerskabet",
        2,
        2,
    )
    assert inside["value"] == pytest.approx(70 / 1200)
    assert (rest["label"], rest["recipients"], rest["responses"]) == ("Øvrige", 2, 1)
    assert rest["value"] == pytest.approx(0.1)
    html = render_report_html(partnership_round)
    assert "Efter udvalget »Partnerskabet«" in html and "Efter kommunegruppe" in html


def test_the_summary_api_types_the_groupings(partnership_round, analyst):
    body = token_client(analyst).get(url(f"rounds/{partnership_round.slug}/summary/")).json()
    groups = body["indicators"][0]["groupings"][0]["groups"]
    assert [g["group"] for g in groups] == ["in", "out"]


def test_a_school_round_groups_by_region_and_municipality_by_name(schools_round):
    [indicator] = [i for i in analyse_round(schools_round)["indicators"] if i["type"] == "share"][
        :1
    ]
    by_key = {g["key"]: g for g in indicator["groupings"]}
    assert set(by_key) == {"region", "municipality"}
    regions = {g["label"]: g["recipients"] for g in by_key["region"]["groups"]}
    assert sum(regions.values()) == 27 and "Region Hovedstaden" in regions
    html = render_report_html(schools_round)
    assert "Efter kommunegruppe" not in html and "Efter region" in html


@pytest.fixture
def schools_round(db):
    from demo.schools import register_table, school_answers
    from reference.registers import ERHVERVSSKOLER, ensure_shipped_registers
    from surveys.registers import apply_members

    register = ensure_shipped_registers(Register, (ERHVERVSSKOLER,))[ERHVERVSSKOLER]
    apply_members(register, register_table(), actor=None)
    schools = school_answers()
    round_ = make_round("erhvervsskoler", codes=[s["code"] for s in schools], slug="skoler-g")
    for school in schools:
        if school["state"] == "submitted":
            make_submission(round_, school["code"], school["answers"])
    return round_
