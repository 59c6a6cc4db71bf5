"""Report figures for whole months over one or several networks, read from the roll-ups.

Memberships, requests and check-ins are read from their own tables (small); hours and activity
only from the roll-ups, so a network's size in transfers does not change the cost.
`figures_compute` returns the unsuppressed document and the cells that suppression works on.
"""

import re
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils.translation import gettext_noop

from exchanges.ledger.models import Account, Transfer
from exchanges.models import Exchange, Listing
from exchanges.reports.cells import REACH_FIELDS, report_cells
from exchanges.reports.models import (
    UNCATEGORISED,
    RollupCategorySpan,
    RollupMemberMonth,
    RollupMemberSpan,
    RollupMonthKind,
    RollupPairMonth,
)
from exchanges.reports.periods import Period
from exchanges.reports.rollups import month_bit, month_of, rollups_catch_up
from exchanges.reports.suppression import Cells
from exchanges.reports.wellbeing import wellbeing_change
from members.models import AuditEvent, Membership, Network, SkillCategory
from members.selectors import TRADING_ROLES

VALUE_CAVEAT = (
    "A proxy: exchange hours multiplied by the network's notional hourly rate. It is not money "
    "spent or saved, and it leaves out the value of connection and confidence."
)
AGREED = [Exchange.State.ACCEPTED, Exchange.State.CLAIMED, Exchange.State.DISPUTED, Exchange.State.POSTED]
# Audit actions that mark an exchange as agreed; without one, the exchange's creation time is used.
ACCEPT_ACTIONS = ["exchange.accept", "exchange.approve", "exchange.record"]
HEADLINE = [
    "hours_exchanged",
    "exchanges",
    "registered_members",
    "active_members",
    "new_members",
    "reciprocity",
    "new_connections",
    "value_pounds",
]


def hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _memberships(pks: list[int]):
    return Membership.objects.filter(network_id__in=pks, role__in=TRADING_ROLES, approved_at__isnull=False).exclude(
        status__in=[Membership.Status.PENDING, Membership.Status.DECLINED]
    )


# Bits of the flags `_members` reads for each membership.
REGISTERED, STILL, AT_START, NEW, JOINED_30, JOINED_90, RECENT_30, RECENT_90, CONSENTING = (1 << i for i in range(9))


def _members(pks: list[int], period: Period, as_of: datetime) -> dict:
    """Who was a member when, and who has been quiet, as sets of user ids.

    One row per membership, its conditions tested in SQL and returned as bits of one integer, so no
    timestamps are read back but the approval times of members new in the period. Isolation: a member
    is quiet for 30 (90) days when they joined and last exchanged at least that long before `as_of`.
    """
    ops = connection.ops
    at = ops.adapt_datetimefield_value
    quiet_since = {days: as_of - timedelta(days=days) for days in (30, 90)}
    networks = ", ".join(["%s"] * len(pks))

    def registered(moment: datetime, since: datetime) -> tuple[str, list]:
        # Approved before `moment` and not left before `since`.
        return (
            "m.approved_at < %s AND NOT (m.status = %s AND (m.left_at IS NULL OR m.left_at < %s))",
            [at(moment), Membership.Status.LEFT, at(since)],
        )

    def recent(days: int) -> tuple[str, list]:
        # A month's last exchange lies in that month, so only months from the cut-off's on can hold one.
        return (
            f"m.user_id IN (SELECT user_pk FROM {RollupMemberMonth._meta.db_table} WHERE network_pk IN ({networks}) "
            "AND month >= %s AND month < %s AND last_exchange_at > %s)",
            [*pks, ops.adapt_datefield_value(month_of(quiet_since[days])), ops.adapt_datefield_value(period.end),
             at(quiet_since[days])],
        )  # fmt: skip

    conditions = {
        REGISTERED: registered(period.end_at, period.start_at),
        STILL: registered(period.end_at, period.end_at),
        AT_START: registered(period.start_at, period.start_at),
        NEW: ("m.approved_at >= %s AND m.approved_at < %s", [at(period.start_at), at(period.end_at)]),
        JOINED_30: ("m.approved_at <= %s", [at(quiet_since[30])]),
        JOINED_90: ("m.approved_at <= %s", [at(quiet_since[90])]),
        RECENT_30: recent(30),
        RECENT_90: recent(90),
        CONSENTING: ("m.reach_consent", []),
    }
    # Plain SQL: building this query with the ORM took more time than running it.
    flags = " + ".join(f"(CASE WHEN {sql} THEN {bit} ELSE 0 END)" for bit, (sql, _) in conditions.items())
    params = [p for _, values in conditions.values() for p in values]
    roles = ", ".join(["%s"] * len(TRADING_ROLES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.user_id, {flags}, m.age_band, m.disability, m.ward FROM {Membership._meta.db_table} m "
            f"WHERE m.network_id IN ({networks}) AND m.role IN ({roles}) AND m.approved_at IS NOT NULL "
            "AND m.status NOT IN (%s, %s) ORDER BY m.id",
            [*params, *pks, *TRADING_ROLES, Membership.Status.PENDING, Membership.Status.DECLINED],
        )
        rows = cursor.fetchall()

    def having(bit: int) -> set[int]:
        return {row[0] for row in rows if row[1] & bit}

    new = having(NEW)
    new_by_month: dict[date, set[int]] = {}
    if new:
        approved = _memberships(pks).filter(approved_at__gte=period.start_at, approved_at__lt=period.end_at)
        for user, approved_at in approved.values_list("user_id", "approved_at"):
            new_by_month.setdefault(month_of(approved_at), set()).add(user)
    still = having(STILL)
    return {
        "registered": having(REGISTERED),
        "still_registered": still,
        "at_start": having(AT_START),
        "new_by_month": new_by_month,
        "quiet_30": (still & having(JOINED_30)) - having(RECENT_30),
        "quiet_90": (still & having(JOINED_90)) - having(RECENT_90),
        "consenting": [(user, *reach) for user, bits, *reach in rows if bits & CONSENTING],
    }


def quiet_days(*, network_pks: list[int], users: set[int], period: Period, now: datetime) -> dict[int, int]:
    """Days since each of `users` last exchanged (or joined, if later), as of the period's end or now. Reads
    the roll-ups as `figures_compute` left them: it caught them up a moment before."""
    as_of = min(period.end_at, now)
    joined = dict(
        _memberships(network_pks)
        .filter(user_id__in=users)
        .values("user_id")
        .annotate(first=Min("approved_at"))
        .values_list("user_id", "first")
    )
    last = dict(
        RollupMemberMonth.objects.filter(
            network_pk__in=network_pks,
            user_pk__in=users,
            month__gte=month_of(as_of - timedelta(days=92)),
            month__lt=period.end,
            last_exchange_at__isnull=False,
        )
        .values("user_pk")
        .annotate(last=Max("last_exchange_at"))
        .values_list("user_pk", "last")
    )
    return {user: (as_of - max(last.get(user, joined[user]), joined[user])).days for user in users}


def _activity(pks: list[int], period: Period) -> tuple[set[int], set[int], dict[date, dict]]:
    """Who gave and who received in the period, and per month how many took part and how many did
    both, from each person's month bits (one row per person and 60-month block)."""
    masks: dict[int, int] = {}
    for month in period.months:
        block, bit = month_bit(month)
        masks[block] = masks.get(block, 0) | bit
    first = min(masks)
    spans = RollupMemberSpan.objects.filter(network_pk__in=pks, block__in=list(masks))
    # Bits of the whole period in one integer: block b's bits shifted up by (b - first) blocks.
    rows = [
        (
            user,
            (g & masks[b]) << (b - first) * RollupMemberSpan.BLOCK,
            (r & masks[b]) << (b - first) * RollupMemberSpan.BLOCK,
        )
        for user, b, g, r in spans.values_list("user_pk", "block", "gave_mask", "received_mask")
    ]
    # A block's months are its own, so one row per person and block counts each month once; a
    # person in two networks has two rows for a block: merge them.
    if len(pks) > 1:
        merged: dict[int, tuple[int, int]] = {}
        for user, g, r in rows:
            was = merged.get(user, (0, 0))
            merged[user] = (was[0] | g, was[1] | r)
        rows = [(user, g, r) for user, (g, r) in merged.items()]
    gave = {user for user, g, _ in rows if g}
    received = {user for user, _, r in rows if r}
    # People with the same months count together: few distinct patterns, however many people.
    patterns = Counter((g | r, g & r) for _, g, r in rows)
    block, bit = month_bit(period.start)
    offset = (block - first) * RollupMemberSpan.BLOCK + bit.bit_length() - 1
    months = period.months
    active, both = [0] * len(months), [0] * len(months)
    for (took_part, did_both), n in patterns.items():
        for bits, counts in ((took_part >> offset, active), (did_both >> offset, both)):
            while bits:
                low = bits & -bits
                counts[low.bit_length() - 1] += n
                bits ^= low
    per_month = {m: {"active": active[i], "both": both[i]} for i, m in enumerate(months)}
    return gave, received, per_month


def _ledger_people(pks: list[int], period: Period) -> dict[str, int]:
    """People paying gifts and donations, and receiving grants and issues, in one indexed read."""
    # Both accounts of a transfer belong to its network, so "a person" is a member account.
    kinds = [Transfer.Kind.DONATION, Transfer.Kind.GIFT, Transfer.Kind.GRANT, Transfer.Kind.ISSUE]
    rows = (
        Transfer.objects.filter(
            network_id__in=pks, kind__in=kinds, created_at__gte=period.start_at, created_at__lt=period.end_at
        )
        .values("kind")
        .annotate(
            payers=Count("from_account", distinct=True, filter=Q(from_account__kind=Account.Kind.MEMBER)),
            payees=Count("to_account", distinct=True, filter=Q(to_account__kind=Account.Kind.MEMBER)),
        )
    )
    found = {row["kind"]: row for row in rows}

    def people(kind: str, side: str) -> int:
        return found.get(kind, {}).get(side, 0)

    return {
        "donors": people(Transfer.Kind.DONATION, "payers"),
        "givers": people(Transfer.Kind.GIFT, "payers"),
        "grantees": people(Transfer.Kind.GRANT, "payees"),
        "issued_to": people(Transfer.Kind.ISSUE, "payees"),
    }


def _requests(pks: list[int], period: Period) -> tuple[int, int, float | None]:
    requests = dict(
        Listing.objects.filter(
            network_id__in=pks,
            kind=Listing.Kind.REQUEST,
            created_at__gte=period.start_at,
            created_at__lt=period.end_at,
        ).values_list("pk", "created_at")
    )
    if not requests:
        return 0, 0, None
    agreed = list(
        Exchange.objects.filter(listing_id__in=requests, state__in=AGREED).values_list("pk", "listing_id", "created_at")
    )
    accepted_at = dict(
        AuditEvent.objects.filter(
            target_type="exchange", target_id__in=[e[0] for e in agreed], action__in=ACCEPT_ACTIONS
        )
        .values("target_id")
        .annotate(first=Min("created_at"))
        .values_list("target_id", "first")
    )
    first_agreed: dict[int, datetime] = {}
    for pk, listing_id, created_at in agreed:
        moment = accepted_at.get(pk, created_at)
        if listing_id not in first_agreed or moment < first_agreed[listing_id]:
            first_agreed[listing_id] = moment
    days = [max((moment - requests[lid]).total_seconds(), 0) / 86400 for lid, moment in first_agreed.items()]
    median = round(statistics.median(days), 1) if days else None
    return len(requests), len(first_agreed), median


def _category_people(pks: list[int], period: Period) -> dict[int, int]:
    """Distinct people per category over the period, from each person's month bits per block."""
    masks: dict[int, int] = {}
    for month in period.months:
        block, bit = month_bit(month)
        masks[block] = masks.get(block, 0) | bit
    annotations = {f"hit_{block}": F("months_mask").bitand(mask) for block, mask in masks.items()}
    wanted = Q()
    for block in masks:
        wanted |= Q(block=block) & ~Q(**{f"hit_{block}": 0})
    return dict(
        RollupCategorySpan.objects.filter(network_pk__in=pks, block__in=list(masks))
        .annotate(**annotations)
        .filter(wanted)
        .values("category_pk")
        .annotate(n=Count("user_pk", distinct=True))
        .values_list("category_pk", "n")
    )


def figures_compute(*, networks: list[Network], period: Period, now: datetime) -> tuple[dict, Cells, dict]:
    """(document, cells, private extras). Extras hold names for coordinators; never for commissioners."""
    pks = [n.pk for n in networks]
    # The roll-ups first take in every transfer the ledger has fed since: figures as current as the ledger.
    rollups_catch_up(network_pks=pks)
    rates = {n.pk: n.hourly_value_pounds for n in networks}
    months = period.months
    in_period = {"network_pk__in": pks, "month__gte": period.start, "month__lt": period.end}

    # Hours and exchanges by month and category; other kinds in total.
    month_minutes, month_count = defaultdict(int), defaultdict(int)
    cat_minutes, cat_count = defaultdict(int), defaultdict(int)
    kind_minutes: dict[str, int] = defaultdict(int)
    network_minutes: dict[int, int] = defaultdict(int)
    rows = (
        RollupMonthKind.objects.filter(**in_period)
        .values("network_pk", "month", "kind", "category_pk")  # the stripes of each key, added up
        .annotate(Sum("minutes"), Sum("transfers"))
        .values_list("network_pk", "month", "kind", "category_pk", "minutes__sum", "transfers__sum")
        .order_by()
    )
    for net, month, kind, cat, minutes, transfers in rows:
        if kind == Transfer.Kind.EXCHANGE:
            month_minutes[month] += minutes
            month_count[month] += transfers
            cat_minutes[cat] += minutes
            cat_count[cat] += transfers
            network_minutes[net] += minutes
        else:
            kind_minutes[kind] += minutes
    exchange_minutes = sum(month_minutes.values())
    # Valued once per network, from its whole minutes: pennies do not depend on how rows are split.
    value = sum((Decimal(minutes) / 60 * rates[net] for net, minutes in network_minutes.items()), Decimal(0))

    # Activity: who gave and who received, over the period and month by month.
    gave, received, per_month = _activity(pks, period)
    active = gave | received

    # Members: registered at any time in the period (so everyone active is counted among them),
    # still registered at its end, new in it, retained from its start; quiet for 30 / 90 days.
    members = _members(pks, period, as_of=min(period.end_at, now))
    registered, still_registered = members["registered"], members["still_registered"]
    at_start = members["at_start"]
    retained = at_start & still_registered
    new_by_month = members["new_by_month"]
    new_members = set().union(*new_by_month.values())
    quiet_30, quiet_90 = members["quiet_30"], members["quiet_90"]

    # Connections: pairs exchanging for the first time; density over everyone registered.
    new_pairs_by_month: dict[date, int] = defaultdict(int)
    pairs_ever = 0
    for month, n in RollupPairMonth.objects.filter(network_pk__in=pks, month__lt=period.end).values_list(
        "month", "new_pairs"
    ):
        pairs_ever += n
        if month >= period.start:
            new_pairs_by_month[month] += n
    n = len(registered)
    density = round(pairs_ever / (n * (n - 1) / 2), 3) if n > 1 else None

    # Categories: people taking part (either side), hours and exchanges.
    cat_people = _category_people(pks, period)
    categories = {c.pk: c for c in SkillCategory.objects.filter(pk__in=set(cat_people) | set(cat_minutes))}
    cat_keys = sorted(
        set(cat_people) | {c for c, m in cat_minutes.items() if m or cat_count[c]},
        key=lambda c: (c == UNCATEGORISED, categories[c].name if c in categories else ""),
    )

    requests, met, median_days = _requests(pks, period)
    reach = _reach(members["consenting"], still_registered, k=max(n.k for n in networks))
    wellbeing = wellbeing_change(network_pks=pks, period=period)

    totals = {
        "hours_exchanged": hours(exchange_minutes),
        "exchanges": sum(month_count.values()),
        "hours_donated": hours(kind_minutes[Transfer.Kind.DONATION]),
        "hours_granted": hours(kind_minutes[Transfer.Kind.GRANT]),
        "hours_issued": hours(kind_minutes[Transfer.Kind.ISSUE]),
        "hours_gifted": hours(kind_minutes[Transfer.Kind.GIFT]),
        "registered_members": len(registered),
        "active_members": len(active),
        "new_members": len(new_members),
        "retention": ratio(len(retained), len(at_start)),
        "reciprocity": ratio(len(gave & received), len(active)),
        "give_receive_bands": {
            "gave_and_received": len(gave & received),
            "gave_only": len(gave - received),
            "received_only": len(received - gave),
        },
        "new_connections": sum(new_pairs_by_month.values()),
        "network_density": density,
        "no_exchange_30_days": len(quiet_30),
        "no_exchange_90_days": len(quiet_90),
        "requests": requests,
        "requests_met": met,
        "requests_unmet": requests - met,
        "median_days_to_accept": median_days,
        "value_pounds": float(round(value, 2)),
        "hourly_value_pounds": float(rates[pks[0]]) if len(set(rates.values())) == 1 else None,
        "value_caveat": VALUE_CAVEAT,
    }
    by_month = []
    for month in months:
        row = per_month[month]
        by_month.append(
            {
                "month": f"{month:%Y-%m}",
                "hours_exchanged": hours(month_minutes[month]),
                "exchanges": month_count[month],
                "active_members": row["active"],
                "new_members": len(new_by_month.get(month, ())),
                "new_connections": new_pairs_by_month.get(month, 0),
                "reciprocity": ratio(row["both"], row["active"]),
            }
        )
    by_category = []
    for cat in cat_keys:
        category = categories.get(cat)
        by_category.append(
            {
                "category": category.slug if category else "uncategorised",
                # Stored and exported in English; pages show it in the reader's language.
                "name": category.name if category else gettext_noop("Not categorised"),
                "hours_exchanged": hours(cat_minutes[cat]),
                "exchanges": cat_count[cat],
                "members": cat_people.get(cat, 0),
            }
        )
    document = {
        "totals": totals,
        "by_month": by_month,
        "by_category": by_category,
        "reach": reach["document"],
        "wellbeing": wellbeing,
    }

    cells = report_cells(
        document,
        per_month=per_month,
        months=months,
        hidden={
            "pairs": pairs_ever,
            "at_start": len(at_start),
            "retained": len(retained),
            **_ledger_people(pks, period),
            "active_registered": len(active & registered),
        },
    )
    extras = {"quiet_30": quiet_30}
    return document, cells, extras


def _reach_value(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (value or "").strip().lower()).strip("_")[:40] or "not_given"


def _reach(consenting: list[tuple], registered: set[int], *, k: int) -> dict:
    """Consenting registered members by age band, disability and ward, one membership per person.

    Values held by fewer than k people are merged into "other" before anything is published, so a
    rare value (a ward typed by one member) never appears even as a key."""
    seen, counts = set(), {f: defaultdict(int) for f in REACH_FIELDS}
    for user, *values in consenting:
        if user not in registered or user in seen:
            continue
        seen.add(user)
        for f, value in zip(REACH_FIELDS, values, strict=True):
            counts[f][_reach_value(value)] += 1
    document = {"consenting": len(seen)}
    for f in REACH_FIELDS:
        merged: dict[str, int] = defaultdict(int)
        for value, count in counts[f].items():
            merged[value if count >= k and value != "other" else "other"] += count
        document[f] = dict(sorted(merged.items()))
    return {"document": document}
