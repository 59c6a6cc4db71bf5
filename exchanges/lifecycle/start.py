"""Starting an exchange: propose, record help arranged off-platform, repeat."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.ledger.models import Account
from exchanges.lifecycle.common import (
    Acting,
    State,
    check_minutes,
    counterparts,
    exchange_sides_for,
    name_of,
    step,
    transition_check,
)
from exchanges.limits import MAX_HELP_MINUTES
from exchanges.models import Exchange, Listing
from members.models import Membership, Network, User
from members.selectors import active_membership, is_coordinator
from timebank.errors import Forbidden, InvalidTransition, NotFound, ValidationError

# Starting an exchange -----------------------------------------------------------------------


def _validate_new(
    *, actor: User, network: Network, provider: User | None, recipient: User | None, minutes: int, listing
) -> Acting:
    check_minutes(minutes)
    if active_membership(user=actor, network=network) is None:
        raise NotFound(_("No such network."))
    if provider is None and recipient is None:
        raise ValidationError({"recipient": [_("The pot cannot pay itself.")]})
    if provider is not None and recipient is not None and provider.pk == recipient.pk:
        raise ValidationError({"recipient": [_("Someone cannot help themselves.")]})
    for field, party in (("provider", provider), ("recipient", recipient)):
        if (
            party is not None
            and not Account.objects.filter(
                membership__network=network, membership__user=party, membership__status=Membership.Status.ACTIVE
            ).exists()
        ):
            raise ValidationError({field: [_("Not an active member of this network.")]})
    if listing is not None:
        if listing.network_id != network.pk:
            raise ValidationError({"listing": [_("That listing is in another network.")]})
        owner_side = provider if listing.kind == Listing.Kind.OFFER else recipient
        if owner_side is None or owner_side.pk != listing.owner_id:
            raise ValidationError({"listing": [_("The listing's owner must be the one offering or asking.")]})
    probe = Exchange(network=network, provider=provider, recipient=recipient)
    sides = exchange_sides_for(actor=actor, exchange=probe)
    if sides:
        return next(iter(sides.values()))
    if is_coordinator(user=actor, network=network):
        return Acting("", None)  # a coordinator introducing two members
    raise Forbidden(_("You can only start an exchange you take part in."))


def exchange_propose(
    *,
    actor: User,
    network: Network,
    provider: User | None,
    recipient: User | None,
    minutes: int,
    description: str = "",
    listing: Listing | None = None,
) -> Exchange:
    """Propose help; `provider` or `recipient` None means the network's pot."""
    acting = _validate_new(
        actor=actor, network=network, provider=provider, recipient=recipient, minutes=minutes, listing=listing
    )
    if listing is not None and listing.status != Listing.Status.OPEN:
        raise InvalidTransition(_("That listing is not open."))
    with transaction.atomic():
        exchange = Exchange.objects.create(
            network=network,
            listing=listing,
            provider=provider,
            recipient=recipient,
            minutes=minutes,
            description=description,
            proposed_by=actor,
            proposed_side=acting.side,
        )
        who = name_of(exchange, acting.side) if acting.side else actor.name
        step(
            exchange,
            action="propose",
            actor=actor,
            on_behalf_of=acting.on_behalf_of,
            notify=counterparts(exchange, acting.side),
            kind="exchange.proposed",
            params={"name": who, "minutes": minutes},
        )
    return exchange


def exchange_record(
    *,
    actor: User,
    network: Network,
    provider: User | None,
    recipient: User | None,
    minutes: int,
    description: str = "",
    listing: Listing | None = None,
) -> Exchange:
    """Help that was arranged off-platform, claimed in one step; the other party confirms it."""
    acting = _validate_new(
        actor=actor, network=network, provider=provider, recipient=recipient, minutes=minutes, listing=listing
    )
    now = timezone.now()
    with transaction.atomic():
        exchange = Exchange.objects.create(
            network=network,
            listing=listing,
            provider=provider,
            recipient=recipient,
            minutes=minutes,
            claimed_minutes=minutes,
            description=description,
            state=State.CLAIMED,
            proposed_by=actor,
            proposed_side=acting.side,
            claimed_by=actor,
            claimed_side=acting.side,
            claimed_at=now,
        )
        step(
            exchange,
            action="record",
            actor=actor,
            on_behalf_of=acting.on_behalf_of,
            notify=counterparts(exchange, acting.side),
            kind="exchange.recorded",
            params={"name": actor.name, "minutes": minutes},
        )
    return exchange


def exchange_repeat(*, actor: User, exchange: Exchange) -> Exchange:
    """Propose the same help again (weekly help is common)."""
    transition_check(actor=actor, exchange=exchange, action="repeat")
    listing = exchange.listing if exchange.listing and exchange.listing.status == Listing.Status.OPEN else None
    return exchange_propose(
        actor=actor,
        network=exchange.network,
        provider=exchange.provider,
        recipient=exchange.recipient,
        minutes=min(exchange.claimed_minutes or exchange.minutes, MAX_HELP_MINUTES),
        description=exchange.description,
        listing=listing,
    )
