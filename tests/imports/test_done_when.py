"""Issue 15, "done when", walked on the demo: the coordinator downloads the February template,
fills 5 rows as a spreadsheet program writes them (Danish CSV), sees the dry run with one
error and one warning, applies the 4 good rows as submitted, sees them on the board, undoes
the import and applies it again."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.models import User
from imports.models import Import
from surveys.models import Round
from tests.factories import force_login

FILLED = {
    # code: (pupils, enrolled, comment, explanation)
    "727": ("412", "9", "Odder: svar pr. e-mail", ""),  # Odder, missing in the demo
    "706": ("745", "21", "", ""),  # Syddjurs, missing in the demo
    "101": ("10.600", "95", "", ""),
    "360": ("700", "160", "", "Ny ordning på to skoler"),  # share above 20 %: a warning
    "147": ("1.830", "2.000", "", ""),  # more enrolled than pupils: an error
}


def test_the_demo_walk(client, db):
    call_command("load_demo", stdout=io.StringIO())
    feb = Round.objects.get(slug="juniormesterlaere-2026-02")
    coordinator = User.objects.get(email="koordinator@demo.indberet.dk")
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(coordinator, generate_totp_secret())
    force_login(client, coordinator)
    base = f"/opfoelgning/{feb.slug}/import/"

    template = client.get(base + "skabelon/csv-da/")
    assert template.status_code == 200
    text = template.content.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text), delimiter=";")
    header = next(reader)
    rows = [r for r in reader]
    assert len(rows) == 98 and header[0] == "municipality_code"
    # The spreadsheet program: keep the 5 filled rows, save as CSV (semicolon) in cp1252.
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    at = {name: i for i, name in enumerate(header)}
    for row in rows:
        if row[0] not in FILLED:
            continue
        pupils, enrolled, comment, explanation = FILLED[row[0]]
        row[at["pupils_8_9"]], row[at["enrolled"]] = pupils, enrolled
        row[at["comment"]], row[at["share_high_explanation"]] = comment, explanation
        writer.writerow(row)
    content = out.getvalue().encode("cp1252")

    response = client.post(base, {"file": SimpleUploadedFile("februar.csv", content)})
    assert response.status_code == 302
    imp = Import.objects.get(round=feb)
    html = client.get(response["Location"]).content.decode()
    assert "Prøvekørsel" in html
    assert html.count("badge badge-error") == 1 and html.count("badge badge-warning") == 1
    assert "Kommunen har selv gemt svar" in html  # 101, 360, 147 were answered in the demo

    response = client.post(response["Location"], {"mode": "submitted", "overwrite": "on"})
    imp.refresh_from_db()
    assert imp.report["counts"]["applied"] == 4 and imp.report["names"]["blocked"] == ["147"]
    board = client.get(f"/opfoelgning/{feb.slug}/").content.decode()
    assert "98 af 98 har svaret" in board  # Odder and Syddjurs answered through the import
    odder = feb.submissions.get(municipality__code="727")
    assert odder.state == "submitted" and odder.answers["pupils_8_9"] == 412

    client.post(f"{base}{imp.pk}/fortryd/")
    imp.refresh_from_db()
    assert imp.state == "undone" and imp.report["undo"]["counts"]["restored"] == 4
    assert not feb.submissions.filter(municipality__code="727", state="submitted").exists()
    assert feb.submissions.get(municipality__code="360").answers["pupils_8_9"] != 700

    again = f"{base}{imp.pk}/?igen=1"
    assert "Prøvekørsel" in client.get(again).content.decode()
    client.post(again, {"mode": "submitted", "overwrite": "on"})
    imp.refresh_from_db()
    assert imp.state == "applied" and imp.report["counts"]["applied"] == 4
    assert feb.submissions.get(municipality__code="727").state == "submitted"
