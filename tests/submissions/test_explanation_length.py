"""An explanation over the length limit (MAX_EXPLANATION_LENGTH) is refused, never cut: the
API answers 400 naming it, the officer's form comes back with the message beside the
explanation and what was typed in it (nothing is saved). One rule, submissions.services."""

import pytest

from submissions import services
from submissions.models import Submission
from submissions.validation import MAX_EXPLANATION_LENGTH
from tests.api.conftest import token_client, url
from tests.submissions.conftest import form_url, post_form

SHARE_HIGH = {"pupils_8_9": "100", "enrolled": "30"}  # raises the warning `share_high`
TOO_LONG = "Ny ordning. " + "x" * MAX_EXPLANATION_LENGTH


def saved_version(round_):
    sub = Submission.objects.filter(round=round_, municipality__code="360").first()
    return sub.version if sub else 0


def test_the_form_refuses_a_too_long_explanation_beside_it_and_keeps_the_text(as_lolland, jml):
    response = post_form(as_lolland, jml, SHARE_HIGH, version=0, **{"explain-share_high": TOO_LONG})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Forklaringen er for lang (højst {MAX_EXPLANATION_LENGTH} tegn)." in html
    assert 'id="id_explain_share_high-error"' in html  # the message is at the field
    assert 'href="#id_explain_share_high"' in html  # and in the error summary
    assert f">{TOO_LONG}</textarea>" in html  # what was typed, all of it
    assert 'value="30"' in html
    assert saved_version(jml) == 0  # nothing saved, nothing cut


def test_autosave_refuses_it_with_400(as_lolland, jml):
    data = {f"q-{k}": v for k, v in SHARE_HIGH.items()}
    response = as_lolland.post(
        form_url(jml),
        {**data, "version": "0", "explain-share_high": TOO_LONG},
        headers={"X-Autosave": "1"},
    )
    assert response.status_code == 400
    assert response.json()["ok"] is False and response.json()["code"] == "invalid"
    assert saved_version(jml) == 0


def test_an_explanation_at_the_limit_is_saved_whole(as_lolland, jml):
    text = "y" * MAX_EXPLANATION_LENGTH
    response = post_form(as_lolland, jml, SHARE_HIGH, version=0, **{"explain-share_high": text})
    assert response.status_code == 302
    sub = Submission.objects.get(round=jml, municipality__code="360")
    assert sub.explanations == {"share_high": text}


def test_the_service_refuses_rather_than_cuts(jml, lolland):
    from reference.models import Municipality

    with pytest.raises(services.ExplanationTooLong) as exc:
        services.save_draft(
            jml,
            Municipality.objects.get(code="360"),
            actor=lolland,
            answers={"pupils_8_9": 100, "enrolled": 30},
            explanations={"share_high": TOO_LONG},
            version=0,
        )
    assert exc.value.keys == ["share_high"]
    assert saved_version(jml) == 0


def test_the_api_refuses_it_with_400_naming_the_explanation(lolland, jml):
    sub = url(f"rounds/{jml.slug}/submissions/360/")
    response = token_client(lolland).put(
        sub,
        {
            "version": 0,
            "answers": {"pupils_8_9": 100, "enrolled": 30},
            "explanations": {"share_high": TOO_LONG},
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "explanations.share_high"
    assert saved_version(jml) == 0


def test_the_api_names_an_explanation_nfc_makes_too_long(lolland, jml):
    """U+0958 is one character as sent (within the serializer's limit) and two after NFC
    normalisation (the service's measure): refused by the service, named like the serializer's
    refusal, with one field error per explanation."""
    at_the_limit = "\u0958" * MAX_EXPLANATION_LENGTH
    response = token_client(lolland).put(
        url(f"rounds/{jml.slug}/submissions/360/"),
        {
            "version": 0,
            "answers": {"pupils_8_9": 100, "enrolled": 30},
            "explanations": {"share_high": at_the_limit},
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert [(f["field"], f["code"]) for f in error["fields"]] == [
        ("explanations.share_high", "max_length")
    ]
    assert str(MAX_EXPLANATION_LENGTH) in error["fields"][0]["message"]
    assert saved_version(jml) == 0
