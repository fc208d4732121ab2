"""CPU time (time.process_time) of validate_definition, or of the builder's draft_problems (what
every live check of the builder page runs), on a generated 500-question definition with
choices, show-when, required-when, rules and derived values; cold (first in the process) and
warm (min of 3). Not a bench step (no database needed):

    PYTHONPATH=. .venv/bin/python tests/bench/validate_large.py validate|problems [--profile]

EVERY=n puts a show-when on every n-th question (default 5; 2 is near the cost bound)."""

import cProfile
import os
import pstats
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")
import django

django.setup()
from surveys import builder  # noqa: E402
from surveys.definitions import validate_definition  # noqa: E402
from surveys.rules import compile_expression  # noqa: E402


def big(n=500):
    qs, rules, derived = [], [], []
    types = [
        "integer",
        "decimal",
        "text",
        "single_choice",
        "yes_no",
        "percentage",
        "multiple_choice",
    ]
    for i in range(n):
        t = types[i % len(types)]
        q = {"key": f"q{i}", "type": t, "label": {"da": f"Spørgsmål {i}", "en": f"Question {i}"}}
        if t in ("single_choice", "multiple_choice"):
            q["choices"] = [{"value": f"c{j}", "label": {"da": f"Valg {j}"}} for j in range(5)]
        if t in ("integer", "decimal", "percentage"):
            q["min"] = 0
        if i % int(os.environ.get("EVERY", "5")) == 1 and types[(i - 1) % len(types)] in (
            "integer",
            "decimal",
            "percentage",
        ):
            q["relevant_when"] = f"q{i - 1} > 0"
        if i % 10 == 2:
            q["required_when"] = f"q{i - 2 - (i - 2) % 7} > 5"
        qs.append(q)
    ints = [q["key"] for q in qs if q["type"] == "integer"]
    for k in range(60):
        a, b = ints[k % len(ints)], ints[(k + 1) % len(ints)]
        rules.append(
            {
                "key": f"r{k}",
                "severity": "warning" if k % 2 else "error",
                "expression": f"{a} <= {b} + {k}",
                "fields": [a],
                "message": {"da": f"Regel {k} {{{a}}}"},
            }
        )
    for k in range(20):
        derived.append(
            {
                "key": f"d{k}",
                "expression": f"{ints[k]} / ({ints[k + 1]} + 1)",
                "label": {"da": f"Afledt {k}"},
            }
        )
    return {
        "key": "big",
        "title": {"da": "Stor"},
        "questions": qs,
        "rules": rules,
        "derived": derived,
    }


content = big()
what = sys.argv[1] if len(sys.argv) > 1 else "validate"
fn = (
    (lambda: validate_definition(content))
    if what == "validate"
    else (lambda: builder.draft_problems(content))
)
t = time.process_time()
fn()
cold = time.process_time() - t
runs = []
for _ in range(3):
    t = time.process_time()
    fn()
    runs.append(time.process_time() - t)
print(f"{what}: cold {cold:.3f}s CPU, warm {min(runs):.3f}s CPU (min of 3)")
if "--profile" in sys.argv:
    if "--cold" in sys.argv:
        compile_expression.cache_clear()
    pr = cProfile.Profile()
    pr.enable()
    fn()
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
