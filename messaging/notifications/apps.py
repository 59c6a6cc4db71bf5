"""Notifications as an app of their own, below every app that tells people things."""

import sqlite3

from django.apps import AppConfig
from django.core import checks
from django.db import connections


class NotificationsConfig(AppConfig):
    name = "messaging.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        checks.register(sqlite_returns_claims, checks.Tags.database)
        checks.register(push_only_to_the_internet, checks.Tags.security, deploy=True)


def sqlite_returns_claims(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """The outbox claims a delivery with `UPDATE … RETURNING` (delivery.py), which SQLite has from 3.35."""
    uses_sqlite = any(connections[alias].vendor == "sqlite" for alias in databases or ())
    if uses_sqlite and sqlite3.sqlite_version_info < (3, 35):
        return [
            checks.Error(
                f"SQLite {sqlite3.sqlite_version} is too old: deliveries need 3.35 or newer (UPDATE … RETURNING).",
                id="notifications.E001",
            )
        ]
    return []


def push_only_to_the_internet(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production sends pushes to push services on the internet only (messaging/notifications/endpoints.py)."""
    from django.conf import settings

    if settings.PUSH_ALLOW_LOOPBACK_HTTP and not settings.DEBUG:
        return [
            checks.Warning(
                "TIMEBANK_PUSH_LOCAL_SERVICE is set: this server would send pushes to addresses on its own network.",
                hint="Unset it; it is for the push benchmark only.",
                id="notifications.W001",
            )
        ]
    return []
