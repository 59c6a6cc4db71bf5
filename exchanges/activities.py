"""Group activities (PRODUCT §4 additions): a coordinator records a coffee morning or a session in one
go. One side holds exactly one party; each provider–recipient pair becomes one exchange, posted through
the ledger's one money path, all in one transaction: every leg or none."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.ledger.models import Account
from exchanges.ledger.services import transfer_create
from exchanges.lifecycle.common import State, check_minutes, step
from exchanges.models import Activity, Exchange
from members.models import Membership, Network, User
from members.selectors import MAX_ID, require_coordinator
from messaging.notifications.services import notification_create
from timebank.errors import ValidationError

POT = "pot"
# Everyone who came to one activity: a large session, not the whole borough.
MOST_PARTIES = 200
# How far back an activity may be recorded: last year's register, not history.
OLDEST_DAYS = 366
TITLE_LENGTH = 140  # Activity.title


def _parties(network: Network, parties, field: str) -> list[User | None]:
    """The people (None for the pot) on one side, each an active member of the network."""
    if not isinstance(parties, list) or not 1 <= len(parties) <= MOST_PARTIES:
        raise ValidationError({field: [_("Name from 1 to %(most)d people, or the pot.") % {"most": MOST_PARTIES}]})
    if POT in parties:
        if len(parties) != 1:
            raise ValidationError({field: [_("The pot is one party on its own.")]})
        return [None]
    if not all(isinstance(p, int) and not isinstance(p, bool) and 0 < p <= MAX_ID for p in parties):
        raise ValidationError({field: [_('Give user ids, or "pot".')]})
    if len(set(parties)) != len(parties):
        raise ValidationError({field: [_("Someone is named twice.")]})
    members = {
        m.user_id: m.user
        for m in Membership.objects.filter(
            network=network, user_id__in=parties, status=Membership.Status.ACTIVE, account__isnull=False
        ).select_related("user")
    }
    missing = [p for p in parties if p not in members]
    if missing:
        raise ValidationError({field: [_("Not active members of this network: %(ids)s.") % {"ids": missing}]})
    return [members[p] for p in parties]


def _account(network: Network, party: User | None) -> Account:
    if party is None:
        return Account.objects.get(network=network, kind=Account.Kind.POT)
    return Account.objects.get(membership__network=network, membership__user=party)


def activity_record(
    *,
    actor: User,
    network: Network,
    title: str,
    happened_on: datetime.date,
    minutes: int,
    providers: list,
    recipients: list,
) -> Activity:
    """Record a group activity: every provider–recipient pair is paid `minutes`, or nothing is."""
    require_coordinator(user=actor, network=network)
    check_minutes(minutes)
    title = (title or "").strip() if isinstance(title, str) else ""
    if not title or len(title) > TITLE_LENGTH:
        raise ValidationError({"title": [_("Say what it was, in up to %(most)d characters.") % {"most": TITLE_LENGTH}]})
    today = timezone.localdate()
    if not isinstance(happened_on, datetime.date) or not (
        today - datetime.timedelta(days=OLDEST_DAYS) <= happened_on <= today
    ):
        raise ValidationError({"happened_on": [_("Give the day it happened, within the last year.")]})
    givers = _parties(network, providers, "providers")
    takers = _parties(network, recipients, "recipients")
    if len(givers) != 1 and len(takers) != 1:
        raise ValidationError({"providers": [_("One side holds exactly one party: one to many, or many to one.")]})
    if actor.pk in {p.pk for p in givers if p is not None}:
        # Paying oneself, from the pot or anyone, is another coordinator's step.
        raise ValidationError({"providers": [_("Another coordinator must record an activity that pays you.")]})
    ids = {p.pk for p in givers if p is not None} & {p.pk for p in takers if p is not None}
    if ids or (givers == [None] and takers == [None]):
        raise ValidationError({"recipients": [_("Someone cannot help themselves.")]})
    now = timezone.now()
    with transaction.atomic():
        activity = Activity.objects.create(
            network=network, title=title, happened_on=happened_on, minutes=minutes, created_by=actor
        )
        for provider in givers:
            for recipient in takers:
                exchange = Exchange.objects.create(
                    network=network,
                    activity=activity,
                    provider=provider,
                    recipient=recipient,
                    minutes=minutes,
                    claimed_minutes=minutes,
                    description=title,
                    state=State.POSTED,
                    proposed_by=actor,
                    claimed_by=actor,
                    claimed_at=now,
                    posted_at=now,
                )
                # The ledger refuses a payer below their floor: the refusal undoes every leg.
                transfer_create(
                    network=network,
                    from_account=_account(network, recipient),
                    to_account=_account(network, provider),
                    minutes=minutes,
                    kind="exchange",
                    created_by=actor,
                    exchange=exchange,
                    memo=title,
                )
                step(exchange, action="activity", actor=actor, data={"activity": activity.pk})
                for party in (provider, recipient):
                    if party is not None and party.pk != actor.pk:
                        notification_create(
                            user=party,
                            kind="activity.recorded",
                            text=_("%(title)s on %(day)s: %(minutes)d minutes recorded.")
                            % {"title": title, "day": happened_on.isoformat(), "minutes": minutes},
                            network=network,
                            url=f"/exchanges/{exchange.pk}/",
                            data={
                                "activity": activity.pk,
                                "exchange": exchange.pk,
                                "title": title,
                                "happened_on": happened_on.isoformat(),
                                "minutes": minutes,
                                "side": "provider" if party is provider else "recipient",
                            },
                        )
    return activity
