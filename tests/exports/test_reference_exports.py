"""Municipal exports stay byte-identical (issue 14): every export of the demo rounds is
compared with a copy stored before registers of organisations were introduced
(tests/exports/reference_exports/, made from main at 5ce3bfc).

ZIP files (XLSX, data package) are compared member by member: the archive's own timestamps
and the workbook's creation time (docProps/core.xml) change with every build.

To write the files again after an *intended* change of a municipal export:
`WRITE_REFERENCE_EXPORTS=1 .venv/bin/pytest tests/exports/test_reference_exports.py`
(the run fails on purpose, so a set variable never hides a difference)."""

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from exports.services import csv_chunks, render_bytes
from surveys.models import Round
from tracking import nonresponders

REFERENCE = Path(__file__).resolve().parent / "reference_exports"
NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
SLUGS = (
    "juniormesterlaere-2025-09",
    "juniormesterlaere-2026-02",
    "juniormesterlaere-2026-09",
    "proevehandlinger-2026",
)
VOLATILE = {"docProps/core.xml"}


def _exports():
    """{file name: bytes} of every deterministic export of the demo rounds."""
    out = {}
    rounds = {r.slug: r for r in Round.objects.filter(slug__in=SLUGS)}
    sets = {slug: [rounds[slug]] for slug in SLUGS}
    sets["juniormesterlaere-stacked"] = [rounds[s] for s in SLUGS[:3]]
    for name, chosen in sets.items():
        # Personal data (e-mail questions) changes only the prøvehandlinger survey's files.
        for personal in (False, True) if name.startswith("proeve") else (False,):
            tag = f"{name}{'_personal' if personal else ''}"
            for fmt in ("csv", "csv-da", "long"):
                chunks, _ = csv_chunks(chosen, fmt, personal, use_copy=False)
                out[f"{tag}.{fmt}.csv"] = b"".join(chunks)
            for fmt in ("xlsx", "datapackage"):
                content, _ = render_bytes(chosen, fmt, personal)
                with zipfile.ZipFile(io.BytesIO(content)) as zf:
                    for member in sorted(zf.namelist()):
                        if member not in VOLATILE:
                            out[f"{tag}.{fmt}/{member}"] = zf.read(member)
    for slug in SLUGS:
        out[f"{slug}.nonresponders.csv"] = nonresponders.csv_bytes(rounds[slug])
    return out


@pytest.mark.django_db
def test_every_municipal_demo_export_is_byte_identical_to_the_stored_copy():
    with time_machine.travel(NOW, tick=False):
        call_command("load_demo", stdout=io.StringIO())
        produced = _exports()
    if os.environ.get("WRITE_REFERENCE_EXPORTS"):
        for name, content in produced.items():
            path = REFERENCE / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        pytest.fail(f"{len(produced)} reference files written; unset WRITE_REFERENCE_EXPORTS")
    stored = {
        str(p.relative_to(REFERENCE)): p.read_bytes()
        for p in REFERENCE.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert sorted(produced) == sorted(stored)
    different = [name for name in sorted(stored) if produced[name] != stored[name]]
    assert different == []
