"""load_demo: the demonstration data."""

import pytest
from django.core.management import call_command

from accounts.models import User
from submissions.models import Submission
from surveys.models import Round


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_96_of_98_answered_in_february(capsys, settings, client):
    call_command("load_demo")
    first = capsys.readouterr().out
    call_command("load_demo")
    assert "Nye besvarelser i denne kørsel: 0" in capsys.readouterr().out
    feb = Round.objects.get(slug="juniormesterlaere-2026-02")
    assert feb.is_open and feb.is_demo and feb.previous.slug == "juniormesterlaere-2025-09"
    assert not feb.is_past_deadline()
    responded = feb.submissions.filter(state__in=("submitted", "accepted"))
    assert responded.count() == 96 and feb.recipients.count() == 98
    missing = set(feb.recipients.exclude(submissions__round=feb).values_list("name", flat=True))
    assert missing == {"Odder", "Syddjurs"}
    assert Round.objects.get(slug="juniormesterlaere-2025-09").is_closed
    ph = Round.objects.get(slug="proevehandlinger-2026")
    assert ph.recipients.count() == 31
    assert sum(len(s.answers["entries"]) for s in ph.submissions.all()) == 18
    assert all(s.revisions.count() == 1 for s in Submission.objects.all()[:20])
    assert Submission.objects.filter(error_count__gt=0).count() == 0
    for email in ("lolland@demo.indberet.dk", "koordinator@demo.indberet.dk"):
        assert email in first
    assert settings.DEMO_PASSWORD in first and "tofaktor" in first

    client.force_login(User.objects.get(email="odder@demo.indberet.dk"))
    html = client.get("/indberet/juniormesterlaere-2026-02/727/").content.decode()
    assert "syntetiske" in html
    assert "syntetiske" in client.get("/").content.decode()


def test_the_demo_officers_get_an_open_september_round_to_try_without_touching_february(capsys, db):
    import datetime as dt

    from django.utils import timezone

    from accounts.models import User
    from reference.models import Municipality
    from submissions import services

    call_command("load_demo")
    out = capsys.readouterr().out
    trial = Round.objects.get(slug="juniormesterlaere-2026-09")
    feb = Round.objects.get(slug="juniormesterlaere-2026-02")
    assert trial.is_open and trial.is_demo and trial.previous == feb
    assert trial.recipients.count() == 98 and not trial.submissions.exists()
    assert "September 2026" in out and "690 elever og 150 tilmeldte" in out
    for round_ in Round.objects.filter(is_demo=True):
        assert timezone.localtime(round_.deadline).time() == dt.time(23, 59), round_.slug
        assert round_.opened_at is None or round_.opened_at <= timezone.now()

    officer = User.objects.get(email="lolland@demo.indberet.dk")
    lolland = Municipality.objects.get(code="360")
    answers = {"pupils_8_9": "690", "enrolled": "150"}
    saved = services.save_draft(
        trial, lolland, actor=officer, answers=answers, explanations={}, version=0
    )
    [warning] = saved.result.warnings
    assert warning["key"] == "share_high"
    explanation = {warning["explain"]: "Ny ordning på to skoler."}
    services.save_draft(
        trial,
        lolland,
        actor=officer,
        answers=answers,
        explanations=explanation,
        version=saved.submission.version,
    )
    services.submit(trial, lolland, actor=officer)
    assert trial.submissions.get().state == "submitted"
    assert feb.submissions.filter(state__in=("submitted", "accepted")).count() == 96


def test_september_2025_is_a_historical_round_loaded_by_the_import_with_the_demos_figures(db):
    """Issue 15: the September 2025 round is created as a historical round and filled by the
    bulk import (one revision per row naming the source file), with the figures of
    demo/data/demo_juniormesterlaere.csv unchanged, and it feeds February's history checks."""
    import csv

    from demo.demo import DATA, DEMO_TAG
    from imports.models import Import
    from submissions.validation import validate

    call_command("load_demo")
    sep = Round.objects.get(slug="juniormesterlaere-2025-09")
    assert sep.is_historical and sep.is_closed and sep.is_demo and sep.opened_at is None
    [upload] = Import.objects.filter(round=sep)
    assert upload.state == "applied" and upload.file_name.endswith(".csv")
    with open(DATA / "demo_juniormesterlaere.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["round"] == "2025-09"]
    stored = {s.municipality.code: s for s in sep.submissions.select_related("municipality")}
    assert len(stored) == sum(1 for r in rows if r["state"] == "submitted") > 90
    spec = sep.definition.spec
    for r in rows:
        if r["state"] != "submitted":
            assert r["municipality_code"] not in stored
            continue
        answers = {"pupils_8_9": int(r["pupils_8_9"]), "enrolled": int(r["enrolled"])}
        if r["comment"]:
            answers["comment"] = r["comment"]
        result = validate(spec, answers)
        sub = stored[r["municipality_code"]]
        assert sub.answers == result.answers and sub.state == "submitted" and not sub.late
        assert set(sub.explanations) == {w["explain"] for w in result.warnings}
        assert all(text.startswith(DEMO_TAG) for text in sub.explanations.values())
        [revision] = sub.revisions.all()
        assert revision.on_behalf and upload.sha256 in revision.note
    feb = Round.objects.get(slug="juniormesterlaere-2026-02")
    assert feb.previous == sep
