"""Entries surveys (prøvehandlinger): add, edit and remove entries on their own pages, without
JavaScript; "nothing to report"; submit several entries in one round."""

from datetime import timedelta

import pytest

from accounts.models import Role
from submissions.models import Submission
from tests.conftest import client_for
from tests.factories import make_user
from tests.submissions.conftest import form_url

ENTRY = {
    "q-title": "Opsporing af unge",
    "q-theme": "early_action",
    "q-target_groups": ["grundskole", "fgu"],
    "q-goal": "Flere unge i uddannelse",
    "q-status": "running",
    "q-start_date": "01-02-2026",
    "q-end_date": "30-06-2026",
}


@pytest.fixture
def as_gentofte(db):
    return client_for(make_user(Role.OFFICER, ["157"], name="Gitte Gentofte"))


def saved(round_, code):
    return Submission.objects.get(round=round_, municipality__code=code)


def add(client, round_, version, code="157", **changes):
    data = {**ENTRY, **changes, "version": str(version)}
    return client.post(form_url(round_, code, "poster/ny/"), data)


def test_an_officer_files_three_trial_actions_and_submits(as_gentofte, ph):
    for n in range(3):
        response = add(as_gentofte, ph, n, **{"q-title": f"Handling {n + 1}"})
        assert response.status_code == 302
    html = as_gentofte.get(form_url(ph, "157")).content.decode()
    assert "Handling 1" in html and "Handling 3" in html
    response = as_gentofte.post(form_url(ph, "157"), {"version": "3", "action": "submit"})
    assert response.status_code == 302
    sub = saved(ph, "157")
    assert sub.state == "submitted"
    assert [e["title"] for e in sub.answers["entries"]] == [
        "Handling 1",
        "Handling 2",
        "Handling 3",
    ]
    assert sub.answers["entries"][0]["start_date"] == "2026-02-01"
    assert sub.answers["entries"][0]["target_groups"] == ["grundskole", "fgu"]


def test_an_entry_with_end_before_start_shows_the_error_on_its_page(as_gentofte, ph):
    add(as_gentofte, ph, 0, **{"q-end_date": "01-01-2026"})
    html = as_gentofte.get(form_url(ph, "157", "poster/1/")).content.decode()
    assert "Slutdatoen kan ikke ligge før startdatoen." in html
    assert 'href="#id_end_date-day"' in html  # the first of the date's three fields
    assert 'value="Opsporing af unge"' in html  # the rest is kept
    listing = as_gentofte.get(form_url(ph, "157")).content.decode()
    assert "1 fejl" in listing
    assert '<p id="entry-count">1 prøvehandling</p>' in listing


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"q-theme": "hacking"}, "Vælg en af de mulige værdier (ukendt værdi: hacking)."),
        ({"q-target_groups": ["fgu", "ukendt"]}, "ukendt værdi: ukendt"),
        ({"q-start_date": "31-02-2026"}, "Skriv en gyldig dato med dag, måned og år"),
        ({"q-title": ""}, "Feltet skal udfyldes."),
        ({"q-title": "x" * 201}, "Teksten er for lang: 201 tegn, højst 200."),
        ({"q-status": "evaluated"}, "Feltet skal udfyldes."),  # learning required when evaluated
        ({"q-contact_email": "ikke en adresse"}, "Skriv en gyldig e-mailadresse."),
    ],
)
def test_bad_entry_input_is_explained_and_kept(as_gentofte, ph, changes, message):
    add(as_gentofte, ph, 0, **changes)
    html = as_gentofte.get(form_url(ph, "157", "poster/1/")).content.decode()
    assert message in html
    assert saved(ph, "157").answers["entries"][0]["goal"] == "Flere unge i uddannelse"


@pytest.mark.parametrize(
    "changes",
    [
        {"q-theme": "early\x00action"},
        {"q-start_date": "01-02\x00-2026"},
        {"q-target_groups": ["fgu", "uk\x00endt"]},
    ],
)
def test_a_nul_byte_in_a_choice_or_date_is_an_error_message_not_a_500(as_gentofte, ph, changes):
    # PostgreSQL JSON cannot store NUL; the invalid value is kept without it.
    assert add(as_gentofte, ph, 0, **changes).status_code == 302
    html = as_gentofte.get(form_url(ph, "157", "poster/1/")).content.decode()
    assert "Vælg en af de mulige værdier" in html or "Skriv en gyldig dato" in html
    entry = saved(ph, "157").answers["entries"][0]
    assert entry["goal"] == "Flere unge i uddannelse"
    assert "\x00" not in repr(entry)


def test_editing_and_removing_an_entry_keeps_the_history(as_gentofte, ph):
    add(as_gentofte, ph, 0)
    add(as_gentofte, ph, 1, **{"q-title": "Anden"})
    edit = {**ENTRY, "q-title": "Rettet titel", "version": "2"}
    assert as_gentofte.post(form_url(ph, "157", "poster/1/"), edit).status_code == 302
    assert as_gentofte.get(form_url(ph, "157", "poster/2/fjern/")).status_code == 200
    response = as_gentofte.post(form_url(ph, "157", "poster/2/fjern/"), {"version": "3"})
    assert response.status_code == 302
    sub = saved(ph, "157")
    assert [e["title"] for e in sub.answers["entries"]] == ["Rettet titel"]
    assert sub.revisions.count() == 4
    # Each save an hour apart: four editing sessions (saves close together fold into one).
    for revision in sub.revisions.all():
        revision.created_at -= timedelta(hours=10 - revision.number)
        revision.save()
    history = as_gentofte.get(form_url(ph, "157", "historik/")).content.decode()
    assert "Fjernet" in history and "Rettet titel" in history


def test_a_stale_entry_save_is_refused_and_what_was_typed_is_shown(as_gentofte, ph):
    add(as_gentofte, ph, 0)
    response = add(as_gentofte, ph, 0, **{"q-title": "Min nye"})
    assert response.status_code == 409
    assert 'value="Min nye"' in response.content.decode()
    assert len(saved(ph, "157").answers["entries"]) == 1


@pytest.mark.parametrize("version", ["abc", "²", "1²", "١"])
def test_a_garbled_version_is_refused_like_a_stale_one(as_gentofte, ph, version):
    """ "²".isdigit() is true but int("²") raises: refused (409, nothing saved), never a 500."""
    add(as_gentofte, ph, 0)
    response = add(as_gentofte, ph, version, **{"q-title": "Min nye"})
    assert response.status_code == 409
    response = as_gentofte.post(form_url(ph, "157"), {"version": version, "action": "submit"})
    assert response.status_code == 302  # back to the list: "changed since you opened it"
    sub = saved(ph, "157")
    assert len(sub.answers["entries"]) == 1 and sub.state == "draft"


def test_nothing_to_report_counts_as_an_answer(as_gentofte, ph):
    as_gentofte.post(
        form_url(ph, "157"), {"version": "0", "action": "save", "nothing_to_report": "1"}
    )
    response = as_gentofte.post(form_url(ph, "157"), {"version": "1", "action": "submit"})
    assert response.status_code == 302
    sub = saved(ph, "157")
    assert sub.state == "submitted" and sub.answers == {"entries": [], "nothing_to_report": True}


def test_no_entries_and_no_mark_cannot_be_submitted(as_gentofte, ph):
    response = as_gentofte.post(form_url(ph, "157"), {"version": "0", "action": "submit"})
    assert "Tilføj mindst én prøvehandling" in response.content.decode()
    assert saved(ph, "157").state == "draft"


def test_an_entry_number_that_does_not_exist_is_404(as_gentofte, ph):
    add(as_gentofte, ph, 0)
    assert as_gentofte.get(form_url(ph, "157", "poster/2/")).status_code == 404
    assert as_gentofte.get(form_url(ph, "157", "poster/0/")).status_code == 404


def test_an_entry_saved_with_errors_stays_on_the_entry_with_its_error_summary(as_gentofte, ph):
    response = add(as_gentofte, ph, 0, **{"q-end_date": "01-01-2026"})
    assert response.status_code == 302
    assert response["Location"] == form_url(ph, "157", "poster/1/")
    html = as_gentofte.get(response["Location"]).content.decode()
    assert 'id="error-summary"' in html and 'data-module="error-summary"' in html
    assert "er gemt som kladde, men har 1 fejl" in html
    assert "alert-success" not in html  # no green "saved" next to the errors
    # A correct entry goes back to the list with a plain "saved".
    fixed = {**ENTRY, "version": "1"}
    response = as_gentofte.post(form_url(ph, "157", "poster/1/"), fixed)
    assert response["Location"] == form_url(ph, "157")


def test_dates_are_three_fields_and_come_back_as_typed(as_gentofte, ph):
    data = {k: v for k, v in ENTRY.items() if k not in ("q-start_date", "q-end_date")}
    data.update({"q-start_date-day": "1", "q-start_date-month": "2", "q-start_date-year": "2026"})
    data.update({"q-end_date-day": "31", "q-end_date-month": "13", "q-end_date-year": "2026"})
    as_gentofte.post(form_url(ph, "157", "poster/ny/"), {**data, "version": "0"})
    entry = saved(ph, "157").answers["entries"][0]
    assert entry["start_date"] == "2026-02-01"
    html = as_gentofte.get(form_url(ph, "157", "poster/1/")).content.decode()
    # The one date template (templates/includes/date_input_widget.html): name, id, value.
    assert 'name="q-start_date-day" id="id_start_date-day" value="1"' in html
    assert 'name="q-start_date-month" id="id_start_date-month" value="2"' in html
    assert 'name="q-end_date-month" id="id_end_date-month" value="13"' in html  # shown back
    assert "Skriv en gyldig dato" in html


def test_optional_is_said_once_and_never_on_a_conditionally_required_question(as_gentofte, ph):
    html = as_gentofte.get(form_url(ph, "157", "poster/ny/")).content.decode()
    learning = html.split('for="id_learning"')[1].split("</label>")[0]
    assert "valgfrit" not in learning  # required when the status is Evaluated
    activities = html.split('for="id_activities"')[1].split("</label>")[0]
    assert "(valgfrit)" in activities


def test_a_read_only_entry_is_text_not_disabled_fields(as_gentofte, ph):
    add(as_gentofte, ph, 0)
    as_gentofte.post(form_url(ph, "157"), {"version": "1", "action": "submit"})
    html = as_gentofte.get(form_url(ph, "157", "poster/1/")).content.decode()
    assert 'class="summary-list"' in html and "Opsporing af unge" in html
    assert "<input" not in html.split('id="main-content"')[1].split("</main>")[0]


def test_an_explanation_key_with_a_garbled_entry_number_cannot_be_raised():
    """`rule@n` names the warning of entry n: "²".isdigit() is true but int("²") raises."""
    from types import SimpleNamespace

    from submissions.services import _can_raise

    spec = SimpleNamespace(warning_keys=["rule"], has_entries=True, entries_max=20)
    assert _can_raise(spec, "rule@1") and _can_raise(spec, "rule@20")
    for entry in ("²", "1²", "0", "abc", "21", "١"):
        assert not _can_raise(spec, f"rule@{entry}"), entry
