"""The multiplexed socket: connection, auth and framing; every message is handed to a service."""

import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from messaging.services import user_group


class SocketConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = json.loads(text_data or "")
        except ValueError:
            await self.send_json({"type": "error", "code": "bad_json", "message": "Frames must be JSON."})
            return
        await self.send_json({"type": "error", "code": "unknown_type", "message": f"Unknown frame {content!r:.40}"})

    async def notification_new(self, event):
        await self.send_json({"type": "notification.new", "notification": event["notification"]})
