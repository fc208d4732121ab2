"""A coordinator invites an officer for a municipality by e-mail; the link works once and for
INVITATION_MAX_AGE_DAYS days."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, Role, User
from reference.models import Municipality
from tests.accounts.conftest import invitation_path_in, login_code_in

INVITE = "/konto/inviter/"
NEW_PASSWORD = "Lolland-indberetter-2026"


@pytest.fixture
def invite(as_coordinator, django_capture_on_commit_callbacks):
    """POST the invitation form as the coordinator; the e-mail goes out after commit."""

    def post(email, code="360", name=""):
        with django_capture_on_commit_callbacks(execute=True):
            return as_coordinator.post(INVITE, {"email": email, "name": name, "municipality": code})

    return post


def test_an_invited_officer_sets_a_password_and_is_logged_in_for_that_municipality(
    invite, mailoutbox
):
    response = invite("nina@lolland.dk", name="Nina Nielsen")
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nina@lolland.dk"]
    assert "Lolland" in message.subject

    invitee = Client()
    path = invitation_path_in(message)
    page = invitee.get(path)
    assert page.status_code == 200
    assert "Du er inviteret til at indberette for Lolland" in page.content.decode()

    response = invitee.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(email="nina@lolland.dk")
    assert invitee.session["_auth_user_id"] == str(user.pk)
    assert user.role == Role.OFFICER
    assert user.name == "Nina Nielsen"
    assert list(user.memberships.values_list("municipality__code", flat=True)) == ["360"]
    assert user.check_password(NEW_PASSWORD)
    mine = invitee.get(reverse("accounts:my_municipalities")).content.decode()
    assert "Lolland" in mine


def test_the_new_password_can_be_used_to_log_in_later(invite, mailoutbox):
    invite("nina@lolland.dk")
    path = invitation_path_in(mailoutbox[0])
    Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    later = Client()
    later.post(reverse("account_login"), {"login": "nina@lolland.dk", "password": NEW_PASSWORD})

    assert later.session["_auth_user_id"] == str(User.objects.get(email="nina@lolland.dk").pk)


def test_the_invitation_email_is_danish_and_offers_login_by_code(invite, mailoutbox, settings):
    invite("nina@lolland.dk")

    body = mailoutbox[0].body
    assert "har inviteret dig til at indberette for Lolland" in body
    assert f"Linket virker i {settings.INVITATION_MAX_AGE_DAYS} dage og kun én gang." in body
    assert "engangskode" in body
    assert "http://testserver/konto/login/" in body


def test_an_invited_person_may_log_in_by_code_instead_of_choosing_a_password(invite, mailoutbox):
    invite("nina@lolland.dk")
    client = Client()

    client.post(reverse("account_request_login_code"), {"email": "nina@lolland.dk"})
    client.post(reverse("account_confirm_login_code"), {"code": login_code_in(mailoutbox[-1])})

    user = User.objects.get(email="nina@lolland.dk")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "Lolland" in client.get(reverse("accounts:my_municipalities")).content.decode()


def test_mismatched_passwords_are_refused_and_the_link_still_works(invite, mailoutbox):
    invite("nina@lolland.dk")
    path = invitation_path_in(mailoutbox[0])
    client = Client()

    response = client.post(path, {"password1": NEW_PASSWORD, "password2": "noget andet"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "De to adgangskoder er ikke ens." in page
    assert 'id="id_password2-error"' in page
    assert "_auth_user_id" not in client.session
    assert client.get(path).status_code == 200


def test_an_expired_invitation_link_answers_410_with_a_clear_message(
    coordinator, settings, django_capture_on_commit_callbacks, mailoutbox
):
    lolland = Municipality.objects.get(code="360")
    sent = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS, hours=1)
    with time_machine.travel(sent, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.invite_officer("nina@lolland.dk", lolland, invited_by=coordinator)
    path = invitation_path_in(mailoutbox[0])

    response = Client().get(path)

    assert response.status_code == 410
    page = response.content.decode()
    assert "Invitationen kan ikke bruges" in page
    assert "udløbet" in page
    post = Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert post.status_code == 410
    assert not User.objects.get(email="nina@lolland.dk").has_usable_password()


def test_an_invitation_is_still_valid_just_before_it_expires(
    coordinator, settings, django_capture_on_commit_callbacks, mailoutbox
):
    lolland = Municipality.objects.get(code="360")
    sent = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS, hours=-1)
    with time_machine.travel(sent, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.invite_officer("nina@lolland.dk", lolland, invited_by=coordinator)

    assert Client().get(invitation_path_in(mailoutbox[0])).status_code == 200


def test_a_used_invitation_link_answers_410(invite, mailoutbox):
    invite("nina@lolland.dk")
    path = invitation_path_in(mailoutbox[0])
    Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = Client().post(path, {"password1": "Et-andet-kodeord-99", "password2": "x"})

    assert again.status_code == 410
    assert User.objects.get(email="nina@lolland.dk").check_password(NEW_PASSWORD)


def test_an_unknown_invitation_token_answers_410(client, db):
    assert client.get("/konto/invitation/findes-ikke/").status_code == 410


@pytest.mark.parametrize("token", ["abc%00def", "x" * 500, "%C3%A6%C3%B8"])
def test_a_malformed_invitation_token_answers_410_not_500(client, db, token):
    # A NUL byte used to reach PostgreSQL, which refuses it in a query (a 500).
    get = client.get(f"/konto/invitation/{token}/")
    assert get.status_code == 410
    assert "invitation" in get.content.decode().lower()
    post = client.post(f"/konto/invitation/{token}/", {"password1": "x", "password2": "x"})
    assert post.status_code == 410


def test_inviting_an_existing_email_adds_the_membership(invite, lolland, mailoutbox):
    response = invite("Officer@Lolland.dk", code="727")

    assert response.status_code == 302
    assert User.objects.filter(email__iexact=lolland.email).count() == 1
    codes = set(lolland.memberships.values_list("municipality__code", flat=True))
    assert codes == {"360", "727"}
    assert len(mailoutbox) == 1
    assert "Odder er nu føjet til dine kommuner" in mailoutbox[0].body
    assert "Vælg din adgangskode" not in mailoutbox[0].body
    lolland.refresh_from_db()
    assert lolland.check_password("correct horse battery")


def test_inviting_twice_for_the_same_municipality_keeps_one_membership(invite):
    invite("nina@lolland.dk")
    invite("nina@lolland.dk")

    user = User.objects.get(email="nina@lolland.dk")
    assert Membership.objects.filter(user=user).count() == 1
    assert Invitation.objects.filter(user=user).count() == 2


def test_the_invite_form_refuses_a_bad_email_and_an_unknown_municipality(as_coordinator):
    response = as_coordinator.post(INVITE, {"email": "ikke-en-email", "municipality": "999"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_email-error"' in page
    assert 'id="id_municipality-error"' in page
    assert not Invitation.objects.exists()


def test_the_invite_page_is_a_dkfds_form_with_every_municipality(as_coordinator):
    page = as_coordinator.get(INVITE).content.decode()

    assert '<select name="municipality" class="form-select"' in page
    assert len(re.findall(r'<option value="\d{3}"', page)) == 98
    assert 'class="button button-primary"' in page


@pytest.mark.parametrize("client_fixture", ["as_lolland", "as_analyst"])
def test_officers_and_analysts_cannot_reach_the_invite_page(db, request, client_fixture):
    client = request.getfixturevalue(client_fixture)

    assert client.get(INVITE).status_code == 404
    assert client.post(INVITE, {"email": "x@example.dk", "municipality": "360"}).status_code == 404
    assert not Invitation.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(INVITE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={INVITE}"
