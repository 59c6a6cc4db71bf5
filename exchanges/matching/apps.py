"""Matching as its own app: it owns its derived skill tables and their migrations."""

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "exchanges.matching"
    label = "matching"
    default_auto_field = "django.db.models.BigAutoField"
