"""Danish number formats for the report and the exports page."""

from django import template

from exports.analysis import pct as _pct

register = template.Library()


@register.filter
def pct(value, decimals=1):
    """0.0456 → '4,6 %'; None → '–'."""
    return _pct(value, int(decimals))


@register.filter
def pp(value):
    """A change of a share in percentage points: 0.012 → '+1,2 pct.point'."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{abs(value) * 100:.1f}".replace(".", ",") + " pct.point"


@register.filter
def dk(value):
    """Thousands with a dot, decimals with a comma: 100000 → '100.000'."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{int(value):,}".replace(",", ".")
