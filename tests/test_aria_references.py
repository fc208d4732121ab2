"""Every `aria-describedby`/`aria-labelledby` on every page points at an element that exists.

A dangling id is silent for sighted users and means a screen reader never reads the hint or the
error (Django adds `aria-describedby="id_x_helptext"` to widgets with help text, which our
templates did not render). The pages are those of the permission matrix, seen by every role, in
Danish and English, plus the coordinator's forms after a POST with errors.
"""

from html.parser import HTMLParser

import pytest

from tests.test_permission_matrix import (
    ROLES,
    client_for,
    concrete_url,
    rule_for,
    url_patterns,
    world,  # noqa: F401  (fixture)
)

REFERENCE_ATTRS = ("aria-describedby", "aria-labelledby", "aria-controls")


class References(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.duplicates = []
        self.references = []  # (tag, attribute, id)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            if attrs["id"] in self.ids:
                self.duplicates.append((tag, "id", attrs["id"]))
            self.ids.add(attrs["id"])
        for name in REFERENCE_ATTRS:
            for ref in (attrs.get(name) or "").split():
                self.references.append((tag, name, ref))
        if tag == "label" and attrs.get("for"):
            self.references.append((tag, "for", attrs["for"]))

    handle_startendtag = handle_starttag


def dangling(html):
    """References to no element, and ids given twice (a reference to one of them is
    ambiguous: a field's error repeated once per message)."""
    parser = References()
    parser.feed(html)
    return [r for r in parser.references if r[2] not in parser.ids] + parser.duplicates


def test_the_checker_finds_a_dangling_reference():
    assert dangling('<p id="a">x</p><input aria-describedby="a b">') == [
        ("input", "aria-describedby", "b")
    ]
    assert dangling('<label for="x">X</label><input id="x">') == []
    assert dangling('<span id="e">1</span><span id="e">2</span>') == [("span", "id", "e")]


def _not_ours(name):
    """Django's admin and DRF's browsable API render their own templates."""
    return name.startswith("admin:") or (name.startswith("api-") and name != "api-docs")


def _check(response, where, failures, statuses=(200,)):
    if response.status_code not in statuses or "text/html" not in response.get("Content-Type", ""):
        return
    for tag, attr, ref in dangling(response.content.decode()):
        failures.append(f"{where}: <{tag} {attr}={ref!r}> points at no element or is repeated")


@pytest.mark.parametrize("language", ["da", "en"])
def test_no_page_points_aria_at_a_missing_id(world, language):  # noqa: F811
    failures = []
    for role in ROLES:
        client = client_for(world[role])
        client.cookies["django_language"] = language
        for name, pattern in url_patterns():
            if rule_for(name) is None or name == "account_logout" or _not_ours(name):
                continue
            url = concrete_url(name, pattern)
            response = client.get(url, HTTP_ACCEPT="text/html")
            _check(response, f"{role} {language} GET {url}", failures)
    assert failures == [], "\n" + "\n".join(failures)


COORDINATOR_FORMS = [
    ("surveys:round_create", {"title": "", "deadline": "31-02-2026", "recipients_mode": "codes"}),
    ("tracking:send_reminder", {"subject": "", "body": "", "target": "all", "nonce": ""}),
    ("tracking:reminder_settings", {"offsets": "1, " * 80}),  # longer than 200
    ("accounts:invite", {"email": "not an address"}),
    # The day/month/year date in its fieldset, its error and hint, next to a textarea's.
    ("tracking:add_note", {"noted_on-day": "31", "noted_on-month": "2", "noted_on-year": "x"}),
    ("tracking:add_contact", {"name": "", "email": "not an address"}),
]


def test_forms_with_errors_point_aria_at_their_messages(world):  # noqa: F811
    client = client_for(world["coordinator"])
    patterns = dict(url_patterns())
    failures = []
    for name, data in COORDINATOR_FORMS:
        url = concrete_url(name, patterns[name])
        response = client.post(url, data)
        assert response.status_code in (200, 400), (url, response.status_code)
        assert b"aria-invalid" in response.content, url
        _check(response, f"POST {url}", failures, statuses=(200, 400))
    # The audit log's filter: two day/month/year dates with errors, in one form.
    url = "/konto/revision/?date_from-day=40&date_from-month=1&date_from-year=2026&date_to-day=x"
    response = client.get(url)
    assert response.status_code == 200 and b"form-error" in response.content, url
    _check(response, f"GET {url}", failures)
    assert failures == [], "\n" + "\n".join(failures)


def test_the_officers_form_with_errors_and_warnings_points_aria_at_them(world):  # noqa: F811
    """The officer's form (submissions.forms, not a Django form): a number that is not one, a
    share that raises a warning, both through the one error summary and field markup."""
    from tests.factories import make_round

    make_round(codes=["360"], slug="aria-2026")
    client = client_for(world["officer"])
    url = "/indberet/aria-2026/360/"
    data = {"q-pupils_8_9": "mange", "q-enrolled": "11", "version": "0", "action": "save"}
    client.post(url, data)
    failures = []
    response = client.get(url)
    assert b"aria-invalid" in response.content
    _check(response, f"GET {url} after a save with errors", failures)
    data = {"q-pupils_8_9": "100", "q-enrolled": "50", "version": "1", "action": "save"}
    client.post(url, data)
    response = client.get(url)
    assert b"-warning" in response.content
    _check(response, f"GET {url} after a save with a warning", failures)
    assert failures == [], "\n" + "\n".join(failures)
