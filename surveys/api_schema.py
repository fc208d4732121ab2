"""The survey definition in the OpenAPI schema: its JSON Schema (surveys/definitions.py) as
named components, `Definition` for answers and `DefinitionRequest` for `POST surveys/`."""

import copy

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from surveys.definitions import DEFINITION_SCHEMA


class DefinitionSerializer(serializers.Serializer):
    """Stands for a survey definition in `@extend_schema`; its schema is DEFINITION_SCHEMA
    (see DefinitionSchema). Requests are validated by surveys.definitions, not by this."""


_PROPS = DEFINITION_SCHEMA["properties"]
# Parts of DEFINITION_SCHEMA that become named components (by identity: the schema reuses the
# same dict for every localized text).
_COMPONENTS = [
    (_PROPS["title"], "DefinitionText"),
    (_PROPS["entries"], "DefinitionEntries"),
    (_PROPS["sections"]["items"], "DefinitionSection"),
    (_PROPS["questions"]["items"], "DefinitionQuestion"),
    (_PROPS["questions"]["items"]["properties"]["choices"]["items"], "DefinitionChoice"),
    (_PROPS["rules"]["items"], "DefinitionRule"),
    (_PROPS["derived"]["items"], "DefinitionDerived"),
    (_PROPS["history_checks"]["items"], "DefinitionHistoryCheck"),
    (_PROPS["indicators"]["items"], "DefinitionIndicator"),
    (_PROPS["splits"]["items"], "DefinitionSplit"),
    (_PROPS["statistics"]["items"], "DefinitionStatistic"),
    (_PROPS["scatters"]["items"], "DefinitionScatter"),
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
