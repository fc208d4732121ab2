"""A client generated from the schema by openapi-python-client (as an integrator would make
one; generated into a temporary directory, never committed) runs the whole flow with every
request and response typed: a coordinator creates and opens a round, an officer saves, meets
a 409 and recovers from `error.current`, submits; an analyst reads the summary and the CSV.

Whatever the schema leaves out of a response ends up in a model's `additional_properties`:
the test fails on it, so the schema and the answers cannot drift apart."""

import csv
import datetime as dt
import importlib
import io
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from accounts.tokens import create_token
from tests.api.conftest import SLUG, VALID
from tests.factories import make_round, make_submission

PACKAGE = "indberet_client"
# Models that are maps by design (keys defined by the survey's definition, not the API).
OPEN_MAPS = {
    "CurrentAnswers",
    "CurrentExplanations",
    "SaveRequestAnswers",
    "SaveRequestExplanations",
    "SubmissionAnswers",
    "SubmissionDerived",
    "SubmissionExplanations",
    "EntriesSummaryByChoice",
    "EntriesSummaryByChoiceAdditionalProperty",
}


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    """The generated package, imported from a temporary directory."""
    where = tmp_path_factory.mktemp("generated")
    schema = where / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(schema))
    config = where / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatting of the generated code
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(where / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # Any warning means a part of the schema the generator could not type.
    assert result.returncode == 0 and "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def app(db):
    """Django's WSGI app in this test's transaction (see test_schemathesis.py)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _api(gen, app, user):
    token = create_token(user, "generated client")[1]
    return gen.AuthenticatedClient(
        base_url="http://testserver",
        token=token,
        prefix="Token",
        headers={"Accept-Language": "en"},
        raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.WSGITransport(app=app)},
    )


def assert_fully_typed(value, path="response"):
    """No field the schema does not describe: every attrs model's additional_properties is
    empty, except the maps whose keys the survey's definition decides."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            assert_fully_typed(item, f"{path}[{i}]")
        return
    extra = getattr(value, "additional_properties", None)
    if extra is None or not hasattr(type(value), "__attrs_attrs__"):
        return
    if type(value).__name__ not in OPEN_MAPS:
        assert extra == {}, f"{path} ({type(value).__name__}) has untyped fields: {set(extra)}"
    for field in type(value).__attrs_attrs__:
        if field.name != "additional_properties":
            assert_fully_typed(getattr(value, field.name), f"{path}.{field.name}")


def _ok(result, model):
    assert isinstance(result, model), result
    assert_fully_typed(result)
    return result


def test_the_generated_client_runs_the_whole_flow_typed(
    gen, app, coordinator, lolland, analyst, db
):
    from indberet_client.api.exports import rounds_export_retrieve, rounds_summary_retrieve
    from indberet_client.api.rounds import rounds_create, rounds_open_create, rounds_status_list
    from indberet_client.api.submissions import (
        rounds_submissions_retrieve,
        rounds_submissions_submit_create,
        rounds_submissions_update,
    )
    from indberet_client.api.surveys import surveys_definition_retrieve
    from indberet_client.models import (
        Definition,
        RoundCreateRequest,
        RoundsExportRetrieveFormat,
        RoundStateEnum,
        RoundSummary,
        SaveRequest,
        SaveRequestAnswers,
        StaleError,
        StatusRow,
        SubmissionStateEnum,
        SubmitRequest,
    )

    earlier = make_round(codes=["360", "727"], slug=SLUG, state="closed")
    make_submission(earlier, "360", {"pupils_8_9": 200, "enrolled": 8})
    coord, officer = _api(gen, app, coordinator), _api(gen, app, lolland)
    reader = _api(gen, app, analyst)

    # The coordinator reads the definition, creates a round (a draft) and opens it.
    definition = _ok(
        surveys_definition_retrieve.sync("juniormesterlaere", client=coord), Definition
    )
    assert [q.key for q in definition.questions][:2] == ["pupils_8_9", "enrolled"]
    assert definition.version == 1
    created = rounds_create.sync(
        client=coord,
        body=RoundCreateRequest(
            survey="juniormesterlaere",
            title="September 2026",
            slug="jml-2026-09",
            deadline=dt.datetime(2026, 9, 30, 12, tzinfo=dt.UTC),
            recipients=["360", "727"],
            previous=SLUG,
        ),
    )
    assert _ok(created, gen.models.Round).state == RoundStateEnum.DRAFT
    opened = _ok(rounds_open_create.sync("jml-2026-09", client=coord), gen.models.Round)
    assert opened.state == RoundStateEnum.OPEN and opened.recipients == ["360", "727"]

    # The officer reads (version 0) and saves a draft.
    sub = rounds_submissions_retrieve.sync("jml-2026-09", "360", client=officer)
    assert _ok(sub, gen.models.Submission).version == 0
    saved = rounds_submissions_update.sync(
        "jml-2026-09",
        "360",
        client=officer,
        body=SaveRequest(
            version=0, answers=SaveRequestAnswers.from_dict({"pupils_8_9": 200, "enrolled": 9})
        ),
    )
    assert _ok(saved, gen.models.Submission).version == 1

    # The coordinator corrects it meanwhile; the officer's save from version 1 is stale.
    rounds_submissions_update.sync(
        "jml-2026-09",
        "360",
        client=coord,
        body=SaveRequest(version=1, answers=SaveRequestAnswers.from_dict(VALID)),
    )
    stale = rounds_submissions_update.sync(
        "jml-2026-09",
        "360",
        client=officer,
        body=SaveRequest(
            version=1, answers=SaveRequestAnswers.from_dict({"pupils_8_9": 200, "enrolled": 11})
        ),
    )
    _ok(stale, StaleError)
    assert stale.error.code == "stale_version"
    current = stale.error.current
    assert current.version == 2 and current.answers["enrolled"] == 10

    # Recover: merge into error.current and save with its version; then submit.
    merged = {**current.answers.additional_properties, "comment": "Tal fra skolesystemet."}
    recovered = rounds_submissions_update.sync(
        "jml-2026-09",
        "360",
        client=officer,
        body=SaveRequest(version=current.version, answers=SaveRequestAnswers.from_dict(merged)),
    )
    assert _ok(recovered, gen.models.Submission).version == 3
    submitted = rounds_submissions_submit_create.sync(
        "jml-2026-09", "360", client=officer, body=SubmitRequest(version=3)
    )
    assert _ok(submitted, gen.models.Submission).state == SubmissionStateEnum.SUBMITTED

    # The analyst: the status rows, the typed summary, the CSV.
    rows = rounds_status_list.sync("jml-2026-09", client=reader)
    assert [_ok(r, StatusRow).municipality for r in rows] == ["360", "727"]
    summary = _ok(rounds_summary_retrieve.sync("jml-2026-09", client=reader), RoundSummary)
    assert (summary.recipients, summary.responses, summary.response_rate) == (2, 1, 0.5)
    assert [m.code for m in summary.non_responders] == ["727"]
    assert summary.states.submitted == 1 and summary.round_.previous == SLUG
    indicator = summary.indicators[0]
    assert indicator.national.value == pytest.approx(10 / 200)
    assert sum(b.count for b in indicator.bands) == 1
    assert indicator.previous.national.value == pytest.approx(8 / 200)
    assert indicator.previous.change == pytest.approx(10 / 200 - 8 / 200)
    assert indicator.municipalities[0].change == pytest.approx(10 / 200 - 8 / 200)
    assert indicator.by_dst_group and indicator.top[0].code == "360"

    text = rounds_export_retrieve.sync(
        "jml-2026-09", client=reader, format_=RoundsExportRetrieveFormat.CSV
    )
    assert isinstance(text, str)
    rows = {r["municipality_code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["360"]["enrolled"] == "10" and rows["727"]["enrolled"] == ""


def test_the_summary_of_an_entries_survey_is_typed_too(gen, app, analyst, db):
    from indberet_client.api.exports import rounds_summary_retrieve
    from indberet_client.models import RoundSummary

    round_ = make_round("proevehandlinger", codes=["360", "727"], slug="ph-2026")
    entry = {"title": "Skolehave", "theme": "x", "goal": "Læring", "status": "planned"}
    make_submission(round_, "360", {"entries": [entry, entry], "nothing_to_report": False})
    make_submission(round_, "727", {"entries": [], "nothing_to_report": True})
    summary = rounds_summary_retrieve.sync("ph-2026", client=_api(gen, app, analyst))
    _ok(summary, RoundSummary)
    assert summary.indicators == []
    assert (summary.entries.entries, summary.entries.nothing_to_report) == (2, 1)
    assert summary.entries.by_choice["status"]["planned"] == 2


def test_every_operation_of_the_schema_is_in_the_generated_client(gen, db):
    """The generator left no operation out (it skips what it cannot type)."""
    import json

    from django.test import Client

    schema = json.loads(Client().get("/api/v1/schema/?format=json").content)
    operation_ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    api_dir = Path(gen.__file__).parent / "api"
    generated = {p.stem for p in api_dir.glob("*/*.py") if p.stem != "__init__"}
    assert operation_ids == generated
