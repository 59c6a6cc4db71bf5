"""After the help: claim, confirm (posting through the ledger), dispute, resolve, auto-confirm."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.ledger.services import transfer_create
from exchanges.lifecycle.common import (
    PROVIDER,
    RECIPIENT,
    State,
    account_of,
    check_minutes,
    coordinator_answers,
    hold_release_of,
    locked,
    name_of,
    other_side,
    step,
    transition_check,
)
from exchanges.limits import MAX_HELP_MINUTES, minutes_check
from exchanges.models import Exchange
from members.audit import reason_clean
from members.models import Network, User
from messaging.notifications.services import coordinators_notify
from timebank.errors import InsufficientBalance

# After the help: claim, confirm, dispute, resolve -------------------------------------------


def exchange_complete(*, actor: User, exchange: Exchange, minutes: int) -> Exchange:
    """A party says the help happened and how long it took; the other party confirms."""
    check_minutes(minutes)
    with transaction.atomic():
        exchange = locked(exchange)
        acting = transition_check(actor=actor, exchange=exchange, action="complete")
        exchange.state = State.CLAIMED
        exchange.claimed_minutes = minutes
        exchange.claimed_by = actor
        exchange.claimed_side = acting.side
        exchange.claimed_at = timezone.now()
        exchange.save(
            update_fields=["state", "claimed_minutes", "claimed_by", "claimed_side", "claimed_at", "updated_at"]
        )
        step(
            exchange,
            action="complete",
            actor=actor,
            on_behalf_of=acting.on_behalf_of,
            notify=(other_side(acting.side),),
            kind="exchange.claimed",
            params={"name": name_of(exchange, acting.side), "minutes": minutes},
            data={"minutes": minutes},
            notice={"minutes": minutes, "by": name_of(exchange, acting.side), "claimed_side": acting.side},
        )
    return exchange


def _post(exchange: Exchange, *, minutes: int, actor: User | None, on_behalf_of: User | None, reason: str = "") -> bool:
    """Write the exchange transfer and release the hold. False when it would cross the payer's floor."""
    try:
        transfer_create(
            network=exchange.network,
            from_account=account_of(exchange, RECIPIENT),
            to_account=account_of(exchange, PROVIDER),
            minutes=minutes,
            kind="exchange",
            created_by=actor,
            on_behalf_of=on_behalf_of,
            exchange=exchange,
            reason=reason,
            release_hold=exchange.held_minutes,
        )
    except InsufficientBalance:
        return False
    exchange.state = State.POSTED
    exchange.held_minutes = 0
    exchange.needs_coordinator = False
    exchange.posted_at = timezone.now()
    exchange.save(update_fields=["state", "held_minutes", "needs_coordinator", "posted_at", "updated_at"])
    return True


def _flag_for_coordinator(exchange: Exchange, *, actor: User | None, on_behalf_of: User | None) -> None:
    exchange.needs_coordinator = True
    exchange.save(update_fields=["needs_coordinator", "updated_at"])
    step(
        exchange,
        action="needs_coordinator",
        actor=actor,
        on_behalf_of=on_behalf_of,
        notify=(PROVIDER, RECIPIENT),
        kind="exchange.over_floor",
    )
    coordinators_notify(network=exchange.network, kind="exchange.needs_coordinator", data={"exchange": exchange.pk})


def _posted_step(exchange: Exchange, *, action: str, actor: User | None, on_behalf_of: User | None, notify, reason=""):
    minutes = exchange.claimed_minutes
    step(
        exchange,
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        notify=notify,
        kind="exchange.posted",
        params={"minutes": minutes, "payer": name_of(exchange, RECIPIENT), "earner": name_of(exchange, PROVIDER)},
        reason=reason,
        data={"minutes": minutes},
    )


def exchange_confirm(*, actor: User, exchange: Exchange, reason: str = "") -> Exchange:
    """The party who did not claim agrees: the minutes move and the hold is released."""
    with transaction.atomic():
        exchange = locked(exchange)
        acting = transition_check(actor=actor, exchange=exchange, action="confirm")
        obo = acting.on_behalf_of
        # Only exchange_complete makes an exchange claimed, and it saves the minutes with that state.
        assert exchange.claimed_minutes is not None
        if _post(exchange, minutes=exchange.claimed_minutes, actor=actor, on_behalf_of=obo, reason=reason):
            _posted_step(
                exchange, action="confirm", actor=actor, on_behalf_of=obo, notify=(PROVIDER, RECIPIENT), reason=reason
            )
        elif not exchange.needs_coordinator:
            _flag_for_coordinator(exchange, actor=actor, on_behalf_of=acting.on_behalf_of)
    return exchange


def exchange_dispute(*, actor: User, exchange: Exchange, reason: str = "") -> Exchange:
    with transaction.atomic():
        exchange = locked(exchange)
        acting = transition_check(actor=actor, exchange=exchange, action="dispute")
        exchange.state = State.DISPUTED
        exchange.save(update_fields=["state", "updated_at"])
        step(
            exchange,
            action="dispute",
            actor=actor,
            on_behalf_of=acting.on_behalf_of,
            notify=(other_side(acting.side),),
            kind="exchange.disputed",
            params={"name": name_of(exchange, acting.side)},
            reason=reason,
        )
        coordinators_notify(network=exchange.network, kind="exchange.dispute_needs_you", data={"exchange": exchange.pk})
    return exchange


def exchange_resolve(*, actor: User, exchange: Exchange, minutes, reason: str) -> Exchange:
    """A coordinator settles what went to them: a dispute, a posting over the floor, or a claim with a
    supported member or the pot (never auto-confirmed). `minutes` are posted; 0 cancels."""
    minutes_check(minutes, least=0, most=MAX_HELP_MINUTES)
    reason = reason_clean(reason, required=True)
    with transaction.atomic():
        exchange = locked(exchange)
        transition_check(actor=actor, exchange=exchange, action="resolve")
        if minutes == 0:
            hold_release_of(exchange, actor=actor)
            exchange.state = State.CANCELLED
            exchange.needs_coordinator = False
            exchange.save(update_fields=["state", "held_minutes", "needs_coordinator", "updated_at"])
        else:
            exchange.claimed_minutes = minutes
            exchange.save(update_fields=["claimed_minutes"])
            if not _post(exchange, minutes=minutes, actor=actor, on_behalf_of=None, reason=reason):
                raise InsufficientBalance(
                    _("That would take the payer below their limit: grant from the pot first, or post fewer minutes.")
                )
        step(
            exchange,
            action="resolve",
            actor=actor,
            notify=(PROVIDER, RECIPIENT),
            kind="exchange.resolved" if minutes else "exchange.resolved_cancelled",
            params={"minutes": minutes},
            reason=reason,
            data={"minutes": minutes},
        )
    return exchange


# Auto-confirm -------------------------------------------------------------------------------


def exchanges_autoconfirm(*, now=None, limit: int = 500) -> int:
    """Post claims left unanswered past their network's delay; returns how many were posted.

    Never with a supported member or the pot as a party: nobody but a coordinator speaks for them, so
    their claims wait in the coordinator's queue. Rows another run holds are skipped, so concurrent runs
    never post a claim twice.
    """
    now = now or timezone.now()
    claimed = Exchange.objects.filter(state=State.CLAIMED, needs_coordinator=False).exclude(coordinator_answers())
    due = []
    for network in Network.objects.filter(pk__in=claimed.values("network_id")):
        cutoff = now - timedelta(days=network.autoconfirm_days)
        due += list(claimed.filter(network=network, claimed_at__lte=cutoff).values_list("pk", flat=True)[:limit])
    posted = 0
    for pk in due:
        with transaction.atomic():
            row = (
                Exchange.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("network", "provider", "recipient")
                .filter(pk=pk, state=State.CLAIMED, needs_coordinator=False)
                .exclude(coordinator_answers())
                .first()
            )
            if row is None:
                continue
            assert row.claimed_minutes is not None  # claimed, so its minutes are set (as in exchange_confirm)
            if _post(row, minutes=row.claimed_minutes, actor=None, on_behalf_of=None):
                _posted_step(row, action="autoconfirm", actor=None, on_behalf_of=None, notify=(PROVIDER, RECIPIENT))
                posted += 1
            else:
                _flag_for_coordinator(row, actor=None, on_behalf_of=None)
    return posted
