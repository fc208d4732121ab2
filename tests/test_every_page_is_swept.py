"""The axe sweep (tests/e2e/test_every_page.py) leaves no page out: every URL of the project is
either visited (tests/e2e/pages.py, derived from the permission matrix) or excluded on
purpose with a reason. Checked here without a browser, so a new page fails the ordinary test
run until it is swept or its exclusion is written down."""

from django.urls import get_resolver

from tests.e2e import pages
from tests.test_permission_matrix import url_patterns


def test_every_url_is_swept_or_excluded_with_a_reason():
    visits, unswept = pages.sweep()
    assert unswept == [], (
        "URLs neither in the axe sweep nor excluded: give each a state in tests/e2e/pages.py "
        f"STATES (the kwargs and roles that show the page) or a reason in EXCLUDED: {unswept}"
    )
    swept = {v.name for v in visits}
    assert swept.isdisjoint(pages.excluded())
    assert all(reason.strip() for reason in pages.excluded().values())


def test_every_state_and_exclusion_names_a_url_that_exists():
    names = {name for name, _ in url_patterns(get_resolver("backend.urls"))}
    stale = sorted(n for n in {*pages.STATES, *pages.EXCLUDED} if n not in names)
    assert stale == [], f"no such URL any more (remove it from tests/e2e/pages.py): {stale}"


def test_the_sweep_sees_every_role_the_error_pages_and_the_api_docs():
    visits, _ = pages.sweep()
    assert {v.role for v in visits} == set(pages.SWEEP_ROLES)
    assert {403, 404, 500} <= {v.status for v in visits}
    assert "api-docs" in {v.name for v in visits}
    coordinator_pages = {v.name for v in visits if v.role == "coordinator"}
    assert {"surveys:round_edit", "tracking:board", "accounts:audit_log"} <= coordinator_pages


def test_a_page_the_world_does_not_show_is_reported_until_it_has_a_state(monkeypatch):
    """The matrix answers the coordinator's round_edit with 302 (its round is open): without
    the draft round's state the page would silently not be swept; instead it is reported."""
    states = dict(pages.STATES)
    del states["surveys:round_edit"]
    monkeypatch.setattr(pages, "STATES", states)
    assert pages.sweep()[1] == ["surveys:round_edit"]
