"""Messages: saved with the conversation's next seq, then pushed on commit; read marks and typing.

Rows are saved first; the live push is sent on commit. A client that missed a push gets the rows
back with `sync` or `?after=`.
"""

from contextlib import nullcontext

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from members.models import Membership, User
from messaging.models import Block, Conversation, Message, Notification, Participant
from messaging.services.notifications import notification_create
from messaging.services.push import push_after_commit, push_to_users
from timebank.errors import Forbidden, NotFound, ValidationError

MAX_BODY = 4000
MAX_CLIENT_ID = 64


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
    active = Exists(
        Membership.objects.filter(
            user_id=OuterRef("user_id"), network_id=OuterRef("network_id"), status=Membership.Status.ACTIVE
        )
    )
    rows = list(
        Participant.objects.filter(conversation_id=conversation_id)
        .select_related("conversation__network")
        .annotate(blocks=blocked, active=active)
    )
    mine = next((p for p in rows if p.user_id == sender.pk), None)
    if mine is None or not mine.active:
        # Someone else's conversation: indistinguishable from one that does not exist.
        raise NotFound("No such conversation.")
    return mine, [p for p in rows if p.user_id != sender.pk], any(p.blocks for p in rows)


# Seq, message and the sender's read mark in one round trip. The UPDATE takes the conversation's
# row lock until commit, so seq order is commit order and a reader never sees seq n+1 before n.
_SEND_SQL = """
WITH c AS (
    UPDATE messaging_conversation SET last_seq = last_seq + 1, last_message_at = %(now)s
    WHERE id = %(conversation)s RETURNING network_id, last_seq
), m AS (
    INSERT INTO messaging_message (network_id, conversation_id, seq, sender_id, body, client_id, created_at)
    SELECT network_id, %(conversation)s, last_seq, %(sender)s, %(body)s, %(client_id)s, %(now)s FROM c
    RETURNING id, seq
), r AS (
    UPDATE messaging_participant SET last_read_seq = (SELECT seq FROM m) WHERE id = %(participant)s
)
SELECT id, seq FROM m
"""


def _message_insert(participant: Participant, sender: User, body: str, client_id: str) -> Message:
    conversation = participant.conversation
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _SEND_SQL,
                {
                    "now": now,
                    "conversation": conversation.pk,
                    "sender": sender.pk,
                    "body": body,
                    "client_id": client_id,
                    "participant": participant.pk,
                },
            )
            message_id, seq = cursor.fetchone()
        return Message(
            id=message_id,
            network_id=conversation.network_id,
            conversation_id=conversation.pk,
            seq=seq,
            sender=sender,
            body=body,
            client_id=client_id,
            created_at=now,
        )
    seq = _next_seq(conversation.pk)
    message = Message.objects.create(
        network_id=conversation.network_id,
        conversation_id=conversation.pk,
        seq=seq,
        sender=sender,
        body=body,
        client_id=client_id,
        created_at=now,
    )
    # Replying means you have read what came before.
    Participant.objects.filter(pk=participant.pk).update(last_read_seq=seq)
    return message


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
        # On PostgreSQL the insert is one statement, so outside a caller's transaction it is its own.
        needs_transaction = connection.vendor != "postgresql" or connection.in_atomic_block
        with transaction.atomic() if needs_transaction else nullcontext():
            message = _message_insert(participant, sender, body, client_id)
    except IntegrityError:
        # A resend with the same client_id (the unique constraint is the check, so a first send
        # pays no extra query); the rollback took our seq back with it.
        existing = Message.objects.filter(conversation_id=conversation_id, sender=sender, client_id=client_id).first()
        if existing is None:
            raise
        return existing, False
    for other in others:
        # Coalesced: only the first message they have not read notifies, so a lively chat does
        # not bury hours received or claims to confirm. Reading the conversation clears it.
        if other.last_read_seq >= message.seq - 1:
            _message_notify(conversation, other.user_id, sender)
    event = {"type": "message.new", "message": message_serialize(message), "origin": origin}
    push_after_commit([p.user_id for p in others] + [sender.pk], event)
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
        push_after_commit(list(user_ids), dict(event, origin=origin))
    return seq


def typing_send(*, conversation: int, user: User) -> None:
    """Tell the other participants someone is typing. Nothing is written."""
    _participant(conversation, user)
    others = Participant.objects.filter(conversation_id=conversation).exclude(user=user)
    event = {"type": "typing", "conversation": conversation, "user": user.pk}
    push_to_users(list(others.values_list("user_id", flat=True)), event)
