"""A NUL (`%00`) in a query parameter that reaches a database query: PostgreSQL refuses NUL in
text, so unguarded it was a 500 there. The API answers 400 in its error shape naming the
parameter (lib.query.api_query_param, the code django-filter's fields give); a page treats it
as an unknown value. Run on PostgreSQL too (DATABASE_URL; CI does, .ci/run). The helpers
themselves are tested on any database in tests/test_lib_query.py."""

import pytest
from django.db import connection

from tests.api.conftest import url
from tests.conftest import client_for

NUL = "a%00b"


@pytest.mark.parametrize(
    "path,field",
    [
        (f"surveys/juniormesterlaere/versions/1/impact/?round={NUL}", "round"),
        (f"rounds/?survey={NUL}", "survey"),  # django-filter's field refuses it
    ],
)
def test_the_api_refuses_a_nul_in_a_query_parameter_with_400_naming_it(
    clients, round_, path, field
):
    response = clients["coordinator"].get(url(path))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"][0]["field"] == field
    assert error["fields"][0]["code"] == "null_characters_not_allowed"


# On SQLite a NUL in text just matches nothing, so these pass with or without the guard: only
# PostgreSQL (which refuses NUL in text: a DataError, a 500 unguarded) can show the difference.
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="only PostgreSQL refuses NUL in text; on SQLite these pass unguarded (CI runs PG)",
)
@pytest.mark.parametrize(
    "who,path,status",
    [
        ("coordinator", f"/runder/ny/?undersoegelse={NUL}", 200),  # no survey chosen
        ("coordinator", f"/konto/inviter/?register={NUL}", 404),  # as an unknown register
        ("analyst", f"/data/?runde={NUL}", 200),  # no round ticked
    ],
)
def test_a_page_treats_a_nul_in_a_query_parameter_as_unknown(
    coordinator, analyst, round_, who, path, status
):
    user = {"coordinator": coordinator, "analyst": analyst}[who]
    assert client_for(user).get(path).status_code == status
