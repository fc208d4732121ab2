"""Export one or more rounds from the command line, logged like any other export:

manage.py export_round SLUG [SLUG …] [--out FILE]
    --format {csv,csv-da,long,xlsx,datapackage,pdf,pdf-anonym}
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from exports.services import FORMATS, build_export, run_background_export
from surveys.models import Round


class Command(BaseCommand):
    help = (
        "Eksportér en eller flere runder (samme undersøgelse) som CSV, XLSX, datapakke eller PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="+", metavar="SLUG")
        parser.add_argument("--format", choices=list(FORMATS), default="csv")
        parser.add_argument("--out", help="File to write (default: standard output).")
        parser.add_argument(
            "--include-personal",
            action="store_true",
            help="Keep e-mail questions (contact persons). Off by default.",
        )

    def handle(self, *args, slugs, format, out, include_personal, **options):
        rounds = list(Round.objects.select_related("survey", "definition").filter(slug__in=slugs))
        missing = sorted(set(slugs) - {r.slug for r in rounds})
        if missing:
            raise CommandError(f"unknown round(s): {', '.join(missing)}")
        try:
            filename, _, content, export = build_export(
                None, rounds, fmt=format, include_personal=include_personal, via="command"
            )
        except ValueError as exc:
            raise CommandError(str(exc))
        if content is None:  # a big report: build it here rather than wait for a worker
            run_background_export(export.id)
            export.refresh_from_db()
            content = bytes(export.content)
        stream = open(out, "wb") if out else sys.stdout.buffer  # noqa: SIM115
        try:
            for chunk in (content,) if isinstance(content, bytes) else content:
                stream.write(chunk)
        finally:
            if out:
                stream.close()
            else:
                stream.flush()
        export.refresh_from_db()
        self.stderr.write(
            f"{out or filename}: {export.size} bytes, {export.rows} rows, sha256 {export.checksum}"
        )
