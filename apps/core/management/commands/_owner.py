"""Schema changes run as the owner role when one is configured (DATABASE_OWNER_URL)."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


def schema_alias(alias: str) -> str:
    """`owner` instead of the default alias whenever the default connects as the app role.

    The app role may not create or alter tables. While the test suite builds its database the default
    connection is the owner itself, and stays where it is.
    """
    if (
        alias == DEFAULT_DB_ALIAS
        and "owner" in settings.DATABASES
        and settings.DATABASE_APP_ROLE
        and connections[DEFAULT_DB_ALIAS].settings_dict.get("USER") == settings.DATABASE_APP_ROLE
    ):
        return "owner"
    return alias
