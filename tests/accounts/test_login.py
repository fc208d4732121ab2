"""Logging in: by password, by a one-time code sent by e-mail, and the limits on guessing."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.accounts.conftest import login_code_in
from tests.factories import make_user


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_an_officer_logs_in_with_email_and_password(client, lolland, password):
    response = client.post(reverse("account_login"), {"login": lolland.email, "password": password})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(lolland.pk)


def test_the_email_is_matched_without_regard_to_case(client, lolland, password):
    client.post(reverse("account_login"), {"login": "Officer@Lolland.DK", "password": password})

    assert logged_in_user_id(client) == str(lolland.pk)


def test_a_coordinator_with_the_right_password_is_asked_for_the_two_factor_code(
    client, coordinator, password
):
    response = client.post(
        reverse("account_login"), {"login": coordinator.email, "password": password}
    )

    assert response["Location"] == reverse("mfa_authenticate")
    assert logged_in_user_id(client) is None
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "To-faktor-autentificering" in page
    assert 'class="form-input"' in page


def test_a_wrong_password_is_refused_with_a_danish_message(client, lolland):
    response = client.post(
        reverse("account_login"), {"login": lolland.email, "password": "forkert kodeord"}
    )

    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    page = response.content.decode()
    assert "E-mailadressen eller adgangskoden er forkert." in page
    assert 'class="alert alert-error error-summary" role="alert"' in page


def test_a_missing_field_is_marked_on_the_field_and_linked_from_the_summary(client, db):
    page = client.post(reverse("account_login"), {"login": "", "password": ""}).content.decode()

    assert '<div class="form-group form-error">' in page
    assert '<span class="form-error-message" id="id_login-error">' in page
    assert 'aria-describedby="id_login-error"' in page
    assert 'aria-invalid="true"' in page
    assert '<a class="function-link" href="#id_login">' in page
    assert "Dette felt er påkrævet." in page


def test_repeated_failed_logins_are_stopped_even_with_the_right_password_afterwards(
    client, lolland, password, settings
):
    # settings.ACCOUNT_RATE_LIMITS["login_failed"] allows 5 failures per 5 minutes per e-mail.
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"].startswith("5/5m")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": lolland.email, "password": "gæt"})

    response = client.post(reverse("account_login"), {"login": lolland.email, "password": password})

    assert logged_in_user_id(client) is None
    assert response.status_code in (200, 429)
    assert "For mange mislykkede forsøg på at logge ind. Prøv igen senere." in (
        response.content.decode()
    )


def test_the_failure_limit_for_one_email_does_not_lock_out_another(
    client, lolland, odder, password
):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": lolland.email, "password": "gæt"})

    other = Client(REMOTE_ADDR="10.0.0.2")
    other.post(reverse("account_login"), {"login": odder.email, "password": password})

    assert logged_in_user_id(other) == str(odder.pk)


def test_too_many_login_requests_answer_429_with_a_danish_page(client, lolland, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        client.post(reverse("account_login"), {"login": lolland.email, "password": "gæt"})

    response = client.post(reverse("account_login"), {"login": lolland.email, "password": "gæt"})

    assert response.status_code == 429
    assert "For mange forsøg" in response.content.decode()


def test_rate_limits_are_counted_in_the_database_cache(settings):
    # A memory cache would count per process; the database cache is shared by all workers.
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_an_officer_logs_in_with_a_code_sent_by_email(client, lolland, mailoutbox):
    response = client.post(reverse("account_request_login_code"), {"email": lolland.email})
    assert response["Location"] == reverse("account_confirm_login_code")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [lolland.email]
    code = login_code_in(mailoutbox[0])

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(lolland.pk)


def test_the_login_code_email_is_danish(client, lolland, mailoutbox):
    client.post(reverse("account_request_login_code"), {"email": lolland.email})

    message = mailoutbox[0]
    assert message.subject.startswith("[Indberet] ")
    assert "Her er din login-kode" in message.body
    assert "Indberet" in message.body


def test_a_wrong_login_code_is_refused(client, lolland, mailoutbox):
    client.post(reverse("account_request_login_code"), {"email": lolland.email})

    response = client.post(reverse("account_confirm_login_code"), {"code": "XXXXXX"})

    assert logged_in_user_id(client) is None
    page = response.content.decode()
    assert "Forkert kode." in page
    assert 'id="id_code-error"' in page


def test_a_code_cannot_be_requested_for_an_unknown_address_without_telling_who_exists(
    client, db, mailoutbox
):
    response = client.post(reverse("account_request_login_code"), {"email": "ingen@example.dk"})

    # allauth does not reveal whether the address exists; nobody gets a code.
    assert response.status_code in (200, 302)
    assert all("login-kode" not in m.body for m in mailoutbox)


def test_password_reset_sends_a_danish_email_with_a_link(client, lolland, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": lolland.email})

    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "nulstille adgangskoden" in body
    assert re.search(r"https?://testserver/konto/password/reset/key/\S+", body)


def test_an_officer_may_set_up_two_factor_but_is_not_forced_to(as_lolland):
    response = as_lolland.get(reverse("home"))
    assert response.status_code == 200

    page = as_lolland.get(reverse("mfa_index")).content.decode()
    assert "Autentificeringsapp" in page
    assert reverse("mfa_activate_totp") in page


def test_the_admin_login_is_allauths_login(client, db):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_a_logged_in_person_without_staff_access_is_refused_by_the_admin(as_lolland):
    assert as_lolland.get("/admin/login/").status_code == 403


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COORDINATOR])
def test_a_deactivated_user_cannot_log_in(client, db, role, password):
    user = make_user(role, email=f"gone-{role}@example.dk", is_active=False)

    client.post(reverse("account_login"), {"login": user.email, "password": password})

    assert logged_in_user_id(client) is None


def test_the_code_button_submits_the_login_form_to_the_code_request(client, db):
    page = client.get(reverse("account_login")).content.decode()

    assert '<form method="post" action="/konto/login/" id="login-form"' in page
    button = re.search(r"<button[^>]*>\s*Send mig en login-kode\s*</button>", page)
    assert button, "the code request is a button of the login form, not a link"
    assert 'form="login-form"' in button.group(0)
    assert f'formaction="{reverse("account_request_login_code")}"' in button.group(0)


def test_the_email_typed_on_the_login_page_gets_the_code_at_once(client, lolland, mailoutbox):
    # What the browser sends when "Send mig en login-kode" is pressed: the login form's fields.
    response = client.post(
        reverse("account_request_login_code"),
        {"login": " Officer@Lolland.dk ", "password": "", "next": "/indberet/"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code") + "?next=%2Findberet%2F"
    assert [m.to for m in mailoutbox] == [[lolland.email]]
    client.post(response["Location"], {"code": login_code_in(mailoutbox[0]), "next": "/indberet/"})
    assert logged_in_user_id(client) == str(lolland.pk)


def test_the_code_button_with_nothing_typed_shows_the_code_form_without_an_error(
    client, db, mailoutbox
):
    response = client.post(reverse("account_request_login_code"), {"login": "", "password": ""})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="email"' in page
    assert "påkrævet" not in page and "errorlist" not in page
    assert mailoutbox == []


def test_a_bad_address_typed_on_the_login_page_is_shown_on_the_code_form(client, db, mailoutbox):
    response = client.post(
        reverse("account_request_login_code"), {"login": "lone@", "password": ""}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="lone@"' in page
    assert 'id="id_email-error"' in page
    assert mailoutbox == []


def test_a_fresh_login_is_not_asked_for_the_password_again_to_set_up_two_factor(db, password):
    coordinator = make_user(Role.COORDINATOR, email="ny@indberet.dk", mfa=False)
    client = Client()
    client.post(reverse("account_login"), {"login": coordinator.email, "password": password})

    response = client.get("/", HTTP_ACCEPT="text/html", follow=True)

    assert [url for url, _ in response.redirect_chain] == [reverse("mfa_activate_totp")]
    assert response.status_code == 200


def test_a_login_by_code_counts_as_recent_too(client, lolland, mailoutbox):
    client.post(reverse("account_request_login_code"), {"email": lolland.email})
    client.post(reverse("account_confirm_login_code"), {"code": login_code_in(mailoutbox[0])})

    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_a_login_older_than_the_reauthentication_timeout_asks_for_the_password(
    db, password, settings
):
    officer = make_user(Role.OFFICER, ["360"], email="gammel@lolland.dk")
    client = Client()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        client.post(reverse("account_login"), {"login": officer.email, "password": password})
    later = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=301)
    with time_machine.travel(later, tick=False):
        response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
