"""Reports as their own app: roll-ups and wellbeing check-ins with their own migrations."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "exchanges.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"
