"""The officer's home page and form page do a constant number of queries, whatever the number
of rounds or entries (DESIGN §8)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_round, make_submission
from tests.submissions.conftest import form_url

ENTRY = {"title": "T", "theme": "early_action", "goal": "Mål", "status": "running"}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_rounds(n, start):
    for i in range(n):
        r = make_round(codes=["360", "727"], slug=f"r{start + i}")
        if i % 2:
            make_submission(r, "360", {"pupils_8_9": 100, "enrolled": 5})


def test_the_officers_home_page_does_not_grow_with_the_number_of_rounds(as_lolland, db):
    add_rounds(2, 0)
    as_lolland.get("/")  # warm up session and caches
    small = count_queries(as_lolland, "/")
    add_rounds(6, 10)
    large = count_queries(as_lolland, "/")
    assert small == large
    assert as_lolland.get("/").content.decode().count("/indberet/r") == 8


def test_the_form_page_does_not_grow_with_the_number_of_rounds(as_lolland, db):
    add_rounds(1, 0)
    round_ = make_round(codes=["360"], slug="target")
    make_submission(round_, "360", {"pupils_8_9": 100, "enrolled": 5}, state="draft")
    url = form_url(round_)
    as_lolland.get(url)
    small = count_queries(as_lolland, url)
    add_rounds(5, 10)
    assert count_queries(as_lolland, url) == small


def test_the_entries_page_does_not_grow_with_the_number_of_entries(as_lolland, db):
    few = make_round("proevehandlinger", codes=["360"], slug="few")
    many = make_round("proevehandlinger", codes=["360"], slug="many")
    make_submission(few, "360", {"entries": [ENTRY]}, state="draft")
    make_submission(many, "360", {"entries": [ENTRY] * 30}, state="draft")
    as_lolland.get(form_url(few))
    assert count_queries(as_lolland, form_url(few)) == count_queries(as_lolland, form_url(many))
