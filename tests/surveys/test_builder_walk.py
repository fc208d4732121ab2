"""The issue's walk, with form posts only (what a browser without JavaScript sends): a new
coordinator builds the vocational-school survey (pupils, årsværk, the split of that time in
percent adding up to 100, agreements) with two sections and a show-when question, previews and
tries it in Danish and English, publishes it and opens a round with it."""

import pytest

from surveys.definitions import validate_definition
from surveys.models import Definition, DraftVersion, Round

pytestmark = pytest.mark.django_db

BASE = "/undersoegelser/erhvervsskoler/kladde/"


def post(client, path, data, status=302):
    response = client.post(path, data)
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def revision():
    """The draft's revision now (each page would carry it in its form)."""
    return DraftVersion.objects.get(survey__key="erhvervsskoler").revision


QUESTIONS = [
    (
        "pupils",
        "integer",
        "Elever på tømreruddannelsen",
        "Pupils on the carpenter programme",
        "resources",
    ),
    (
        "aarsvaerk",
        "decimal",
        "Årsværk til lærepladsopsøgende arbejde",
        "FTEs on apprenticeship outreach",
        "resources",
    ),
    (
        "admin_pct",
        "percentage",
        "Andel: administrative opgaver",
        "Share: administrative tasks",
        "resources",
    ),
    ("support_pct", "percentage", "Andel: elevstøtte", "Share: pupil support", "resources"),
    (
        "relations_pct",
        "percentage",
        "Andel: relationsarbejde",
        "Share: relations work",
        "resources",
    ),
    (
        "uses_consultants",
        "yes_no",
        "Bruger skolen konsulenter?",
        "Does the school use consultants?",
        "agreements_part",
    ),
    (
        "dedicated",
        "yes_no",
        "Er konsulenterne kun på tømreruddannelsen?",
        "Are the consultants dedicated to the programme?",
        "agreements_part",
    ),
    (
        "agreements",
        "integer",
        "Indgåede uddannelsesaftaler",
        "Training agreements reached",
        "agreements_part",
    ),
]


def test_a_new_coordinator_builds_previews_publishes_and_opens_a_round(as_coordinator):
    c = as_coordinator
    post(
        c,
        "/undersoegelser/ny/",
        {"title_da": "Erhvervsskoler", "title_en": "Vocational schools", "key": "erhvervsskoler"},
    )
    for key, da, en in (
        ("resources", "Ressourcer", "Resources"),
        ("agreements_part", "Aftaler", "Agreements"),
    ):
        post(
            c,
            BASE + "afsnit/ny/",
            {"revision": revision(), "key": key, "title_da": da, "title_en": en},
        )
    for key, kind, da, en, section in QUESTIONS:
        data = {
            "revision": revision(),
            "key": key,
            "type": kind,
            "label_da": da,
            "label_en": en,
            "section": section,
            "required": "on",
        }
        if kind in ("integer", "decimal", "percentage"):
            data["min"] = "0"
        if kind == "percentage":
            data["max"] = "100"
        if key == "dedicated":  # show-when
            data["relevant_when"] = "uses_consultants == true"
        post(c, BASE + "spoergsmaal/ny/", data)
    post(
        c,
        BASE + "afledte/ny/",
        {
            "revision": revision(),
            "key": "pupils_per_fte",
            "expression": "pupils / aarsvaerk",
            "type": "decimal",
            "label_da": "Elever pr. årsværk",
            "label_en": "Pupils per FTE",
        },
    )
    post(
        c,
        BASE + "regler/ny/",
        {
            "revision": revision(),
            "key": "split_100",
            "expression": "admin_pct + support_pct + relations_pct == 100",
            "severity": "error",
            "show_at": ["admin_pct"],
            "message_da": "Andelene skal give 100 % tilsammen.",
            "message_en": "The shares must add up to 100 %.",
        },
    )
    post(
        c,
        BASE + "indikatorer/ny/",
        {
            "revision": revision(),
            "key": "pupils_per_fte",
            "numerator": "pupils",
            "denominator": "aarsvaerk",
            "thresholds": "150; 300",
            "label_da": "Elever pr. årsværk",
        },
    )
    overview = c.get(BASE).content.decode()
    assert "Kladden har ingen fejl og kan udgives." in overview

    # Preview and try it: the split must add up to 100; the show-when question hides.
    answers = {
        "q-pupils": "600",
        "q-aarsvaerk": "2,5",
        "q-admin_pct": "40",
        "q-support_pct": "30",
        "q-relations_pct": "20",
        "q-uses_consultants": "no",
        "q-agreements": "12",
    }
    tried = post(c, BASE + "forhaandsvisning/", answers, status=200).content.decode()
    assert "Andelene skal give 100 % tilsammen." in tried
    assert "Er konsulenterne kun på tømreruddannelsen?" in tried.split("Skjult, fordi")[1]
    assert "240" in tried  # pupils per FTE
    english = c.get(BASE + "forhaandsvisning/?sprog=en").content.decode()
    assert 'id="section-resources-heading">Resources</h2>' in english

    publish = c.get(BASE + "udgiv/").content.decode()
    assert "Afsnittet resources (»Ressourcer«) tilføjes." in publish
    assert "Spørgsmålet dedicated (»Er konsulenterne kun på tømreruddannelsen?«) tilføjes." in (
        publish
    )
    post(c, BASE + "udgiv/", {"revision": revision()})
    definition = Definition.objects.get(survey__key="erhvervsskoler")
    assert definition.version == 1
    validate_definition(definition.content)  # what an import would accept
    dedicated = next(q for q in definition.content["questions"] if q["key"] == "dedicated")
    assert dedicated["relevant_when"] == "uses_consultants == true"

    # The survey can now be chosen for a round.
    survey_id = definition.survey_id
    post(
        c,
        "/runder/ny/",
        {
            "survey": survey_id,
            "title": "Skoleåret 2023",
            "slug": "",
            "deadline-day": "31",
            "deadline-month": "3",
            "deadline-year": "2031",
            "recipients_mode": "codes",
            "codes": "360",
        },
    )
    assert Round.objects.get(survey__key="erhvervsskoler").definition == definition
