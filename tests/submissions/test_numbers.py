"""Numbers as people type them: one parser (validation.parse_number) for the form, the API's
text values and imports, with the interface language's conventions."""

from decimal import Decimal

import pytest
from django.utils import translation

from submissions.validation import parse_number, validate
from surveys.definitions import validate_definition

SPEC = validate_definition(
    {
        "key": "numbers",
        "version": 1,
        "title": {"da": "Tal"},
        "questions": [
            {"key": "n", "type": "integer", "label": {"da": "N"}},
            {"key": "d", "type": "decimal", "label": {"da": "D"}},
        ],
    }
)


@pytest.mark.parametrize(
    "typed,language,integer,expected",
    [
        ("1.250", "da", True, 1250),
        ("1 250", "da", True, 1250),
        ("1\u00a0250", "da", True, 1250),
        ("1250", "da", True, 1250),
        ("1.250.000", "da", True, 1250000),
        ("1,250", "en", True, 1250),
        ("1250", "en", True, 1250),
        ("12,5", "da", False, Decimal("12.5")),
        ("1.250,75", "da", False, Decimal("1250.75")),
        ("1,250.75", "en", False, Decimal("1250.75")),
        ("12.5", "en", False, Decimal("12.5")),
        ("0.25", "da", False, Decimal("0.25")),  # cannot be thousands: read as a decimal mark
        ("\u22123", "da", True, -3),
    ],
)
def test_numbers_are_read_with_the_languages_conventions(typed, language, integer, expected):
    parsed = parse_number(typed, language=language, integer=integer)
    assert parsed.code is None
    assert parsed.value == expected


@pytest.mark.parametrize(
    "typed,language,integer,code,char",
    [
        ("12a", "da", True, "not_integer", "a"),
        ("1e3", "da", True, "not_integer", "e"),
        ("12;5", "da", False, "not_number", ";"),
        ("12,5,1", "da", False, "not_number", ","),
        ("1.25.0", "da", False, "not_number", "."),
        ("1,250", "da", True, "has_decimals", None),  # a Danish comma is a decimal mark
        ("1.250", "en", True, "has_decimals", None),
    ],
)
def test_a_refusal_names_the_wrong_character(typed, language, integer, code, char):
    parsed = parse_number(typed, language=language, integer=integer)
    assert (parsed.value, parsed.code, parsed.char) == (None, code, char)


def test_the_message_quotes_the_character_in_both_languages():
    [error] = validate(SPEC, {"n": "12x"}, language="da").errors
    assert "»x«" in error["message"]["da"] and "“x”" in error["message"]["en"]


def test_validate_reads_typed_text_in_the_active_language():
    with translation.override("da"):
        assert validate(SPEC, {"n": "1.250", "d": "2,5"}).answers == {"n": 1250, "d": 2.5}
    with translation.override("en"):
        assert validate(SPEC, {"n": "1,250", "d": "2.5"}).answers == {"n": 1250, "d": 2.5}
