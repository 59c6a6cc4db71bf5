"""Writes that keep chat safe: blocks, message reports, and a coordinator opening a conversation.

A coordinator reads a conversation only after a report or a concern about it, with a reason, audited.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from members.audit import audit_record, reason_clean
from members.models import Membership, Network, User
from members.safeguarding.models import Concern
from members.selectors import active_membership, is_coordinator
from messaging.models import Block, Conversation, ConversationAccess, Message, MessageReport, Participant
from messaging.notifications.services import coordinators_notify
from messaging.services.conversations import messaging_membership
from timebank.errors import Forbidden, NotFound, ValidationError


def block_create(*, network: Network, blocker: User, blocked_id: int) -> Block:
    """No new messages either way between the two. Blocking twice is the same as once."""
    messaging_membership(user=blocker, network=network)
    if blocked_id == blocker.pk:
        raise ValidationError({"member": [_("You cannot block yourself.")]})
    if not Membership.objects.filter(network=network, user_id=blocked_id).exists():
        raise NotFound(_("No such member."))
    try:
        with transaction.atomic():
            block, _created = Block.objects.get_or_create(network=network, blocker=blocker, blocked_id=blocked_id)
    except IntegrityError:
        block = Block.objects.get(network=network, blocker=blocker, blocked_id=blocked_id)
    return block


def block_delete(*, network: Network, blocker: User, blocked_id: int) -> None:
    Block.objects.filter(network=network, blocker=blocker, blocked_id=blocked_id).delete()


@transaction.atomic
def message_report(*, message_id: int, reporter: User, reason: str = "") -> MessageReport:
    """A participant reports a message: it goes to the network's coordinators, and is audited."""
    message = Message.objects.filter(pk=message_id).select_related("network").first()
    if (
        message is None
        or not Participant.objects.filter(conversation_id=message.conversation_id, user=reporter).exists()
    ):
        raise NotFound(_("No such message."))
    report = MessageReport.objects.create(
        network=message.network,
        message=message,
        reporter=reporter,
        reason=reason_clean((reason or "").replace("\x00", "")),
    )
    audit_record(
        action="message.report",
        actor=reporter,
        network=message.network,
        target=message,
        reason=report.reason,
        data={"conversation": message.conversation_id, "report": report.pk},
    )
    coordinators_notify(
        network=message.network,
        kind="message.report",
        data={"conversation": message.conversation_id, "report": report.pk},
    )
    return report


def conversation_has_grounds(*, conversation: Conversation) -> bool:
    """A report on one of its messages, or a concern raised about it."""
    return (
        MessageReport.objects.filter(message__conversation=conversation).exists()
        or Concern.objects.filter(about_conversation=conversation).exists()
    )


@transaction.atomic
def conversation_for_access(*, conversation_id: int, coordinator: User) -> Conversation:
    """A conversation a coordinator may ask to read: NotFound outside their networks, Forbidden for any
    other role (the page asking for a reason and the service below both ask this)."""
    conversation = Conversation.objects.filter(pk=conversation_id).select_related("network").first()
    if conversation is None or active_membership(user=coordinator, network=conversation.network) is None:
        raise NotFound(_("No such conversation."))
    if not is_coordinator(user=coordinator, network=conversation.network):
        raise Forbidden(_("Only a coordinator can open a conversation."))
    return conversation


def conversation_access_open(*, conversation_id: int, coordinator: User, reason: str) -> ConversationAccess:
    """A coordinator opens someone else's conversation: only with grounds and a reason, audited."""
    conversation = conversation_for_access(conversation_id=conversation_id, coordinator=coordinator)
    reason = reason_clean((reason or "").replace("\x00", ""), required=True)
    if not conversation_has_grounds(conversation=conversation):
        raise Forbidden(_("A coordinator can read a conversation only after a report or a concern about it."))
    access = ConversationAccess.objects.create(
        network=conversation.network, conversation=conversation, coordinator=coordinator, reason=reason
    )
    audit_record(
        action="conversation.access",
        actor=coordinator,
        network=conversation.network,
        target=conversation,
        reason=reason,
    )
    return access
