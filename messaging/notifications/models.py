"""A person's notifications and how they like to hear of them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.notifications.kinds import kind_render


class Notification(models.Model):
    """Something that happened to you, or to a member you support (`about`), stored as a kind and its
    parameters (`data`) and rendered in the reader's language (`kinds.py`). `text` is the words as first
    rendered, kept for rows whose kind has no words."""

    network = models.ForeignKey("members.Network", null=True, blank=True, on_delete=models.PROTECT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # A copy relayed to a supporter (or, with no supporter, a coordinator): the member it is about, and
    # the member's own row it copies (reading either marks both read).
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    relayed_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="relays")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.shown

    @property
    def shown(self) -> str:
        """The words in the active language (a page has the reader's)."""
        return kind_render(self.kind, self.data, self.text)


class NotificationPreference(models.Model):
    """How a person likes to hear of things, and the language they read in (PRODUCT §4 `me/preferences`)."""

    class Language(models.TextChoices):
        ENGLISH = "en-gb", "English"
        WELSH = "cy", "Cymraeg"

    class Digest(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        OFF = "off", _("Off")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    push = models.BooleanField(default=True)
    email_digest = models.CharField(max_length=6, choices=Digest.choices, default=Digest.DAILY)
    sms = models.BooleanField(default=False)
    # When the last weekly round-up went, so a run twice in a week sends it once.
    weekly_sent_at = models.DateTimeField(null=True, blank=True)
