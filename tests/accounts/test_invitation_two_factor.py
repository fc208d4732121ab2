"""Issue 12 item 2: an invitation link (a mailbox) is not a second factor. Accepting an
invitation goes through allauth's login stages, and a session that never passed TOTP is not
accepted for anyone who has it."""

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, Role
from reference.models import Municipality
from tests.accounts.test_two_factor import log_in, reauthenticate, totp_code, totp_secret
from tests.factories import make_user

NEW_PASSWORD = "Lolland-indberetter-2026"


def invitation_for(user, code="360"):
    inviter = make_user(Role.COORDINATOR, email=f"inviter-{code}@indberet.dk")
    return services.invite_officer(
        user.email, Municipality.objects.get(code=code), invited_by=inviter
    )


def accept(client, invitation):
    path = reverse("accounts:accept_invitation", args=[invitation.token])
    return client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.OFFICER])
def test_accepting_an_invitation_for_someone_with_totp_asks_for_the_code(db, role):
    user = make_user(role, email="victim@lolland.dk", mfa=True)
    invitation = invitation_for(user)
    attacker = Client()

    response = accept(attacker, invitation)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in attacker.session
    # Nothing behind the login is reachable without the code.
    assert attacker.get("/runder/")["Location"].startswith(reverse("account_login"))
    # With the code the login completes, as any other login does.
    response = attacker.post(reverse("mfa_authenticate"), {"code": totp_code(totp_secret(user))})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert attacker.session["_auth_user_id"] == str(user.pk)
    assert attacker.get("/").status_code == 200


def test_accepting_an_invitation_without_totp_logs_in_directly(db):
    user = make_user(Role.OFFICER, email="plain@lolland.dk", mfa=False)
    client = Client()
    response = accept(client, invitation_for(user))
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_reusing_another_outstanding_invitation_after_one_was_used_is_refused(db):
    user = make_user(Role.OFFICER, email="twice@lolland.dk", mfa=False)
    first, second = invitation_for(user, "360"), invitation_for(user, "376")
    accept(Client(), first)

    response = accept(Client(), second)

    assert response.status_code == 410
    assert Invitation.objects.get(pk=second.pk).accepted_at is not None


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.OFFICER])
def test_a_session_with_totp_that_skipped_the_code_is_ended(db, role):
    """Whatever made it (a future bug, an old invitation session): a logged-in session of
    someone with TOTP that has no passed second factor is logged out, on pages and API."""
    user = make_user(role, ["360"] if role == Role.OFFICER else (), mfa=True)
    client = Client()
    client.force_login(user)  # Django's login, not allauth's: no second factor recorded

    response = client.get("/", HTTP_ACCEPT="text/html")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session

    api = Client()
    api.force_login(user)
    response = api.get("/api/v1/rounds/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_setting_up_totp_counts_as_passing_it_for_this_session(db):
    user = make_user(Role.COORDINATOR, email="new@indberet.dk", mfa=False)
    client = reauthenticate(log_in(user), "/konto/2fa/totp/activate/")
    page = client.get("/konto/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/konto/2fa/totp/activate/", {"code": totp_code(secret)})
    assert page.status_code == 200 and response.status_code == 302
    assert client.get("/runder/").status_code == 200
