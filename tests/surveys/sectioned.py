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
