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
    """How a person likes to hear of things (PRODUCT §4 `me/preferences`; the language they read in is the
    person's own, `User.language`)."""

    class Digest(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        OFF = "off", _("Off")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    push = models.BooleanField(default=True)
    email_digest = models.CharField(max_length=6, choices=Digest.choices, default=Digest.DAILY)
    sms = models.BooleanField(default=False)
    # The push groups (`kinds.PUSH_GROUPS`) switched off: their notifications are kept and shown in the app,
    # but not pushed. A group added later starts on.
    push_off = models.JSONField(default=list, blank=True)
    # When the last weekly round-up went, so a run twice in a week sends it once.
    weekly_sent_at = models.DateTimeField(null=True, blank=True)


class PushSubscription(models.Model):
    """A browser's Web Push subscription (its `PushSubscription` JSON): where and how to send it pushes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000)
    p256dh = models.CharField(max_length=100)  # the browser's public key, base64url
    auth = models.CharField(max_length=40)  # its 16-byte authentication secret, base64url
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint"], name="one_subscription_per_endpoint")]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of user {self.user_id}"


class Delivery(models.Model):
    """The outbox: one notification to send on one channel, written in the notification's transaction and
    sent by the task worker. pending → sending → sent, or back to pending (later) on a provider's failure,
    or failed after the last attempt; `gone` when the push service says the subscription no longer exists."""

    class Channel(models.TextChoices):
        PUSH = "push", "Web Push"
        SMS = "sms", "SMS"

    class State(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"
        GONE = "gone"

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=4, choices=Channel.choices)
    subscription = models.ForeignKey(PushSubscription, null=True, blank=True, on_delete=models.SET_NULL)
    phone = models.CharField(max_length=30, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel} delivery {self.pk} ({self.state})"
