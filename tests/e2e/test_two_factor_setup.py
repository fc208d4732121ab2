"""Setting up two-factor in a real browser, icons and all: the QR code on the page is scanned,
the browser fetches whatever it fetches around the page, and the first code activates TOTP.

It failed before: Chromium asked for /favicon.ico after the page, the two-factor middleware
redirected that request to the setup page, and allauth made a new secret on every GET, so the
code from the QR code the person had just scanned was always wrong."""

import io
import time
from urllib.parse import parse_qs, urlparse

import pytest
import zxingcpp
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from PIL import Image

from accounts.models import Role
from tests.e2e.conftest import check_page
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory


def scan_qr(page):
    """The otpauth:// URL of the QR code on the page, read from its pixels as a phone would."""
    png = page.locator("img[src^='data:image/svg+xml']").screenshot()
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return result.text


def current_code(secret):
    # A code is good for the rest of its 30-second window only (no tolerance): on a busy
    # machine one computed in the last seconds was refused when it arrived. Wait for a new one.
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.1)
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ANALYST])
def test_a_new_coordinator_or_analyst_sets_up_two_factor_on_the_first_try(page, role):
    user = make_user(role, email=f"ny-{role}@indberet.dk", mfa=False)
    icon_responses = []
    page.on(
        "response",
        lambda r: icon_responses.append((r.url, r.status)) if "icon" in r.url else None,
    )

    page.goto("/konto/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").filter(has_text="Log ind").click()
    page.wait_for_load_state("networkidle")
    # The login just made counts as recent: no second password prompt before the setup.
    page.wait_for_url("**/konto/2fa/totp/activate/")
    page.wait_for_load_state("networkidle")

    otpauth = scan_qr(page)
    secret = parse_qs(urlparse(otpauth).query)["secret"][0]
    # Whatever else the browser and the page's scripts fetch meanwhile must not touch the setup:
    # the icons, an icon path that does not exist, and a script's fetch of another page.
    page.evaluate(
        """async () => {
            await new Promise(done => { const i = new Image(); i.onload = i.onerror = done;
                                         i.src = '/apple-touch-icon-120x120.png'; });
            await fetch('/data/');
            await fetch('/favicon.ico');
        }"""
    )
    page.wait_for_load_state("networkidle")
    # The browser fetched the icon the page declares, and no icon request was redirected.
    assert any(status == 200 for _, status in icon_responses), icon_responses
    assert not any(300 <= status < 400 for _, status in icon_responses), icon_responses
    check_page(page, f"two-factor setup {role}")

    page.fill("input[name=code]", current_code(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/konto/2fa/recovery-codes/")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    page.goto("/")
    assert "/konto/2fa/" not in page.url
