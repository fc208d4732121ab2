"""The registers migration on a database holding the full demo (issue 14): the database is
taken back to before registers (reference.0001, surveys.0006) with every demo row in it, then
migrated forward again; every submission, revision, reminder, chase note, contact,
membership, invitation, recipient link and export log still points at the same municipality
(same id, code and name), and every municipality is a member of the kommuner register."""

import io

import pytest
from django.core.management import call_command

from accounts.models import Invitation, Membership, User
from demo.demo import load_demo
from exports.models import Export
from imports.models import ImportRow
from reference.models import Organisation, Register, Selection
from submissions.models import ChaseNote, Contact, Reminder, Revision, Submission
from surveys.models import Round, RoundRecipient, Survey

POINTING = (
    Submission,
    Reminder,
    ChaseNote,
    Contact,
    Membership,
    Invitation,
    RoundRecipient,
    ImportRow,
)


def _snapshot():
    members = Organisation.objects.filter(register__key="kommuner")
    out = {
        "municipalities": {
            pk: (code, name) for pk, code, name in members.values_list("pk", "code", "name")
        }
    }
    for model in POINTING:
        out[model.__name__] = sorted(model.objects.values_list("pk", "municipality_id"))
    out["Revision"] = sorted(Revision.objects.values_list("pk", "submission_id"))
    out["Export"] = sorted(Export.objects.values_list("pk", "checksum"))
    return out


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_with_the_demo_keeps_every_row_pointing_at_its_municipality():
    load_demo(out=lambda *_: None)
    # The demo as it was before registers: no schools (their round, answers and officer), no
    # saved selections.
    schools = Round.objects.filter(survey__register__key="erhvervsskoler")
    Revision.objects.filter(submission__round__in=schools).delete()
    Submission.objects.filter(round__in=schools).delete()
    schools.delete()
    Membership.objects.exclude(municipality__register__key="kommuner").delete()
    Selection.objects.all().delete()
    Survey.objects.filter(key="erhvervsskoler").update(
        register=Register.objects.get(key="kommuner")
    )
    Organisation.objects.filter(register__key="erhvervsskoler").delete()
    coordinator = User.objects.get(email="koordinator@demo.indberet.dk")
    round_ = Round.objects.get(slug="juniormesterlaere-2026-02")
    lolland = Organisation.objects.get(code="360")
    Contact.objects.create(municipality=lolland, name="Kontakt", email="k@lolland.dk")
    ChaseNote.objects.create(
        round=round_, municipality=lolland, author=coordinator, text="Ringet op."
    )
    Invitation.objects.create(
        email="ny@lolland.dk", municipality=lolland, user=coordinator, token="t" * 20
    )
    Export.objects.create(requested_by=coordinator, format="csv", filename="x.csv")
    before = _snapshot()
    assert len(before["Submission"]) == 209 and len(before["Revision"]) == len(before["Submission"])

    out = io.StringIO()
    call_command("migrate", "reference", "0001", stdout=out, verbosity=0)
    call_command(
        "migrate",
        "surveys",
        "0006_merge_draft_version_round_is_historical",
        stdout=out,
        verbosity=0,
    )
    call_command("migrate", stdout=out, verbosity=0)

    after = _snapshot()
    assert len(after["municipalities"]) == 98
    for key in ["municipalities", *[m.__name__ for m in POINTING], "Revision", "Export"]:
        assert after[key] == before[key], key
    assert Organisation.objects.count() == 98 + 5
    assert Organisation.objects.get(pk=lolland.pk).attributes == {
        "region": "1085",
        "dst_group": "Landkommuner",
        "population": 41105,  # reference.0006: residents on 1 January 2020
    }
    assert sorted(
        Organisation.objects.filter(register__key="regioner").values_list("code", "name")
    )[0] == ("1081", "Region Nordjylland")
    assert set(Survey.objects.values_list("register__key", flat=True)) == {"kommuner"}
