"""WebSocket routes: one multiplexed socket per client."""

from django.urls import path

from messaging.consumers import SocketConsumer

websocket_urlpatterns = [path("ws/", SocketConsumer.as_asgi())]
