"""Who is who, as querysets for the apps above."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import Invitation, User


def officers_of(municipality_ids: Iterable[int]) -> QuerySet[User]:
    """Active users who answer for these municipalities (officers and shared centres)."""
    return (
        User.objects.filter(memberships__municipality_id__in=municipality_ids, is_active=True)
        .distinct()
        .order_by("email")
    )


def pending_invitations() -> QuerySet[Invitation]:
    """Invitations not yet accepted, to people who are still active, newest first."""
    return (
        Invitation.objects.filter(accepted_at=None, user__is_active=True)
        .select_related("municipality", "invited_by", "user")
        .order_by("-created_at")
    )


def invitation_expires_at(invitation: Invitation) -> datetime:
    return invitation.created_at + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
