"""CPU per request of save + submit against the floor, in-process (issue 16).

    BENCH_DB=indberet_bench_<name> .venv/bin/python tests/bench/cpu.py [cycles] [blocks]
    BENCH_DB=… BENCH_PROFILE=1 .venv/bin/python tests/bench/cpu.py 40 1

Wall time on a shared 2-core machine says little; CPU time does. This calls the production
WSGI handler (`tests.bench.settings`: production settings plus the floor URL) directly, with
the officers' real API tokens and the bench's own plan (`run.load_plan`: fresh open rounds
that compare with the newest dataset round), and counts, per block:

- the process's CPU (`time.process_time`), and
- its PostgreSQL backend's CPU (utime + stime of `/proc/<pid>/stat`; PostgreSQL runs on the
  same machine),

for `cycles` save + submit cycles (2 requests each) and `cycles` floor requests
(`tests/bench/floor.py`), the two alternating block by block so both see the same machine.
The connection is kept for the whole run (CONN_MAX_AGE None) so one backend carries it all.
Prints ms of CPU per request (medians over blocks) and the ratio; with BENCH_PROFILE=1 writes
pyinstrument profiles (one block each) to <BENCH_OUT>/profiles/cpu_{save_submit,floor}.txt.
The database must be a copy: this writes rounds (`syntetisk-last-…`) and submissions.
"""

import io
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import tests.bench.run as bench  # noqa: E402  (sets the bench's environment)

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.settings"
TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid):
    """Seconds of CPU (user + system) a PostgreSQL backend has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Wsgi:
    """Calls the WSGI application as gunicorn would: one environ per request."""

    def __init__(self):
        from django.core.wsgi import get_wsgi_application

        self.app = get_wsgi_application()

    def __call__(self, method, path, body, token):
        data = json.dumps(body).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Token {token}",
            "HTTP_ACCEPT": "application/json",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        result = self.app(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(status[0].split()[0]), content


def save_submit(call, item):
    url = f"/api/v1/rounds/{item['slug']}/submissions/{item['code']}/"
    body = {"version": 0, "answers": item["answers"], "explanations": item["explanations"]}
    status, content = call("PUT", url, body, item["token"])
    if status != 200:
        raise RuntimeError(f"PUT {url}: {status} {content[:300]}")
    version = json.loads(content)["version"]
    status, content = call("POST", url + "submit/", {"version": version}, item["token"])
    if status != 200:
        raise RuntimeError(f"POST {url}submit/: {status} {content[:300]}")


def floor(call, item):
    url = f"/bench-floor/{item['slug']}/{item['code']}/"
    body = {"version": 0, "answers": item["answers"], "explanations": item["explanations"]}
    status, content = call("PUT", url, body, item["token"])
    if status != 200:
        raise RuntimeError(f"PUT {url}: {status} {content[:300]}")


# Where a request's CPU goes. A sampler thread reads the main thread's CPU clock every
# ~0.5 ms and charges what it used since the last sample to the main thread's stack at that
# moment (pyinstrument's own timer is wall time, and with a CPU timer its per-call clock
# reads cost more than the code measured). A stack's part: walking from the outermost frame,
# a "frame" part (handler, DRF, view, service, transaction) holds until an inner match
# replaces it; a "leaf" part (a query, the validation, …) keeps everything below it.
FRAME, LEAF = "frame", "leaf"
ROW_WRITTEN = "the submission row written (INSERT / UPDATE)"
PARTS = {
    ("get_response", "django/core/handlers/base.py"): (FRAME, "Django handler and middleware"),
    ("dispatch", "rest_framework/views.py"): (
        FRAME,
        "DRF: request, negotiation, permission, response, rendering",
    ),
    ("check_throttles", "rest_framework/views.py"): (LEAF, "DRF throttle (cache round trip)"),
    ("authenticate_token", "accounts/tokens.py"): (LEAF, "token check"),
    ("_parse", "rest_framework/request.py"): (LEAF, "request body: JSON parse"),
    ("loads", "json/__init__.py"): (LEAF, "request body: JSON parse"),
    ("put", "submissions/api.py"): (FRAME, "view code"),
    ("post", "submissions/api.py"): (FRAME, "view code"),
    ("floor_save", "tests/bench/floor.py"): (FRAME, "view code"),
    ("get_round_and_municipality", "submissions/permissions.py"): (
        LEAF,
        "scope query (round, municipality, membership)",
    ),
    ("is_valid", "rest_framework/serializers.py"): (LEAF, "input serializer and shape check"),
    ("check_shape", "submissions/api.py"): (LEAF, "input serializer and shape check"),
    ("save_draft", "submissions/services.py"): (FRAME, "service code"),
    ("submit", "submissions/services.py"): (FRAME, "service code"),
    ("validate", "submissions/validation.py"): (LEAF, "validation (CEL rules)"),
    ("previous_answers", "submissions/services.py"): (LEAF, "previous round's answers"),
    ("_lock", "submissions/services.py"): (LEAF, "row lock (SELECT … FOR UPDATE)"),
    ("save", "django/db/models/base.py"): (LEAF, ROW_WRITTEN),
    ("execute", "django/db/backends/utils.py"): (LEAF, ROW_WRITTEN),
    ("_revise", "submissions/services.py"): (LEAF, "revision INSERT"),
    ("create", "django/db/models/query.py"): (LEAF, "revision INSERT"),
    ("record", "accounts/audit.py"): (LEAF, "audit row INSERT"),
    ("__exit__", "django/db/transaction.py"): (FRAME, "BEGIN / COMMIT"),
    ("__enter__", "django/db/transaction.py"): (FRAME, "BEGIN / COMMIT"),
    ("_enqueue", "submissions/services.py"): (LEAF, "receipt task queued (on commit)"),
    ("submission_data", "submissions/api.py"): (LEAF, "response data (submission_data)"),
    ("close", "django/http/response.py"): (LEAF, "request_finished (connection checks)"),
}
_BY_NAME = {}
for (function, path), value in PARTS.items():
    _BY_NAME.setdefault(function, []).append((path, value))


def part_of(frame):
    stack = []
    while frame is not None:
        stack.append(frame.f_code)
        frame = frame.f_back
    part = "outside the request (harness)"
    for code in reversed(stack):
        for path, (kind, name) in _BY_NAME.get(code.co_name, ()):
            if code.co_filename.endswith(path):
                part = name
                if kind == LEAF:
                    return part
                break
    return part


class CpuSampler:
    """Charges the main thread's CPU time to the part of its stack, every ~0.5 ms."""

    def __init__(self, interval=0.0005):
        import threading

        self.interval = interval
        self.main = threading.main_thread().ident
        self.clock = time.pthread_getcpuclockid(threading.main_thread().ident)
        self.totals = {}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        last = time.clock_gettime(self.clock)
        while not self.stop_event.wait(self.interval):
            now = time.clock_gettime(self.clock)
            frame = sys._current_frames().get(self.main)
            if frame is not None and now > last:
                part = part_of(frame)
                self.totals[part] = self.totals.get(part, 0.0) + now - last
            last = now

    def __enter__(self):
        self.switch = sys.getswitchinterval()
        sys.setswitchinterval(self.interval / 2)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join()
        sys.setswitchinterval(self.switch)


def sql_part(sql):
    """The PostgreSQL side of a query, by what it is."""
    text = " ".join(sql.split()).upper()
    if "ACCOUNTS_APITOKEN" in text:
        return "token check"
    if text.startswith(("SELECT 1", "BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")):
        return "BEGIN / COMMIT, health check"
    if "FOR UPDATE" in text:
        return "row lock (SELECT … FOR UPDATE)"
    if "SURVEYS_ROUND_RECIPIENTS" in text:
        return "scope query (round, municipality, membership)"
    if text.startswith("SELECT") and "SUBMISSIONS_SUBMISSION" in text:
        return "previous round's answers"
    if re.match(r'(UPDATE|INSERT INTO)\s+"?SUBMISSIONS_SUBMISSION"?\s', text):
        return ROW_WRITTEN
    if "SUBMISSIONS_REVISION" in text:
        return "revision INSERT"
    if "ACCOUNTS_AUDITEVENT" in text:
        return "audit row INSERT"
    if "TASK" in text:
        return "receipt task queued (on commit)"
    return "other: " + text[:60]


class PgSampler:
    """Charges the PostgreSQL backend's CPU to each query's part (read around each query
    from /proc, in 10 ms ticks: meaningful summed over many requests)."""

    def __init__(self, pid):
        self.pid = pid
        self.totals = {}
        self.counts = {}

    def __call__(self, execute, sql, params, many, context):
        before = backend_cpu(self.pid)
        try:
            return execute(sql, params, many, context)
        finally:
            part = sql_part(sql)
            self.totals[part] = self.totals.get(part, 0.0) + backend_cpu(self.pid) - before
            self.counts[part] = self.counts.get(part, 0) + 1


def profile_block(call, fn, items, requests_per_item, pid, name):
    """A pyinstrument profile (wall time, as the bench's other profiles) of one block, then
    the CPU parts of another: (Python parts, PostgreSQL parts, queries per part), ms and
    counts per request."""
    from django.db import connection
    from pyinstrument import Profiler

    half = len(items) // 2
    profiler = Profiler()
    profiler.start()
    for item in items[:half]:
        fn(call, item)
    profiler.stop()
    bench.write_profile(name, profiler)
    pg = PgSampler(pid)
    with CpuSampler() as sampler, connection.execute_wrapper(pg):
        for item in items[half:]:
            fn(call, item)
    n = (len(items) - half) * requests_per_item
    return (
        {k: 1000 * v / n for k, v in sampler.totals.items()},
        {k: 1000 * v / n for k, v in pg.totals.items()},
        {k: v / n for k, v in pg.counts.items()},
    )


def block(call, fn, items, requests_per_item, pid):
    """ms of CPU per request: (process, PostgreSQL backend)."""
    cpu0, pg0 = time.process_time(), backend_cpu(pid)
    for item in items:
        fn(call, item)
    cpu, pg = time.process_time() - cpu0, backend_cpu(pid) - pg0
    n = len(items) * requests_per_item
    return 1000 * cpu / n, 1000 * pg / n


def print_parts(app, floor, title):
    keys = sorted(set(app) | set(floor), key=lambda k: -(app.get(k, 0) - floor.get(k, 0)))
    gap = sum(app.values()) - sum(floor.values())
    print(f"\n{title}", flush=True)
    print(f"{'part':58} {'app':>6} {'floor':>6} {'more':>6} {'share':>6}")
    for k in keys:
        a, f = app.get(k, 0), floor.get(k, 0)
        print(f"{k[:58]:58} {a:6.2f} {f:6.2f} {a - f:6.2f} {100 * (a - f) / gap:5.0f}%")
    print(f"{'total':58} {sum(app.values()):6.2f} {sum(floor.values()):6.2f} {gap:6.2f}")


def main(argv):
    cycles = int(argv[1]) if len(argv) > 1 else 100
    blocks = int(argv[2]) if len(argv) > 2 else 4
    bench.django_setup()
    from django.db import connection

    from submissions.models import Submission

    connection.settings_dict["CONN_MAX_AGE"] = None
    # One round for the app, one for the floor (its rows must exist: it is an UPDATE).
    rounds, previous = bench.load_rounds(2)
    codes = list(previous.recipients.values_list("code", flat=True))
    tokens = bench.api_tokens(codes)
    app_plan, floor_plan = bench.load_plan(rounds, previous, tokens, {}, "api")
    Submission.objects.bulk_create(
        Submission(round=rounds[1], municipality=m) for m in rounds[1].recipients.all()
    )
    app_items, floor_items = iter(app_plan["items"]), iter(floor_plan["items"])

    def take(it, n):
        out = [next(it) for _ in range(n)]
        return out

    call = Wsgi()
    # Warm-up: imports, the Spec cache, prepared statements (after 5 runs), the connection.
    for item in take(app_items, 10):
        save_submit(call, item)
    for item in take(floor_items, 10):
        floor(call, item)
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    rows = {"save_submit": [], "floor": []}
    for _ in range(blocks):
        rows["save_submit"].append(block(call, save_submit, take(app_items, cycles), 2, pid))
        rows["floor"].append(block(call, floor, take(floor_items, cycles), 1, pid))
        if connection.connection.info.backend_pid != pid:
            raise RuntimeError("the PostgreSQL connection changed during the run")
    if bench.PROFILE:
        app = profile_block(call, save_submit, take(app_items, cycles), 2, pid, "cpu_save_submit")
        base = profile_block(call, floor, take(floor_items, cycles), 1, pid, "cpu_floor")
        print_parts(app[0], base[0], "Python CPU per request (ms), sampled")
        print_parts(app[1], base[1], "PostgreSQL CPU per request (ms), per query")
        print(
            "queries per request:",
            {k: round(v, 2) for k, v in app[2].items()},
            "floor:",
            {k: round(v, 2) for k, v in base[2].items()},
        )
        (bench.PROFILES / "cpu_parts.json").write_text(
            json.dumps({"save_submit": app, "floor": base}, indent=1)
        )
    out = {}
    for name, values in rows.items():
        py = statistics.median(v[0] for v in values)
        pg = statistics.median(v[1] for v in values)
        out[name] = {"python_ms": py, "postgres_ms": pg, "total_ms": py + pg}
        print(
            f"{name:12} per request: Python {py:6.2f} ms + PostgreSQL {pg:5.2f} ms "
            f"= {py + pg:6.2f} ms   (blocks: "
            + ", ".join(f"{a:.2f}+{b:.2f}" for a, b in values)
            + ")",
            flush=True,
        )
    ratio = out["save_submit"]["total_ms"] / out["floor"]["total_ms"]
    print(f"save + submit / floor: {ratio:.2f}× CPU per request", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    return out


if __name__ == "__main__":
    main(sys.argv)
