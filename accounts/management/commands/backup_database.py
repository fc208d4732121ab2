from django.core.management.base import BaseCommand, CommandError

from lib.backup import BackupError, backup, engine


class Command(BaseCommand):
    # A backup or a restore during an incident must not wait for, or be stopped by, the
    # application's system checks (which import every view).
    requires_system_checks: list[str] = []
    help = (
        "Back up the configured database to a file: pg_dump custom format on PostgreSQL, "
        "the SQLite backup API on SQLite. See docs/deploy.md: Backups."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The backup file to write.")
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, out, database, **options):
        try:
            path = backup(out, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc))
        size = path.stat().st_size
        self.stdout.write(f"Backed up {engine(database)} database to {path} ({size} bytes).")
