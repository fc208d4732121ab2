"""`make bench`: build a scaled dataset on PostgreSQL, run the app under gunicorn and measure
what DESIGN §8 and issue 7 ask for. Results: var/bench/results.json and a table on stdout.

Each figure calls a public entry point (a URL through gunicorn, a management command, or the
function a command calls); one that is not there yet is recorded as {"status": "not available"}
and the run goes on. gunicorn is stopped at the end whatever happens.

Environment knobs (defaults in brackets):
  BENCH_N [1000] BENCH_R [40]       dataset size (plus the real 98 × 2 rounds)
  BENCH_RUNS [3]                    runs of each measurement (median and p95 over the runs)
  BENCH_EXPORT_RUNS [max(RUNS, 5)]  export/COPY pairs per CSV format (median of pair ratios)
  BENCH_PARALLEL_COPY [1]           1: also time the COPY with parallel workers allowed
  BENCH_SAMPLES [20]                HTTP samples per page for page latency
  BENCH_USERS [20] BENCH_LOAD_SECONDS [30]   concurrent clients and duration of a load run
  BENCH_PACED_WAIT [3]              mean think time (s) of the paced load variant
  BENCH_SMALL [98]                  size of the small dataset (2 rounds; real municipalities)
  BENCH_REUSE_DB [0]                1: keep an existing database of that name (faster reruns)
  BENCH_PROFILE [0]                 1: also write pyinstrument profiles to <BENCH_OUT>/profiles/
  BENCH_PG [postgres://postgres@127.0.0.1:5432]  BENCH_DB [indberet_bench]
  BENCH_OUT [var/bench]             where results.json, logs and profiles go
  BENCH_VAR [<BENCH_OUT>/var]       the app's VAR_DIR (collected static files, mail)
  BENCH_PORT [a free port]          gunicorn's port on 127.0.0.1
  BENCH_REDIS_URL [redis://127.0.0.1:6379/9]  the cache; empty: the database cache
  BENCH_ONLY                        comma-separated step names to run (see STEPS)

Parallel runs need separate databases: each run holds a PostgreSQL advisory lock on its
database name and stops at once, saying so, if another run holds it (use BENCH_DB=…).
The exit status is 1 if any figure is "error" (tests/bench_smoke runs this at a tiny size).
"""

import json
import os
import platform
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PY = sys.executable
BIN = Path(PY).parent
OUT = Path(os.environ.get("BENCH_OUT") or ROOT / "var" / "bench")
PROFILES = OUT / "profiles"

N = int(os.environ.get("BENCH_N", "1000"))
R = int(os.environ.get("BENCH_R", "40"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "20"))
USERS = int(os.environ.get("BENCH_USERS", "20"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))
PACED_WAIT = float(os.environ.get("BENCH_PACED_WAIT", "3"))
REUSE_DB = os.environ.get("BENCH_REUSE_DB") == "1"
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = os.environ.get("BENCH_DB", "indberet_bench")
ONLY = {s for s in os.environ.get("BENCH_ONLY", "").split(",") if s}
CPUS = os.cpu_count()
SMALL = int(os.environ.get("BENCH_SMALL", "98"))  # real municipalities, 2 rounds
REAL = 98  # municipalities with official codes; synthetic ones (1001+) come after


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT") or free_port())
BASE = f"http://127.0.0.1:{PORT}"
ENV = {
    "DATABASE_URL": f"{PG}/{DB}",
    "DEBUG": "0",
    "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "VAR_DIR": os.environ.get("BENCH_VAR") or str(OUT / "var"),
    # As in production (docs/deploy.md): e-mails and big reports go to the worker's queue.
    "TASKS_BACKEND": "database",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
    "API_RATE": "1000000/minute",
    "LOG_LEVEL": "ERROR",
    "GUNICORN_BIND": f"127.0.0.1:{PORT}",
    "GUNICORN_LOG_LEVEL": "warning",
    "DJANGO_SETTINGS_MODULE": "backend.settings",
    "PYTHONPATH": str(ROOT),
}
os.environ.update(ENV)

TARGETS = {
    "save_submit_p95_ms": ("<=", 150),
    "save_submit_p95_ratio_to_floor": ("<=", 3),
    "tracking_board_n1000_ms": ("<=", 100),
    "export_csv_wide_ratio_to_copy": ("<=", 1.2),
    "export_csv_long_ratio_to_copy": ("<=", 1.2),
    "export_xlsx_seconds": ("<=", 5),
    "export_xlsx_peak_rss_mb": ("<=", 300),
    "export_csv_wide_peak_rss_mb": ("<=", 300),
    "export_csv_long_peak_rss_mb": ("<=", 300),
    "pdf_report_n98_seconds": ("<=", 2),
    "pdf_report_n1000_seconds": ("<=", 10),
    "rules_worst_save_n200_ms": ("<=", 100),
}


# --- Results


class Results:
    def __init__(self):
        self.figures = {}
        self.measured = set()  # keys put by this run (a BENCH_ONLY run keeps the others)
        self.started = time.time()
        previous = OUT / "results.json"
        if ONLY and previous.exists():
            # A partial run (BENCH_ONLY) updates the figures it measures and keeps the rest.
            self.figures = json.loads(previous.read_text()).get("figures", {})

    def put(self, key, value, unit, **extra):
        fig = {"value": value, "unit": unit, "cpu_count": CPUS, "status": "ok", **extra}
        if key in TARGETS:
            op, limit = TARGETS[key]
            fig["target"] = f"{op} {limit}"
            if isinstance(value, int | float):
                fig["meets_target"] = value <= limit
        fig["load_average"] = round(os.getloadavg()[0], 2)
        self.figures[key] = fig
        self.measured.add(key)
        return fig

    def unavailable(self, keys, why):
        for key in keys:
            self.figures[key] = {
                "status": "not available",
                "why": why,
                "value": None,
                "unit": None,
                "cpu_count": CPUS,
            }

    def failed(self, keys, exc):
        for key in keys:
            self.figures[key] = {
                "status": "error",
                "error": f"{type(exc).__name__}: {exc}"[:500],
                "value": None,
                "unit": None,
                "cpu_count": CPUS,
            }

    def write(self):
        OUT.mkdir(parents=True, exist_ok=True)
        data = {
            "machine": {
                "cpu_count": CPUS,
                "platform": platform.platform(),
                "python": platform.python_version(),
                "load_average_end": [round(x, 2) for x in os.getloadavg()],
            },
            "dataset": {"municipalities": N, "rounds": R, "small": [SMALL, 2]},
            "runs": RUNS,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.started)),
            "duration_seconds": round(time.time() - self.started, 1),
            "figures": self.figures,
        }
        (OUT / "results.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
        return data


RESULTS = Results()


def summary(samples):
    """Median, p95 (nearest rank), min, max and n of a list of numbers."""
    xs = sorted(samples)
    if not xs:
        return {}
    p95 = xs[min(len(xs) - 1, max(0, round(0.95 * len(xs) + 0.5) - 1))]
    return {
        "median": statistics.median(xs),
        "p95": p95,
        "min": xs[0],
        "max": xs[-1],
        "n": len(xs),
    }


def rounded(d, digits=3):
    return {k: round(v, digits) if isinstance(v, float) else v for k, v in d.items()}


def step(name, keys):
    """Decorator: run a measurement step, recording an error for its figures instead of
    stopping the run."""

    def wrap(fn):
        def run():
            if ONLY and name not in ONLY:
                return
            print(f"\n== {name}", flush=True)
            started = time.perf_counter()
            before = set(RESULTS.measured)
            try:
                fn()
            except Exception as exc:
                traceback.print_exc()
                RESULTS.failed([k for k in keys if k not in RESULTS.measured - before], exc)
            print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
            RESULTS.write()

        run.step_name = name
        return run

    return wrap


# --- Processes


def sh(args, *, check=True, capture=False, timeout=None):
    print("   $ " + " ".join(str(a) for a in args), flush=True)
    return subprocess.run(
        [str(a) for a in args],
        cwd=ROOT,
        env={**os.environ},
        check=check,
        text=True,
        capture_output=capture,
        timeout=timeout,
    )


def manage(*args, **kwargs):
    return sh([PY, "manage.py", *args], **kwargs)


def child(*args, profile=None, database_url=None):
    """Run tests/bench/child.py in a fresh process; return its JSON result."""
    # The PDF of a big round is a background task in production; inline here, so it is timed.
    env = {**os.environ, "TASKS_BACKEND": "immediate"}
    if database_url:
        env["DATABASE_URL"] = database_url
    if profile:
        env["PROFILE_TO"] = str(profile)
    proc = subprocess.run(
        [PY, str(ROOT / "tests" / "bench" / "child.py"), *args],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[:2]} failed: {proc.stderr[-1500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


GUNICORN = {"proc": None}


def start_gunicorn(**extra_env):
    log = open(OUT / "gunicorn.log", "a")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
        cwd=ROOT,
        # The production settings plus the bench-only floor URL (tests/bench/settings.py).
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.bench.settings", **extra_env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    GUNICORN["proc"] = proc
    import requests

    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({proc.returncode}); see {OUT}/gunicorn.log")
        try:
            if requests.get(BASE + "/konto/login/", timeout=2).status_code < 500:
                print(f"   gunicorn up on {BASE} (pid {proc.pid})", flush=True)
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within 90 s")


def stop_gunicorn():
    proc = GUNICORN["proc"]
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    GUNICORN["proc"] = None
    print("   gunicorn stopped", flush=True)


def _on_signal(signum, frame):
    raise SystemExit(128 + signum)


# --- Database and dataset


def lock_database():
    """Hold a session advisory lock on the database name for the whole run, so two runs never
    share (and drop) one database. Returns the connection that holds it."""
    import psycopg

    conn = psycopg.connect(f"{PG}/postgres", autocommit=True)
    key = f"indberet-bench:{DB}"
    if not conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key]).fetchone()[0]:
        conn.close()
        raise SystemExit(
            f"Another bench run is using the database {DB}; give this one its own "
            "(BENCH_DB=indberet_bench_<name>)."
        )
    return conn


def create_database():
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if exists and REUSE_DB:
            return False
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    return True


@step("dataset", ["dataset_build_seconds"])
def build_dataset():
    fresh = create_database()
    manage("migrate", "--noinput", "-v0")
    manage("createcachetable")
    manage("load_municipalities")
    collectstatic()
    if not fresh:
        print("   reusing the existing dataset (BENCH_REUSE_DB=1)", flush=True)
        analyze()
        return
    started = time.perf_counter()
    manage("generate_scale_data", "--municipalities", N, "--rounds", R, "--entries", 5)
    big = time.perf_counter() - started
    manage("generate_scale_data", "--municipalities", SMALL, "--rounds", 2)
    analyze()
    RESULTS.put(
        "dataset_build_seconds",
        round(big, 1),
        "s",
        note=f"generate_scale_data --municipalities {N} --rounds {R} --entries 5",
    )


def collectstatic():
    """collectstatic (hashing and compressing ~60 MB takes minutes on a busy machine), unless
    the files collected last time are newer than every source of them."""
    marker = Path(ENV["VAR_DIR"]) / "static" / ".bench-collected"
    sources = [ROOT / "static", ROOT / "node_modules" / "dkfds" / "dist"]
    newest = max(
        [(ROOT / "constraints.txt").stat().st_mtime]
        + [f.stat().st_mtime for d in sources for f in d.rglob("*") if f.is_file()]
    )
    if marker.exists() and marker.stat().st_mtime > newest:
        print("   static files collected already", flush=True)
        return
    manage("collectstatic", "--noinput", "-v0")
    marker.touch()


def analyze():
    """Planner statistics, as a live database has them (autovacuum has not yet seen a bulk load;
    without them PostgreSQL picks sequential scans inside the board's subqueries)."""
    import psycopg

    with psycopg.connect(f"{PG}/{DB}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print("   VACUUM ANALYZE done", flush=True)


# --- In-process setup (after the dataset exists)


def django_setup():
    import django

    django.setup()


def jml_slugs(n):
    from demo.scale import round_slug

    return [round_slug(n, i) for i in range(1, (R if n == N else 2) + 1)]


def coordinator():
    from accounts.models import User
    from demo.scale import EMAIL_DOMAIN

    return User.objects.get(email=f"koordinator@{EMAIL_DOMAIN}")


def officer(code):
    from accounts.models import User
    from demo.scale import EMAIL_DOMAIN

    return User.objects.get(email=f"officer-{code}@{EMAIL_DOMAIN}")


def session_for(user):
    from django.test import Client

    from tests.factories import force_login

    client = Client(HTTP_HOST="127.0.0.1")
    force_login(client, user)
    return client, client.cookies["sessionid"].value


def url_exists(path):
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.url_name != "api-not-found"


def count_queries(client, path, **extra):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, **extra)  # warm: first-request caches are not the page's cost
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **extra)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}")
    return len(ctx.captured_queries)


def http_latency(path, session, samples=SAMPLES, warmup=2 * (2 * (CPUS or 1) + 1)):
    """Sequential GETs through gunicorn; the warm-up reaches every worker (2 × workers)."""
    import requests

    s = requests.Session()
    s.headers["Cookie"] = f"sessionid={session}"
    times = []
    for i in range(warmup + samples):
        started = time.perf_counter()
        r = s.get(BASE + path, timeout=120, allow_redirects=False)
        elapsed = (time.perf_counter() - started) * 1000
        if r.status_code != 200:
            raise RuntimeError(f"GET {path}: {r.status_code} {r.text[:200]}")
        if i >= warmup:
            times.append(elapsed)
    return summary(times)


# --- Pages: query counts in-process, latency through gunicorn

PAGES = {}


def pages():
    """(key, path, user) of each measured page; built once the dataset exists."""
    if PAGES:
        return PAGES
    from accounts.models import Membership
    from reference.models import Municipality

    coord = coordinator()
    small, large = jml_slugs(SMALL)[-1], jml_slugs(N)[-1]
    # Officer 101 (the first municipality) also serves the second; 1001 (synthetic) and the
    # officer of the second real municipality serve one each.
    second = Municipality.objects.municipalities().order_by("code")[1].code
    one = officer("1001") if N > REAL else officer(second)
    two = officer("101")
    PAGES.update(
        {
            "tracking_board_n98": (f"/opfoelgning/{small}/", coord),
            "tracking_board_n1000": (f"/opfoelgning/{large}/", coord),
            "officer_home_1_municipality": ("/", one),
            "officer_home_2_municipalities": ("/", two),
            "coordinator_home": ("/", coord),
        }
    )
    assert Membership.objects.filter(user=two).count() == 2
    return PAGES


@step(
    "queries",
    ["tracking_board_queries", "officer_home_queries"],
)
def measure_queries():
    from django.urls import reverse  # noqa: F401 (URLconf loaded before resolve)

    counts = {}
    clients = {}
    for key, (path, user) in pages().items():
        if not url_exists(path):
            RESULTS.unavailable([f"{key}_queries"], f"{path} is not in the URLconf yet")
            continue
        if user.pk not in clients:
            clients[user.pk] = session_for(user)[0]
        counts[key] = count_queries(clients[user.pk], path)
        RESULTS.put(f"{key}_queries", counts[key], "queries")
        print(f"   {key}: {counts[key]} queries", flush=True)
    if "tracking_board_n98" in counts and "tracking_board_n1000" in counts:
        equal = counts["tracking_board_n98"] == counts["tracking_board_n1000"]
        RESULTS.put(
            "tracking_board_queries_equal",
            equal,
            "bool",
            note=f"{counts['tracking_board_n98']} at N=98, {counts['tracking_board_n1000']} "
            f"at N={N}",
        )
    if "officer_home_1_municipality" in counts and "officer_home_2_municipalities" in counts:
        a, b = counts["officer_home_1_municipality"], counts["officer_home_2_municipalities"]
        RESULTS.put(
            "officer_home_queries_equal",
            a == b,
            "bool",
            note=f"{a} for 1 municipality, {b} for 2 (twice the rows)",
        )


@step(
    "pages",
    [
        "tracking_board_n98_ms",
        "tracking_board_n1000_ms",
        "officer_home_1_municipality_ms",
        "officer_home_2_municipalities_ms",
        "coordinator_home_ms",
    ],
)
def measure_pages():
    sessions = {}
    for key, (path, user) in pages().items():
        if not url_exists(path):
            RESULTS.unavailable([f"{key}_ms"], f"{path} is not in the URLconf yet")
            continue
        if user.pk not in sessions:
            sessions[user.pk] = session_for(user)[1]
        s = rounded(http_latency(path, sessions[user.pk]), 1)
        RESULTS.put(f"{key}_ms", s["median"], "ms", **s, note=f"GET {path}, median of samples")
        print(f"   {key}: median {s['median']} ms, p95 {s['p95']} ms", flush=True)
    if PROFILE and url_exists(pages()["tracking_board_n1000"][0]):
        from pyinstrument import Profiler

        path, user = pages()["tracking_board_n1000"]
        client = session_for(user)[0]
        client.get(path)
        profiler = Profiler()
        profiler.start()
        for _ in range(5):
            client.get(path)
        profiler.stop()
        write_profile("tracking_board_n1000", profiler)


JIT_OFF_URL = f"{PG}/{DB}?options=-c%20jit%3Doff"


@step("pages_jit_off", ["tracking_board_n98_jit_off_ms", "tracking_board_n1000_jit_off_ms"])
def measure_pages_jit_off():
    """The board again with PostgreSQL's JIT switched off for the app's connections (a
    DATABASE_URL option, no code change): the board's query has a high cost estimate, so
    PostgreSQL JIT-compiles it on every request."""
    stop_gunicorn()
    start_gunicorn(DATABASE_URL=JIT_OFF_URL)
    try:
        for key in ("tracking_board_n98", "tracking_board_n1000"):
            path, user = pages()[key]
            if not url_exists(path):
                RESULTS.unavailable([f"{key}_jit_off_ms"], f"{path} is not in the URLconf yet")
                continue
            s = rounded(http_latency(path, session_for(user)[1]), 1)
            RESULTS.put(
                f"{key}_jit_off_ms",
                s["median"],
                "ms",
                **s,
                note=f"GET {path} with DATABASE_URL …?options=-c jit=off",
            )
            print(f"   {key} (jit off): median {s['median']} ms, p95 {s['p95']} ms", flush=True)
    finally:
        stop_gunicorn()


def write_profile(name, profiler):
    PROFILES.mkdir(parents=True, exist_ok=True)
    (PROFILES / f"{name}.txt").write_text(profiler.output_text(unicode=True, color=False))


# --- Save + submit under load


def load_rounds(count):
    """Fresh open rounds for the load test (each municipality saves and submits once per
    round), comparing with the newest dataset round so history checks run."""
    import datetime as dt

    from django.utils import timezone

    from demo.scale import TITLE_PREFIX, delete_rounds
    from reference.models import Municipality
    from surveys.models import Round, RoundState

    delete_rounds(Round.objects.filter(slug__startswith="syntetisk-last-"))
    newest = Round.objects.get(slug=jml_slugs(N)[-1])
    ids = list(newest.recipients.values_list("pk", flat=True))
    now = timezone.now()
    out = []
    for i in range(count):
        r = Round.objects.create(
            survey=newest.survey,
            definition=newest.definition,
            title=f"{TITLE_PREFIX} Belastningstest {i} — {len(ids)} kommuner",
            slug=f"syntetisk-last-n{N}-{i:02d}",
            deadline=now + dt.timedelta(days=30),
            opens_at=now,
            opened_at=now,
            state=RoundState.OPEN,
            previous=newest,
            is_demo=True,
        )
        r.recipients.set(Municipality.objects.filter(pk__in=ids))
        out.append(r)
    return out, newest


def load_plan(rounds, previous, tokens, sessions, mode):
    """Work items: every recipient of each round, answers close to its previous ones (a
    realistic mix: some trip a warning, which is then explained)."""
    from submissions.models import Submission
    from submissions.validation import validate

    rng = random.Random(7)
    spec = previous.definition.spec
    before = {
        code: answers
        for code, answers in Submission.objects.filter(
            round=previous, state__in=("submitted", "accepted")
        ).values_list("municipality__code", "answers")
    }
    plans = []
    for r in rounds:
        items = []
        codes = sorted(r.recipients.values_list("code", flat=True))
        rng.shuffle(codes)
        for code in codes:
            prev = before.get(code)
            pupils = int((prev or {}).get("pupils_8_9") or rng.randint(200, 3000))
            pupils = max(20, round(pupils * rng.uniform(0.97, 1.03)))
            answers = {"pupils_8_9": pupils, "enrolled": round(pupils * rng.uniform(0.01, 0.08))}
            if rng.random() < 0.05:
                answers["enrolled"] = round(pupils * 0.25)
            result = validate(spec, answers, prev)
            explanations = {w["explain"]: "Kontrolleret og korrekt." for w in result.warnings}
            item = {"slug": r.slug, "code": code, "answers": answers}
            item["explanations"] = explanations
            if mode == "api":
                item["token"] = tokens[code]
            else:
                item["session"] = sessions[code]
            items.append(item)
        plans.append({"mode": mode, "items": items})
    return plans


def api_tokens(codes):
    """One API token per officer (created with the function create_api_token calls)."""
    from accounts.tokens import create_token

    tokens, by_user = {}, {}
    for code in codes:
        user = officer(code)
        if user.pk not in by_user:
            by_user[user.pk] = create_token(user, "bench")[1]
        tokens[code] = by_user[user.pk]
    return tokens


def locust(plan, tag, seconds, wait=0):
    plan_file = OUT / f"plan_{tag}.json"
    plan_file.write_text(json.dumps(plan))
    prefix = OUT / f"locust_{tag}"
    env = {**os.environ, "BENCH_PLAN": str(plan_file), "BENCH_WAIT": str(wait)}
    args = [
        str(BIN / "locust"),
        "--headless",
        "--only-summary",
        "-f",
        str(ROOT / "tests" / "bench" / "locustfile.py"),
        "--host",
        BASE,
        "-u",
        str(USERS),
        "-r",
        str(USERS),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
    ]
    subprocess.run(args, cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    import csv

    rows = {}
    with open(f"{prefix}_stats.csv") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = row
    return rows


@step(
    "load",
    [
        "save_submit_p50_ms",
        "save_submit_p95_ms",
        "save_submit_p99_ms",
        "save_submit_requests_per_s",
        "save_submit_paced_p95_ms",
        "bare_floor_p50_ms",
        "bare_floor_p95_ms",
        "bare_floor_requests_per_s",
        "save_submit_p95_ratio_to_floor",
        "save_queries",
        "submit_queries",
    ],
)
def measure_load():
    sample_path = f"/api/v1/rounds/{jml_slugs(N)[-1]}/submissions/101/"
    mode = "api" if url_exists(sample_path) and url_exists(sample_path + "submit/") else None
    if mode is None and url_exists(f"/indberet/{jml_slugs(N)[-1]}/101/"):
        mode = "form"
    if mode is None:
        raise RuntimeError("neither the REST API submission endpoints nor the officer form")
    # Warm-up, RUNS closed-loop runs, RUNS paced runs, one round for the in-process counts,
    # RUNS floor runs (their submissions exist: the floor is an UPDATE).
    rounds, previous = load_rounds(3 * RUNS + 2)
    floor_rounds = rounds[2 * RUNS + 2 :]
    codes = list(previous.recipients.values_list("code", flat=True))
    tokens = api_tokens(codes) if mode == "api" else {}
    sessions = {}
    if mode == "form":
        for code in codes:
            sessions[code] = session_for(officer(code))[1]
    plans = load_plan(rounds, previous, tokens, sessions, mode)
    floor_plans = []
    if mode == "api":
        from submissions.models import Submission

        for r in floor_rounds:
            Submission.objects.bulk_create(
                Submission(round=r, municipality=m) for m in r.recipients.all()
            )
        floor_plans = [{**p, "mode": "floor"} for p in plans[2 * RUNS + 2 :]]
    print(f"   mode {mode}: {USERS} users, {LOAD_SECONDS} s per run", flush=True)
    locust(plans[0], "warmup", min(10, LOAD_SECONDS))
    measured = {}
    for variant, wait, chunk in (
        ("save_submit", 0, plans[1 : RUNS + 1]),
        ("save_submit_paced", PACED_WAIT, plans[RUNS + 1 : 2 * RUNS + 1]),
    ):
        per_run = []
        for i, plan in enumerate(chunk, start=1):
            if variant == "save_submit" and floor_plans:
                # The floor and the app alternate, so both see the same outside load.
                rows = locust(floor_plans[i - 1], f"floor_run{i}", LOAD_SECONDS)
                run = locust_run(rows)
                measured.setdefault("bare_floor", []).append(run)
                print(f"   floor run {i}: {run}", flush=True)
            rows = locust(plan, f"{variant}_run{i}", LOAD_SECONDS, wait=wait)
            run = locust_run(rows)
            per_run.append(run)
            print(f"   {variant} run {i}: {run}", flush=True)
        if not per_run or all(r["requests"] == 0 for r in per_run):
            raise RuntimeError("no requests completed; see var/bench/locust_*")
        common = {
            "mode": mode,
            "users": USERS,
            "think_time_s": wait,
            "seconds_per_run": LOAD_SECONDS,
            "runs": per_run,
            "note": "locust headless on the same 2-core machine as gunicorn and PostgreSQL; "
            "each request is one save (PUT) or one submit (POST); "
            + (
                "no think time: every client sends its next request as soon as the last "
                "answers (closed loop, the server is saturated)"
                if not wait
                else f"each client waits {wait / 2:g}–{wait * 3 / 2:g} s between save+submit cycles"
            ),
        }
        for q in ("p50", "p95", "p99"):
            s = summary([r[q] for r in per_run])
            RESULTS.put(f"{variant}_{q}_ms", s["median"], "ms", **rounded(s, 1), **common)
        s = summary([r["rps"] for r in per_run])
        RESULTS.put(f"{variant}_requests_per_s", round(s["median"], 1), "req/s", **rounded(s, 1))
        RESULTS.put(f"{variant}_failures", sum(r["failures"] for r in per_run), "requests")
        measured[variant] = per_run
    if floor_plans:
        put_floor(measured["bare_floor"], measured["save_submit"])
    if mode == "api":
        inprocess_save_submit(plans[2 * RUNS + 1]["items"])


def put_floor(floor, app):
    """The bare-Django floor (tests/bench/floor.py) and save + submit as a ratio to it; the
    runs alternated, so each ratio is of the medians over runs taken side by side."""
    if any(r["requests"] == 0 or r["failures"] for r in floor):
        raise RuntimeError(f"floor runs failed: {floor}; see {OUT}/locust_floor_*")
    common = {
        "users": USERS,
        "seconds_per_run": LOAD_SECONDS,
        "runs": floor,
        "note": "PUT /bench-floor/<slug>/<code>/ (bench-only URL): the same token check, one "
        "UPDATE of the JSON columns with a version check, one revision INSERT; no DRF, "
        "validation or audit; same gunicorn, same locust shape, alternating with save + submit",
    }
    medians = {}
    for q in ("p50", "p95", "p99"):
        s = summary([r[q] for r in floor])
        medians[q] = s["median"]
        RESULTS.put(f"bare_floor_{q}_ms", s["median"], "ms", **rounded(s, 1), **common)
    s = summary([r["rps"] for r in floor])
    medians["rps"] = s["median"]
    RESULTS.put("bare_floor_requests_per_s", round(s["median"], 1), "req/s", **rounded(s, 1))
    for q in ("p50", "p95"):
        app_q = statistics.median(r[q] for r in app)
        RESULTS.put(
            f"save_submit_{q}_ratio_to_floor",
            round(app_q / medians[q], 2),
            "×",
            save_submit_ms=app_q,
            floor_ms=medians[q],
        )
    app_rps = statistics.median(r["rps"] for r in app)
    RESULTS.put(
        "save_submit_throughput_ratio_to_floor",
        round(app_rps / medians["rps"], 2),
        "×",
        save_submit_rps=app_rps,
        floor_rps=medians["rps"],
        note="save + submit requests/s ÷ floor requests/s (below 1: slower than the floor)",
    )


def locust_run(rows):
    agg = rows["Aggregated"]
    if int(agg["Request Count"]) == 0:
        # locust writes "N/A" percentiles then; say what happened instead.
        raise RuntimeError(
            f"a locust run completed no request in {LOAD_SECONDS} s (BENCH_LOAD_SECONDS); "
            f"see {OUT}/locust_*"
        )
    run = {
        "p50": float(agg["50%"]),
        "p95": float(agg["95%"]),
        "p99": float(agg["99%"]),
        "rps": float(agg["Requests/s"]),
        "requests": int(agg["Request Count"]),
        "failures": int(agg["Failure Count"]),
    }
    for name in ("save", "submit"):
        if name in rows:
            run[f"{name}_p50"] = float(rows[name]["50%"])
            run[f"{name}_p95"] = float(rows[name]["95%"])
    return run


def inprocess_save_submit(items):
    """Queries of one save and one submit (in-process, the same views, no HTTP), and with
    BENCH_PROFILE a profile of 20 save + submit cycles."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")

    def cycle(item, capture=None):
        auth = {"HTTP_AUTHORIZATION": f"Token {item['token']}"}
        url = f"/api/v1/rounds/{item['slug']}/submissions/{item['code']}/"
        body = {"version": 0, "answers": item["answers"], "explanations": item["explanations"]}
        with CaptureQueriesContext(connection) as put_q:
            r = client.put(url, json.dumps(body), content_type="application/json", **auth)
        if r.status_code != 200:
            raise RuntimeError(f"PUT {url}: {r.status_code} {r.content[:300]}")
        with CaptureQueriesContext(connection) as post_q:
            r = client.post(
                url + "submit/",
                {"version": r.json().get("version")},
                content_type="application/json",
                **auth,
            )
        if r.status_code != 200:
            raise RuntimeError(f"POST {url}submit/: {r.status_code} {r.content[:300]}")
        return len(put_q.captured_queries), len(post_q.captured_queries)

    cycle(items[0])
    save_q, submit_q = cycle(items[1])
    RESULTS.put("save_queries", save_q, "queries", note="PUT …/submissions/<code>/ (token auth)")
    RESULTS.put("submit_queries", submit_q, "queries", note="POST …/submit/ (token auth)")
    print(f"   queries: save {save_q}, submit {submit_q}", flush=True)
    if PROFILE:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
        for item in items[2:22]:
            cycle(item)
        profiler.stop()
        write_profile("save_submit", profiler)


# --- Exports against COPY


EXPORT_RUNS = int(os.environ.get("BENCH_EXPORT_RUNS") or max(RUNS, 5))
PARALLEL_COPY = os.environ.get("BENCH_PARALLEL_COPY", "1") == "1"
# One backend each: PostgreSQL may give the plain COPY a parallel worker (the long one gets
# one) and not the export's SELECT, and on a shared machine whether that worker finds an idle
# core is luck — the ratio scattered 0.6–1.9× run to run. Without parallel workers both are
# the work of one backend and one client process, and their CPU time can be read.
SERIAL_URL = f"{PG}/{DB}?options=-c%20max_parallel_workers_per_gather%3D0"


def cpu_of(run):
    """Client + backend CPU seconds of a child's run (None without the backend's)."""
    if run.get("backend_cpu_seconds") is None:
        return None
    return run["cpu_seconds"] + run["backend_cpu_seconds"]


@step(
    "exports",
    [
        "export_csv_wide_seconds",
        "export_csv_long_seconds",
        "copy_csv_wide_seconds",
        "copy_csv_long_seconds",
        "export_csv_wide_ratio_to_copy",
        "export_csv_long_ratio_to_copy",
        "export_csv_wide_peak_rss_mb",
        "export_csv_long_peak_rss_mb",
    ],
)
def measure_exports():
    """Export and COPY of the same rows in interleaved pairs (the order alternating), each in
    a fresh process with one PostgreSQL backend; the ratio is the median of the pairs' ratios,
    so a pair shares the machine's load of its minute. Also: the CPU-time ratio (client +
    backend) and the ratio to the COPY as PostgreSQL plans it by default (parallel workers
    allowed), each pair likewise."""
    slugs = jml_slugs(N)
    for fmt, name in (("csv", "wide"), ("long", "long")):
        exp, cop, par = [], [], []
        for i in range(EXPORT_RUNS):
            jobs = [
                ("export", ("export", fmt, *slugs), SERIAL_URL),
                ("copy", ("copy", name, *slugs), SERIAL_URL),
            ]
            if PARALLEL_COPY:
                jobs.append(("parallel", ("copy", name, *slugs), None))
            done = {}
            for key, args, url in jobs if i % 2 == 0 else jobs[::-1]:
                done[key] = child(*args, database_url=url)
            e, c, p = done["export"], done["copy"], done.get("parallel")
            if e["rows"] != c["rows"]:
                print(f"   warning: export {e['rows']} rows, COPY {c['rows']} rows", flush=True)
            exp.append(e)
            cop.append(c)
            if p:
                par.append(p)
            print(
                f"   {name} pair {i + 1}: export {e['seconds']:.2f} s ({e['rows']} rows, "
                f"peak {e['peak_rss_mb']:.0f} MB, CPU {e['cpu_seconds']:.2f} + "
                f"{e['backend_cpu_seconds'] or 0:.2f} s), COPY {c['seconds']:.2f} s "
                f"(CPU {c['cpu_seconds']:.2f} + {c['backend_cpu_seconds'] or 0:.2f} s), "
                f"ratio {e['seconds'] / c['seconds']:.2f}"
                + (f"; parallel COPY {p['seconds']:.2f} s" if p else ""),
                flush=True,
            )
        es = summary([e["seconds"] for e in exp])
        cs = summary([c["seconds"] for c in cop])
        ratios = summary([e["seconds"] / c["seconds"] for e, c in zip(exp, cop, strict=True)])
        cpu_pairs = [(cpu_of(e), cpu_of(c)) for e, c in zip(exp, cop, strict=True)]
        cpu = summary([a / b for a, b in cpu_pairs if a is not None and b])
        rows = exp[0]["rows"]
        RESULTS.put(
            f"export_csv_{name}_seconds",
            round(es["median"], 3),
            "s",
            **rounded(es),
            rows=rows,
            bytes=exp[0]["bytes"],
            rows_per_s=round(rows / es["median"]),
            note=f"build_export(fmt={fmt!r}) of {len(slugs)} rounds × {N} municipalities, "
            "streamed and discarded, in a fresh process, no parallel workers",
        )
        RESULTS.put(f"export_csv_{name}_rows_per_s", round(rows / es["median"]), "rows/s")
        RESULTS.put(
            f"copy_csv_{name}_seconds",
            round(cs["median"], 3),
            "s",
            **rounded(cs),
            rows=cop[0]["rows"],
            bytes=cop[0]["bytes"],
            rows_per_s=round(cop[0]["rows"] / cs["median"]),
            note="COPY (SELECT … same rows and columns …) TO STDOUT WITH CSV via psycopg, "
            "no parallel workers",
        )
        RESULTS.put(
            f"export_csv_{name}_ratio_to_copy",
            round(ratios["median"], 2),
            "×",
            **rounded(ratios, 2),
            note=f"median of {len(exp)} interleaved pairs' wall-time ratios (min–max is the "
            "spread), one backend each",
        )
        if cpu:
            RESULTS.put(
                f"export_csv_{name}_cpu_ratio_to_copy",
                round(cpu["median"], 2),
                "×",
                **rounded(cpu, 2),
                export_cpu_s=round(statistics.median(a for a, _ in cpu_pairs), 3),
                copy_cpu_s=round(statistics.median(b for _, b in cpu_pairs), 3),
                note="median of the pairs' CPU-time ratios: client process + PostgreSQL "
                "backend (/proc), one backend each",
            )
        if par:
            to_parallel = summary(
                [e["seconds"] / p["seconds"] for e, p in zip(exp, par, strict=True)]
            )
            RESULTS.put(
                f"export_csv_{name}_ratio_to_parallel_copy",
                round(to_parallel["median"], 2),
                "×",
                **rounded(to_parallel, 2),
                copy_seconds=round(statistics.median(p["seconds"] for p in par), 3),
                note="the same export against the COPY as PostgreSQL plans it by default "
                "(parallel workers allowed: the long COPY gets one, the export's plan not)",
            )
        RESULTS.put(
            f"export_csv_{name}_peak_rss_mb",
            round(max(e["peak_rss_mb"] for e in exp), 1),
            "MB",
            baseline_rss_mb=round(exp[0]["baseline_rss_mb"], 1),
            growth_mb=round(max(e["peak_rss_mb"] - e["baseline_rss_mb"] for e in exp), 1),
            note="peak RSS of the exporting process (ru_maxrss), baseline = after Django setup",
        )
        if PROFILE:
            child("export", fmt, *slugs, profile=PROFILES / f"export_{name}.txt")
            child("copy", name, *slugs, profile=PROFILES / f"copy_{name}.txt")


@step("xlsx", ["export_xlsx_seconds", "export_xlsx_peak_rss_mb"])
def measure_xlsx():
    slugs = jml_slugs(N)
    runs = [child("export", "xlsx", *slugs) for _ in range(max(1, RUNS - 1))]
    s = summary([r["seconds"] for r in runs])
    RESULTS.put(
        "export_xlsx_seconds",
        round(s["median"], 2),
        "s",
        **rounded(s),
        rows=runs[0]["rows"],
        bytes=runs[0]["bytes"],
        note=f"build_export(fmt='xlsx') of {len(slugs)} rounds (wide, long, non-responders, "
        "codebook sheets)",
    )
    RESULTS.put(
        "export_xlsx_peak_rss_mb",
        round(max(r["peak_rss_mb"] for r in runs), 1),
        "MB",
        baseline_rss_mb=round(runs[0]["baseline_rss_mb"], 1),
    )
    if PROFILE:
        child("export", "xlsx", *slugs, profile=PROFILES / "export_xlsx.txt")


@step("pdf", ["pdf_report_n98_seconds", "pdf_report_n1000_seconds"])
def measure_pdf():
    for n, slug in ((SMALL, jml_slugs(SMALL)[-1]), (N, jml_slugs(N)[-1])):
        key = "pdf_report_n98_seconds" if n == SMALL else "pdf_report_n1000_seconds"
        runs = [child("pdf", slug) for _ in range(max(1, RUNS - 1))]
        s = summary([r["seconds"] for r in runs])
        RESULTS.put(
            key,
            round(s["median"], 2),
            "s",
            **rounded(s),
            bytes=runs[0]["bytes"],
            peak_rss_mb=round(max(r["peak_rss_mb"] for r in runs), 1),
            note=f"build_export(fmt='pdf') of {slug} ({n} municipalities), in a fresh process",
        )
        print(f"   {slug}: median {s['median']:.2f} s", flush=True)
        if PROFILE:
            child("pdf", slug, profile=PROFILES / f"pdf_n{n}.txt")


# --- Reminders


@step("reminders", ["send_reminders_seconds"])
def measure_reminders():
    import datetime as dt

    from django.utils import timezone

    from demo.scale import TITLE_PREFIX, delete_rounds
    from submissions.models import Reminder
    from surveys.models import Round, RoundState

    delete_rounds(Round.objects.filter(slug__startswith="syntetisk-paamind-"))
    newest = Round.objects.get(slug=jml_slugs(N)[-1])
    now = timezone.now()
    round_ = Round.objects.create(
        survey=newest.survey,
        definition=newest.definition,
        title=f"{TITLE_PREFIX} Påmindelser — {N} kommuner uden svar",
        slug=f"syntetisk-paamind-n{N}-01",
        deadline=now + dt.timedelta(days=7, minutes=-10),  # the -7 step fell due 10 min ago
        opens_at=now - dt.timedelta(days=1),
        opened_at=now - dt.timedelta(days=1),
        state=RoundState.OPEN,
        is_demo=True,
    )
    round_.recipients.set(newest.recipients.all())
    # Other rounds' due steps are sent once first, so each timed run sends only this round's.
    manage("send_reminders", capture=True)
    times, sent = [], []
    for _ in range(RUNS):
        Reminder.objects.filter(round=round_).delete()
        started = time.perf_counter()
        manage("send_reminders", capture=True)
        times.append(time.perf_counter() - started)
        sent.append(Reminder.objects.filter(round=round_).count())
    startup = []
    for _ in range(RUNS):
        started = time.perf_counter()
        manage("check", "--deploy", "--fail-level", "CRITICAL", capture=True, check=False)
        startup.append(time.perf_counter() - started)
    s = summary(times)
    RESULTS.put(
        "send_reminders_seconds",
        round(s["median"], 2),
        "s",
        **rounded(s),
        reminders_claimed=sent,
        process_startup_seconds=round(statistics.median(startup), 2),
        note=f"manage.py send_reminders (whole process) for {N} non-responders: claims the "
        "reminders and queues their delivery (TASKS_BACKEND=database, as in production)",
    )
    print(f"   median {s['median']:.2f} s, sent {sent}", flush=True)


# --- Rules


@step("rules", ["rules_worst_save_n200_ms"])
def measure_rules():
    r = child("rules", str(max(RUNS, 5)))
    shapes = {k: rounded(v, 1) for k, v in r.items() if isinstance(v, dict)}
    RESULTS.put(
        "rules_worst_save_n200_ms",
        round(r["worst_ms"], 1),
        "ms",
        floor_ms=round(r["floor"], 1),
        shapes=shapes,
        note="CPU time of validate() for one save of 200 entries (the cap) under the most "
        "expensive definition each rule shape may have within the static cost bound "
        "(tests/bench/worst_rules.py), median of the runs; floor: the shipped definition",
    )
    print(f"   worst {r['worst_ms']:.1f} ms, floor {r['floor']:.1f} ms: {shapes}", flush=True)


# --- Report


def print_table(data):
    print("\nResults (var/bench/results.json), CPUs:", data["machine"]["cpu_count"])
    print(f"{'figure':42} {'value':>12} {'unit':8} {'p95':>10} {'target':>8}  status")
    for key, fig in data["figures"].items():
        value = fig.get("value")
        shown = "—" if value is None else str(value)
        p95 = fig.get("p95")
        target = fig.get("target", "")
        status = fig["status"]
        if "meets_target" in fig:
            status = "meets target" if fig["meets_target"] else "MISSES target"
        print(
            f"{key:42} {shown:>12} {fig.get('unit') or '':8} "
            f"{'' if p95 is None else p95:>10} {target:>8}  {status}"
        )


STEPS = [
    build_dataset,
    measure_queries,
    measure_pages,
    measure_load,
    measure_exports,
    measure_xlsx,
    measure_pdf,
    measure_reminders,
    measure_rules,
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _on_signal)
    print(f"Indberet bench: N={N} × R={R}, {RUNS} runs, {CPUS} CPUs, database {DB}", flush=True)
    lock = lock_database()
    try:
        build_dataset()
        django_setup()
        measure_queries()
        if not ONLY or ONLY & {"pages", "load", "pages_jit_off"}:
            print("\n== gunicorn", flush=True)
            try:
                start_gunicorn()
            except Exception as exc:
                traceback.print_exc()
                RESULTS.failed(["tracking_board_n1000_ms", "save_submit_p95_ms"], exc)
            else:
                measure_pages()
                measure_load()
                measure_pages_jit_off()
            stop_gunicorn()
        measure_exports()
        measure_xlsx()
        measure_pdf()
        measure_reminders()
        measure_rules()
    finally:
        stop_gunicorn()
        data = RESULTS.write()
        print_table(data)
        lock.close()
    errors = [k for k, fig in data["figures"].items() if fig["status"] == "error"]
    if errors:
        print(f"\nerror in: {', '.join(errors)}", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
