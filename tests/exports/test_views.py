import io

import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from exports.models import Export
from tests.factories import make_round, make_submission


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
