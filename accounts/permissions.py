"""Who may see what, as querysets. Every view and API endpoint starts from these."""

from reference.models import Municipality


def municipalities_for(user):
    """Municipalities whose submissions the user may see: all for coordinators and analysts,
    their memberships for officers, none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    if user.can_read_all:
        return Municipality.objects.all()
    return Municipality.objects.filter(memberships__user=user)


def is_coordinator(user):
    return user.is_authenticated and user.is_active and user.is_coordinator


def can_read_all(user):
    return user.is_authenticated and user.is_active and user.can_read_all
