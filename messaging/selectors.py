"""Reads for conversations, messages and notifications, scoped to what the caller may see."""

from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from members.models import Membership, Network, User
from members.selectors import is_coordinator
from messaging.models import Block, Conversation, ConversationAccess, Message, Participant
from timebank.errors import NotFound

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Presence(TypedDict):
    present: bool
    blocks: bool


def conversations_of(
    *, user: User, network: Network | None = None, unread_only: bool = False
) -> QuerySet[Conversation]:
    """The caller's conversations, newest activity first, with their read mark and unread count;
    `unread_only`: those with something the caller has not read."""
    mine = Participant.objects.filter(conversation=OuterRef("pk"), user=user)
    # Only while the caller is an active member of the conversation's network (suspended or gone: no).
    qs = Conversation.objects.filter(participants__user=user).filter(
        network__memberships__user=user, network__memberships__status=Membership.Status.ACTIVE
    )
    if network is not None:
        qs = qs.filter(network=network)
    qs = qs.annotate(last_read_seq=Subquery(mine.values("last_read_seq")[:1])).annotate(
        unread=F("last_seq") - F("last_read_seq")
    )
    if unread_only:
        qs = qs.filter(last_seq__gt=F("last_read_seq"))
    return (
        qs.select_related("network", "exchange")
        .prefetch_related("participants__user")
        .order_by(F("last_message_at").desc(nulls_last=True), "-pk")
    )


def participants_of(*, conversation_id: int) -> "QuerySet[WithAnnotations[Participant, Presence]]":
    """Every participant of a conversation, each with `present` and `blocks`.

    `present`: an active member of the conversation's network now. Only they take part: send, mark read,
    type, and hear of it live or by notification. A suspended or departed participant keeps their row and
    the history, and is told nothing until reinstated. (The one-statement send in
    messaging/services/messages.py says the same in SQL; tests/messaging/test_fast_path.py holds them equal.)
    `blocks`: they blocked another participant, so nothing new passes between them, either way.
    """
    present = Exists(
        Membership.objects.filter(
            user_id=OuterRef("user_id"), network_id=OuterRef("network_id"), status=Membership.Status.ACTIVE
        )
    )
    blocks = Exists(
        Block.objects.filter(
            blocker_id=OuterRef("user_id"),
            network_id=OuterRef("network_id"),
            blocked__participations__conversation_id=conversation_id,
        )
    )
    return Participant.objects.filter(conversation_id=conversation_id).annotate(present=present, blocks=blocks)


def conversation_of(*, user: User, conversation_id: int) -> Conversation:
    """A conversation the caller takes part in; anyone else's answers 404."""
    conversation = conversations_of(user=user).filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(_("No such conversation."))
    return conversation


def conversation_readable(*, user: User, conversation_id: int, network: Network | None = None) -> Conversation:
    """A participant's conversation, or one a coordinator has opened with a recorded reason, for as long
    as they are an active coordinator of its network (demoted, suspended or gone: 404). `network`: only
    one in that network (what a concern may name, members.safeguarding's doors)."""
    mine = conversations_of(user=user, network=network).filter(pk=conversation_id).first()
    if mine is not None:
        return mine
    access = ConversationAccess.objects.filter(conversation_id=conversation_id, coordinator=user)
    if network is not None:
        access = access.filter(network=network)
    opened = access.select_related("network").first()
    if opened is None or not is_coordinator(user=user, network=opened.network):
        raise NotFound(_("No such conversation."))
    return Conversation.objects.select_related("network").get(pk=conversation_id)


def messages_after(*, conversation: Conversation, after: int = 0, limit: int | None = None) -> QuerySet[Message]:
    qs = Message.objects.filter(conversation=conversation, seq__gt=after).order_by("seq")
    return qs[:limit] if limit else qs


def messages_since(*, user: User, since: dict[int, int]) -> list[Message]:
    """Everything the caller missed: per conversation, the messages after the given seq (from the
    start for conversations not named), in seq order."""
    rows = _active_participations(user).values_list("conversation_id", "conversation__last_seq")
    out: list[Message] = []
    for conversation_id, last_seq in sorted(rows):
        after = since.get(conversation_id, 0)
        if last_seq > after:
            out.extend(Message.objects.filter(conversation_id=conversation_id, seq__gt=after).order_by("seq"))
    return out


def last_seqs_of(*, user: User) -> dict[int, int]:
    return dict(_active_participations(user).values_list("conversation_id", "conversation__last_seq"))


def _active_participations(user: User) -> QuerySet[Participant]:
    return Participant.objects.filter(
        user=user, network__memberships__user=user, network__memberships__status=Membership.Status.ACTIVE
    )


def unread_messages_count(*, user: User) -> int:
    total = Participant.objects.filter(user=user).aggregate(n=Sum(F("conversation__last_seq") - F("last_read_seq")))[
        "n"
    ]
    return total or 0
