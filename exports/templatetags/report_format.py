"""Danish number formats for the report and the exports page. A figure and its unit are
joined by a non-breaking space ("12,3 %") so a line never ends between them."""

from django import template
from django.utils.safestring import mark_safe

from exports.analysis import num as _num
from exports.analysis import pct as _pct

register = template.Library()

NBSP = "\u00a0"


@register.filter
def pct(value, decimals=1):
    """0.0456 → '4,6 %'; None → '–'."""
    return _pct(value, int(decimals), space=NBSP)


@register.filter
def ratio(value, decimals=1):
    """A ratio (pupils per FTE) in Danish: 294.13 → '294,1', 1250.0 → '1.250,0'; None → '–'."""
    return _num(value, int(decimals))


@register.filter
def pp(value, unit=True):
    """A change of a share in percentage points: 0.012 → '+1,2 pct.-point' (`|pp:""` leaves
    the unit to the column header: '+1,2'); a change that rounds to zero is '0,0', never
    '−0,0' or '±0,0'."""
    if value is None:
        return "–"
    shown = round(value * 100, 1)
    sign = "+" if shown > 0 else ("−" if shown < 0 else "")
    figure = f"{sign}{abs(shown):.1f}".replace(".", ",")
    return figure + NBSP + "pct.-point" if unit else figure


@register.filter
def dk(value):
    """Thousands with a dot, decimals with a comma: 100000 → '100.000'."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{int(value):,}".replace(",", ".")


@register.filter
def nobreak(value):
    """Spaces inside a short label ('Over 0, under 2 %') made non-breaking."""
    return str(value).replace(" ", NBSP)


@register.filter
def css_string(value):
    """Text for inside a double-quoted CSS string in the report's <style> (the page footer):
    quotes, backslashes, angle brackets and control characters as CSS escapes ('\\3c '), the
    rest as is — an '&' in a title stays an '&', and nothing can close the <style>."""
    out = []
    for char in str(value):
        if char in '\\"<>' or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return mark_safe("".join(out))  # noqa: S308 — every character that could escape is escaped
