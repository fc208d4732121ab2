from django.core.management.base import BaseCommand

from reference.models import Municipality
from reference.municipalities import MUNICIPALITIES_CSV, load_municipalities


class Command(BaseCommand):
    help = (
        "Load or update the 98 municipalities from reference/data/municipalities.csv (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(MUNICIPALITIES_CSV))

    def handle(self, *args, **options):
        created, updated = load_municipalities(Municipality, options["file"])
        total = Municipality.objects.municipalities().count()
        self.stdout.write(f"Kommuner: {created} oprettet, {updated} opdateret, {total} i alt.")
