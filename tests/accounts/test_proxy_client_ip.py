"""Issue 12 item 1: behind the documented proxy every request comes from 127.0.0.1; the
client's address is the X-Forwarded-For entry the proxy wrote, for allauth's rate limits, the
API throttle and the audit log alike, and only when a proxy is configured."""

import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from rest_framework.request import Request

from accounts.api_auth import TokenRateThrottle
from accounts.audit import client_ip
from accounts.models import AuditEvent, Role
from tests.accounts.conftest import PASSWORD
from tests.factories import make_user
from tests.test_settings import production_env

PROXY = "127.0.0.1"  # gunicorn binds here; nginx is the only client (deploy/)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    return settings


def via_proxy(address):
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def fail_logins(client, n):
    for i in range(n):
        client.post(reverse("account_login"), {"login": f"nobody{i}@x.dk", "password": "gæt"})


def logged_in(client):
    return client.session.get("_auth_user_id")


def test_failing_logins_through_the_proxy_does_not_lock_out_another_address(behind_proxy, db):
    lolland = make_user(Role.OFFICER, ["360"])
    attacker = via_proxy("203.0.113.5")
    fail_logins(attacker, 6)
    # The attacker's own address is limited ...
    response = attacker.post(
        reverse("account_login"), {"login": lolland.email, "password": PASSWORD}
    )
    assert logged_in(attacker) is None
    assert "For mange mislykkede forsøg" in response.content.decode()
    # ... and an officer elsewhere, through the same proxy, logs in.
    officer = via_proxy("198.51.100.7")
    officer.post(reverse("account_login"), {"login": lolland.email, "password": PASSWORD})
    assert logged_in(officer) == str(lolland.pk)


def test_forging_x_forwarded_for_without_a_proxy_does_not_escape_the_limit(settings, db):
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0  # tests run as a direct server
    lolland = make_user(Role.OFFICER, ["360"])
    for i in range(6):
        forged = Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
        fail_logins(forged, 1)
    forged = Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.9.9.9")
    forged.post(reverse("account_login"), {"login": lolland.email, "password": PASSWORD})
    assert logged_in(forged) is None


def test_spreading_password_guesses_over_many_addresses_meets_the_per_account_limit(
    behind_proxy, db
):
    lolland = make_user(Role.OFFICER, ["360"])
    for i in range(5):
        via_proxy(f"203.0.113.{i + 1}").post(
            reverse("account_login"), {"login": lolland.email, "password": "gæt"}
        )
    guesser = via_proxy("203.0.113.99")
    guesser.post(reverse("account_login"), {"login": lolland.email, "password": PASSWORD})
    assert logged_in(guesser) is None


def test_the_audit_log_records_the_address_the_proxy_saw_not_a_forged_one(behind_proxy, db):
    lolland = make_user(Role.OFFICER, ["360"])
    # nginx overwrites X-Forwarded-For; a second proxy would append. Only the trusted hop counts.
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    client.post(reverse("account_login"), {"login": lolland.email, "password": PASSWORD})
    assert AuditEvent.objects.get(action="auth.login").ip == "198.51.100.7"


def test_forging_x_forwarded_for_without_a_proxy_does_not_change_the_audited_address(rf, db):
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "192.0.2.10"


def test_forging_x_forwarded_for_without_a_proxy_does_not_change_the_api_throttle_key(rf):
    request = Request(
        rf.get("/api/v1/rounds/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="6.6.6.6")
    )
    assert TokenRateThrottle().get_ident(request) == "203.0.113.5"


def test_the_api_throttle_counts_the_address_the_proxy_saw(behind_proxy, rf):
    request = Request(
        rf.get("/api/v1/rounds/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    )
    assert TokenRateThrottle().get_ident(request) == "203.0.113.5"


def test_the_production_default_trusts_exactly_the_one_proxy_of_deploy_nginx(tmp_path):
    conf = (django_settings.BASE_DIR / "deploy" / "nginx.conf").read_text()
    # nginx replaces (not appends to) the header: exactly one trusted hop.
    assert re.search(r"proxy_set_header X-Forwarded-For \$remote_addr;", conf)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT, "
        "s.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    env = production_env(tmp_path, SECRET_KEY="x" * 50, ALLOWED_HOSTS="indberet.example.dk")
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1", "1"]
