"""One way to write a date and a time in the interface and in e-mails:
`7. marts 2026 kl. 01.00` in Danish, `7 March 2026 at 01:00` in English, local time, months in
the active language. Templates use the `when` and `day` filters
(accounts/templatetags/indberet.py)."""

import datetime as dt

from django.utils import formats, timezone
from django.utils.dates import MONTHS
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


def when_formatter():
    """`when` for many values at once (the board's 1,000 rows): the language's patterns and
    month names are looked up once, then each value is a few f-string operations. Gives
    exactly what `when` gives, and `.day` what `day` gives (tests/test_formatting.py)."""
    date_pattern = pgettext("date format", "j. F Y")
    time_pattern = pgettext("time format", "H.i")
    sentence = gettext("%(date)s kl. %(time)s")
    fast_dates = {"j. F Y": "{d}. {m} {y}", "j F Y": "{d} {m} {y}"}
    fast_times = {"H.i": "{h:02d}.{i:02d}", "H:i": "{h:02d}:{i:02d}"}
    if date_pattern not in fast_dates or time_pattern not in fast_times:

        def slow(value):
            return when(value)

        slow.day = day
        return slow
    months = {n: str(name) for n, name in MONTHS.items()}
    date_fmt, time_fmt = fast_dates[date_pattern], fast_times[time_pattern]
    tz = timezone.get_current_timezone()

    def local(value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return value.astimezone(tz)
        return value

    def fast_day(value):
        if value is None or value == "":
            return ""
        value = local(value)
        return date_fmt.format(d=value.day, m=months[value.month], y=value.year)

    def fast(value):
        if value is None or value == "":
            return ""
        value = local(value)
        return sentence % {
            "date": fast_day(value),
            "time": time_fmt.format(h=value.hour, i=value.minute),
        }

    fast.day = fast_day
    return fast
