"""Issue 12 item 3: no definition can make the server hang. Every expression's worst-case
work is bounded statically at import (nesting, list literals, size), entries per submission
are capped, and the worst expression the bounds allow stays cheap at the cap."""

import copy
import json

import pytest

from submissions.validation import validate
from surveys import rules
from surveys.definitions import (
    ENTRIES_HARD_MAX,
    SHIPPED_DIR,
    DefinitionError,
    validate_definition,
)
from tests.bench import worst_rules

NESTED_62_SECONDS = "size(L.map(a, L.map(b, L.map(c, L)))) > 0"


def shipped(key):
    return json.loads((SHIPPED_DIR / f"{key}.json").read_text(encoding="utf-8"))


def with_rule(expression, key="juniormesterlaere", scope="submission", **entries):
    d = copy.deepcopy(shipped(key))
    d["rules"] = [
        {
            "key": "cost",
            "expression": expression,
            "severity": "warning",
            "scope": scope,
            "message": {"da": "x"},
        }
    ]
    if entries:
        d["entries"].update(entries)
    return d


@pytest.fixture
def never_evaluated(monkeypatch):
    """Counted work: the refusal must come from the static check, before any trial run."""
    calls = []
    original = rules.evaluate

    def counted(expression, variables):
        calls.append(expression)
        return original(expression, variables)

    monkeypatch.setattr(rules, "evaluate", counted)
    return calls


def test_importing_the_nested_comprehension_that_took_62_seconds_is_refused(never_evaluated):
    expression = NESTED_62_SECONDS.replace("L", "[" + ",".join(["1"] * 30) + "]")
    with pytest.raises(DefinitionError) as refused:
        validate_definition(with_rule(expression))
    assert refused.value.path == "rules[0].expression"
    assert "inside another comprehension" in str(refused.value)
    assert expression not in never_evaluated


def test_importing_a_rule_nesting_over_entries_is_refused(never_evaluated):
    expression = "entries.all(a, entries.all(b, a.title != b.title || a == b))"
    with pytest.raises(DefinitionError) as refused:
        validate_definition(with_rule(expression, "proevehandlinger"))
    assert refused.value.path == "rules[0].expression"
    assert expression not in never_evaluated


def test_importing_a_huge_list_literal_is_refused(never_evaluated):
    expression = "enrolled in [" + ",".join(str(i) for i in range(101)) + "]"
    with pytest.raises(DefinitionError, match="at most 100") as refused:
        validate_definition(with_rule(expression))
    assert refused.value.path == "rules[0].expression"


def test_importing_an_expression_with_too_many_parts_is_refused(never_evaluated):
    expression = " && ".join(f"enrolled > {i}" for i in range(70))
    with pytest.raises(DefinitionError, match="too complex"):
        validate_definition(with_rule(expression))


def test_importing_a_rule_whose_body_is_too_big_for_the_entries_cap_is_refused():
    body = " && ".join("e.end_date >= e.start_date" for _ in range(2))
    with pytest.raises(DefinitionError, match="too expensive"):
        validate_definition(with_rule(f"entries.all(e, {body})", "proevehandlinger", max=200))
    # The same rule over at most 50 entries is fine.
    validate_definition(with_rule(f"entries.all(e, {body})", "proevehandlinger", max=50))


def test_importing_many_cheap_rules_that_together_are_expensive_is_refused():
    d = with_rule("entries.all(e, e.end_date >= e.start_date)", "proevehandlinger", max=200)
    d["rules"] = [dict(d["rules"][0], key=f"r{i}") for i in range(12)]
    with pytest.raises(DefinitionError, match="together are too expensive") as refused:
        validate_definition(d)
    assert refused.value.path.startswith("rules[")


@pytest.mark.parametrize(
    "change,path",
    [
        (lambda d: d["entries"].update(max=ENTRIES_HARD_MAX + 1), "entries.max"),
        (lambda d: d["questions"][0]["label"].update(da="x" * 4001), "questions[0].label.da"),
        (
            lambda d: d["questions"][1].update(
                choices=[{"value": f"c{i}", "label": {"da": "c"}} for i in range(101)]
            ),
            "questions[1].choices",
        ),
        (lambda d: d.update(rules=d["rules"] * 201), "rules"),
    ],
)
def test_importing_a_definition_beyond_the_schema_limits_is_refused(change, path):
    d = copy.deepcopy(shipped("proevehandlinger"))
    change(d)
    with pytest.raises(DefinitionError) as refused:
        validate_definition(d)
    assert refused.value.path == path


@pytest.mark.parametrize("shape", worst_rules.SHAPES, ids=[s[0] for s in worst_rules.SHAPES])
def test_the_worst_allowed_rules_at_the_entries_cap_are_at_the_edge_and_bounded(shape):
    """The most expensive definitions the static bound lets through (tests/bench/worst_rules.py),
    run over the most entries any definition may allow. One more term or one more copy of the
    rule is refused at import. The time is measured by `make bench` (rules_worst_save_n200_ms,
    target < 100 ms); here only against a generous ceiling, so a busy machine does not fail it."""
    name, scope, term, wrap = shape
    d, n, copies = worst_rules.worst(scope, term, wrap)
    if d is None:  # a rule over all entries does not fit at the cap at all
        assert scope == "submission"
        with pytest.raises(DefinitionError, match="too expensive"):
            one = worst_rules.expression(term, wrap, 1)
            validate_definition(worst_rules.definition(one, scope))
        return
    validate_definition(d)
    longer = worst_rules.definition(worst_rules.expression(term, wrap, n + 1), scope)
    with pytest.raises(DefinitionError, match="too expensive"):
        validate_definition(longer)
    more = worst_rules.definition(worst_rules.expression(term, wrap, n), scope, copies + 1)
    with pytest.raises(DefinitionError, match="too expensive"):
        validate_definition(more)
    elapsed = max(worst_rules.cpu_ms(validate_definition(d), runs=1))
    print(f"{name}: {n} terms × {copies} over {worst_rules.CAP} entries: {elapsed:.0f} ms")
    assert elapsed < 1000


def test_entries_past_the_cap_get_no_rule_work(monkeypatch):
    spec = validate_definition(with_rule("end_date >= start_date", "proevehandlinger", "entry"))
    entry = {"title": "t", "start_date": "2026-01-01", "end_date": "2026-02-01"}
    answers = {"entries": [dict(entry) for _ in range(3 * spec.entries_max)]}
    calls = []
    original = rules.evaluate

    def counted(expression, variables):
        calls.append(expression)
        return original(expression, variables)

    monkeypatch.setattr("submissions.validation.evaluate", counted)
    result = validate(spec, answers)
    assert "entries:max" in [f["key"] for f in result.findings]
    assert calls.count("end_date >= start_date") == spec.entries_max


def test_a_sections_show_when_is_evaluated_once_per_entry_as_import_counts_it(monkeypatch):
    """Import counts a section's show-when once per entry; every question of the section asks
    for it, and it must not be evaluated again for each (10 × the work the bound allows)."""
    d = worst_rules.definition("status != 'x'", "section")
    spec = validate_definition(d)
    calls = []
    original = rules.evaluate

    def counted(expression, variables):
        calls.append(expression)
        return original(expression, variables)

    monkeypatch.setattr("surveys.relevance.evaluate", counted)
    entries = [dict(worst_rules.ENTRY) for _ in range(3)]
    validate(spec, {"entries": entries, "nothing_to_report": False})
    assert calls.count("status != 'x'") == 3


def test_validating_compiles_each_distinct_expression_once(monkeypatch):
    """The cost bound, the trial run and the program share one parse of each expression."""
    d = copy.deepcopy(shipped("juniormesterlaere"))
    d["questions"][2]["relevant_when"] = "enrolled > 0"
    d["questions"][1]["required_when"] = "pupils_8_9 > 0"
    d["rules"].append(
        {
            "key": "again",
            "severity": "warning",
            "expression": "enrolled > 0",  # the same text as the show-when: one parse
            "message": {"da": "x"},
        }
    )
    distinct = {r["expression"] for r in d["rules"]} | {x["expression"] for x in d["derived"]}
    distinct |= {"enrolled > 0", "pupils_8_9 > 0"}
    parsed = []
    compile_ = rules._ENV.compile
    monkeypatch.setattr(rules._ENV, "compile", lambda text: parsed.append(text) or compile_(text))
    rules.compile_expression.cache_clear()
    validate_definition(d)
    assert sorted(parsed) == sorted(distinct)
    validate_definition(d)  # a second validation (every live check on the page) parses nothing
    assert len(parsed) == len(distinct)


def test_a_trial_run_loads_only_the_values_its_expression_names():
    sample = {f"q{i}": i for i in range(500)}
    assert set(rules._used_values("q1 + q20 > 'q3' && size([q4]) > 0", sample)) == {
        "q1",
        "q20",
        "q4",
    }
