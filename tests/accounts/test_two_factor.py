"""Two-factor policy: TOTP is required for coordinators, analysts and superusers, offered to
officers (accounts/middleware.py RequireTwoFactorMiddleware)."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Role
from accounts.tokens import create_token
from tests.conftest import client_for
from tests.factories import make_user

ACTIVATE = "/konto/2fa/totp/activate/"


def totp_code(secret):
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def totp_secret(user):
    return Authenticator.objects.get(user=user, type="totp").wrap().instance.data["secret"]


def log_in(user):
    """A client logged in through the real login form (and the TOTP step if the user has it),
    so allauth knows the person has just authenticated (setting up 2FA asks for that)."""
    client = Client()
    response = client.post(
        "/konto/login/", {"login": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    if response["Location"] == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(totp_secret(user))})
        assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    return client


def reauthenticate(client, next_url):
    """allauth asks for the password again before a 2FA change once the login is more than
    ACCOUNT_REAUTHENTICATION_TIMEOUT old; answering it early changes nothing."""
    response = client.post(
        reverse("account_reauthenticate"),
        {"password": "correct horse battery", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == next_url
    return client


@pytest.fixture
def coordinator_without_totp(db):
    return make_user(Role.COORDINATOR, email="new.coordinator@indberet.dk", mfa=False)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"role": Role.COORDINATOR},
        {"role": Role.ANALYST},
        {"role": Role.OFFICER, "is_superuser": True, "is_staff": True},
    ],
    ids=["coordinator", "analyst", "superuser"],
)
@pytest.mark.parametrize("path", ["/", "/runder/", "/konto/revision/", "/data/", "/admin/"])
def test_a_coordinator_without_totp_is_sent_to_set_it_up(db, kwargs, path):
    kwargs = dict(kwargs)
    user = make_user(kwargs.pop("role"), mfa=False, **kwargs)
    response = client_for(user).get(path)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE


def test_at_first_login_a_coordinator_is_led_to_set_up_totp(coordinator_without_totp):
    client = log_in(coordinator_without_totp)
    response = client.get("/", HTTP_ACCEPT="text/html", follow=True)
    # Straight to the set-up page: the login just made counts as recent authentication.
    assert [url for url, _ in response.redirect_chain] == [ACTIVATE]
    assert response.status_code == 200
    assert "kræver tofaktorgodkendelse" in response.content.decode()


@pytest.mark.parametrize(
    "name",
    ["mfa_activate_totp", "mfa_index", "account_reauthenticate", "accessibility"],
)
def test_a_coordinator_without_totp_can_still_reach_setup_and_basic_pages(
    coordinator_without_totp, name
):
    client = reauthenticate(log_in(coordinator_without_totp), ACTIVATE)
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_a_coordinator_without_totp_can_log_out_change_language_and_extend_the_session(
    coordinator_without_totp,
):
    client = client_for(coordinator_without_totp)
    assert client.post(reverse("session_extend")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("account_logout"))["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_static_files_are_served_to_a_coordinator_without_totp(coordinator_without_totp, settings):
    response = client_for(coordinator_without_totp).get("/static/js/session.js")
    assert response.status_code != 302


def test_the_api_refuses_a_coordinator_without_totp_in_the_error_shape(coordinator_without_totp):
    response = client_for(coordinator_without_totp).get("/api/v1/schema/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"
    assert response.json()["error"]["fields"] == []


def test_the_api_refuses_a_token_of_a_coordinator_without_totp(coordinator_without_totp, client):
    _, raw = create_token(coordinator_without_totp, "script")
    response = client.get("/api/v1/schema/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_the_api_serves_a_coordinator_with_totp(as_coordinator):
    assert as_coordinator.get("/api/v1/schema/").status_code == 200


def test_an_officer_is_offered_two_factor_but_not_forced(as_lolland, lolland):
    assert not Authenticator.objects.filter(user=lolland).exists()
    assert as_lolland.get("/").status_code == 200
    client = reauthenticate(log_in(lolland), ACTIVATE)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_a_coordinator_with_totp_uses_the_site(as_coordinator, as_analyst):
    assert as_coordinator.get("/").status_code == 200
    assert as_coordinator.get("/runder/").status_code == 200
    assert as_analyst.get("/data/").status_code == 200


def test_anonymous_visitors_are_not_affected(client, db):
    assert client.get("/konto/login/").status_code == 200
    assert client.get("/")["Location"].startswith("/konto/login/")


def test_a_coordinator_who_sets_up_totp_gets_recovery_codes_and_the_site(
    coordinator_without_totp, django_capture_on_commit_callbacks
):
    client = reauthenticate(log_in(coordinator_without_totp), ACTIVATE)
    assert client.get(ACTIVATE).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(
        user=coordinator_without_totp, type=Authenticator.Type.TOTP
    ).exists()
    assert Authenticator.objects.filter(
        user=coordinator_without_totp, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(
        action="mfa.added", actor=coordinator_without_totp, detail__type="totp"
    ).exists()


def test_a_coordinator_cannot_switch_totp_off(coordinator):
    deactivate = reverse("mfa_deactivate_totp")
    response = reauthenticate(log_in(coordinator), deactivate).post(deactivate)
    assert response.status_code == 200  # the form again, with the refusal
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()


def test_an_officer_may_switch_totp_off_again(db):
    officer = make_user(Role.OFFICER, ["360"], mfa=True)
    deactivate = reverse("mfa_deactivate_totp")
    response = reauthenticate(log_in(officer), deactivate).post(deactivate)
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()


def test_a_coordinator_logging_in_with_a_password_must_give_the_totp_code(coordinator, client):
    response = client.post(
        "/konto/login/", {"login": coordinator.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(totp_secret(coordinator))}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(coordinator.pk)


def test_the_admin_login_goes_through_the_login_with_two_factor(client, db):
    admin = make_user(Role.OFFICER, is_superuser=True, is_staff=True, mfa=True)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/?next=")
    # Django's own admin form cannot be used to skip the TOTP step.
    client.post("/admin/login/", {"username": admin.email, "password": "correct horse battery"})
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/konto/login/?next=/admin/",
        {"login": admin.email, "password": "correct horse battery", "next": "/admin/"},
    )
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert "_auth_user_id" not in client.session


# What Chromium sends for the icon it fetches after each page, and for a script's fetch().
FAVICON_HEADERS = {
    "HTTP_ACCEPT": "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
    "HTTP_SEC_FETCH_MODE": "no-cors",
    "HTTP_SEC_FETCH_DEST": "image",
}
FETCH_HEADERS = {
    "HTTP_ACCEPT": "*/*",
    "HTTP_SEC_FETCH_MODE": "cors",
    "HTTP_SEC_FETCH_DEST": "empty",
}
NAVIGATION_HEADERS = {
    "HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "HTTP_SEC_FETCH_MODE": "navigate",
    "HTTP_SEC_FETCH_DEST": "document",
}


@pytest.mark.parametrize("path", ["/favicon.ico", "/apple-touch-icon.png", "/robots.txt"])
def test_the_icons_browsers_ask_for_are_served_to_a_coordinator_without_totp(
    coordinator_without_totp, path
):
    response = client_for(coordinator_without_totp).get(path, **FAVICON_HEADERS)
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_every_page_declares_its_icons(client, db):
    html = client.get("/konto/login/").content.decode()
    assert 'rel="icon" href="/favicon.ico"' in html
    assert 'rel="apple-touch-icon" href="/apple-touch-icon.png"' in html
    for name in ("icons/favicon.svg", "icons/site.webmanifest"):
        assert f"/static/{name}" in html
    for name in ("icons/favicon.svg", "icons/site.webmanifest", "icons/icon-192.png"):
        assert finders.find(name), name  # the manifest names the PNGs


@pytest.mark.parametrize(
    "headers",
    [
        FAVICON_HEADERS,
        FETCH_HEADERS,
        {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"},
        {"HTTP_ACCEPT": "application/json"},
        {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT": "text/html"},
        {
            "HTTP_ACCEPT": "text/html",
            "HTTP_SEC_FETCH_MODE": "navigate",
            "HTTP_SEC_FETCH_DEST": "iframe",
        },
    ],
    ids=["icon", "fetch", "xhr", "json", "htmx", "iframe"],
)
def test_what_the_browser_fetches_by_itself_is_refused_not_sent_to_setup(
    coordinator_without_totp, headers
):
    response = client_for(coordinator_without_totp).get("/data/", **headers)
    assert response.status_code == 403
    assert "Location" not in response


def test_a_page_navigation_is_sent_to_setup(coordinator_without_totp):
    response = client_for(coordinator_without_totp).get("/data/", **NAVIGATION_HEADERS)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE


def test_the_setup_secret_stays_the_same_while_the_browser_fetches_around_it(
    coordinator_without_totp, django_capture_on_commit_callbacks
):
    client = reauthenticate(log_in(coordinator_without_totp), ACTIVATE)
    first = client.get(ACTIVATE, **NAVIGATION_HEADERS)
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in first.content.decode()
    # What Chromium does next: the icon, a missing icon path, and the person reloading the page.
    client.get("/favicon.ico", **FAVICON_HEADERS)
    client.get("/apple-touch-icon-120x120.png", **FAVICON_HEADERS)
    again = client.get(ACTIVATE, **NAVIGATION_HEADERS)
    assert client.session[SECRET_SESSION_KEY] == secret
    assert secret in again.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert SECRET_SESSION_KEY not in client.session  # a later setup gets a new secret
