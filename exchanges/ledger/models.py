"""The ledger: accounts, transfers, holds, the feed of new transfers, idempotency records.

The database enforces it: integer minutes, positive transfers between two different accounts of the
transfer's own network, no account but issuance below its floor, one posted transfer per exchange,
transfers never changed; on PostgreSQL a balance moves only with a transfer and a hold only with a hold
row (exchanges migration 0014 has the keys and triggers Django cannot declare). The tables keep their
first names (`exchanges_*`): that SQL, the one-statement transfer and the bench read them by name.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Reasons and notes the service writes, stored in English as every reason is and shown in the reader's language
# (`selectors.transfer_description`).
WELCOME_REASON = gettext_noop("Welcome hours")
LEFT_BALANCE = gettext_noop("Balance on leaving")
LEFT_DEBT_SETTLED = gettext_noop("Debt settled on leaving")
LEFT_DEBT_WRITTEN_OFF = gettext_noop("Debt written off on leaving")
SYSTEM_REASONS = frozenset({WELCOME_REASON, LEFT_BALANCE, LEFT_DEBT_SETTLED, LEFT_DEBT_WRITTEN_OFF})


class Account(models.Model):
    """Stored balance and holds in integer minutes. One per trading membership, one pot, one issuance."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        POT = "pot", _("Network pot")
        ISSUANCE = "issuance", _("Issuance")

    network = models.ForeignKey("members.Network", on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    membership = models.OneToOneField(
        "members.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    balance = models.BigIntegerField(default=0)
    held = models.BigIntegerField(default=0)
    floor = models.BigIntegerField(default=0)
    floor_reason = models.CharField(max_length=200, blank=True)  # set when a coordinator overrides
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "exchanges_account"
        constraints = [
            models.CheckConstraint(condition=Q(held__gte=0), name="account_held_not_negative"),
            # The backstop: the database refuses an overdraft even in a race.
            models.CheckConstraint(
                condition=Q(kind="issuance") | Q(balance__gte=F("held") + F("floor")),
                name="account_available_above_floor",
            ),
            models.CheckConstraint(
                condition=Q(kind="member", membership__isnull=False) | Q(~Q(kind="member"), membership__isnull=True),
                name="account_member_has_membership",
            ),
            models.CheckConstraint(condition=~Q(kind="pot") | Q(floor__gte=0), name="account_pot_floor_zero"),
            models.UniqueConstraint(
                fields=["network", "kind"], condition=~Q(kind="member"), name="one_pot_and_issuance_per_network"
            ),
            # The target of the composite keys from transfers and holds (migration 0013): a transfer's
            # accounts are in the transfer's network, checked by the database, not only by the service.
            models.UniqueConstraint(fields=["id", "network"], name="account_id_network_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} account {self.pk} in network {self.network_id}"

    @property
    def has_floor(self) -> bool:
        """Every account but issuance has a floor; hours enter a network from issuance, which has none."""
        return self.kind != self.Kind.ISSUANCE

    @property
    def available(self) -> int:
        return self.balance - self.held

    @property
    def can_give(self) -> int:
        """What may leave the account now: down to its floor, less what is held for agreed help."""
        return max(0, self.balance - self.held - self.floor)


class Transfer(models.Model):
    """An immutable movement of minutes. Never updated, never deleted: a reversal corrects it."""

    class Kind(models.TextChoices):
        EXCHANGE = "exchange", _("Exchange")
        GIFT = "gift", _("Gift")
        DONATION = "donation", _("Donation to the pot")
        GRANT = "grant", _("Grant from the pot")
        ISSUE = "issue", _("Issued")
        ADJUSTMENT = "adjustment", _("Adjustment")
        REVERSAL = "reversal", _("Reversal")

    network = models.ForeignKey("members.Network", on_delete=models.PROTECT, related_name="transfers")
    from_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_out")
    to_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_in")
    minutes = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    exchange = models.ForeignKey(
        "exchanges.Exchange", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    memo = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "exchanges_transfer"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["network", "kind", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="transfer_minutes_positive"),
            models.CheckConstraint(condition=~Q(from_account=F("to_account")), name="transfer_two_accounts"),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="transfer_idempotency_key_per_caller",
            ),
            models.UniqueConstraint(
                fields=["exchange"], condition=Q(kind="exchange"), name="one_transfer_per_exchange"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.minutes} min {self.from_account_id}->{self.to_account_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Transfers are immutable: correct a mistake with a reversal.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Transfers are never deleted: correct a mistake with a reversal.")


class TransferFeed(models.Model):
    """Transfers not yet read by those who keep figures from the ledger (the report roll-ups).

    Written in the transfer's own transaction, so none is missed; a reader applies rows and deletes them
    in one transaction of its own, so none is counted twice. The ledger never calls its readers.
    """

    transfer = models.OneToOneField(Transfer, on_delete=models.CASCADE, primary_key=True, related_name="+")
    network = models.ForeignKey("members.Network", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "exchanges_transferfeed"


class Hold(models.Model):
    """Minutes reserved on the payer's account for one agreed exchange, so the help can always be paid.

    Placed when the exchange is accepted, released once (posted or cancelled), never deleted: the
    account's `held` is the sum of its open holds, and `verify_ledger` checks it from these rows.
    """

    network = models.ForeignKey("members.Network", on_delete=models.PROTECT, related_name="holds")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="holds")
    exchange = models.ForeignKey("exchanges.Exchange", on_delete=models.PROTECT, related_name="holds")
    minutes = models.BigIntegerField()
    placed_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "exchanges_hold"
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="hold_minutes_positive"),
            models.UniqueConstraint(
                fields=["exchange"], condition=Q(released_at__isnull=True), name="one_open_hold_per_exchange"
            ),
        ]

    def __str__(self) -> str:
        return f"hold of {self.minutes} min on account {self.account_id} for exchange {self.exchange_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a keyed request, replayed for the same caller and key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "exchanges_idempotencyrecord"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")]
