import io

import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from exports.models import Export
from tests.conftest import client_for
from tests.factories import make_round, make_submission, make_user


@pytest.fixture
def round_(db):
    r = make_round(codes=["101", "360", "727"], slug="jml-feb")
    make_submission(r, "101", {"pupils_8_9": 100, "enrolled": 5})
    return r


def post(client, **data):
    return client.post(reverse("exports:download"), data)


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_exports_page_is_404_for_officers(round_, as_lolland):
    assert as_lolland.get(reverse("exports:index")).status_code == 404
    assert post(as_lolland, rounds=[round_.pk], format="csv").status_code == 404
    assert Export.objects.count() == 0


def test_exports_page_redirects_anonymous_to_login(round_, client):
    for response in (
        client.get(reverse("exports:index")),
        post(client, rounds=[round_.pk], format="csv"),
    ):
        assert response.status_code == 302
        assert "/konto/" in response["Location"]


@pytest.mark.parametrize("who", ["as_analyst", "as_coordinator"])
def test_analysts_and_coordinators_see_the_page_and_download(round_, who, request):
    client = request.getfixturevalue(who)
    page = client.get(reverse("exports:index"))
    assert page.status_code == 200
    assert "foreløbige tal" in page.content.decode()
    response = post(client, rounds=[round_.pk], format="csv")
    assert response.status_code == 200
    assert response.streaming
    assert 'attachment; filename="juniormesterlaere_jml-feb.csv"' == response["Content-Disposition"]
    df = pd.read_csv(io.BytesIO(body(response)), dtype={"municipality_code": str})
    assert list(df["municipality_code"]) == ["101", "360", "727"]
    export = Export.objects.get()
    assert export.status == "ready" and len(export.checksum) == 64 and export.rows == 3


def test_every_format_downloads_from_the_page(round_, as_analyst):
    for fmt, magic in (
        ("csv-da", b"\xef\xbb\xbf"),
        ("long", b"municipality_code"),
        ("xlsx", b"PK"),
        ("datapackage", b"PK"),
        ("pdf", b"%PDF"),
    ):
        response = post(as_analyst, rounds=[round_.pk], format=fmt)
        assert response.status_code == 200, fmt
        assert body(response).startswith(magic), fmt
    assert Export.objects.filter(requested_by__email="analyst@indberet.dk").count() == 5
    page = as_analyst.get(reverse("exports:index")).content.decode()
    assert "juniormesterlaere_jml-feb_rapport.pdf" in page


def test_all_rounds_of_a_survey_are_stacked(round_, as_analyst):
    make_round(
        codes=["101"],
        slug="jml-sep",
        state="closed",
        deadline=round_.deadline.replace(year=round_.deadline.year - 1),
    )
    response = post(as_analyst, survey=round_.survey.pk, format="csv")
    df = pd.read_csv(io.BytesIO(body(response)))
    assert list(df["round"]) == ["jml-sep", "jml-feb", "jml-feb", "jml-feb"]


def test_the_form_refuses_nothing_chosen_and_several_rounds_for_a_report(round_, as_analyst):
    assert post(as_analyst, format="csv").status_code == 400
    other = make_round(codes=["101"], slug="jml-x")
    response = post(as_analyst, rounds=[round_.pk, other.pk], format="pdf")
    assert response.status_code == 400
    assert "én runde ad gangen" in response.content.decode()


def test_big_reports_are_built_in_the_background_and_served_to_their_owner(
    round_, as_analyst, as_coordinator, settings, django_capture_on_commit_callbacks
):
    settings.EXPORTS_BACKGROUND_RECIPIENTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = post(as_analyst, rounds=[round_.pk], format="pdf")
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.status == "ready" and bytes(export.content).startswith(b"%PDF")
    url = reverse("exports:file", args=[export.uid])
    assert url in as_analyst.get(reverse("exports:index")).content.decode()
    assert body(as_analyst.get(url)).startswith(b"%PDF")
    assert as_coordinator.get(url).status_code == 404  # someone else's file


def test_analyst_exports_leave_out_contact_emails_coordinators_keep_them(
    db, as_analyst, as_coordinator
):
    r = make_round("proevehandlinger", codes=["101"])
    entry = {
        "title": "T",
        "theme": "early_action",
        "goal": "G",
        "status": "planned",
        "contact_email": "kontakt@kommune.dk",
    }
    make_submission(r, "101", {"entries": [entry], "nothing_to_report": False})
    for fmt in ("csv", "long", "xlsx", "datapackage"):
        assert b"kontakt@kommune.dk" not in body(post(as_analyst, rounds=[r.pk], format=fmt))
    assert b"kontakt@kommune.dk" in body(post(as_coordinator, rounds=[r.pk], format="csv"))


def test_export_round_command_writes_the_file_and_logs_it(round_, tmp_path):
    out = tmp_path / "feb.csv"
    call_command("export_round", "jml-feb", "--format", "csv-da", "--out", str(out))
    df = pd.read_csv(
        out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"municipality_code": str}
    )
    assert df.loc[0, "share"] == pytest.approx(0.05)
    export = Export.objects.get()
    assert export.query["via"] == "command" and export.size == out.stat().st_size


def test_export_round_command_refuses_unknown_rounds(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nope"):
        call_command("export_round", "nope")


def test_file_names_do_not_repeat_the_survey(db, as_analyst):
    round_ = make_round(codes=["101"], slug="juniormesterlaere-2026-02")
    for fmt, name in (
        ("csv", "juniormesterlaere_2026-02.csv"),
        ("xlsx", "juniormesterlaere_2026-02.xlsx"),
        ("pdf", "juniormesterlaere_2026-02_rapport.pdf"),
    ):
        response = post(as_analyst, rounds=[round_.pk], format=fmt)
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_round_names_on_the_analysts_home_page_link_to_the_round_on_the_exports_page(
    round_, as_analyst
):
    home = as_analyst.get(reverse("home")).content.decode()
    link = f"{reverse('exports:index')}?runde=jml-feb"
    assert f'<a href="{link}">{round_.title}</a>' in home
    page = as_analyst.get(link).content.decode()
    assert f'value="{round_.pk}" class="form-checkbox" id="id_rounds_0" checked' in page
    unknown = as_analyst.get(reverse("exports:index") + "?runde=nope").content.decode()
    assert "checked" not in unknown.split('name="format"')[0]


def again(client, export):
    return client.post(reverse("exports:again", args=[export.uid]))


def test_an_export_is_made_again_for_its_owner_and_logged_as_a_new_export(round_, as_analyst):
    body(post(as_analyst, rounds=[round_.pk], format="csv"))
    first = Export.objects.get()
    page = as_analyst.get(reverse("exports:index")).content.decode()
    assert reverse("exports:again", args=[first.uid]) in page
    response = again(as_analyst, first)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="juniormesterlaere_jml-feb.csv"'
    assert body(response).startswith(b"municipality_code")
    second = Export.objects.exclude(pk=first.pk).get()
    assert second.requested_by == first.requested_by and second.status == "ready"
    assert second.query["again_of"] == str(first.uid)
    assert second.query["rounds"] == ["jml-feb"] and second.format == "csv"


def test_only_the_owner_may_fetch_or_remake_an_export(round_, analyst, coordinator, lolland):
    body(
        client_for(analyst).post(
            reverse("exports:download"), {"rounds": [round_.pk], "format": "csv"}
        )
    )
    export = Export.objects.get()
    Export.objects.filter(pk=export.pk).update(content=b"kept")
    other_analyst = make_user(Role.ANALYST, email="other@indberet.dk")
    for outsider in (other_analyst, coordinator, lolland):
        client = client_for(outsider)
        assert again(client, export).status_code == 404
        assert client.get(reverse("exports:file", args=[export.uid])).status_code == 404
    assert Export.objects.count() == 1
    anonymous = again(client_for(None), export)
    assert anonymous.status_code == 302 and "/konto/" in anonymous["Location"]
    owner = client_for(analyst)
    assert owner.get(reverse("exports:again", args=[export.uid])).status_code == 405
    assert body(owner.get(reverse("exports:file", args=[export.uid]))) == b"kept"


def test_remaking_uses_the_users_permissions_now(db, analyst):
    r = make_round("proevehandlinger", codes=["101"])
    entry = {
        "title": "T",
        "theme": "early_action",
        "goal": "G",
        "status": "planned",
        "contact_email": "kontakt@kommune.dk",
    }
    make_submission(r, "101", {"entries": [entry], "nothing_to_report": False})
    export = Export.objects.create(
        requested_by=analyst,
        format="csv",
        filename="x.csv",
        query={"rounds": [r.slug], "format": "csv", "include_personal": True, "via": "web"},
    )
    response = again(client_for(analyst), export)
    assert b"kontakt@kommune.dk" not in body(response)
    assert Export.objects.exclude(pk=export.pk).get().query["include_personal"] is False


def test_an_export_whose_round_is_gone_is_not_made_again(round_, as_analyst, analyst):
    export = Export.objects.create(
        requested_by=analyst, format="csv", filename="x.csv", query={"rounds": ["gone"]}
    )
    response = again(as_analyst, export)
    assert response.status_code == 302
    page = as_analyst.get(response["Location"]).content.decode()
    assert "kan ikke laves igen" in page
    assert Export.objects.count() == 1
