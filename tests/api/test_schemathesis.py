"""Schemathesis against the live schema, in process (Django's WSGI app): every operation, with
a token for each role, finds no 5xx and no response that breaks the schema.

Half the generated cases get real path parameters (the fixture round, Lolland's code, the
shipped survey) so the operations' real logic runs, not only their 404s. Each case runs in a
savepoint that is rolled back, so every case starts from the same data. Bounded: a few
examples per operation and role keep the whole run to well under a minute."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tokens import create_token
from submissions.models import ImpactRun
from surveys.builder import open_draft
from tests.api.conftest import SLUG, VALID
from tests.factories import make_round, make_submission

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {"coordinator": 12, "analyst": 8, "officer": 10, "anonymous": 3}
REAL = {"slug": SLUG, "code": "360", "key": "juniormesterlaere", "version": 1}


@pytest.fixture
def app(db):
    """Django's WSGI app, sharing the test's connection and transaction (as Django's own test
    client does, the per-request connection cleanup is switched off)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def data(lolland, coordinator, analyst):
    round_ = make_round(codes=["360", "727", "101"], slug=SLUG)
    make_submission(round_, "727", VALID, state="submitted")
    make_submission(round_, "360", {"pupils_8_9": 100, "enrolled": 30}, state="draft")
    make_round(codes=["360"], slug="still-draft", state="draft")
    # The builder's operations: a draft version (2) of the survey, and a finished impact run.
    draft = open_draft(survey=round_.survey, actor=coordinator, ip=None)
    run = ImpactRun.objects.create(
        round=round_, content=draft.content, requested_by=coordinator, state="done", result=None
    )
    REAL["run"] = run.pk
    return {"coordinator": coordinator, "analyst": analyst, "officer": lolland, "anonymous": None}


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("role", list(EXAMPLES))
def test_every_operation_answers_within_the_schema_and_never_5xx(app, data, role):
    headers = {"Accept-Language": "en"}
    if data[role] is not None:
        headers["Authorization"] = "Token " + create_token(data[role], "schemathesis")[1]
    operations = _operations(app)
    assert len(operations) >= 18
    seen = {}

    for operation in operations:

        @settings(
            max_examples=EXAMPLES[role],
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), real=st.booleans())
        def run(case, real):
            if real and case.path_parameters:
                case.path_parameters = {k: REAL.get(k, v) for k, v in case.path_parameters.items()}
            with transaction.atomic():
                try:
                    response = case.call(headers=headers)
                    seen.setdefault(case.operation.label, set()).add(response.status_code)
                    case.validate_response(response, checks=CHECKS, headers=headers)
                finally:
                    transaction.set_rollback(True)

        run()

    if role == "coordinator":  # the real data was reached, not only 404s
        successes = [label for label, codes in seen.items() if codes & {200, 201}]
        assert len(successes) >= len(operations) // 2, seen
