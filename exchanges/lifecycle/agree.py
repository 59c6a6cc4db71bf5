"""Before the help happens: accept (placing the hold), approve, decline, cancel."""

from django.db import transaction

from exchanges.ledger.services import hold_place
from exchanges.lifecycle.common import (
    PROVIDER,
    RECIPIENT,
    State,
    account_of,
    hold_release_of,
    locked,
    name_of,
    other_side,
    step,
    transition_check,
)
from exchanges.models import Exchange
from members.audit import reason_clean
from members.models import Network, User
from messaging.notifications.services import coordinators_notify

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
        exchange = locked(exchange)
        acting = transition_check(actor=actor, exchange=exchange, action="accept")
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
            kind="exchange.accepted_for_approval" if waiting else "exchange.accepted",
            params={"name": name_of(exchange, acting.side)},
        )
        if waiting:
            coordinators_notify(
                network=exchange.network, kind="exchange.awaiting_approval", data={"exchange": exchange.pk}
            )
    return exchange


def exchange_approve(*, actor: User, exchange: Exchange, reason: str = "") -> Exchange:
    with transaction.atomic():
        exchange = locked(exchange)
        transition_check(actor=actor, exchange=exchange, action="approve")
        # Coordinator decisions carry a reason (PRODUCT §3), from the page and the API alike.
        reason = reason_clean(reason, required=True)
        exchange.state = State.ACCEPTED
        exchange.save(update_fields=["state", "updated_at"])
        step(
            exchange,
            action="approve",
            actor=actor,
            notify=(PROVIDER, RECIPIENT),
            kind="exchange.approved",
            reason=reason,
        )
    return exchange


def exchange_decline(*, actor: User, exchange: Exchange) -> Exchange:
    with transaction.atomic():
        exchange = locked(exchange)
        acting = transition_check(actor=actor, exchange=exchange, action="decline")
        exchange.state = State.DECLINED
        exchange.save(update_fields=["state", "updated_at"])
        step(
            exchange,
            action="decline",
            actor=actor,
            on_behalf_of=acting.on_behalf_of,
            notify=(other_side(acting.side),),
            kind="exchange.declined",
            params={"name": name_of(exchange, acting.side)},
        )
    return exchange


def exchange_cancel(*, actor: User, exchange: Exchange) -> Exchange:
    with transaction.atomic():
        exchange = locked(exchange)
        acting = transition_check(actor=actor, exchange=exchange, action="cancel")
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
            params={"name": name_of(exchange, acting.side)},
        )
    return exchange
