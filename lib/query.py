"""Reading a query parameter (`?round=…`) as text a database can hold. PostgreSQL refuses NUL
in text, so a `%00` sent in a parameter that reaches a query would be a 500: it is refused here
instead — the API answers 400 in its error shape (`api_query_param`), a page treats it like
an unknown value (`query_text` gives None).

`whole_number` reads a posted or queried id/version as a number: `str.isdigit()` alone lets
"²" or "٣" through to `int()` (a ValueError, a 500) — only ASCII digits are a number here."""

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from lib.api_errors import ApiError, field_error

_NO_NUL = ProhibitNullCharactersValidator()


def query_text(params: QueryDict, name: str, *, default: str = "") -> str | None:
    """The parameter `name` of `params` (`request.GET`, `request.query_params`; `default` when
    absent), or None when it holds a NUL character."""
    value = params.get(name, default)
    try:
        _NO_NUL(value)
    except ValidationError:
        return None
    return value


def api_query_param(request, name: str, *, default: str = "") -> str:
    """The API's query parameter `name` as text, or a 400 in the API's error shape naming it
    (the code and message Django's and django-filter's fields give for NUL)."""
    value = query_text(request.query_params, name, default=default)
    if value is None:
        raise ApiError(
            "invalid",
            _("Ugyldig parameter."),
            fields=[field_error(name, _NO_NUL.code, _NO_NUL.message)],
        )
    return value


def whole_number(value, *, max_digits: int = 9) -> int | None:
    """`value` (text from a query, a form or a path) as a whole number ≥ 0 written with at most
    `max_digits` ASCII digits (9: anything an integer column holds), or None for anything else
    (letters, a sign, "²", Arabic-Indic digits, NUL, too many digits, not text)."""
    if (
        isinstance(value, str)
        and 0 < len(value) <= max_digits
        and value.isascii()
        and value.isdigit()
    ):
        return int(value)
    return None
