"""Small template helpers for the account pages."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def invitation_max_age_days():
    """How many days an invitation link works (settings.INVITATION_MAX_AGE_DAYS)."""
    return settings.INVITATION_MAX_AGE_DAYS
