"""Survey definitions as data: a JSON Schema for their shape, semantic checks (every rule
compiles and only names known questions), and a parsed `Spec` the rest of the code reads.

A definition is imported once and then immutable; a new import makes a new version.
"""

import copy
import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema

from lib.text import pick
from surveys.relevance import dependency_map, find_cycle, names_in
from surveys.rules import MAX_DEFINITION_COST, RuleError, check_expression

SHIPPED_DIR = Path(__file__).resolve().parent / "definitions"
SHIPPED_KEYS = ("juniormesterlaere", "proevehandlinger", "erhvervsskoler")

QUESTION_TYPES = (
    "integer",
    "decimal",
    "percentage",
    "text",
    "long_text",
    "single_choice",
    "multiple_choice",
    "date",
    "yes_no",
    "email",
)
NUMERIC_TYPES = ("integer", "decimal", "percentage")
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,59}$"
# Hard ceilings whatever a definition says: they bound the work of validating one save (every
# rule runs once per entry, and a rule over `entries` runs its body once per entry).
ENTRIES_HARD_MAX = 200
MAX_QUESTIONS = 500
MAX_RULES = 200
MAX_CHOICES = 100
MAX_SECTIONS = 100
MAX_TEXT = 4000  # a label, help text or message, per language
MAX_BANDS = 20  # band edges of a ratio indicator, parts of a split
# An indicator is a `share` (numerator / denominator as a fraction, with a target and
# thresholds) or a `ratio` (numerator / denominator as a number, e.g. pupils per FTE, with bands).
INDICATOR_TYPES = ("share", "ratio")

NOT_BLANK = r"\S"  # a Danish text of only spaces is as good as none

_TEXT = {
    "type": "object",
    "properties": {
        "da": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": NOT_BLANK},
        "en": {"type": "string", "maxLength": MAX_TEXT},
    },
    "required": ["da"],
    "additionalProperties": False,
}

MAX_TITLE = 200  # the survey's name is stored in Survey.name / name_en (max_length 200)
_TITLE = {
    **_TEXT,
    "properties": {
        "da": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE, "pattern": NOT_BLANK},
        "en": {"type": "string", "maxLength": MAX_TITLE},
    },
}

_EXPRESSION = {"type": "string", "minLength": 1, "maxLength": 2000}

DEFINITION_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["key", "title", "questions"],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "pattern": KEY_PATTERN},
        "version": {"type": "integer"},
        # The register the survey is asked of (reference.Register.key); kommuner if absent.
        "register": {"type": "string", "pattern": r"^[a-z][a-z0-9_-]{0,39}$"},
        "title": _TITLE,
        "description": _TEXT,
        "entries": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "label": _TEXT,
                "label_plural": _TEXT,
                "allow_nothing_to_report": {"type": "boolean"},
                "min": {"type": "integer", "minimum": 0},
                "max": {"type": "integer", "minimum": 1, "maximum": ENTRIES_HARD_MAX},
            },
        },
        "sections": {
            "type": "array",
            "maxItems": MAX_SECTIONS,
            "items": {
                "type": "object",
                "required": ["key", "title"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "pattern": KEY_PATTERN},
                    "title": _TEXT,
                    "description": _TEXT,
                    "relevant_when": _EXPRESSION,
                },
            },
        },
        "questions": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_QUESTIONS,
            "items": {
                "type": "object",
                "required": ["key", "type", "label"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "pattern": KEY_PATTERN},
                    "type": {"enum": list(QUESTION_TYPES)},
                    "label": _TEXT,
                    "help": _TEXT,
                    "unit": _TEXT,
                    "required": {"type": "boolean"},
                    "required_when": _EXPRESSION,
                    "relevant_when": _EXPRESSION,
                    "section": {"type": "string", "pattern": KEY_PATTERN},
                    "min": {"type": "number"},
                    "max": {"type": "number"},
                    "max_length": {"type": "integer", "minimum": 1, "maximum": 100000},
                    "choices": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_CHOICES,
                        "items": {
                            "type": "object",
                            "required": ["value", "label"],
                            "additionalProperties": False,
                            "properties": {
                                "value": {"type": "string", "pattern": r"^[A-Za-z0-9_]{1,60}$"},
                                "label": _TEXT,
                            },
                        },
                    },
                },
            },
        },
        "rules": {
            "type": "array",
            "maxItems": MAX_RULES,
            "items": {
                "type": "object",
                "required": ["key", "expression", "severity", "message"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "pattern": KEY_PATTERN},
                    "expression": {"type": "string", "minLength": 1, "maxLength": 2000},
                    "severity": {"enum": ["error", "warning"]},
                    "scope": {"enum": ["submission", "entry"]},
                    "fields": {"type": "array", "items": {"type": "string"}},
                    "message": _TEXT,
                },
            },
        },
        "derived": {
            "type": "array",
            "maxItems": MAX_RULES,
            "items": {
                "type": "object",
                "required": ["key", "expression", "label"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "pattern": KEY_PATTERN},
                    "expression": {"type": "string", "minLength": 1, "maxLength": 2000},
                    "type": {"enum": ["decimal", "percentage", "integer"]},
                    "label": _TEXT,
                },
            },
        },
        "history_checks": {
            "type": "array",
            "maxItems": MAX_RULES,
            "items": {
                "type": "object",
                "required": ["key", "question", "max_change_percent", "message"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "pattern": KEY_PATTERN},
                    "question": {"type": "string"},
                    "max_change_percent": {"type": "number", "exclusiveMinimum": 0},
                    "severity": {"enum": ["error", "warning"]},
                    "message": _TEXT,
                },
            },
        },
        "indicators": {
            "type": "array",
            "maxItems": MAX_RULES,
            "items": {
                "type": "object",
                "required": ["key", "numerator", "denominator", "label"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "pattern": KEY_PATTERN},
                    "type": {"enum": list(INDICATOR_TYPES)},
                    "numerator": {"type": "string"},
                    "denominator": {"type": "string"},
                    "target": {"type": "number"},
                    "thresholds": {"type": "array", "items": {"type": "number"}},
                    "bands": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_BANDS,
                        "items": {"type": "number", "exclusiveMinimum": 0},
                    },
                    "unit": _TEXT,
                    "label": _TEXT,
                    "target_label": _TEXT,
                },
            },
        },
        "splits": {
            "type": "array",
            "maxItems": MAX_RULES,
            "items": {
                "type": "object",
                "required": ["key", "parts", "label"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "pattern": KEY_PATTERN},
                    "parts": {
                        "type": "array",
                        "minItems": 2,
                        "maxItems": MAX_BANDS,
                        "items": {"type": "string"},
                    },
                    "label": _TEXT,
                },
            },
        },
        "statistics": {
            "type": "array",
            "maxItems": MAX_RULES,
            "items": {
                "type": "object",
                "required": ["key", "value"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "pattern": KEY_PATTERN},
                    "value": {"type": "string"},
                    "label": _TEXT,
                },
            },
        },
        "scatters": {
            "type": "array",
            "maxItems": MAX_RULES,
            "items": {
                "type": "object",
                "required": ["key", "x", "y", "label"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "pattern": KEY_PATTERN},
                    "x": {"type": "string"},
                    "y": {"type": "string"},
                    "label": _TEXT,
                },
            },
        },
    },
}


class DefinitionError(Exception):
    """A malformed definition. `path` says where (e.g. `questions[1].type`)."""

    def __init__(self, message, path=""):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


# A rule's message may show a figure: "{share} af eleverne er tilmeldt" (a question or derived
# key in braces, filled in by submissions.validation with the value in the reader's format).
MESSAGE_PARAM = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def text(value, language=None):
    """The text of a definition's {"da": …, "en": …} value: lib.text.pick (empty for none)."""
    return pick(value, language[:2] if language else None) if value else ""


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    label: dict
    help: dict = field(default_factory=dict)
    unit: dict = field(default_factory=dict)
    required: bool = False
    required_when: str | None = None
    relevant_when: str | None = None
    section: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    choices: tuple = ()

    @property
    def choice_values(self):
        return [c["value"] for c in self.choices]

    def choice_label(self, value, language=None):
        for c in self.choices:
            if c["value"] == value:
                return text(c["label"], language)
        return value

    @property
    def is_numeric(self):
        return self.type in NUMERIC_TYPES


@dataclass(frozen=True)
class Section:
    """A heading over consecutive questions; `relevant_when` shows all of them only when it
    holds (on top of each question's own)."""

    key: str
    title: dict
    description: dict = field(default_factory=dict)
    relevant_when: str | None = None


@dataclass(frozen=True)
class Rule:
    key: str
    expression: str
    severity: str
    message: dict
    scope: str = "submission"
    fields: tuple = ()


@dataclass(frozen=True)
class Derived:
    key: str
    expression: str
    label: dict
    type: str = "decimal"


@dataclass(frozen=True)
class HistoryCheck:
    key: str
    question: str
    max_change_percent: float
    message: dict
    severity: str = "warning"


@dataclass(frozen=True)
class Indicator:
    key: str
    numerator: str
    denominator: str
    label: dict
    target: float | None = None
    thresholds: tuple = ()
    target_label: dict = field(default_factory=dict)
    type: str = "share"
    bands: tuple = ()  # a ratio's band edges, ascending: (150, 300) → < 150, 150–300, ≥ 300
    unit: dict = field(default_factory=dict)

    @property
    def is_ratio(self):
        return self.type == "ratio"


@dataclass(frozen=True)
class Split:
    """Parts (percentage questions) that together make 100 %: the report gives the mean of
    each part across respondents and its range."""

    key: str
    parts: tuple
    label: dict


@dataclass(frozen=True)
class Statistic:
    """The spread of one value across respondents (n, mean, median, min, max, total)."""

    key: str
    value: str  # a number question, a derived value or an indicator
    label: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Scatter:
    """Two values against each other, one dot per respondent."""

    key: str
    x: str
    y: str
    label: dict


@dataclass(frozen=True)
class Spec:
    key: str
    title: dict
    description: dict
    questions: tuple
    rules: tuple
    derived: tuple
    history_checks: tuple
    indicators: tuple
    entries: dict | None
    sections: tuple = ()
    splits: tuple = ()
    statistics: tuple = ()
    scatters: tuple = ()

    @property
    def has_entries(self):
        return self.entries is not None

    @property
    def entries_max(self):
        """At most this many entries per submission: the definition's `entries.max`, never
        more than ENTRIES_HARD_MAX."""
        return min((self.entries or {}).get("max") or ENTRIES_HARD_MAX, ENTRIES_HARD_MAX)

    @property
    def allows_nothing_to_report(self):
        return bool(self.entries and self.entries.get("allow_nothing_to_report"))

    @property
    def question_keys(self):
        return [q.key for q in self.questions]

    @functools.cached_property
    def _by_key(self):
        return {q.key: q for q in self.questions}, {s.key: s for s in self.sections}

    def question(self, key):
        return self._by_key[0].get(key)

    def section(self, key):
        return self._by_key[1].get(key)

    @functools.cached_property
    def has_relevance(self):
        """Whether any question can be hidden by a show-when (its own or its section's)."""
        return any(q.relevant_when for q in self.questions) or any(
            s.relevant_when for s in self.sections
        )

    @functools.cached_property
    def relevance_dependencies(self):
        """{question or derived key: the question and derived keys its visibility (a
        question) or value (a derived value) depends on} (surveys.relevance)."""
        return dependency_map(self)

    def groups(self, questions=None):
        """The questions in runs under their section: [(Section or None, [Question, …]), …].
        Without sections, one run of all questions under None. `questions` (default: all)
        may be a filtered list in the definition's order."""
        out = []
        for q in self.questions if questions is None else questions:
            section = self.section(q.section) if q.section else None
            if out and out[-1][0] == section:
                out[-1][1].append(q)
            else:
                out.append((section, [q]))
        return out

    @property
    def warning_keys(self):
        """Keys of everything that can raise a warning needing an explanation."""
        keys = [r.key for r in self.rules if r.severity == "warning"]
        keys += [h.key for h in self.history_checks if h.severity == "warning"]
        return keys


def _sample_value(question):
    if question.type in NUMERIC_TYPES:
        return 1
    if question.type == "date":
        return dt.date(2026, 1, 1)
    if question.type == "yes_no":
        return True
    if question.type == "multiple_choice":
        return list(question.choice_values[:1])
    if question.type == "single_choice":
        return question.choice_values[0]
    return "x"


# Names an expression cannot use for a value: CEL's keywords and reserved words, and the list
# an entries survey's rules run over. Question, derived and section keys are refused with them.
RESERVED_KEYS = frozenset(
    {"entries", "true", "false", "null", "in"}
    | {"as", "break", "const", "continue", "else", "for", "function", "if", "import", "let"}
    | {"loop", "package", "namespace", "return", "var", "void", "while"}
)


def _check_reserved(content):
    for part in ("questions", "derived", "sections"):
        for i, item in enumerate(content.get(part, [])):
            if item["key"] in RESERVED_KEYS:
                raise DefinitionError(
                    f"'{item['key']}' is a reserved word in expressions", f"{part}[{i}].key"
                )


def _check_semantics(content):
    seen_keys = set()
    for i, q in enumerate(content["questions"]):
        if q["key"] in seen_keys:
            raise DefinitionError(f"duplicate question key '{q['key']}'", f"questions[{i}].key")
        seen_keys.add(q["key"])
    _check_reserved(content)
    for i, q in enumerate(content["questions"]):
        path = f"questions[{i}]"
        if q["type"] in ("single_choice", "multiple_choice") and not q.get("choices"):
            raise DefinitionError("a choice question needs choices", f"{path}.choices")
        if q["type"] not in ("single_choice", "multiple_choice") and q.get("choices"):
            raise DefinitionError("only choice questions take choices", f"{path}.choices")
        values = [c["value"] for c in q.get("choices", [])]
        if len(values) != len(set(values)):
            raise DefinitionError("duplicate choice value", f"{path}.choices")
        if "min" in q and "max" in q and q["min"] > q["max"]:
            raise DefinitionError("min is greater than max", f"{path}.min")
        if ("min" in q or "max" in q) and q["type"] not in NUMERIC_TYPES:
            raise DefinitionError("min/max apply to number questions only", f"{path}.min")

    _check_sections(content)

    spec = _build_spec(content)
    total_cost = 0  # the worst-case work of validating one save (surveys.rules.check_cost)
    questions = {q.key: q for q in spec.questions}
    sample = {k: _sample_value(q) for k, q in questions.items()}
    names = set(questions)
    choice_counts = {q.key: len(q.choices) for q in spec.questions}
    for i, d in enumerate(spec.derived):
        path = f"derived[{i}]"
        if d.key in names:
            raise DefinitionError(f"'{d.key}' is already a question or derived key", f"{path}.key")
        if spec.has_entries:
            raise DefinitionError("derived values are for surveys without entries", path)
        try:
            total_cost += check_expression(
                d.expression,
                sample,
                expect_bool=False,
                list_lengths=choice_counts,
            )
        except RuleError as exc:
            raise DefinitionError(str(exc), f"{path}.expression")
        sample[d.key] = 0.5
        names.add(d.key)

    # The longest lists an expression can run over: the entries, a multiple-choice answer.
    list_lengths = {q.key: len(q.choices) for q in spec.questions if q.type == "multiple_choice"}
    list_lengths["entries"] = spec.entries_max
    per_entry = spec.entries_max if spec.has_entries else 1  # entry rules run once per entry
    entry_sample = dict(sample)
    submission_sample = {"entries": [entry_sample]} if spec.has_entries else sample
    rule_keys = set()
    for i, r in enumerate(spec.rules):
        path = f"rules[{i}]"
        if r.key in rule_keys:
            raise DefinitionError(f"duplicate rule key '{r.key}'", f"{path}.key")
        rule_keys.add(r.key)
        if r.scope == "entry" and not spec.has_entries:
            raise DefinitionError("scope 'entry' needs a survey with entries", f"{path}.scope")
        for f in r.fields:
            if f not in questions:
                raise DefinitionError(f"unknown question '{f}'", f"{path}.fields")
        for language, message in r.message.items():
            for name in MESSAGE_PARAM.findall(message):
                if name not in names or (r.scope == "submission" and spec.has_entries):
                    raise DefinitionError(
                        f"'{{{name}}}' is not a question or derived value this rule can show",
                        f"{path}.message.{language}",
                    )
        values = entry_sample if r.scope == "entry" or not spec.has_entries else submission_sample
        try:
            cost = check_expression(
                r.expression, values, expect_bool=True, list_lengths=list_lengths
            )
        except RuleError as exc:
            raise DefinitionError(str(exc), f"{path}.expression")
        total_cost += cost * (per_entry if r.scope == "entry" else 1)
        _check_total_cost(total_cost, f"{path}.expression")
    for i, q in enumerate(spec.questions):
        if q.required_when:
            try:
                total_cost += per_entry * check_expression(
                    q.required_when, sample, expect_bool=True, list_lengths=list_lengths
                )
            except RuleError as exc:
                raise DefinitionError(str(exc), f"questions[{i}].required_when")
            _check_total_cost(total_cost, f"questions[{i}].required_when")
    # Show-when: the names it reads are the questions (and derived values) of the same group
    # of answers; it is evaluated once per save (per entry), like required_when.
    relevant = [(f"sections[{i}]", s) for i, s in enumerate(spec.sections)]
    relevant += [(f"questions[{i}]", q) for i, q in enumerate(spec.questions)]
    for path, item in relevant:
        if item.relevant_when:
            try:
                total_cost += per_entry * check_expression(
                    item.relevant_when, sample, expect_bool=True, list_lengths=list_lengths
                )
            except RuleError as exc:
                raise DefinitionError(str(exc), f"{path}.relevant_when")
            _check_total_cost(total_cost, f"{path}.relevant_when")
    cycle = find_cycle(spec)
    if cycle:
        # Start the circle at a question (it may have been found at a derived value).
        start = next(i for i, k in enumerate(cycle) if k in questions)
        cycle = cycle[start:-1] + cycle[:start] + [cycle[start]]
        first = spec.question(cycle[0])
        where = f"questions[{spec.question_keys.index(first.key)}].relevant_when"
        if not first.relevant_when or cycle[1] not in names_in(first.relevant_when):
            section_keys = [s.key for s in spec.sections]
            where = f"sections[{section_keys.index(first.section)}].relevant_when"
        raise DefinitionError(
            "show-when depends on itself: " + " → ".join(cycle),
            where,
        )
    for i, h in enumerate(spec.history_checks):
        q = questions.get(h.question)
        if q is None or not q.is_numeric:
            raise DefinitionError("history checks need a number question", f"history_checks[{i}]")
        if h.key in rule_keys:
            raise DefinitionError(f"duplicate rule key '{h.key}'", f"history_checks[{i}].key")
        rule_keys.add(h.key)
    for i, ind in enumerate(spec.indicators):
        for part in ("numerator", "denominator"):
            ref = getattr(ind, part)
            if ref not in questions or not questions[ref].is_numeric:
                raise DefinitionError(
                    f"'{ref}' is not a number question", f"indicators[{i}].{part}"
                )
        _check_indicator_kind(ind, content["indicators"][i], f"indicators[{i}]")
    _check_analysis(spec, questions)
    return spec


def _check_indicator_kind(ind, raw, path):
    """A share has a target and thresholds; a ratio has bands (ascending) and no thresholds."""
    if ind.is_ratio:
        if not ind.bands:
            raise DefinitionError("a ratio indicator needs bands", f"{path}.bands")
        if "thresholds" in raw:
            raise DefinitionError(
                "a ratio indicator has bands, not thresholds", f"{path}.thresholds"
            )
        if list(ind.bands) != sorted(set(ind.bands)):
            raise DefinitionError("bands must be ascending, each once", f"{path}.bands")
    elif "bands" in raw:
        raise DefinitionError(
            "bands are for ratio indicators; a share has thresholds", f"{path}.bands"
        )


def value_keys(spec):
    """The keys the analysis can read one number per respondent from: number questions,
    derived values and indicators (an indicator wins over a derived value of the same key)."""
    keys = {q.key for q in spec.questions if q.is_numeric}
    keys |= {d.key for d in spec.derived} | {i.key for i in spec.indicators}
    return keys


def _check_analysis(spec, questions):
    """Splits, statistics and scatters name values that exist; keys are unique among them."""
    if spec.has_entries and (spec.splits or spec.statistics or spec.scatters):
        section = "splits" if spec.splits else "statistics" if spec.statistics else "scatters"
        raise DefinitionError(
            "splits, statistics and scatters are for surveys without entries", section
        )
    known = value_keys(spec)
    seen = set()
    for section, items in (
        ("splits", spec.splits),
        ("statistics", spec.statistics),
        ("scatters", spec.scatters),
    ):
        for i, item in enumerate(items):
            path = f"{section}[{i}]"
            if (section, item.key) in seen:
                raise DefinitionError(f"duplicate key '{item.key}'", f"{path}.key")
            seen.add((section, item.key))
            if section == "splits":
                if len(set(item.parts)) != len(item.parts):
                    raise DefinitionError("a part is named twice", f"{path}.parts")
                for part in item.parts:
                    q = questions.get(part)
                    if q is None or not q.is_numeric:
                        raise DefinitionError(f"'{part}' is not a number question", f"{path}.parts")
                continue
            refs = (
                [("value", item.value)]
                if section == "statistics"
                else [
                    ("x", item.x),
                    ("y", item.y),
                ]
            )
            for name, ref in refs:
                if ref not in known:
                    raise DefinitionError(
                        f"'{ref}' is not a number question, derived value or indicator",
                        f"{path}.{name}",
                    )


def _check_sections(content):
    """Section keys are unique (among sections, questions and derived values), every
    question's `section` names one, a section's questions are consecutive, and the sections
    are listed in the order their questions come."""
    sections = [s["key"] for s in content.get("sections", [])]
    taken = {q["key"] for q in content["questions"]} | {
        d["key"] for d in content.get("derived", [])
    }
    listed = set()
    for i, key in enumerate(sections):
        if key in listed:
            raise DefinitionError(f"duplicate section key '{key}'", f"sections[{i}].key")
        listed.add(key)
        if key in taken:
            raise DefinitionError(
                f"'{key}' is already a question or derived key", f"sections[{i}].key"
            )
    order = []  # sections in the order their questions come
    previous = None
    for i, q in enumerate(content["questions"]):
        section = q.get("section")
        if section is not None and section not in listed:
            raise DefinitionError(f"unknown section '{section}'", f"questions[{i}].section")
        if section is not None and section != previous:
            if section in order:
                raise DefinitionError(
                    f"the questions of section '{section}' must come one after another",
                    f"questions[{i}].section",
                )
            order.append(section)
        previous = section
    for i, key in enumerate(sections):
        if key not in order:
            raise DefinitionError(f"section '{key}' has no questions", f"sections[{i}]")
    if order != sections:
        i = next(i for i, (a, b) in enumerate(zip(order, sections, strict=True)) if a != b)
        raise DefinitionError(
            f"sections must be listed in the order of their questions ('{order[i]}' comes "
            f"before '{sections[i]}')",
            f"sections[{i}]",
        )


def _check_total_cost(total_cost, path):
    if total_cost > MAX_DEFINITION_COST:
        raise DefinitionError(
            f"the expressions together are too expensive to evaluate (up to {total_cost} "
            f"steps per save; at most {MAX_DEFINITION_COST})",
            path,
        )


def _build_spec(content):
    return Spec(
        key=content["key"],
        title=content["title"],
        description=content.get("description", {}),
        questions=tuple(
            Question(
                key=q["key"],
                type=q["type"],
                label=q["label"],
                help=q.get("help", {}),
                unit=q.get("unit", {}),
                required=q.get("required", False),
                required_when=q.get("required_when"),
                relevant_when=q.get("relevant_when"),
                section=q.get("section"),
                min=q.get("min"),
                max=q.get("max"),
                max_length=q.get("max_length"),
                choices=tuple(q.get("choices", ())),
            )
            for q in content["questions"]
        ),
        rules=tuple(
            Rule(
                key=r["key"],
                expression=r["expression"],
                severity=r["severity"],
                message=r["message"],
                scope=r.get("scope", "submission"),
                fields=tuple(r.get("fields", ())),
            )
            for r in content.get("rules", [])
        ),
        derived=tuple(
            Derived(d["key"], d["expression"], d["label"], d.get("type", "decimal"))
            for d in content.get("derived", [])
        ),
        history_checks=tuple(
            HistoryCheck(
                h["key"],
                h["question"],
                h["max_change_percent"],
                h["message"],
                h.get("severity", "warning"),
            )
            for h in content.get("history_checks", [])
        ),
        indicators=tuple(
            Indicator(
                key=i["key"],
                numerator=i["numerator"],
                denominator=i["denominator"],
                label=i["label"],
                target=i.get("target"),
                thresholds=tuple(i.get("thresholds", ())),
                target_label=i.get("target_label", {}),
                type=i.get("type", "share"),
                bands=tuple(i.get("bands", ())),
                unit=i.get("unit", {}),
            )
            for i in content.get("indicators", [])
        ),
        entries=content.get("entries"),
        sections=tuple(
            Section(
                key=s["key"],
                title=s["title"],
                description=s.get("description", {}),
                relevant_when=s.get("relevant_when"),
            )
            for s in content.get("sections", [])
        ),
        splits=tuple(
            Split(s["key"], tuple(s["parts"]), s["label"]) for s in content.get("splits", [])
        ),
        statistics=tuple(
            Statistic(s["key"], s["value"], s.get("label", {}))
            for s in content.get("statistics", [])
        ),
        scatters=tuple(
            Scatter(s["key"], s["x"], s["y"], s["label"]) for s in content.get("scatters", [])
        ),
    )


def validate_definition(content, *, schema_checked: bool = False) -> Spec:
    """Check shape (JSON Schema) and meaning; return the Spec or raise DefinitionError.
    `schema_checked`: the caller has just found `content` valid against the JSON Schema
    (surveys.builder.draft_problems), so that part — most of the time of a large definition —
    is not run twice."""
    if not isinstance(content, dict):
        raise DefinitionError("a definition must be a JSON object")
    if schema_checked:
        return _check_semantics(content)
    validator = jsonschema.Draft202012Validator(DEFINITION_SCHEMA)
    errors = sorted(validator.iter_errors(content), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = "".join(
            f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p))
            for i, p in enumerate(err.absolute_path)
        )
        raise DefinitionError(err.message, path or "(root)")
    return _check_semantics(content)


@functools.lru_cache(maxsize=256)
def _load_spec_cached(serialized: str) -> Spec:
    return _build_spec(json.loads(serialized))


def load_spec(content) -> Spec:
    """The Spec of stored (already validated) content, cached per process by content."""
    return _load_spec_cached(json.dumps(content, sort_keys=True))


_SPECS_BY_ID: dict[int, tuple[dict, Spec]] = {}


def definition_spec(definition_id, content) -> Spec:
    """The Spec of a stored definition, cached per process by its id. Comparing the content
    with the cached copy (a few microseconds) rather than serialising it (json.dumps, ~20×
    slower) keeps the cache right even where an id is reused for other content (a test
    database rolled back and filled again)."""
    if definition_id is None:
        return load_spec(content)
    hit = _SPECS_BY_ID.get(definition_id)
    if hit is not None and hit[0] == content:
        return hit[1]
    spec = load_spec(content)
    if len(_SPECS_BY_ID) >= 256:
        _SPECS_BY_ID.clear()
    # A copy: changing the caller's dict afterwards must not change what the cache compares to.
    _SPECS_BY_ID[definition_id] = (copy.deepcopy(content), spec)
    return spec


def read_definition_file(path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"not valid JSON (line {exc.lineno}, column {exc.colno})")
    except OSError as exc:
        raise DefinitionError(f"cannot read file: {exc.strerror}")


def export_definition(definition) -> dict:
    return {**definition.content, "version": definition.version}
