"""Agreed help has a time: a party sets it, both are reminded the day before and an hour before, and afterwards
the provider is asked whether it happened (they claim in one tap on the exchange page; the recipient then
confirms as after any claim)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.lifecycle.common import (
    PROVIDER,
    RECIPIENT,
    State,
    counterparts,
    locked,
    name_of,
    people_of_side,
    step,
    transition_check,
)
from exchanges.models import Exchange
from members.models import User
from messaging.notifications.services import notification_create
from timebank.errors import ValidationError

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
# Far enough ahead for any arrangement, near enough that it is not a typo.
FURTHEST = datetime.timedelta(days=366)


def _when_clean(scheduled_for) -> datetime.datetime:
    if not isinstance(scheduled_for, datetime.datetime):
        raise ValidationError({"scheduled_for": [_("Give a date and time.")]})
    if timezone.is_naive(scheduled_for):
        scheduled_for = timezone.make_aware(scheduled_for)
    now = timezone.now()
    if scheduled_for <= now:
        raise ValidationError({"scheduled_for": [_("Choose a time that has not passed yet.")]})
    if scheduled_for > now + FURTHEST:
        raise ValidationError({"scheduled_for": [_("Choose a time within the next year.")]})
    return scheduled_for


def exchange_schedule(*, actor: User, exchange: Exchange, scheduled_for) -> Exchange:
    """A party (or who acts for one) sets when agreed help happens; the other party is told. Setting it
    again moves it, and the reminders start over. Only an accepted exchange has a time (409 otherwise)."""
    scheduled_for = _when_clean(scheduled_for)
    with transaction.atomic():
        exchange = locked(exchange)
        acting = transition_check(actor=actor, exchange=exchange, action="schedule")
        exchange.scheduled_for = scheduled_for
        exchange.reminded_day_at = exchange.reminded_hour_at = exchange.asked_after_at = None
        exchange.save(
            update_fields=["scheduled_for", "reminded_day_at", "reminded_hour_at", "asked_after_at", "updated_at"]
        )
        who = name_of(exchange, acting.side) if acting.side else actor.name
        step(
            exchange,
            action="schedule",
            actor=actor,
            on_behalf_of=acting.on_behalf_of,
            notify=counterparts(exchange, acting.side),
            kind="exchange.scheduled",
            params={"name": who, "when": scheduled_for.isoformat()},
            data={"scheduled_for": scheduled_for.isoformat()},
        )
    return exchange


def _tell(exchange: Exchange, sides: tuple[str, ...], kind: str) -> None:
    for side in sides:
        other = RECIPIENT if side == PROVIDER else PROVIDER
        for person in people_of_side(exchange, side):
            notification_create(
                user=person,
                kind=kind,
                network=exchange.network,
                data={
                    "exchange": exchange.pk,
                    "name": name_of(exchange, other),
                    "minutes": exchange.minutes,
                    "description": exchange.description[:80] or _("your exchange"),
                    "when": exchange.scheduled_for.isoformat() if exchange.scheduled_for else "",
                },
            )


def _once(exchange_id: int, marker: str, now: datetime.datetime) -> bool:
    """Claim a reminder: True for the one run that sets the marker (the conditional update is the lock)."""
    return bool(
        Exchange.objects.filter(pk=exchange_id, state=State.ACCEPTED, **{f"{marker}__isnull": True}).update(
            **{marker: now}
        )
    )


def exchanges_remind(*, now: datetime.datetime | None = None) -> int:
    """Send the reminders that are due, each once however often this runs: the day before, an hour before,
    and after the time the provider is asked whether it happened. Returns how many went."""
    now = now or timezone.now()
    agreed = Exchange.objects.filter(state=State.ACCEPTED, scheduled_for__isnull=False).select_related(
        "network", "provider", "recipient"
    )
    due = [
        # (which exchanges, the marker, who hears, what)
        (
            agreed.filter(reminded_day_at__isnull=True, scheduled_for__gt=now + HOUR, scheduled_for__lte=now + DAY),
            "reminded_day_at",
            (PROVIDER, RECIPIENT),
            "exchange.reminder_day",
        ),
        (
            agreed.filter(reminded_hour_at__isnull=True, scheduled_for__gt=now, scheduled_for__lte=now + HOUR),
            "reminded_hour_at",
            (PROVIDER, RECIPIENT),
            "exchange.reminder_hour",
        ),
        (
            agreed.filter(asked_after_at__isnull=True, scheduled_for__lte=now),
            "asked_after_at",
            (PROVIDER,),
            "exchange.did_it_happen",
        ),
    ]
    sent = 0
    for exchanges, marker, sides, kind in due:
        for exchange in exchanges.order_by("scheduled_for", "pk"):
            with transaction.atomic():
                if _once(exchange.pk, marker, now):
                    _tell(exchange, sides, kind)
                    sent += 1
    return sent
