"""Notifications as an app of their own, below every app that tells people things."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "messaging.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
