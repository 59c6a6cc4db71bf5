"""WebSocket handshake checks: browsers by session cookie and an allowed Origin, apps by session token.

A foreign Origin is always refused; no Origin is accepted only with a valid session token.
"""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier
from django.contrib.auth.models import AnonymousUser


def _token_from_scope(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-session-token":
            return value.decode("latin1")
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    return (query.get("session_token") or [None])[0]


@database_sync_to_async
def _user_for_token(token: str):
    from allauth.headless import app_settings
    from django.contrib.auth import get_user_model

    session = app_settings.TOKEN_STRATEGY.lookup_session(token)
    if session is None:
        return None
    user_id = session.get("_auth_user_id")
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


class SessionTokenMiddleware:
    """Authenticates app clients by allauth's session token (header or query string)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        token = _token_from_scope(scope)
        if token:
            user = await _user_for_token(token)
            scope = dict(scope, user=user or AnonymousUser(), session_token=token if user else None)
        return await self.app(scope, receive, send)


class OriginOrTokenValidator:
    """Allowed-host Origin check, except that a handshake without Origin may carry a session token."""

    def __init__(self, app):
        self.app = app
        self.with_origin = AllowedHostsOriginValidator(app)

    async def __call__(self, scope, receive, send):
        has_origin = any(name == b"origin" for name, _ in scope.get("headers", []))
        if has_origin:
            return await self.with_origin(scope, receive, send)
        token = _token_from_scope(scope)
        if token and await _user_for_token(token) is not None:
            return await self.app(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
