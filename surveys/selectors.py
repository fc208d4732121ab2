"""Which rounds a person may see: the one round-visibility query. Every page, API endpoint and
export that looks a round up starts here, so a forbidden round and a missing one both answer
404."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.selectors import has_active_officer
from reference.models import Municipality
from surveys.models import Round, RoundState


def rounds_for(user: User) -> QuerySet[Round]:
    """Coordinators: every round. Analysts: opened rounds. Officers: opened rounds that have one
    of their municipalities as recipient."""
    if not user.is_authenticated or not user.is_active:
        return Round.objects.none()
    qs = Round.objects.select_related("survey", "definition")
    if user.is_coordinator:
        return qs
    qs = qs.exclude(state=RoundState.DRAFT)
    if user.is_analyst:
        return qs
    return qs.filter(recipients__memberships__user=user).distinct()


def get_round(user: User, slug: str, *, related: tuple[str, ...] = ()) -> Round:
    """The round `slug` if `user` may see it (`rounds_for`), else 404 — a forbidden round and
    a missing one alike. `related`: further relations to load with it (e.g. "previous")."""
    round_ = rounds_for(user).select_related(*related).filter(slug=slug).first()
    if round_ is None:
        raise Http404
    return round_


def without_officer(round_: Round) -> QuerySet[Municipality]:
    """Recipients no active officer answers for (`accounts.selectors.has_active_officer`):
    opening the round invites nobody there."""
    return round_.recipients.filter(~has_active_officer()).order_by("name").only("code", "name")
