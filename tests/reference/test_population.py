"""The kommuner register's `population` attribute (residents on 1 January 2020): set by the
migration reference.0006 from reference/data/municipality_population.csv, kept by
load_municipalities, a number not a category (no recipients by it)."""

import csv

from reference.models import Organisation, Register
from reference.municipalities import load_municipalities
from reference.registers import DATA_DIR, add_population
from surveys import lifecycle


def population_csv():
    with open(DATA_DIR / "municipality_population.csv", encoding="utf-8", newline="") as f:
        return {r["code"]: int(r["population"]) for r in csv.DictReader(f)}


def test_every_municipality_has_its_2020_population(db):
    expected = population_csv()
    assert len(expected) == 98 and sum(expected.values()) == 5_822_679  # FOLK1A 2020K1 total
    got = {m.code: m.attribute("population") for m in Organisation.objects.municipalities()}
    assert got == expected
    kommuner = Register.objects.get(key="kommuner")
    spec = next(a for a in kommuner.attribute_specs() if a["key"] == "population")
    assert spec["type"] == "integer" and not spec["categorical"]
    assert "2020" in spec["label"]["da"] and "2020" in spec["label"]["en"]
    # Region and DST group are kept beside it.
    lolland = Organisation.objects.municipalities().get(code="360")
    assert lolland.attributes == {
        "region": "1085",
        "dst_group": "Landkommuner",
        "population": 41105,
    }


def test_adding_and_reloading_is_idempotent(db):
    kommuner = Register.objects.get(key="kommuner")
    assert add_population(Register, Organisation) == 98
    assert [a["key"] for a in Register.objects.get(pk=kommuner.pk).attribute_specs()].count(
        "population"
    ) == 1
    load_municipalities(Organisation)
    assert Organisation.objects.municipalities().get(code="101").attribute("population") == 632340


def test_population_is_not_a_way_to_tick_recipients(db):
    kommuner = Register.objects.get(key="kommuner")
    members, problems = lifecycle.members_with(
        register=kommuner, attribute="population", values=["41105"]
    )
    assert members == [] and problems[0].code == "unknown_attribute"
