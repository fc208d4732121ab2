"""Review of submitted answers by the coordinator: what the review page shows (answers,
warnings with the officer's explanations, change since the previous round) and bulk accept.
Accepting and returning one submission are submissions.services.accept / return_submission."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import User
from submissions import services
from submissions.forms import other_questions_title
from submissions.models import Submission, SubmissionState
from submissions.validation import hidden_keys
from surveys.definitions import text
from surveys.models import Round


def review_queue(round_: Round) -> QuerySet[Submission]:
    """Submitted answers waiting for the coordinator, oldest first."""
    return (
        Submission.objects.filter(
            round_id=round_.pk, state=SubmissionState.SUBMITTED, municipality__rounds=round_
        )
        .select_related("municipality")
        .order_by("submitted_at", "municipality__code")
    )


def readable(question, value, *, language: str | None = None) -> str:
    """An answer as a person reads it: choice labels, Danish numbers, ja/nej, — for empty."""
    if value is None or value == "" or value == []:
        return "—"
    if question is None:
        return str(value)
    if question.type in ("single_choice",):
        return question.choice_label(value, language)
    if question.type == "multiple_choice" and isinstance(value, list):
        return ", ".join(question.choice_label(v, language) for v in value)
    if question.type == "yes_no" and isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    if question.type == "date" and isinstance(value, str):
        try:
            return formats.date_format(dt.date.fromisoformat(value), "j. F Y")
        except ValueError:
            return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        out = formats.number_format(value, use_l10n=True, force_grouping=True)
        unit = text(question.unit, language)
        return f"{out} {unit}".strip()
    return str(value)


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def change(current, previous) -> dict | None:
    """(difference, percent or None) between two numbers, or None if either is not a number."""
    a, b = _number(current), _number(previous)
    if a is None or b is None:
        return None
    diff = a - b
    percent = round(100 * diff / b, 1) if b else None
    return {"diff": diff, "percent": percent}


@dataclass
class ReviewRow:
    key: str
    label: str
    value: str
    previous: str | None
    change: dict | None
    findings: list = field(default_factory=list)
    section: str = ""  # the title of the section this row begins, if it begins one


def _section_starts(spec, questions, language):
    """{question key: section title} for the first question of each section run (and "Øvrige
    spørgsmål" for questions outside any section after one, as on the receipt)."""
    return {
        qs[0].key: text(section.title, language) if section else other_questions_title()
        for i, (section, qs) in enumerate(spec.groups(questions))
        if section is not None or i > 0
    }


def review_data(submission: Submission, *, language: str | None = None) -> dict:
    """Everything the review page shows about one submission."""
    round_ = submission.round
    spec = round_.definition.spec
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    prev = services.previous_answers(round_, submission.municipality)
    has_previous = prev is not None
    prev = prev or {}
    findings = submission.findings or []
    explanations = submission.explanations or {}

    def findings_for(key, entry=None):
        return [f for f in findings if f.get("field") == key and f.get("entry") == entry]

    # Questions a show-when hides were not asked: left out, the rest under section titles.
    hidden = hidden_keys(spec, answers)
    rows, entries = [], []
    if spec.has_entries:
        for i, entry in enumerate(answers.get("entries") or []):
            entry = entry if isinstance(entry, dict) else {}
            asked = [
                q for q in spec.questions if q.key not in (hidden[i] if i < len(hidden) else ())
            ]
            starts = _section_starts(spec, asked, language)
            entries.append(
                {
                    "number": i + 1,
                    "rows": [
                        ReviewRow(
                            q.key,
                            text(q.label, language),
                            readable(q, entry.get(q.key), language=language),
                            None,
                            None,
                            findings_for(q.key, i),
                            starts.get(q.key, ""),
                        )
                        for q in asked
                    ],
                }
            )
    else:
        asked = [q for q in spec.questions if q.key not in hidden]
        starts = _section_starts(spec, asked, language)
        for q in asked:
            rows.append(
                ReviewRow(
                    q.key,
                    text(q.label, language),
                    readable(q, answers.get(q.key), language=language),
                    readable(q, prev.get(q.key), language=language) if has_previous else None,
                    change(answers.get(q.key), prev.get(q.key)) if has_previous else None,
                    findings_for(q.key),
                    starts.get(q.key, ""),
                )
            )
    derived = []
    for d in spec.derived:
        value = (submission.derived or {}).get(d.key)
        if d.type == "percentage" and _number(value) is not None:
            shown = formats.number_format(100 * value, 1, use_l10n=True) + " %"
        else:
            shown = "—" if value is None else str(value)
        derived.append({"label": text(d.label, language), "value": shown})
    warnings = [
        {
            "message": text(f.get("message"), language),
            "field": f.get("field"),
            "entry": f.get("entry"),
            "explanation": (explanations.get(f.get("explain") or "") or "").strip(),
        }
        for f in findings
        if f.get("severity") == "warning"
    ]
    errors = [text(f.get("message"), language) for f in findings if f.get("severity") == "error"]
    return {
        "rows": rows,
        "entries": entries,
        "nothing_to_report": spec.has_entries and bool(answers.get("nothing_to_report")),
        "derived": derived,
        "warnings": warnings,
        "errors": errors,
        "has_previous": has_previous,
        "previous_round": round_.previous if has_previous else None,
    }


def bulk_accept(
    round_: Round,
    *,
    actor: User,
    submission_ids: Iterable[int] | None = None,
    ip: str | None = None,
) -> list[Submission]:
    """Accept the submitted answers of the round that have no warnings (all of them, or the
    chosen ones). One transaction; rows are locked and re-checked, so an answer that changed
    meanwhile (returned, reopened, now with warnings) is left alone. Returns those accepted."""
    with transaction.atomic():
        qs = Submission.objects.filter(round_id=round_.pk, warning_count=0, error_count=0)
        if submission_ids is not None:
            qs = qs.filter(pk__in=list(submission_ids))
        accepted = services.accept_many(qs, actor=actor, ip=ip)
        if accepted:
            record(
                "submission.bulk_accepted",
                actor=actor,
                ip=ip,
                obj=round_,
                detail={"codes": [s.municipality.code for s in accepted]},
            )
    return accepted
