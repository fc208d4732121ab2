"""Settings come from environment variables through small typed helpers that fail loudly, and
the production configuration passes Django's deployment checklist."""

import os
import secrets
import subprocess
import sys

import dj_database_url
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from backend.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_str,
    postgres_prepared_statements,
    postgres_without_jit,
)

MANAGE = str(settings.BASE_DIR / "manage.py")


@pytest.mark.parametrize("value", ["maybe", "2", "ja", "tru"])
def test_a_boolean_that_is_not_a_boolean_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("INDBERET_FLAG", value)

    with pytest.raises(ImproperlyConfigured, match="INDBERET_FLAG"):
        env_bool("INDBERET_FLAG")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("Yes", True), ("on", True), ("0", False), ("off", False)],
)
def test_booleans_accept_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("INDBERET_FLAG", value)

    assert env_bool("INDBERET_FLAG") is expected


def test_an_unset_boolean_takes_its_default(monkeypatch):
    monkeypatch.delenv("INDBERET_FLAG", raising=False)

    assert env_bool("INDBERET_FLAG", True) is True


@pytest.mark.parametrize("value", ["x", "1.5", "ten"])
def test_an_integer_that_is_not_an_integer_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("INDBERET_NUMBER", value)

    with pytest.raises(ImproperlyConfigured, match="INDBERET_NUMBER"):
        env_int("INDBERET_NUMBER", 3)


def test_integers_and_their_default(monkeypatch):
    monkeypatch.setenv("INDBERET_NUMBER", "42")
    assert env_int("INDBERET_NUMBER", 3) == 42
    monkeypatch.delenv("INDBERET_NUMBER")
    assert env_int("INDBERET_NUMBER", 3) == 3


@pytest.mark.parametrize(
    "value", ["nonsense://x", "postgres://", "localhost:5432/indberet", "://", "postgres//x@y"]
)
def test_a_malformed_database_url_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("INDBERET_DB", value)

    with pytest.raises(ImproperlyConfigured, match="INDBERET_DB"):
        env_database("INDBERET_DB", "sqlite:///default.sqlite3")


def test_a_postgres_url_becomes_a_postgres_database(monkeypatch):
    monkeypatch.setenv("INDBERET_DB", "postgres://indberet:hemmelig@db.example:5433/indberet")

    config = env_database("INDBERET_DB", "sqlite:///default.sqlite3")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "indberet")


@pytest.mark.parametrize(
    "url, options",
    [
        ("postgres://indberet@db/indberet", "-c jit=off"),
        (
            "postgres://indberet@db/indberet?options=-c%20statement_timeout%3D5000",
            "-c statement_timeout=5000 -c jit=off",
        ),
        ("postgres://indberet@db/indberet?options=-c%20jit%3Don", "-c jit=on"),
    ],
)
def test_postgres_connections_run_without_jit_keeping_the_urls_own_options(
    monkeypatch, url, options
):
    monkeypatch.setenv("INDBERET_DB", url)

    config = postgres_without_jit(env_database("INDBERET_DB", "sqlite:///default.sqlite3"))

    assert config["OPTIONS"]["options"] == options


def test_sqlite_gets_no_jit_option():
    config = postgres_without_jit(dj_database_url.parse("sqlite:////tmp/indberet.sqlite3"))

    assert "options" not in config.get("OPTIONS", {})


def test_postgres_uses_prepared_statements_unless_switched_off():
    url = "postgres://indberet@db/indberet"

    config = postgres_prepared_statements(dj_database_url.parse(url))
    assert config["OPTIONS"]["server_side_binding"] is True
    assert config["OPTIONS"]["prepare_threshold"] == 5

    off = postgres_prepared_statements(dj_database_url.parse(url), enabled=False)
    assert "server_side_binding" not in off.get("OPTIONS", {})
    sqlite = postgres_prepared_statements(dj_database_url.parse("sqlite:////tmp/x.sqlite3"))
    assert "server_side_binding" not in sqlite.get("OPTIONS", {})


def test_the_database_defaults_to_sqlite(monkeypatch):
    monkeypatch.delenv("INDBERET_DB", raising=False)

    config = env_database("INDBERET_DB", "sqlite:////tmp/indberet.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"


def test_a_required_string_that_is_missing_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("INDBERET_SECRET", "")

    with pytest.raises(ImproperlyConfigured, match="INDBERET_SECRET"):
        env_str("INDBERET_SECRET", required=True)


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("INDBERET_HOSTS", "indberet.example, www.indberet.example,")

    assert env_list("INDBERET_HOSTS") == ["indberet.example", "www.indberet.example"]


def test_the_site_is_danish_in_copenhagen_time():
    assert settings.LANGUAGE_CODE == "da"
    assert settings.TIME_ZONE == "Europe/Copenhagen"
    assert [code for code, _ in settings.LANGUAGES] == ["da", "en"]


# --- The settings module as a fresh process sees it (not under pytest, so TESTING is off) ----


def production_env(tmp_path, **extra):
    """The environment of a production start: no DEBUG, no pytest, only what is given."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "backend.settings",
    }
    env.update(extra)
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    env = production_env(
        tmp_path, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="indberet.example"
    )

    result = manage(env, "check", "--deploy")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_missing_secret_key_in_production_stops_start_up_with_one_line(tmp_path):
    result = manage(production_env(tmp_path, ALLOWED_HOSTS="indberet.example"), "check")

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]


def test_a_malformed_database_url_stops_start_up_with_one_line(tmp_path):
    env = production_env(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="indberet.example",
        DATABASE_URL="postgres//indberet@localhost",
    )

    result = manage(env, "check")

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]


def test_a_bad_boolean_in_the_environment_stops_start_up_naming_it(tmp_path):
    result = manage(production_env(tmp_path, DEBUG="maybe"), "check")

    assert result.returncode != 0
    assert "DEBUG" in result.stderr.strip().splitlines()[-1]


def settings_value(tmp_path, expression, **extra):
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=production_env(tmp_path, DEBUG="1", **extra),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_cache_is_the_database_by_default_and_redis_when_configured(tmp_path):
    backend = "settings.CACHES['default']['BACKEND']"

    assert settings_value(tmp_path, backend) == "django.core.cache.backends.db.DatabaseCache"
    assert (
        settings_value(tmp_path, backend, REDIS_URL="redis://127.0.0.1:6379/0")
        == "django_redis.cache.RedisCache"
    )


def test_debug_writes_mail_to_files_a_person_can_read(tmp_path):
    assert settings_value(tmp_path, "settings.EMAIL_BACKEND").endswith("filebased.EmailBackend")
    assert settings_value(tmp_path, "settings.EMAIL_FILE_PATH") == str(tmp_path / "var" / "mail")


def test_production_cookies_are_secure_and_https_is_enforced(tmp_path):
    env = production_env(
        tmp_path, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="indberet.example"
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.stdout.split() == ["True", "True", "True", "False"], result.stderr
