"""import_definition / export_definition / load_demo."""

import json

import pytest
from django.core.management import CommandError, call_command

from submissions.models import Submission
from surveys.definitions import SHIPPED_DIR
from surveys.models import Definition, Round


@pytest.mark.django_db
def test_import_then_export_round_trips_and_a_reimport_is_not_a_new_version(tmp_path, capsys):
    path = SHIPPED_DIR / "juniormesterlaere.json"
    call_command("import_definition", str(path))
    call_command("import_definition", str(path))
    assert Definition.objects.filter(survey__key="juniormesterlaere").count() == 1
    out = tmp_path / "out.json"
    call_command("export_definition", "juniormesterlaere", "--version", "1", "--out", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["version"] == 1
    assert {k: v for k, v in exported.items() if k != "version"} == json.loads(
        path.read_text(encoding="utf-8")
    )
    changed = {**exported, "description": {"da": "Ny tekst"}}
    out.write_text(json.dumps(changed), encoding="utf-8")
    capsys.readouterr()
    call_command("import_definition", str(out))
    assert "version 2" in capsys.readouterr().out
    call_command("export_definition", "juniormesterlaere")
    assert json.loads(capsys.readouterr().out)["version"] == 2


@pytest.mark.django_db
def test_import_errors_name_the_file_and_the_path_and_fail(tmp_path):
    bad = tmp_path / "bad.json"
    rule = {"key": "r", "expression": "a <= b", "severity": "error", "message": {"da": "M"}}
    bad.write_text(
        json.dumps(
            {
                "key": "x",
                "title": {"da": "X"},
                "questions": [{"key": "a", "type": "integer", "label": {"da": "A"}}],
                "rules": [rule],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"bad.json: rules\[0\].expression: unknown name 'b'"):
        call_command("import_definition", str(bad))
    with pytest.raises(CommandError, match="cannot read file"):
        call_command("import_definition", str(tmp_path / "missing.json"))


@pytest.mark.django_db
def test_export_of_an_unknown_survey_or_version_fails():
    with pytest.raises(CommandError):
        call_command("export_definition", "nope")
    call_command("import_definition", str(SHIPPED_DIR / "juniormesterlaere.json"))
    with pytest.raises(CommandError):
        call_command("export_definition", "juniormesterlaere", "--version", "9")


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_96_of_98_answered_in_february(capsys, settings, client):
    from accounts.models import User

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
    from submissions import services
    from surveys.models import Municipality

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
    saved = services.save_draft(trial, lolland, officer, answers, {}, 0)
    [warning] = saved.result.warnings
    assert warning["key"] == "share_high"
    explanation = {warning["explain"]: "Ny ordning på to skoler."}
    services.save_draft(trial, lolland, officer, answers, explanation, saved.submission.version)
    services.submit(trial, lolland, officer)
    assert trial.submissions.get().state == "submitted"
    assert feb.submissions.filter(state__in=("submitted", "accepted")).count() == 96
