"""WebSocket routes: one multiplexed socket per client; a handshake to any other path is refused."""

from django.urls import path, re_path

from messaging.consumers import SocketConsumer


async def refuse_handshake(scope, receive, send):
    """Closes before accepting, which the server answers with HTTP 403. Without this route Channels'
    URLRouter raises "No route found" and the server answers 500."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})


websocket_urlpatterns = [
    path("ws/", SocketConsumer.as_asgi()),
    re_path(r"", refuse_handshake),
]
