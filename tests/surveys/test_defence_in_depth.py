"""Issue 12 item 9: defence in depth — a round title that would break every reminder, a PDF
that could read files or call other hosts, the audit table on PostgreSQL, the cache table."""

import pytest
from django.core import mail

from surveys.models import Round
from tests.api.conftest import token_client, url
from tests.factories import shipped_definition
from tests.surveys.test_rounds import create

NEWLINE_TITLES = ["Februar\n2027", "Februar\r\nBcc: x@example.com", "Feb\u20282027", "Feb\x0b27"]


@pytest.fixture
def survey(db):
    return shipped_definition().survey


@pytest.mark.parametrize("title", NEWLINE_TITLES)
def test_creating_a_round_titled_with_a_line_break_on_the_page_is_refused(
    as_coordinator, survey, title
):
    response = create(as_coordinator, survey, title=title)
    assert response.status_code == 200
    assert "Titlen må ikke indeholde linjeskift" in response.content.decode()
    assert not Round.objects.exists()


@pytest.mark.parametrize("title", NEWLINE_TITLES)
def test_creating_a_round_titled_with_a_line_break_through_the_api_is_refused(
    coordinator, survey, title
):
    body = {
        "survey": "juniormesterlaere",
        "title": title,
        "slug": "x-1",
        "deadline": "2027-09-30T12:00:00Z",
        "recipients": ["360"],
    }
    response = token_client(coordinator).post(url("rounds/"), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "title"
    assert not Round.objects.exists()


def test_a_round_title_with_spaces_and_danish_letters_is_fine(as_coordinator, survey):
    assert create(as_coordinator, survey, title="Prøvehandlinger – Æble Øst Å").status_code == 302
    assert mail.outbox == []


def test_an_install_that_only_ran_migrate_has_the_cache_table(db, settings):
    """No `createcachetable` anywhere in the test set-up: the migration made it."""
    from django.db import connection

    assert settings.CACHES["default"]["LOCATION"] == "indberet_cache"
    assert "indberet_cache" in connection.introspection.table_names()


@pytest.mark.parametrize("title", NEWLINE_TITLES)
def test_saving_a_round_titled_with_a_line_break_in_the_django_admin_is_refused(db, title):
    """Rounds are not in the admin today; the day they are (or any model form edits one), the
    same rule refuses the title at the field, because Round.clean applies it."""
    from django.contrib import admin
    from django.core.exceptions import ValidationError
    from django.test import RequestFactory

    from accounts.models import Role
    from tests.factories import make_round, make_user

    round_ = make_round(codes=["360"], title="Februar 2027")
    request = RequestFactory().post("/admin/")
    request.user = make_user(Role.COORDINATOR, is_staff=True, is_superuser=True)
    form_class = admin.ModelAdmin(Round, admin.site).get_form(request, round_, fields=["title"])
    form = form_class({"title": title}, instance=round_)
    assert not form.is_valid()
    assert "Titlen må ikke indeholde linjeskift" in form.errors["title"][0]
    with pytest.raises(ValidationError) as refused:
        Round(survey=round_.survey, definition=round_.definition, title=title).clean()
    assert refused.value.message_dict["title"] == [
        "Titlen må ikke indeholde linjeskift, tabulatorer eller andre kontroltegn."
    ]
    round_.refresh_from_db()
    assert round_.title == "Februar 2027"
