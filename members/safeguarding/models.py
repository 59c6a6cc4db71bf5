"""Checks on a membership and concerns about people, exchanges and conversations."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Membership, Network, User


class SafeguardingCheck(models.Model):
    """A check on a membership. Never the DBS disclosure's content."""

    class Kind(models.TextChoices):
        REFERENCE = "reference", _("Reference")
        DBS = "dbs", _("DBS check")
        DRIVING_LICENCE = "driving_licence", _("Driving licence")
        INSURANCE = "insurance", _("Car insurance")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLEAR = "clear", _("Clear")
        ACCEPTED = "accepted", _("Accepted after review")
        REFUSED = "refused", _("Refused")

    class DbsLevel(models.TextChoices):
        """The levels of a DBS certificate, in plain words (the one place they are named)."""

        BASIC = "basic", _("Basic")
        STANDARD = "standard", _("Standard")
        ENHANCED = "enhanced", _("Enhanced")
        ENHANCED_BARRED = "enhanced_barred", _("Enhanced, with the barred lists")

    network = models.ForeignKey(Network, on_delete=models.PROTECT)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    referee = models.CharField(max_length=120, blank=True)  # references: who
    dbs_level = models.CharField(max_length=20, blank=True)  # a DbsLevel, checked by the service
    certificate_number = models.CharField(max_length=30, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    checked_on = models.DateField()
    review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review_on"]

    @property
    def dbs_level_label(self) -> str:
        """The DBS level in plain words, in the active language ("" when there is none)."""
        if not self.dbs_level:
            return ""
        try:
            return str(self.DbsLevel(self.dbs_level).label)
        except ValueError:
            return self.dbs_level


class Concern(models.Model):
    """A safeguarding worry. Goes to the coordinators; never shown to the person concerned."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    network = models.ForeignKey(Network, on_delete=models.PROTECT)
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="concerns_raised")
    about_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    about_exchange = models.ForeignKey(
        "exchanges.Exchange", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    about_conversation = models.ForeignKey(
        "messaging.Conversation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    happened_offline = models.BooleanField(default=False)
    description = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
