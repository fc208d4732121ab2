"""The builder's rule-impact page: a draft's new warning rule run over an earlier round, on the
page; a large round via its background run's page; coordinators only."""

import copy

import pytest

from submissions.models import ImpactRun
from surveys.builder import open_draft, replace_draft_content
from tests.factories import make_round, make_submission, shipped_definition

pytestmark = pytest.mark.django_db

PAGE = "/undersoegelser/juniormesterlaere/kladde/virkning/"


@pytest.fixture
def september():
    round_ = make_round(codes=["360", "727", "101"], slug="jml-september", title="September")
    make_submission(round_, "360", {"pupils_8_9": 400, "enrolled": 10})
    make_submission(round_, "727", {"pupils_8_9": 300, "enrolled": 45})
    make_submission(round_, "101", {"pupils_8_9": 2000, "enrolled": 150})
    return round_


@pytest.fixture
def draft(coordinator):
    survey = shipped_definition().survey
    draft = open_draft(survey=survey, actor=coordinator, ip=None)
    content = copy.deepcopy(draft.content)
    content["rules"].append(
        {
            "key": "share_over_7",
            "severity": "warning",
            "expression": "share <= 0.07",
            "fields": ["enrolled"],
            "message": {"da": "Over 7 procent.", "en": "Over 7 per cent."},
        }
    )
    return replace_draft_content(
        survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=None
    )


def test_the_page_shows_which_municipalities_a_new_warning_rule_flags(
    as_coordinator, draft, september
):
    assert as_coordinator.get(PAGE).status_code == 200
    response = as_coordinator.post(PAGE, {"round": "jml-september"})
    assert response.status_code == 200
    page = response.content.decode()
    row = page[page.index("<code>share_over_7</code>") :]
    row = row[: row.index("</tr>")]
    assert "Odder" in row and "København" in row and "Lolland" not in row
    assert "Over 7 procent." in row and "15 %" in row  # Odder: 45 of 300, as a share


def test_a_large_round_is_shown_on_its_run_page(
    as_coordinator, draft, september, settings, django_capture_on_commit_callbacks
):
    settings.IMPACT_SYNC_MAX_SUBMISSIONS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(PAGE, {"round": "jml-september"})
    run = ImpactRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/virkning/{run.pk}/")
    page = as_coordinator.get(response["Location"]).content.decode()
    assert "share_over_7" in page and "Odder" in page


def test_a_round_of_another_survey_cannot_be_chosen(as_coordinator, draft, september):
    make_round("proevehandlinger", codes=["360"], slug="pr-2026")
    response = as_coordinator.post(PAGE, {"round": "pr-2026"})
    assert response.status_code == 200 and 'id="error-summary"' in response.content.decode()


@pytest.mark.parametrize("who", ["as_lolland", "as_odder", "as_analyst"])
def test_nobody_else_sees_it(request, who, draft, september, coordinator):
    client = request.getfixturevalue(who)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"round": "jml-september"}).status_code == 404
    assert not ImpactRun.objects.exists()  # the refused request started no run
    run = ImpactRun.objects.create(round=september, content=draft.content, requested_by=coordinator)
    assert client.get(f"/undersoegelser/juniormesterlaere/virkning/{run.pk}/").status_code == 404
