import pytest
from django.test import Client

from accounts.models import AuditEvent, Role
from accounts.tokens import authenticate_token, create_token
from tests.factories import force_login, make_user


@pytest.fixture
def officer_session(lolland):
    client = Client()
    force_login(client, lolland)
    assert client.get("/").status_code == 200
    return client


def test_the_coordinator_sees_every_officer_with_their_municipalities(as_coordinator, lolland):
    body = as_coordinator.get("/konto/sagsbehandlere/").content.decode()
    assert "officer@lolland.dk" in body
    assert "Lolland" in body


def test_deactivating_an_officer_ends_their_session_and_revokes_their_tokens(
    as_coordinator, lolland, officer_session
):
    _, raw = create_token(lolland, "script")
    response = as_coordinator.post(f"/konto/sagsbehandlere/{lolland.pk}/deaktiver/")
    assert response.status_code == 302
    lolland.refresh_from_db()
    assert lolland.is_active is False
    assert officer_session.get("/").status_code == 302  # logged out
    assert authenticate_token(raw) is None
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 1


def test_deactivating_twice_is_harmless_and_audited_once(as_coordinator, lolland):
    as_coordinator.post(f"/konto/sagsbehandlere/{lolland.pk}/deaktiver/")
    as_coordinator.post(f"/konto/sagsbehandlere/{lolland.pk}/deaktiver/")
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 1


def test_only_officers_can_be_deactivated_here(as_coordinator, analyst):
    response = as_coordinator.post(f"/konto/sagsbehandlere/{analyst.pk}/deaktiver/")
    assert response.status_code == 404
    analyst.refresh_from_db()
    assert analyst.is_active


@pytest.mark.parametrize("who", ["as_lolland", "as_odder", "as_analyst"])
def test_nobody_but_the_coordinator_may_list_or_deactivate_officers(who, request, lolland):
    client = request.getfixturevalue(who)
    assert client.get("/konto/sagsbehandlere/").status_code == 404
    assert client.post(f"/konto/sagsbehandlere/{lolland.pk}/deaktiver/").status_code == 404
    lolland.refresh_from_db()
    assert lolland.is_active


def test_unticking_active_in_the_admin_also_ends_the_session(lolland, officer_session):
    admin = make_user(Role.COORDINATOR, email="root@indberet.dk", is_staff=True, is_superuser=True)
    client = Client()
    force_login(client, admin)
    page = client.get(f"/admin/accounts/user/{lolland.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "email": lolland.email,
            "role": "officer",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("is_active", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(f"/admin/accounts/user/{lolland.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    lolland.refresh_from_db()
    assert lolland.is_active is False
    assert officer_session.get("/").status_code == 302
