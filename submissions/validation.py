"""Validation of a submission's answers against its definition.

Two steps, both pure functions of their inputs:
- `clean_value` turns what was typed (form text, JSON from the API, or a stored draft) into a
  typed value, or says precisely what is wrong with it;
- `validate` runs the type checks, required questions, rules, derived values and history
  checks and returns findings (errors block submission; warnings need an explanation).

Messages come in Danish and English ({"da": …, "en": …}); the interface picks one.
"""

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from surveys.rules import NotEvaluable, evaluate

MAX_ABS_NUMBER = 10**15  # far beyond any count we collect, well inside 64-bit and float precision
DEFAULT_MAX_LENGTH = {"text": 500, "long_text": 10000, "email": 254}
MAX_EXPLANATION_LENGTH = 4000

M = {
    "required": ("Feltet skal udfyldes.", "This field is required."),
    "not_integer": (
        "Skriv et helt tal (kun cifre, fx 1250).",
        "Enter a whole number (digits only).",
    ),
    "has_decimals": (
        "Skriv et helt tal uden decimaler.",
        "Enter a whole number without decimals.",
    ),
    "not_number": ("Skriv et tal, fx 12,5.", "Enter a number, e.g. 12.5."),
    "too_large": ("Tallet er for stort.", "The number is too large."),
    "min": ("Tallet må ikke være mindre end {min}.", "The number must not be less than {min}."),
    "max": ("Tallet må ikke være større end {max}.", "The number must not be greater than {max}."),
    "negative": ("Tallet må ikke være negativt.", "The number must not be negative."),
    "max_length": (
        "Teksten er for lang: {length} tegn, højst {max_length}.",
        "The text is too long: {length} characters, at most {max_length}.",
    ),
    "control_chars": (
        "Teksten indeholder usynlige kontroltegn, som ikke kan gemmes. De er fjernet — kontrollér "
        "teksten.",
        "The text contained invisible control characters that cannot be stored. They were "
        "removed — please check the text.",
    ),
    "not_text": ("Skriv en tekst.", "Enter text."),
    "bad_choice": (
        "Vælg en af de mulige værdier (ukendt værdi: {value}).",
        "Choose one of the options (unknown value: {value}).",
    ),
    "bad_date": (
        "Skriv en dato som dd-mm-åååå, fx 12-03-2026.",
        "Enter a date as dd-mm-yyyy, e.g. 12-03-2026.",
    ),
    "bad_yes_no": ("Vælg ja eller nej.", "Choose yes or no."),
    "bad_email": ("Skriv en gyldig e-mailadresse.", "Enter a valid e-mail address."),
    "no_entries": (
        "Tilføj mindst én {entry}, eller markér at der ikke er noget at indberette.",
        "Add at least one {entry_en}, or mark that there is nothing to report.",
    ),
    "nothing_and_entries": (
        "Du har markeret, at der ikke er noget at indberette, men der er også {count} {entries}. "
        "Fjern markeringen eller posterne.",
        "You marked that there is nothing to report, but there are also {count} entries. "
        "Remove the mark or the entries.",
    ),
    "too_many_entries": ("Der må højst være {max} poster.", "There may be at most {max} entries."),
    "explanation_missing": (
        "Skriv en forklaring til advarslen, før du indsender.",
        "Write an explanation for the warning before you submit.",
    ),
    "explanation_too_long": (
        "Forklaringen er for lang (højst {max} tegn).",
        "The explanation is too long (at most {max} characters).",
    ),
}


def message(code, **params):
    da, en = M[code]
    return {"da": da.format(**params), "en": en.format(**params)}


# Control characters other than tab, newline, carriage return cannot be shown or stored
# (PostgreSQL JSON refuses NUL); invalid surrogates likewise.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_DATE_DK = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")


@dataclass
class Cleaned:
    value: object = None  # typed value for the rules, or None when empty/invalid
    stored: object = None  # what is kept in the draft: clean JSON, or the raw text when invalid
    error: dict | None = None  # {"code", "message"} when invalid


def _strip_controls(text, multiline):
    cleaned = _CONTROL.sub("", text)
    if not multiline:
        cleaned = cleaned.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return unicodedata.normalize("NFC", cleaned), cleaned != text


def _number(question, raw):
    integer = question.type == "integer"
    if isinstance(raw, bool):
        return None, "not_integer" if integer else "not_number"
    if isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            return None, "not_number"
        number = Decimal(str(raw))
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "").replace("\u00a0", "")
        if question.type == "percentage":
            text = text.rstrip("%")
        if integer:
            if re.fullmatch(r"[+-]?\d+[.,]\d+", text):
                return None, "has_decimals"
            if not re.fullmatch(r"[+-]?\d+", text):
                return None, "not_integer"
            if len(text) > 30:
                return None, "too_large"
            number = Decimal(text)
        else:
            if not re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)", text) or len(text) > 40:
                return None, "not_number"
            try:
                number = Decimal(text.replace(",", "."))
            except InvalidOperation:
                return None, "not_number"
    else:
        return None, "not_integer" if integer else "not_number"
    if abs(number) > MAX_ABS_NUMBER:
        return None, "too_large"
    if integer:
        if number != number.to_integral_value():
            return None, "has_decimals"
        return int(number), None
    return float(number), None


def _format_number(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return (
        f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value).replace(".", ",")
    )


def _date(raw):
    if isinstance(raw, dt.date):
        return raw
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        m = _DATE_DK.match(text)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return None


def _storable(value):
    """`value` without the characters PostgreSQL JSON refuses (strings, and lists of them)."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def is_empty(raw):
    return raw is None or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip())


def clean_value(question, raw) -> Cleaned:
    """Typed value of one answer, or the raw text kept with a precise error."""
    if is_empty(raw):
        return Cleaned(None, None if not isinstance(raw, list) else [])
    t = question.type

    def fail(code, stored=raw, **params):
        # What was typed is kept and quoted back, so it must be storable too: a NUL or a lone
        # surrogate in an unknown choice or a bad date would otherwise fail in PostgreSQL JSON.
        stored = _storable(stored)
        params = {k: _storable(v) for k, v in params.items()}
        return Cleaned(None, stored, {"code": code, "message": message(code, **params)})

    if t in ("integer", "decimal", "percentage"):
        stored = (
            raw if isinstance(raw, int | float | str) and not isinstance(raw, bool) else str(raw)
        )
        if isinstance(stored, str):
            stored, _ = _strip_controls(stored, multiline=False)
            stored = stored[:100]
        value, code = _number(question, raw)
        if code:
            return fail(code, stored)
        if question.min is not None and value < question.min:
            if question.min == 0:
                return fail("negative", value)
            return fail("min", value, min=_format_number(question.min))
        if question.max is not None and value > question.max:
            return fail("max", value, max=_format_number(question.max))
        return Cleaned(value, value)

    if t in ("text", "long_text", "email"):
        if not isinstance(raw, str):
            return fail("not_text", str(raw)[:1000])
        text, had_controls = _strip_controls(raw, multiline=(t == "long_text"))
        text = text.strip() if t != "long_text" else text.rstrip()
        limit = question.max_length or DEFAULT_MAX_LENGTH[t]
        if had_controls:
            return fail("control_chars", text[: limit * 2])
        if len(text) > limit:
            # Keep what was typed (up to a sane bound) so nothing is lost; submission is blocked.
            return fail(
                "max_length", text[: max(limit * 2, 10000)], length=len(text), max_length=limit
            )
        if t == "email":
            try:
                validate_email(text)
            except ValidationError:
                return fail("bad_email", text)
            return Cleaned(text.lower(), text.lower())
        return Cleaned(text, text)

    if t == "single_choice":
        value = raw if isinstance(raw, str) else str(raw)
        if value not in question.choice_values:
            return fail("bad_choice", value[:100], value=value[:60])
        return Cleaned(value, value)

    if t == "multiple_choice":
        values = raw if isinstance(raw, list) else [raw]
        values = [v if isinstance(v, str) else str(v) for v in values]
        unknown = [v for v in values if v not in question.choice_values]
        if unknown:
            return fail("bad_choice", [v[:100] for v in values][:50], value=unknown[0][:60])
        ordered = [v for v in question.choice_values if v in values]
        return Cleaned(ordered, ordered)

    if t == "date":
        value = _date(raw)
        if value is None:
            return fail("bad_date", str(raw)[:100])
        return Cleaned(value, value.isoformat())

    if t == "yes_no":
        lookup = {"yes": True, "ja": True, "true": True, "no": False, "nej": False, "false": False}
        if isinstance(raw, bool):
            return Cleaned(raw, raw)
        value = lookup.get(str(raw).strip().lower())
        if value is None:
            return fail("bad_yes_no", str(raw)[:100])
        return Cleaned(value, value)

    raise ValueError(f"unknown question type {t}")


@dataclass
class Result:
    answers: dict  # what to store (clean values, raw text where invalid)
    findings: list = field(default_factory=list)
    derived: dict = field(default_factory=dict)

    @property
    def errors(self):
        return [f for f in self.findings if f["severity"] == "error"]

    @property
    def warnings(self):
        return [f for f in self.findings if f["severity"] == "warning"]

    def unexplained(self, explanations):
        return [w for w in self.warnings if not (explanations.get(w["explain"]) or "").strip()]

    def blocking(self, explanations):
        """Errors, and warnings without an explanation: what stands in the way of submitting."""
        return self.errors + [
            {
                **w,
                "severity": "error",
                "code": "explanation_missing",
                "message": message("explanation_missing"),
                "warning": w["message"],
            }
            for w in self.unexplained(explanations)
        ]


def explanation_key(rule_key, entry=None):
    return rule_key if entry is None else f"{rule_key}@{entry + 1}"


def _finding(severity, key, code, msg, field=None, entry=None):
    return {
        "severity": severity,
        "key": key,
        "code": code,
        "message": msg,
        "field": field,
        "entry": entry,
        "explain": explanation_key(key, entry) if severity == "warning" else None,
    }


def _clean_group(spec, raw_answers, entry=None):
    stored, values, findings = {}, {}, []
    for q in spec.questions:
        cleaned = clean_value(q, raw_answers.get(q.key))
        stored[q.key] = cleaned.stored
        if cleaned.error:
            findings.append(
                _finding(
                    "error",
                    f"{q.key}:{cleaned.error['code']}",
                    cleaned.error["code"],
                    cleaned.error["message"],
                    q.key,
                    entry,
                )
            )
        elif cleaned.value is not None:
            values[q.key] = cleaned.value
    for q in spec.questions:
        if q.key in values or any(f["field"] == q.key for f in findings):
            continue
        required = q.required
        if not required and q.required_when:
            try:
                required = evaluate(q.required_when, values) is True
            except NotEvaluable:
                required = False
        if required:
            findings.append(
                _finding(
                    "error", f"{q.key}:required", "required", message("required"), q.key, entry
                )
            )
    return stored, values, findings


def _run_rules(rules, values, entry=None):
    findings = []
    for rule in rules:
        try:
            ok = evaluate(rule.expression, values)
        except NotEvaluable:
            continue  # a value it needs is missing or invalid; that has its own message
        if ok is False:
            findings.append(
                _finding(
                    rule.severity,
                    rule.key,
                    "rule",
                    rule.message,
                    rule.fields[0] if rule.fields else None,
                    entry,
                )
            )
    return findings


def _history(spec, values, previous):
    findings = []
    if not previous:
        return findings
    for check in spec.history_checks:
        now, before = values.get(check.question), previous.get(check.question)
        if not isinstance(now, int | float) or not isinstance(before, int | float):
            continue
        if isinstance(before, bool) or isinstance(now, bool):
            continue
        if before == 0:
            changed = now != 0
        else:
            changed = abs(now - before) / abs(before) * 100 > check.max_change_percent
        if changed:
            msg = {
                lang: f"{text} ({_format_number(before)} → {_format_number(now)})"
                for lang, text in check.message.items()
            }
            findings.append(_finding(check.severity, check.key, "history", msg, check.question))
    return findings


def validate(spec, answers, previous_answers=None) -> Result:
    """Validate answers (flat dict, or {"entries": [...], "nothing_to_report": bool})."""
    answers = answers if isinstance(answers, dict) else {}
    if spec.has_entries:
        return _validate_entries(spec, answers)
    stored, values, findings = _clean_group(spec, answers)
    derived = {}
    for d in spec.derived:
        try:
            value = evaluate(d.expression, values)
            derived[d.key] = value if isinstance(value, float) else None
        except NotEvaluable:
            derived[d.key] = None
        if derived[d.key] is not None:
            values[d.key] = derived[d.key]
    findings += _run_rules([r for r in spec.rules if r.scope == "submission"], values)
    findings += _history(spec, values, previous_answers)
    return Result(stored, findings, derived)


def _validate_entries(spec, answers):
    raw_entries = answers.get("entries") or []
    if not isinstance(raw_entries, list):
        raw_entries = []
    nothing = answers.get("nothing_to_report") is True
    findings, stored_entries, entry_values = [], [], []
    limit = spec.entries_max
    for i, raw in enumerate(raw_entries):
        stored, values, entry_findings = _clean_group(spec, raw if isinstance(raw, dict) else {}, i)
        if i < limit:  # past the cap it cannot be submitted (too_many_entries): no rule work
            entry_findings += _run_rules([r for r in spec.rules if r.scope == "entry"], values, i)
            entry_values.append(values)
        stored_entries.append(stored)
        findings += entry_findings
    label_da = (spec.entries or {}).get("label", {}).get("da", "post").lower()
    label_en = (spec.entries or {}).get("label", {}).get("en", "entry").lower()
    plural_da = (spec.entries or {}).get("label_plural", {}).get("da", "poster").lower()
    if limit and len(raw_entries) > limit:
        findings.append(
            _finding(
                "error", "entries:max", "too_many_entries", message("too_many_entries", max=limit)
            )
        )
    if nothing and raw_entries:
        findings.append(
            _finding(
                "error",
                "entries:nothing_and_entries",
                "nothing_and_entries",
                message("nothing_and_entries", count=len(raw_entries), entries=plural_da),
            )
        )
    if not nothing and not raw_entries:
        findings.append(
            _finding(
                "error",
                "entries:none",
                "no_entries",
                message("no_entries", entry=label_da, entry_en=label_en),
            )
        )
    findings += _run_rules(
        [r for r in spec.rules if r.scope == "submission"], {"entries": entry_values}
    )
    stored = {"entries": stored_entries, "nothing_to_report": nothing}
    return Result(stored, findings, {})


def clean_explanations(explanations):
    """Explanations are free text keyed by warning; control characters removed."""
    out, problems = {}, {}
    if not isinstance(explanations, dict):
        return out, problems
    for key, text in explanations.items():
        if not isinstance(key, str) or not isinstance(text, str) or len(key) > 100:
            continue
        text, _ = _strip_controls(text, multiline=True)
        text = text.strip()
        if len(text) > MAX_EXPLANATION_LENGTH:
            problems[key] = message("explanation_too_long", max=MAX_EXPLANATION_LENGTH)
            text = text[:MAX_EXPLANATION_LENGTH]
        if text:
            out[key] = text
    return out, problems
