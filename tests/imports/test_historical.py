"""Issue 15: earlier rounds from a table — created closed (surveys.lifecycle), never sent,
filled by import, feeding the history checks of the round that compares with them."""

import datetime as dt

import pytest
from django.core import mail

from imports import services
from imports.models import Import
from reference.models import Municipality
from submissions import services as submission_services
from surveys import lifecycle
from surveys.models import Survey
from tests.factories import make_round, shipped_definition


@pytest.fixture
def survey(db):
    return shipped_definition().survey


def test_a_historical_round_is_closed_never_sent_and_cannot_be_reopened(survey, coordinator):
    round_ = lifecycle.create_historical_round(
        actor=coordinator,
        survey=survey,
        title="September 2025",
        slug="jml-2025-09",
        reference_date=dt.date(2025, 9, 30),
        recipients=["360", "727"],
    )
    assert round_.is_historical and round_.is_closed and round_.opened_at is None
    assert round_.deadline.date() == dt.date(2025, 9, 30)
    with pytest.raises(lifecycle.RoundError) as exc:
        lifecycle.reopen_round(round_, actor=coordinator)
    assert exc.value.code == "historical"
    with pytest.raises(lifecycle.RoundError):
        lifecycle.open_round(round_, actor=coordinator)
    assert mail.outbox == []


def test_reference_date_in_the_future_is_refused(survey, coordinator):
    with pytest.raises(lifecycle.RoundError) as exc:
        lifecycle.create_historical_round(
            actor=coordinator,
            survey=survey,
            title="Senere",
            slug="later",
            reference_date=dt.date.today() + dt.timedelta(days=2),
            recipients="all",
        )
    assert [p.field for p in exc.value.problems] == ["reference_date"]


def test_filled_by_import_it_feeds_the_next_rounds_history_checks(survey, coordinator, lolland):
    old = lifecycle.create_historical_round(
        actor=coordinator,
        survey=survey,
        title="September 2025",
        slug="jml-2025-09",
        reference_date=dt.date(2025, 9, 30),
        recipients=["360", "727"],
    )
    content = b"municipality_code;pupils_8_9;enrolled\n360;1.000;30\n727;800;20\n"
    imp = services.upload(old, actor=coordinator, file_name="bilag.csv", content=content)
    report = services.apply(imp, actor=coordinator, mode=Import.Mode.SUBMITTED)
    assert report.counts["applied"] == 2
    sub = old.submissions.get(municipality__code="360")
    assert sub.state == "submitted" and not sub.late and sub.submitted_at == old.deadline
    new = make_round(codes=["360", "727"], previous=old)
    saved = submission_services.save_draft(
        new,
        Municipality.objects.get(code="360"),
        actor=lolland,
        answers={"pupils_8_9": "2000", "enrolled": "40"},
        explanations={},
        version=0,
    )
    assert [w["code"] for w in saved.result.warnings] == ["history"]


def test_a_historical_import_keeps_when_each_answered_and_refuses_an_unreadable_time(
    survey, coordinator
):
    old = lifecycle.create_historical_round(
        actor=coordinator,
        survey=survey,
        title="September 2025",
        slug="jml-2025-09",
        reference_date=dt.date(2025, 9, 30),
        recipients=["360", "727", "101"],
    )
    content = (
        b"municipality_code;pupils_8_9;enrolled;submitted_at\n"
        b"360;1.000;30;2025-09-12 08:30:00+00:00\n"
        b"727;800;20;\n"
        b"101;900;20;12-09-2025\n"
    )
    imp = services.upload(old, actor=coordinator, file_name="bilag.csv", content=content)
    plan = services.dry_run(imp)
    refused = {r.code: r.reasons for r in plan.rows if r.status == "refused"}
    assert list(refused) == ["101"]
    assert refused["101"][0][0] == "submitted_at" and "12-09-2025" in refused["101"][0][1]
    services.apply(imp, actor=coordinator, mode=Import.Mode.SUBMITTED)
    times = dict(old.submissions.values_list("municipality__code", "submitted_at"))
    assert times == {"360": dt.datetime(2025, 9, 12, 8, 30, tzinfo=dt.UTC), "727": old.deadline}


def test_an_ordinary_closed_round_takes_no_import(coordinator):
    round_ = make_round(codes=["360"], state="closed")
    with pytest.raises(services.ImportRefused) as exc:
        services.upload(round_, actor=coordinator, file_name="x.csv", content=b"a;b\n1;2\n")
    assert exc.value.code == "round_closed"


def test_the_historical_round_page(as_coordinator, survey):
    page = as_coordinator.get("/runder/tidligere/ny/")
    assert page.status_code == 200 and "Referencedato" in page.content.decode()
    response = as_coordinator.post(
        "/runder/tidligere/ny/",
        {
            "survey": survey.pk,
            "title": "September 2025",
            "slug": "",
            "deadline": "30-09-2025",
            "recipients_mode": "codes",
            "codes": "360, 727",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    round_ = Survey.objects.get(pk=survey.pk).rounds.get()
    assert round_.is_historical and response["Location"].endswith(f"/{round_.slug}/import/")
    future = (dt.date.today() + dt.timedelta(days=3)).strftime("%d %m %Y").split()  # day month year
    html = as_coordinator.post(
        "/runder/tidligere/ny/",
        {
            "survey": survey.pk,
            "title": "Senere",
            "deadline": "-".join(future),
            "recipients_mode": "all",
        },
    ).content.decode()
    assert "skal ligge i fortiden" in html


def test_the_api_creates_a_historical_round(survey, coordinator):
    from tests.api.conftest import token_client

    api = token_client(coordinator)
    body = {
        "survey": "juniormesterlaere",
        "title": "September 2025",
        "slug": "jml-2025-09",
        "deadline": "2025-09-30T12:00:00+02:00",
        "recipients": ["360", "727"],
        "historical": True,
    }
    response = api.post("/api/v1/rounds/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["historical"] and data["state"] == "closed" and data["opened_at"] is None
    future = {**body, "slug": "later", "deadline": "2099-01-01T12:00:00+01:00"}
    response = api.post("/api/v1/rounds/", future, format="json")
    assert response.status_code == 400
    assert [f["field"] for f in response.json()["error"]["fields"]] == ["deadline"]


def test_the_change_since_the_previous_round_reads_the_historical_round(survey, coordinator):
    from exports.analysis import analyse_round

    old = lifecycle.create_historical_round(
        actor=coordinator,
        survey=survey,
        title="September 2025",
        slug="jml-2025-09",
        reference_date=dt.date(2025, 9, 30),
        recipients=["360", "727"],
    )
    content = b"municipality_code;pupils_8_9;enrolled\n360;1.000;30\n727;800;20\n"
    imp = services.upload(old, actor=coordinator, file_name="bilag.csv", content=content)
    services.apply(imp, actor=coordinator, mode=Import.Mode.SUBMITTED)
    new = make_round(codes=["360", "727"], previous=old)
    from tests.factories import make_submission

    make_submission(new, "360", {"pupils_8_9": 1000, "enrolled": 50})
    [indicator] = analyse_round(new)["indicators"]
    lolland = next(m for m in indicator["municipalities"] if m["code"] == "360")
    assert lolland["previous_value"] == pytest.approx(0.03)
    assert lolland["change"] == pytest.approx(0.02)
