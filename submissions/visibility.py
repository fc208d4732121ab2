"""What an analyst may see of a submission — one rule for the API, the pages and the exports.

Analysts read results, not work in progress and not personal data: only the values of
submitted and accepted submissions, and never the answers to e-mail questions (contact
persons). Coordinators and the municipality's own officers see everything."""

from accounts.models import User
from submissions.models import Submission, SubmissionState
from surveys.definitions import Spec

VALUES_VISIBLE_STATES = frozenset({SubmissionState.SUBMITTED, SubmissionState.ACCEPTED})


def sees_everything(user: User) -> bool:
    """Coordinators (and operators) and officers see drafts and e-mail answers; analysts not."""
    return not (user.is_analyst and not user.is_coordinator)


def sees_personal_data(user: User | None) -> bool:
    return sees_everything(user)


def personal_keys(spec: Spec) -> frozenset[str]:
    return frozenset(q.key for q in spec.questions if q.type == "email")


def _without(group, hidden):
    return {k: v for k, v in group.items() if k not in hidden} if isinstance(group, dict) else {}


def values_visible(*, user: User, state: str) -> bool:
    """Whether `user` may see a submission's values at all in `state`: people who see
    everything always, analysts once it is submitted or accepted."""
    return sees_everything(user) or state in VALUES_VISIBLE_STATES


def visible_answers(*, user: User, spec: Spec, state: str, answers: dict) -> dict:
    """The answers as `user` may see them: all of them, or (analysts) nothing unless the
    submission is submitted or accepted, and then without e-mail questions."""
    if sees_everything(user):
        return answers
    if not values_visible(user=user, state=state) or not isinstance(answers, dict):
        return {}
    hidden = personal_keys(spec)
    visible = _without(answers, hidden)
    if isinstance(answers.get("entries"), list):
        visible["entries"] = [_without(e, hidden) for e in answers["entries"]]
    return visible


def restrict_submission(
    *, user: User, spec: Spec, submission: Submission | None
) -> Submission | None:
    """Apply `visible_answers` to a loaded submission in place (never saved: only people who
    see everything may edit), with its explanations, derived values and findings."""
    if submission is None or sees_everything(user):
        return submission
    submission.answers = visible_answers(
        user=user, spec=spec, state=submission.state, answers=submission.answers
    )
    if not values_visible(user=user, state=submission.state):
        submission.explanations, submission.derived, submission.findings = {}, {}, []
    return submission
