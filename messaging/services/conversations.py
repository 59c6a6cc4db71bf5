"""Conversations: one 1:1 per pair of members in a network, one per exchange between its parties."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from exchanges.models import Exchange
from members.models import Membership, Network, User
from members.selectors import TRADING_ROLES, active_membership
from messaging.models import Conversation, Participant
from timebank.errors import Forbidden, NotFound, ValidationError


def _participants_add(conversation: Conversation, users) -> None:
    Participant.objects.bulk_create(
        [Participant(network_id=conversation.network_id, conversation=conversation, user=u) for u in users],
        ignore_conflicts=True,
    )


def messaging_membership(*, user: User, network: Network) -> Membership:
    """The caller's membership if they may message in the network: NotFound outside it, Forbidden for a
    commissioner (figures, not people)."""
    mine = active_membership(user=user, network=network)
    if mine is None:
        raise NotFound(_("No such network."))
    if mine.role not in TRADING_ROLES:
        raise Forbidden(_("Commissioners see figures, not people: they do not message members."))
    return mine


def conversation_direct_open(*, network: Network, user: User, other_id: int) -> tuple[Conversation, bool]:
    """The one 1:1 conversation of two active members of a network, made on first use.

    Returns (conversation, created). Someone outside the network answers 404, as if unknown.
    """
    messaging_membership(user=user, network=network)
    if other_id == user.pk:
        raise ValidationError({"member": [_("You cannot start a conversation with yourself.")]})
    other = User.objects.filter(
        pk=other_id,
        memberships__network=network,
        memberships__status=Membership.Status.ACTIVE,
        memberships__role__in=TRADING_ROLES,
    ).first()
    if other is None:
        raise NotFound(_("No such member."))
    low, high = sorted([user.pk, other.pk])
    pair_key = f"{low}:{high}"
    existing = Conversation.objects.filter(network=network, pair_key=pair_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                network=network, kind=Conversation.Kind.DIRECT, pair_key=pair_key
            )
            _participants_add(conversation, [user, other])
    except IntegrityError:
        # Both opened it at once: the other request's row won the unique pair_key.
        return Conversation.objects.get(network=network, pair_key=pair_key), False
    return conversation, True


def conversation_exchange_open(*, exchange_id: int, user: User) -> tuple[Conversation, bool]:
    """The conversation about an exchange, between its parties (the pot has no participant).

    Asked before anything is made: a party who may not message in the exchange's network (suspended, gone,
    a commissioner) is refused as `messaging_membership` says, and nothing is created."""
    exchange = Exchange.objects.filter(pk=exchange_id).select_related("network").first()
    if exchange is None or user.pk not in (exchange.provider_id, exchange.recipient_id):
        raise NotFound(_("No such exchange."))
    messaging_membership(user=user, network=exchange.network)
    existing = Conversation.objects.filter(exchange=exchange).first()
    if existing is not None:
        return existing, False
    parties = [u for u in (exchange.provider, exchange.recipient) if u is not None]
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                network_id=exchange.network_id, kind=Conversation.Kind.EXCHANGE, exchange=exchange
            )
            _participants_add(conversation, parties)
    except IntegrityError:
        return Conversation.objects.get(exchange=exchange), False
    return conversation, True
