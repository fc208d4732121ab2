"""The Django admin: people, memberships, invitations, the read-only audit log and tokens,
and the municipalities with search and filters."""

import pytest

from accounts.models import AuditEvent, Role
from accounts.services import invite_officer
from accounts.tokens import create_token
from reference.models import Municipality
from tests.conftest import client_for
from tests.factories import make_user


@pytest.fixture
def as_operator(db):
    operator = make_user(
        Role.COORDINATOR, email="drift@indberet.dk", is_staff=True, is_superuser=True
    )
    return client_for(operator)


def test_the_user_list_filters_by_role_and_searches(as_operator, lolland, odder, analyst):
    page = as_operator.get("/admin/accounts/user/?role__exact=officer").content.decode()
    assert lolland.email in page
    assert analyst.email not in page

    page = as_operator.get("/admin/accounts/user/?q=odder").content.decode()
    assert odder.email in page
    assert lolland.email not in page


def test_a_user_page_shows_the_memberships_inline(as_operator, lolland):
    page = as_operator.get(f"/admin/accounts/user/{lolland.pk}/change/").content.decode()

    assert "memberships-TOTAL_FORMS" in page
    assert "Lolland" in page


def test_municipalities_are_searchable_by_name_and_code(as_operator):
    by_name = as_operator.get("/admin/reference/organisation/?q=Odder").content.decode()
    by_code = as_operator.get("/admin/reference/organisation/?q=360").content.decode()

    assert "Odder" in by_name and "Lolland" not in by_name
    assert "Lolland" in by_code


def test_municipalities_filter_by_region_and_dst_group(as_operator):
    page = as_operator.get(
        "/admin/reference/organisation/?region_name=Region+Nordjylland&dst_group=Storbykommuner"
    ).content.decode()

    assert "Aalborg" in page
    assert "Aarhus" not in page
    assert "1 organisation" in page


def test_the_audit_log_can_be_read_but_not_added_changed_or_deleted(as_operator, lolland):
    event = AuditEvent.objects.create(action="test.event", actor=lolland)

    assert as_operator.get("/admin/accounts/auditevent/").status_code == 200
    assert as_operator.get(f"/admin/accounts/auditevent/{event.pk}/change/").status_code == 200
    assert as_operator.get("/admin/accounts/auditevent/add/").status_code == 403
    assert as_operator.post(f"/admin/accounts/auditevent/{event.pk}/delete/").status_code == 403
    page = as_operator.get(f"/admin/accounts/auditevent/{event.pk}/change/").content.decode()
    assert 'name="action"' not in page


def test_api_tokens_are_listed_without_their_digest_and_cannot_be_added(as_operator, analyst):
    token, raw = create_token(analyst, "Analyse")

    page = as_operator.get("/admin/accounts/apitoken/").content.decode()
    assert "Analyse" in page
    assert as_operator.get("/admin/accounts/apitoken/add/").status_code == 403
    detail = as_operator.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.digest not in detail
    assert raw not in detail


def test_invitations_are_listed(as_operator, coordinator):
    invite_officer("nina@lolland.dk", Municipality.objects.get(code="360"), invited_by=coordinator)

    page = as_operator.get("/admin/accounts/invitation/").content.decode()
    assert "nina@lolland.dk" in page


def test_staff_without_superuser_rights_see_nothing_they_are_not_given(lolland):
    lolland.is_staff = True
    lolland.save()

    assert client_for(lolland).get("/admin/accounts/user/").status_code == 403
