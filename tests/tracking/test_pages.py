"""The coordinator's follow-up pages end to end (no JavaScript): reminders from the board, the
schedule page, chase notes, contact persons, the non-responder downloads, closing a round."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core import mail
from openpyxl import load_workbook

from accounts.models import AuditEvent
from reference.models import Municipality
from submissions.models import ChaseNote, Contact, Reminder
from tests.factories import make_round, make_submission

ANSWERS = {"pupils_8_9": 200, "enrolled": 10}


@pytest.fixture
def round_(db, lolland, odder):
    """The demo shape in small: everyone answered but Odder (officer) and Syddjurs (nobody)."""
    round_ = make_round(codes=["360", "727", "706", "101"], slug="feb-2026", title="Februar 2026")
    make_submission(round_, "360", ANSWERS)
    make_submission(round_, "101", ANSWERS, state="accepted")
    return round_


def nonce_of(response):
    return re.search(r'name="nonce" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def test_the_board_sends_a_reminder_to_all_non_responders_in_one_action_once(
    round_, as_coordinator, django_capture_on_commit_callbacks
):
    board = as_coordinator.get("/opfoelgning/feb-2026/").content.decode()
    assert "2 af 4 har svaret" in board
    page = as_coordinator.get("/opfoelgning/feb-2026/paamindelser/", {"target": "all"})
    html = page.content.decode()
    assert "Odder" in html and "Syddjurs" in html and "Lolland" not in html
    assert "ingen e-mailadresse" in html  # Syddjurs has nobody to write to
    form = page.context["form"].initial
    data = {
        "target": "all",
        "subject": form["subject"],
        "body": form["body"],
        "nonce": nonce_of(page),
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = as_coordinator.post("/opfoelgning/feb-2026/paamindelser/", data, follow=True)
        second = as_coordinator.post("/opfoelgning/feb-2026/paamindelser/", data, follow=True)
    assert "Påmindelsen er sendt til 1 kommune" in first.content.decode()
    assert "Ingen e-mailadresse — intet sendt til: Syddjurs" in first.content.decode()
    assert "allerede sendt" in second.content.decode()
    assert [m.to for m in mail.outbox] == [["officer@odder.dk"]]
    assert "http://testserver/indberet/feb-2026/727/" in mail.outbox[0].body


def test_selected_municipalities_come_from_the_board_checkboxes(round_, as_coordinator):
    page = as_coordinator.get("/opfoelgning/feb-2026/paamindelser/", {"m": ["727"]})
    assert [m.code for m, _emails in page.context["chosen"]] == ["727"]
    assert page.context["preview"][1].startswith("Kære kontaktperson i Odder")


def test_the_preview_is_the_mail_of_a_municipality_that_will_receive_it(round_, as_coordinator):
    page = as_coordinator.get("/opfoelgning/feb-2026/paamindelser/", {"target": "all"})
    assert [m.code for m, _emails in page.context["chosen"]][0] == "706"  # Syddjurs: nobody
    assert page.context["preview_for"].code == "727"
    assert page.context["preview"][1].startswith("Kære kontaktperson i Odder")
    assert "Se e-mailen, som Odder får den" in page.content.decode()


def test_subject_and_body_are_required_and_not_marked_optional(round_, as_coordinator):
    page = as_coordinator.get("/opfoelgning/feb-2026/paamindelser/", {"m": ["727"]})
    assert "valgfrit" not in page.content.decode()
    data = {"target": "selected", "m": ["727"], "subject": "", "body": " ", "nonce": nonce_of(page)}
    html = as_coordinator.post("/opfoelgning/feb-2026/paamindelser/", data).content.decode()
    assert "Skriv e-mailens emne." in html and "Skriv e-mailens tekst." in html
    assert not Reminder.objects.exists()
    settings = as_coordinator.get("/opfoelgning/feb-2026/paamindelser/plan/").content.decode()
    assert 'for="id_body">Tekst</label>' in settings


def test_an_unknown_variable_is_shown_in_the_error_summary_and_nothing_is_sent(
    round_, as_coordinator
):
    page = as_coordinator.get("/opfoelgning/feb-2026/paamindelser/", {"m": ["727"]})
    response = as_coordinator.post(
        "/opfoelgning/feb-2026/paamindelser/",
        {
            "target": "selected",
            "m": ["727"],
            "subject": "Husk",
            "body": "Hej {kommune}",
            "nonce": nonce_of(page),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html and "ukendt variabel: {kommune}" in html
    assert not Reminder.objects.exists() and mail.outbox == []


def test_a_closed_round_refuses_reminders_on_the_page(round_, as_coordinator):
    page = as_coordinator.get("/opfoelgning/feb-2026/paamindelser/", {"target": "all"})
    round_.state = "closed"
    round_.save()
    data = {"target": "all", "subject": "a", "body": "b", "nonce": nonce_of(page)}
    response = as_coordinator.post("/opfoelgning/feb-2026/paamindelser/", data)
    assert "Runden er lukket" in response.content.decode()
    assert not Reminder.objects.exists()


def test_the_schedule_page_saves_offsets_and_template_and_refuses_bad_ones(round_, as_coordinator):
    url = "/opfoelgning/feb-2026/paamindelser/plan/"
    response = as_coordinator.post(url, {"offsets": "-5, -2; 3", "subject": "S", "body": "B"})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.reminder_offsets == [-5, -2, 3]
    response = as_coordinator.post(url, {"offsets": "-5, om en uge", "subject": "S", "body": "B"})
    assert "«om» er ikke et helt antal dage" in response.content.decode()
    response = as_coordinator.post(url, {"offsets": "-1", "subject": "S", "body": "{nope}"})
    assert "ukendt variabel: {nope}" in response.content.decode()
    round_.refresh_from_db()
    assert round_.reminder_offsets == [-5, -2, 3]
    assert "5 dage før fristen" in as_coordinator.get(url).content.decode()


def test_a_chase_note_is_recorded_dated_and_shown_on_the_board(round_, as_coordinator, coordinator):
    response = as_coordinator.post(
        "/opfoelgning/feb-2026/727/note/",
        {"noted_on": "2026-03-12", "text": "Ringede til skolechefen, lovet fredag"},
    )
    assert response.status_code == 302
    note = ChaseNote.objects.get()
    assert (note.noted_on, note.author, note.municipality.code) == (
        dt.date(2026, 3, 12),
        coordinator,
        "727",
    )
    assert AuditEvent.objects.filter(action="chase.note_added").exists()
    board = as_coordinator.get("/opfoelgning/feb-2026/").content.decode()
    assert "Ringede til skolechefen, lovet fredag" in board
    detail = as_coordinator.get("/opfoelgning/feb-2026/727/").content.decode()
    assert "Ringede til skolechefen" in detail and "officer@odder.dk" in detail


def test_the_chase_note_date_is_three_fields_day_month_year(round_, as_coordinator):
    page = as_coordinator.get("/opfoelgning/feb-2026/727/").content.decode()
    for part in ("day", "month", "year"):
        assert f'name="noted_on-{part}"' in page and f'for="id_noted_on-{part}"' in page
    response = as_coordinator.post(
        "/opfoelgning/feb-2026/727/note/",
        {"noted_on-day": "4", "noted_on-month": "3", "noted_on-year": "2026", "text": "Mail"},
    )
    assert response.status_code == 302
    assert ChaseNote.objects.get().noted_on == dt.date(2026, 3, 4)
    refused = as_coordinator.post(
        "/opfoelgning/feb-2026/727/note/",
        {"noted_on-day": "31", "noted_on-month": "2", "noted_on-year": "2026", "text": "x"},
    )
    html = refused.content.decode()
    assert "Skriv en gyldig dato med dag, måned og år" in html
    assert 'id="id_noted_on-day" value="31"' in html  # what was typed is shown back
    assert 'href="#id_noted_on-day"' in html


@pytest.mark.parametrize(
    "data, says",
    [
        ({"noted_on": "2026-03-12", "text": "  "}, "Skriv noten"),
        ({"noted_on": "2999-01-01", "text": "x"}, "Datoen ligger i fremtiden"),
        ({"noted_on": "i går", "text": "x"}, "dato"),
    ],
)
def test_a_bad_note_is_refused_with_a_message(round_, as_coordinator, data, says):
    response = as_coordinator.post("/opfoelgning/feb-2026/727/note/", data)
    assert response.status_code == 400
    assert says.lower() in response.content.decode().lower()
    assert not ChaseNote.objects.exists()


def test_a_contact_person_makes_a_no_contact_municipality_reachable(round_, as_coordinator):
    board = as_coordinator.get("/opfoelgning/feb-2026/", {"state": "no_contact"})
    assert [m.code for m in board.context["rows"]] == ["706"]
    response = as_coordinator.post(
        "/opfoelgning/feb-2026/706/kontakt/",
        {"name": "Sanne Skolechef", "email": "Sanne@Syddjurs.dk", "phone": "+45 87 53 50 00"},
    )
    assert response.status_code == 302
    assert Contact.objects.get().email == "sanne@syddjurs.dk"
    board = as_coordinator.get("/opfoelgning/feb-2026/", {"state": "no_contact"})
    assert board.context["rows"] == []
    page = as_coordinator.get("/opfoelgning/feb-2026/paamindelser/", {"m": ["706"]})
    assert page.context["chosen"][0][1] == ["sanne@syddjurs.dk"]


def test_a_contact_without_a_way_to_reach_them_is_refused(round_, as_coordinator):
    response = as_coordinator.post("/opfoelgning/feb-2026/706/kontakt/", {"name": "Sanne"})
    assert response.status_code == 400
    assert "e-mailadresse eller et telefonnummer" in response.content.decode()
    response = as_coordinator.post(
        "/opfoelgning/feb-2026/706/kontakt/", {"name": "Sanne", "email": "ikke en adresse"}
    )
    assert response.status_code == 400
    assert not Contact.objects.exists()


@pytest.fixture
def hostile(round_, coordinator):
    """A chase note and a contact that try to smuggle formulas into a spreadsheet."""
    syddjurs = Municipality.objects.get(code="706")
    Contact.objects.create(municipality=syddjurs, name='=HYPERLINK("http://x")', phone="+45 1")
    ChaseNote.objects.create(
        round=round_, municipality=syddjurs, text="@SUM(A1)", author=coordinator
    )
    ChaseNote.objects.create(
        round=round_,
        municipality=Municipality.objects.get(code="727"),
        text="\t=1+1",
        author=coordinator,
    )


def test_the_non_responder_csv_lists_who_to_call_and_is_formula_safe(
    round_, as_coordinator, hostile
):
    response = as_coordinator.get("/opfoelgning/feb-2026/ikke-svaret.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [r["kommune"] for r in rows] == ["Syddjurs", "Odder"]
    syddjurs, odder = rows
    assert odder["e-mails"] == "officer@odder.dk"
    assert odder["sagsbehandlere"] == "Ole Odder"
    assert odder["seneste note"] == "'\t=1+1"
    assert syddjurs["kontaktpersoner"].startswith("'=HYPERLINK")
    assert syddjurs["seneste note"] == "'@SUM(A1)"
    assert syddjurs["telefon"] == "'+45 1"
    assert syddjurs["status"] == "Ikke startet"


def test_the_non_responder_xlsx_has_the_same_rows_and_no_formulas(round_, as_coordinator, hostile):
    response = as_coordinator.get("/opfoelgning/feb-2026/ikke-svaret.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["kommunekode", "kommune"]
    assert [r[1] for r in values[1:]] == ["Syddjurs", "Odder"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert all(not (isinstance(c.value, str) and c.value[:1] in "=+-@\t\r") for c in cells)


def test_the_close_page_puts_summary_and_confirmation_first_and_folds_the_lists(
    round_, as_coordinator
):
    page = as_coordinator.get("/opfoelgning/feb-2026/luk/").content.decode()
    button = page.index('<button class="button button-warning" type="submit">Luk runden')
    assert page.index("2 af 4 har svaret") < button < page.index("<details")
    assert page.index("<details") < page.index("Syddjurs")


def test_the_board_groups_actions_and_keeps_send_to_selected_above_the_rows(round_, as_coordinator):
    page = as_coordinator.get("/opfoelgning/feb-2026/").content.decode()
    actions = page[page.index('<div class="board-actions">') : page.index("board-danger-zone")]
    assert "Send påmindelse til alle" in actions and "Luk runden" not in actions
    assert 'class="button button-warning" href="/opfoelgning/feb-2026/luk/"' in page
    bar = page.index('class="board-selection-bar"')
    assert bar < page.index("Send påmindelse til de valgte") < page.index("<tbody>", bar)
    assert "Registrér kontaktperson" not in page  # Syddjurs has none: the state says so
    filters = page[page.index('class="board-filter"') : page.index("board-selection-bar")]
    assert 'class="form-select"' in filters and "valgfrit" not in filters


def test_closing_shows_what_is_missing_first_and_reopening_undoes_it(round_, as_coordinator):
    page = as_coordinator.get("/opfoelgning/feb-2026/luk/").content.decode()
    assert "2 har ikke indsendt" in page and "Odder" in page and "Syddjurs" in page
    assert "1 venter på godkendelse" in page and "Lolland" in page
    round_.refresh_from_db()
    assert round_.state == "open"
    as_coordinator.post("/opfoelgning/feb-2026/luk/")
    round_.refresh_from_db()
    assert round_.state == "closed"
    board = as_coordinator.get("/opfoelgning/feb-2026/").content.decode()
    assert "Genåbn runden" in board and "Send påmindelse til alle" not in board
    as_coordinator.post("/opfoelgning/feb-2026/genaabn/")
    round_.refresh_from_db()
    assert round_.state == "open"
    assert AuditEvent.objects.filter(action__in=["round.closed", "round.reopened"]).count() == 2
