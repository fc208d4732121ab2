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
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from surveys.relevance import hidden_questions
from surveys.rules import NotEvaluable, bind, evaluate

MAX_ABS_NUMBER = 10**15  # far beyond any count we collect, well inside 64-bit and float precision
DEFAULT_MAX_LENGTH = {"text": 500, "long_text": 10000, "email": 254}
MAX_EXPLANATION_LENGTH = 4000

M = {
    "required": ("Feltet skal udfyldes.", "This field is required."),
    "not_integer": (
        "Skriv et helt tal, fx 1.250 eller 1250.",
        "Enter a whole number, e.g. 1,250 or 1250.",
    ),
    "not_integer_char": (
        "Tegnet »{char}« kan ikke bruges i et tal. Skriv et helt tal, fx 1.250 eller 1250.",
        "The character “{char}” cannot be used in a number. Enter a whole number, e.g. 1,250 "
        "or 1250.",
    ),
    "not_number_char": (
        "Tegnet »{char}« kan ikke bruges i et tal. Skriv et tal, fx 1.250 eller 12,5.",
        "The character “{char}” cannot be used in a number. Enter a number, e.g. 1,250 or 12.5.",
    ),
    "misplaced_char": (
        "Tegnet »{char}« står et forkert sted. Skriv tusinder som 1.250 eller 1250 og "
        "decimaler med komma, fx 12,5.",
        "The “{char}” is in the wrong place. Write thousands as 1,250 or 1250 and decimals "
        "with a point, e.g. 12.5.",
    ),
    "has_decimals": (
        "Skriv et helt tal uden decimaler.",
        "Enter a whole number without decimals.",
    ),
    "not_number": ("Skriv et tal, fx 1.250 eller 12,5.", "Enter a number, e.g. 1,250 or 12.5."),
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
        "Skriv en gyldig dato med dag, måned og år, fx 27 3 2026 (dd-mm-åååå).",
        "Enter a real date with day, month and year, e.g. 27 3 2026 (dd-mm-yyyy).",
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
        "You marked that there is nothing to report, but there are also {count} {entries_en}. "
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


@dataclass
class ParsedNumber:
    value: Decimal | None = None
    code: str | None = None  # not_integer | not_number | has_decimals | too_large
    message_key: str | None = None  # a more precise message than the code's own, if any
    char: str | None = None  # the character that is wrong, named in the message


# Spaces people (and spreadsheets) put between thousands: plain, no-break, thin, narrow no-break.
_NUMBER_SPACES = re.compile(r"[ \u00a0\u2009\u202f]")
_SEPARATORS = {"da": (",", "."), "en": (".", ",")}  # (decimal, thousands)


def number_language(language=None):
    """The number convention to read typed text with: the interface language (da or en)."""
    if language is None:
        from django.utils.translation import get_language

        language = get_language()
    return "en" if (language or "da")[:2] == "en" else "da"


def parse_number(raw: str, *, language: str | None = None, integer: bool = False) -> ParsedNumber:
    """Read a number as typed, the one parser for the form, the API's text values and imports.

    Danish: "1.250", "1 250" and "1250" are 1250, decimals with a comma ("12,5"); English:
    "1,250" is 1250, decimals with a point. A single separator that cannot be a thousands
    separator ("0.25" in Danish, "12,5" in English) is read as the decimal mark. A refusal
    names the character that is wrong."""
    decimal_mark, thousands = _SEPARATORS[number_language(language)]
    fail = "not_integer" if integer else "not_number"
    text = _NUMBER_SPACES.sub("", raw.strip())
    if len(text) > 40:
        return ParsedNumber(code="too_large")
    sign = ""
    if text[:1] in ("+", "-", "\u2212"):
        sign, text = ("-" if text[0] != "+" else ""), text[1:]
    for char in text:
        if not (char.isascii() and char.isdigit()) and char not in ".,":
            return ParsedNumber(code=fail, message_key=f"{fail}_char", char=char)
    if not any(c.isdigit() for c in text):
        return ParsedNumber(code=fail)
    parts = text.split(decimal_mark)
    if len(parts) > 2:
        return ParsedNumber(code=fail, message_key="misplaced_char", char=decimal_mark)
    whole, fraction = parts[0], (parts[1] if len(parts) == 2 else "")
    if thousands in fraction:
        return ParsedNumber(code=fail, message_key="misplaced_char", char=thousands)
    if thousands in whole:
        groups = whole.split(thousands)
        if 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
            whole = "".join(groups)
        elif len(groups) == 2 and len(parts) == 1 and groups[1]:
            whole, fraction = groups  # the other convention's decimal mark: "0.25" in Danish
        else:
            return ParsedNumber(code=fail, message_key="misplaced_char", char=thousands)
    if len(whole.lstrip("0")) > 30:
        return ParsedNumber(code="too_large")
    number = Decimal(f"{sign}{whole or '0'}.{fraction or '0'}")
    if integer and number != number.to_integral_value():
        return ParsedNumber(code="has_decimals")
    return ParsedNumber(value=number)


def _number(question, raw, language=None):
    """(value, code, message_key, char) of a numeric answer from JSON or typed text."""
    integer = question.type == "integer"
    fail = "not_integer" if integer else "not_number"
    if isinstance(raw, bool):
        return None, fail, None, None
    if isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            return None, fail, None, None
        number = Decimal(str(raw))
    elif isinstance(raw, str):
        text = raw.strip()
        if question.type == "percentage":
            text = text.rstrip("%")
        parsed = parse_number(text, language=language, integer=integer)
        if parsed.code:
            return None, parsed.code, parsed.message_key, parsed.char
        number = parsed.value
    else:
        return None, fail, None, None
    if abs(number) > MAX_ABS_NUMBER:
        return None, "too_large", None, None
    if integer:
        if number != number.to_integral_value():
            return None, "has_decimals", None, None
        return int(number), None, None, None
    return float(number), None, None, None


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


def clean_value(question, raw, language=None) -> Cleaned:
    """Typed value of one answer, or the raw text kept with a precise error. `language` is the
    number convention typed text is read with (default: the active interface language)."""
    if is_empty(raw):
        return Cleaned(None, None if not isinstance(raw, list) else [])
    t = question.type

    def fail(code, stored=raw, message_key=None, **params):
        # What was typed is kept and quoted back, so it must be storable too: a NUL or a lone
        # surrogate in an unknown choice or a bad date would otherwise fail in PostgreSQL JSON.
        stored = _storable(stored)
        params = {k: _storable(v) for k, v in params.items() if v is not None}
        msg = message(message_key or code, **params)
        return Cleaned(None, stored, {"code": code, "message": msg})

    if t in ("integer", "decimal", "percentage"):
        stored = (
            raw if isinstance(raw, int | float | str) and not isinstance(raw, bool) else str(raw)
        )
        if isinstance(stored, str):
            stored, _ = _strip_controls(stored, multiline=False)
            stored = stored[:100]
        value, code, message_key, char = _number(question, raw, language)
        if code:
            return fail(code, stored, message_key=message_key, char=char)
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
    # Question keys a show-when hides: a set (a survey without entries), or one set per entry.
    hidden: set | list = field(default_factory=set)

    def hidden_in(self, entry=None):
        """The keys hidden in the submission (entry None) or in one entry (0-based)."""
        if isinstance(self.hidden, list):
            return self.hidden[entry] if entry is not None and entry < len(self.hidden) else set()
        return self.hidden

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


def _clean_group(spec, raw_answers, entry=None, language=None):
    stored, values, findings = {}, {}, []
    for q in spec.questions:
        cleaned = clean_value(q, raw_answers.get(q.key), language)
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
    # Show-when: a hidden question is absent — no answer stored, no finding, not required, and
    # not seen by rules or derived values (surveys.relevance decides which are hidden).
    hidden = hidden_questions(spec, values, invalid={f["field"] for f in findings})
    for key in hidden:
        stored[key] = None
        values.pop(key, None)
    findings = [f for f in findings if f["field"] not in hidden]
    bound = None  # the values as CEL values, converted once for every condition
    for q in spec.questions:
        if q.key in values or q.key in hidden or any(f["field"] == q.key for f in findings):
            continue
        required = q.required
        if not required and q.required_when:
            bound = bind(values) if bound is None else bound
            try:
                required = evaluate(q.required_when, bound) is True
            except NotEvaluable:
                required = False
        if required:
            findings.append(
                _finding(
                    "error", f"{q.key}:required", "required", message("required"), q.key, entry
                )
            )
    return stored, values, findings, hidden


def format_figure(value, kind, language):
    """A figure as a reader expects it: "1.250" and "12,5" in Danish, "1,250" and "12.5" in
    English; a percentage (stored as a share) as "25 %"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if kind == "percentage":
        value = round(value * 100, 1)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    shown = f"{value:,}" if isinstance(value, int) else f"{value:,.10g}"
    if language != "en":
        shown = shown.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"{shown} %" if kind == "percentage" else shown


def _fill(message, values, kinds):
    """A rule's message with its {key} figures filled in, per language."""
    from surveys.definitions import MESSAGE_PARAM

    def filled(language, text_):
        def one(match):
            name = match.group(1)
            if name not in values:
                return match.group(0)
            return format_figure(values[name], kinds.get(name), language)

        return MESSAGE_PARAM.sub(one, text_)

    return {language: filled(language, text_) for language, text_ in message.items()}


def _kinds(spec):
    return {q.key: q.type for q in spec.questions} | {d.key: d.type for d in spec.derived}


def _run_rules(rules, values, entry=None, kinds=None, hidden=frozenset()):
    """Findings of the rules that do not hold; each at the first of its `fields` that is
    shown (a show-when may hide some), else at none (a general finding)."""
    findings = []
    bound = bind(values) if rules else None  # converted once for all the rules
    for rule in rules:
        try:
            ok = evaluate(rule.expression, bound)
        except NotEvaluable:
            continue  # a value it needs is missing or invalid; that has its own message
        if ok is False:
            findings.append(
                _finding(
                    rule.severity,
                    rule.key,
                    "rule",
                    _fill(rule.message, values, kinds or {}),
                    next((f for f in rule.fields if f not in hidden), None),
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


def validate(spec, answers, previous_answers=None, *, language=None) -> Result:
    """Validate answers (flat dict, or {"entries": [...], "nothing_to_report": bool}).
    `language` is the convention typed numbers are read with (default: the active language)."""
    answers = answers if isinstance(answers, dict) else {}
    language = number_language(language)
    if spec.has_entries:
        return _validate_entries(spec, answers, language)
    stored, values, findings, hidden = _clean_group(spec, answers, language=language)
    derived = {}
    for d in spec.derived:
        try:
            value = evaluate(d.expression, values)
            derived[d.key] = value if isinstance(value, float) else None
        except NotEvaluable:
            derived[d.key] = None
        if derived[d.key] is not None:
            values[d.key] = derived[d.key]
    findings += _run_rules(
        [r for r in spec.rules if r.scope == "submission"],
        values,
        kinds=_kinds(spec),
        hidden=hidden,
    )
    findings += _history(spec, values, previous_answers)
    return Result(stored, _without_warnings_on_errors(findings), derived, hidden)


def hidden_keys(spec, answers):
    """The questions stored `answers` hide by show-when (surveys.relevance): a set of keys,
    or one set per entry for a survey with entries. Nothing to do for a definition without
    show-when."""
    if spec.has_relevance:
        return validate(spec, answers).hidden
    if not spec.has_entries:
        return set()
    entries = answers.get("entries") if isinstance(answers, dict) else None
    return [set() for _ in entries] if isinstance(entries, list) else []


def _without_warnings_on_errors(findings):
    """A field that already has a blocking error gets no warning as well: the officer fixes
    the error first, and is not asked to explain a figure that is wrong anyway."""
    erroneous = {(f["field"], f["entry"]) for f in findings if f["severity"] == "error"}
    return [
        f
        for f in findings
        if f["severity"] == "error" or not f["field"] or (f["field"], f["entry"]) not in erroneous
    ]


def _validate_entries(spec, answers, language):
    raw_entries = answers.get("entries") or []
    if not isinstance(raw_entries, list):
        raw_entries = []
    nothing = answers.get("nothing_to_report") is True
    findings, stored_entries, entry_values, hidden = [], [], [], []
    limit = spec.entries_max
    for i, raw in enumerate(raw_entries):
        stored, values, entry_findings, entry_hidden = _clean_group(
            spec, raw if isinstance(raw, dict) else {}, i, language
        )
        hidden.append(entry_hidden)
        if i < limit:  # past the cap it cannot be submitted (too_many_entries): no rule work
            entry_findings += _run_rules(
                [r for r in spec.rules if r.scope == "entry"],
                values,
                i,
                kinds=_kinds(spec),
                hidden=entry_hidden,
            )
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
                message(
                    "nothing_and_entries",
                    count=len(raw_entries),
                    entries=label_da if len(raw_entries) == 1 else plural_da,
                    entries_en="entry" if len(raw_entries) == 1 else "entries",
                ),
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
    return Result(stored, _without_warnings_on_errors(findings), {}, hidden)


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


def hidden_reply(spec, typed):
    """What typed (unsaved) answers hide by show-when, for static/js/relevance.js: {"hidden":
    [question keys], "sections": [keys of sections every question of which is hidden]}. For
    the officer's form and the builder's preview alike."""
    if spec.has_entries:
        hidden = validate(spec, {"entries": [typed]}).hidden_in(0)
    else:
        hidden = validate(spec, typed).hidden
    sections = [
        section.key
        for section, questions in spec.groups()
        if section is not None and all(q.key in hidden for q in questions)
    ]
    return {"hidden": [k for k in spec.question_keys if k in hidden], "sections": sections}
