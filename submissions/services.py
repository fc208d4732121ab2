"""Every write to a submission or round: one function, one transaction, a Revision and an audit
row; e-mails take IDs and run only after the commit (`_enqueue_on_commit`). Views, the API and
commands all call these.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db import DatabaseBackend

from accounts.audit import record, record_many
from accounts.models import User
from lib.query import whole_number
from reference.models import Municipality
from submissions import impact, tasks
from submissions.models import (
    ImpactRun,
    Revision,
    Submission,
    SubmissionState,
    responded_answers,
)
from submissions.permissions import PREVIOUS_ANSWERS_ATTR, can_edit, is_member
from submissions.validation import MAX_EXPLANATION_LENGTH, Result, clean_explanations, validate
from surveys.definitions import Spec
from surveys.models import Round, RoundState


class ServiceError(Exception):
    """A refused action, with a code and a Danish/English message."""

    code = "refused"

    def __init__(self, message=None, code=None):
        self.message = message or _("Handlingen blev afvist.")
        self.code = code or self.code
        super().__init__(str(self.message))


class StaleVersion(ServiceError):
    code = "stale_version"

    def __init__(self, submission):
        self.submission = submission
        super().__init__(
            _(
                "Besvarelsen er blevet ændret af en anden, siden du åbnede den "
                "(version %(version)s). Dine ændringer er ikke gemt oven i deres — "
                "se forskellen nedenfor."
            )
            % {"version": submission.version}
        )


class ExplanationNotRaised(ServiceError):
    """Explanations for warnings the answers do not raise (strict callers: the API)."""

    code = "invalid"

    def __init__(self, keys):
        self.keys = keys
        super().__init__(_("Der er forklaringer til advarsler, som svarene ikke giver."))


class ExplanationTooLong(ServiceError):
    """Explanations longer than the limit (validation.MAX_EXPLANATION_LENGTH): refused, nothing
    saved — cutting them would lose what was typed. `keys`: the warnings they explain."""

    code = "invalid"

    def __init__(self, keys):
        self.keys = keys
        super().__init__(
            _(
                "En forklaring er for lang (højst %(max)s tegn). Intet er gemt: gør den kortere "
                "og gem igen."
            )
            % {"max": MAX_EXPLANATION_LENGTH}
        )


class NotEditable(ServiceError):
    code = "not_editable"


class SubmissionBlocked(ServiceError):
    code = "blocked"

    def __init__(self, blocking):
        self.blocking = blocking
        super().__init__(
            _("Besvarelsen kan ikke indsendes endnu: ret fejlene og forklar advarslerne.")
        )


ROUND_CLOSED = _("Runden er lukket. Kontakt koordinatoren, hvis der skal rettes noget.")
ROUND_NOT_OPEN = _("Runden er ikke åbnet endnu.")
ALREADY_SUBMITTED = _("Besvarelsen er indsendt. Genåbn den til rettelse, før du ændrer den.")


IMPACT_REUSE_MINUTES = 10  # request_impact: the same request again answers the same run


@dataclass
class Outcome:
    submission: Submission
    result: Result
    changed: bool = True


def previous_answers(round_: Round, municipality: Municipality) -> dict | None:
    """The same municipality's responded answers in the round this one compares with.

    The scoped lookup (`get_round_and_municipality(…, with_previous_answers=True)`) may have
    read them already, in its own query, for this round's previous round: then no query."""
    if not round_.previous_id:
        return None
    known = getattr(municipality, PREVIOUS_ANSWERS_ATTR, None)
    if known is not None and known[0] == round_.previous_id:
        return known[1]
    found = responded_answers(round_id=round_.previous_id, municipality_id=municipality.pk)
    return found[0] if found else None


def evaluate(submission: Submission) -> Result:
    """Validate a submission's stored answers (used for display, review and submit)."""
    spec = submission.round.definition.spec
    return validate(
        spec, submission.answers, previous_answers(submission.round, submission.municipality)
    )


def save_refusal(
    round_: Round, user: User, *, submission: Submission | None = None
) -> NotEditable | None:
    """Why `user` may not change answers in this round (and this submission) now, or None —
    the one rule of "may save now": the services raise it, the form and the API's `editable`
    read it (through `may_save`). A closed round takes no answers; a draft round only a
    coordinator's (trying it out); a submitted or accepted answer must be reopened first."""
    if round_.state == RoundState.CLOSED:
        return NotEditable(ROUND_CLOSED, "round_closed")
    if round_.state == RoundState.DRAFT and not user.is_coordinator:
        return NotEditable(ROUND_NOT_OPEN, "round_not_open")
    if submission is not None and not submission.is_editable_state:
        return NotEditable(ALREADY_SUBMITTED, "already_submitted")
    return None


def may_save(
    round_: Round, municipality: Municipality, *, user: User, submission: Submission | None
) -> bool:
    """May `user` save answers for `municipality` right now: may edit its answers at all
    (`permissions.can_edit`) and nothing refuses it (`save_refusal`)."""
    return (
        can_edit(user, municipality) and save_refusal(round_, user, submission=submission) is None
    )


def _check_round_editable(round_, user):
    if (refusal := save_refusal(round_, user)) is not None:
        raise refusal


def _on_behalf(user, municipality):
    return not is_member(user, municipality)


def _revise(submission, action, user, changed_keys=(), note="", on_behalf=None):
    if on_behalf is None:
        on_behalf = _on_behalf(user, submission.municipality) if user else False
    _revision(
        submission, action, user, on_behalf=on_behalf, changed_keys=changed_keys, note=note
    ).save()


def _revision(submission, action, user, *, on_behalf, changed_keys=(), note=""):
    return Revision(
        submission=submission,
        number=submission.version,
        action=action,
        state=submission.state,
        author=user,
        on_behalf=on_behalf,
        answers=submission.answers,
        explanations=submission.explanations,
        changed_keys=list(changed_keys),
        note=note,
    )


def _audit_ref(submission):
    return f"{submission.round.slug}/{submission.municipality.code}"


def changed_keys(old: dict, new: dict) -> list[str]:
    keys = sorted(set(old) | set(new))
    return [k for k in keys if old.get(k) != new.get(k)]


def _lock(round_, municipality, *, create=True):
    """The submission row, locked for this transaction; created on first save. With
    `create=False` a submission not saved yet comes back unsaved (no pk, version 0), for a
    caller that inserts it with its content (`_insert`) instead of an empty row first."""
    # At most one row (unique per round and municipality), so no ORDER BY is needed.
    rows = Submission.objects.select_for_update().filter(round=round_, municipality=municipality)
    found = rows[:1]
    submission = found[0] if found else None
    if submission is None and not create:
        submission = Submission(round=round_, municipality=municipality)
    elif submission is None:
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


class _FirstSaveRaced(Exception):
    """A concurrent first save inserted the row between our lock and our INSERT."""


def _insert(submission):
    """INSERT a submission `_lock(…, create=False)` found unsaved, in a savepoint: a
    concurrent first save waits on the unique constraint and then raises _FirstSaveRaced, and
    the caller starts again from the row that won (as `_lock` does)."""
    try:
        with transaction.atomic():
            submission.save(force_insert=True)
    except IntegrityError as error:
        # Only the race is handled here; any other constraint's failure stays what it is.
        won = Submission.objects.filter(
            round_id=submission.round_id, municipality_id=submission.municipality_id
        ).exists()
        if not won:
            raise
        raise _FirstSaveRaced from error


def _can_raise(spec, key: str) -> bool:
    """Whether `key` names a warning of the definition: `rule` or, for entries, `rule@n` with
    n within the definition's cap on entries."""
    base, _, entry = key.partition("@")
    if base not in spec.warning_keys:
        return False
    if not entry:
        return True
    number = whole_number(entry)
    return spec.has_entries and number is not None and 1 <= number <= spec.entries_max


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
    (the API) an explanation of a warning these answers do not raise is refused instead.
    An explanation over the length limit is refused (ExplanationTooLong), never cut."""
    _check_round_editable(round_, actor)
    spec = round_.definition.spec
    prev = previous_answers(round_, municipality)
    result = validate(spec, answers, prev)
    clean_expl, too_long = clean_explanations(explanations)
    if too_long:
        raise ExplanationTooLong(sorted(too_long))
    raised = {f["explain"] for f in result.warnings if f.get("explain")}
    not_raised = [k for k in clean_expl if k not in raised]
    if not_raised and strict_explanations:
        raise ExplanationNotRaised(not_raised)
    clean_expl = {k: v for k, v in clean_expl.items() if k in raised or _can_raise(spec, k)}
    with transaction.atomic():
        # A first save (version 0) inserts the row with its answers (one statement) rather
        # than an empty row that the same save then updates; if a concurrent first save wins
        # the INSERT, this one goes on from its row, exactly as when `_lock` finds it. Any
        # other version cannot match a row not saved yet: the empty row is made (and rolled
        # back with the StaleVersion) as before.
        first = version is None or int(version) == 0
        submission = _lock(round_, municipality, create=not first)
        try:
            return _save_locked(submission, round_, actor, result, clean_expl, version, ip)
        except _FirstSaveRaced:
            submission = _lock(round_, municipality)
            return _save_locked(submission, round_, actor, result, clean_expl, version, ip)


def _save_locked(submission, round_, actor, result, clean_expl, version, ip) -> Outcome:
    """save_draft's work on the locked (or not yet saved) submission."""
    if version is not None and int(version) != submission.version:
        raise StaleVersion(submission)
    if (refusal := save_refusal(round_, actor, submission=submission)) is not None:
        raise refusal
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
    if submission.pk is None:
        _insert(submission)
    else:
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
        _enqueue_on_commit("send_receipt", submission.pk)
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
                _("En godkendt besvarelse kan kun genåbnes af koordinatoren."),
                "accepted",
            )
        if round_.is_past_deadline() and not actor.is_coordinator:
            raise NotEditable(
                _("Fristen er overskredet. Kontakt koordinatoren for at rette besvarelsen."),
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
            raise NotEditable(_("Kun indsendte besvarelser kan godkendes."), "not_submitted")
        _accept_locked([submission], actor=actor, ip=ip)
    return submission


def accept_many(
    submissions: QuerySet[Submission], *, actor: User, ip: str | None = None
) -> list[Submission]:
    """Accept the submitted answers among `submissions` (locked and re-checked: one that has
    changed meanwhile is left alone), as `accept` does one, in a constant number of queries
    whatever their number. Returns those accepted, by id."""
    with transaction.atomic():
        rows = list(
            submissions.select_for_update()
            .filter(state=SubmissionState.SUBMITTED)
            .select_related("round", "municipality")
            .order_by("pk")
        )
        _accept_locked(rows, actor=actor, ip=ip)
    return rows


def _accept_locked(submissions: list[Submission], *, actor: User, ip: str | None) -> None:
    """The one acceptance: state, time, who and version on every locked submitted row, its
    revision and its audit row — one UPDATE, one INSERT of revisions, one of audit rows."""
    if not submissions:
        return
    now = timezone.now()
    members_of = set(
        actor.memberships.filter(
            municipality_id__in={s.municipality_id for s in submissions}
        ).values_list("municipality_id", flat=True)
    )
    for submission in submissions:
        submission.state = SubmissionState.ACCEPTED
        submission.accepted_at = now
        submission.accepted_by = actor
        submission.version += 1
    Submission.objects.bulk_update(submissions, ["state", "accepted_at", "accepted_by", "version"])
    Revision.objects.bulk_create(
        [
            _revision(
                s, Revision.Action.ACCEPT, actor, on_behalf=s.municipality_id not in members_of
            )
            for s in submissions
        ]
    )
    record_many(
        "submission.accepted",
        actor=actor,
        ip=ip,
        object_type="submission",
        refs=[_audit_ref(s) for s in submissions],
    )


def return_submission(
    submission: Submission, *, actor: User, reason: str, ip: str | None = None
) -> Submission:
    """Coordinator returns a submitted (or accepted) answer for correction, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            _("Skriv en begrundelse, så kommunen ved, hvad der skal rettes."),
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
                _("Kun indsendte besvarelser kan sendes retur."),
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
        _enqueue_on_commit("send_returned", submission.pk)
    return submission


def _enqueue_on_commit(name, object_id):
    """Queue a task (an e-mail) that must run only if this transaction commits.

    The database task backend writes the task's row now, in this transaction: the worker
    sees it when the change commits, and a rollback takes it away with the change — one
    commit fewer per submit than writing it after (issue 16), and no change committed
    without its e-mail queued. Any other backend runs or sends the task at once, so it is
    queued after the commit."""
    task = getattr(tasks, name)
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(object_id)
    else:
        transaction.on_commit(lambda: task.enqueue(object_id))


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


# --- Answers that arrive outside the form: one row of a bulk import, and its undo (issue 15).
# The file is read, mapped and planned by the imports app; each row lands here, through the
# same validation, locking and optimistic version check as a save from the form.


@dataclass
class ImportOutcome:
    """What one imported row did: `outcome` is "applied", "unchanged", "kept" (an officer's
    saved answers, not overwritten), "stale" (saved by someone since the dry run read it) or
    "blocked" (to be submitted, but errors or unexplained warnings stand in the way). `before`
    is the submission as it was (for undo), `version_before`/`version_after` its versions."""

    outcome: str
    result: Result
    submission: Submission | None = None
    before: dict | None = None
    version_before: int | None = None
    version_after: int | None = None
    changed: list | None = None


def _snapshot(submission: Submission) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    return {
        "state": submission.state,
        "answers": submission.answers,
        "explanations": submission.explanations,
        "submitted_at": iso(submission.submitted_at),
        "submitted_by": submission.submitted_by_id,
        "late": submission.late,
        "accepted_at": iso(submission.accepted_at),
        "accepted_by": submission.accepted_by_id,
        "returned_at": iso(submission.returned_at),
        "returned_reason": submission.returned_reason,
    }


def has_answers(answers: object) -> bool:
    """Whether stored answers hold anything (an answer, an entry or "nothing to report")."""
    if not isinstance(answers, dict):
        return False
    if answers.get("entries") or answers.get("nothing_to_report") is True:
        return True
    return any(v not in (None, "", []) for k, v in answers.items() if k != "entries")


def import_row(
    round_: Round,
    municipality: Municipality,
    *,
    actor: User | None,
    answers: dict,
    explanations: dict,
    submit: bool,
    expected_version: int | None,
    overwrite: bool,
    own_versions: frozenset = frozenset(),
    note: str,
    audit_detail: dict,
    language: str = "da",
    notify: bool = False,
    ip: str | None = None,
    submitted_at: dt.datetime | None = None,
) -> ImportOutcome:
    """Store one imported row as one revision, entered by `actor` on behalf of the
    municipality (`note` says so, with the source file), in one transaction with its audit
    row. The answers go through the form's validation (`validate`, numbers read with
    `language`); explanations are kept for the warnings they raise.

    - `expected_version`: the submission's version when the dry run read it; a save since
      (an officer's) makes the row "stale" and nothing is written — the officer's save is
      never lost.
    - Answers already saved by someone else (a version not in `own_versions`, the versions
      earlier imports wrote) are "kept" unless `overwrite`.
    - `submit`: the row becomes submitted, or is "blocked" and not written when errors or
      unexplained warnings stand in the way; otherwise it is stored as a draft.
    - A historical round (closed, loaded from a table) takes imports; another closed round
      does not. Its rows were submitted at `submitted_at` (the time the file gives) or else
      by its reference date. Officers are e-mailed a receipt only with `notify`."""
    if round_.state == RoundState.CLOSED and not round_.is_historical:
        raise NotEditable(ROUND_CLOSED, "round_closed")
    spec = round_.definition.spec
    result = validate(spec, answers, previous_answers(round_, municipality), language=language)
    clean_expl, too_long = clean_explanations(explanations)
    if too_long:  # the import's plan refuses such a row first (imports.plan)
        raise ExplanationTooLong(sorted(too_long))
    raised = {f["explain"] for f in result.warnings if f.get("explain")}
    clean_expl = {k: v for k, v in clean_expl.items() if k in raised}
    if submit and result.blocking(clean_expl):
        return ImportOutcome("blocked", result)
    target = SubmissionState.SUBMITTED if submit else SubmissionState.DRAFT
    with transaction.atomic():
        submission = _lock(round_, municipality)
        version_before = submission.version
        if expected_version is not None and submission.version != expected_version:
            return ImportOutcome("stale", result, submission, version_before=version_before)
        keys = changed_keys(submission.answers, result.answers)
        keys += [f"explanation:{k}" for k in changed_keys(submission.explanations, clean_expl)]
        if submission.version > 0 and not keys and (not submit or submission.has_responded):
            return ImportOutcome("unchanged", result, submission, version_before=version_before)
        saved_by_others = (
            submission.version > 0
            and submission.version not in own_versions
            and has_answers(submission.answers)
        )
        if saved_by_others and not overwrite:
            return ImportOutcome("kept", result, submission, version_before=version_before)
        before = _snapshot(submission)
        now = timezone.now()
        submission.answers = result.answers
        submission.explanations = clean_expl
        store_result(submission, result)
        submission.state = target
        if submit:
            # A historical round's answers were given by its reference date, never late.
            submission.submitted_at = (
                (submitted_at or round_.deadline) if round_.is_historical else now
            )
            submission.late = not round_.is_historical and now > round_.deadline
            submission.submitted_by = actor
        else:
            submission.submitted_at, submission.submitted_by, submission.late = None, None, False
        submission.accepted_at = submission.accepted_by = None
        submission.returned_at, submission.returned_reason = None, ""
        submission.version += 1
        submission.updated_by = actor
        submission.last_activity_at = now
        submission.save()
        action = Revision.Action.SUBMIT if submit else Revision.Action.SAVE
        # Entered by the coordinator for the municipality, whoever the actor is a member of.
        _revise(submission, action, actor, keys, note=note, on_behalf=True)
        record(
            "submission.imported",
            actor=actor,
            ip=ip,
            object_type="submission",
            object_ref=_audit_ref(submission),
            detail={
                **audit_detail,
                "version": submission.version,
                "state": submission.state,
                "changed": keys[:50],
            },
        )
        if submit and notify:
            _enqueue_on_commit("send_receipt", submission.pk)
    return ImportOutcome(
        "applied",
        result,
        submission,
        before=before,
        version_before=version_before,
        version_after=submission.version,
        changed=keys,
    )


def _parse_time(value):
    return dt.datetime.fromisoformat(value) if value else None


def undo_import_row(
    submission: Submission,
    *,
    actor: User | None,
    version_after: int,
    before: dict,
    note: str,
    audit_detail: dict,
    ip: str | None = None,
) -> bool:
    """Put a submission back as it was before an imported row (`before`, from import_row),
    as a new revision. False, and nothing written, when someone saved since the import
    (its version is no longer `version_after`): their work is left alone."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .select_related("round", "municipality")
            .get(pk=submission.pk)
        )
        if submission.version != version_after:
            return False
        old_answers, old_expl = submission.answers, submission.explanations
        submission.state = before["state"]
        submission.answers = before["answers"]
        submission.explanations = before["explanations"]
        submission.submitted_at = _parse_time(before["submitted_at"])
        submission.submitted_by_id = before["submitted_by"]
        submission.late = before["late"]
        submission.accepted_at = _parse_time(before["accepted_at"])
        submission.accepted_by_id = before["accepted_by"]
        submission.returned_at = _parse_time(before["returned_at"])
        submission.returned_reason = before["returned_reason"]
        store_result(submission, evaluate(submission))
        submission.version += 1
        submission.updated_by = actor
        submission.last_activity_at = timezone.now()
        submission.save()
        keys = changed_keys(old_answers, submission.answers)
        keys += [f"explanation:{k}" for k in changed_keys(old_expl, submission.explanations)]
        _revise(submission, Revision.Action.SAVE, actor, keys, note=note)
        record(
            "submission.import_undone",
            actor=actor,
            ip=ip,
            object_type="submission",
            object_ref=_audit_ref(submission),
            detail={**audit_detail, "version": submission.version},
        )
    return True
