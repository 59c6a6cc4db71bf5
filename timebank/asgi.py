"""ASGI entry point: HTTP and the multiplexed WebSocket at /ws/ in one process."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")
# Django must be set up before consumers or models are imported.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from messaging.auth import OriginOrTokenValidator, SessionTokenMiddleware  # noqa: E402
from messaging.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginOrTokenValidator(
            AuthMiddlewareStack(SessionTokenMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
