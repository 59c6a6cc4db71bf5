"""Before the help happens: accept (placing the hold), approve, decline, cancel."""

from django.db import transaction

from exchanges.ledger.services import hold_place
from exchanges.lifecycle.common import (
    PROVIDER,
    RECIPIENT,
    State,
    account_of,
    coordinators_of,
    counterparts,
    hold_release_of,
    locked,
    name_of,
    other_side,
    require_coordinator,
    require_side,
    step,
)
from exchanges.models import Exchange
from members.models import Network, User
from messaging.notifications.services import notification_create
from timebank.errors import ValidationError

# Agreeing before the help happens -----------------------------------------------------------


def _needs_approval(exchange: Exchange) -> bool:
    rule = exchange.network.approval
    if rule == Network.Approval.ALWAYS:
        return True
    if rule == Network.Approval.SENSITIVE and exchange.listing is not None:
        return exchange.listing.skills.filter(category__sensitive=True).exists()
    return False


def exchange_accept(*, actor: User, exchange: Exchange) -> Exchange:
    """The other party agrees; the recipient's minutes are held so the help can always be paid."""
    with transaction.atomic():
        exchange = locked(exchange, State.PROPOSED)
        acting = require_side(actor=actor, exchange=exchange, allowed=counterparts(exchange, exchange.proposed_side))
        hold_place(
            exchange=exchange,
            account=account_of(exchange, RECIPIENT),
            minutes=exchange.minutes,
            actor=actor,
            on_behalf_of=acting.on_behalf_of,
        )
        exchange.held_minutes = exchange.minutes
        exchange.state = State.AWAITING_APPROVAL if _needs_approval(exchange) else State.ACCEPTED
        exchange.save(update_fields=["held_minutes", "state", "updated_at"])
        waiting = exchange.state == State.AWAITING_APPROVAL
        step(
            exchange,
            action="accept",
            actor=actor,
            on_behalf_of=acting.on_behalf_of,
            notify=(other_side(acting.side),),
            kind="exchange.accepted",
            text=f"{name_of(exchange, acting.side)} agreed to the exchange"
            + (": a coordinator will check it first." if waiting else "."),
        )
        if waiting:
            for person in coordinators_of(exchange.network):
                notification_create(
                    user=person,
                    kind="exchange.awaiting_approval",
                    text="An exchange is waiting for your approval.",
                    network=exchange.network,
                    url=f"/exchanges/{exchange.pk}/",
                    data={"exchange": exchange.pk},
                )
    return exchange


def exchange_approve(*, actor: User, exchange: Exchange, reason: str = "") -> Exchange:
    with transaction.atomic():
        require_coordinator(actor, exchange)
        exchange = locked(exchange, State.AWAITING_APPROVAL)
        # Coordinator decisions carry a reason (PRODUCT §3), from the page and the API alike.
        if not (reason or "").strip():
            raise ValidationError({"reason": ["Say why you approve this exchange."]})
        exchange.state = State.ACCEPTED
        exchange.save(update_fields=["state", "updated_at"])
        step(
            exchange,
            action="approve",
            actor=actor,
            notify=(PROVIDER, RECIPIENT),
            kind="exchange.approved",
            text="A coordinator approved your exchange: it can go ahead.",
            reason=reason,
        )
    return exchange


def exchange_decline(*, actor: User, exchange: Exchange) -> Exchange:
    with transaction.atomic():
        exchange = locked(exchange, State.PROPOSED)
        acting = require_side(actor=actor, exchange=exchange, allowed=counterparts(exchange, exchange.proposed_side))
        exchange.state = State.DECLINED
        exchange.save(update_fields=["state", "updated_at"])
        step(
            exchange,
            action="decline",
            actor=actor,
            on_behalf_of=acting.on_behalf_of,
            notify=(other_side(acting.side),),
            kind="exchange.declined",
            text=f"{name_of(exchange, acting.side)} declined the exchange.",
        )
    return exchange


def exchange_cancel(*, actor: User, exchange: Exchange) -> Exchange:
    with transaction.atomic():
        exchange = locked(exchange, State.PROPOSED, State.AWAITING_APPROVAL, State.ACCEPTED)
        acting = require_side(actor=actor, exchange=exchange, allowed=(PROVIDER, RECIPIENT))
        hold_release_of(exchange, actor=actor, on_behalf_of=acting.on_behalf_of)
        exchange.state = State.CANCELLED
        exchange.save(update_fields=["state", "held_minutes", "updated_at"])
        step(
            exchange,
            action="cancel",
            actor=actor,
            on_behalf_of=acting.on_behalf_of,
            notify=(other_side(acting.side),),
            kind="exchange.cancelled",
            text=f"{name_of(exchange, acting.side)} cancelled the exchange.",
        )
    return exchange
