"""Issue 12 item 4: an officer cannot fill the database through the API — bodies over
API_MAX_BODY_BYTES answer 413 and store nothing; explanations are kept only for warnings the
answers raise, anything else answers 400 naming the field."""

import json

from submissions.models import Revision, Submission
from tests.api.conftest import SLUG, url

SUB = url(f"rounds/{SLUG}/submissions/360/")
RAISES_SHARE_HIGH = {"pupils_8_9": 100, "enrolled": 30}


def test_putting_a_10_mb_body_is_refused_with_413_and_stores_nothing(clients, round_, settings):
    body = json.dumps(
        {"version": 0, "answers": {"pupils_8_9": 100, "comment": "x" * (10 * 1024 * 1024)}}
    )
    response = clients["officer_own"].put(SUB, body, content_type="application/json")

    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert error["max_bytes"] == settings.API_MAX_BODY_BYTES == 1_000_000
    assert not Submission.objects.exists()
    assert not Revision.objects.exists()


def test_sending_2000_made_up_explanation_keys_is_refused(clients, round_):
    explanations = {f"share_high@{i}": "fyld" * 100 for i in range(2000)}
    response = clients["officer_own"].put(
        SUB,
        {"version": 0, "answers": RAISES_SHARE_HIGH, "explanations": explanations},
        format="json",
    )

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields and all(f["field"].startswith("explanations.share_high@") for f in fields)
    assert not Submission.objects.exists()


def test_explaining_a_warning_the_answers_do_not_raise_is_refused_naming_it(clients, round_):
    response = clients["officer_own"].put(
        SUB,
        {
            "version": 0,
            "answers": {"pupils_8_9": 100, "enrolled": 5},  # 5 %: no share_high warning
            "explanations": {"share_high": "Forklaring uden advarsel."},
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == [
        {
            "field": "explanations.share_high",
            "code": "not_raised",
            "message": "Svarene giver ikke denne advarsel; send kun forklaringer til "
            "advarsler, der vises.",
        }
    ]
    assert not Submission.objects.exists()


def test_an_explanation_for_a_raised_warning_is_kept(clients, round_):
    response = clients["officer_own"].put(
        SUB,
        {"version": 0, "answers": RAISES_SHARE_HIGH, "explanations": {"share_high": "Ny linje."}},
        format="json",
    )
    assert response.status_code == 200
    assert Submission.objects.get().explanations == {"share_high": "Ny linje."}
