"""One way to write a date and a time in the interface and in e-mails:
`7. marts 2026 kl. 01.00` in Danish, `7 March 2026 at 01:00` in English, local time, months in
the active language. Templates use the `when` and `day` filters
(accounts/templatetags/indberet.py)."""

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext


def day(value):
    """`7. marts 2026` (a date, or a datetime's local date); empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(value, pgettext("date format", "j. F Y"))


def when(value):
    """`7. marts 2026 kl. 01.00` (local time); empty for None."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return gettext("%(date)s kl. %(time)s") % {
        "date": day(local),
        "time": formats.date_format(local, pgettext("time format", "H.i")),
    }
