"""Dump the database into the backups storage now (the beat job does it daily)."""

from django.core.management.base import BaseCommand, CommandError

from apps.core import backups


class Command(BaseCommand):
    help = "Dump the database (pg_dump) into the backups storage as today's file; keeps one already taken."

    def handle(self, *args, **options):
        try:
            name = backups.database_backup()
        except backups.BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Backup stored as {name} in the `{backups.BACKUP_STORAGE}` storage.")
