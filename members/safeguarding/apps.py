"""Safeguarding as an app of its own, with its own models and migrations."""

from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "members.safeguarding"
    label = "safeguarding"
    default_auto_field = "django.db.models.BigAutoField"
