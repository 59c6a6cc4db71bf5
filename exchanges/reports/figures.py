"""Report figures for whole months over one or several networks, read from the roll-ups.

Memberships, requests and check-ins are read from their own tables (small); hours and activity
only from the roll-ups, so a network's size in transfers does not change the cost.
`figures_compute` returns the unsuppressed document and the cells that suppression works on.
"""

import re
import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Q, Sum

from exchanges.models import Account, Exchange, Listing, Transfer
from exchanges.reports.cells import REACH_FIELDS, report_cells
from exchanges.reports.models import (
    UNCATEGORISED,
    RollupCategorySpan,
    RollupMemberMonth,
    RollupMonthKind,
    RollupPair,
)
from exchanges.reports.periods import Period
from exchanges.reports.rollups import month_bit, month_of
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


def _registered(memberships: list[dict], moment: datetime, since: datetime | None = None) -> set[int]:
    """People with a membership approved before `moment` and not left before `since` (default: moment)."""
    since = since or moment
    out = set()
    for m in memberships:
        if m["approved_at"] >= moment:
            continue
        if m["status"] == Membership.Status.LEFT and (m["left_at"] is None or m["left_at"] < since):
            continue
        out.add(m["user_id"])
    return out


def _ledger_people(pks: list[int], period: Period) -> dict[str, int]:
    """People paying gifts and donations, and receiving grants and issues, in one indexed read."""
    system = list(
        Account.objects.filter(network_id__in=pks).exclude(kind=Account.Kind.MEMBER).values_list("pk", flat=True)
    )
    kinds = [Transfer.Kind.DONATION, Transfer.Kind.GIFT, Transfer.Kind.GRANT, Transfer.Kind.ISSUE]
    rows = (
        Transfer.objects.filter(
            network_id__in=pks, kind__in=kinds, created_at__gte=period.start_at, created_at__lt=period.end_at
        )
        .values("kind")
        .annotate(
            payers=Count("from_account", distinct=True, filter=~Q(from_account__in=system)),
            payees=Count("to_account", distinct=True, filter=~Q(to_account__in=system)),
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
    rates = {n.pk: n.hourly_value_pounds for n in networks}
    months = period.months
    month_index = {m: i for i, m in enumerate(months)}
    in_period = {"network_pk__in": pks, "month__gte": period.start, "month__lt": period.end}

    # Hours and exchanges by month and category; other kinds in total.
    month_minutes, month_count = defaultdict(int), defaultdict(int)
    cat_minutes, cat_count = defaultdict(int), defaultdict(int)
    kind_minutes: dict[str, int] = defaultdict(int)
    value = Decimal(0)
    for net, month, kind, cat, minutes, transfers in RollupMonthKind.objects.filter(**in_period).values_list(
        "network_pk", "month", "kind", "category_pk", "minutes", "transfers"
    ):
        if kind == Transfer.Kind.EXCHANGE:
            month_minutes[month] += minutes
            month_count[month] += transfers
            cat_minutes[cat] += minutes
            cat_count[cat] += transfers
            value += Decimal(minutes) / 60 * rates[net]
        else:
            kind_minutes[kind] += minutes
    exchange_minutes = sum(month_minutes.values())

    # Activity: who gave and who received, over the period and month by month.
    activity = RollupMemberMonth.objects.filter(**in_period)
    per_user = activity.values("user_pk").annotate(g=Sum("given_count"), r=Sum("received_count"))
    gave = {row["user_pk"] for row in per_user if row["g"] > 0}
    received = {row["user_pk"] for row in per_user if row["r"] > 0}
    active = gave | received
    took_part = Q(given_count__gt=0) | Q(received_count__gt=0)
    per_month = {
        row["month"]: row
        for row in activity.values("month").annotate(
            active=Count("user_pk", filter=took_part, distinct=True),
            both=Count("user_pk", filter=Q(given_count__gt=0, received_count__gt=0), distinct=True),
        )
    }

    # Members: registered at the end, new in the period, retained from its start.
    memberships = list(
        Membership.objects.filter(network_id__in=pks, role__in=TRADING_ROLES, approved_at__isnull=False)
        .exclude(status__in=[Membership.Status.PENDING, Membership.Status.DECLINED])
        .values(
            "user_id",
            "approved_at",
            "status",
            "left_at",
            "reach_consent",
            "age_band",
            "disability",
            "ward",
            "network_id",
        )
    )
    # Registered: a member at any time in the period, so everyone active is counted among them.
    registered = _registered(memberships, period.end_at, since=period.start_at)
    still_registered = _registered(memberships, period.end_at)
    at_start = _registered(memberships, period.start_at)
    retained = at_start & still_registered
    new_by_month: dict[int, set[int]] = defaultdict(set)
    for m in memberships:
        if period.start_at <= m["approved_at"] < period.end_at:
            new_by_month[month_index[month_of(m["approved_at"])]].add(m["user_id"])
    new_members = set().union(*new_by_month.values()) if new_by_month else set()

    # Isolation: members registered at the end with no exchange for 30 / 90 days before it (or now).
    as_of = min(period.end_at, now)
    since = month_of(as_of - timedelta(days=92))
    last = dict(
        RollupMemberMonth.objects.filter(
            network_pk__in=pks, month__gte=since, month__lt=period.end, last_exchange_at__isnull=False
        )
        .values("user_pk")
        .annotate(last=Max("last_exchange_at"))
        .values_list("user_pk", "last")
    )
    joined = {}
    for m in memberships:
        if m["user_id"] in still_registered:
            joined[m["user_id"]] = min(joined.get(m["user_id"], m["approved_at"]), m["approved_at"])
    quiet = {}
    for user, approved in joined.items():
        reference = max(last.get(user, approved), approved)
        quiet[user] = (as_of - reference).days
    quiet_30 = {u for u, d in quiet.items() if d >= 30}
    quiet_90 = {u for u, d in quiet.items() if d >= 90}

    # Connections: pairs exchanging for the first time; density over everyone registered.
    pairs = RollupPair.objects.filter(network_pk__in=pks, first_month__lt=period.end)
    pairs_ever = pairs.count()
    new_pairs_by_month = dict(
        pairs.filter(first_month__gte=period.start)
        .values("first_month")
        .annotate(n=Count("pk"))
        .values_list("first_month", "n")
    )
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
    reach = _reach(memberships, still_registered, k=max(n.k for n in networks))
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
    for i, month in enumerate(months):
        row = per_month.get(month, {"active": 0, "both": 0})
        by_month.append(
            {
                "month": f"{month:%Y-%m}",
                "hours_exchanged": hours(month_minutes[month]),
                "exchanges": month_count[month],
                "active_members": row["active"],
                "new_members": len(new_by_month[i]),
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
                "name": category.name if category else "Not categorised",
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
    extras = {"quiet": quiet, "quiet_30": quiet_30, "last_exchange": last}
    return document, cells, extras


def _reach_value(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (value or "").strip().lower()).strip("_")[:40] or "not_given"


def _reach(memberships: list[dict], registered: set[int], *, k: int) -> dict:
    """Consenting registered members by age band, disability and ward, one membership per person.

    Values held by fewer than k people are merged into "other" before anything is published, so a
    rare value (a ward typed by one member) never appears even as a key."""
    seen, counts = set(), {f: defaultdict(int) for f in REACH_FIELDS}
    for m in memberships:
        if not m["reach_consent"] or m["user_id"] not in registered or m["user_id"] in seen:
            continue
        seen.add(m["user_id"])
        for f in REACH_FIELDS:
            counts[f][_reach_value(m[f])] += 1
    document = {"consenting": len(seen)}
    for f in REACH_FIELDS:
        merged: dict[str, int] = defaultdict(int)
        for value, count in counts[f].items():
            merged[value if count >= k and value != "other" else "other"] += count
        document[f] = dict(sorted(merged.items()))
    return {"document": document}
