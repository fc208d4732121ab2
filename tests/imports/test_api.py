"""API v1: POST rounds/{slug}/imports/ (dry run or apply), …/{id}/apply/, …/{id}/undo/."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import Import
from submissions.models import Submission
from tests.api.conftest import SLUG, clients, round_, url  # noqa: F401 (fixtures)

CSV = b"municipality_code;pupils_8_9;enrolled;comment\n360;1.250;40;\n727;800;900;\n"


def _file(content=CSV, name="svar.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.mark.parametrize(
    "role, expected",
    [("analyst", 403), ("officer_own", 403), ("officer_other", 403), ("anonymous", 401)],
)
def test_only_coordinators_import(clients, round_, role, expected):  # noqa: F811
    response = clients[role].post(
        url(f"rounds/{SLUG}/imports/"), {"file": _file()}, format="multipart"
    )
    assert response.status_code == expected
    assert set(response.json()) == {"error"}
    assert not Import.objects.exists()


@pytest.mark.parametrize("role", ["analyst", "officer_own", "officer_other", "anonymous"])
def test_nobody_else_applies_or_undoes(clients, round_, coordinator, role):  # noqa: F811
    from imports import services

    imp = services.upload(round_, actor=coordinator, file_name="svar.csv", content=CSV)
    for path in ("apply/", "undo/"):
        response = clients[role].post(url(f"rounds/{SLUG}/imports/{imp.pk}/{path}"), {})
        assert response.status_code in (401, 403, 404)
    imp.refresh_from_db()
    assert imp.state == "uploaded" and not Submission.objects.exists()


def test_dry_run_then_apply_then_undo(clients, round_):  # noqa: F811
    api = clients["coordinator"]
    response = api.post(url(f"rounds/{SLUG}/imports/"), {"file": _file()}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["dry_run"] and body["state"] == "uploaded" and len(body["sha256"]) == 64
    rows = {r["municipality"]: r for r in body["rows"]}
    assert rows["360"]["changes"][0]["new"] == "1.250" and rows["360"]["submittable"]
    assert rows["727"]["errors"] and not rows["727"]["submittable"]
    assert not Submission.objects.exists()

    response = api.post(
        url(f"rounds/{SLUG}/imports/{body['id']}/apply/"), {"mode": "submitted"}, format="json"
    )
    assert response.status_code == 200, response.content
    report = response.json()["report"]
    assert report["counts"]["applied"] == 1 and report["names"]["blocked"] == ["727"]
    assert Submission.objects.get().answers["pupils_8_9"] == 1250

    response = api.post(url(f"rounds/{SLUG}/imports/{body['id']}/undo/"))
    assert response.status_code == 200
    assert response.json()["report"]["undo"]["counts"] == {"restored": 1, "left": 0}
    again = api.post(url(f"rounds/{SLUG}/imports/{body['id']}/undo/"))
    assert again.status_code == 400 and again.json()["error"]["code"] == "not_applied"


def test_apply_in_one_request_with_a_mapping(clients, round_):  # noqa: F811
    content = b"municipality_code;Elever;enrolled\n360;1000;10\n"
    response = clients["coordinator"].post(
        url(f"rounds/{SLUG}/imports/"),
        {"file": _file(content), "dry_run": "false", "mapping": '{"Elever": "pupils_8_9"}'},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["report"]["counts"]["applied"] == 1
    assert Submission.objects.get().state == "draft"


def test_refusals_answer_in_the_error_shape(clients, round_):  # noqa: F811
    api = clients["coordinator"]
    response = api.post(
        url(f"rounds/{SLUG}/imports/"), {"file": _file(b"a;b\n1;2\n")}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "columns"
    response = api.post(
        url(f"rounds/{SLUG}/imports/"), {"file": _file(b"\n\n")}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "empty"
    response = api.post(
        url(f"rounds/{SLUG}/imports/"),
        {"file": _file(), "mapping": "[1]"},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"
    missing = api.post(url(f"rounds/{SLUG}/imports/999/undo/"))
    assert missing.status_code == 404


def test_a_round_others_cannot_see_answers_404(clients, db):  # noqa: F811
    from tests.factories import make_round

    make_round(codes=["101"], slug="only-copenhagen")
    response = clients["officer_own"].post(
        url("rounds/only-copenhagen/imports/"), {"file": _file()}, format="multipart"
    )
    assert response.status_code == 404
    assert not Import.objects.exists()  # nothing of the upload was kept


def test_read_one_import(clients, round_, coordinator):  # noqa: F811
    from imports import services

    imp = services.upload(round_, actor=coordinator, file_name="svar.csv", content=CSV)
    body = clients["coordinator"].get(url(f"rounds/{SLUG}/imports/{imp.pk}/")).json()
    assert body["dry_run"] and body["counts"]["ok"] == 2
    assert clients["analyst"].get(url(f"rounds/{SLUG}/imports/{imp.pk}/")).status_code == 403
    services.apply(imp, actor=coordinator)
    body = clients["coordinator"].get(url(f"rounds/{SLUG}/imports/{imp.pk}/")).json()
    assert not body["dry_run"] and body["report"]["counts"]["applied"] == 2


def test_a_mapping_to_a_column_the_round_does_not_have_is_not_taken(clients, round_):  # noqa: F811
    content = b"municipality_code;Elever;enrolled\n360;1000;10\n"
    response = clients["coordinator"].post(
        url(f"rounds/{SLUG}/imports/"),
        {"file": _file(content), "dry_run": "false", "mapping": '{"Elever": "elever"}'},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_columns"
    assert not Submission.objects.exists()
