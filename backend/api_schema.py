"""What the OpenAPI schema says beyond what drf-spectacular reads from the views, added by a
postprocessing hook: an empty optional query parameter means absent, and the OpenAPI links
that lead a client (and schemathesis' stateful phase) from an answer to the operations that
take its slug, code or key. The path parameters are in lib/api_schema.py, the survey
definition's components in surveys/api_schema.py.

Rules for a new endpoint are in docs/api.md ("Adding an endpoint").
"""

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
    (
        "surveys_draft_create",
        "200",
        {"key": "$response.body#/survey", "version": "$response.body#/version"},
        ["surveys_versions_check_create", "surveys_versions_xlsform_retrieve"],
    ),
    ("surveys_versions_impact_retrieve", "202", {"run": "$response.body#/id"}, ["impact_retrieve"]),
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
