"""Your data: export and erasure. It sits above every other app (it reads and writes all of them)
and owns no models."""

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "members.privacy"
    label = "privacy"
    default_auto_field = "django.db.models.BigAutoField"
