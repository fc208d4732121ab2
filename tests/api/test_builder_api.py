"""The builder's API: a version as XLSForm and back into a draft (never published), checking
answers against a version, and the rule impact of a draft on an earlier round."""

import copy
import io
import zipfile

import openpyxl
import pytest

from submissions.models import ImpactRun, Submission
from surveys.builder import open_draft, replace_draft_content
from surveys.models import Definition
from tests.api.conftest import SLUG, url
from tests.factories import make_round, make_submission, shipped_definition

JML = "surveys/juniormesterlaere/"


def upload(client, data, **fields):
    return client.post(
        url(JML + "draft/xlsform/"),
        {"file": io.BytesIO(data), **fields},
        format="multipart",
    )


def draft_with_warning(coordinator):
    survey = shipped_definition().survey
    draft = open_draft(survey=survey, actor=coordinator, ip=None)
    content = copy.deepcopy(draft.content)
    content["rules"].append(
        {
            "key": "share_over_7",
            "severity": "warning",
            "expression": "share <= 0.07",
            "fields": ["enrolled"],
            "message": {"da": "Over 7 %.", "en": "Over 7 %."},
        }
    )
    return replace_draft_content(
        survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=None
    )


@pytest.fixture
def answered(round_):
    make_submission(round_, "360", {"pupils_8_9": 400, "enrolled": 10})
    make_submission(round_, "727", {"pupils_8_9": 300, "enrolled": 45})
    make_submission(round_, "101", {"pupils_8_9": 2000, "enrolled": 150})
    return round_


def test_xlsform_download_and_upload_give_the_same_definition_as_a_draft(clients, round_):
    coordinator = clients["coordinator"]
    response = coordinator.get(url(JML + "versions/1/xlsform/"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="juniormesterlaere-v1.xlsx"' in response["Content-Disposition"]
    uploaded = upload(coordinator, response.content)
    assert uploaded.status_code == 200, uploaded.content[:500]
    body = uploaded.json()
    v1 = Definition.objects.get(survey__key="juniormesterlaere", version=1).content
    assert body["content"] == v1 and body["version"] == 2 and body["problems"] == []
    # An upload never publishes: still one version, and the draft is only a draft.
    assert Definition.objects.filter(survey__key="juniormesterlaere").count() == 1
    assert clients["analyst"].get(url(JML + "versions/2/xlsform/")).status_code == 404


def test_upload_of_a_bad_xlsform_names_sheet_and_row(clients, round_):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "relevant"])
    sheet.append(["integer", "a", "A"])
    sheet.append(["integer", "b", "B", "selected(${a}, 'x')"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["Juniormesterlære", "juniormesterlaere"])
    out = io.BytesIO()
    book.save(out)
    response = upload(clients["coordinator"], out.getvalue())
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_xlsform"
    assert error["fields"][0]["field"] == "survey[3]"
    assert "selected(" in error["fields"][0]["message"]
    assert not Definition.objects.filter(version=2).exists()


def test_upload_of_a_zip_bomb_or_a_huge_file_is_refused_in_the_error_shape(clients, round_):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 100_000_000)
    response = upload(clients["coordinator"], bomb.getvalue())
    assert response.status_code == 400 and response.json()["error"]["fields"][0]["field"] == "file"
    response = upload(clients["coordinator"], b"PK" + b"\0" * 3_000_000)
    assert response.status_code == 413 and response.json()["error"]["code"] == "request_too_large"


def test_upload_into_an_existing_draft_needs_its_revision(clients, coordinator, round_):
    draft = draft_with_warning(coordinator)
    data = clients["coordinator"].get(url(JML + "versions/1/xlsform/")).content
    missing = upload(clients["coordinator"], data)
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"][0]["field"] == "revision"
    stale = upload(clients["coordinator"], data, revision=draft.revision - 1)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale"
    ok = upload(clients["coordinator"], data, revision=draft.revision)
    assert ok.status_code == 200 and ok.json()["revision"] == draft.revision + 1


@pytest.mark.parametrize(
    ("role", "status"),
    [("analyst", 403), ("officer_own", 403), ("officer_other", 403), ("anonymous", 401)],
)
def test_only_coordinators_upload(clients, round_, role, status):
    data = clients["coordinator"].get(url(JML + "versions/1/xlsform/")).content
    assert upload(clients[role], data).status_code == status
    assert not Definition.objects.filter(version=2).exists()


def test_check_answers_against_a_version_stores_nothing(clients, round_):
    response = clients["coordinator"].post(
        url(JML + "versions/1/check/"),
        {"answers": {"pupils_8_9": 100, "enrolled": 150}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert [e["key"] for e in body["errors"]] == ["enrolled_le_pupils"]
    assert body["derived"] == {"share": 1.5}
    assert not Submission.objects.exists()


def test_check_an_invalid_draft_is_refused_at_its_field(clients, coordinator, round_):
    survey = shipped_definition().survey
    draft = open_draft(survey=survey, actor=coordinator, ip=None)
    content = copy.deepcopy(draft.content)
    content["rules"][0]["expression"] = "enroled <= pupils_8_9"
    replace_draft_content(
        survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=None
    )
    response = clients["coordinator"].post(
        url(JML + "versions/2/check/"), {"answers": {}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "rules[0].expression"


def test_impact_of_a_draft_warning_rule_names_the_municipalities(clients, coordinator, answered):
    draft_with_warning(coordinator)
    response = clients["coordinator"].get(url(JML + f"versions/2/impact/?round={SLUG}"))
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert body["state"] == "done" and body["id"] is None
    rule = next(c for c in body["result"]["checks"] if c["key"] == "share_over_7")
    assert [(m["code"], m["values"]["share"]) for m in rule["municipalities"]] == [
        ("101", 0.075),
        ("727", 0.15),
    ]
    assert rule["warned"] == 2 and rule["blocked"] == 0


def test_impact_of_a_large_round_is_polled(
    clients, coordinator, answered, settings, django_capture_on_commit_callbacks
):
    settings.IMPACT_SYNC_MAX_SUBMISSIONS = 2
    draft_with_warning(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["coordinator"].get(url(JML + f"versions/2/impact/?round={SLUG}"))
    assert response.status_code == 202
    run = response.json()["id"]
    polled = clients["coordinator"].get(url(f"impact/{run}/"))
    assert polled.status_code == 200 and polled.json()["state"] == "done"
    rule = next(c for c in polled.json()["result"]["checks"] if c["key"] == "share_over_7")
    assert rule["warned"] == 2
    for role, status in (("analyst", 403), ("officer_own", 403), ("anonymous", 401)):
        assert clients[role].get(url(f"impact/{run}/")).status_code == status
    assert clients["coordinator"].get(url(f"impact/{run + 1}/")).status_code == 404
    assert ImpactRun.objects.count() == 1


def test_impact_needs_a_round_of_the_same_survey(clients, round_):
    other = make_round("proevehandlinger", codes=["360"], slug="pr-2026")
    for query in ("", f"?round={other.slug}", "?round=nope"):
        response = clients["coordinator"].get(url(JML + f"versions/1/impact/{query}"))
        assert response.status_code == 400, query
        assert response.json()["error"]["fields"][0]["field"] == "round"


def test_publish_through_the_api(clients, coordinator, round_):
    draft = draft_with_warning(coordinator)
    stale = clients["coordinator"].post(
        url(JML + "draft/publish/"), {"revision": draft.revision - 1}, format="json"
    )
    assert stale.status_code == 409
    response = clients["coordinator"].post(
        url(JML + "draft/publish/"), {"revision": draft.revision}, format="json"
    )
    assert response.status_code == 201 and response.json()["version"] == 2
    assert round_.definition.version == 1  # the round keeps its version


def test_check_a_draft_says_what_its_show_when_hides(clients, coordinator, round_):
    survey = shipped_definition().survey
    draft = open_draft(survey=survey, actor=coordinator, ip=None)
    content = copy.deepcopy(draft.content)
    content["questions"][2]["relevant_when"] = "enrolled > 20"
    replace_draft_content(
        survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=None
    )
    response = clients["coordinator"].post(
        url(JML + "versions/2/check/"),
        {"answers": {"pupils_8_9": 100, "enrolled": 10, "comment": "x"}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["hidden"] == [{"field": "comment", "entry": None}]
    assert response.json()["errors"] == []


def test_discard_the_draft_needs_its_revision(clients, coordinator, round_):
    draft = draft_with_warning(coordinator)
    path = url(JML + "draft/")
    assert clients["coordinator"].delete(path).status_code == 400
    stale = clients["coordinator"].delete(f"{path}?revision={draft.revision - 1}")
    assert stale.status_code == 409
    assert clients["coordinator"].delete(f"{path}?revision={draft.revision}").status_code == 204
    assert clients["coordinator"].get(path).status_code == 404
    assert Definition.objects.filter(survey__key="juniormesterlaere").count() == 1


def test_a_draft_with_errors_is_not_written_as_xlsform(clients, coordinator, round_):
    survey = shipped_definition().survey
    draft = open_draft(survey=survey, actor=coordinator, ip=None)
    replace_draft_content(
        survey=survey, revision=draft.revision, content={}, actor=coordinator, ip=None
    )
    response = clients["coordinator"].get(url(JML + "versions/2/xlsform/"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_definition"


# --- Outsiders: a survey that exists and one that does not get the same answer ---------------

OUTSIDER_CALLS = [
    ("get", "draft/", None),
    ("post", "draft/", None),
    ("put", "draft/", {"revision": 1, "content": {"title": {"da": "x"}, "questions": []}}),
    ("delete", "draft/?revision=1", None),
    ("post", "draft/publish/", {"revision": 1, "confirm_changed_meaning": True}),
    ("post", "draft/xlsform/", "file"),
    ("post", "versions/1/check/", {"answers": {"pupils_8_9": 1}}),
    ("get", f"versions/1/impact/?round={SLUG}", None),
    ("get", "versions/2/xlsform/", None),  # the draft's number: coordinators only
]


@pytest.mark.parametrize("role", ["analyst", "officer_own", "officer_other", "anonymous"])
@pytest.mark.parametrize(("method", "path", "body"), OUTSIDER_CALLS)
def test_outsiders_cannot_tell_an_existing_survey_from_a_missing_one(
    clients, coordinator, round_, role, method, path, body
):
    draft_with_warning(coordinator)  # the survey has a draft (version 2) to find
    client = clients[role]
    answers = []
    for key in ("juniormesterlaere", "no_such_survey"):
        address = url(f"surveys/{key}/{path}")
        if body == "file":
            response = client.post(
                address, {"file": io.BytesIO(b"PK not a file")}, format="multipart"
            )
        else:
            response = getattr(client, method)(address, body, format="json")
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    expected = 401 if role == "anonymous" else (404 if path.startswith("versions/2/") else 403)
    assert answers[0][0] == expected
    assert not Definition.objects.filter(version=2).exists()
    assert not ImpactRun.objects.exists()


# --- A published choice value keeps its meaning, through the API and an XLSForm too ----------

PH = "surveys/proevehandlinger/"


def _relabelled_xlsform(client, value, label):
    """Version 1 of proevehandlinger as XLSForm, with the Danish text of `value` changed."""
    data = client.get(url(PH + "versions/1/xlsform/")).content
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["choices"]
    header = [c.value for c in sheet[1]]
    name, label_da = header.index("name"), header.index("label::Dansk (da)")
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "status" and row[name].value == value:
            row[label_da].value = label
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_changed_choice_meaning_through_the_api_is_reported_and_needs_a_confirmed_publish(
    clients, db
):
    shipped_definition("proevehandlinger")
    coordinator = clients["coordinator"]
    draft = coordinator.post(url(PH + "draft/")).json()
    content = copy.deepcopy(draft["content"])
    i = next(n for n, q in enumerate(content["questions"]) if q["key"] == "status")
    content["questions"][i]["choices"][0]["label"]["da"] = "Aflyst"
    put = coordinator.put(
        url(PH + "draft/"), {"revision": draft["revision"], "content": content}, format="json"
    )
    assert put.status_code == 200  # a draft may hold it …
    field = f"questions[{i}].choices[0].label.da"
    assert put.json()["problems"] == []  # nothing stands in the way of publishing …
    assert [(p["field"], p["confirmable"]) for p in put.json()["changes_to_confirm"]] == [
        (field, True)
    ]  # … but a change to confirm
    revision = put.json()["revision"]
    refused = coordinator.post(url(PH + "draft/publish/"), {"revision": revision}, format="json")
    assert refused.status_code == 400  # … but publishing it needs it confirmed
    error = refused.json()["error"]
    assert error["code"] == "changed_meaning"
    assert [(f["field"], f["code"]) for f in error["fields"]] == [(field, "changed_meaning")]
    assert "»Aflyst«" in error["fields"][0]["message"]
    assert not Definition.objects.filter(survey__key="proevehandlinger", version=2).exists()
    published = coordinator.post(
        url(PH + "draft/publish/"),
        {"revision": revision, "confirm_changed_meaning": True},
        format="json",
    )
    assert published.status_code == 201 and published.json()["version"] == 2


def test_an_xlsform_that_changes_a_choice_meaning_is_reported(clients, db):
    shipped_definition("proevehandlinger")
    coordinator = clients["coordinator"]
    fixed = _relabelled_xlsform(coordinator, "completed", "Gennemfort")  # a typo: fine
    response = coordinator.post(
        url(PH + "draft/xlsform/"), {"file": io.BytesIO(fixed)}, format="multipart"
    )
    assert response.status_code == 200 and response.json()["problems"] == []
    assert response.json()["changes_to_confirm"] == []
    changed = _relabelled_xlsform(coordinator, "planned", "Aflyst")
    response = coordinator.post(
        url(PH + "draft/xlsform/"),
        {"file": io.BytesIO(changed), "revision": response.json()["revision"]},
        format="multipart",
    )
    assert response.status_code == 200  # the upload makes the draft, never publishes
    assert response.json()["problems"] == []
    [problem] = response.json()["changes_to_confirm"]
    assert problem["confirmable"] and problem["field"].endswith(".choices[0].label.da")
    assert "»Aflyst« giver den en anden betydning" in problem["message"]


def test_a_blocking_problem_and_a_change_to_confirm_are_listed_apart(clients, db):
    shipped_definition("proevehandlinger")
    coordinator = clients["coordinator"]
    draft = coordinator.post(url(PH + "draft/")).json()
    assert (draft["problems"], draft["changes_to_confirm"]) == ([], [])
    content = copy.deepcopy(draft["content"])
    i = next(n for n, q in enumerate(content["questions"]) if q["key"] == "status")
    content["questions"][i]["choices"][0]["label"]["da"] = "Aflyst"
    content["questions"][i]["label"]["da"] = ""
    put = coordinator.put(
        url(PH + "draft/"), {"revision": draft["revision"], "content": content}, format="json"
    )
    assert [(p["field"], p["confirmable"]) for p in put.json()["problems"]] == [
        (f"questions[{i}].label.da", False)
    ]
    assert [(p["field"], p["confirmable"]) for p in put.json()["changes_to_confirm"]] == [
        (f"questions[{i}].choices[0].label.da", True)
    ]
    got = coordinator.get(url(PH + "draft/")).json()
    assert (got["problems"], got["changes_to_confirm"]) == (
        put.json()["problems"],
        put.json()["changes_to_confirm"],
    )


def test_the_schema_declares_the_changes_to_confirm_apart_from_the_problems(db):
    from drf_spectacular.generators import SchemaGenerator

    draft = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    draft = draft["Draft"]
    assert {"problems", "changes_to_confirm"} <= set(draft["required"])
    for name in ("problems", "changes_to_confirm"):
        assert draft["properties"][name]["items"]["$ref"].endswith("/Problem")
