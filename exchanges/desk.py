"""The coordinator's desk (PRODUCT §4 additions): for each network a person coordinates, what waits for
a decision, counted, with enough of each to decide or to open where it is handled. Reading only: every
decision is taken by the service behind the page each item links to."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet

from exchanges.models import Exchange
from exchanges.selectors import (
    MaybeIsolated,
    coordinator_queue,
    exchange_dispute_reason,
    exchange_held_because,
    isolation_list,
)
from members.models import Membership, Network, User
from members.safeguarding.models import Concern, SafeguardingCheck
from members.safeguarding.selectors import concerns_visible, reviews_due
from members.selectors import members_visible, networks_of
from messaging.models import ConversationAccess, MessageReport

# A member who has not given or received help for this long may be isolated.
ISOLATED_AFTER_DAYS = 60
# How many of each kind the desk shows before "see all".
SHOWN = 5


@dataclass
class Dispute:
    """Both sides' words: who claimed how many minutes, and why the other side disputes it."""

    exchange: Exchange
    claimant: str
    minutes: int
    reason: str


@dataclass
class Desk:
    network: Network
    join_requests: list[Membership] = field(default_factory=list)
    approvals: list[tuple[Exchange, str]] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    supported_claims: list[Exchange] = field(default_factory=list)
    pot_claims: list[Exchange] = field(default_factory=list)
    over_floor: list[Exchange] = field(default_factory=list)
    reports: list[MessageReport] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    checks_due: list[SafeguardingCheck] = field(default_factory=list)
    isolated: list[MaybeIsolated] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(n for key, n in self.counts.items() if key != "isolated")


def _dispute_of(exchange: Exchange) -> Dispute:
    reason = exchange_dispute_reason(exchange)
    claimant = exchange.claimed_by.name if exchange.claimed_by is not None else ""
    return Dispute(exchange, claimant, exchange.claimed_minutes or exchange.minutes, reason)


def reports_unseen(*, network: Network) -> QuerySet[MessageReport]:
    """Reported messages no coordinator has opened the conversation for since the report."""
    opened = ConversationAccess.objects.filter(
        conversation_id=OuterRef("message__conversation_id"), created_at__gte=OuterRef("created_at")
    )
    return (
        MessageReport.objects.filter(network=network)
        .exclude(Exists(opened))
        .select_related("message", "reporter")
        .order_by("created_at", "pk")
    )


def desk_of(*, user: User) -> list[Desk]:
    """A desk for each network the user coordinates (empty for anyone else)."""
    desks = []
    for network in networks_of(user=user, roles=[Membership.Role.COORDINATOR]).order_by("name"):
        desk = Desk(network=network)
        queue = coordinator_queue(user=user, network=network)
        pending = members_visible(viewer=user, network=network, status=Membership.Status.PENDING)
        concerns = concerns_visible(user=user, network=network).filter(status=Concern.Status.OPEN)
        reports = reports_unseen(network=network)
        due = reviews_due(network=network)
        isolated = [
            row
            for row in isolation_list(network=network)
            if row.days_since_last_exchange is None or row.days_since_last_exchange >= ISOLATED_AFTER_DAYS
        ]
        desk.counts = {
            "join_requests": pending.count(),
            "approvals": queue["approvals"].count(),
            "disputes": queue["disputes"].count(),
            "supported_claims": queue["supported_claims"].count(),
            "pot_claims": queue["pot_claims"].count(),
            "over_floor": queue["over_floor"].count(),
            "reports": reports.count(),
            "concerns": concerns.count(),
            "checks_due": due.count(),
            "isolated": len(isolated),
        }
        desk.join_requests = list(pending[:SHOWN])
        desk.approvals = [(e, exchange_held_because(e) or "") for e in queue["approvals"][:SHOWN]]
        desk.disputes = [_dispute_of(e) for e in queue["disputes"].select_related("claimed_by")[:SHOWN]]
        desk.supported_claims = list(queue["supported_claims"][:SHOWN])
        desk.pot_claims = list(queue["pot_claims"][:SHOWN])
        desk.over_floor = list(queue["over_floor"][:SHOWN])
        desk.reports = list(reports[:SHOWN])
        desk.concerns = list(concerns[:SHOWN])
        desk.checks_due = list(due[:SHOWN])
        desk.isolated = isolated[:SHOWN]
        desks.append(desk)
    return desks
