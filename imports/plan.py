"""The dry run: what a file would do to a round, computed without writing anything.

Columns are matched to the round by the export's own names (`exports.datasets.wide_columns`
and `long_columns`), so an export of one round is a valid import for another of the same
survey; a column that does not match exactly is matched by its label (Danish or English) or
offered a mapping. Every value goes through the form's validation (`submissions.validation`):
numbers by its one parser, text by `lib.formula.read_text`, choices by label or code."""

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from exports import datasets
from imports.reader import Table
from lib.formula import read_text
from lib.query import whole_number
from lib.text import pick
from submissions.models import Submission, SubmissionState
from submissions.services import has_answers
from submissions.validation import clean_explanations, validate
from surveys.definitions import Question, Spec
from surveys.definitions import text as label_text
from surveys.models import Round

# Findings of these codes mean the cell's type cannot hold the value: the row is refused.
TYPE_CODES = frozenset(
    {
        "not_integer",
        "not_number",
        "has_decimals",
        "too_large",
        "bad_choice",
        "bad_date",
        "bad_yes_no",
        "not_text",
        "bad_email",
        "control_chars",
        "max_length",
    }
)
TRUE = {"true", "ja", "yes", "sand", "1", "x"}
FALSE = {"false", "nej", "no", "falsk", "0", ""}


@dataclass
class Change:
    key: str
    label: str
    old: str
    new: str


@dataclass
class RowPlan:
    code: str
    lines: list = field(default_factory=list)
    municipality: object = None
    name: str = ""
    status: str = "ok"  # ok | refused | empty
    reasons: list = field(default_factory=list)  # [(code, message)]
    answers: dict = field(default_factory=dict)
    explanations: dict = field(default_factory=dict)
    result: object = None
    changes: list = field(default_factory=list)
    version: int = 0
    state: str = ""
    saved_by_others: bool = False
    submitted_at: object = None  # a historical round's time of answer, from the file

    @property
    def errors(self) -> list[str]:
        return [pick(f["message"]) for f in self.result.errors] if self.result else []

    @property
    def warnings(self) -> list[dict]:
        if not self.result:
            return []
        out = []
        for w in self.result.warnings:
            explained = bool((self.explanations.get(w["explain"]) or "").strip())
            out.append({"key": w["key"], "message": pick(w["message"]), "explained": explained})
        return out

    @property
    def submittable(self) -> bool:
        return (
            self.status == "ok"
            and self.result is not None
            and not self.result.blocking(self.explanations)
        )

    def refuse(self, code: str, message: str) -> None:
        self.status = "refused"
        self.reasons.append((code, message))


@dataclass
class Plan:
    round: Round
    layout: str = "wide"  # wide | long
    columns: dict = field(default_factory=dict)  # header → key ("" = ignored)
    mapped: list = field(default_factory=list)  # [(header, key, how)] matched by label / chosen
    unknown: list = field(default_factory=list)  # [(header, [suggestions])]
    rows: list = field(default_factory=list)
    language: str = "da"  # how numbers written as text are read (Table.number_language)
    problem: str = ""  # the file as a whole does not fit the round (said before anything else)

    @property
    def ok_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.status == "ok"]

    @property
    def refused_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.status == "refused"]

    @property
    def empty_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.status == "empty"]

    @property
    def can_apply(self) -> bool:
        return not self.problem and not self.unknown and bool(self.ok_rows)

    def counts(self) -> dict[str, int]:
        ok = self.ok_rows
        return {
            "rows": len(self.rows),
            "ok": len(ok),
            "refused": len(self.refused_rows),
            "empty": len(self.empty_rows),
            "with_errors": sum(1 for r in ok if r.result.errors),
            "with_warnings": sum(1 for r in ok if r.result.warnings),
            "submittable": sum(1 for r in ok if r.submittable),
            "saved_by_others": sum(1 for r in ok if r.saved_by_others and r.changes),
            "changing": sum(1 for r in ok if r.changes),
        }


def code_column(spec: Spec) -> str:
    """The name of the code column, as the export names it for this survey."""
    return datasets.wide_columns(spec, include_personal=True)[0].name


def max_rows(round_: Round, *, recipients: int) -> int:
    """The most rows a sensible file for this round has: every recipient, every entry, every
    question (the long layout), twice over."""
    spec = round_.definition.spec
    per = (spec.entries_max or 1) if spec.has_entries else 1
    values = len(spec.questions) + len(spec.warning_keys) + 1
    return max(50, recipients * per * values * 2)


def _norm(text_):
    return re.sub(r"\s+", " ", str(text_)).strip().casefold()


def known_columns(spec: Spec) -> dict[str, str]:
    """Every column name the export writes for this survey: {name: key to read, "" ignored}."""
    wide = {c.name: "" for c in datasets.wide_columns(spec, include_personal=True)}
    for q in spec.questions:
        wide[q.key] = q.key
    for key in spec.warning_keys:
        wide[f"{key}_explanation"] = f"{key}_explanation"
    wide[code_column(spec)] = "code"
    # Read for historical rounds only (when each answered, as the earlier system recorded
    # it); for other rounds the time of the import is the time of submission.
    wide["submitted_at"] = "submitted_at"
    if spec.has_entries:
        wide["entry_no"] = "entry_no"
        wide["nothing_to_report"] = "nothing_to_report"
    return wide


def _labels(spec):
    """Labels (both languages) of the columns that are read: normalised label → key."""
    out = {}
    for col in datasets.wide_columns(spec, include_personal=True):
        for language in ("da", "en"):
            out.setdefault(_norm(label_text(col.label, language)), col.name)
    return out


def match_columns(
    round_: Round, headers: list[str], *, mapping: dict[str, str] | None = None
) -> Plan:
    """Which header is which column of the round (`mapping`: header → column name chosen by
    the coordinator, "" to ignore it)."""
    spec = round_.definition.spec
    mapping = mapping or {}
    plan = Plan(round_)
    long_names = [c.name for c in datasets.long_columns()]
    known = known_columns(spec)
    labels = _labels(spec)
    code_name = code_column(spec)
    if {"question", "value"} <= set(headers) and code_name in headers:
        plan.layout = "long"
        for h in headers:
            plan.columns[h] = h if h in long_names else ""
            if h == code_name:
                plan.columns[h] = "code"
        return plan
    for h in headers:
        if h in known:
            plan.columns[h] = known[h]
        elif h in mapping and (not mapping[h] or mapping[h] in known):
            chosen = mapping[h] or ""
            plan.columns[h] = known[chosen] if chosen else ""
            plan.mapped.append((h, chosen, "chosen"))
        elif _norm(h) in {_norm(k) for k in known}:
            name = next(k for k in known if _norm(k) == _norm(h))
            plan.columns[h] = known[name]
            plan.mapped.append((h, name, "name"))
        elif _norm(h) in labels:
            name = labels[_norm(h)]
            plan.columns[h] = known.get(name, "")
            plan.mapped.append((h, name, "label"))
        else:
            choices = [k for k, v in known.items() if v] + list(labels)
            close = difflib.get_close_matches(_norm(h), [_norm(c) for c in choices], n=3)
            suggestions = []
            for c in close:
                name = labels.get(c) or next((k for k in known if _norm(k) == c), c)
                if name not in suggestions and known.get(name):
                    suggestions.append(name)
            plan.unknown.append((h, suggestions))
    read = set(plan.columns.values())
    if "code" not in read:
        plan.problem = _(
            "Filen passer ikke til runden: den har ingen kolonne »%(code)s« med "
            "kommunekoden. Hent skabelonen for runden og brug dens kolonner."
        ) % {"code": code_name}
    elif not read & set(spec.question_keys):
        plan.problem = _(
            "Filen passer ikke til undersøgelsen »%(survey)s«: ingen af dens spørgsmål "
            "(%(keys)s) er en kolonne i filen. Er det en fil fra en anden undersøgelse?"
        ) % {"survey": label_text(spec.title), "keys": ", ".join(spec.question_keys[:8])}
    return plan


def _read_submitted_at(round_: Round, row: RowPlan, raw) -> None:
    """A historical round's `submitted_at` cell (the export's ISO 8601 time, UTC unless it
    says otherwise; a date-time cell of a spreadsheet); blank means the reference date."""
    if raw in (None, ""):
        return
    when = raw if isinstance(raw, dt.datetime) else None
    if when is None:
        try:
            when = dt.datetime.fromisoformat(str(raw).strip())
        except ValueError:
            when = None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if when is None or when > round_.deadline:
        row.refuse(
            "submitted_at",
            _(
                "Indsendt-tidspunktet »%(value)s« kan ikke bruges: skriv det som "
                "2025-09-30 14:05:00+00:00, senest rundens referencedato."
            )
            % {"value": str(raw)[:40]},
        )
        return
    row.submitted_at = when


def _code(value):
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice_lookup(question):
    lookup = {}
    for c in question.choices:
        for language in ("da", "en"):
            lookup.setdefault(_norm(label_text(c.get("label", {}), language)), c["value"])
    for value in question.choice_values:
        lookup[_norm(value)] = value
    return lookup


def convert(question: Question, raw: object) -> object:
    """A cell as the value the form's validation reads: text unescaped, choice labels as
    codes, dates and booleans as the form sends them. Numbers stay as written."""
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = read_text(raw)
        if not raw.strip():
            return None
    t = question.type
    if t == "single_choice" and isinstance(raw, str):
        return _choice_lookup(question).get(_norm(raw), raw.strip())
    if t == "multiple_choice":
        lookup = _choice_lookup(question)
        parts = [p for p in re.split(r"[;\n]", str(raw)) if p.strip()]
        return [lookup.get(_norm(p), p.strip()) for p in parts]
    if t == "date":
        if isinstance(raw, dt.datetime):
            return raw.date().isoformat()
        if isinstance(raw, dt.date):
            return raw.isoformat()
    if t == "yes_no" and isinstance(raw, int | float) and not isinstance(raw, bool):
        return bool(raw)
    if t in ("text", "long_text", "email") and not isinstance(raw, str):
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return str(raw)
    if t in ("integer", "decimal", "percentage") and isinstance(raw, float):
        return int(raw) if raw.is_integer() else raw
    return raw


def _flag(raw):
    if isinstance(raw, bool):
        return raw
    return _norm(read_text(raw) if isinstance(raw, str) else raw) in TRUE


def _entry_no(raw):
    code = _code(raw)
    if not code:
        return None
    number = whole_number(code)
    return number if number is not None and 0 < number <= 10_000 else -1


def _groups(plan: Plan, table: Table):
    """Rows of the file by code, as {code: [(line, {key: raw})]} in file order."""
    groups = {}
    index = [(i, plan.columns.get(h, "")) for i, h in enumerate(table.headers)]
    for n, row in enumerate(table.rows):
        line = table.first_line + n
        cells = {}
        for i, key in index:
            if key and i < len(row):
                cells[key] = row[i]
        groups.setdefault(_code(cells.get("code")), []).append((line, cells))
    return groups


def _collect_wide(spec, row: RowPlan, items):
    questions = {q.key: q for q in spec.questions}
    if not spec.has_entries:
        if len(items) > 1:
            row.refuse(
                "duplicate",
                _("Kommunen står i %(n)s rækker (linje %(lines)s); kun én er tilladt.")
                % {"n": len(items), "lines": ", ".join(str(line) for line, _cells in items)},
            )
            return
        cells = items[0][1]
        for key, q in questions.items():
            value = convert(q, cells.get(key))
            if value is not None:
                row.answers[key] = value
        for key in spec.warning_keys:
            text_ = cells.get(f"{key}_explanation")
            if text_ not in (None, ""):
                row.explanations[key] = str(read_text(text_))
        return
    entries, numbers, nothing = [], [], False
    for line, cells in items:
        entry = {}
        for key, q in questions.items():
            value = convert(q, cells.get(key))
            if value is not None:
                entry[key] = value
        no = _entry_no(cells.get("entry_no"))
        if no == -1:
            row.refuse(
                "value",
                _("Linje %(line)s: postnummeret skal være et helt tal fra 1.") % {"line": line},
            )
            return
        if not entry:
            nothing = nothing or _flag(cells.get("nothing_to_report"))
            continue
        no = no or len(entries) + 1
        if no in numbers:
            row.refuse(
                "duplicate",
                _("Post nr. %(no)s står to gange (linje %(line)s).") % {"no": no, "line": line},
            )
            return
        numbers.append(no)
        entries.append((no, entry, cells))
    entries.sort(key=lambda e: e[0])
    for position, (_no, _entry, cells) in enumerate(entries, start=1):
        for key in spec.warning_keys:
            text_ = cells.get(f"{key}_explanation")
            if text_ not in (None, ""):
                row.explanations.setdefault(f"{key}@{position}", str(read_text(text_)))
                row.explanations.setdefault(key, str(read_text(text_)))
    if entries or nothing:
        row.answers = {"entries": [e for _no, e, _cells in entries], "nothing_to_report": nothing}


def _collect_long(spec, row: RowPlan, items):
    questions = {q.key: q for q in spec.questions}
    explain = {f"{k}_explanation": k for k in spec.warning_keys}
    values, seen = {}, set()
    nothing = False
    for line, cells in items:
        question = _code(cells.get("question"))
        no = _entry_no(cells.get("entry_no")) if spec.has_entries else None
        if no == -1:
            row.refuse(
                "value",
                _("Linje %(line)s: postnummeret skal være et helt tal fra 1.") % {"line": line},
            )
            return
        if question == "nothing_to_report" and spec.has_entries:
            nothing = _flag(cells.get("value"))
            continue
        if question not in questions and question not in explain:
            if question in known_columns(spec):
                continue  # a derived value or an indicator: computed, never read
            row.refuse(
                "unknown_column",
                _("Linje %(line)s: »%(question)s« er ikke et spørgsmål i undersøgelsen.")
                % {"line": line, "question": question[:60]},
            )
            return
        if (no, question) in seen:
            row.refuse(
                "duplicate",
                _("Linje %(line)s: »%(question)s« står to gange for samme kommune%(entry)s.")
                % {
                    "line": line,
                    "question": question,
                    "entry": (_(", post %(no)s") % {"no": no}) if no else "",
                },
            )
            return
        seen.add((no, question))
        values.setdefault(no, {})[question] = cells.get("value")
    entries = []
    for position, no in enumerate(sorted(values, key=lambda n: n or 0), start=1):
        cells = values[no]
        answers = {}
        for key, q in questions.items():
            value = convert(q, cells.get(key))
            if value is not None:
                answers[key] = value
        for name, key in explain.items():
            if cells.get(name) not in (None, ""):
                text_ = str(read_text(cells[name]))
                if spec.has_entries:
                    row.explanations.setdefault(f"{key}@{position}", text_)
                row.explanations.setdefault(key, text_)
        entries.append(answers)
    if spec.has_entries:
        entries = [e for e in entries if e]
        if entries or nothing:
            row.answers = {"entries": entries, "nothing_to_report": nothing}
    elif entries:
        row.answers = entries[0]


def _show(value):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)[:200]


def _changes(spec, old, new):
    old = old if isinstance(old, dict) else {}
    if spec.has_entries:
        out = []
        old_entries = old.get("entries") or []
        new_entries = new.get("entries") or []
        if bool(old.get("nothing_to_report")) != bool(new.get("nothing_to_report")):
            out.append(
                Change(
                    "nothing_to_report",
                    _("Intet at indberette"),
                    _show(bool(old.get("nothing_to_report"))),
                    _show(bool(new.get("nothing_to_report"))),
                )
            )
        for i in range(max(len(old_entries), len(new_entries))):
            before = old_entries[i] if i < len(old_entries) else {}
            after = new_entries[i] if i < len(new_entries) else {}
            for q in spec.questions:
                if before.get(q.key) != after.get(q.key):
                    label = f"{_('Post')} {i + 1}: {pick(q.label)}"
                    out.append(
                        Change(q.key, label, _show(before.get(q.key)), _show(after.get(q.key)))
                    )
        return out
    return [
        Change(q.key, pick(q.label), _show(old.get(q.key)), _show(new.get(q.key)))
        for q in spec.questions
        if old.get(q.key) != new.get(q.key)
    ]


def plan_rows(
    round_: Round,
    table: Table,
    *,
    mapping: dict[str, str] | None = None,
    own_versions: dict[int, set[int]] | None = None,
) -> Plan:
    """The dry run of `table` for `round_`: reads only (a constant number of queries)."""
    spec = round_.definition.spec
    plan = match_columns(round_, table.headers, mapping=mapping)
    plan.language = table.number_language
    if plan.problem:
        return plan
    recipients = {m.code: m for m in round_.recipients.all()}
    groups = _groups(plan, table)
    existing = {
        s.municipality_id: s
        for s in Submission.objects.filter(round=round_).only(
            "municipality_id", "version", "state", "answers", "explanations"
        )
    }
    previous = {}
    if round_.previous_id:
        previous = dict(
            Submission.objects.filter(
                round_id=round_.previous_id,
                state__in=(SubmissionState.SUBMITTED, SubmissionState.ACCEPTED),
            ).values_list("municipality_id", "answers")
        )
    unknown_codes = [c for c in groups if c and c not in recipients]
    elsewhere = set(
        round_.recipients.model.objects.filter(
            register_id=round_.survey.register_id, code__in=unknown_codes
        ).values_list("code", flat=True)
    )
    own_versions = own_versions or {}
    for code, items in groups.items():
        row = RowPlan(code=code, lines=[line for line, _cells in items])
        plan.rows.append(row)
        municipality = recipients.get(code)
        if not code:
            row.refuse("no_code", _("Rækken har ingen kommunekode."))
            continue
        if municipality is None:
            if code in elsewhere:
                row.refuse(
                    "not_recipient",
                    _("Kommunekode %(code)s er ikke modtager af denne runde.") % {"code": code},
                )
            else:
                row.refuse(
                    "unknown_code", _("Kommunekoden %(code)s findes ikke.") % {"code": code[:20]}
                )
            continue
        row.municipality, row.name = municipality, municipality.name
        if plan.layout == "long":
            _collect_long(spec, row, items)
        else:
            _collect_wide(spec, row, items)
        if round_.is_historical and plan.layout == "wide":
            _read_submitted_at(round_, row, items[0][1].get("submitted_at"))
        if row.status == "refused":
            continue
        if not row.answers:
            row.status = "empty"
            continue
        sub = existing.get(municipality.pk)
        row.result = validate(
            spec, row.answers, previous.get(municipality.pk), language=table.number_language
        )
        for f in row.result.errors:
            if f["code"] in TYPE_CODES:
                where = pick(spec.question(f["field"]).label) if f.get("field") else ""
                if f.get("entry") is not None:
                    where = f"{_('Post')} {f['entry'] + 1}: {where}"
                row.refuse("value", f"{where}: {pick(f['message'])}")
        if sub is not None:
            row.version, row.state = sub.version, sub.state
            row.saved_by_others = (
                sub.version > 0
                and sub.version not in own_versions.get(municipality.pk, ())
                and has_answers(sub.answers)
            )
        row.changes = _changes(spec, sub.answers if sub else {}, row.result.answers)
        raised = {w["explain"] for w in row.result.warnings}
        row.explanations = {k: v for k, v in row.explanations.items() if k in raised}
        # Too long: the row is refused (submissions' rule, the same as the form's and the
        # API's), never cut.
        fields = {w["explain"]: w.get("field") for w in row.result.warnings}
        for key, problem in clean_explanations(row.explanations)[1].items():
            question = spec.question(fields[key]) if fields.get(key) else None
            where = pick(question.label) if question is not None else key
            row.refuse("explanation", f"{_('Forklaring')} ({where}): {pick(problem)}")
    plan.rows.sort(key=lambda r: r.lines[0] if r.lines else 0)
    return plan
