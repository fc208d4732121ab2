"""Rule impact before publishing: what a candidate definition would have said about the answers
an earlier round of the same survey already holds.

`impact(spec=…, round_=…)` runs the candidate's validation (submissions.validation.validate:
types and choices, required questions, show-when, rules, derived values, history checks
against the round's own previous round) over every responded submission of the round, and
returns per rule and history check how many municipalities it would block or warn and which
(with the values the check read), the answers that would no longer fit (a removed choice, a
new required question, a tighter maximum …) and the answers a show-when would now hide.
Nothing is stored and no answer changes.

A large round is run in the background (`submissions.services.request_impact`): an
`ImpactRun` row holds the candidate and, once the task has run (`finish_impact`), the result,
for the page or the API to poll.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from submissions.models import RESPONDED, ImpactRun, Submission
from submissions.validation import clean_value, validate
from surveys.definitions import DefinitionError, Spec, validate_definition
from surveys.relevance import names_in

RULE_CODES = ("rule", "history")


def sync_limit() -> int:
    """Rounds with more responded submissions than this are run in the background."""
    return getattr(settings, "IMPACT_SYNC_MAX_SUBMISSIONS", 100)


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _typed(spec, answers):
    """The typed values of the answers that are valid under `spec`."""
    out = {}
    for q in spec.questions:
        cleaned = clean_value(q, answers.get(q.key), "da")
        if cleaned.value is not None:
            out[q.key] = cleaned.value
    return out


def _groups(spec, answers):
    """[(entry index or None, typed values)] — one group, or one per entry."""
    answers = answers if isinstance(answers, dict) else {}
    if not spec.has_entries:
        return [(None, _typed(spec, answers))]
    entries = answers.get("entries") if isinstance(answers.get("entries"), list) else []
    return [(i, _typed(spec, e if isinstance(e, dict) else {})) for i, e in enumerate(entries)]


def _check_names(spec):
    """The names each rule and history check reads, to show their values beside a hit."""
    names = {r.key: list(names_in(r.expression)) for r in spec.rules}
    names.update({h.key: [h.question] for h in spec.history_checks})
    return names


def impact(*, spec: Spec, round_) -> dict:
    """The candidate `spec`'s verdict on every responded submission of `round_` (see the
    module docstring). Reads only."""
    submissions = (
        Submission.objects.filter(round=round_, state__in=RESPONDED)
        .select_related("municipality")
        .order_by("municipality__code")
    )
    previous = {}
    if round_.previous_id:
        previous = dict(
            Submission.objects.filter(round_id=round_.previous_id, state__in=RESPONDED).values_list(
                "municipality_id", "answers"
            )
        )
    checks = {}
    for r in spec.rules:
        checks[r.key] = {
            "key": r.key,
            "kind": "rule",
            "severity": r.severity,
            "expression": r.expression,
            "message": r.message,
        }
    for h in spec.history_checks:
        checks[h.key] = {
            "key": h.key,
            "kind": "history",
            "severity": h.severity,
            "expression": None,
            "message": h.message,
        }
    for check in checks.values():
        check.update(blocked=0, warned=0, municipalities=[])
    reads = _check_names(spec)
    unfit, hidden = {}, {}
    count = 0
    for sub in submissions:
        count += 1
        m = sub.municipality
        before = {(f.get("key"), f.get("entry")) for f in sub.findings or []}
        result = validate(spec, sub.answers, previous.get(m.id), language="da")
        groups = dict(_groups(spec, sub.answers))
        for entry, values in groups.items():
            # What the candidate's show-when hides (validate decides) and was answered.
            for key in sorted(result.hidden_in(entry) & set(values)):
                hidden.setdefault(key, []).append(
                    {"code": m.code, "name": m.name, "entry": entry, "value": _plain(values[key])}
                )
        hit = set()
        for f in result.findings:
            entry = f.get("entry")
            values = {**groups.get(entry, {}), **(result.derived or {})}
            place = {"code": m.code, "name": m.name, "entry": entry}
            if f["code"] in RULE_CODES and f["key"] in checks:
                check = checks[f["key"]]
                if (f["key"], m.code) not in hit:
                    hit.add((f["key"], m.code))
                    check["blocked" if f["severity"] == "error" else "warned"] += 1
                shown = {n: _plain(values.get(n)) for n in reads.get(f["key"], ())}
                if check["kind"] == "history":
                    before_value = (previous.get(m.id) or {}).get(check_question(spec, f["key"]))
                    shown["previous"] = _plain(before_value)
                check["municipalities"].append(
                    {**place, "values": shown, "new": (f["key"], entry) not in before}
                )
            elif f["severity"] == "error":
                field = f.get("field")
                group = unfit.setdefault(
                    (field, f["code"]),
                    {
                        "question": field,
                        "code": f["code"],
                        "message": f["message"],
                        "municipalities": [],
                    },
                )
                answer = (sub.answers or {}) if entry is None else _entry(sub.answers, entry)
                group["municipalities"].append(
                    {**place, "value": _plain(answer.get(field)) if field else None}
                )
    return {
        "round": round_.slug,
        "respondents": count,
        "checks": list(checks.values()),
        "no_longer_fit": list(unfit.values()),
        "hidden": [{"question": key, "municipalities": places} for key, places in hidden.items()],
    }


def check_question(spec, key):
    for h in spec.history_checks:
        if h.key == key:
            return h.question
    return None


def _entry(answers, entry):
    entries = (answers or {}).get("entries") or []
    return entries[entry] if 0 <= entry < len(entries) and isinstance(entries[entry], dict) else {}


def responded_count(round_) -> int:
    return Submission.objects.filter(round=round_, state__in=RESPONDED).count()


def finish_impact(run_id: int):
    """The background part of request_impact: compute and store the result."""
    run = ImpactRun.objects.select_related("round").filter(pk=run_id).first()
    if run is None or run.state != ImpactRun.State.PENDING:
        return
    try:
        result = impact(spec=validate_definition(run.content), round_=run.round)
        state = ImpactRun.State.DONE
    except DefinitionError:
        result, state = None, ImpactRun.State.FAILED
    ImpactRun.objects.filter(pk=run.pk).update(
        state=state, result=result, finished_at=timezone.now()
    )


def keep_days() -> int:
    """Background impact runs are kept this many days: long enough to reopen a result, but a
    run is a scratch calculation (its draft moves on), so the rows do not grow for ever."""
    return getattr(settings, "IMPACT_RUN_KEEP_DAYS", 7)


def delete_old_runs(*, now: dt.datetime | None = None) -> int:
    """Delete the background impact runs requested more than `keep_days()` ago, whatever their
    state (a run still pending after days was lost). Answers nothing changes: a run only holds
    a candidate and its result. Called by the periodic `send_reminders` job. Returns how many
    were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days())
    deleted, _rows = ImpactRun.objects.filter(created_at__lt=cutoff).delete()
    return deleted
