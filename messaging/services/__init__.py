"""Writes for conversations and messages (notifications and the live push are `messaging.notifications`).

Import from here: `from messaging.services import message_send`.
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

__all__ = [
    "MAX_BODY",
    "MAX_CLIENT_ID",
    "conversation_direct_open",
    "conversation_exchange_open",
    "message_read",
    "message_send",
    "message_serialize",
    "typing_send",
]
