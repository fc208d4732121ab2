"""The one date/time format: `7. marts 2026 kl. 01.00` in Danish, `7 March 2026 at 01:00` in
English, in local time (Copenhagen), from one helper used by templates and e-mails."""

import datetime as dt

from django.template import Context, Template
from django.utils import translation

from accounts.formatting import day, when

UTC_MIDNIGHT = dt.datetime(2026, 3, 7, 0, 0, tzinfo=dt.UTC)  # 01.00 in Copenhagen (winter)


def test_danish_and_english():
    with translation.override("da"):
        assert when(UTC_MIDNIGHT) == "7. marts 2026 kl. 01.00"
        assert day(dt.date(2026, 9, 30)) == "30. september 2026"
    with translation.override("en"):
        assert when(UTC_MIDNIGHT) == "7 March 2026 at 01:00"
        assert day(dt.date(2026, 9, 30)) == "30 September 2026"
    assert when(None) == "" and day(None) == ""


def test_the_template_filters_use_the_helper():
    template = Template("{% load indberet %}{{ at|when }} / {{ at|day }}")
    with translation.override("da"):
        html = template.render(Context({"at": UTC_MIDNIGHT}))
    assert html == "7. marts 2026 kl. 01.00 / 7. marts 2026"


def test_the_fast_formatter_for_many_rows_gives_what_when_gives():
    from accounts.formatting import when_formatter

    values = [
        dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)
        for month, day, hour, minute in [
            (1, 1, 0, 0),
            (3, 29, 1, 30),
            (10, 25, 23, 59),
            (12, 31, 22, 5),
        ]
    ]
    for language in ("da", "en"):
        with translation.override(language):
            fast = when_formatter()
            assert [fast(v) for v in values] == [when(v) for v in values]
            assert fast(None) == "" and fast.day(None) == ""
            assert [fast.day(v) for v in values] == [day(v) for v in values]
            assert fast.day(dt.date(2026, 5, 1)) == day(dt.date(2026, 5, 1))
