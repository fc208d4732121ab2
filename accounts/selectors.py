"""Who is who, as querysets for the apps above."""

from collections.abc import Iterable

from django.db.models import QuerySet

from accounts.models import User


def officers_of(municipality_ids: Iterable[int]) -> QuerySet[User]:
    """Active users who answer for these municipalities (officers and shared centres)."""
    return (
        User.objects.filter(memberships__municipality_id__in=municipality_ids, is_active=True)
        .distinct()
        .order_by("email")
    )
