"""Imports from another time bank as their own app: it owns the table that remembers what came from where."""

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "exchanges.imports"
    label = "imports"
    default_auto_field = "django.db.models.BigAutoField"
