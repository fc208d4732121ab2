"""What the OpenAPI schema says beyond what drf-spectacular reads from the views: the survey
definition as its JSON Schema (surveys/definitions.py) in named components, the path
parameters with the patterns the URL converters match, and the OpenAPI links that lead a
client (and schemathesis' stateful phase) from an answer to the operations that take its
slug, code or key.

Rules for a new endpoint are in docs/api.md ("Adding an endpoint").
"""

import copy

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import serializers

from surveys.definitions import DEFINITION_SCHEMA

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"  # Django's <slug:…> converter
CODE_PATTERN = r"^[0-9]{3}$"

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
    description="The municipality's 3-digit code, e.g. 360.",
    examples=[OpenApiExample("Lolland", value="360")],
)
KEY_PARAM = OpenApiParameter(
    "key",
    {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 60},
    OpenApiParameter.PATH,
    description="The survey's key.",
    examples=[OpenApiExample("Juniormesterlære", value="juniormesterlaere")],
)


# --- The survey definition, from its JSON Schema


class DefinitionSerializer(serializers.Serializer):
    """Stands for a survey definition in `@extend_schema`; its schema is DEFINITION_SCHEMA
    (see DefinitionSchema). Requests are validated by surveys.definitions, not by this."""


_PROPS = DEFINITION_SCHEMA["properties"]
# Parts of DEFINITION_SCHEMA that become named components (by identity: the schema reuses the
# same dict for every localized text).
_COMPONENTS = [
    (_PROPS["title"], "DefinitionText"),
    (_PROPS["entries"], "DefinitionEntries"),
    (_PROPS["questions"]["items"], "DefinitionQuestion"),
    (_PROPS["questions"]["items"]["properties"]["choices"]["items"], "DefinitionChoice"),
    (_PROPS["rules"]["items"], "DefinitionRule"),
    (_PROPS["derived"]["items"], "DefinitionDerived"),
    (_PROPS["history_checks"]["items"], "DefinitionHistoryCheck"),
    (_PROPS["indicators"]["items"], "DefinitionIndicator"),
]


def _to_openapi(schema, registry, top=False):
    """A JSON Schema (2020-12) part as an OpenAPI 3.0 schema: named parts as $refs, numeric
    exclusiveMinimum as the 3.0 boolean form, enums with their type."""
    if not top:
        for part, name in _COMPONENTS:
            if schema is part:
                component = ResolvedComponent(
                    name=name,
                    type=ResolvedComponent.SCHEMA,
                    object=name,
                    schema=_to_openapi(schema, registry, top=True),
                )
                registry.register_on_missing(component)
                return component.ref
    out = {}
    for key, value in schema.items():
        if key == "$schema":
            continue
        if key == "exclusiveMinimum" and not isinstance(value, bool):
            out["minimum"], out["exclusiveMinimum"] = value, True
        elif key == "properties":
            out[key] = {k: _to_openapi(v, registry) for k, v in value.items()}
        elif key == "items":
            out[key] = _to_openapi(value, registry)
        else:
            out[key] = copy.deepcopy(value)
    if "enum" in out and "type" not in out and all(isinstance(v, str) for v in out["enum"]):
        out["type"] = "string"
    return out


class DefinitionSchema(OpenApiSerializerExtension):
    """`Definition` (responses: with its `version`) and `DefinitionRequest` (POST surveys/)."""

    target_class = DefinitionSerializer

    def map_serializer(self, auto_schema, direction):
        schema = _to_openapi(DEFINITION_SCHEMA, auto_schema.registry, top=True)
        schema["description"] = (
            "A survey definition (the format of surveys/definitions/*.json)."
            if direction == "request"
            else "A survey definition, with the version it is stored as."
        )
        if direction == "response":
            schema["required"] = [*schema["required"], "version"]
            schema["properties"]["version"] = {"type": "integer", "minimum": 1}
        return schema


# --- OpenAPI links: where a slug, a municipality code or a survey key comes from

_ROUND_OPERATIONS = [
    "rounds_retrieve",
    "rounds_open_create",
    "rounds_close_create",
    "rounds_status_list",
    "rounds_reminders_create",
    "rounds_summary_retrieve",
    "rounds_export_retrieve",
]
_SUBMISSION_OPERATIONS = [
    "rounds_submissions_retrieve",
    "rounds_submissions_update",
    "rounds_submissions_submit_create",
    "rounds_submissions_accept_create",
    "rounds_submissions_return_create",
]

# (operationId, status) → {parameter: runtime expression} handed to the operations named.
LINKS = [
    ("surveys_list", "200", {"key": "$response.body#/0/key"}, ["surveys_definition_retrieve"]),
    (
        "surveys_create",
        "201",
        {"key": "$response.body#/survey/key"},
        ["surveys_definition_retrieve"],
    ),
    ("rounds_list", "200", {"slug": "$response.body#/0/slug"}, _ROUND_OPERATIONS),
    ("rounds_create", "201", {"slug": "$response.body#/slug"}, _ROUND_OPERATIONS),
    (
        "rounds_retrieve",
        "200",
        {"slug": "$response.body#/slug", "code": "$response.body#/recipients/0"},
        _SUBMISSION_OPERATIONS,
    ),
    (
        "rounds_open_create",
        "200",
        {"slug": "$response.body#/slug", "code": "$response.body#/recipients/0"},
        _SUBMISSION_OPERATIONS,
    ),
    (
        "rounds_status_list",
        "200",
        {"slug": "$request.path.slug", "code": "$response.body#/0/municipality"},
        _SUBMISSION_OPERATIONS,
    ),
    (
        "rounds_submissions_update",
        "200",
        {"slug": "$request.path.slug", "code": "$request.path.code"},
        [
            "rounds_submissions_retrieve",
            "rounds_submissions_submit_create",
            "rounds_submissions_accept_create",
        ],
    ),
    (
        "rounds_submissions_submit_create",
        "200",
        {"slug": "$request.path.slug", "code": "$request.path.code"},
        ["rounds_submissions_accept_create", "rounds_submissions_return_create"],
    ),
]


def _link_name(operation_id):
    return "".join(part.capitalize() for part in operation_id.split("_"))


def finish_schema(result, generator, request, public):
    """drf-spectacular postprocessing hook.

    - An optional query parameter sent empty (`?state=`) means the same as leaving it out, on
      every endpoint: `allowEmptyValue` says so.
    - The LINKS above on their responses. A link to an operation that does not exist (renamed)
      fails loudly, so the links cannot rot."""
    for path in result.get("paths", {}).values():
        for op in path.values():
            for parameter in op.get("parameters", []) if isinstance(op, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    operations = {
        op["operationId"]: op
        for path in result.get("paths", {}).values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for source, status, parameters, targets in LINKS:
        response = operations[source]["responses"][status]
        links = response.setdefault("links", {})
        for target in targets:
            if target not in operations:
                raise KeyError(f"OpenAPI link to unknown operation {target}")
            links[_link_name(target)] = {"operationId": target, "parameters": dict(parameters)}
    return result
