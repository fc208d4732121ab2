"""The builder's XLSForm pages: download a version, upload into the draft (never published),
refusals shown at the file field with sheet and row; coordinators only."""

import io

import openpyxl
import pytest

from surveys.builder import draft_for, open_draft
from surveys.models import Definition
from tests.factories import shipped_definition

pytestmark = pytest.mark.django_db

DOWNLOAD = "/undersoegelser/juniormesterlaere/versioner/1/xlsform/"
UPLOAD = "/undersoegelser/juniormesterlaere/kladde/xlsform/"


@pytest.fixture
def survey():
    return shipped_definition().survey


def test_coordinator_downloads_a_version_and_uploads_it_back_as_a_draft(as_coordinator, survey):
    response = as_coordinator.get(DOWNLOAD)
    assert response.status_code == 200
    assert 'filename="juniormesterlaere-v1.xlsx"' in response["Content-Disposition"]
    assert as_coordinator.get(UPLOAD).status_code == 200
    posted = as_coordinator.post(UPLOAD, {"file": io.BytesIO(response.content)})
    assert posted.status_code == 302 and posted["Location"].endswith("/kladde/")
    draft = draft_for(survey)
    assert draft.content == Definition.objects.get(survey=survey, version=1).content
    assert survey.definitions.count() == 1  # not published


def bad_file():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["integer", "a", "A"])
    sheet.append(["geopoint", "where", "Hvor"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["Juniormesterlære", "juniormesterlaere"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_a_bad_file_is_refused_at_the_field_with_sheet_and_row(as_coordinator, survey):
    response = as_coordinator.post(UPLOAD, {"file": bad_file()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Arket »survey«, række 3" in page and "geopoint" in page
    assert 'id="error-summary"' in page
    assert draft_for(survey) is None


def test_an_upload_over_a_changed_draft_overwrites_nothing(as_coordinator, coordinator, survey):
    draft = open_draft(survey=survey, actor=coordinator, ip=None)
    data = as_coordinator.get(DOWNLOAD).content
    response = as_coordinator.post(
        UPLOAD, {"file": io.BytesIO(data), "revision": draft.revision - 1 or 99}
    )
    assert response.status_code == 200
    assert draft_for(survey).revision == draft.revision
    ok = as_coordinator.post(UPLOAD, {"file": io.BytesIO(data), "revision": draft.revision})
    assert ok.status_code == 302 and draft_for(survey).revision == draft.revision + 1


@pytest.mark.parametrize("revision", ["abc", "²", "1²"])
def test_a_garbled_revision_is_refused_like_a_stale_one(
    as_coordinator, coordinator, survey, revision
):
    """ "²".isdigit() is true but int("²") raises: a changed draft's refusal, never a 500."""
    draft = open_draft(survey=survey, actor=coordinator, ip=None)
    data = as_coordinator.get(DOWNLOAD).content
    response = as_coordinator.post(UPLOAD, {"file": io.BytesIO(data), "revision": revision})
    assert response.status_code == 200
    assert draft_for(survey).revision == draft.revision


@pytest.mark.parametrize("who", ["as_lolland", "as_odder", "as_analyst"])
def test_nobody_else_downloads_or_uploads(request, who, survey):
    client = request.getfixturevalue(who)
    assert client.get(DOWNLOAD).status_code == 404
    assert client.post(UPLOAD, {"file": bad_file()}).status_code == 404
    assert draft_for(survey) is None


def test_anonymous_is_sent_to_log_in(client, survey):
    assert client.get(DOWNLOAD).status_code == 302
    assert client.post(UPLOAD, {"file": bad_file()}).status_code == 302


def test_a_huge_file_is_refused_with_a_message_not_an_error_page(as_coordinator, survey):
    response = as_coordinator.post(UPLOAD, {"file": io.BytesIO(b"PK" + b"\0" * 3_000_000)})
    assert response.status_code == 200
    assert "for stor" in response.content.decode()
    assert draft_for(survey) is None


def test_a_draft_with_errors_is_not_downloaded_but_sent_back_to_it(
    as_coordinator, coordinator, survey
):
    from surveys.builder import replace_draft_content

    draft = open_draft(survey=survey, actor=coordinator, ip=None)
    replace_draft_content(
        survey=survey,
        revision=draft.revision,
        content={"questions": []},
        actor=coordinator,
        ip=None,
    )
    response = as_coordinator.get("/undersoegelser/juniormesterlaere/versioner/2/xlsform/")
    assert response.status_code == 302 and response["Location"].endswith("/kladde/")


def test_an_uploaded_xlsform_that_changes_a_choice_meaning_is_said_on_the_draft(as_coordinator):
    shipped_definition("proevehandlinger")
    base = "/undersoegelser/proevehandlinger/"
    book = openpyxl.load_workbook(
        io.BytesIO(as_coordinator.get(base + "versioner/1/xlsform/").content)
    )
    sheet = book["choices"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "status" and row[header.index("name")].value == "planned":
            row[header.index("label::Dansk (da)")].value = "Aflyst"
    out = io.BytesIO()
    book.save(out)
    posted = as_coordinator.post(base + "kladde/xlsform/", {"file": io.BytesIO(out.getvalue())})
    assert posted.status_code == 302  # stored as the draft, not published
    page = as_coordinator.get(posted["Location"]).content.decode()
    assert "»Aflyst« giver den en anden betydning" in page
    # Still a valid definition: it can be downloaded again (and previewed, and tried).
    again = as_coordinator.get(base + "versioner/2/xlsform/")
    assert again.status_code == 200
    assert (
        'name="q-title"' in as_coordinator.get(base + "kladde/forhaandsvisning/").content.decode()
    )
