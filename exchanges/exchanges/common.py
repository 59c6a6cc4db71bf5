"""Who may act for which party, and what every step does: audit, notify, push on commit, lock."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from exchanges.ledger.services import hold_release
from exchanges.models import Account, Exchange
from members.models import Membership, Network, SupportLink, User
from members.selectors import is_coordinator
from members.services import audit_record
from messaging.services import notification_create, push_to_user
from timebank.errors import Forbidden, InvalidTransition, ValidationError

PROVIDER, RECIPIENT = "provider", "recipient"
MAX_MINUTES = 6000  # 100 hours: one piece of help, recorded in one go
State = Exchange.State


@dataclass(frozen=True)
class Acting:
    """Who really acts: the side they act for and the member they act with (None when themselves)."""

    side: str
    on_behalf_of: User | None


# Who may act --------------------------------------------------------------------------------


def party_of(exchange: Exchange, side: str) -> User | None:
    return exchange.provider if side == PROVIDER else exchange.recipient


def other_side(side: str) -> str:
    return RECIPIENT if side == PROVIDER else PROVIDER


@dataclass(frozen=True)
class ActorContext:
    """What one person may do in some networks, read in three queries (lists reuse it per row)."""

    active: frozenset[int]  # network ids where they are active
    coordinating: frozenset[int]  # network ids where they coordinate
    supports: frozenset[tuple[int, int]]  # (network id, user id) of members they support
    supported: frozenset[tuple[int, int]]  # (network id, user id) of supported members where they coordinate


def actor_context(*, actor: User, network_ids) -> ActorContext:
    rows = list(
        Membership.objects.filter(user=actor, status=Membership.Status.ACTIVE, network_id__in=network_ids).values_list(
            "network_id", "role"
        )
    )
    active = frozenset(n for n, _role in rows)
    coordinating = frozenset(n for n, role in rows if role == Membership.Role.COORDINATOR)
    supports = SupportLink.objects.filter(
        network_id__in=active, supporter__user=actor, supporter__status=Membership.Status.ACTIVE
    ).values_list("network_id", "member__user_id")
    supported = Membership.objects.filter(network_id__in=coordinating, is_supported=True).values_list(
        "network_id", "user_id"
    )
    return ActorContext(
        active,
        coordinating,
        frozenset(supports) if active else frozenset(),
        frozenset(supported) if coordinating else frozenset(),
    )


def acting_for(
    *, actor: User, network: Network, party: User | None, context: ActorContext | None = None
) -> Acting | None:
    """How `actor` may act for `party` (None = the pot, which only coordinators act for)."""
    ctx = context or actor_context(actor=actor, network_ids=[network.pk])
    if party is None:
        return Acting("", None) if network.pk in ctx.coordinating else None
    if actor.pk == party.pk:
        return Acting("", None) if network.pk in ctx.active else None
    if (network.pk, party.pk) in ctx.supports or (network.pk, party.pk) in ctx.supported:
        return Acting("", party)
    return None


def exchange_sides_for(*, actor: User, exchange: Exchange, context: ActorContext | None = None) -> dict[str, Acting]:
    """The sides `actor` may act for in this exchange, self first."""
    ctx = context or actor_context(actor=actor, network_ids=[exchange.network_id])
    sides = {}
    for side in (PROVIDER, RECIPIENT):
        acting = acting_for(actor=actor, network=exchange.network, party=party_of(exchange, side), context=ctx)
        if acting is not None:
            sides[side] = Acting(side, acting.on_behalf_of)
    return dict(sorted(sides.items(), key=lambda kv: kv[1].on_behalf_of is not None))


def require_side(*, actor: User, exchange: Exchange, allowed: tuple[str, ...]) -> Acting:
    sides = exchange_sides_for(actor=actor, exchange=exchange)
    for side, acting in sides.items():
        if side in allowed:
            return acting
    raise Forbidden("Only the other person in this exchange can do that.")


def counterparts(exchange: Exchange, side: str) -> tuple[str, ...]:
    """The sides that may answer what `side` did; both when a coordinator did it for two members."""
    return (other_side(side),) if side else (PROVIDER, RECIPIENT)


# Side effects of every step -----------------------------------------------------------------


def exchange_serialize(exchange: Exchange) -> dict:
    return {
        "id": exchange.pk,
        "network": exchange.network.slug,
        "listing": exchange.listing_id,
        "provider": exchange.provider_id or "pot",
        "recipient": exchange.recipient_id or "pot",
        "minutes": exchange.minutes,
        "claimed_minutes": exchange.claimed_minutes,
        "held_minutes": exchange.held_minutes,
        "description": exchange.description,
        "state": exchange.state,
        "needs_coordinator": exchange.needs_coordinator,
        "proposed_by": exchange.proposed_by_id,
        "claimed_by": exchange.claimed_by_id,
        "created_at": exchange.created_at.isoformat(),
        "claimed_at": exchange.claimed_at.isoformat() if exchange.claimed_at else None,
        "posted_at": exchange.posted_at.isoformat() if exchange.posted_at else None,
    }


def people_of_side(exchange: Exchange, side: str) -> list[User]:
    party = party_of(exchange, side)
    if party is not None:
        return [party]
    # The pot is looked after by the network's coordinators.
    return list(
        User.objects.filter(
            memberships__network=exchange.network,
            memberships__role=Membership.Role.COORDINATOR,
            memberships__status=Membership.Status.ACTIVE,
        )
    )


def name_of(exchange: Exchange, side: str) -> str:
    party = party_of(exchange, side)
    return party.name if party is not None else str(exchange.network.name)


def step(
    exchange: Exchange,
    *,
    action: str,
    actor: User | None,
    on_behalf_of: User | None = None,
    notify: tuple[str, ...] = (),
    kind: str = "",
    text: str = "",
    reason: str = "",
    data: dict | None = None,
) -> None:
    """Audit the step, notify the given sides (never the actor), push the new state on commit."""
    audit_record(
        action=f"exchange.{action}",
        actor=actor,
        on_behalf_of=on_behalf_of,
        network=exchange.network,
        target=exchange,
        reason=reason,
        data={"state": exchange.state, **(data or {})},
    )
    told = set()
    for side in notify:
        for person in people_of_side(exchange, side):
            if person.pk in told or (actor is not None and person.pk == actor.pk):
                continue
            told.add(person.pk)
            notification_create(
                user=person,
                kind=kind or f"exchange.{action}",
                text=text,
                network=exchange.network,
                url=f"/exchanges/{exchange.pk}/",
                data={"exchange": exchange.pk},
            )
    payload = exchange_serialize(exchange)
    parties = {p.pk for p in (exchange.provider, exchange.recipient) if p is not None}

    def push():
        for user_id in parties:
            push_to_user(user_id, {"type": "exchange.updated", "exchange": payload})

    transaction.on_commit(push)


def locked(exchange: Exchange, *states: str) -> Exchange:
    """Lock the row and check its state: concurrent actions queue here and the losers get 409."""
    locked = (
        # of=("self",): the joined rows may be null (the pot) and need no lock.
        Exchange.objects.select_for_update(of=("self",))
        .select_related("network", "provider", "recipient", "listing")
        .get(pk=exchange.pk)
    )
    if locked.state not in states:
        raise InvalidTransition(f"This exchange is {locked.get_state_display().lower()}: that cannot happen now.")
    return locked


def account_of(exchange: Exchange, side: str) -> Account:
    party = party_of(exchange, side)
    if party is None:
        return Account.objects.get(network=exchange.network, kind=Account.Kind.POT)
    return Account.objects.get(membership__network=exchange.network, membership__user=party)


def check_minutes(minutes, field: str = "minutes") -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 < minutes <= MAX_MINUTES:
        raise ValidationError({field: [f"Give the time in whole minutes, from 1 to {MAX_MINUTES}."]})
    return minutes


def coordinators_of(network: Network) -> list[User]:
    return list(
        User.objects.filter(
            memberships__network=network,
            memberships__role=Membership.Role.COORDINATOR,
            memberships__status=Membership.Status.ACTIVE,
        )
    )


def require_coordinator(actor: User, exchange: Exchange) -> None:
    if not is_coordinator(user=actor, network=exchange.network):
        raise Forbidden("Only a coordinator can do that.")


def hold_release_of(exchange: Exchange, *, actor: User | None, on_behalf_of: User | None = None) -> None:
    if exchange.held_minutes:
        hold_release(exchange=exchange, actor=actor, on_behalf_of=on_behalf_of)
        exchange.held_minutes = 0


def supported_party() -> Q:
    """Exchanges where a party is a supported member: they never auto-confirm, a coordinator sees them."""
    supported = Membership.objects.filter(network=OuterRef("network"), is_supported=True)
    return Q(Exists(supported.filter(user=OuterRef("provider")))) | Q(
        Exists(supported.filter(user=OuterRef("recipient")))
    )


def has_supported_party(exchange: Exchange) -> bool:
    users = [u for u in (exchange.provider_id, exchange.recipient_id) if u is not None]
    return Membership.objects.filter(network_id=exchange.network_id, user_id__in=users, is_supported=True).exists()
