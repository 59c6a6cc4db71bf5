"""The multiplexed socket at /ws/: connection, auth and framing; services do the work.

Client frames are checked by `messaging.frames` (size, JSON, shape) and handed to `messaging.services`;
group events from the channel layer are forwarded as frames. Errors go back as `error` frames, never tracebacks.
Limits live in `messaging.limits`, the worker-thread hop and its pushes in `messaging.runner`.
"""

import asyncio
import logging
from importlib import import_module

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from messaging import limits, selectors, services
from messaging.auth import _user_for_token
from messaging.frames import FrameError, frame_parse, int_field, since_field, str_field
from messaging.notifications import push
from messaging.runner import db
from timebank.errors import DomainError

logger = logging.getLogger(__name__)


@database_sync_to_async
def _session_user_id(session_key: str) -> str | None:
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    return store.get("_auth_user_id")


# Close codes besides the standard ones: 4401 not logged in, 4409 too many sockets, 4429 flooding.
CLOSE_TOO_MANY_SOCKETS = 4409


class SocketConsumer(AsyncJsonWebsocketConsumer):
    rate_per_second = 10
    burst = 20
    # Refused frames in a row, after the first `rate_limited` error, before the socket is closed.
    strikes_before_close = 20
    # A socket whose session was logged out elsewhere closes within this many seconds.
    session_check_seconds = getattr(settings, "TIMEBANK_WS_SESSION_CHECK_SECONDS", 30)

    async def dispatch(self, message):
        # Channels closes stale database connections before every event, a hop through its single
        # sync thread; our handlers reach the database only through `db()`, which does that itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        if not await limits.socket_slot_take(user_id=user.pk, channel_name=self.channel_name):
            # Accepted only to say why: a refused handshake reaches a browser as a bare 403.
            await self.accept()
            message = _("At most %(n)d open at once: close one and try again.") % {"n": limits.SOCKETS_PER_PERSON}
            await self._error("too_many_sockets", message)
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
            return
        self.group = push.user_group(user.pk)
        self.bucket = limits.TokenBucket(self.rate_per_second, self.burst)
        self.strikes = 0
        session = self.scope.get("session")
        self.session_token = self.scope.get("session_token")
        self.session_key = None if self.session_token else getattr(session, "session_key", None)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.ticker = asyncio.ensure_future(self._tick())

    async def disconnect(self, code):
        ticker = getattr(self, "ticker", None)
        if ticker is not None:
            ticker.cancel()
        if hasattr(self, "group"):
            await limits.socket_slot_release(user_id=self.user.pk, channel_name=self.channel_name)
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception:  # noqa: BLE001 - the layer may be the reason we are closing
                logger.info("group_discard failed on disconnect", exc_info=True)

    async def _tick(self):
        while True:
            await asyncio.sleep(self.session_check_seconds)
            try:
                if not await self._session_alive():
                    await self.close(code=4401)
                    return
                # Re-joining is idempotent and heals a channel layer that lost its groups (a Redis restart).
                await self.channel_layer.group_add(self.group, self.channel_name)
                await limits.socket_slot_take(user_id=self.user.pk, channel_name=self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a failed check must not kill the socket; try again next tick
                logger.info("socket session check failed", exc_info=True)

    async def _session_alive(self) -> bool:
        if self.session_token:
            user = await _user_for_token(self.session_token)
            return user is not None and user.pk == self.user.pk
        if self.session_key:
            return await _session_user_id(self.session_key) == str(self.user.pk)
        return True

    # Client frames --------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if not await self._admit():
            return
        try:
            content = frame_parse(text_data if text_data is not None else bytes_data)
        except FrameError as exc:
            await self._error(exc.code, exc.message)
            return
        handler = self.FRAMES.get(content["type"])
        if handler is None:
            await self._error("unknown_type", f"Unknown frame type {content['type'][:40]!r}.")
            return
        try:
            await handler(self, content)
        except FrameError as exc:
            await self._error(exc.code, exc.message)
        except DomainError as exc:
            await self._error(exc.code, exc.message)
        except ValidationError as exc:
            await self._error("validation_error", "; ".join(exc.messages))
        except PermissionDenied as exc:
            await self._error("permission_denied", str(exc) or "Not allowed.")
        except Exception:  # noqa: BLE001 - never a traceback on the wire
            logger.exception("socket frame %s failed", content["type"])
            await self._error("server_error", "Something went wrong.")

    async def _admit(self) -> bool:
        """This socket's own bucket first (no round trip), then the person's budget shared with the API."""
        if not self.bucket.take():
            self.strikes += 1
            if self.strikes == 1:
                await self._error("rate_limited", "Too many frames: at most 10 a second.")
            elif self.strikes > self.strikes_before_close:
                await self.close(code=4429)
            return False
        if self.bucket.tokens >= self.burst / 2:
            # Forgiven only once the client has really slowed down, not on one frame that slipped through.
            self.strikes = 0
        if wait := await limits.frame_allow(user_id=self.user.pk):
            await self._error("rate_limited", _("Too many requests from you: wait %(n)d seconds.") % {"n": wait})
            return False
        return True

    async def _error(self, code: str, message: str):
        await self.send_json({"type": "error", "code": code, "message": message})

    async def _frame_send(self, content: dict):
        conversation = int_field(content, "conversation")
        body = str_field(content, "body")
        client_id = str_field(content, "client_id", required=False)
        message = await db(self._send_sync, conversation, body, client_id)
        # The sender's answer comes straight back on this socket, so it never depends on Redis.
        await self.send_json({"type": "message.new", "message": message})

    def _send_sync(self, conversation: int, body: str, client_id: str) -> dict:
        message, _ = services.message_send(
            conversation=conversation, sender=self.user, body=body, client_id=client_id, origin=self.channel_name
        )
        return services.message_serialize(message)

    async def _frame_read(self, content: dict):
        conversation = int_field(content, "conversation")
        seq = int_field(content, "seq")
        seq = await db(
            services.message_read, conversation=conversation, user=self.user, seq=seq, origin=self.channel_name
        )
        await self.send_json({"type": "message.read", "conversation": conversation, "user": self.user.pk, "seq": seq})

    async def _frame_typing(self, content: dict):
        conversation = int_field(content, "conversation")
        await db(services.typing_send, conversation=conversation, user=self.user)

    async def _frame_sync(self, content: dict):
        since = since_field(content)
        messages, last = await db(self._sync_rows, since)
        for message in messages:
            await self.send_json({"type": "message.new", "message": message})
        await self.send_json({"type": "sync.done", "conversations": {str(k): v for k, v in last.items()}})

    def _sync_rows(self, since: dict[int, int]) -> tuple[list[dict], dict[int, int]]:
        # Last seqs first: anything committed after them arrives live or in the next sync.
        last = selectors.last_seqs_of(user=self.user)
        messages = [services.message_serialize(m) for m in selectors.messages_since(user=self.user, since=since)]
        return messages, last

    async def _frame_ping(self, content: dict):
        await self.send_json({"type": "pong"})

    FRAMES = {
        "message.send": _frame_send,
        "message.read": _frame_read,
        "typing": _frame_typing,
        "sync": _frame_sync,
        "ping": _frame_ping,
    }

    # Channel-layer events -------------------------------------------------------------------

    async def message_new(self, event):
        if event.get("origin") != self.channel_name:
            await self.send_json({"type": "message.new", "message": event["message"]})

    async def message_read(self, event):
        if event.get("origin") != self.channel_name:
            frame = {"type": "message.read", "conversation": event["conversation"], "user": event["user"]}
            await self.send_json(dict(frame, seq=event["seq"]))

    async def typing(self, event):
        await self.send_json({"type": "typing", "conversation": event["conversation"], "user": event["user"]})

    async def notification_new(self, event):
        await self.send_json({"type": "notification.new", "notification": event["notification"]})

    async def exchange_updated(self, event):
        await self.send_json({"type": "exchange.updated", "exchange": event["exchange"]})

    async def session_revoked(self, event):
        # The person was erased (members.privacy): every socket of theirs closes now, not at the next tick.
        await self.close(code=4401)
