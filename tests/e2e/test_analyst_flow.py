"""The analyst's flow: the data page, a CSV and the PDF report downloaded in the browser."""

import csv
import io
import re

import pytest

from accounts.models import Role
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_round, make_submission, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def february():
    round_ = make_round(codes=["360", "727", "157"], title="Februar 2026")
    make_submission(round_, "360", {"pupils_8_9": 900, "enrolled": 60})
    make_submission(round_, "157", {"pupils_8_9": 1500, "enrolled": 15}, state="accepted")
    return round_


@pytest.mark.parametrize("language", ["da", "en"])
def test_an_analyst_downloads_the_csv_and_the_pdf_report(page_for, live_server, february, language):
    analyst = make_user(Role.ANALYST, email=f"analyst-{language}@indberet.dk")
    page = page_for(language)
    log_in(page, live_server, analyst)
    page.goto("/data/")
    check_page(page, "data page", language)

    page.get_by_label(re.compile("Februar 2026")).check()
    page.locator("input[name=format][value=csv]").check()
    with page.expect_download() as download:
        page.locator("form[action='/data/hent/'] button[type=submit]").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    by_code = {r["municipality_code"]: r for r in rows}
    assert set(by_code) == {"360", "727", "157"}
    assert by_code["360"]["enrolled"] == "60"
    assert by_code["727"]["state"] == "no_response" and by_code["727"]["enrolled"] == ""

    page.goto("/data/")
    page.get_by_label(re.compile("Februar 2026")).check()
    page.locator("input[name=format][value=pdf]").check()
    with page.expect_download() as download:
        page.locator("form[action='/data/hent/'] button[type=submit]").click()
    with open(download.value.path(), "rb") as f:
        assert f.read(4) == b"%PDF"

    # "Dine eksporter" lists both; the CSV is made again from its row (a new, logged export).
    page.goto("/data/")
    check_page(page, "data page with exports", language)
    make_again = "Make again" if language == "en" else "Lav igen"
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile(f"{make_again} .*\\.csv")).click()
    assert download.value.suggested_filename.endswith(".csv")

    # The home page links each round name to the exports page with that round ticked.
    page.goto("/")
    check_page(page, "analyst home", language)
    page.get_by_role("link", name="Februar 2026").click()
    assert page.get_by_label(re.compile("Februar 2026")).is_checked()
