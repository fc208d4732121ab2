"""English: the interface is Danish first, with English through Django i18n.

English is chosen by the browser (Accept-Language, which the API relies on too) or by the
language button (a POST to set_language, remembered in a cookie that beats the browser). The
English catalogue is locale/en/LC_MESSAGES/django.po: every msgid (the Danish source text)
must have an English msgstr, so a new string without a translation fails here. To update it,
see "Translations" in docs/development.md.
"""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_round, make_submission

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
SLUG = "jml-2026-02"

# page: (who, url, English strings that must be there, their Danish counterparts that must not)
PAGES = {
    "login": (
        None,
        "/konto/login/",
        ["Sign in to Indberet", "Send me a sign-in code", "Don't have an account?"],
        ["Log ind på Indberet", "Send mig en login-kode", "Har du ikke en konto?"],
    ),
    "officer form": (
        "lolland",
        f"/indberet/{SLUG}/360/",
        ["Save draft", "Deadline", "Not started", "Sign out", "Junior apprenticeship"],
        ["Gem kladde", "Frist", "Ikke påbegyndt", "Log ud", "Juniormesterlære"],
    ),
    "tracking board": (
        "coordinator",
        f"/opfoelgning/{SLUG}/",
        [
            "Follow-up: Februar 2026",
            "1 of 2 have responded",
            "Send a reminder to everyone who has not submitted",
            "Awaiting acceptance",
        ],
        ["Opfølgning:", "har svaret", "Send påmindelse", "Venter på godkendelse"],
    ),
    "data page": (
        "analyst",
        "/data/",
        ["Data and reports", "Your exports", "provisional figures: the round is not closed"],
        ["Data og rapporter", "Dine eksporter", "foreløbige tal"],
    ),
}


@pytest.fixture
def february(db):
    round_ = make_round(codes=["360", "727"], slug=SLUG, title="Februar 2026")
    make_submission(round_, "727", {"pupils_8_9": 900, "enrolled": 60})
    return round_


@pytest.fixture
def users(lolland, coordinator, analyst):
    return {"lolland": lolland, "coordinator": coordinator, "analyst": analyst}


def english_client(user, how):
    """A client that asks for English: by the browser's header, or by the language button
    while the browser asks for Danish (the button's cookie wins)."""
    if how == "accept-language":
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "da"
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("how", ["accept-language", "language-button"])
@pytest.mark.parametrize("page", PAGES)
def test_the_page_is_in_english(page, how, users, february):
    who, url, english, danish = PAGES[page]
    response = english_client(users.get(who), how).get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in english:
        assert text in html, f"{page}: {text!r} missing"
    for text in danish:
        assert text not in html, f"{page}: Danish {text!r} shown in English"


@pytest.mark.parametrize("page", PAGES)
def test_danish_stays_the_default(page, users, february):
    who, url, english, danish = PAGES[page]
    client = client_for(users.get(who))

    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "da"}):
        html = client.get(url, **headers).content.decode()
        assert '<html lang="da">' in html
        assert danish[0] in html and english[0] not in html


def test_the_language_button_switches_back_to_danish(users, february):
    client = english_client(users["lolland"], "accept-language")
    client.post(reverse("set_language"), {"language": "da", "next": "/"})

    html = client.get(f"/indberet/{SLUG}/360/").content.decode()

    assert '<html lang="da">' in html and "Gem kladde" in html


# --- Messages built in Python as {"da": …, "en": …} follow the page's language


def test_the_services_refusals_and_the_survey_checks_are_in_english(as_lolland, february):
    as_lolland.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = f"/indberet/{SLUG}/360/"
    data = {"q-pupils_8_9": "10", "q-enrolled": "11", "version": "0", "action": "submit"}

    html = as_lolland.post(url, data).content.decode()

    assert "The submission cannot be submitted yet: fix the errors" in html
    assert "The number enrolled cannot exceed the number of pupils" in html
    assert "kan ikke indsendes endnu" not in html
    assert "Antal tilmeldte kan ikke være større" not in html

    stale = as_lolland.post(url, {**data, "action": "save"}, headers={"X-Autosave": "1"})
    assert stale.status_code == 409
    assert stale.json()["message"].startswith("The submission was changed by someone else")


def test_the_coordinators_refusals_are_in_english(coordinator, february):
    make_submission(february, "360", {"pupils_8_9": 400, "enrolled": 20}, state="returned")
    client = english_client(coordinator, "language-button")

    response = client.post(f"/opfoelgning/{SLUG}/360/gennemse/", {"action": "accept"}, follow=True)

    html = response.content.decode()
    assert "Only submitted answers can be accepted." in html
    assert "Kun indsendte besvarelser kan godkendes." not in html


# --- The catalogue itself


def test_every_string_has_an_english_translation():
    catalogue = polib.pofile(str(PO))
    untranslated = [
        e.msgid
        for e in catalogue
        if not e.obsolete
        and (
            "fuzzy" in e.flags
            or not (all(e.msgstr_plural.values()) if e.msgid_plural else e.msgstr.strip())
        )
    ]

    assert len(catalogue) > 0
    assert untranslated == [], (
        f"{len(untranslated)} string(s) without an English translation in {PO}: "
        f"{untranslated[:10]}. Run makemessages -l en, translate, compilemessages "
        "(docs/development.md)."
    )


def test_the_compiled_catalogue_is_not_older_than_the_po_file():
    catalogue = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): e for e in catalogue}
    for entry in polib.pofile(str(PO)):
        if entry.obsolete:
            continue
        got = compiled.get((entry.msgctxt, entry.msgid))
        assert got is not None, f"{entry.msgid!r} not compiled: run compilemessages -l en"
        if entry.msgid_plural:
            assert got.msgstr_plural == entry.msgstr_plural, entry.msgid
        else:
            assert got.msgstr == entry.msgstr, entry.msgid


def test_the_survey_name_follows_the_interface_language(as_coordinator, db):
    from tests.factories import make_round

    make_round(title="Februar 2026")
    english = as_coordinator.get("/runder/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    danish = as_coordinator.get("/runder/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Junior apprenticeship — enrolled pupils" in english
    assert "Juniormesterlære — tilmeldte elever" in danish
