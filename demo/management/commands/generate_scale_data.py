"""Build a reproducible synthetic dataset for benchmarks (see demo/scale.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.scale import generate


class Command(BaseCommand):
    help = (
        "Opret et syntetisk datasæt til belastningstest: N kommuner × R runder af "
        "juniormesterlære (og en runde prøvehandlinger med --entries). Alt er markeret "
        "syntetisk: koder fra 1001, runder med is_demo og titlen '[Syntetisk] …'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipalities", type=int, default=1000, metavar="N")
        parser.add_argument("--rounds", type=int, default=40, metavar="R")
        parser.add_argument(
            "--entries",
            type=int,
            default=0,
            metavar="E",
            help="Også en runde prøvehandlinger med op til E poster pr. kommune (0 = ingen).",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--replace", action="store_true", help="Erstat et tidligere datasæt for samme N."
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            stats = generate(
                options["municipalities"],
                options["rounds"],
                entries=options["entries"],
                seed=options["seed"],
                replace=options["replace"],
                log=self.stdout.write,
            )
        except ValueError as exc:
            raise CommandError(str(exc))
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Syntetisk datasæt: {stats.rounds} runder, {stats.submissions} besvarelser "
            f"{dict(sorted(stats.by_state.items()))}, {stats.revisions} revisioner, "
            f"{stats.reminders} påmindelser, {stats.chase_notes} opfølgningsnoter, "
            f"{stats.entries} poster, {stats.warnings_explained} forklarede advarsler, "
            f"{stats.municipalities_created} nye kommuner, {stats.users_created} nye brugere "
            f"— {elapsed:.1f} s."
        )
