"""The ledger as an app of its own: it owns its models; its tables kept their first names."""

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "exchanges.ledger"
    label = "ledger"
    default_auto_field = "django.db.models.BigAutoField"
