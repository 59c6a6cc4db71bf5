"""Conversations and messages (ordered by a per-conversation seq), blocks, reports, inbound SMS seen."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("Between two members")
        EXCHANGE = "exchange", _("About an exchange")

    network = models.ForeignKey("members.Network", on_delete=models.PROTECT, related_name="conversations")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    exchange = models.OneToOneField(
        "exchanges.Exchange", null=True, blank=True, on_delete=models.PROTECT, related_name="conversation"
    )
    # "lower-id:higher-id" for 1:1 conversations, so there is only ever one per pair and network.
    pair_key = models.CharField(max_length=50, null=True, blank=True)
    last_seq = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "pair_key"], condition=Q(pair_key__isnull=False), name="one_direct_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"


class Participant(models.Model):
    network = models.ForeignKey("members.Network", on_delete=models.PROTECT)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations")
    last_read_seq = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="one_participant_per_user")]


class Message(models.Model):
    network = models.ForeignKey("members.Network", on_delete=models.PROTECT)
    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="messages")
    seq = models.BigIntegerField()
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=4000)
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_id"],
                condition=~Q(client_id=""),
                name="message_client_id_unique",
            ),
            models.CheckConstraint(condition=Q(seq__gt=0), name="message_seq_positive"),
        ]


class Block(models.Model):
    """No new messages either way between the two, and matching keeps them apart."""

    network = models.ForeignKey("members.Network", on_delete=models.PROTECT)
    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "blocker", "blocked"], name="one_block_per_pair"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="no_self_block"),
        ]


class MessageReport(models.Model):
    network = models.ForeignKey("members.Network", on_delete=models.PROTECT)
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class ConversationAccess(models.Model):
    """A coordinator reading a conversation after a report or concern: always with a reason."""

    network = models.ForeignKey("members.Network", on_delete=models.PROTECT)
    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="accesses")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)


class InboundSms(models.Model):
    """A signed inbound SMS the provider delivered, kept while its timestamp is acceptable, so a second delivery
    of the same signed message is answered with the first reply and acts on nothing (messaging/services/sms.py)."""

    signature = models.CharField(max_length=64)
    reply = models.TextField(blank=True)
    # The reply has reached the provider: a later delivery of the message sends it only when it has not.
    sent = models.BooleanField(default=False)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["signature"], name="inbound_sms_once")]

    def __str__(self) -> str:
        return f"Inbound SMS {self.pk}"
