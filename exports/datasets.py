"""Row generators of the aggregate dataset. They yield plain Python values (int, float, str,
bool, list, datetime, None); a renderer per format turns them into CSV, XLSX or a data package.

Layout (the public contract; see docs/analysts.md):
- **wide**: one row per recipient municipality × round, columns
  `municipality_code, municipality_name, region_code, region_name, dst_group, round, state,
  submitted_at, late`, then for entries surveys `entry_no, nothing_to_report`, then every
  question key, every derived value, every indicator not already a derived value, and
  `<warning_key>_explanation` for each warning of the definition. `state` is `no_response`
  when there is no submission. Values only for `submitted`/`accepted`; empty otherwise
  (a missing answer is never a zero). Entries surveys: one row per entry (`entry_no` 1, 2 …);
  a "nothing to report" answer is one row with `entry_no` empty and `nothing_to_report` true;
  rows of other states have both empty.
- **long**: `municipality_code, round, entry_no, question, value` — one row per answered value
  of a responding municipality (empty answers are left out: in a tidy table absence is the
  missing value); "nothing to report" is the row `question = nothing_to_report, value = true`.
- **non-responders**: recipients whose submission is not submitted/accepted.

Rounds of a survey asked of another register than the municipalities (issue 14): the first
columns are `organisation_code, organisation_name` followed by one column per attribute of the
register (its key; e.g. `region, municipality` for the vocational schools) instead of the five
municipal ones; long and non-responder tables begin with `organisation_code`. Municipal rounds
keep their columns to the byte.

Questions of type `email` (personal contact data) are left out unless `include_personal`
(coordinators only). Nothing from chase notes, contacts or reminders is ever read.

Queries: each generator makes a constant number of queries whatever the number of rounds and
municipalities — one for the recipients and one for the submissions of all rounds, both
streamed with `.iterator()` in round order; only one round's submissions are held at a time.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from reference.models import Register
from submissions.models import Submission
from surveys.definitions import Question, Spec, text
from surveys.models import Round
from surveys.relevance import conditions

RESPONDED = ("submitted", "accepted")
STATES = ("no_response", "draft", "submitted", "returned", "accepted")
CHUNK = 2000

T = {
    "municipality_code": ("Kommunekode", "Municipality code"),
    "municipality_name": ("Kommune", "Municipality"),
    "organisation_code": ("Kode (i registret)", "Code (in the register)"),
    "organisation_name": ("Navn", "Name"),
    "region_code": ("Regionskode", "Region code"),
    "region_name": ("Region", "Region"),
    "dst_group": ("Kommunegruppe (Danmarks Statistik)", "Municipality group (Statistics Denmark)"),
    "round": ("Runde (kort navn)", "Round (slug)"),
    "state": ("Status for besvarelsen", "State of the submission"),
    "submitted_at": ("Indsendt (UTC)", "Submitted at (UTC)"),
    "late": ("Indsendt efter fristen", "Submitted after the deadline"),
    "entry_no": ("Postnummer i besvarelsen", "Entry number within the submission"),
    "nothing_to_report": ("Intet at indberette", "Nothing to report"),
    "question": ("Spørgsmål (nøgle)", "Question (key)"),
    "value": ("Værdi", "Value"),
}


@dataclass(frozen=True)
class Column:
    """One column of an export, and its codebook entry."""

    name: str
    label: dict
    type: str  # Table Schema type: string, integer, number, boolean, date, datetime
    description: dict = field(default_factory=dict)
    unit: dict = field(default_factory=dict)
    choices: tuple = ()  # allowed values (codes)
    multiple: bool = False  # several codes joined with ";"
    format: str = ""  # e.g. "email"
    section: dict = field(default_factory=dict)  # the title of the question's section, if any
    shown_when: str = ""  # the show-when a question is asked under (blank when hidden)

    @property
    def label_da(self) -> str:
        return text(self.label, "da")

    @property
    def label_en(self) -> str:
        return text(self.label, "en")


def _fixed(name, type_, choices=()):
    da, en = T[name]
    return Column(name, {"da": da, "en": en}, type_, choices=tuple(choices))


SHARE_UNIT = {"da": "andel (0–1)", "en": "share (0–1)"}  # a fraction; XLSX shows it as %

QUESTION_TYPES = {
    "integer": "integer",
    "decimal": "number",
    "percentage": "number",
    "text": "string",
    "long_text": "string",
    "single_choice": "string",
    "multiple_choice": "string",
    "date": "date",
    "yes_no": "boolean",
    "email": "string",
}


def shown_when(spec: Spec, question: Question) -> str:
    """The show-when a question is asked under, as one expression (its section's and its
    own, joined with &&); "" for a question always asked."""
    parts = conditions(spec, question)
    if len(parts) > 1:
        return " && ".join(f"({p})" for p in parts)
    return parts[0] if parts else ""


def exported_questions(spec: Spec, include_personal: bool = False) -> list[Question]:
    return [q for q in spec.questions if include_personal or q.type != "email"]


def value_columns(spec: Spec, include_personal: bool = False) -> list[Column]:
    """Question, derived, indicator and explanation columns, in export order."""
    cols = []
    for q in exported_questions(spec, include_personal):
        section = spec.section(q.section) if q.section else None
        cols.append(
            Column(
                q.key,
                q.label,
                QUESTION_TYPES[q.type],
                description=q.help,
                unit=q.unit,
                choices=tuple(q.choice_values),
                multiple=q.type == "multiple_choice",
                format="email" if q.type == "email" else "",
                section=section.title if section else {},
                shown_when=shown_when(spec, q),
            )
        )
    derived_keys = set()
    for d in spec.derived:
        derived_keys.add(d.key)
        unit = SHARE_UNIT if d.type == "percentage" else {}
        cols.append(
            Column(
                d.key,
                d.label,
                "integer" if d.type == "integer" else "number",
                description={"da": f"Beregnet: {d.expression}", "en": f"Derived: {d.expression}"},
                unit=unit,
            )
        )
    for ind in spec.indicators:
        if ind.key in derived_keys:
            continue
        cols.append(
            Column(
                ind.key,
                ind.label,
                "number",
                description={
                    "da": f"Indikator: {ind.numerator} / {ind.denominator}",
                    "en": f"Indicator: {ind.numerator} / {ind.denominator}",
                },
                # A share is a fraction (XLSX shows it as %); a ratio is a number in its unit.
                unit=ind.unit if ind.is_ratio else SHARE_UNIT,
            )
        )
    for key in spec.warning_keys:
        cols.append(
            Column(
                f"{key}_explanation",
                {
                    "da": f"Forklaring til advarslen '{key}'",
                    "en": f"Explanation of warning '{key}'",
                },
                "string",
            )
        )
    return cols


ATTRIBUTE_TYPES = {"integer": "integer", "decimal": "number"}


def is_municipal(register: Register | None) -> bool:
    return register is None or register.key == "kommuner"


def register_of(rounds: Iterable[Round]) -> Register:
    """The register the rounds' survey is asked of (rounds of one survey share it)."""
    return ordered_rounds(rounds)[-1].survey.register


def attribute_columns(register: Register) -> list[Column]:
    """One column per attribute of a non-municipal register, named by its key."""
    cols = []
    for spec in register.attribute_specs():
        label = spec.get("label") or {}
        description = {}
        if spec.get("type") == "code" and spec.get("register"):
            description = {
                "da": f"Kode i registret {spec['register']}",
                "en": f"Code in the register {spec['register']}",
            }
        cols.append(
            Column(
                spec["key"],
                {"da": label.get("da", spec["key"]), "en": label.get("en", "")},
                ATTRIBUTE_TYPES.get(spec.get("type"), "string"),
                description=description,
            )
        )
    return cols


def respondent_columns(register: Register | None = None) -> list[Column]:
    """The columns that say who answered: the five municipal ones, or for another register
    its code, name and attributes."""
    if is_municipal(register):
        return [
            _fixed("municipality_code", "string"),
            _fixed("municipality_name", "string"),
            _fixed("region_code", "string"),
            _fixed("region_name", "string"),
            _fixed("dst_group", "string"),
        ]
    return [
        _fixed("organisation_code", "string"),
        _fixed("organisation_name", "string"),
        *attribute_columns(register),
    ]


def code_column(register: Register | None = None) -> str:
    return "municipality_code" if is_municipal(register) else "organisation_code"


def wide_columns(
    spec: Spec, include_personal: bool = False, register: Register | None = None
) -> list[Column]:
    cols = [
        *respondent_columns(register),
        _fixed("round", "string"),
        _fixed("state", "string", STATES),
        _fixed("submitted_at", "datetime"),
        _fixed("late", "boolean"),
    ]
    if spec.has_entries:
        cols += [_fixed("entry_no", "integer"), _fixed("nothing_to_report", "boolean")]
    return cols + value_columns(spec, include_personal)


def long_columns(register: Register | None = None) -> list[Column]:
    return [
        _fixed(code_column(register), "string"),
        _fixed("round", "string"),
        _fixed("entry_no", "integer"),
        _fixed("question", "string"),
        _fixed("value", "string"),
    ]


def non_responder_columns(register: Register | None = None) -> list[Column]:
    if not is_municipal(register):
        return [
            *respondent_columns(register),
            _fixed("round", "string"),
            _fixed("state", "string", STATES),
        ]
    return [
        _fixed("municipality_code", "string"),
        _fixed("municipality_name", "string"),
        _fixed("region_name", "string"),
        _fixed("dst_group", "string"),
        _fixed("round", "string"),
        _fixed("state", "string", STATES),
    ]


def ordered_rounds(rounds: Iterable[Round]) -> list[Round]:
    """Rounds in the order they are stacked: by deadline, then id."""
    return sorted(rounds, key=lambda r: (r.deadline, r.id))


def spec_of(rounds: Iterable[Round]) -> Spec:
    """The definition used for the columns: the newest round's. All rounds must share a survey."""
    rounds = ordered_rounds(rounds)
    if not rounds:
        raise ValueError("no rounds")
    if len({r.survey_id for r in rounds}) != 1:
        raise ValueError("rounds of different surveys cannot be stacked in one file")
    return rounds[-1].definition.spec


class _Pushback:
    def __init__(self, iterable):
        self._it = iter(iterable)
        self._head = []

    def take_while(self, predicate):
        while True:
            if self._head:
                item = self._head.pop()
            else:
                item = next(self._it, None)
                if item is None:
                    return
            if not predicate(item):
                self._head.append(item)
                return
            yield item


def _recipient_rows(round_ids):
    through = Round.recipients.through
    return (
        through.objects.filter(round_id__in=round_ids)
        .order_by("round__deadline", "round_id", "municipality__code")
        .values_list(
            "round_id",
            "municipality_id",
            "municipality__code",
            "municipality__name",
            "municipality__region_code",
            "municipality__region_name",
            "municipality__dst_group",
            "municipality__attributes",
            "municipality__register__key",
            "municipality__register__attributes",
        )
        .iterator(chunk_size=CHUNK)
    )


def _submission_rows(round_ids):
    return (
        Submission.objects.filter(round_id__in=round_ids)
        .order_by("round__deadline", "round_id")
        .values_list(
            "round_id",
            "municipality_id",
            "state",
            "submitted_at",
            "late",
            "answers",
            "derived",
            "explanations",
        )
        .iterator(chunk_size=CHUNK)
    )


@dataclass
class Record:
    """One recipient in one round, with its submission if any."""

    round: Round
    code: str
    name: str
    region_code: str
    region_name: str
    dst_group: str
    attributes: dict = field(default_factory=dict)
    register_key: str = "kommuner"
    register_attributes: list = field(default_factory=list)
    state: str = "no_response"
    submitted_at: dt.datetime | None = None
    late: bool | None = None
    answers: dict | None = None
    derived: dict | None = None
    explanations: dict | None = None

    @property
    def responded(self) -> bool:
        return self.state in RESPONDED


def records(rounds: Iterable[Round]) -> Iterator[Record]:
    """Every recipient × round in stacking order, joined with its submission. Two queries."""
    rounds = ordered_rounds(rounds)
    by_id = {r.id: r for r in rounds}
    ids = list(by_id)
    recipients = _Pushback(_recipient_rows(ids))
    submissions = _Pushback(_submission_rows(ids))
    for round_ in rounds:
        subs = {s[1]: s for s in submissions.take_while(lambda s, rid=round_.id: s[0] == rid)}
        for r in recipients.take_while(lambda r, rid=round_.id: r[0] == rid):
            rec = Record(round_, r[2], r[3], r[4], r[5], r[6], r[7] or {}, r[8], r[9] or [])
            sub = subs.get(r[1])
            if sub is not None:
                rec.state = sub[2]
                rec.submitted_at = sub[3]
                rec.late = sub[4]
                if rec.responded:
                    rec.answers = sub[5] if isinstance(sub[5], dict) else {}
                    rec.derived = sub[6] if isinstance(sub[6], dict) else {}
                    rec.explanations = sub[7] if isinstance(sub[7], dict) else {}
            yield rec


def _clean(value):
    """A stored answer as an export value: numbers, text, bools, lists; dicts never."""
    if isinstance(value, dict):
        return None
    if value == "" or value == []:
        return None
    return value


def _indicator_value(values, ind):
    num, den = values.get(ind.numerator), values.get(ind.denominator)
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (num, den))
    return num / den if ok and den > 0 else None


ANSWER, DERIVED, INDICATOR, EXPLANATION = range(4)


def _plan(spec, cols):
    """Where each value column comes from, worked out once per export: (kind, key) with kind
    EXPLANATION (key: the warning), DERIVED, INDICATOR (key: the Indicator) or ANSWER."""
    derived_keys = {d.key for d in spec.derived}
    indicators = {i.key: i for i in spec.indicators}
    warnings = {f"{k}_explanation": k for k in spec.warning_keys}
    plan = []
    for col in cols:
        if col.name in warnings:
            plan.append((EXPLANATION, warnings[col.name]))
        elif col.name in derived_keys:
            plan.append((DERIVED, col.name))
        elif col.name in indicators and spec.question(col.name) is None:
            plan.append((INDICATOR, indicators[col.name]))
        else:
            plan.append((ANSWER, col.name))
    return plan


def _values(plan, answers, derived, explanations, entry_no=None):
    """Values of the value columns for one responded row (or one entry)."""
    out = []
    for kind, key in plan:
        if kind == ANSWER:
            value = answers.get(key)
        elif kind == DERIVED:
            value = derived.get(key)
        elif kind == EXPLANATION:
            if entry_no is None:
                text_ = explanations.get(key)
            else:
                text_ = explanations.get(f"{key}@{entry_no}") or explanations.get(key)
            out.append(text_ or None)
            continue
        else:
            out.append(_indicator_value(answers, key))
            continue
        out.append(None if value is None else _clean(value))
    return out


def _utc(value):
    return value.astimezone(dt.UTC).replace(microsecond=0) if value else None


def wide_rows(rounds: Iterable[Round], include_personal: bool = False) -> Iterator[list]:
    """Rows (lists) of the wide table, aligned with `wide_columns(spec_of(rounds))`."""
    spec = spec_of(rounds)
    cols = value_columns(spec, include_personal)
    plan = _plan(spec, cols)
    empty = [None] * len(cols)
    for rec in records(rounds):
        head = [
            *_respondent(rec),
            rec.round.slug,
            rec.state,
            _utc(rec.submitted_at) if rec.responded else None,
            rec.late if rec.responded else None,
        ]
        if not spec.has_entries:
            if rec.responded:
                yield head + _values(plan, rec.answers, rec.derived, rec.explanations)
            else:
                yield head + empty
            continue
        entries = (rec.answers or {}).get("entries") or [] if rec.responded else []
        if rec.responded and entries:
            for no, entry in enumerate(entries, start=1):
                entry = entry if isinstance(entry, dict) else {}
                values = _values(plan, entry, {}, rec.explanations, entry_no=no)
                yield head + [no, False] + values
        elif rec.responded:
            nothing = bool((rec.answers or {}).get("nothing_to_report"))
            yield head + [None, nothing or None] + empty
        else:
            yield head + [None, None] + empty


def long_rows(rounds: Iterable[Round], include_personal: bool = False) -> Iterator[list]:
    """Rows of the long table: (municipality_code or organisation_code, round, entry_no,
    question, value)."""
    spec = spec_of(rounds)
    cols = value_columns(spec, include_personal)
    plan = _plan(spec, cols)
    names = [col.name for col in cols]
    for rec in records(rounds):
        if not rec.responded:
            continue
        if spec.has_entries:
            entries = (rec.answers or {}).get("entries") or []
            if not entries and rec.answers.get("nothing_to_report"):
                yield [rec.code, rec.round.slug, None, "nothing_to_report", True]
            for no, entry in enumerate(entries, start=1):
                entry = entry if isinstance(entry, dict) else {}
                values = _values(plan, entry, {}, rec.explanations, entry_no=no)
                for name, value in zip(names, values, strict=True):
                    if value is not None:
                        yield [rec.code, rec.round.slug, no, name, value]
        else:
            values = _values(plan, rec.answers, rec.derived, rec.explanations)
            for name, value in zip(names, values, strict=True):
                if value is not None:
                    yield [rec.code, rec.round.slug, None, name, value]


def non_responder_rows(rounds: Iterable[Round]) -> Iterator[list]:
    for rec in records(rounds):
        if not rec.responded:
            if rec.register_key == "kommuner":
                yield [
                    rec.code,
                    rec.name,
                    rec.region_name,
                    rec.dst_group,
                    rec.round.slug,
                    rec.state,
                ]
            else:
                yield [*_respondent(rec), rec.round.slug, rec.state]


def _respondent(rec):
    """A record's values for `respondent_columns` of its register (read with the record, so
    the generators need no query of their own for it)."""
    if rec.register_key == "kommuner":
        return [rec.code, rec.name, rec.region_code, rec.region_name, rec.dst_group]
    keys = [s["key"] for s in rec.register_attributes if isinstance(s, dict) and s.get("key")]
    return [rec.code, rec.name, *(rec.attributes.get(k) for k in keys)]
