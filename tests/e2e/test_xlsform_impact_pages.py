"""The builder's XLSForm upload and rule-impact pages in the browser, in Danish and English,
each checked with axe: the upload form, a refused file at its field, the impact form and its
result for a new warning rule on an earlier round, the background run's page — by keyboard."""

import copy
import io

import openpyxl
import pytest

from accounts.models import Role
from submissions.models import ImpactRun
from surveys import builder
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_round, make_submission, make_user, shipped_definition

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KEY = "/undersoegelser/juniormesterlaere/"


def _draft_with_warning(coordinator):
    survey = shipped_definition().survey
    draft = builder.open_draft(survey=survey, actor=coordinator, ip="127.0.0.1")
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
    builder.replace_draft_content(
        survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=None
    )


def _bad_xlsform(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "survey"
    book.active.append(["type", "name", "label"])
    book.active.append(["geopoint", "where", "Hvor"])
    book.create_sheet("settings").append(["form_title", "form_id"])
    book["settings"].append(["Juniormesterlære", "juniormesterlaere"])
    path = tmp_path / "bad.xlsx"
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("language", ["da", "en"])
def test_xlsform_and_impact_pages_pass_axe_and_work_by_keyboard(
    page_for, live_server, language, tmp_path
):
    september = make_round(slug="jml-september", title="September 2026")
    make_submission(september, "360", {"pupils_8_9": 400, "enrolled": 10})
    make_submission(september, "727", {"pupils_8_9": 300, "enrolled": 45})
    coordinator = make_user(Role.COORDINATOR, email=f"impact-{language}@indberet.dk")
    _draft_with_warning(coordinator)
    page = page_for(language)
    log_in(page, live_server, coordinator)

    page.goto(KEY + "kladde/xlsform/")
    check_page(page, "xlsform upload", language)
    page.locator("#id_file").set_input_files(str(_bad_xlsform(tmp_path)))
    page.locator("#id_file").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    check_page(page, "xlsform upload refused", language)
    assert page.locator("#error-summary").is_visible()
    assert "geopoint" in page.locator("#error-summary").inner_text()

    page.goto(KEY + "kladde/virkning/")
    check_page(page, "rule impact form", language)
    page.locator("#id_round").select_option("jml-september")
    page.locator("#id_round").focus()
    page.keyboard.press("Tab")
    # Wait for the result page itself: wait_for_load_state() alone could return for the form
    # before the navigation began, and the check then ran (and captured) mid-navigation.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page, "rule impact result", language)
    row = page.locator("tr", has=page.locator("code", has_text="share_over_7"))
    assert "Odder" in row.inner_text()

    run = ImpactRun.objects.create(
        round=september,
        content=builder.draft_for(september.survey).content,
        requested_by=coordinator,
    )
    page.goto(KEY + f"virkning/{run.pk}/")
    check_page(page, "rule impact running", language)
