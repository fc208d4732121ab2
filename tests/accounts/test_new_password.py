"""A new password revokes the person's API tokens whichever way it is set: one service
(accounts.services.set_password / on_new_password) behind the invitation, `add_user
--password`, `manage.py changepassword`, the admin's password form and allauth's own password
pages."""

import io

import pytest
from django.core.management import call_command

from accounts.models import AuditEvent, Role
from accounts.tokens import authenticate_token, create_token
from tests.conftest import client_for
from tests.factories import make_user

NEW = "Nyt-kodeord-2026!"


def by_add_user(user, monkeypatch):
    call_command("add_user", user.email, "--role", "officer", "--password", NEW)


def by_changepassword(user, monkeypatch):
    """`manage.py changepassword` (accounts' command, replacing Django's)."""
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW)
    out = io.StringIO()
    call_command("changepassword", user.email, stdout=out)
    assert "Password changed successfully" in out.getvalue()


def by_admin(user, monkeypatch):
    operator = make_user(
        Role.COORDINATOR, email="drift@indberet.dk", is_staff=True, is_superuser=True
    )
    response = client_for(operator).post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW, "password2": NEW, "set_usable_password": "true"},
    )
    assert response.status_code == 302, response.content


def by_invitation(user, monkeypatch):
    from accounts.services import accept_invitation, invite_officer
    from reference.models import Municipality

    inviter = make_user(Role.COORDINATOR, email="k@indberet.dk")
    invitation = invite_officer(
        user.email, Municipality.objects.get(code="727"), invited_by=inviter
    )
    assert accept_invitation(invitation, password=NEW) == user


@pytest.mark.parametrize(
    "path", [by_add_user, by_admin, by_invitation, by_changepassword], ids=lambda f: f.__name__
)
def test_every_way_of_setting_a_password_revokes_the_api_tokens(path, db, monkeypatch):
    user = make_user(Role.OFFICER, ["360"], email="person@lolland.dk")
    _token, raw = create_token(user, "script")
    assert authenticate_token(raw) == user

    path(user, monkeypatch)

    user.refresh_from_db()
    assert user.check_password(NEW)
    assert authenticate_token(raw) is None
    event = AuditEvent.objects.get(action="token.revoked_all")
    assert event.detail == {"reason": "password_changed", "count": 1}


def test_setting_the_same_password_again_with_add_user_changes_nothing(db):
    user = make_user(Role.OFFICER, ["360"], email="person@lolland.dk")
    call_command("add_user", user.email, "--role", "officer", "--password", NEW)
    _token, raw = create_token(user, "script")

    call_command("add_user", user.email, "--role", "officer", "--password", NEW)

    assert authenticate_token(raw) == user


def test_changepassword_refuses_a_weak_or_mismatched_password_and_changes_nothing(db, monkeypatch):
    from django.core.management import CommandError

    user = make_user(Role.OFFICER, ["360"], email="person@lolland.dk")
    _token, raw = create_token(user, "script")
    answers = iter(["kort", "kort", NEW, "andet", "123", "123"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    err = io.StringIO()
    with pytest.raises(CommandError, match="after 3 attempts"):
        call_command("changepassword", user.email, stdout=io.StringIO(), stderr=err)
    user.refresh_from_db()
    assert not user.check_password(NEW) and authenticate_token(raw) == user
    with pytest.raises(CommandError, match="does not exist"):
        call_command("changepassword", "nobody@x.dk", stdout=io.StringIO())


def test_changepassword_refuses_another_database(db, monkeypatch):
    """The service sets the password on the default database: a user looked up in another one
    would not be the one changed, so the command says so instead."""
    from django.core.management.base import CommandError

    user = make_user(Role.OFFICER, ["360"], email="person@lolland.dk")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW)
    with pytest.raises(CommandError, match="--database 'other' is not supported"):
        call_command("changepassword", user.email, database="other", stdout=io.StringIO())
    user.refresh_from_db()
    assert not user.check_password(NEW)
