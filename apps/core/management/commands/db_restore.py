"""Restore a dump into a new database, as the owner role: the restore drill, or the way back after a loss."""

from django.core.management.base import BaseCommand, CommandError

from apps.core import backups


class Command(BaseCommand):
    help = (
        "Restore a dump (a file's path, or a name in the backups storage such as "
        "database/tijori-2026-01-31.dump) into a new database; an existing database is never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="the dump: a local path or a name in the backups storage")
        parser.add_argument("--database", required=True, help="name of the new database to restore into")

    def handle(self, *args, **options):
        try:
            summary = backups.database_restore(source=options["source"], database=options["database"])
        except backups.BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Restored into {summary.database}: {summary.tables} tables, {summary.rows} rows, "
            f"{summary.policies} row-level-security policies, {summary.triggers} triggers. "
            "Point DATABASE_URL and DATABASE_OWNER_URL at it to run Tijori on it."
        )
