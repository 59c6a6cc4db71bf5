"""Messages: saved with the conversation's next seq, then pushed on commit; read marks and typing.

Rows are saved first; the live push is sent on commit. A client that missed a push gets the rows
back with `sync` or `?after=`.
"""

from contextlib import nullcontext

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Membership, User
from members.selectors import TRADING_ROLES
from messaging.limits import chat_send_allow, chat_send_give_back
from messaging.models import Conversation, Message, Participant
from messaging.notifications.models import Notification
from messaging.notifications.push import push_after_commit, push_to_users
from messaging.notifications.services import notification_create
from messaging.selectors import participants_of
from messaging.services.conversations import messaging_membership
from timebank.controls import refusal_message, refused_character
from timebank.errors import Forbidden, NotFound, RateLimited, ValidationError

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
    """The caller's participation while they are present (an active member of the network): else 404."""
    participant = (
        participants_of(conversation_id=conversation_id)
        .filter(user=user, present=True)
        .select_related("conversation__network")
        .first()
    )
    if participant is None:
        # Someone else's conversation: indistinguishable from one that does not exist.
        raise NotFound(_("No such conversation."))
    return participant


def _participants_for_send(conversation_id: int, sender: User) -> tuple[Participant, list[Participant]]:
    """The sender's participation and the other participants present, if the sender may send: 404 when it is not
    their conversation (or they are no longer active in its network), 403 for a role that does not message
    members (the rule that refuses opening a conversation) and when a participant blocked another."""
    rows = list(participants_of(conversation_id=conversation_id).select_related("conversation__network"))
    mine = next((p for p in rows if p.user_id == sender.pk), None)
    if mine is None or not mine.present:
        # Someone else's conversation: indistinguishable from one that does not exist.
        raise NotFound(_("No such conversation."))
    messaging_membership(user=sender, network=mine.conversation.network)
    if any(p.blocks for p in rows):
        raise Forbidden(_("Messages between you and this member are blocked."))
    return mine, [p for p in rows if p.user_id != sender.pk and p.present]


# The whole send in one round trip on PostgreSQL: who may send (the sender takes part and is an
# active member in a role that messages members, no participant blocked another), the next seq, the row,
# the sender's read mark, and what the push and the notifications need to know about the others present
# (active members of the network: `participants_of` in messaging/selectors.py, which the ORM path asks). The conversation UPDATE takes
# the row lock until commit, so seq order is commit order and a reader never sees seq n+1 before n.
# No row back means refused (or the conversation is gone): the caller finds out which the slow way.
# Written so that every lookup is by index with the given ids (no subquery the planner could turn into
# a scan of all memberships or all unread notifications).
_SEND_SQL = """
WITH ok AS (
    SELECT 1 FROM messaging_participant p
    JOIN members_membership s ON s.user_id = p.user_id AND s.network_id = p.network_id AND s.status = %(active)s
        AND s.role = ANY(%(roles)s)
    WHERE p.conversation_id = %(conversation)s AND p.user_id = %(sender)s
        AND NOT EXISTS (
            SELECT 1 FROM messaging_participant a
            JOIN messaging_block b ON b.blocker_id = a.user_id AND b.network_id = a.network_id
            JOIN messaging_participant q ON q.user_id = b.blocked_id AND q.conversation_id = a.conversation_id
            WHERE a.conversation_id = %(conversation)s
        )
), c AS (
    UPDATE messaging_conversation SET last_seq = last_seq + 1, last_message_at = %(now)s
    WHERE id = %(conversation)s AND EXISTS (SELECT 1 FROM ok)
    RETURNING network_id, last_seq
), m AS (
    INSERT INTO messaging_message (network_id, conversation_id, seq, sender_id, body, client_id, created_at)
    SELECT network_id, %(conversation)s, last_seq, %(sender)s, %(body)s, %(client_id)s, %(now)s FROM c
    RETURNING id, seq, network_id
), r AS (
    UPDATE messaging_participant SET last_read_seq = m.seq FROM m
    WHERE conversation_id = %(conversation)s AND user_id = %(sender)s
)
SELECT m.id, m.seq, m.network_id, o.user_id,
    o.last_read_seq >= m.seq - 1 AND (
        SELECT 1 FROM notifications_notification n
        WHERE n.user_id = o.user_id AND n.kind = 'message' AND n.url = %(url)s AND n.read_at IS NULL LIMIT 1
    ) IS NULL
FROM m LEFT JOIN (
    messaging_participant o JOIN members_membership om
        ON om.user_id = o.user_id AND om.network_id = o.network_id AND om.status = %(active)s
) ON o.conversation_id = %(conversation)s AND o.user_id <> %(sender)s
ORDER BY o.user_id
"""


def _message_insert_checked(conversation_id: int, sender: User, body: str, client_id: str):
    """PostgreSQL: checks, seq, row and read mark in one statement. Returns (message, other participants,
    those to notify), or None when the send is refused and the caller must say why."""
    now = timezone.now()
    # Django's cursor, so query logging and instrumentation see the hottest statement; psycopg prepares
    # it once a connection has run it `prepare_threshold` times (settings), as every other statement.
    with connection.cursor() as cursor:
        cursor.execute(
            _SEND_SQL,
            {
                "now": now,
                "conversation": conversation_id,
                "sender": sender.pk,
                "body": body,
                "client_id": client_id,
                "active": Membership.Status.ACTIVE.value,
                "roles": [role.value for role in TRADING_ROLES],
                "url": f"/conversations/{conversation_id}/",
            },
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    message_id, seq, network_id = rows[0][:3]
    # One row per other participant present (one with no user when there is nobody else).
    others = [user_id for *_, user_id, _ in rows if user_id is not None]
    to_notify = [user_id for *_, user_id, notify in rows if user_id is not None and notify]
    message = Message(
        id=message_id,
        network_id=network_id,
        conversation_id=conversation_id,
        seq=seq,
        sender=sender,
        body=body,
        client_id=client_id,
        created_at=now,
    )
    return message, others, to_notify


def _message_insert(participant: Participant, sender: User, body: str, client_id: str) -> Message:
    conversation = participant.conversation
    now = timezone.now()
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
    Raises `RateLimited` past the person's chat rate (messaging.limits).
    `origin` is the sending socket's channel, which already has its answer and skips the push.
    """
    conversation_id = conversation if isinstance(conversation, int) else conversation.pk
    body = (body or "").strip()
    client_id = (client_id or "").strip()
    if not body:
        raise ValidationError({"body": [_("A message needs some text.")]})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": [_("Keep a message under %(n)d characters.") % {"n": MAX_BODY}]})
    if len(client_id) > MAX_CLIENT_ID:
        raise ValidationError({"client_id": [_("At most %(n)d characters.") % {"n": MAX_CLIENT_ID}]})
    if "\x00" in body or "\x00" in client_id:
        # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
        raise ValidationError({"body": [_("Null characters are not allowed.")]})
    for name, text in (("body", body), ("client_id", client_id)):
        character = refused_character(text)
        if character is not None:
            raise ValidationError({name: [refusal_message(character)]})
    # One bucket per person whichever door the message came by (socket, API, page) and in every process.
    try:
        chat_send_allow(user_id=sender.pk)
    except RateLimited:
        # A resend of a message already stored is answered with it even while new ones are refused.
        resent = _resent(conversation_id, sender, client_id)
        if resent is None:
            raise
        return resent, False
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                sent = _message_insert_checked(conversation_id, sender, body, client_id)
            if sent is not None:
                message, other_ids, to_notify = sent
                if to_notify:
                    conversation = Conversation.objects.select_related("network").get(pk=conversation_id)
                    for user_id in to_notify:
                        _message_notify(conversation, user_id, sender)
                _message_push(message, other_ids, sender, origin)
                return message, True
        # Refused (the checks below say why), or not PostgreSQL.
        participant, others = _participants_for_send(conversation_id, sender)
        conversation = participant.conversation
        with transaction.atomic():
            message = _message_insert(participant, sender, body, client_id)
    except IntegrityError:
        # A resend with the same client_id (the unique constraint is the check, so a first send
        # pays no extra query); the rollback took our seq back with it, and the chat budget it took
        # goes back too: only new messages count.
        existing = _stored(conversation_id, sender, client_id)
        if existing is None:
            raise
        chat_send_give_back(user_id=sender.pk)
        return existing, False
    for other in others:
        # Coalesced: only the first message they have not read notifies, so a lively chat does
        # not bury hours received or claims to confirm. Reading the conversation clears it.
        if other.last_read_seq >= message.seq - 1:
            _message_notify(conversation, other.user_id, sender)
    _message_push(message, [p.user_id for p in others], sender, origin)
    return message, True


def _stored(conversation_id: int, sender: User, client_id: str) -> Message | None:
    if not client_id:
        return None
    return Message.objects.filter(conversation_id=conversation_id, sender=sender, client_id=client_id).first()


def _resent(conversation_id: int, sender: User, client_id: str) -> Message | None:
    """The message stored for this `client_id`, if the sender may still send here (the same checks as a
    send, so a resend is answered as the first send would be now); None when there is none."""
    if not client_id:
        return None
    _participants_for_send(conversation_id, sender)
    return _stored(conversation_id, sender, client_id)


def _message_push(message: Message, other_ids: list[int], sender: User, origin: str) -> None:
    event = {"type": "message.new", "message": message_serialize(message), "origin": origin}
    push_after_commit([*other_ids, sender.pk], event)


def _message_notify(conversation: Conversation, user_id: int, sender: User) -> None:
    url = f"/conversations/{conversation.pk}/"
    if Notification.objects.filter(user_id=user_id, kind="message", url=url, read_at__isnull=True).exists():
        return
    notification_create(
        user=User(pk=user_id),
        kind="message",
        network=conversation.network,
        url=url,
        data={"conversation": conversation.pk, "name": sender.name},
        actor=sender,
    )


def message_read(*, conversation: Conversation | int, user: User, seq: int, origin: str = "") -> int:
    """Move the reader's mark forward (never back, never past the last message); tell the others."""
    conversation_id = conversation if isinstance(conversation, int) else conversation.pk
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValidationError({"seq": [_("A whole number, 0 or more.")]})
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
        present = list(participants_of(conversation_id=conversation_id).filter(present=True))
        # The reader's own devices always; the others only where no block stands, as with typing.
        blocked = any(p.blocks for p in present)
        user_ids = [p.user_id for p in present if not blocked or p.user_id == user.pk]
        event = {"type": "message.read", "conversation": conversation_id, "user": user.pk, "seq": seq}
        push_after_commit(user_ids, dict(event, origin=origin))
    return seq


def typing_send(*, conversation: int, user: User) -> None:
    """Tell the other participants present that someone is typing. Nothing is written, and nothing is
    said across a block (either way), as no message would pass."""
    rows = list(participants_of(conversation_id=conversation))
    mine = next((p for p in rows if p.user_id == user.pk), None)
    if mine is None or not mine.present:
        # Someone else's conversation: indistinguishable from one that does not exist.
        raise NotFound(_("No such conversation."))
    if any(p.blocks for p in rows):
        return
    others = [p.user_id for p in rows if p.user_id != user.pk and p.present]
    push_to_users(others, {"type": "typing", "conversation": conversation, "user": user.pk})
