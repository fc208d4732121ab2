"""The issue's "Done when" in a real browser, mostly by keyboard: a new coordinator builds the
vocational-school survey (pupils, årsværk, the split of that time in percent that must add up to
100, agreements) with two sections and a show-when question; previews and tries it; runs the
impact of a new warning rule on juniormesterlære's September round; publishes it after the diff;
opens a round with it. The published version's XLSForm, downloaded and uploaded into a new
draft, gives the identical definition. Every page passed on the way is checked with axe."""

import re

import pytest

from accounts.models import Role
from surveys.models import Definition, DraftVersion, Round
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_round, make_submission, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SURVEY = "/undersoegelser/erhvervsskoler/"
DRAFT = SURVEY + "kladde/"

# key, type, Danish label, English label, section, extra fields
QUESTIONS = [
    ("pupils", "integer", "Elever på tømreruddannelsen", "Pupils on the programme", "resources"),
    ("aarsvaerk", "decimal", "Årsværk til lærepladsopsøgende arbejde", "FTEs", "resources"),
    ("admin_pct", "percentage", "Andel: administrative opgaver", "Share: admin", "resources"),
    ("relations_pct", "percentage", "Andel: relationsarbejde", "Share: relations", "resources"),
    ("support_pct", "percentage", "Andel: elevstøtte", "Share: pupil support", "resources"),
    ("uses_consultants", "yes_no", "Bruger skolen konsulenter?", "Consultants?", "deals"),
    ("dedicated", "yes_no", "Er konsulenterne kun på tømreruddannelsen?", "Dedicated?", "deals"),
    ("agreements", "integer", "Indgåede uddannelsesaftaler", "Agreements reached", "deals"),
]


def press_link(page, name):
    """Focus a link or button by its accessible name and press Enter, as a keyboard user does."""
    page.get_by_role("link", name=name, exact=True).first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def type_into(page, selector, text):
    page.locator(selector).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def submit_with_enter(page, selector):
    """Enter in a one-line text field submits its form. First let the live checks that leaving
    each field started finish (a request in flight has htmx's class htmx-request; a check due
    after a pause in typing is cancelled by the submit, and htmx queues the form's own post
    behind a running check): the test server's in-memory SQLite is one connection shared by
    its threads, so a request racing another can meet "database table is locked"."""
    page.locator(selector).focus()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def open_add_form(page, link_name, slug):
    """The add form opens under the part's list on the draft page (htmx), focus on its heading."""
    press_link(page, link_name)
    page.wait_for_function(
        "(id) => document.activeElement && document.activeElement.id === id",
        arg=f"panel-{slug}-heading",
    )


def add_from_overview(page, link_name, slug):
    page.goto(DRAFT)
    open_add_form(page, link_name, slug)


def added(page, slug, key):
    """The part's list came back with the new row (no page load), focus on its "Ret" link."""
    page.locator(f'tr[data-row="{slug}:{key}"]').wait_for()
    page.wait_for_function(
        "(row) => document.activeElement && document.activeElement.closest('tr') "
        "&& document.activeElement.closest('tr').getAttribute('data-row') === row",
        arg=f"{slug}:{key}",
    )


def test_a_new_coordinator_walks_the_builder(page_for, live_server):
    # Juniormesterlære's September round with two answers, as in the impact page test.
    september = make_round(slug="jml-september", title="September 2026")
    make_submission(september, "360", {"pupils_8_9": 400, "enrolled": 10})  # 2.5 %
    make_submission(september, "727", {"pupils_8_9": 300, "enrolled": 45})  # 15 %
    coordinator = make_user(Role.COORDINATOR, email="ny-koordinator@indberet.dk")
    page = page_for("da")
    log_in(page, live_server, coordinator)

    # Create the survey from the list, by keyboard.
    page.goto("/undersoegelser/")
    check_page(page, "walk survey list")
    press_link(page, "Opret undersøgelse")
    page.wait_for_url("**/undersoegelser/ny/")
    page.locator("#id_title_da").focus()
    page.keyboard.type("Lærepladsopsøgende arbejde på erhvervsskoler")
    page.keyboard.press("Tab")
    page.keyboard.type("Apprenticeship outreach at vocational schools")
    page.keyboard.press("Tab")
    page.keyboard.type("erhvervsskoler")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + DRAFT)

    # Two sections.
    for key, da, en in (("resources", "Ressourcer", "Resources"), ("deals", "Aftaler", "Deals")):
        add_from_overview(page, "Tilføj afsnit", "afsnit")
        if key == "resources":
            check_page(page, "walk add section")
        type_into(page, "#id_key", key)
        type_into(page, "#id_title_da", da)
        type_into(page, "#id_title_en", en)
        submit_with_enter(page, "#id_title_en")
        added(page, "afsnit", key)

    # The questions, one with show-when.
    for key, kind, da, en, section in QUESTIONS:
        add_from_overview(page, "Tilføj spørgsmål", "spoergsmaal")
        type_into(page, "#id_key", key)
        page.locator("#id_type").select_option(kind)
        type_into(page, "#id_label_da", da)
        type_into(page, "#id_label_en", en)
        page.locator("#id_section").select_option(section)
        page.locator("#id_required").focus()
        page.keyboard.press("Space")
        if kind in ("integer", "decimal", "percentage"):
            type_into(page, "#id_min", "0")
        if kind == "percentage":
            type_into(page, "#id_max", "100")
        if key == "dedicated":
            type_into(page, "#id_relevant_when", "uses_consultants == true")
            check_page(page, "walk add show-when question")
        submit_with_enter(page, "#id_label_da")
        added(page, "spoergsmaal", key)
        assert page.locator("#error-summary").count() == 0, page.locator("main").inner_text()

    # Pupil support was added after relations work: move it up by keyboard (no reload).
    page.goto(DRAFT)
    check_page(page, "walk draft overview")
    page.evaluate("window.notReloaded = true")
    row = page.locator('tr[data-row="spoergsmaal:support_pct"]')
    row.locator('button[value="up"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        """() => document.querySelector('tr[data-row="spoergsmaal:support_pct"] td')
                  .textContent.trim() === '4'"""
    )
    assert page.evaluate("window.notReloaded") is True
    keys = [
        q["key"]
        for q in DraftVersion.objects.get(survey__key="erhvervsskoler").content["questions"]
    ]
    assert keys[2:5] == ["admin_pct", "support_pct", "relations_pct"]

    # The rule: the split adds up to 100.
    add_from_overview(page, "Tilføj regel", "regler")
    type_into(page, "#id_key", "split_100")
    type_into(page, "#id_expression", "admin_pct + support_pct + relations_pct == 100")
    page.locator("#id_severity").select_option("error")
    page.locator('input[name="show_at"][value="admin_pct"]').check()
    type_into(page, "#id_message_da", "Andelene skal give 100 % tilsammen.")
    type_into(page, "#id_message_en", "The shares must add up to 100 %.")
    submit_with_enter(page, "#id_key")
    added(page, "regler", "split_100")

    # A derived value: pupils per årsværk.
    add_from_overview(page, "Tilføj afledt værdi", "afledte")
    type_into(page, "#id_key", "pupils_per_fte")
    type_into(page, "#id_expression", "pupils / aarsvaerk")
    page.locator("#id_type").select_option("decimal")
    type_into(page, "#id_label_da", "Elever pr. årsværk")
    type_into(page, "#id_label_en", "Pupils per FTE")
    submit_with_enter(page, "#id_label_da")
    added(page, "afledte", "pupils_per_fte")
    page.goto(DRAFT)
    assert "Kladden har ingen fejl og kan udgives." in page.locator("main").inner_text()

    # Preview and try it: the show-when question follows the answer; the sum rule speaks.
    press_link(page, "Forhåndsvis og prøv")
    page.wait_for_url("**/kladde/forhaandsvisning/")
    check_page(page, "walk preview")
    assert page.locator("#section-resources-heading").inner_text() == "Ressourcer"
    dedicated = page.locator('[data-question="dedicated"]')
    assert dedicated.is_hidden()
    page.locator("#id_uses_consultants").check()  # yes
    dedicated.wait_for(state="visible")
    page.locator("#id_uses_consultants_1").check()  # no
    dedicated.wait_for(state="hidden")
    for key, value in (
        ("pupils", "600"),
        ("aarsvaerk", "2,5"),
        ("admin_pct", "40"),
        ("support_pct", "30"),
        ("relations_pct", "20"),
        ("agreements", "12"),
    ):
        type_into(page, f"#id_{key}", value)
    submit_with_enter(page, "#id_agreements")
    page.locator("#error-summary").wait_for()
    check_page(page, "walk preview tried")
    assert "Andelene skal give 100 % tilsammen." in page.locator("#error-summary").inner_text()
    derived = page.locator("dl.summary-list", has_text="Elever pr. årsværk").inner_text()
    assert "240" in derived
    hidden = page.locator(".alert-info", has_text="Skjult, fordi").inner_text()
    assert "Er konsulenterne kun på tømreruddannelsen?" in hidden
    assert Definition.objects.filter(survey__key="erhvervsskoler").count() == 0

    # The impact of a new warning rule on juniormesterlære's September round.
    page.goto("/undersoegelser/juniormesterlaere/")
    check_page(page, "walk juniormesterlaere survey page")
    page.locator("form[action='/undersoegelser/juniormesterlaere/kladde/opret/'] button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/undersoegelser/juniormesterlaere/kladde/")
    open_add_form(page, "Tilføj regel", "regler")
    type_into(page, "#id_key", "share_over_7")
    type_into(page, "#id_expression", "share <= 0.07")
    page.locator("#id_severity").select_option("warning")
    page.locator('input[name="show_at"][value="enrolled"]').check()
    type_into(page, "#id_message_da", "Over 7 procent af eleverne er tilmeldt.")
    submit_with_enter(page, "#id_key")
    added(page, "regler", "share_over_7")
    page.goto("/undersoegelser/juniormesterlaere/kladde/")
    press_link(page, "Regelvirkning på en tidligere runde")
    page.locator("#id_round").select_option("jml-september")
    page.locator("#id_round").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    row = page.locator("tr", has=page.locator("code", has_text="share_over_7"))
    row.wait_for()
    check_page(page, "walk impact result")
    flagged = row.inner_text()
    assert "Odder" in flagged
    assert "Lolland" not in flagged

    # Publish the new survey after reading the diff.
    page.goto(DRAFT)
    press_link(page, "Udgiv …")
    page.wait_for_url("**" + DRAFT + "udgiv/")
    check_page(page, "walk publish")
    changes = page.locator("main").inner_text()
    assert "Afsnittet resources (»Ressourcer«) tilføjes." in changes
    assert "Spørgsmålet dedicated (»Er konsulenterne kun på tømreruddannelsen?«) tilføjes." in (
        changes
    )
    page.locator("form button.button-primary").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**" + SURVEY)
    check_page(page, "walk published survey page")
    definition = Definition.objects.get(survey__key="erhvervsskoler")
    assert definition.version == 1
    dedicated_q = next(q for q in definition.content["questions"] if q["key"] == "dedicated")
    assert dedicated_q["relevant_when"] == "uses_consultants == true"
    assert dedicated_q["section"] == "deals"

    # Its XLSForm, downloaded and uploaded into a new draft, is the same definition.
    with page.expect_download() as download:
        page.locator(f"a[href='{SURVEY}versioner/1/xlsform/']").first.focus()
        page.keyboard.press("Enter")
    xlsx = download.value.path()
    page.locator(f"form[action='{DRAFT}opret/'] button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**" + DRAFT)
    page.goto(DRAFT + "xlsform/")
    page.locator("#id_file").set_input_files(str(xlsx))
    page.locator("#id_file").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + DRAFT)
    assert DraftVersion.objects.get(survey__key="erhvervsskoler").content == definition.content

    # Open a round with it.
    page.goto(SURVEY)
    press_link(page, "Opret runde med den nyeste version")
    page.wait_for_url("**/runder/ny/?undersoegelse=erhvervsskoler")
    check_page(page, "walk create round")
    assert page.locator("#id_survey").input_value() == str(definition.survey_id)
    type_into(page, "#id_title", "Skoleåret 2023")
    type_into(page, "input[name='deadline-day']", "31")
    type_into(page, "input[name='deadline-month']", "3")
    type_into(page, "input[name='deadline-year']", "2031")
    page.locator("input[name='recipients_mode'][value='codes']").check()
    type_into(page, "#id_codes", "360")
    submit_with_enter(page, "#id_title")
    page.wait_for_url(re.compile(r"/runder/(?!ny/)[^/]+/$"))
    round_ = Round.objects.get(survey__key="erhvervsskoler")
    assert round_.definition == definition
    page.goto(f"/runder/{round_.slug}/aabn/")
    check_page(page, "walk open round")
    page.locator("form button.button-primary").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/runder/{round_.slug}/")
    round_.refresh_from_db()
    assert round_.state == "open"


def test_the_main_builder_page_in_english(page_for, live_server):
    coordinator = make_user(Role.COORDINATOR, email="en-koordinator@indberet.dk")
    page = page_for("en")
    log_in(page, live_server, coordinator)
    page.goto("/undersoegelser/ny/")
    page.locator("#id_title_da").fill("Erhvervsskoler")
    page.locator("#id_key").fill("erhvervsskoler")
    page.locator("#id_key").press("Enter")
    page.wait_for_url("**" + DRAFT)
    check_page(page, "walk draft overview", "en")
