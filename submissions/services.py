"""Every write to a submission or round: one function, one transaction, a Revision and an audit
row; e-mails are queued after commit and take IDs. Views, the API and commands all call these.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import record
from accounts.models import User
from reference.models import Municipality
from submissions import impact, tasks
from submissions.models import ImpactRun, Revision, Submission, SubmissionState
from submissions.permissions import is_member
from submissions.validation import Result, clean_explanations, validate
from surveys.definitions import Spec
from surveys.models import Round, RoundState


class ServiceError(Exception):
    """A refused action, with a code and a Danish/English message."""

    code = "refused"

    def __init__(self, message=None, code=None):
        self.message = message or {"da": "Handlingen blev afvist.", "en": "The action was refused."}
        self.code = code or self.code
        super().__init__(self.message["en"])


class StaleVersion(ServiceError):
    code = "stale_version"

    def __init__(self, submission):
        self.submission = submission
        super().__init__(
            {
                "da": "Besvarelsen er blevet ændret af en anden, siden du åbnede den "
                f"(version {submission.version}). Dine ændringer er ikke gemt oven i deres — "
                "se forskellen nedenfor.",
                "en": "The submission was changed by someone else since you opened it "
                f"(version {submission.version}). Your changes were not saved over theirs — "
                "see the difference below.",
            }
        )


class ExplanationNotRaised(ServiceError):
    """Explanations for warnings the answers do not raise (strict callers: the API)."""

    code = "invalid"

    def __init__(self, keys):
        self.keys = keys
        super().__init__(
            {
                "da": "Der er forklaringer til advarsler, som svarene ikke giver.",
                "en": "There are explanations for warnings the answers do not raise.",
            }
        )


class NotEditable(ServiceError):
    code = "not_editable"


class SubmissionBlocked(ServiceError):
    code = "blocked"

    def __init__(self, blocking):
        self.blocking = blocking
        super().__init__(
            {
                "da": "Besvarelsen kan ikke indsendes endnu: ret fejlene og forklar advarslerne.",
                "en": "The submission cannot be submitted yet: fix the errors and explain the "
                "warnings.",
            }
        )


ROUND_CLOSED = {
    "da": "Runden er lukket. Kontakt koordinatoren, hvis der skal rettes noget.",
    "en": "The round is closed. Contact the coordinator if something must be corrected.",
}
ROUND_NOT_OPEN = {"da": "Runden er ikke åbnet endnu.", "en": "The round has not opened yet."}
ALREADY_SUBMITTED = {
    "da": "Besvarelsen er indsendt. Genåbn den til rettelse, før du ændrer den.",
    "en": "The submission has been submitted. Reopen it for correction before changing it.",
}


IMPACT_REUSE_MINUTES = 10  # request_impact: the same request again answers the same run


@dataclass
class Outcome:
    submission: Submission
    result: Result
    changed: bool = True


def previous_answers(round_, municipality):
    """The same municipality's responded answers in the round this one compares with."""
    if not round_.previous_id:
        return None
    # At most one row (one submission per round and municipality): no ORDER BY, no model.
    found = Submission.objects.filter(
        round_id=round_.previous_id,
        municipality=municipality,
        state__in=(SubmissionState.SUBMITTED, SubmissionState.ACCEPTED),
    ).values_list("answers", flat=True)[:1]
    return found[0] if found else None


def evaluate(submission):
    """Validate a submission's stored answers (used for display, review and submit)."""
    spec = submission.round.definition.spec
    return validate(
        spec, submission.answers, previous_answers(submission.round, submission.municipality)
    )


def _check_round_editable(round_, user):
    if round_.state == RoundState.CLOSED:
        raise NotEditable(ROUND_CLOSED, "round_closed")
    if round_.state == RoundState.DRAFT and not user.is_coordinator:
        raise NotEditable(ROUND_NOT_OPEN, "round_not_open")


def _on_behalf(user, municipality):
    return not is_member(user, municipality)


def _revise(submission, action, user, changed_keys=(), note=""):
    Revision.objects.create(
        submission=submission,
        number=submission.version,
        action=action,
        state=submission.state,
        author=user,
        on_behalf=_on_behalf(user, submission.municipality) if user else False,
        answers=submission.answers,
        explanations=submission.explanations,
        changed_keys=list(changed_keys),
        note=note,
    )


def _audit_ref(submission):
    return f"{submission.round.slug}/{submission.municipality.code}"


def changed_keys(old, new):
    keys = sorted(set(old) | set(new))
    return [k for k in keys if old.get(k) != new.get(k)]


def _lock(round_, municipality):
    """The submission row, locked for this transaction; created on first save."""
    # At most one row (unique per round and municipality), so no ORDER BY is needed.
    rows = Submission.objects.select_for_update().filter(round=round_, municipality=municipality)
    found = rows[:1]
    submission = found[0] if found else None
    if submission is None:
        try:
            with transaction.atomic():
                # The new row is this transaction's until it commits: a concurrent first save
                # waits on the unique constraint, then lands in the except below.
                submission = Submission.objects.create(round=round_, municipality=municipality)
        except IntegrityError:  # created by a concurrent first save
            submission = Submission.objects.select_for_update().get(
                round=round_, municipality=municipality
            )
    submission.round = round_
    submission.municipality = municipality
    return submission


def _can_raise(spec, key: str) -> bool:
    """Whether `key` names a warning of the definition: `rule` or, for entries, `rule@n` with
    n within the definition's cap on entries."""
    base, _, entry = key.partition("@")
    if base not in spec.warning_keys:
        return False
    if not entry:
        return True
    return spec.has_entries and entry.isdigit() and 1 <= int(entry) <= spec.entries_max


def save_draft(
    round_: Round,
    municipality: Municipality,
    *,
    actor: User,
    answers: dict,
    explanations: dict,
    version: int | str | None,
    ip: str | None = None,
    strict_explanations: bool = False,
) -> Outcome:
    """Save what was typed, valid or not. Refuses a stale version (nothing is overwritten).

    Explanations are kept for warnings the definition can raise (so their number is bounded
    by the definition), also while their warning is not raised: typed text is never dropped
    when a figure is corrected, and comes back with the warning. With `strict_explanations`
    (the API) an explanation of a warning these answers do not raise is refused instead."""
    _check_round_editable(round_, actor)
    spec = round_.definition.spec
    prev = previous_answers(round_, municipality)
    result = validate(spec, answers, prev)
    clean_expl, _ = clean_explanations(explanations)
    raised = {f["explain"] for f in result.warnings if f.get("explain")}
    not_raised = [k for k in clean_expl if k not in raised]
    if not_raised and strict_explanations:
        raise ExplanationNotRaised(not_raised)
    clean_expl = {k: v for k, v in clean_expl.items() if k in raised or _can_raise(spec, k)}
    with transaction.atomic():
        submission = _lock(round_, municipality)
        if version is not None and int(version) != submission.version:
            raise StaleVersion(submission)
        if not submission.is_editable_state:
            raise NotEditable(ALREADY_SUBMITTED, "already_submitted")
        keys = changed_keys(submission.answers, result.answers)
        keys += [f"explanation:{k}" for k in changed_keys(submission.explanations, clean_expl)]
        if not keys and submission.version > 0:
            return Outcome(submission, result, changed=False)
        now = timezone.now()
        submission.answers = result.answers
        submission.explanations = clean_expl
        store_result(submission, result)
        submission.version += 1
        submission.updated_by = actor
        submission.last_activity_at = now
        submission.save()
        _revise(submission, Revision.Action.SAVE, actor, keys)
        record(
            "submission.saved",
            actor=actor,
            ip=ip,
            object_type="submission",
            object_ref=_audit_ref(submission),
            detail={"version": submission.version, "changed": keys[:50]},
        )
    return Outcome(submission, result)


def store_result(submission: Submission, result: Result) -> Submission:
    """The one place a validation result lands on a submission: its derived values, findings
    and their counts (the answers are the caller's). Services, the demo and scale data and the
    test factories all store results through here."""
    submission.derived = result.derived
    submission.findings = result.findings
    submission.error_count = len(result.errors)
    submission.warning_count = len(result.warnings)
    return submission


def submit(
    round_: Round,
    municipality: Municipality,
    *,
    actor: User,
    version: int | str | None = None,
    ip: str | None = None,
) -> Outcome:
    """Submit the saved answers. Idempotent: a submitted submission stays as it is."""
    _check_round_editable(round_, actor)
    with transaction.atomic():
        submission = _lock(round_, municipality)
        if submission.has_responded:
            return Outcome(submission, evaluate(submission), changed=False)
        if version is not None and int(version) != submission.version:
            raise StaleVersion(submission)
        result = evaluate(submission)
        blocking = result.blocking(submission.explanations)
        if submission.version == 0 or blocking:
            raise SubmissionBlocked(blocking or result.errors)
        now = timezone.now()
        store_result(submission, result)
        submission.state = SubmissionState.SUBMITTED
        submission.submitted_at = now
        submission.submitted_by = actor
        submission.late = now > round_.deadline
        submission.version += 1
        submission.updated_by = actor
        submission.last_activity_at = now
        submission.save()
        _revise(submission, Revision.Action.SUBMIT, actor)
        record(
            "submission.submitted",
            actor=actor,
            ip=ip,
            object_type="submission",
            object_ref=_audit_ref(submission),
            detail={"late": submission.late},
        )
        submission_id = submission.pk
        transaction.on_commit(lambda: _enqueue("send_receipt", submission_id))
    return Outcome(submission, result)


def reopen_for_correction(
    round_: Round, municipality: Municipality, *, actor: User, ip: str | None = None
) -> Submission:
    """An officer takes a submitted answer back to draft (until the deadline); a coordinator
    may do so at any time while the round is open."""
    _check_round_editable(round_, actor)
    with transaction.atomic():
        submission = _lock(round_, municipality)
        if submission.state != SubmissionState.SUBMITTED:
            if submission.is_editable_state:
                return submission
            raise NotEditable(
                {
                    "da": "En godkendt besvarelse kan kun genåbnes af koordinatoren.",
                    "en": "An accepted submission can only be reopened by the coordinator.",
                },
                "accepted",
            )
        if round_.is_past_deadline() and not actor.is_coordinator:
            raise NotEditable(
                {
                    "da": "Fristen er overskredet. Kontakt koordinatoren for at rette besvarelsen.",
                    "en": "The deadline has passed. Contact the coordinator to correct the "
                    "submission.",
                },
                "past_deadline",
            )
        submission.state = SubmissionState.DRAFT
        submission.version += 1
        submission.updated_by = actor
        submission.last_activity_at = timezone.now()
        submission.save()
        _revise(submission, Revision.Action.REOPEN, actor)
        record(
            "submission.reopened",
            actor=actor,
            ip=ip,
            object_type="submission",
            object_ref=_audit_ref(submission),
        )
    return submission


def accept(submission: Submission, *, actor: User, ip: str | None = None) -> Submission:
    """Coordinator accepts a submitted answer. Accepting twice is harmless."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .select_related("round", "municipality")
            .get(pk=submission.pk)
        )
        if submission.state == SubmissionState.ACCEPTED:
            return submission
        if submission.state != SubmissionState.SUBMITTED:
            raise NotEditable(
                {
                    "da": "Kun indsendte besvarelser kan godkendes.",
                    "en": "Only submitted answers can be accepted.",
                },
                "not_submitted",
            )
        submission.state = SubmissionState.ACCEPTED
        submission.accepted_at = timezone.now()
        submission.accepted_by = actor
        submission.version += 1
        submission.save()
        _revise(submission, Revision.Action.ACCEPT, actor)
        record(
            "submission.accepted",
            actor=actor,
            ip=ip,
            object_type="submission",
            object_ref=_audit_ref(submission),
        )
    return submission


def return_submission(
    submission: Submission, *, actor: User, reason: str, ip: str | None = None
) -> Submission:
    """Coordinator returns a submitted (or accepted) answer for correction, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            {
                "da": "Skriv en begrundelse, så kommunen ved, hvad der skal rettes.",
                "en": "Write a reason so the municipality knows what to correct.",
            },
            "reason_required",
        )
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .select_related("round", "municipality")
            .get(pk=submission.pk)
        )
        if submission.round.state == RoundState.CLOSED:
            raise NotEditable(ROUND_CLOSED, "round_closed")
        if submission.state not in (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED):
            raise NotEditable(
                {
                    "da": "Kun indsendte besvarelser kan sendes retur.",
                    "en": "Only submitted answers can be returned.",
                },
                "not_submitted",
            )
        submission.state = SubmissionState.RETURNED
        submission.returned_at = timezone.now()
        submission.returned_reason = reason[:4000]
        submission.accepted_at = None
        submission.version += 1
        submission.save()
        _revise(submission, Revision.Action.RETURN, actor, note=submission.returned_reason)
        record(
            "submission.returned",
            actor=actor,
            ip=ip,
            object_type="submission",
            object_ref=_audit_ref(submission),
            detail={"reason": submission.returned_reason},
        )
        submission_id = submission.pk
        transaction.on_commit(lambda: _enqueue("send_returned", submission_id))
    return submission


def _enqueue(name, object_id):
    getattr(tasks, name).enqueue(object_id)


def request_impact(*, actor, ip, round_, content: dict, spec: Spec):
    """The impact of a candidate definition (`content`, already validated into `spec`) on
    `round_`: (result, None) computed now for a round within the synchronous limit, or
    (None, ImpactRun) queued for the background task when the round is larger. Asking again
    for the same content and round within IMPACT_REUSE_MINUTES answers the run already made
    (pending or done) instead of queuing the work twice."""
    if impact.responded_count(round_) <= impact.sync_limit():
        return impact.impact(spec=spec, round_=round_), None
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    recent = timezone.now() - dt.timedelta(minutes=IMPACT_REUSE_MINUTES)
    with transaction.atomic():
        earlier = (
            ImpactRun.objects.filter(
                round=round_,
                content_hash=digest,
                requested_by=actor,
                created_at__gte=recent,
                state__in=(ImpactRun.State.PENDING, ImpactRun.State.DONE),
            )
            .order_by("-created_at")
            .first()
        )
        if earlier is not None:
            return None, earlier
        run = ImpactRun.objects.create(
            round=round_, content=content, content_hash=digest, requested_by=actor
        )
        record(
            "impact.requested",
            actor=actor,
            ip=ip,
            obj=round_,
            detail={"impact_run": run.pk, "survey": content.get("key")},
        )
        transaction.on_commit(lambda: tasks.run_impact.enqueue(run.pk))
    return None, run
