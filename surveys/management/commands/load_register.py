"""load_register KEY FILE [--apply] [--keep-missing]: the members of a register from a CSV or
XLSX file, as on the register's page: without --apply it only prints what would change."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reference.member_import import FileError, plan_members, read_table
from reference.models import Register
from surveys.registers import RegisterError, apply_members


class Command(BaseCommand):
    help = (
        "Indlæs et registers medlemmer fra en CSV- eller XLSX-fil. Uden --apply vises kun, "
        "hvad filen vil ændre."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", help="Registrets nøgle, fx erhvervsskoler.")
        parser.add_argument("file", help="CSV eller XLSX med code, name og egenskaberne.")
        parser.add_argument("--apply", action="store_true", help="Gem ændringerne.")
        parser.add_argument(
            "--keep-missing",
            action="store_true",
            help="Fjern ikke medlemmer, der mangler i filen.",
        )

    def handle(self, *args, key, file, apply, keep_missing, **options):
        register = Register.objects.filter(key=key).first()
        if register is None:
            raise CommandError(f"Ukendt register: {key}")
        path = Path(file)
        try:
            table = read_table(path.read_bytes(), path.name)
        except (OSError, FileError) as exc:
            raise CommandError(str(exc)) from None
        plan = plan_members(register, table, remove_missing=not keep_missing)
        if not plan.ok:
            for problem in plan.problems:
                self.stderr.write(f"Række {problem.row}: {problem.message}")
            raise CommandError("Filen er ikke indlæst.")
        removed = [
            f"{m.code} ({'deaktiveres' if m.referenced else 'slettes'})" for m in plan.removed
        ]
        self.stdout.write(f"Tilføjes: {', '.join(r.code for r in plan.added) or '—'}")
        self.stdout.write(f"Ændres: {', '.join(c.code for c in plan.changed) or '—'}")
        self.stdout.write(f"Fjernes: {', '.join(removed) or '—'}")
        if not apply:
            self.stdout.write("Intet er gemt (brug --apply).")
            return
        try:
            applied = apply_members(register, table, actor=None, remove_missing=not keep_missing)
        except RegisterError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Gemt: {applied.added} tilføjet, {applied.changed} ændret, "
            f"{applied.deactivated} deaktiveret, {applied.deleted} slettet."
        )
