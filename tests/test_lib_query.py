"""lib/query.py on its own, on any database: `query_text` and `api_query_param` refuse a NUL
(PostgreSQL cannot hold one in text; the pages' and the API's NUL tests show what that means
there), `whole_number` reads only ASCII digits as a number (`"²".isdigit()` is true, but
`int("²")` raises)."""

import pytest
from django.http import QueryDict
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from lib.api_errors import ApiError
from lib.query import api_query_param, query_text, whole_number


def test_query_text_gives_the_value_the_default_or_none_for_a_nul():
    params = QueryDict("round=r-2026&nul=a%00b&empty=")
    assert query_text(params, "round") == "r-2026"
    assert query_text(params, "empty") == ""
    assert query_text(params, "absent") == ""
    assert query_text(params, "absent", default="x") == "x"
    assert query_text(params, "nul") is None
    assert query_text(QueryDict("nul=%00"), "nul") is None


def _api_request(query):
    return Request(APIRequestFactory().get("/api/v1/x/?" + query))


def test_api_query_param_gives_the_value_or_a_400_naming_the_parameter():
    assert api_query_param(_api_request("round=r-2026"), "round") == "r-2026"
    assert api_query_param(_api_request(""), "round", default="d") == "d"
    with pytest.raises(ApiError) as exc:
        api_query_param(_api_request("round=a%00b"), "round")
    assert exc.value.status_code == 400 and exc.value.code == "invalid"
    [field] = exc.value.fields
    assert field["field"] == "round" and field["code"] == "null_characters_not_allowed"
    assert field["message"]  # Django's message for NUL


@pytest.mark.parametrize(
    "raw,number",
    [
        ("0", 0),
        ("7", 7),
        ("007", 7),
        ("999999999", 999_999_999),
        ("1234567890", None),  # more than 9 digits
        ("", None),
        (" 7", None),
        ("+7", None),
        ("-1", None),
        ("7.0", None),
        ("abc", None),
        ("²", None),  # isdigit() is true, int() raises
        ("1²", None),
        ("١", None),  # Arabic-Indic one: int() would read it as 1
        ("\x00", None),
        (None, None),
        (7, None),  # not text
    ],
)
def test_whole_number_reads_only_ascii_digits(raw, number):
    assert whole_number(raw) == number


def test_whole_number_takes_a_digit_limit():
    assert whole_number("1" * 17, max_digits=17) == int("1" * 17)
    assert whole_number("1" * 18, max_digits=17) is None
