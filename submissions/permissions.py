"""Scoped querysets: what a user may see, before anything else happens. A forbidden object and
a missing one give the same 404."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Subquery, Value
from django.http import Http404

from accounts.models import Membership, User
from reference.models import Municipality
from submissions.models import responded_answers
from surveys.models import Round, RoundState

# Where the scoped lookup leaves the previous round's answers on the municipality:
# (previous round id, answers or None), read by services.previous_answers.
PREVIOUS_ANSWERS_ATTR = "_previous_round_answers"


def get_round_and_municipality(
    user: User | AnonymousUser, slug: str, code: str, *, with_previous_answers: bool = False
) -> tuple[Round, Municipality]:
    """The round and one of its recipient municipalities that the user may see, or 404.

    One query, on the round's recipient links, with the same scope as
    `surveys.selectors.rounds_for` and `municipalities_for`: coordinators see every round,
    others opened rounds; officers only their own municipalities (which is also what makes
    the round visible to them). The
    municipality carries `is_member` (the user has a membership of it), found in the same
    query, so `can_edit` and `is_member` need no query of their own for it.

    `with_previous_answers` (a save or a submit, which validate against them): the same query
    also reads the municipality's responded answers in the round's previous round
    (`models.responded_answers`), so `services.previous_answers` needs no query of its own."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    links = Round.recipients.through.objects.select_related(
        "round__survey__register", "round__definition", "municipality"
    ).filter(round__slug=slug, municipality__code=code)
    if not user.is_coordinator:
        links = links.exclude(round__state=RoundState.DRAFT)
    if user.can_read_all:
        links = links.annotate(
            is_member=Exists(
                Membership.objects.filter(user=user, municipality=OuterRef("municipality_id"))
            )
        )
    else:
        links = links.filter(municipality__memberships__user=user).annotate(is_member=Value(True))
    if with_previous_answers:
        links = links.annotate(
            previous_answers=Subquery(
                responded_answers(
                    round_id=OuterRef("round__previous_id"),
                    municipality_id=OuterRef("municipality_id"),
                )
            )
        )
    # At most one link (a round lists a municipality once; a membership is unique): no ORDER BY.
    found = links[:1]
    if not found:
        raise Http404
    link = found[0]
    municipality = link.municipality
    municipality.is_member = link.is_member
    if with_previous_answers and link.round.previous_id:
        setattr(
            municipality, PREVIOUS_ANSWERS_ATTR, (link.round.previous_id, link.previous_answers)
        )
    return link.round, municipality


def is_member(user: User, municipality: Municipality) -> bool:
    """Whether the user answers for the municipality (a membership)."""
    known = getattr(municipality, "is_member", None)
    if known is not None:
        return known
    return user.memberships.filter(municipality=municipality).exists()


def can_edit(user: User, municipality: Municipality) -> bool:
    """Officers edit their own municipalities; coordinators may edit on behalf of any."""
    if user.is_coordinator:
        return True
    if user.is_analyst:
        return False
    return is_member(user, municipality)
