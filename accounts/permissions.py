"""Who may see what, as querysets. Every view and API endpoint starts from these."""

import functools

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from reference.models import Municipality


def municipalities_for(user: User | AnonymousUser) -> QuerySet[Municipality]:
    """Organisations (members of any register) whose submissions the user may see: all for
    coordinators and analysts, their memberships for officers, none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    if user.can_read_all:
        return Municipality.objects.all()
    return Municipality.objects.filter(memberships__user=user)


def is_coordinator(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_active and user.is_coordinator


def can_read_all(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_active and user.can_read_all


def coordinator_required(view):
    """The one coordinator check for pages: logged in (else the login page) and coordinator
    (else 404, the same answer as for a page that does not exist)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_coordinator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
