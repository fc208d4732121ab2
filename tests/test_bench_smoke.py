"""`make bench` cannot rot: its harness runs end to end at a tiny size, every step of it.

A does-it-run test, not a timing one: tests/bench/run.py builds 20 municipalities × 2 rounds
(and 10 × 2) in a database of its own, starts gunicorn with the production settings
(prepared statements on, as deployed), runs every step once, and every figure must come out
as a measurement — none "error", none "not available". The bench needs PostgreSQL (COPY is
what exports are compared with); without one it is skipped, except on CI, where it fails.
"""

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]

# Every step's headline figures; each must be measured (status "ok").
FIGURES = [
    "dataset_build_seconds",
    "tracking_board_queries_equal",
    "officer_home_queries_equal",
    "tracking_board_n1000_ms",
    "officer_home_1_municipality_ms",
    "bare_floor_p95_ms",
    "save_submit_p95_ms",
    "save_submit_p95_ratio_to_floor",
    "save_submit_paced_p95_ms",
    "save_queries",
    "export_csv_wide_ratio_to_copy",
    "export_csv_long_ratio_to_copy",
    "export_xlsx_seconds",
    "pdf_report_n98_seconds",
    "pdf_report_n1000_seconds",
    "send_reminders_seconds",
    "rules_worst_save_n200_ms",
]


def postgres_server():
    """The PostgreSQL server to build the bench database on: the test database's server if
    the suite runs on PostgreSQL, else BENCH_PG or the local default."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def require_postgresql(server):
    import psycopg

    try:
        psycopg.connect(f"{server}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"The bench smoke test must run on CI; PostgreSQL unreachable: {exc}")
        pytest.skip(f"The bench needs PostgreSQL ({server} unreachable; set BENCH_PG).")


def drop_database(server, name):
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_bench_runs_every_step_at_a_tiny_size(tmp_path):
    server = postgres_server()
    require_postgresql(server)
    name = f"indberet_bench_smoke_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "BENCH_PG": server,
        "BENCH_DB": name,
        "BENCH_OUT": str(tmp_path),
        # Collected static files are kept between runs (collecting them takes a while).
        "BENCH_VAR": str(ROOT / "var" / "bench-smoke"),
        "BENCH_N": "20",
        "BENCH_R": "2",
        "BENCH_SMALL": "10",
        "BENCH_RUNS": "1",
        "BENCH_EXPORT_RUNS": "1",
        "BENCH_PARALLEL_COPY": "0",
        "BENCH_SAMPLES": "2",
        "BENCH_USERS": "4",
        # A run ends when its 20 municipalities have saved and submitted; the time is a cap.
        "BENCH_LOAD_SECONDS": "10",
        "BENCH_PACED_WAIT": "0.2",
        "BENCH_PROFILE": "0",
        "BENCH_REDIS_URL": "",  # the database cache: nothing shared with other runs
    }
    for key in ("BENCH_ONLY", "BENCH_REUSE_DB", "BENCH_PORT", "DATABASE_URL"):
        env.pop(key, None)
    # Its own process group: on a timeout the bench's children (gunicorn, locust,
    # manage.py) are stopped with it.
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "bench" / "run.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, _ = proc.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        stdout, _ = proc.communicate()
    finally:
        drop_database(server, name)
    output = stdout[-4000:]
    results = tmp_path / "results.json"
    assert results.exists(), output
    figures = json.loads(results.read_text())["figures"]
    broken = {k: f.get("error") for k, f in figures.items() if f["status"] == "error"}
    assert not broken, f"{broken}\n{output}"
    missing = {k: figures.get(k, {}).get("status") for k in FIGURES}
    assert {k: v for k, v in missing.items() if v != "ok"} == {}, output
    assert proc.returncode == 0, output
