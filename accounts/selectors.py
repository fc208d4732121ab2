"""Who is who, as querysets for the apps above."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Invitation, Membership, User


def active_memberships() -> QuerySet[Membership]:
    """The one definition of "has an active officer": a membership of an active user. Who is
    invited when a round opens, who gets receipts and reminders, which recipients the round's
    open page warns about and the board's "no contact" all read it."""
    return Membership.objects.filter(user__is_active=True)


def has_active_officer(municipality: str = "pk") -> Exists:
    """For annotating municipalities (`OuterRef(municipality)`): an active officer answers
    for it."""
    return Exists(active_memberships().filter(municipality=OuterRef(municipality)))


def officers_of(municipality_ids: Iterable[int]) -> QuerySet[User]:
    """Active users who answer for these municipalities (officers and shared centres)."""
    return User.objects.filter(
        pk__in=active_memberships().filter(municipality_id__in=municipality_ids).values("user_id")
    ).order_by("email")


def pending_invitations() -> QuerySet[Invitation]:
    """Invitations not yet accepted, to people who are still active, newest first."""
    return (
        Invitation.objects.filter(accepted_at=None, user__is_active=True)
        .select_related("municipality", "invited_by", "user")
        .order_by("-created_at")
    )


def invitation_expires_at(invitation: Invitation) -> datetime:
    return invitation.created_at + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
