"""Scoped querysets: what a user may see, before anything else happens. A forbidden object and
a missing one give the same 404."""

from django.http import Http404

from accounts.permissions import municipalities_for
from surveys.models import Municipality, Round, RoundState


def rounds_for(user):
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


def get_round(user, slug):
    round_ = rounds_for(user).filter(slug=slug).first()
    if round_ is None:
        raise Http404
    return round_


def get_round_and_municipality(user, slug, code):
    """The round and one of its recipient municipalities that the user may see, or 404."""
    round_ = get_round(user, slug)
    municipality = (
        municipalities_for(user).filter(code=code, rounds=round_).first()
        if not user.can_read_all
        else Municipality.objects.filter(code=code, rounds=round_).first()
    )
    if municipality is None:
        raise Http404
    return round_, municipality


def can_edit(user, municipality):
    """Officers edit their own municipalities; coordinators may edit on behalf of any."""
    if user.is_coordinator:
        return True
    if user.is_analyst:
        return False
    return user.memberships.filter(municipality=municipality).exists()
