"""Query budgets of a school round (issue 14): the pages and API endpoints that follow a round
of another register make the same number of queries for 5 schools as for 27."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from demo.schools import school_answers
from tests.conftest import client_for
from tests.factories import make_round, make_submission, make_user

PAGES = [
    "/opfoelgning/{slug}/",
    "/opfoelgning/{slug}/?attr_region=1084",
    "/opfoelgning/{slug}/ikke-svaret.csv",
    "/runder/{slug}/",
    "/api/v1/rounds/{slug}/status/",
    "/api/v1/rounds/{slug}/summary/",
    "/api/v1/rounds/{slug}/export/?format=csv",
]


def count(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_school_round_pages_do_not_grow_with_the_number_of_schools(schools):
    answers = {s["code"]: s["answers"] for s in school_answers() if s["state"] == "submitted"}
    codes = sorted(s["code"] for s in school_answers())
    rounds = {}
    for n in (5, 27):
        round_ = make_round("erhvervsskoler", codes=codes[:n], slug=f"skoler-{n}", state="open")
        for code in codes[:n]:
            if code in answers:
                make_submission(round_, code, answers[code])
        make_user(Role.OFFICER, [codes[n - 1]], register="erhvervsskoler", email=f"o{n}@x.dk")
        rounds[n] = round_
    client = client_for(make_user(Role.COORDINATOR, email="k@x.dk"))
    grew = []
    for path in PAGES:
        small = count(client, path.format(slug="skoler-5"))
        large = count(client, path.format(slug="skoler-27"))
        if large != small:
            grew.append(f"{path}: {small} → {large}")
    assert grew == []
