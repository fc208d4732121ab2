from django.core.management.base import BaseCommand

from demo.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo (idempotent): shipped definitions, demo users for each role, two "
        "juniormesterlære rounds and a prøvehandlinger round with synthetic answers."
    )

    def handle(self, *args, **options):
        load_demo(out=self.stdout.write)
