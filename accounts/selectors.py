"""Who is who, as querysets for the apps above."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

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


def open_invitations() -> QuerySet[Invitation]:
    """The one definition of a pending invitation: not accepted (a withdrawn one is deleted),
    to a person who is still active. The officers page lists these, resend and withdraw act
    only on these, and a link works only for one of these (and only until it expires)."""
    return Invitation.objects.filter(accepted_at=None, user__is_active=True)


def pending_invitations() -> QuerySet[Invitation]:
    """The pending invitations (`open_invitations`) for the officers page, newest first."""
    return (
        open_invitations()
        .select_related("municipality", "invited_by", "user")
        .order_by("-created_at")
    )


def get_pending_invitation(invitation_id: int) -> Invitation:
    """One pending invitation, or 404 (accepted, withdrawn, of a deactivated person, missing)."""
    return get_object_or_404(pending_invitations(), pk=invitation_id)


def invitation_expires_at(invitation: Invitation) -> datetime:
    return invitation.created_at + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
