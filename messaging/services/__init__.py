"""Writes for notifications, conversations and messages, and the live push that follows them.

Import from here: `from messaging.services import notification_create, push_to_user, message_send`.
"""

from messaging.services.conversations import conversation_direct_open, conversation_exchange_open
from messaging.services.messages import (
    MAX_BODY,
    MAX_CLIENT_ID,
    message_read,
    message_send,
    message_serialize,
    typing_send,
)
from messaging.services.notifications import (
    notification_create,
    notification_preference_set,
    notification_read,
    notification_read_all,
    notification_serialize,
)
from messaging.services.push import (
    push_after_commit,
    push_now,
    push_to_user,
    push_to_users,
    pushes_deferred,
    user_group,
)

__all__ = [
    "MAX_BODY",
    "MAX_CLIENT_ID",
    "conversation_direct_open",
    "conversation_exchange_open",
    "message_read",
    "message_send",
    "message_serialize",
    "notification_create",
    "notification_preference_set",
    "notification_read",
    "notification_read_all",
    "notification_serialize",
    "push_after_commit",
    "push_now",
    "push_to_user",
    "push_to_users",
    "pushes_deferred",
    "typing_send",
    "user_group",
]
