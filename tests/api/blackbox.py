"""Black-box schemathesis: the API as an integrator meets it, served by gunicorn on
PostgreSQL, tested from the outside with a token of every role, all checks, in the coverage,
fuzzing and stateful phases with a bounded number of examples. Any failure of any
role fails the run (exit status 1). Run by .ci/run:

    .venv/bin/python -m tests.api.blackbox

Environment: BLACKBOX_DATABASE_URL (a PostgreSQL database it drops and creates; default
postgres://postgres@127.0.0.1:5432/indberet_blackbox), BLACKBOX_PORT (default 8790),
BLACKBOX_EXAMPLES (examples per operation and phase; default 5). Reports (JUnit) and the
server's log go to var/blackbox/.
"""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Every role with a token (the coordinator, who changes most, last). Requests without a token
# are covered in every run by the `ignored_auth` check.
ROLES = ["officer", "analyst", "coordinator"]
SLUG = "jml-2026-02"


def _env(database_url):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TESTING")}
    # A workaround for a bug of Python 3.11.7's ast module that schemathesis meets (the module
    # says which); loaded by schemathesis itself.
    env["SCHEMATHESIS_HOOKS"] = "tests.api.blackbox_hooks"
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        TASKS_BACKEND="immediate",
        API_RATE="1000000/minute",
        LOG_LEVEL="ERROR",
        VAR_DIR=str(ROOT / "var" / "blackbox"),
    )
    return env


def _recreate_database(database_url):
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(database_url)
    if "postgresql" not in db["ENGINE"]:
        sys.exit("blackbox: BLACKBOX_DATABASE_URL must be a PostgreSQL database")
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def seed():
    """(In a process with the black-box environment.) Schema, municipalities, a user of each
    role, rounds in every state; prints the tokens as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    from django.core.management import call_command

    for command in ("migrate", "createcachetable", "load_municipalities"):
        call_command(command, verbosity=0)

    from accounts.models import Role
    from accounts.tokens import create_token
    from tests.factories import make_round, make_submission, make_user

    users = {
        "officer": make_user(Role.OFFICER, ["360"], email="officer@blackbox.dk"),
        "analyst": make_user(Role.ANALYST, email="analyst@blackbox.dk"),
        "coordinator": make_user(Role.COORDINATOR, email="coordinator@blackbox.dk"),
    }
    earlier = make_round(codes=["360", "727"], slug="jml-2025-09", state="closed")
    make_submission(earlier, "360", {"pupils_8_9": 190, "enrolled": 8})
    current = make_round(codes=["360", "727", "101"], slug=SLUG, previous=earlier)
    make_submission(current, "727", {"pupils_8_9": 200, "enrolled": 10, "comment": ""})
    make_submission(current, "360", {"pupils_8_9": 100, "enrolled": 30}, state="draft")
    make_round("proevehandlinger", codes=["360"], slug="ph-2026")
    make_round(codes=["360"], slug="still-draft", state="draft")
    tokens = {role: create_token(user, "blackbox")[1] for role, user in users.items()}
    print(json.dumps(tokens))


def _wait_for(url, server, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("blackbox: gunicorn stopped during start-up (see var/blackbox/gunicorn.log)")
        try:
            with urllib.request.urlopen(url, timeout=60):  # noqa: S310 (our own local server)
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    sys.exit(f"blackbox: {url} did not answer within {timeout} s")


def main():
    database_url = os.environ.get(
        "BLACKBOX_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/indberet_blackbox"
    )
    port = int(os.environ.get("BLACKBOX_PORT", "8790"))
    examples = os.environ.get("BLACKBOX_EXAMPLES", "5")
    env = _env(database_url)
    out = ROOT / "var" / "blackbox"
    out.mkdir(parents=True, exist_ok=True)

    _recreate_database(database_url)
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.api.blackbox", "seed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    tokens = json.loads(seeded.stdout.strip().splitlines()[-1])

    base = f"http://127.0.0.1:{port}"
    with open(out / "gunicorn.log", "w") as log:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    failed = []
    try:
        _wait_for(f"{base}/api/v1/schema/?format=json", server)
        for role in ROLES:
            command = [
                str(BIN / "schemathesis"),
                "--config-file",
                str(ROOT / "tests" / "api" / "schemathesis.toml"),
                "run",
                f"{base}/api/v1/schema/?format=json",
                "--url",
                base,
                "--checks",
                "all",
                "--phases",
                "coverage,fuzzing,stateful",
                "--max-examples",
                examples,
                "--seed",
                "20260202",
                "--workers",
                "2",
                "--request-timeout",
                "120",  # a PDF report on a busy machine
                "--suppress-health-check",
                "all",
                "--header",
                "Accept-Language: en",
                "--report",
                "junit",
                "--report-junit-path",
                str(out / f"{role}.xml"),
            ]
            command += ["--header", f"Authorization: Token {tokens[role]}"]
            print(f"== schemathesis as {role}", flush=True)
            if subprocess.run(command, cwd=ROOT, env=env).returncode != 0:
                failed.append(role)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failed:
        print(f"blackbox: schemathesis found failures as {', '.join(failed)}", flush=True)
        sys.exit(1)
    print(f"blackbox: {len(ROLES)} passed, 0 failed", flush=True)


if __name__ == "__main__":
    seed() if sys.argv[1:] == ["seed"] else main()
