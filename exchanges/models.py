"""Listings and exchanges. The ledger (accounts, transfers, holds) is the `exchanges.ledger` app."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Listing(models.Model):
    class Kind(models.TextChoices):
        OFFER = "offer", _("Offer")
        REQUEST = "request", _("Request")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    network = models.ForeignKey("members.Network", on_delete=models.PROTECT, related_name="listings")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(max_length=140)
    description = models.TextField(blank=True, max_length=4000)
    skills = models.ManyToManyField("members.Skill", blank=True, related_name="listings")
    minutes_estimate = models.PositiveIntegerField(null=True, blank=True)
    availability = models.JSONField(default=list, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["network", "status", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class Activity(models.Model):
    """A group activity a coordinator records in one go (a coffee morning, a session): one provider to many
    recipients or many to one; each pair is one exchange, posted together."""

    network = models.ForeignKey("members.Network", on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(max_length=140)
    happened_on = models.DateField()
    minutes = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.title} ({self.happened_on})"


class Exchange(models.Model):
    """One piece of help: the provider earns, the recipient pays. A null party is the network's pot."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        AWAITING_APPROVAL = "awaiting_approval", _("Waiting for a coordinator")
        ACCEPTED = "accepted", _("Agreed")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        CLAIMED = "claimed", _("Done, waiting for confirmation")
        DISPUTED = "disputed", _("Disputed")
        POSTED = "posted", _("Confirmed and paid")

    network = models.ForeignKey("members.Network", on_delete=models.PROTECT, related_name="exchanges")
    listing = models.ForeignKey(Listing, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges")
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges_provided"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges_received"
    )
    minutes = models.PositiveIntegerField()
    claimed_minutes = models.PositiveIntegerField(null=True, blank=True)
    held_minutes = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True, max_length=2000)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Which party proposed / claimed ("provider", "recipient", or "" when a coordinator did it for
    # both): the actor may be a supporter or coordinator acting with a party, so the user alone can't say.
    proposed_side = models.CharField(max_length=9, blank=True, default="")
    claimed_side = models.CharField(max_length=9, blank=True, default="")
    needs_coordinator = models.BooleanField(default=False)  # e.g. posting would cross a floor
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    # The agreed time (POST …/schedule/), and when each reminder around it went (each goes once).
    scheduled_for = models.DateTimeField(null=True, blank=True)
    reminded_day_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_at = models.DateTimeField(null=True, blank=True)
    asked_after_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["network", "state"]), models.Index(fields=["state", "claimed_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="exchange_minutes_positive"),
            models.CheckConstraint(
                condition=Q(provider__isnull=False) | Q(recipient__isnull=False), name="exchange_not_pot_to_pot"
            ),
            models.CheckConstraint(condition=~Q(provider=F("recipient")), name="exchange_two_parties"),
        ]

    def __str__(self) -> str:
        return f"Exchange {self.pk} ({self.state})"
