"""Issue 12 item 8: API tokens do not outlive the controls around them — they expire (one
year by default, shown on the page), creating one needs a recent authentication, a new
password revokes them, and the two-factor policy looks at the user a request acts as."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, AuditEvent, Role
from accounts.tokens import create_token
from tests.accounts.conftest import PASSWORD
from tests.accounts.test_two_factor import reauthenticate
from tests.factories import make_user

PAGE = "/konto/api-noegler/"
ROUNDS = "/api/v1/rounds/"
NEW = "Nyt-kodeord-2026!"


def api(raw, client=None):
    return (client or Client()).get(ROUNDS, HTTP_AUTHORIZATION=f"Token {raw}")


def test_using_a_token_after_its_expiry_is_refused(lolland):
    _token, raw = create_token(lolland, "script")
    assert api(raw).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=366)):
        assert api(raw).status_code == 401


def test_a_token_made_on_the_page_expires_in_a_year_by_default_and_the_page_says_so(
    as_lolland, lolland
):
    reauthenticate(as_lolland, PAGE)
    as_lolland.post(PAGE, {"action": "create", "name": "R"})
    token = ApiToken.objects.get(user=lolland)
    assert timedelta(days=364) < token.expires_at - timezone.now() <= timedelta(days=365)
    page = as_lolland.get(PAGE).content.decode()
    assert "Udløber" in page and "udløber efter 1 år" in page
    # The page shows the date in Copenhagen, which is a day ahead of UTC late in the evening.
    assert f"{timezone.localtime(token.expires_at):%Y-%m-%d}" in page


def test_creating_a_token_in_a_stale_session_asks_for_the_password_first(as_lolland, lolland):
    as_lolland.get(PAGE)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):  # login 10 minutes ago
        response = as_lolland.post(PAGE, {"action": "create", "name": "stjålet session"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not ApiToken.objects.filter(user=lolland).exists()
    # Listing and revoking do not ask.
    assert as_lolland.get(PAGE).status_code == 200


def test_using_a_token_after_the_password_was_changed_is_refused(lolland):
    _token, raw = create_token(lolland, "script")
    client = Client()
    client.post(reverse("account_login"), {"login": lolland.email, "password": PASSWORD})
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "Nyt-kodeord-2026!",
            "password2": "Nyt-kodeord-2026!",
        },
    )
    assert response.status_code == 302
    assert api(raw).status_code == 401
    assert AuditEvent.objects.filter(action="token.revoked_all", actor=lolland).exists()


def test_using_a_token_after_a_password_reset_is_refused(lolland, mailoutbox):
    import re

    _token, raw = create_token(lolland, "script")
    client = Client()
    client.post(reverse("account_reset_password"), {"email": lolland.email})
    link = re.search(r"https?://testserver(/konto/password/reset/key/\S+)", mailoutbox[-1].body)
    link = link.group(1)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": NEW, "password2": NEW},
    )
    lolland.refresh_from_db()
    assert lolland.check_password(NEW)
    assert api(raw).status_code == 401


def test_a_token_of_a_coordinator_without_totp_is_refused_even_with_an_officer_session(db):
    """The request acts as the token's owner (DRF tries the token first), so the policy must
    look at the token's owner, not at whoever the session belongs to."""
    officer = make_user(Role.OFFICER, ["360"])
    coordinator = make_user(Role.COORDINATOR, mfa=False)
    _token, raw = create_token(coordinator, "script")
    client = Client()
    client.force_login(officer)

    response = api(raw, client)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_expired_tokens_do_not_use_up_the_limit_of_active_tokens(as_lolland, lolland):
    from accounts.api_tokens_views import MAX_ACTIVE_TOKENS

    for n in range(MAX_ACTIVE_TOKENS):
        create_token(lolland, f"old {n}", expires_at=timezone.now() - timedelta(days=1))
    reauthenticate(as_lolland, PAGE)
    as_lolland.post(PAGE, {"action": "create", "name": "new"})
    assert ApiToken.objects.active().filter(user=lolland).get().name == "new"
