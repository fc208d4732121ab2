import json

from django.core.management.base import BaseCommand, CommandError

from surveys.definitions import export_definition
from surveys.models import Definition


class Command(BaseCommand):
    help = "Export a survey definition as JSON (the newest version unless --version is given)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version is the definition version; it replaces Django's "print version" flag.
        kwargs["conflict_handler"] = "resolve"
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("key")
        parser.add_argument("--version", type=int, dest="def_version")
        parser.add_argument("--out", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        qs = Definition.objects.filter(survey__key=options["key"]).order_by("-version")
        if options["def_version"] is not None:
            qs = qs.filter(version=options["def_version"])
        definition = qs.first()
        if definition is None:
            raise CommandError(
                f"Ingen definition for '{options['key']}'"
                + (f" version {options['def_version']}" if options["def_version"] else "")
            )
        text = json.dumps(export_definition(definition), ensure_ascii=False, indent=2) + "\n"
        if options["out"]:
            try:
                with open(options["out"], "w", encoding="utf-8") as f:
                    f.write(text)
            except OSError as exc:
                raise CommandError(f"{options['out']}: {exc.strerror}")
            self.stderr.write(f"Skrevet: {options['out']}")
        else:
            self.stdout.write(text, ending="")
