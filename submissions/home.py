"""The officer's home page: every (round × municipality) that concerns them, most urgent first.

Three queries whatever the number of rounds: the user's recipient pairs, and the submissions of
those pairs (the through table carries both round and municipality)."""

from dataclasses import dataclass

from django.utils import timezone

from submissions.models import Submission, SubmissionState
from surveys.models import Round, RoundState


@dataclass
class Assignment:
    round: Round
    municipality: object
    submission: Submission | None
    overdue: bool

    @property
    def state(self):
        return self.submission.state if self.submission else "not_started"

    @property
    def returned(self):
        return self.state == SubmissionState.RETURNED

    @property
    def responded(self):
        return bool(self.submission and self.submission.has_responded)

    @property
    def sort_key(self):
        rank = 0 if self.returned else 1 if self.overdue else 2
        if self.responded:
            rank = 3
        if self.round.is_closed:
            rank = 4
        deadline = self.round.deadline.timestamp()
        return (rank, -deadline if rank >= 3 else deadline, self.municipality.name)


def officer_assignments(user, now=None):
    now = now or timezone.now()
    Through = Round.recipients.through
    pairs = list(
        Through.objects.filter(
            municipality__memberships__user=user,
            round__state__in=(RoundState.OPEN, RoundState.CLOSED),
        ).select_related("round__survey", "municipality")
    )
    if not pairs:
        return []
    round_ids = {p.round_id for p in pairs}
    municipality_ids = {p.municipality_id for p in pairs}
    submissions = {
        (s.round_id, s.municipality_id): s
        for s in Submission.objects.filter(
            round_id__in=round_ids, municipality_id__in=municipality_ids
        ).only(
            "id",
            "round_id",
            "municipality_id",
            "state",
            "late",
            "submitted_at",
            "last_activity_at",
            "returned_reason",
        )
    }
    out = []
    for p in pairs:
        sub = submissions.get((p.round_id, p.municipality_id))
        responded = bool(sub and sub.has_responded)
        overdue = p.round.is_open and not responded and now > p.round.deadline
        out.append(Assignment(p.round, p.municipality, sub, overdue))
    out.sort(key=lambda a: a.sort_key)
    return out
