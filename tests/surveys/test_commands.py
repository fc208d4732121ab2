"""import_definition / export_definition."""

import json

import pytest
from django.core.management import CommandError, call_command

from surveys.definitions import SHIPPED_DIR
from surveys.models import Definition


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
