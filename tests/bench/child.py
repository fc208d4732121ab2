"""One measurement in a fresh process (so its peak memory is its own), called by run.py.

    python tests/bench/child.py export FMT SLUG [SLUG ...]   # csv | long | xlsx, via build_export
    python tests/bench/child.py pdf SLUG                      # the PDF report, via build_export
    python tests/bench/child.py copy KIND SLUG [SLUG ...]     # PostgreSQL COPY of the same rows
    python tests/bench/child.py rules RUNS                    # worst rules at the entries cap

Prints one JSON object on the last line of stdout: seconds, rows, bytes, peak_rss_mb (the
process's RSS high-water mark during the work, reset after Django setup and imports),
baseline_rss_mb (RSS when the work starts), cpu_seconds (this process's CPU time during the
work) and backend_cpu_seconds (the CPU time of its PostgreSQL backend process during the work,
from /proc when PostgreSQL runs on this machine, else null; a parallel worker's is not in it).
With PROFILE_TO=<path>, the work runs under pyinstrument and the text profile is written there.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb():
    """The process's RSS high-water mark (VmHWM), since start or since reset_peak()."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak():
    """Start the high-water mark afresh (Linux: clear_refs 5), so the peak is the work's own
    and not the imports' (celpy, pandas and weasyprint peak higher while loading)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def backend_cpu(pid):
    """CPU seconds (user + system) of a local process, or None."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_pid():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def setup():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()


def rounds_by_slug(slugs):
    from surveys.models import Round

    rounds = list(Round.objects.select_related("survey", "definition").filter(slug__in=slugs))
    if len(rounds) != len(slugs):
        raise SystemExit(f"missing rounds: {set(slugs) - {r.slug for r in rounds}}")
    return rounds


class Sink:
    """Counts bytes and throws them away (like writing to /dev/null, without the syscalls)."""

    def __init__(self):
        self.size = 0

    def write(self, chunk):
        self.size += len(chunk)


def do_export(fmt, slugs):
    from exports.models import Export
    from exports.services import build_export

    rounds = rounds_by_slug(slugs)
    sink = Sink()
    _, _, content, export = build_export(None, rounds, fmt=fmt, via="bench")
    if content is None:  # a background PDF: the immediate task backend has built it already
        export.refresh_from_db()
        return {"rows": export.rows, "bytes": export.size, "status": export.status}
    if isinstance(content, bytes | bytearray):
        sink.write(content)
    else:
        for chunk in content:
            sink.write(chunk)
    export = Export.objects.get(pk=export.pk)
    return {"rows": export.rows, "bytes": sink.size, "status": export.status}


def main(argv):
    what = argv[0]
    setup()
    from django.db import connection

    pid = None
    if what != "rules":  # validating answers needs no database
        connection.ensure_connection()
        pid = backend_pid() if connection.vendor == "postgresql" else None
    # Import what the work needs first: a web worker has it loaded; it is not export time.
    import weasyprint  # noqa: F401 (imported lazily by render_report; once per worker)

    import exports.report  # noqa: F401
    import exports.services  # noqa: F401
    import tests.bench.copy_sql  # noqa: F401

    if what == "copy":
        from tests.bench.copy_sql import copy_rows

        work = lambda: copy_rows(argv[1], rounds_by_slug(argv[2:]))  # noqa: E731
    elif what == "export":
        work = lambda: do_export(argv[1], argv[2:])  # noqa: E731
    elif what == "pdf":
        work = lambda: do_export("pdf", argv[1:2])  # noqa: E731
    elif what == "rules":
        from tests.bench.worst_rules import measure

        work = lambda: measure(int(argv[1]))  # noqa: E731
    else:
        raise SystemExit(f"unknown measurement {what}")
    import_peak = peak_mb()
    reset = reset_peak()
    baseline = rss_mb()
    profile_to = os.environ.get("PROFILE_TO")
    profiler = None
    if profile_to:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    backend_before = backend_cpu(pid)
    cpu_before = time.process_time()
    started = time.perf_counter()
    out = work()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    backend_after = backend_cpu(pid)
    if profiler:
        profiler.stop()
        Path(profile_to).write_text(profiler.output_text(unicode=True, color=False))
    out.update(
        seconds=seconds,
        cpu_seconds=cpu,
        backend_cpu_seconds=(
            None
            if backend_before is None or backend_after is None
            else backend_after - backend_before
        ),
        peak_rss_mb=peak_mb(),
        baseline_rss_mb=baseline,
        import_peak_rss_mb=import_peak,
        peak_reset=reset,
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
