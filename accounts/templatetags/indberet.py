"""Small template helpers: invitation age, and the one date/time format (`when`, `day`)."""

from django import template
from django.conf import settings

from accounts import formatting

register = template.Library()


@register.simple_tag
def invitation_max_age_days():
    """How many days an invitation link works (settings.INVITATION_MAX_AGE_DAYS)."""
    return settings.INVITATION_MAX_AGE_DAYS


@register.filter(name="when")
def when_filter(value):
    """A date and time as `7. marts 2026 kl. 01.00` (accounts.formatting.when)."""
    return formatting.when(value)


@register.filter(name="day")
def day_filter(value):
    """A date as `7. marts 2026` (accounts.formatting.day)."""
    return formatting.day(value)


@register.filter
def join_if_list(value):
    """A list shown as `a, b, c`; anything else as itself."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value
