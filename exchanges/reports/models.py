"""Roll-up tables for reports, and wellbeing check-ins.

Roll-ups hold plain integer keys (no foreign keys): they are derived data, rebuilt from the ledger
by `manage.py rebuild_rollups`, and must never block erasing or protecting anything.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The category key for exchanges whose listing names no skill (members often just write).
UNCATEGORISED = 0


class RollupMonthKind(models.Model):
    """Minutes and transfers per network × month × transfer kind × skill category (exchanges only).

    Net of reversals: a reversal is booked against the month, kind and category of what it reverses.
    Every transfer of a network in a month adds to the same key, so each key is spread over
    `STRIPES` rows (chosen by transfer id) and readers add the stripes up: concurrent transfers
    would otherwise queue on one row lock until each commits. A rebuild writes stripe 0 only.
    """

    STRIPES = 16

    network_pk = models.BigIntegerField()
    month = models.DateField()
    kind = models.CharField(max_length=10)
    category_pk = models.BigIntegerField(default=UNCATEGORISED)
    stripe = models.SmallIntegerField(db_default=0)
    minutes = models.BigIntegerField(default=0)
    transfers = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network_pk", "month", "kind", "category_pk", "stripe"], name="rollup_month_kind_key"
            )
        ]


class RollupMemberMonth(models.Model):
    """One member's exchange activity in one network and month: what they gave and received."""

    network_pk = models.BigIntegerField()
    month = models.DateField()
    user_pk = models.BigIntegerField()
    given_minutes = models.BigIntegerField(default=0)
    received_minutes = models.BigIntegerField(default=0)
    given_count = models.BigIntegerField(default=0)
    received_count = models.BigIntegerField(default=0)
    last_exchange_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network_pk", "month", "user_pk"], name="rollup_member_month_key")
        ]


class RollupMemberCategory(models.Model):
    """Exchanges a member took part in (either side) per network × month × skill category."""

    network_pk = models.BigIntegerField()
    month = models.DateField()
    category_pk = models.BigIntegerField(default=UNCATEGORISED)
    user_pk = models.BigIntegerField()
    exchanges = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network_pk", "month", "category_pk", "user_pk"], name="rollup_member_category_key"
            )
        ]


class RollupCategorySpan(models.Model):
    """The months (as bits of a 60-month block) in which a member took part in a skill category.

    Lets a report count the distinct people in a category over any run of months by reading one row
    per person and block, instead of one per person and month. Derived from RollupMemberCategory.
    """

    BLOCK = 60

    network_pk = models.BigIntegerField()
    category_pk = models.BigIntegerField(default=UNCATEGORISED)
    user_pk = models.BigIntegerField()
    block = models.IntegerField()
    months_mask = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["network_pk", "block", "category_pk"], name="rollup_span_block"),
            # Periods across two blocks count people per category from this index alone (PostgreSQL).
            models.Index(
                fields=["network_pk", "category_pk", "user_pk", "block"],
                include=["months_mask"],
                name="rollup_span_people",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["network_pk", "category_pk", "user_pk", "block"], name="rollup_category_span_key"
            )
        ]


class RollupMemberSpan(models.Model):
    """The months (as bits of a 60-month block) in which a member gave, and in which they received, in
    one network: a month's bit is set while that member-month's count is positive.

    Lets a report find who took part over any run of months, and how many took part in each month,
    from one row per person and block instead of one per person and month. Derived from
    RollupMemberMonth.
    """

    BLOCK = 60

    network_pk = models.BigIntegerField()
    user_pk = models.BigIntegerField()
    block = models.IntegerField()
    gave_mask = models.BigIntegerField(default=0)
    received_mask = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network_pk", "block", "user_pk"], name="rollup_member_span_key")
        ]


class RollupPair(models.Model):
    """Two members who have exchanged (lower user id first): the month of their first exchange, and
    how many exchanges they have had. A fully reversed first exchange still counts as first contact.
    `transfers` counts every transfer booked to the pair, reversals too: 1 means the pair is new."""

    network_pk = models.BigIntegerField()
    user_low = models.BigIntegerField()
    user_high = models.BigIntegerField()
    first_month = models.DateField()
    exchanges = models.BigIntegerField(default=0)
    transfers = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        indexes = [models.Index(fields=["network_pk", "first_month"], name="rollup_pair_first")]
        constraints = [
            models.UniqueConstraint(fields=["network_pk", "user_low", "user_high"], name="rollup_pair_key"),
            models.CheckConstraint(condition=Q(user_low__lt=models.F("user_high")), name="rollup_pair_ordered"),
        ]


class RollupPairMonth(models.Model):
    """How many pairs of members first exchanged in a network and month (from RollupPair), so a
    report counts connections from one row per month instead of one per pair."""

    network_pk = models.BigIntegerField()
    month = models.DateField()
    new_pairs = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network_pk", "month"], name="rollup_pair_month_key")]


class WellbeingCheckin(models.Model):
    """An optional check-in: ONS4 (0–10 each) and the three-item loneliness scale (1–3 each).

    Only the member sees their answers; reports use only the aggregate change, suppressed like any cell.
    Every answer may be skipped (null). Withdrawing consent removes the member's answers from reports.
    """

    network = models.ForeignKey("members.Network", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wellbeing_checkins")
    consent = models.BooleanField(default=False)
    skipped = models.BooleanField(default=False)
    life_satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    worthwhile = models.PositiveSmallIntegerField(null=True, blank=True)
    happiness = models.PositiveSmallIntegerField(null=True, blank=True)
    anxiety = models.PositiveSmallIntegerField(null=True, blank=True)
    lack_companionship = models.PositiveSmallIntegerField(null=True, blank=True)
    left_out = models.PositiveSmallIntegerField(null=True, blank=True)
    isolated = models.PositiveSmallIntegerField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["network", "user", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(life_satisfaction__lte=10) | Q(life_satisfaction__isnull=True), name="wb_ls_range"
            ),
            models.CheckConstraint(condition=Q(worthwhile__lte=10) | Q(worthwhile__isnull=True), name="wb_w_range"),
            models.CheckConstraint(condition=Q(happiness__lte=10) | Q(happiness__isnull=True), name="wb_h_range"),
            models.CheckConstraint(condition=Q(anxiety__lte=10) | Q(anxiety__isnull=True), name="wb_a_range"),
            models.CheckConstraint(
                condition=Q(lack_companionship__gte=1, lack_companionship__lte=3) | Q(lack_companionship__isnull=True),
                name="wb_lc_range",
            ),
            models.CheckConstraint(
                condition=Q(left_out__gte=1, left_out__lte=3) | Q(left_out__isnull=True), name="wb_lo_range"
            ),
            models.CheckConstraint(
                condition=Q(isolated__gte=1, isolated__lte=3) | Q(isolated__isnull=True), name="wb_i_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Wellbeing check-in {self.pk}"


class RollupExchangeCategory(models.Model):
    """The skill category an exchange's hours are reported under, fixed when it is first rolled up.

    The category of the skill its member ticked on the listing (the lowest skill id); where none was
    ticked, the strongest skill that matching reads from the words of the listing and the exchange.
    Kept, so a reversal months later is booked under the same category as what it reverses; a rebuild
    reads everything afresh."""

    exchange_pk = models.BigIntegerField(primary_key=True)
    category_pk = models.BigIntegerField(default=UNCATEGORISED)

    def __str__(self) -> str:
        return f"exchange {self.exchange_pk} → category {self.category_pk}"
