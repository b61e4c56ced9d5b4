from django.core.management.commands.createcachetable import Command as CreateCacheTableCommand

from apps.core.management.commands._owner import schema_alias


class Command(CreateCacheTableCommand):
    help = CreateCacheTableCommand.help + " Runs as the owner role when DATABASE_OWNER_URL is set."

    def handle(self, *args, **options):
        options["database"] = schema_alias(options["database"])
        return super().handle(*args, **options)
