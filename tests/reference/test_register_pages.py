"""The register pages (/registre/): who may open them, loading members from a file with a
preview first (bad input reported per row, nothing half-applied, referenced members
deactivated, never deleted), editing one member, saved selections as a round's recipients."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import AuditEvent, Role
from reference.models import Organisation, Register, Selection
from surveys import lifecycle
from surveys.models import Round, Survey
from tests.conftest import client_for
from tests.factories import make_round, make_submission, make_user, shipped_definition

URLS = [
    "/registre/",
    "/registre/ny/",
    "/registre/erhvervsskoler/",
    "/registre/erhvervsskoler/indlaes/",
    "/registre/erhvervsskoler/medlem/ny/",
    "/registre/erhvervsskoler/medlem/S05/",
    "/registre/erhvervsskoler/udvalg/ny/",
]
HEADER = "code,name,region,municipality\n"


def upload(client, content, name="skoler.csv", remove_missing=True):
    data = {"file": SimpleUploadedFile(name, content)}
    if remove_missing:
        data["remove_missing"] = "on"
    return client.post("/registre/erhvervsskoler/indlaes/", data)


def apply(client, preview):
    token = preview.context["token"]
    return client.post("/registre/erhvervsskoler/indlaes/anvend/", {"token": token})


@pytest.mark.parametrize("url", URLS)
def test_only_coordinators_open_the_register_pages(url, schools, lolland, analyst, coordinator):
    school_officer = make_user(Role.OFFICER, ["S05"], register="erhvervsskoler", email="s@x.dk")
    for outsider in (lolland, analyst, school_officer):
        assert client_for(outsider).get(url).status_code == 404, url
        assert client_for(outsider).post(url, {}).status_code == 404, url
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "/konto/login/" in anonymous["Location"]
    assert client_for(coordinator).get(url).status_code == 200


def test_an_unknown_register_or_member_is_404(schools, coordinator):
    client = client_for(coordinator)
    assert client.get("/registre/skoler-ukendt/").status_code == 404
    assert client.get("/registre/erhvervsskoler/medlem/S99/").status_code == 404
    assert (
        client.post("/registre/erhvervsskoler/indlaes/anvend/", {"token": "x"}).status_code == 302
    )


def test_a_file_is_previewed_then_applied_whole(schools, coordinator):
    client = client_for(coordinator)
    rows = [
        "S01,Erhvervsskole A (ny),1084,101",  # changed name
        *[
            f"{m.code},{m.name},{m.attributes['region']},{m.attributes['municipality']}"
            for m in schools.members.exclude(code__in=["S01", "S27"]).order_by("code")
        ],
        "S28,Erhvervsskole Ny,1081,851",  # added; S27 is removed (not in the file)
    ]
    preview = upload(client, (HEADER + "\n".join(rows)).encode())
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert [r.code for r in plan.added] == ["S28"]
    assert [c.code for c in plan.changed] == ["S01"]
    assert [m.code for m in plan.removed] == ["S27"]
    assert not plan.removed[0].referenced
    html = preview.content.decode()
    assert "Erhvervsskole A (ny)" in html and "slettes" in html
    # Nothing is written by the preview.
    assert schools.members.get(code="S01").name == "Erhvervsskole A"
    assert not schools.members.filter(code="S28").exists()

    response = apply(client, preview)
    assert response.status_code == 302
    assert schools.members.get(code="S01").name == "Erhvervsskole A (ny)"
    assert schools.members.get(code="S28").attributes == {"region": "1081", "municipality": "851"}
    assert not schools.members.filter(code="S27").exists()
    event = AuditEvent.objects.get(action="register.members_loaded", actor=coordinator)
    assert event.detail == {"added": 1, "changed": 1, "deactivated": 0, "deleted": 1}
    # The same token cannot apply twice.
    again = client.post("/registre/erhvervsskoler/indlaes/anvend/", {"token": "whatever"})
    assert again.status_code == 302 and again["Location"].endswith("/indlaes/")


def test_a_member_with_answers_is_deactivated_never_deleted(schools, coordinator):
    round_ = make_round("erhvervsskoler", codes=["S01", "S02"], slug="skoler-x")
    make_submission(round_, "S02", {"pupils": 10, "pupils_with_agreement": 5})
    client = client_for(coordinator)
    preview = upload(client, (HEADER + "S01,Erhvervsskole A,1084,101\n").encode())
    removed = {m.code: m.referenced for m in preview.context["plan"].removed}
    assert removed["S02"] is True and removed["S03"] is False
    assert "deaktiveres" in preview.content.decode()
    apply(client, preview)
    s02 = Organisation.objects.get(register=schools, code="S02")
    assert not s02.is_active and s02.submissions.count() == 1
    assert not Organisation.objects.filter(register=schools, code="S03").exists()
    # A deactivated member is no longer a recipient for new rounds.
    members, problems = lifecycle.resolve_recipients(lifecycle.ALL, register=schools)
    assert {m.code for m in members} == {"S01"} and not problems


@pytest.mark.parametrize(
    "content,messages",
    [
        (
            HEADER + "S01,A,1084,101\nS01,B,1084,101\n",
            ["Række 3: Koden »S01« står også i række 2."],
        ),
        (
            HEADER + "s1,A,1084,101\n",
            ["Række 2: Koden »s1« passer ikke til registrets mønster"],
        ),
        (
            HEADER + "S01,A,1089,999\n",
            [
                "Række 2: region: »1089« findes ikke i registret regioner.",
                "Række 2: municipality: »999« findes ikke i registret kommuner.",
            ],
        ),
        (HEADER + "S01,,1084,101\n", ["Række 2: Navnet mangler."]),
    ],
)
def test_bad_rows_are_reported_per_row_and_nothing_is_applied(
    schools, coordinator, content, messages
):
    before = list(schools.members.values_list("code", "name", "attributes", "is_active"))
    preview = upload(client_for(coordinator), content.encode())
    html = preview.content.decode()
    for message in messages:
        assert message in html
    assert "token" not in preview.context or not preview.context.get("token")
    assert list(schools.members.values_list("code", "name", "attributes", "is_active")) == before


def test_danish_excel_csv_and_xlsx_are_read(schools, coordinator):
    client = client_for(coordinator)
    danish = "\ufeffkode;navn;region;municipality\r\nS01;Erhvervsskole Ærø;1084;101\r\n"
    preview = upload(client, danish.encode("utf-8"), remove_missing=False)
    assert [c.after for c in preview.context["plan"].changed] == [{"name": "Erhvervsskole Ærø"}]
    cp1252 = "kode;navn;region;municipality\r\nS01;Erhvervsskole Ø;1084;101\r\n".encode("cp1252")
    preview = upload(client, cp1252, remove_missing=False)
    assert [c.after for c in preview.context["plan"].changed] == [{"name": "Erhvervsskole Ø"}]

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "region", "municipality"])
    sheet.append(["S01", "Erhvervsskole Å", 1084, 101])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = upload(client, buffer.getvalue(), name="skoler.xlsx", remove_missing=False)
    assert [c.after for c in preview.context["plan"].changed] == [{"name": "Erhvervsskole Å"}]
    not_a_workbook = upload(client, b"not a workbook", name="skoler.xlsx")
    assert "kan ikke læses som et Excel-regneark" in not_a_workbook.content.decode()


def test_a_coordinator_creates_a_register_and_edits_a_member(coordinator):
    client = client_for(coordinator)
    bad = client.post("/registre/ny/", {"key": "Skoler!", "name": "Skoler", "code_pattern": "["})
    html = bad.content.decode()
    assert "Nøglen skal være" in html and "ikke et gyldigt regulært udtryk" in html
    bad = client.post(
        "/registre/ny/",
        {"key": "skoler", "name": "Skoler", "code_pattern": "S[0-9]", "attributes": "[{"},
    )
    assert "Egenskaberne er ikke gyldig JSON." in bad.content.decode()
    bad = client.post(
        "/registre/ny/",
        {
            "key": "skoler",
            "name": "Skoler",
            "code_pattern": "S[0-9]",
            "attributes": '[{"key": "x", "label": {"da": "X"}, "type": "code", '
            '"register": "nope"}]',
        },
    )
    assert "peger på et register, der ikke findes: nope" in bad.content.decode()
    assert not Register.objects.filter(key__in=["skoler", "Skoler!"]).exists()
    attributes = (
        '[{"key": "region", "label": {"da": "Region", "en": "Region"}, "type": "code", '
        '"register": "regioner", "categorical": true}]'
    )
    created = client.post(
        "/registre/ny/",
        {
            "key": "gymnasier",
            "name": "Gymnasier",
            "code_pattern": "G[0-9]{2}",
            "attributes": attributes,
        },
    )
    assert created.status_code == 302
    register = Register.objects.get(key="gymnasier")
    assert register.categorical_attributes()[0]["register"] == "regioner"
    refused = client.post(
        "/registre/gymnasier/medlem/ny/", {"code": "X1", "name": "Gym", "attr_region": "1081"}
    )
    assert "passer ikke til registrets mønster" in refused.content.decode()
    client.post(
        "/registre/gymnasier/medlem/ny/",
        {"code": "G01", "name": "Gym", "attr_region": "1081", "is_active": "on"},
    )
    member = register.members.get(code="G01")
    assert member.attributes == {"region": "1081"} and member.is_active
    client.post("/registre/gymnasier/medlem/G01/", {"name": "Gym Nord", "attr_region": "1081"})
    member.refresh_from_db()
    assert member.name == "Gym Nord" and not member.is_active and member.code == "G01"


def test_a_saved_selection_is_a_round_s_recipients(coordinator):
    shipped_definition("juniormesterlaere")
    client = client_for(coordinator)
    refused = client.post(
        "/registre/kommuner/udvalg/ny/", {"name": "Partnerskab", "codes": "101, 999"}
    )
    assert "Ukendte koder: 999" in refused.content.decode()
    client.post("/registre/kommuner/udvalg/ny/", {"name": "Partnerskab", "codes": "101, 147 360"})
    selection = Selection.objects.get(name="Partnerskab")
    assert sorted(selection.members.values_list("code", flat=True)) == ["101", "147", "360"]

    survey = Survey.objects.get(key="juniormesterlaere")
    deadline = timezone.localdate() + dt.timedelta(days=20)
    data = {
        "survey": survey.pk,
        "title": "Partnerskabet 2026",
        "slug": "partnerskab-2026",
        "deadline": deadline.strftime("%d-%m-%Y"),
        "recipients_mode": "selection",
        "selection": selection.pk,
    }
    assert client.post("/runder/ny/", data).status_code == 302
    round_ = Round.objects.get(slug="partnerskab-2026")
    assert sorted(round_.recipients.values_list("code", flat=True)) == ["101", "147", "360"]


def test_a_selection_of_another_register_is_refused_beside_the_field(schools, coordinator):
    shipped_definition("erhvervsskoler")
    shipped_definition("juniormesterlaere")  # so the municipalities' selections are offered
    kommuner = Register.objects.get(key="kommuner")
    selection = Selection.objects.create(register=kommuner, name="Tre kommuner")
    selection.members.set(Organisation.objects.municipalities().filter(code__in=["101", "147"]))
    deadline = timezone.localdate() + dt.timedelta(days=20)
    response = client_for(coordinator).post(
        "/runder/ny/",
        {
            "survey": Survey.objects.get(key="erhvervsskoler").pk,
            "title": "Skoler 2026",
            "deadline": deadline.strftime("%d-%m-%Y"),
            "recipients_mode": "selection",
            "selection": selection.pk,
        },
    )
    assert response.status_code == 200
    assert (
        "Udvalget »Tre kommuner« hører til registret Kommuner; undersøgelsen er stillet til "
        "registret Erhvervsskoler." in response.content.decode()
    )
    assert not Round.objects.filter(title="Skoler 2026").exists()


def test_a_misspelt_column_is_refused_rather_than_emptying_an_attribute(schools, coordinator):
    preview = upload(client_for(coordinator), b"code,name,regoin,municipality\nS01,A,1084,101\n")
    assert (
        "Række 1: Kolonnerne »regoin« er ikke egenskaber i registret (det har: region, "
        "municipality)." in preview.content.decode()
    )
    assert schools.members.get(code="S01").attributes["region"] == "1084"


def test_the_load_register_command_previews_and_applies(schools, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "skoler.csv"
    path.write_text(HEADER + "S01,Erhvervsskole A2,1084,101\n", "utf-8")
    out = io.StringIO()
    call_command("load_register", "erhvervsskoler", str(path), "--keep-missing", stdout=out)
    assert "Ændres: S01" in out.getvalue() and "Intet er gemt" in out.getvalue()
    assert schools.members.get(code="S01").name == "Erhvervsskole A"
    call_command("load_register", "erhvervsskoler", str(path), "--apply", stdout=out)
    assert schools.members.get(code="S01").name == "Erhvervsskole A2"
    assert schools.members.count() == 1  # the others were not in the file: deleted
    path.write_text(HEADER + "S01,,1084,101\n", "utf-8")
    with pytest.raises(CommandError):
        call_command("load_register", "erhvervsskoler", str(path), stderr=io.StringIO())


@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "-inf", "1e99999x", "12,5,3"])
def test_a_decimal_attribute_that_is_not_a_finite_number_is_refused_not_a_crash(value):
    from reference.member_import import check_attribute

    spec = {"key": "fte", "type": "decimal", "label": {"da": "Årsværk"}}
    stored, problem = check_attribute(spec, value, {})
    assert stored is None and f"ikke »{value}«" in problem
    assert check_attribute(spec, "3,45", {}) == (3.45, None)


def test_a_csv_cell_over_the_csv_field_limit_is_a_message_not_a_crash(schools, coordinator):
    before = schools.members.count()
    content = (HEADER + "S99,Skole," + "x" * 200_000 + ",101\n").encode()
    preview = upload(client_for(coordinator), content)
    assert preview.status_code == 200
    assert "Filen kan ikke læses som CSV" in preview.content.decode()
    assert schools.members.count() == before


def test_planning_the_removal_of_every_member_reads_a_fixed_number_of_queries(schools):
    """Whether a member to be removed is referenced is asked once per relation for all of
    them, not once per member (27 schools here; a register may have thousands)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reference.member_import import plan_members

    with CaptureQueriesContext(connection) as queries:
        plan = plan_members(schools, [], remove_missing=True)
    assert len(plan.removed) == schools.members.filter(is_active=True).count() > 20
    assert len(queries) <= 12


@pytest.mark.parametrize("language,label", [("da", "Kommune"), ("en", "Municipality")])
def test_the_member_pages_label_the_attributes_in_the_interface_language(
    schools, coordinator, language, label
):
    client = client_for(coordinator)
    client.cookies["django_language"] = language
    html = client.get("/registre/erhvervsskoler/medlem/S05/").content.decode()
    assert re.search(rf'<label[^>]*for="id_attr_municipality"[^>]*>\s*{label}\b', html), html
    detail = client.get("/registre/erhvervsskoler/").content.decode()
    assert f'<th scope="col">{label}</th>' in detail  # the members table's column
