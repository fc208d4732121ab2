"""Issue 12 item 6: nobody can keep the server busy with PDFs and exports — a per-user budget
on every download (pages and API), receipt PDFs rendered once per submitted version, and a
closed round's report built once until something in it changes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from exports import report
from lib.throttle import ExportRateThrottle
from submissions import notifications
from submissions.models import Submission
from tests.api.conftest import token_client, url
from tests.factories import make_round, make_submission


@pytest.fixture
def round_(db):
    r = make_round(codes=["101", "360"], slug="jml-feb")
    make_submission(r, "360", {"pupils_8_9": 100, "enrolled": 5})
    return r


@pytest.fixture
def budget_of_two(monkeypatch):
    monkeypatch.setattr(ExportRateThrottle, "THROTTLE_RATES", {"exports": "2/hour"})


@pytest.fixture
def renders(monkeypatch):
    """Counts real renderings (the work the cache saves)."""
    counted = {"receipt": 0, "report": 0}

    def counting(name, original):
        def wrapper(*args, **kwargs):
            counted[name] += 1
            return original(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        notifications,
        "render_receipt_pdf",
        counting("receipt", notifications.render_receipt_pdf),
    )
    monkeypatch.setattr(report, "render_report", counting("report", report.render_report))
    return counted


def test_downloading_exports_past_the_budget_is_refused_with_a_clear_429(
    round_, as_analyst, budget_of_two
):
    data = {"rounds": [round_.pk], "format": "csv"}
    for _ in range(2):
        assert as_analyst.post(reverse("exports:download"), data).status_code == 200
    response = as_analyst.post(reverse("exports:download"), data)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Du har hentet mange filer på kort tid" in response.content.decode()


def test_downloading_exports_through_the_api_past_the_budget_answers_429(
    round_, analyst, budget_of_two
):
    client = token_client(analyst)
    for _ in range(2):
        assert client.get(url("rounds/jml-feb/export/")).status_code == 200
    response = client.get(url("rounds/jml-feb/export/"))
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"


def test_fetching_the_receipt_pdf_again_does_not_render_it_again(round_, as_lolland, renders):
    path = reverse("submissions:receipt_pdf", args=["jml-feb", "360"])
    first, second = as_lolland.get(path), as_lolland.get(path)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert renders["receipt"] == 1


def test_fetching_the_receipt_pdf_past_the_budget_is_refused(round_, as_lolland, budget_of_two):
    path = reverse("submissions:receipt_pdf", args=["jml-feb", "360"])
    assert [as_lolland.get(path).status_code for _ in range(3)] == [200, 200, 429]


def test_a_closed_rounds_report_is_built_once_until_it_changes(round_, renders):
    round_.state, round_.closed_at = "closed", timezone.now()
    round_.save()
    first = report.report_pdf(round_)
    assert report.report_pdf(round_) == first
    assert renders["report"] == 1
    Submission.objects.filter(round=round_).update(version=99)  # e.g. accepted after reopening
    report.report_pdf(round_)
    assert renders["report"] == 2


def test_an_open_rounds_report_is_always_current(round_, renders):
    report.report_pdf(round_)
    report.report_pdf(round_)
    assert renders["report"] == 2
