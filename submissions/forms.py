"""The officer's form, built from a definition's Spec.

Validation is not done here: `submissions.validation.validate` is the one place that judges
answers (for the web form, the API and commands alike). This module only
- reads what was posted for the questions of a Spec (`parse_answers`, `parse_explanations`;
  posted names that are not questions of the definition are ignored, never stored), and
- turns answers + findings into field view models the templates render with DKFDS markup
  (`build_fields`, `error_summary`, `summary_rows`).
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lib import date_input
from surveys.definitions import text

ANSWER_PREFIX = "q-"
EXPLAIN_PREFIX = "explain-"
MAX_POSTED_VALUE = 200_000  # characters per field read from a POST; validation reports length
_EXPLAIN_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}(@[1-9][0-9]{0,3})?$")


def field_id(key, entry=None):
    return f"id_{key}"


def explain_id(explain_key):
    return "id_explain_" + explain_key.replace("@", "_")


def parse_answers(spec, data):
    """The raw answers of the questions in `spec` from a QueryDict (unknown names ignored).
    A date comes as three fields (`q-<key>-day`, `-month`, `-year`, the DKFDS date input),
    joined to "dd-mm-yyyy" for validation; a single `q-<key>` is read too."""
    answers = {}
    for q in spec.questions:
        name = ANSWER_PREFIX + q.key
        if q.type == "multiple_choice":
            answers[q.key] = [v[:200] for v in data.getlist(name)][:100]
        elif q.type == "date" and (typed := date_input.read_parts(data, name)) is not None:
            answers[q.key] = typed
        else:
            answers[q.key] = (data.get(name) or "")[:MAX_POSTED_VALUE]
    return answers


_OPTIONAL_PREFIX = re.compile(r"^\s*(valgfri(t)?|optional)\s*[.:,;–—-]\s*", re.IGNORECASE)


def parse_explanations(spec, data, existing=None):
    """Warning explanations posted as `explain-<key>`; only keys of the definition's warnings
    (optionally `@n` for an entry) are read. Explanations already stored for other keys are
    kept (an entry page posts only that entry's explanations)."""
    warning_keys = set(spec.warning_keys)
    out = dict(existing or {})
    for name in data:
        if not name.startswith(EXPLAIN_PREFIX):
            continue
        key = name[len(EXPLAIN_PREFIX) :]
        if not _EXPLAIN_KEY.match(key) or key.split("@")[0] not in warning_keys:
            continue
        out[key] = (data.get(name) or "")[:MAX_POSTED_VALUE]
    return out


def display_value(question, value, language=None):
    """A stored answer as the officer would type it (Danish number and date formats)."""
    if value is None or value == "" or value == []:
        return ""
    if question.type in ("integer", "decimal", "percentage"):
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            shown = str(int(value)) if value.is_integer() else repr(value)
            # Typed back into the field, it must read the same: decimal comma in Danish only.
            return shown if (language or "da")[:2] == "en" else shown.replace(".", ",")
        return str(value)
    if question.type == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
        except ValueError:
            return value
    if question.type == "yes_no":
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return str(value)
    if isinstance(value, list):
        return value
    return str(value)


def readable_value(question, value, language=None):
    """A stored answer for reading (receipt, history): choice labels, Ja/Nej, dates."""
    if question is None:
        return "" if value is None else str(value)
    if value is None or value == "" or value == []:
        return "—"
    if question.type == "single_choice" and isinstance(value, str):
        return question.choice_label(value, language)
    if question.type == "multiple_choice" and isinstance(value, list):
        return ", ".join(question.choice_label(v, language) for v in value)
    if question.type == "yes_no":
        return _("Ja") if value is True else _("Nej") if value is False else str(value)
    shown = display_value(question, value, language)
    if isinstance(shown, list):
        shown = ", ".join(map(str, shown))
    unit = text(question.unit, language)
    if question.type in ("integer", "decimal", "percentage") and isinstance(value, int | float):
        from submissions.validation import format_figure, number_language

        shown = format_figure(value, None, number_language(language))
        return f"{shown} {unit or ('%' if question.type == 'percentage' else '')}".strip()
    return shown


@dataclass
class Choice:
    value: str
    label: str
    id: str
    checked: bool


@dataclass
class Warning:
    message: str
    explain_key: str
    explain_name: str
    explain_id: str
    explanation: str
    missing: bool = False
    error: str = ""  # the explanation was refused (too long): why, beside it


@dataclass
class FieldView:
    key: str
    type: str
    name: str
    id: str
    label: str
    help: str
    unit: str
    required: bool
    value: object = ""
    choices: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    max_length: int | None = None
    optional: bool = False  # shown as "(valgfrit)": never required, not even conditionally
    readable: str = ""  # the answer as text, for read-only pages
    date: tuple = ("", "", "")  # (day, month, year) of a date question
    hidden: bool = False  # a show-when hides it (rendered with `hidden`, for live scripts)
    section: str | None = None

    @property
    def widget(self):
        return {
            "integer": "number",
            "decimal": "number",
            "percentage": "number",
            "long_text": "textarea",
            "single_choice": "radio",
            "yes_no": "radio",
            "multiple_choice": "checkbox",
        }.get(self.type, self.type)

    @property
    def inputmode(self):
        return "numeric" if self.type == "integer" else "decimal"

    @property
    def described_by(self):
        ids = []
        if self.errors:
            ids.append(f"{self.id}-error")
        if self.help:
            ids.append(f"{self.id}-hint")
        if self.warnings:
            ids.append(f"{self.id}-warning")
        return " ".join(ids)

    @property
    def date_widget(self):
        """The three date inputs, for templates/includes/date_input_widget.html."""
        return {
            "subwidgets": date_input.part_fields(
                self.id, self.name, values=self.date, invalid=bool(self.errors)
            )
        }


def _choices(question, key_id, selected, language):
    if question.type == "yes_no":
        options = [("yes", _("Ja")), ("no", _("Nej"))]
    else:
        options = [(c["value"], text(c["label"], language)) for c in question.choices]
    chosen = selected if isinstance(selected, list) else [selected]
    return [
        Choice(value, label, f"{key_id}_{i}" if i else key_id, value in chosen)
        for i, (value, label) in enumerate(options)
    ]


def build_fields(
    spec,
    answers,
    findings,
    explanations,
    *,
    entry=None,
    language=None,
    attempted_submit=False,
    hidden=frozenset(),
    explanation_errors=None,
):
    """View models of every question of `spec`, with their findings attached. `entry` is the
    0-based entry index for an entries survey (findings are filtered to that entry); `hidden`
    the keys a show-when hides (submissions.validation.hidden_keys); `explanation_errors`
    {warning key: message} for explanations that were refused."""
    explanation_errors = explanation_errors or {}
    findings = [f for f in findings or [] if f.get("entry") == entry]
    explanations = explanations or {}
    fields = []
    for q in spec.questions:
        fid = field_id(q.key)
        value = display_value(q, answers.get(q.key), language)
        optional = not q.required and not q.required_when
        help_text = text(q.help, language)
        if optional:  # "(valgfrit)" is on the label; the hint does not say it again
            help_text = _OPTIONAL_PREFIX.sub("", help_text)
            help_text = help_text[:1].upper() + help_text[1:]
        fv = FieldView(
            key=q.key,
            type=q.type,
            name=ANSWER_PREFIX + q.key,
            id=fid,
            label=text(q.label, language),
            help=help_text,
            unit=text(q.unit, language) or ("%" if q.type == "percentage" else ""),
            required=q.required,
            value=value,
            max_length=q.max_length,
            optional=optional,
            readable=readable_value(q, answers.get(q.key), language),
            date=date_input.split_parts(answers.get(q.key)) if q.type == "date" else ("", "", ""),
            hidden=q.key in hidden,
            section=q.section,
        )
        if q.type in ("single_choice", "multiple_choice", "yes_no"):
            fv.choices = _choices(q, fid, value, language)
        fields.append(fv)
    by_key = {f.key: f for f in fields}
    for f in findings:
        target = by_key.get(f.get("field"))
        if target is None:
            continue
        msg = text(f["message"], language)
        if f["severity"] == "error":
            target.errors.append(msg)
        else:
            key = f["explain"]
            explanation = explanations.get(key, "")
            target.warnings.append(
                Warning(
                    msg,
                    key,
                    EXPLAIN_PREFIX + key,
                    explain_id(key),
                    explanation,
                    missing=attempted_submit and not explanation.strip(),
                    error=explanation_errors.get(key, ""),
                )
            )
    return fields


@dataclass
class SectionView:
    key: str
    id: str
    title: str
    description: str


def other_questions_title():
    """The heading of questions outside any section that come after a section (so they do not
    read as part of it)."""
    return _("Øvrige spørgsmål")


def field_groups(spec, fields, language=None):
    """The fields in runs under their section heading: [{"section": SectionView or None,
    "fields": […], "hidden": bool}]; "hidden" when a show-when hides every field of it. A
    definition without sections gives one group without a heading; questions outside any
    section after a section get the heading "Øvrige spørgsmål" (a SectionView without key)."""
    by_key = {f.key: f for f in fields}
    groups = []
    for i, (section, questions) in enumerate(
        spec.groups([q for q in spec.questions if q.key in by_key])
    ):
        group_fields = [by_key[q.key] for q in questions]
        view = None
        if section is not None:
            view = SectionView(
                key=section.key,
                id=f"section-{section.key}",
                title=text(section.title, language),
                description=text(section.description, language),
            )
        elif i > 0:
            view = SectionView(
                key="", id=f"section-other-{i}", title=other_questions_title(), description=""
            )
        groups.append(
            {
                "section": view,
                "fields": group_fields,
                "hidden": view is not None and all(f.hidden for f in group_fields),
            }
        )
    return groups


def general_findings(findings, *, entry=None, language=None):
    """Findings not tied to a question (e.g. "add at least one entry")."""
    return [
        {"severity": f["severity"], "message": text(f["message"], language)}
        for f in findings or []
        if f.get("entry") == entry and not f.get("field")
    ]


def error_summary(fields, general=(), *, explanation_needed=True):
    """Rows for the DKFDS error summary: each error (and each unexplained warning) links to
    the id of the input it is about."""
    rows = [
        {"href": "", "label": "", "message": g["message"]}
        for g in general
        if g["severity"] == "error"
    ]
    for f in fields:
        target = f"#{f.id}-day" if f.type == "date" else f"#{f.id}"
        for e in f.errors:
            rows.append({"href": target, "label": f.label, "message": e})
        for w in f.warnings:
            if w.error:
                rows.append({"href": f"#{w.explain_id}", "label": f.label, "message": w.error})
            elif w.missing and explanation_needed:
                rows.append(
                    {
                        "href": f"#{w.explain_id}",
                        "label": f.label,
                        "message": _("Forklar advarslen: %(warning)s") % {"warning": w.message},
                    }
                )
    return rows


def summary_groups(spec, answers, derived=None, language=None, *, hidden=frozenset()):
    """The (label, value) rows of a flat survey's answers under their section titles, for
    receipts and read-only pages: [{"title": str ("" outside a section), "rows": […]}]. The
    questions a show-when hides are left out (they have no answer); the derived values come
    last, outside any section."""
    shown = [q for q in spec.questions if q.key not in hidden]
    groups = [
        {
            "title": text(section.title, language)
            if section
            else (other_questions_title() if i else ""),
            "rows": [
                (text(q.label, language), readable_value(q, answers.get(q.key), language))
                for q in questions
            ],
        }
        for i, (section, questions) in enumerate(spec.groups(shown))
    ]
    rows = _derived_rows(spec, derived, language)
    if rows and spec.sections:
        groups.append({"title": _("Beregnede værdier"), "rows": rows})
    elif rows and groups:
        groups[-1]["rows"] += rows
    elif rows:
        groups.append({"title": "", "rows": rows})
    return groups


def entry_rows(spec, entry, language=None, *, hidden=frozenset()):
    """One entry's rows as summary_groups (an entries survey has no derived values)."""
    return summary_groups(spec, entry, None, language, hidden=hidden)


def summary_rows(spec, answers, derived=None, language=None, *, hidden=frozenset()):
    """(label, value) rows of a flat survey's answers and derived values, for receipts."""
    rows = [
        (text(q.label, language), readable_value(q, answers.get(q.key), language))
        for q in spec.questions
        if q.key not in hidden
    ]
    return rows + _derived_rows(spec, derived, language)


def _derived_rows(spec, derived, language):
    rows = []
    for d in spec.derived:
        value = (derived or {}).get(d.key)
        if value is None:
            shown = "—"
        elif d.type == "percentage":
            shown = f"{value * 100:.1f} %".replace(".", ",")
        else:
            shown = f"{value:g}".replace(".", ",")
        rows.append((text(d.label, language), shown))
    return rows


def entry_title(spec, entry, index, language=None):
    title_q = spec.question("title")
    title = entry.get("title") if title_q else None
    label = text((spec.entries or {}).get("label"), language) or _("Post")
    return f"{label} {index + 1}" + (f": {title}" if isinstance(title, str) and title else "")
