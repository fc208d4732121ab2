"""Sessions: a new one at login, an idle timeout with a warning and an extend button, an absolute
lifetime, and logout or deactivation ends them."""

import re
from datetime import UTC, datetime

import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.services import deactivate_user
from accounts.tokens import authenticate_token, create_token
from tests.conftest import client_for

PASSWORD = "correct horse battery"
START = datetime(2026, 2, 16, 9, 0, tzinfo=UTC)


def password_login(client, user):
    response = client.post("/konto/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def test_login_starts_a_new_session(client, lolland):
    client.get("/konto/login/")
    client.session.save()
    before = client.session.session_key
    password_login(client, lolland)
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_logout_ends_the_session(client, lolland):
    password_login(client, lolland)
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    response = client.post(reverse("account_logout"))
    assert response["Location"] == reverse("account_login")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/")["Location"].startswith("/konto/login/")
    # The old cookie, replayed by someone who copied it, opens nothing.
    thief = Client()
    thief.cookies["sessionid"] = key
    assert thief.get("/")["Location"].startswith("/konto/login/")


def test_a_quiet_session_ends_after_the_idle_timeout(lolland, settings):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        password_login(client, lolland)
        traveller.shift(settings.SESSION_COOKIE_AGE - 60)
        assert client.get("/").status_code == 200  # activity renews the idle clock
        traveller.shift(settings.SESSION_COOKIE_AGE - 60)
        assert client.get("/").status_code == 200
        traveller.shift(settings.SESSION_COOKIE_AGE + 1)
        assert client.get("/")["Location"].startswith("/konto/login/")


def test_extending_the_session_renews_the_idle_timeout(lolland, settings):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        password_login(client, lolland)
        for _ in range(3):
            traveller.shift(settings.SESSION_COOKIE_AGE - 60)
            response = client.post(reverse("session_extend"))
            assert response.json() == {"ok": True, "idle_seconds": settings.SESSION_COOKIE_AGE}
        assert client.get("/").status_code == 200


def test_an_active_session_still_ends_at_the_absolute_lifetime(lolland, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3 * 60 * 60
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        password_login(client, lolland)
        for _ in range(5):  # busy all the time: 5 × 35 minutes
            traveller.shift(35 * 60)
            assert client.get("/").status_code == 200
        traveller.shift(35 * 60)  # 3 h 30 min after login
        response = client.get("/", follow=True)
        assert response.redirect_chain[-1][0].startswith("/konto/login/")
        assert "sessionen var for gammel" in response.content.decode()
    assert "_auth_user_id" not in client.session
    logout = AuditEvent.objects.get(action="auth.logout", actor=lolland)
    assert logout.detail == {"reason": "absolute_lifetime"}


def test_the_absolute_lifetime_counts_from_the_latest_login(lolland, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 60 * 60
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        password_login(client, lolland)
        traveller.shift(50 * 60)
        client.post(reverse("account_logout"))
        password_login(client, lolland)
        traveller.shift(50 * 60)
        assert client.get("/").status_code == 200


def test_the_api_also_ends_an_old_session(lolland, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 60
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        password_login(client, lolland)
        traveller.shift(61)
        client.get("/api/v1/schema/")
        assert "_auth_user_id" not in client.session


def test_signed_in_pages_carry_the_session_warning_script_and_csrf_meta(as_lolland):
    body = as_lolland.get("/").content.decode()
    assert 'id="session-warning"' in body
    assert 'data-session-extend-url="/session/forlaeng/"' in body
    assert re.search(r'<script src="/static/js/session\.js"></script>', body)
    assert re.search(r'<meta name="csrf-token" content="[A-Za-z0-9]{32,}">', body)


def test_the_session_script_is_not_loaded_for_anonymous_visitors(client, db):
    body = client.get("/konto/login/").content.decode()
    assert "session.js" not in body
    assert 'id="session-warning"' not in body


def test_the_extend_button_works_with_the_csrf_token_from_the_page(lolland):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lolland)
    body = client.get("/").content.decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', body).group(1)
    assert client.post(reverse("session_extend"), HTTP_X_CSRFTOKEN=token).status_code == 200
    assert client.post(reverse("session_extend"), HTTP_X_CSRFTOKEN="forged" * 6).status_code == 403
    assert client.post(reverse("session_extend")).status_code == 403


def test_the_extend_url_refuses_anonymous_visitors_and_get(client, as_lolland):
    assert client.post(reverse("session_extend"))["Location"].startswith("/konto/login/")
    assert as_lolland.get(reverse("session_extend")).status_code == 405


def test_deactivating_a_user_ends_their_sessions_and_revokes_their_tokens(
    lolland, odder, coordinator
):
    lolland_client, odder_client = client_for(lolland), client_for(odder)
    _, raw = create_token(lolland, "script")
    _, odder_raw = create_token(odder, "script")
    deactivate_user(lolland, actor=coordinator)
    assert lolland_client.get("/")["Location"].startswith("/konto/login/")
    assert authenticate_token(raw) is None
    # The outsider keeps their session and token.
    assert odder_client.get("/").status_code == 200
    assert authenticate_token(odder_raw) == odder
