"""Who may act for which party, and what every step does: audit, notify, push on commit, lock."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from exchanges.ledger.models import Account
from exchanges.ledger.services import hold_release
from exchanges.limits import MAX_HELP_MINUTES, minutes_check
from exchanges.matching.sensitive import Sensitivity, help_sensitivity
from exchanges.models import Exchange
from members.acting import ActingScope, acting_scope
from members.audit import audit_record
from members.models import Membership, Network, User
from members.selectors import coordinators_of, is_coordinator
from messaging.notifications.push import push_to_user
from messaging.notifications.services import notification_create, notifications_dealt_with
from timebank.errors import Forbidden, InvalidTransition

PROVIDER, RECIPIENT = "provider", "recipient"
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


# Who acts for whom is members.acting's one rule; the pot is the only party it does not know.
def acting_for(
    *, actor: User, network: Network, party: User | None, context: ActingScope | None = None
) -> Acting | None:
    """How `actor` may act for `party` (None = the pot, which only coordinators speak for)."""
    ctx = context or acting_scope(actor=actor, network_ids=[network.pk])
    if party is None:
        return Acting("", None) if network.pk in ctx.coordinating else None
    if not ctx.acts_for(network_id=network.pk, user_id=party.pk, actor_id=actor.pk):
        return None
    return Acting("", None if party.pk == actor.pk else party)


def exchange_sides_for(*, actor: User, exchange: Exchange, context: ActingScope | None = None) -> dict[str, Acting]:
    """The sides `actor` may act for in this exchange, self first."""
    ctx = context or acting_scope(actor=actor, network_ids=[exchange.network_id])
    sides = {}
    for side in (PROVIDER, RECIPIENT):
        acting = acting_for(actor=actor, network=exchange.network, party=party_of(exchange, side), context=ctx)
        if acting is not None:
            sides[side] = Acting(side, acting.on_behalf_of)
    return dict(sorted(sides.items(), key=lambda kv: kv[1].on_behalf_of is not None))


def counterparts(exchange: Exchange, side: str) -> tuple[str, ...]:
    """The sides that may answer what `side` did; both when a coordinator did it for two members."""
    return (other_side(side),) if side else (PROVIDER, RECIPIENT)


# Which step may happen now, and who may take it (PRODUCT §3) --------------------------------
# One table: the services' guards ask it before every step, and the list of what a person can do now
# (pages and API) asks the same, so a button is shown exactly when the step would be accepted.

Sides = Callable[[Exchange, User], tuple[str, ...]]


def _either(exchange: Exchange, actor: User) -> tuple[str, ...]:
    return (PROVIDER, RECIPIENT)


def _answering(exchange: Exchange, actor: User) -> tuple[str, ...]:
    """The other side of the proposal."""
    return counterparts(exchange, exchange.proposed_side)


def _checking(exchange: Exchange, actor: User) -> tuple[str, ...]:
    """The other side of the claim."""
    return counterparts(exchange, exchange.claimed_side)


def _answering_claim(exchange: Exchange, actor: User) -> tuple[str, ...]:
    # Whoever claimed never confirms or disputes their own claim, even when they may speak for the other
    # side (a supporter who recorded their own help to the member they support, a coordinator who
    # claimed from the pot).
    return () if exchange.claimed_by_id == actor.pk else _checking(exchange, actor)


def coordinator_answers_for(exchange: Exchange) -> bool:
    """Only a coordinator settles a claim with a supported member or the pot (PRODUCT §3)."""
    if exchange.provider_id is None or exchange.recipient_id is None:
        return True
    users = [exchange.provider_id, exchange.recipient_id]
    return Membership.objects.filter(network_id=exchange.network_id, user_id__in=users, is_supported=True).exists()


def _goes_to_coordinator(exchange: Exchange) -> bool:
    return exchange.state == State.DISPUTED or exchange.needs_coordinator or coordinator_answers_for(exchange)


@dataclass(frozen=True)
class Transition:
    """One step: the states it starts from and who takes it (`sides` of the exchange the actor acts for,
    or a coordinator of the network); `when` is a further condition on the exchange, said as `not_now`."""

    states: tuple[str, ...]
    sides: Sides | None = None
    coordinator: bool = False
    when: Callable[[Exchange], bool] | None = None
    not_now: str = ""


OPEN = (State.PROPOSED, State.AWAITING_APPROVAL, State.ACCEPTED)
CLOSED = (State.POSTED, State.DECLINED, State.CANCELLED)

# In the order the API lists them.
TRANSITIONS: dict[str, Transition] = {
    "accept": Transition((State.PROPOSED,), _answering),
    "decline": Transition((State.PROPOSED,), _answering),
    "approve": Transition((State.AWAITING_APPROVAL,), coordinator=True),
    "complete": Transition((State.ACCEPTED,), _either),
    "confirm": Transition((State.CLAIMED,), _answering_claim),
    "dispute": Transition((State.CLAIMED,), _answering_claim),
    "resolve": Transition(
        (State.DISPUTED, State.CLAIMED),
        coordinator=True,
        when=_goes_to_coordinator,
        not_now="Only disputes, payments over a limit and claims with a supported member or the pot are resolved.",
    ),
    "schedule": Transition((State.ACCEPTED,), _either),
    "cancel": Transition(OPEN, _either),
    "repeat": Transition(CLOSED, _either),
}


def transition_check(*, actor: User, exchange: Exchange, action: str, context: ActingScope | None = None) -> Acting:
    """How `actor` takes `action` on `exchange` now, or the refusal: 403 for a step that is not theirs,
    409 for one that cannot happen from this state. A coordinator's own step is 403 for anyone else first."""
    transition = TRANSITIONS[action]
    ctx = context or acting_scope(actor=actor, network_ids=[exchange.network_id])
    if transition.coordinator and exchange.network_id not in ctx.coordinating:
        raise Forbidden(_("Only a coordinator can do that."))
    # Settling one's own exchange (a claim on the pot, a dispute over what one is paid or pays), or approving
    # help one gives oneself, is another coordinator's step. Approving help one receives is not: it is
    # paid for, and a network's only coordinator would otherwise never get it approved.
    own = (exchange.provider_id, exchange.recipient_id) if action == "resolve" else (exchange.provider_id,)
    if transition.coordinator and actor.pk in own:
        raise Forbidden(_("Another coordinator must do this: it is your own exchange."))
    if exchange.state not in transition.states:
        raise InvalidTransition(
            _("This exchange is %(state)s: that cannot happen now.") % {"state": exchange.get_state_display().lower()}
        )
    if transition.when is not None and not transition.when(exchange):
        raise InvalidTransition(transition.not_now)
    if transition.sides is None:
        return Acting("", None)
    allowed = transition.sides(exchange, actor)
    for side, acting in exchange_sides_for(actor=actor, exchange=exchange, context=ctx).items():
        if side in allowed:
            return acting
    raise Forbidden(_("Only the other person in this exchange can do that."))


def transitions_possible(*, actor: User, exchange: Exchange, context: ActingScope | None = None) -> list[str]:
    """Every step `actor` may take on `exchange` now: exactly those `transition_check` lets through."""
    ctx = context or acting_scope(actor=actor, network_ids=[exchange.network_id])
    possible = []
    for action in TRANSITIONS:
        try:
            transition_check(actor=actor, exchange=exchange, action=action, context=ctx)
        except (Forbidden, InvalidTransition):
            continue
        possible.append(action)
    return possible


# Approval before help (PRODUCT §3) ----------------------------------------------------------


def exchange_sensitivity(exchange: Exchange) -> Sensitivity | None:
    """Whether this help is sensitive, read from what was written (the listing's title and description,
    the exchange's own description) and the listing's ticked skills: for listings, direct proposals and
    records alike (exchanges.matching.sensitive)."""
    listing = exchange.listing
    ticked = [skill.slug for skill in listing.skills.all()] if listing is not None else []
    title = listing.title if listing is not None else ""
    description = " ".join(part for part in (listing.description if listing else "", exchange.description) if part)
    return help_sensitivity(title=title, description=description, ticked=ticked)


def held_because(exchange: Exchange) -> str | None:
    """Why the network's rule holds this help for a coordinator, in words; None when it does not."""
    rule = exchange.network.approval
    if rule == Network.Approval.ALWAYS:
        return _("Held because this network approves all help before it happens.")
    if rule == Network.Approval.SENSITIVE:
        sensitivity = exchange_sensitivity(exchange)
        return str(sensitivity) if sensitivity is not None else None
    return None


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
        "held_because": held_because(exchange) if exchange.state == State.AWAITING_APPROVAL else None,
        "proposed_by": exchange.proposed_by_id,
        "claimed_by": exchange.claimed_by_id,
        "created_at": exchange.created_at.isoformat(),
        "claimed_at": exchange.claimed_at.isoformat() if exchange.claimed_at else None,
        "posted_at": exchange.posted_at.isoformat() if exchange.posted_at else None,
        "scheduled_for": exchange.scheduled_for.isoformat() if exchange.scheduled_for else None,
    }


def people_of_side(exchange: Exchange, side: str) -> list[User]:
    party = party_of(exchange, side)
    if party is not None:
        return [party]
    # The pot is looked after by the network's coordinators.
    return list(coordinators_of(network=exchange.network))


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
    params: dict | None = None,
    reason: str = "",
    data: dict | None = None,
    notice: dict | None = None,
) -> None:
    """Audit the step, notify the given sides (never the actor) with the kind's `params`, push the new
    state on commit. `notice` adds to what the notification carries (an SMS asking for an answer is written
    from it)."""
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
                network=exchange.network,
                data={"exchange": exchange.pk, **(params or {}), **(notice or {})},
                actor=actor,
            )
    acted = [person for person in (actor, on_behalf_of) if person is not None]
    parties = {p.pk for p in (exchange.provider, exchange.recipient) if p is not None}
    if actor is not None and actor.pk not in parties and None in (exchange.provider, exchange.recipient):
        # A coordinator speaking for the pot deals with it for all the pot's coordinators.
        if is_coordinator(user=actor, network=exchange.network):
            acted += list(coordinators_of(network=exchange.network))
    if acted:
        notifications_dealt_with(users=acted, url=reverse("exchange-detail", args=[exchange.pk]))
    payload = exchange_serialize(exchange)

    def push():
        for user_id in parties:
            push_to_user(user_id, {"type": "exchange.updated", "exchange": payload})

    transaction.on_commit(push)


def locked(exchange: Exchange) -> Exchange:
    """Lock the row and read it afresh: concurrent actions queue here, and `transition_check` on what they
    read refuses the losers (409)."""
    locked = (
        # of=("self",): the joined rows may be null (the pot) and need no lock.
        Exchange.objects.select_for_update(of=("self",))
        .select_related("network", "provider", "recipient", "listing")
        .get(pk=exchange.pk)
    )
    return locked


def account_of(exchange: Exchange, side: str) -> Account:
    party = party_of(exchange, side)
    if party is None:
        return Account.objects.get(network=exchange.network, kind=Account.Kind.POT)
    return Account.objects.get(membership__network=exchange.network, membership__user=party)


def check_minutes(minutes, field: str = "minutes") -> int:
    return minutes_check(minutes, most=MAX_HELP_MINUTES, field=field)


def hold_release_of(exchange: Exchange, *, actor: User | None, on_behalf_of: User | None = None) -> None:
    if exchange.held_minutes:
        hold_release(exchange=exchange, actor=actor, on_behalf_of=on_behalf_of)
        exchange.held_minutes = 0


def supported_party() -> Q:
    """Exchanges where a party is a supported member."""
    supported = Membership.objects.filter(network=OuterRef("network"), is_supported=True)
    return Q(Exists(supported.filter(user=OuterRef("provider")))) | Q(
        Exists(supported.filter(user=OuterRef("recipient")))
    )


def pot_party() -> Q:
    """Exchanges the network's pot pays or is paid by."""
    return Q(provider__isnull=True) | Q(recipient__isnull=True)


def coordinator_answers() -> Q:
    """Exchanges only a coordinator may settle when left unanswered: a party is a supported member or
    the pot (PRODUCT §3). They never auto-confirm; they wait in the coordinator's queue."""
    return supported_party() | pot_party()
