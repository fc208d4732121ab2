from django.core.management.base import BaseCommand, CommandError

from surveys.definition_store import import_definition
from surveys.definitions import DefinitionError, read_definition_file


class Command(BaseCommand):
    help = (
        "Import a survey definition (JSON) as the next version of its survey. An identical "
        "definition is not stored twice. Errors name the path of the problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            content = read_definition_file(options["file"])
            definition, created = import_definition(content)
        except DefinitionError as exc:
            raise CommandError(f"{options['file']}: {exc}")
        if created:
            self.stdout.write(f"Importeret: {definition.survey.key} version {definition.version}")
        else:
            self.stdout.write(
                f"Uændret: {definition.survey.key} version {definition.version} er identisk"
            )
