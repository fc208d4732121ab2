"""A PDF report of a big round is built in the background: the API answers 202 with the
address of the file, and that address serves the file once it is built."""

import pytest

from exports.models import Export
from tests.api.conftest import token_client, url
from tests.factories import make_round, make_submission


@pytest.mark.django_db
def test_the_202_names_the_url_that_serves_the_built_pdf(
    analyst, as_analyst, settings, django_capture_on_commit_callbacks
):
    settings.EXPORTS_BACKGROUND_RECIPIENTS = 1
    round_ = make_round(codes=["360", "727"], slug="big-2026")
    make_submission(round_, "360", {"pupils_8_9": 200, "enrolled": 10, "comment": ""})
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(analyst).get(url("rounds/big-2026/export/"), {"format": "pdf"})
    assert response.status_code == 202, response.content
    body = response.json()
    export = Export.objects.get(pk=body["export"])
    assert body["url"] == f"/data/fil/{export.uid}/"
    assert export.status == Export.Status.READY  # the task ran after the commit

    pdf = as_analyst.get(body["url"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
