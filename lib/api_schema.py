"""Path parameters every API endpoint shares, with the patterns their URL converters match
and an example (schemathesis and the docs page use it). Rules for a new endpoint:
docs/api.md ("Adding an endpoint")."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"  # Django's <slug:…> converter
# Every member's code, whatever its register's own pattern (reference.Register.code_matches):
# it is part of addresses (/indberet/<round>/<code>/), so only capitals, digits, - and _ (page
# words are lower case). URL_CODE for URL patterns, CODE_PATTERN (anchored) for the API schema.
URL_CODE = r"[0-9A-Z][0-9A-Z_-]{0,19}"
CODE_PATTERN = rf"^{URL_CODE}$"

SLUG_PARAM = OpenApiParameter(
    "slug",
    {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 80},
    OpenApiParameter.PATH,
    description="The round's slug (short name).",
    examples=[OpenApiExample("A round", value="jml-2026-02")],
)
CODE_PARAM = OpenApiParameter(
    "code",
    {"type": "string", "pattern": CODE_PATTERN},
    OpenApiParameter.PATH,
    description=(
        "The code of the organisation within the round's register: a municipality's 3-digit "
        "code (360), a vocational school's code (S05) …"
    ),
    examples=[OpenApiExample("Lolland", value="360")],
)
KEY_PARAM = OpenApiParameter(
    "key",
    {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 60},
    OpenApiParameter.PATH,
    description="The survey's key.",
    examples=[OpenApiExample("Juniormesterlære", value="juniormesterlaere")],
)
REGISTER_PARAM = OpenApiParameter(
    "key",
    {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 40},
    OpenApiParameter.PATH,
    description="The register's key.",
    examples=[OpenApiExample("The municipalities", value="kommuner")],
)
