"""Writes for notifications, conversations and messages, and the live push that follows them.

Rows are saved first; the live push is sent on commit. The channel layer is a doorbell, the
database is the truth: a client that missed a push gets the rows back with `sync` or `?after=`.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from members.models import Membership, Network, User
from members.selectors import active_membership
from messaging.models import Block, Conversation, Message, Notification, NotificationPreference, Participant
from timebank.errors import Forbidden, NotFound, ValidationError

logger = logging.getLogger(__name__)

MAX_BODY = 4000
MAX_CLIENT_ID = 64
PUSH_TIMEOUT_SECONDS = 1.0


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


async def _group_send_all(layer, user_ids: list[int], event: dict) -> None:
    # Bounded, so an unreachable Redis delays a committed write by at most this, never hangs it.
    sends = [layer.group_send(user_group(user_id), event) for user_id in user_ids]
    await asyncio.wait_for(asyncio.gather(*sends), timeout=PUSH_TIMEOUT_SECONDS)


def push_to_users(user_ids: list[int], event: dict) -> None:
    """Send an event to every socket of these users, in one hop to the event loop. Best effort:
    losing it loses liveness, never data."""
    layer = get_channel_layer()
    if layer is None or not user_ids:
        return
    try:
        async_to_sync(_group_send_all)(layer, list(user_ids), event)
    except Exception:  # noqa: BLE001 - a dead Redis must never fail the write that already committed
        logger.warning("live push to users %s failed", user_ids, exc_info=True)


def push_to_user(user_id: int, event: dict) -> None:
    """Send an event to every socket of a user. Best effort: losing it loses liveness, not data."""
    push_to_users([user_id], event)


def _push_after_commit(user_ids, event: dict) -> None:
    ids = list(user_ids)
    transaction.on_commit(lambda: push_to_users(ids, event))


# Notifications ------------------------------------------------------------------------------


def notification_serialize(notification: Notification) -> dict:
    return {
        "id": notification.pk,
        "network": notification.network.slug if notification.network_id else None,
        "kind": notification.kind,
        "text": notification.text,
        "url": notification.url,
        "data": notification.data,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def notification_create(
    *, user: User, kind: str, text: str, network: Network | None = None, url: str = "", data: dict | None = None
) -> Notification:
    notification = Notification.objects.create(
        user=user, kind=kind, text=text[:300], network=network, url=url, data=data or {}
    )
    payload = notification_serialize(notification)
    _push_after_commit([user.pk], {"type": "notification.new", "notification": payload})
    return notification


def notification_read(*, notification_id: int, user: User) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user=user).select_related("network").first()
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_preference_set(*, user: User, daily_digest: bool) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.update_or_create(user=user, defaults={"daily_digest": daily_digest})
    return preference


def notification_read_all(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# Conversations ------------------------------------------------------------------------------


def _participants_add(conversation: Conversation, users) -> None:
    Participant.objects.bulk_create(
        [Participant(network_id=conversation.network_id, conversation=conversation, user=u) for u in users],
        ignore_conflicts=True,
    )


def conversation_direct_open(*, network: Network, user: User, other_id: int) -> tuple[Conversation, bool]:
    """The one 1:1 conversation of two active members of a network, made on first use.

    Returns (conversation, created). Someone outside the network answers 404, as if unknown.
    """
    if active_membership(user=user, network=network) is None:
        raise NotFound("No such network.")
    if other_id == user.pk:
        raise ValidationError({"member": ["You cannot start a conversation with yourself."]})
    other = User.objects.filter(
        pk=other_id, memberships__network=network, memberships__status=Membership.Status.ACTIVE
    ).first()
    if other is None:
        raise NotFound("No such member.")
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
    """The conversation about an exchange, between its parties (the pot has no participant)."""
    from exchanges.models import Exchange

    exchange = Exchange.objects.filter(pk=exchange_id).first()
    if exchange is None or user.pk not in (exchange.provider_id, exchange.recipient_id):
        raise NotFound("No such exchange.")
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


# Messages -----------------------------------------------------------------------------------


def message_serialize(message: Message) -> dict:
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "sender": message.sender_id,
        "body": message.body,
        "client_id": message.client_id,
        "created_at": message.created_at.isoformat(),
    }


def _participant(conversation_id: int, user: User) -> Participant:
    participant = (
        Participant.objects.filter(conversation_id=conversation_id, user=user)
        .select_related("conversation__network")
        .first()
    )
    if participant is None:
        # Someone else's conversation: indistinguishable from one that does not exist.
        raise NotFound("No such conversation.")
    return participant


def _participants_for_send(conversation_id: int, sender: User) -> tuple[Participant, list[Participant], bool]:
    """The sender's participation, the other participants, and whether any of them blocked another:
    one query, because it sits on the hottest path."""
    blocked = Exists(
        Block.objects.filter(
            blocker_id=OuterRef("user_id"),
            network_id=OuterRef("network_id"),
            blocked__participations__conversation_id=conversation_id,
        )
    )
    rows = list(
        Participant.objects.filter(conversation_id=conversation_id)
        .select_related("conversation__network")
        .annotate(blocks=blocked)
    )
    mine = next((p for p in rows if p.user_id == sender.pk), None)
    if mine is None:
        # Someone else's conversation: indistinguishable from one that does not exist.
        raise NotFound("No such conversation.")
    return mine, [p for p in rows if p.user_id != sender.pk], any(p.blocks for p in rows)


def _next_seq(conversation_id: int) -> int:
    # One statement takes the row lock and the number; the lock is held until commit, so seq
    # order is commit order and a reader never sees seq n+1 before n.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE messaging_conversation SET last_seq = last_seq + 1, last_message_at = %s "
            "WHERE id = %s RETURNING last_seq",
            [timezone.now(), conversation_id],
        )
        return cursor.fetchone()[0]


def message_send(
    *, conversation: Conversation | int, sender: User, body: str, client_id: str = "", origin: str = ""
) -> tuple[Message, bool]:
    """Save a message with the conversation's next seq, then push it to every participant on commit.

    Returns (message, created). A resend with the same `client_id` returns the first message.
    `origin` is the sending socket's channel, which already has its answer and skips the push.
    """
    conversation_id = conversation if isinstance(conversation, int) else conversation.pk
    body = (body or "").strip()
    client_id = (client_id or "").strip()
    if not body:
        raise ValidationError({"body": ["A message needs some text."]})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": [f"Keep a message under {MAX_BODY} characters."]})
    if len(client_id) > MAX_CLIENT_ID:
        raise ValidationError({"client_id": [f"At most {MAX_CLIENT_ID} characters."]})
    if "\x00" in body or "\x00" in client_id:
        # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
        raise ValidationError({"body": ["Null characters are not allowed."]})
    participant, others, blocked = _participants_for_send(conversation_id, sender)
    conversation = participant.conversation
    if blocked:
        raise Forbidden("Messages between you and this member are blocked.")
    try:
        with transaction.atomic():
            seq = _next_seq(conversation_id)
            message = Message.objects.create(
                network_id=conversation.network_id,
                conversation_id=conversation_id,
                seq=seq,
                sender=sender,
                body=body,
                client_id=client_id,
            )
            # Replying means you have read what came before.
            Participant.objects.filter(pk=participant.pk).update(last_read_seq=seq)
            for other in others:
                # Coalesced: only the first message they have not read notifies, so a lively chat
                # does not bury hours received or claims to confirm. Reading clears it.
                if other.last_read_seq >= seq - 1:
                    _message_notify(conversation, other.user_id, sender)
    except IntegrityError:
        # A resend with the same client_id (the unique constraint is the check, so a first send
        # pays no extra query); the rollback took our seq back with it.
        existing = Message.objects.filter(conversation_id=conversation_id, sender=sender, client_id=client_id).first()
        if existing is None:
            raise
        return existing, False
    event = {"type": "message.new", "message": message_serialize(message), "origin": origin}
    _push_after_commit([p.user_id for p in others] + [sender.pk], event)
    return message, True


def _message_notify(conversation: Conversation, user_id: int, sender: User) -> None:
    url = f"/conversations/{conversation.pk}/"
    if Notification.objects.filter(user_id=user_id, kind="message", url=url, read_at__isnull=True).exists():
        return
    notification_create(
        user=User(pk=user_id),
        kind="message",
        text=f"New message from {sender.name}",
        network=conversation.network,
        url=url,
        data={"conversation": conversation.pk},
    )


def message_read(*, conversation: Conversation | int, user: User, seq: int, origin: str = "") -> int:
    """Move the reader's mark forward (never back, never past the last message); tell the others."""
    conversation_id = conversation if isinstance(conversation, int) else conversation.pk
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValidationError({"seq": ["A whole number, 0 or more."]})
    participant = _participant(conversation_id, user)
    seq = min(seq, participant.conversation.last_seq)
    if seq <= participant.last_read_seq:
        return participant.last_read_seq
    with transaction.atomic():
        Participant.objects.filter(pk=participant.pk, last_read_seq__lt=seq).update(last_read_seq=seq)
        if seq >= participant.conversation.last_seq:
            Notification.objects.filter(
                user=user, kind="message", url=f"/conversations/{conversation_id}/", read_at__isnull=True
            ).update(read_at=timezone.now())
        user_ids = Participant.objects.filter(conversation_id=conversation_id).values_list("user_id", flat=True)
        event = {"type": "message.read", "conversation": conversation_id, "user": user.pk, "seq": seq}
        _push_after_commit(list(user_ids), dict(event, origin=origin))
    return seq


def typing_send(*, conversation: int, user: User) -> None:
    """Tell the other participants someone is typing. Nothing is written."""
    _participant(conversation, user)
    others = Participant.objects.filter(conversation_id=conversation).exclude(user=user)
    event = {"type": "typing", "conversation": conversation, "user": user.pk}
    push_to_users(list(others.values_list("user_id", flat=True)), event)
