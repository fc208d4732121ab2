from django.core.management.base import BaseCommand, CommandError

from lib.backup import BackupError, restore


class Command(BaseCommand):
    # A backup or a restore during an incident must not wait for, or be stopped by, the
    # application's system checks (which import every view).
    requires_system_checks: list[str] = []
    help = (
        "Restore a backup made by backup_database into the configured database, which must be "
        "empty (create a fresh one first). See docs/deploy.md: Restore drill."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file written by backup_database.")
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, file, database, **options):
        try:
            tables = restore(file, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"Restored {file}: {len(tables)} tables.")
