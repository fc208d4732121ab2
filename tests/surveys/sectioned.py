"""A definition with sections and show-when, shared by the tests of both (definitions, the
form, the API, the exports)."""

import copy

SECTIONED = {
    "key": "udsatte_elever",
    "title": {"da": "Opsøgende indsats", "en": "Outreach"},
    "sections": [
        {
            "key": "staff",
            "title": {"da": "Personale", "en": "Staff"},
            "description": {"da": "Tal for hele skoleåret.", "en": "Figures for the year."},
        },
        {
            "key": "agreements_part",
            "title": {"da": "Aftaler", "en": "Agreements"},
            "relevant_when": "has_agreements == true",
        },
    ],
    "questions": [
        {
            "key": "pupils",
            "section": "staff",
            "type": "integer",
            "required": True,
            "min": 0,
            "label": {"da": "Elever i forløbet", "en": "Pupils on the programme"},
        },
        {
            "key": "has_agreements",
            "section": "staff",
            "type": "yes_no",
            "required": True,
            "label": {"da": "Er der indgået aftaler?", "en": "Were agreements reached?"},
        },
        {
            "key": "agreements",
            "section": "agreements_part",
            "type": "integer",
            "required": True,
            "min": 0,
            "label": {"da": "Antal aftaler", "en": "Number of agreements"},
        },
        {
            "key": "agreements_note",
            "section": "agreements_part",
            "type": "text",
            "relevant_when": "agreements > 10",
            "required": True,
            "label": {"da": "Hvorfor så mange aftaler?", "en": "Why so many agreements?"},
        },
        {
            "key": "comment",
            "type": "long_text",
            "label": {"da": "Bemærkninger", "en": "Comments"},
        },
    ],
    "derived": [
        {
            "key": "per_pupil",
            "expression": "agreements / pupils",
            "type": "decimal",
            "label": {"da": "Aftaler pr. elev", "en": "Agreements per pupil"},
        }
    ],
    "rules": [
        {
            "key": "agreements_le_pupils",
            "severity": "error",
            "expression": "agreements <= pupils",
            "fields": ["agreements"],
            "message": {"da": "Flere aftaler end elever.", "en": "More agreements than pupils."},
        }
    ],
    "indicators": [
        {
            "key": "agreement_rate",
            "numerator": "agreements",
            "denominator": "pupils",
            "label": {"da": "Aftaler pr. elev", "en": "Agreements per pupil"},
        }
    ],
}


def sectioned():
    return copy.deepcopy(SECTIONED)


def sectioned_round(codes=("360", "727"), slug="udsatte-2026", content=None, state="open"):
    """An open round of the sectioned survey (or of `content`) for the given municipalities."""
    from datetime import timedelta

    from django.utils import timezone

    from reference.models import Municipality
    from surveys.definition_store import import_definition
    from surveys.models import Round

    definition, _ = import_definition(content or sectioned())
    round_ = Round.objects.create(
        survey=definition.survey,
        definition=definition,
        title="Efterår 2026",
        slug=slug,
        deadline=timezone.now() + timedelta(days=14),
        state=state,
        opened_at=timezone.now(),
    )
    round_.recipients.set(Municipality.objects.filter(code__in=codes))
    return round_


def with_entries():
    """The shipped prøvehandlinger definition with two sections and a show-when: `learning`
    only for a completed or evaluated entry."""
    import json

    from surveys.definitions import SHIPPED_DIR

    content = json.loads((SHIPPED_DIR / "proevehandlinger.json").read_text(encoding="utf-8"))
    content["sections"] = [
        {"key": "about", "title": {"da": "Om handlingen", "en": "About"}},
        {"key": "result", "title": {"da": "Resultat", "en": "Result"}},
    ]
    for q in content["questions"]:
        q["section"] = (
            "result"
            if q["key"] in ("status", "start_date", "end_date", "learning", "contact_email")
            else "about"
        )
    learning = next(q for q in content["questions"] if q["key"] == "learning")
    learning["relevant_when"] = "status == 'completed' || status == 'evaluated'"
    return content
