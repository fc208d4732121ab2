"""A round of a survey asked of another register than the municipalities (issue 14): the
vocational-school survey, asked of the erhvervsskoler register. A coordinator creates and opens
it for all 27 schools, an officer of one school (who also answers for Lolland) answers it on
the form, the board, reminders and exports follow it; nobody else gets near it."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from submissions.models import Submission
from surveys import lifecycle
from surveys.models import Survey
from tests.conftest import client_for
from tests.factories import make_user, shipped_definition
from tests.submissions.conftest import form_url, post_form
from tracking import reminders

ANSWERS = {
    "pupils": "103",
    "pupils_with_agreement": "71",
    "outreach_fte": "0,2",
    "share_admin": "40",
    "share_support": "34",
    "share_relations": "26",
    "uses_consultants": "yes",
    "consultants_dedicated": "no",
}


@pytest.fixture
def school_round(schools, coordinator):
    shipped_definition("erhvervsskoler")
    survey = Survey.objects.get(key="erhvervsskoler")
    assert survey.register == schools
    return lifecycle.create_round(
        actor=coordinator,
        survey=survey,
        title="Lærepladser 2023",
        slug="skoler-2023",
        deadline=timezone.now() + dt.timedelta(days=20),
        recipients=lifecycle.ALL,
    )


@pytest.fixture
def school_officer(db, schools):
    """Answers for school S05 and for Lolland: memberships of two registers."""
    user = make_user(Role.OFFICER, ["S05"], register="erhvervsskoler", email="s05@skole.dk")
    make_user_membership(user, "360")
    return user


def make_user_membership(user, code):
    from accounts.models import Membership
    from reference.models import Organisation

    Membership.objects.create(
        user=user, municipality=Organisation.objects.municipalities().get(code=code)
    )


def test_all_means_the_27_schools_and_municipal_codes_are_unknown(school_round, coordinator):
    assert school_round.recipients.count() == 27
    assert set(school_round.recipients.values_list("register__key", flat=True)) == {
        "erhvervsskoler"
    }
    survey = school_round.survey
    with pytest.raises(lifecycle.RoundError) as refused:
        lifecycle.create_round(
            actor=coordinator,
            survey=survey,
            title="Forkerte koder",
            slug="skoler-forkert",
            deadline=school_round.deadline,
            recipients=["S01", "360", "S99"],
        )
    [problem] = refused.value.problems
    assert problem.message == "Ukendte koder i registret Erhvervsskoler: 360, S99"


def test_a_historical_round_of_the_schools_takes_the_schools_codes(schools, coordinator):
    """Earlier rounds from a table (issue 15) resolve their recipients in the survey's
    register too: schools' codes are found, a municipality's code is unknown there."""
    shipped_definition("erhvervsskoler")
    survey = Survey.objects.get(key="erhvervsskoler")
    old = lifecycle.create_historical_round(
        actor=coordinator,
        survey=survey,
        title="Lærepladser 2022",
        slug="skoler-2022",
        reference_date=dt.date(2022, 12, 31),
        recipients=["S01", "S05"],
    )
    assert sorted(old.recipients.values_list("code", flat=True)) == ["S01", "S05"]
    with pytest.raises(lifecycle.RoundError) as refused:
        lifecycle.create_historical_round(
            actor=coordinator,
            survey=survey,
            title="Forkerte koder",
            slug="skoler-2021",
            reference_date=dt.date(2021, 12, 31),
            recipients=["S01", "360"],
        )
    [problem] = refused.value.problems
    assert problem.message == "Ukendte koder i registret Erhvervsskoler: 360"


def test_an_officer_of_a_school_is_invited_answers_and_submits(
    school_round, school_officer, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.open_round(school_round, actor=coordinator)
    [invitation] = [m for m in mail.outbox if "s05@skole.dk" in m.to]
    assert "/indberet/skoler-2023/S05/" in invitation.body

    client = client_for(school_officer)
    page = client.get(form_url(school_round, "S05"))
    assert page.status_code == 200 and "Erhvervsskole E" in page.content.decode()
    assert post_form(client, school_round, ANSWERS, version=0, code="S05").status_code == 302
    response = post_form(client, school_round, ANSWERS, version=1, action="submit", code="S05")
    assert response["Location"].endswith("/kvittering/")
    submission = Submission.objects.get(round=school_round)
    assert submission.municipality.code == "S05" and submission.state == "submitted"
    assert submission.answers["outreach_fte"] == 0.2 and submission.error_count == 0
    # The same person answers for Lolland too: both are listed as theirs.
    mine = client.get("/konto/kommuner/").content.decode()
    assert "Erhvervsskole E" in mine and "Lolland" in mine


def test_nobody_else_reaches_the_school_s_form(school_round, school_officer, odder, analyst):
    lifecycle.open_round(school_round, actor=None)
    other_school = make_user(Role.OFFICER, ["S06"], register="erhvervsskoler", email="s06@x.dk")
    anonymous = client_for(None).get(form_url(school_round, "S05"))
    assert anonymous.status_code == 302 and "/konto/login/" in anonymous["Location"]
    # A municipal code is not a recipient of a school round, even for its own officer.
    assert client_for(school_officer).get(form_url(school_round, "360")).status_code == 404
    assert client_for(other_school).get(form_url(school_round, "S05")).status_code == 404
    assert client_for(odder).get(form_url(school_round, "S05")).status_code == 404
    # The analyst reads, but cannot post.
    assert client_for(analyst).get(form_url(school_round, "S05")).status_code == 200
    post_form(client_for(analyst), school_round, ANSWERS, version=0, code="S05")
    assert not Submission.objects.filter(round=school_round).exists()


def test_the_board_and_reminders_follow_a_school_round(
    school_round, school_officer, coordinator, django_capture_on_commit_callbacks
):
    lifecycle.open_round(school_round, actor=coordinator)
    board = client_for(coordinator).get(f"/opfoelgning/{school_round.slug}/")
    assert board.status_code == 200
    html = board.content.decode()
    assert "Erhvervsskole E" in html and "Erhvervsskole Æ" in html
    detail = client_for(coordinator).get(f"/opfoelgning/{school_round.slug}/S05/")
    assert detail.status_code == 200
    subject, body = reminders.default_template()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders.send_manual(
            school_round,
            actor=coordinator,
            codes=["S05"],
            subject=subject,
            body=body,
            nonce=reminders.new_nonce(),
        )
    assert [r.municipality.code for r in result.sent] == ["S05"]
    assert [m.to for m in mail.outbox] == [["s05@skole.dk"]]
    assert "/indberet/skoler-2023/S05/" in mail.outbox[0].body


def test_exports_of_a_school_round_name_the_organisation_and_the_register_s_attributes(
    school_round, coordinator
):
    import io
    import json
    import zipfile

    from exports.services import build_export
    from tests.factories import make_submission

    lifecycle.open_round(school_round, actor=coordinator)
    answers = {k: v for k, v in ANSWERS.items() if k not in ("uses_consultants", "outreach_fte")}
    answers.update(outreach_fte=0.2, uses_consultants=True, consultants_dedicated=False)
    make_submission(school_round, "S05", {k: _number(v) for k, v in answers.items()})

    _name, _type, chunks, _export = build_export(coordinator, [school_round], fmt="csv")
    lines = b"".join(chunks).decode().splitlines()
    assert lines[0].startswith(
        "organisation_code,organisation_name,region,municipality,round,state,submitted_at,late,"
    )
    s05 = next(line for line in lines if line.startswith("S05,"))
    assert s05.startswith("S05,Erhvervsskole E,") and ",skoler-2023,submitted," in s05
    assert len(lines) == 1 + 27

    _name, _type, chunks, _export = build_export(coordinator, [school_round], fmt="long")
    long_lines = b"".join(chunks).decode().splitlines()
    assert long_lines[0] == "organisation_code,round,entry_no,question,value"
    assert "S05,skoler-2023,,pupils,103" in long_lines

    _name, _type, content, _export = build_export(coordinator, [school_round], fmt="datapackage")
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        package = json.loads(zf.read("datapackage.json"))
    wide = next(r for r in package["resources"] if r["name"] == "wide")
    fields = [f["name"] for f in wide["schema"]["fields"]]
    assert fields[:4] == ["organisation_code", "organisation_name", "region", "municipality"]
    assert wide["schema"]["primaryKey"] == ["organisation_code", "round"]
    _name, _type, content, _export = build_export(coordinator, [school_round], fmt="xlsx")
    assert content[:2] == b"PK"


def _number(value):
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def test_a_coordinator_invites_an_officer_for_a_school(schools, coordinator, lolland):
    from accounts.models import Invitation, Membership

    client = client_for(coordinator)
    page = client.get("/konto/inviter/").content.decode()
    assert "?register=erhvervsskoler" in page
    page = client.get("/konto/inviter/?register=erhvervsskoler").content.decode()
    assert "Erhvervsskole E" in page and "Lolland" not in page
    response = client.post(
        "/konto/inviter/",
        {"email": lolland.email, "municipality": "S05", "register": "erhvervsskoler"},
    )
    assert response.status_code == 302 and "register=erhvervsskoler" in response["Location"]
    invitation = Invitation.objects.get(email=lolland.email)
    assert invitation.municipality.register == schools and invitation.municipality.code == "S05"
    codes = set(
        Membership.objects.filter(user=lolland).values_list("municipality__code", flat=True)
    )
    assert codes == {"360", "S05"}
    # A municipal code is unknown among the schools; an unknown register is 404.
    refused = client.post(
        "/konto/inviter/", {"email": "x@y.dk", "municipality": "360", "register": "erhvervsskoler"}
    )
    assert 'id="id_municipality-error"' in refused.content.decode()
    assert client.get("/konto/inviter/?register=nope").status_code == 404


def test_the_board_of_a_school_round_filters_by_the_register_s_attributes(
    school_round, coordinator
):
    from reference.models import Organisation

    lifecycle.open_round(school_round, actor=coordinator)
    client = client_for(coordinator)
    html = client.get(f"/opfoelgning/{school_round.slug}/").content.decode()
    # Region and municipality (the register's categorical attributes), by name, not DST group.
    assert 'name="attr_region"' in html and 'name="attr_municipality"' in html
    assert 'name="group"' not in html and "Region Hovedstaden (1084)" in html
    in_hovedstaden = set(
        Organisation.objects.filter(
            register__key="erhvervsskoler", attributes__region="1084"
        ).values_list("name", flat=True)
    )
    assert 0 < len(in_hovedstaden) < 27
    filtered = client.get(f"/opfoelgning/{school_round.slug}/?attr_region=1084").content.decode()
    shown = {m.name for m in school_round.recipients.all() if m.name + "</a>" in filtered}
    assert shown == in_hovedstaden
    # The municipal board keeps its region and DST group filters.
    from tests.factories import make_round

    municipal = make_round(codes=["360", "727"], slug="jml-x")
    html = client.get(f"/opfoelgning/{municipal.slug}/").content.decode()
    assert 'name="region"' in html and 'name="group"' in html and "attr_" not in html


def test_the_non_responder_list_of_a_school_round_names_schools(school_round, coordinator):
    lifecycle.open_round(school_round, actor=coordinator)
    response = client_for(coordinator).get(f"/opfoelgning/{school_round.slug}/ikke-svaret.csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("kode;navn;region;kommune;status;")
    assert len(lines) == 28 and lines[5].startswith("S05;Erhvervsskole E;")
    # The file's columns are Danish whatever the interface language (the same address gives
    # the same bytes): the attributes' Danish labels on an English page too.
    english = client_for(coordinator)
    english.cookies["django_language"] = "en"
    response = english.get(f"/opfoelgning/{school_round.slug}/ikke-svaret.csv")
    assert (
        response.content.decode("utf-8-sig")
        .splitlines()[0]
        .startswith("kode;navn;region;kommune;status;")
    )


def test_the_report_draws_the_map_only_for_a_register_with_boundaries(school_round, coordinator):
    from exports.report import report_context
    from tests.factories import make_round, make_submission

    lifecycle.open_round(school_round, actor=coordinator)
    make_submission(school_round, "S05", {"pupils": 100, "pupils_with_agreement": 80})
    school = report_context(school_round)
    assert school["indicators"] and all(i["map"] is None for i in school["indicators"])
    municipal = make_round(codes=["360", "727"], slug="jml-kort")
    make_submission(municipal, "360", {"pupils_8_9": 100, "enrolled": 5})
    assert all(i["map"] for i in report_context(municipal)["indicators"] if not i["is_ratio"])


def test_a_region_round_is_drawn_as_the_municipalities_of_each_region(coordinator):
    from exports.report import report_context
    from reference.models import Register
    from tests.factories import make_round, make_submission, shipped_definition

    # The juniormesterlære survey asked of the regions, for this test.
    survey = shipped_definition("juniormesterlaere").survey
    Survey.objects.filter(pk=survey.pk).update(register=Register.objects.get(key="regioner"))
    round_ = make_round(codes=["1084", "1085"], slug="regioner-2026")
    make_submission(round_, "1084", {"pupils_8_9": 1000, "enrolled": 80})
    [indicator] = report_context(round_)["indicators"]
    svg = str(indicator["map"])
    assert "pr. region" in svg
    # Every municipality of Region Hovedstaden (29) is named by its region on the map.
    assert svg.count("<title>Region Hovedstaden</title>") == 29
    assert svg.count("<title>Region Sjælland</title>") == 17


def test_the_report_of_a_school_round_speaks_of_respondents_not_municipalities(school_round):
    from exports.report import render_report_html

    html = render_report_html(school_round)
    assert "0 af 27&nbsp;respondenter har svaret" in html
    assert "kommuner har svaret" not in html and "Kommunegruppe" not in html
