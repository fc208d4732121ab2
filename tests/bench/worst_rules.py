"""The most expensive definitions the static cost bound lets through (surveys/rules.py), at the
entries cap, and what validating a save with them costs. Used by `make bench` (child.py
`rules` → the figure rules_worst_save_n200_ms, target ≤ 100 ms) and, with a generous bound,
by tests/surveys/test_rule_cost.py, which also checks each one is at the edge: one more term
and the import refuses it.

Each shape is grown term by term until validate_definition refuses it; the save is the cap's
200 entries, every rule and condition evaluated on every entry (the rules' conditions hold,
so every term is evaluated: && stops at the first false one)."""

import copy
import json
import statistics
import time

from surveys.definitions import ENTRIES_HARD_MAX, SHIPPED_DIR, DefinitionError, validate_definition

CAP = ENTRIES_HARD_MAX
ENTRY = {
    "title": "t" * 200,
    "theme": "early_action",
    "goal": "g",
    "status": "evaluated",  # and no `learning`: its required_when is evaluated too
    "start_date": "2026-01-01",
    "end_date": "2026-02-01",
}
# (name, scope, one term, how the terms are wrapped)
SHAPES = [
    ("entry_comparisons", "entry", "end_date >= start_date", "{}"),
    ("entry_calls", "entry", "size(title) > 0", "{}"),
    ("entry_regex", "entry", "title.matches('^t+$')", "{}"),
    ("submission_comprehension", "submission", "e.end_date >= e.start_date", "entries.all(e, {})"),
    # A show-when on a section of all the questions (surveys.relevance), per entry.
    ("entry_section_show_when", "section", "status != 'x'", "{}"),
]


def definition(expression, scope, copies=1):
    d = json.loads((SHIPPED_DIR / "proevehandlinger.json").read_text(encoding="utf-8"))
    d["entries"]["max"] = CAP
    if scope == "section":
        keys = [f"s{i}" for i in range(copies)]
        d["sections"] = [{"key": k, "title": {"da": k}, "relevant_when": expression} for k in keys]
        status = [q for q in d["questions"] if q["key"] == "status"]  # what it depends on
        others = [q for q in d["questions"] if q["key"] != "status"]
        for i, q in enumerate(others):
            q["section"] = keys[i * copies // len(others)]  # contiguous blocks
        d["questions"] = status + others
        d["rules"] = []
        return d
    rule = {"expression": expression, "severity": "warning", "scope": scope}
    d["rules"] = [dict(rule, key=f"worst{i}", message={"da": "x"}) for i in range(copies)]
    return d


def expression(term, wrap, n):
    return wrap.format(" && ".join([term] * n))


def worst(scope, term, wrap):
    """(definition, terms, copies): the longest chain of `term` the import accepts, and the most
    copies of that rule the definition's total bound accepts."""
    n = 0
    while True:
        try:
            validate_definition(definition(expression(term, wrap, n + 1), scope))
        except DefinitionError:
            break
        n += 1
    if n == 0:
        return None, 0, 0
    copies = 1
    while True:
        try:
            validate_definition(definition(expression(term, wrap, n), scope, copies + 1))
        except DefinitionError:
            break
        copies += 1
    return definition(expression(term, wrap, n), scope, copies), n, copies


def answers():
    return {"entries": [copy.deepcopy(ENTRY) for _ in range(CAP)], "nothing_to_report": False}


def cpu_ms(spec, runs):
    from submissions.validation import validate

    saved = answers()
    validate(spec, saved)  # compiled once per process, as in a web worker
    times = []
    for _ in range(runs):
        started = time.process_time()
        validate(spec, saved)
        times.append((time.process_time() - started) * 1000)
    return times


def measure(runs=5):
    """CPU milliseconds to validate a save of CAP entries under each worst definition, and
    under the shipped one (the floor: cleaning the entries without expensive rules)."""
    shipped = json.loads((SHIPPED_DIR / "proevehandlinger.json").read_text(encoding="utf-8"))
    shipped["entries"]["max"] = CAP
    out = {"floor": statistics.median(cpu_ms(validate_definition(shipped), runs))}
    for name, scope, term, wrap in SHAPES:
        d, n, copies = worst(scope, term, wrap)
        if d is None:  # not even one term fits the bound at the cap
            out[name] = {"terms": 0, "copies": 0, "refused": True}
            continue
        times = cpu_ms(validate_definition(d), runs)
        out[name] = {
            "terms": n,
            "copies": copies,
            "median_ms": statistics.median(times),
            "max_ms": max(times),
        }
    out["worst_ms"] = max(v.get("median_ms", 0.0) for v in out.values() if isinstance(v, dict))
    return out
