"""WebSocket handshake checks: browsers by session cookie and the site's own Origin, apps by session token.

A foreign Origin is always refused; no Origin is accepted only with a valid session token.
"""

from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


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


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, the default port filled in; None for anything but http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def _is_secure(scope) -> bool:
    if scope.get("scheme") == "wss":
        return True
    # Behind the TLS-terminating proxy the socket arrives as plain ws: trust the proxy's header exactly
    # as Django does for HTTP (SECURE_PROXY_SSL_HEADER is set only where that proxy is in front).
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, value = proxy_header
        wanted = name.removeprefix("HTTP_").lower().replace("_", "-").encode()
        return _header(scope, wanted) == value
    return False


def origin_allowed(scope, origin: str) -> bool:
    """The site's own origins only, scheme, host and port all compared, as Django's CSRF check does for
    forms: those in CSRF_TRUSTED_ORIGINS, or the handshake's own (its Host, an allowed host, with the
    scheme it arrived by). So `http://127.0.0.1:4444` is refused by `https://timebank.example`."""
    asked = _origin(origin)
    if asked is None:
        return False
    if asked in {_origin(trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS}:
        return True
    host = _header(scope, b"host")
    if not host:
        return False
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    own = _origin(("https" if _is_secure(scope) else "http") + "://" + host)
    return own is not None and asked == own


class OriginOrTokenValidator:
    """The site's own Origin, except that a handshake without Origin may carry a session token."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        origin = _header(scope, b"origin")
        if origin is not None:
            if origin_allowed(scope, origin):
                return await self.app(scope, receive, send)
            return await WebsocketDenier()(scope, receive, send)
        token = _token_from_scope(scope)
        if token and await _user_for_token(token) is not None:
            return await self.app(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
