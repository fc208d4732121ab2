"""add_user EMAIL --role ROLE [--municipality CODE ...]: create or update one user, idempotently."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import ensure_user
from reference.models import KOMMUNER, Municipality


class Command(BaseCommand):
    help = (
        "Opret eller opdatér en bruger med rolle og kommuner. Idempotent: kører du den igen med "
        "de samme værdier, ændres intet."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="E-mailadressen, brugeren logger ind med.")
        parser.add_argument("--role", required=True, choices=Role.values, help="Brugerens rolle.")
        parser.add_argument(
            "--municipality",
            dest="municipalities",
            action="extend",
            nargs="+",
            default=[],
            metavar="CODE",
            help="Kommunekode(r), fx 360 727. Kan gentages.",
        )
        parser.add_argument(
            "--register",
            default=KOMMUNER,
            help="Registret, koderne hører til (fx erhvervsskoler). Standard: kommuner.",
        )
        parser.add_argument("--name", default="", help="Brugerens navn.")
        parser.add_argument(
            "--password",
            default=None,
            help="Adgangskode. Udelades den, logger brugeren ind med en kode sendt på e-mail.",
        )

    def handle(self, *args, email, role, municipalities, name, password, register, **options):
        # Name every unknown code before anything is written (ensure_user refuses them too).
        known = set(
            Municipality.objects.of_register(register)
            .filter(code__in=municipalities)
            .values_list("code", flat=True)
        )
        unknown = [code for code in dict.fromkeys(municipalities) if code not in known]
        if unknown:
            raise CommandError(f"Ukendt kommunekode: {', '.join(unknown)}")
        try:
            user, changed = ensure_user(
                email,
                role,
                municipality_codes=municipalities,
                name=name,
                password=password or None,
                register=register,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        codes = ", ".join(
            user.memberships.order_by("municipality__code").values_list(
                "municipality__code", flat=True
            )
        )
        summary = f"{user.email} ({user.role}{'; ' + codes if codes else ''})"
        if changed:
            self.stdout.write(self.style.SUCCESS(f"Gemt: {summary}"))
        else:
            self.stdout.write(f"Uændret (unchanged): {summary}")
