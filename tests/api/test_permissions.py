"""Every endpoint × every role: the same permissions as the web pages, enforced by the scoped
querysets (404 before 403: an officer cannot learn what exists in another municipality)."""

import json

import pytest

from surveys.definitions import SHIPPED_DIR
from tests.api.conftest import ROLES, SLUG, VALID, url
from tests.factories import make_submission

SUB = f"rounds/{SLUG}/submissions/360/"


def _definition():
    content = json.loads((SHIPPED_DIR / "juniormesterlaere.json").read_text())
    content["description"] = {"da": "En ny version", "en": "A new version"}
    return content


def _submitted(round_):
    make_submission(round_, "360", VALID, state="submitted")


def _draft(round_):
    make_submission(round_, "360", VALID, state="draft")


def _draft_version(round_):
    from surveys.builder import open_draft, replace_draft_content

    open_draft(survey=round_.survey, actor=None, ip=None)
    replace_draft_content(
        survey=round_.survey, revision=1, content=_definition(), actor=None, ip=None
    )


JML = "surveys/juniormesterlaere/"


# (name, method, path, body, setup, expected statuses by role)
ENDPOINTS = [
    ("municipalities", "get", "municipalities/", None, None, (200, 200, 200, 200, 401)),
    ("surveys", "get", "surveys/", None, None, (200, 200, 200, 200, 401)),
    (
        "definition",
        "get",
        "surveys/juniormesterlaere/definition/",
        None,
        None,
        (200, 200, 200, 200, 401),
    ),
    ("import", "post", "surveys/", _definition, None, (201, 403, 403, 403, 401)),
    ("rounds", "get", "rounds/", None, None, (200, 200, 200, 200, 401)),
    (
        "create_round",
        "post",
        "rounds/",
        lambda: {
            "survey": "juniormesterlaere",
            "title": "September 2026",
            "slug": "jml-2026-09",
            "deadline": "2026-09-30T12:00:00+02:00",
            "recipients": ["360", "727"],
        },
        None,
        (201, 403, 403, 403, 401),
    ),
    ("round", "get", f"rounds/{SLUG}/", None, None, (200, 200, 200, 200, 401)),
    ("open", "post", f"rounds/{SLUG}/open/", None, None, (200, 403, 403, 403, 401)),
    ("close", "post", f"rounds/{SLUG}/close/", None, None, (200, 403, 403, 403, 401)),
    ("status", "get", f"rounds/{SLUG}/status/", None, None, (200, 200, 403, 403, 401)),
    (
        "reminders",
        "post",
        f"rounds/{SLUG}/reminders/",
        lambda: {"municipalities": "non_responders"},
        None,
        (200, 403, 403, 403, 401),
    ),
    ("summary", "get", f"rounds/{SLUG}/summary/", None, None, (200, 200, 403, 403, 401)),
    (
        "export",
        "get",
        f"rounds/{SLUG}/export/?format=csv",
        None,
        None,
        (200, 200, 403, 403, 401),
    ),
    ("read", "get", SUB, None, _draft, (200, 200, 200, 404, 401)),
    (
        "save",
        "put",
        SUB,
        lambda: {"version": 1, "answers": {"pupils_8_9": 300, "enrolled": 9}},
        _draft,
        (200, 403, 200, 404, 401),
    ),
    ("submit", "post", SUB + "submit/", lambda: {}, _draft, (200, 403, 200, 404, 401)),
    ("accept", "post", SUB + "accept/", None, _submitted, (200, 403, 403, 404, 401)),
    (
        "return",
        "post",
        SUB + "return/",
        lambda: {"reason": "Tjek antallet af elever."},
        _submitted,
        (200, 403, 403, 404, 401),
    ),
    ("draft", "get", JML + "draft/", None, _draft_version, (200, 403, 403, 403, 401)),
    ("open_draft", "post", JML + "draft/", None, None, (200, 403, 403, 403, 401)),
    (
        "replace_draft",
        "put",
        JML + "draft/",
        lambda: {"revision": 2, "content": _definition()},
        _draft_version,
        (200, 403, 403, 403, 401),
    ),
    (
        "publish",
        "post",
        JML + "draft/publish/",
        lambda: {"revision": 2},
        _draft_version,
        (201, 403, 403, 403, 401),
    ),
    (
        "discard_draft",
        "delete",
        JML + "draft/?revision=2",
        None,
        _draft_version,
        (204, 403, 403, 403, 401),
    ),
    ("xlsform", "get", JML + "versions/1/xlsform/", None, None, (200, 200, 200, 200, 401)),
    (
        "draft_xlsform",
        "get",
        JML + "versions/2/xlsform/",
        None,
        _draft_version,
        (200, 404, 404, 404, 401),
    ),
    (
        "check",
        "post",
        JML + "versions/1/check/",
        lambda: {"answers": VALID},
        None,
        (200, 403, 403, 403, 401),
    ),
    (
        "impact",
        "get",
        JML + f"versions/1/impact/?round={SLUG}",
        None,
        _submitted,
        (200, 403, 403, 403, 401),
    ),
]

CASES = [
    pytest.param(endpoint, role, expected[i], id=f"{endpoint[0]}-{role}")
    for endpoint in ENDPOINTS
    for expected in [endpoint[5]]
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("endpoint", "role", "expected"), CASES)
def test_each_endpoint_answers_each_role_as_the_web_pages_do(
    endpoint, role, expected, clients, round_
):
    name, method, path, body, setup, _ = endpoint
    if setup:
        setup(round_)
    response = getattr(clients[role], method)(url(path), body() if body else None, format="json")
    assert response.status_code == expected, response.content[:500]
    if expected >= 400:
        assert set(response.json()) == {"error"}
        assert {"code", "message", "fields"} <= set(response.json()["error"])


def test_a_round_without_my_municipality_does_not_exist_for_me(clients, db):
    from tests.factories import make_round

    make_round(codes=["360"], slug="only-lolland")
    for path in ("", "status/", "summary/", "submissions/360/", "submissions/727/"):
        response = clients["officer_other"].get(url(f"rounds/only-lolland/{path}"))
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_a_draft_round_is_invisible_to_everyone_but_coordinators(clients, db):
    from tests.factories import make_round

    make_round(codes=["360"], slug="still-draft", state="draft")
    assert clients["coordinator"].get(url("rounds/still-draft/")).status_code == 200
    for role in ("analyst", "officer_own"):
        assert clients[role].get(url("rounds/still-draft/")).status_code == 404
    slugs = [r["slug"] for r in clients["officer_own"].get(url("rounds/")).json()]
    assert "still-draft" not in slugs
