"""API authentication: allauth's app session token, with a challenge so anonymous calls get 401."""

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from allauth.headless.internal import sessionkit
from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy as AllauthSessionTokenStrategy
from django.conf import settings
from django.utils import translation
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SessionTokenAuthentication(XSessionTokenAuthentication):
    def authenticate(self, request):
        # An app's person is known only here, after the middleware: from now on the request speaks the
        # language they chose (members/language.py), as a page does for a browser session.
        found = super().authenticate(request)
        chosen = getattr(found[0], "language", "") if found else ""
        if chosen and chosen in dict(settings.LANGUAGES):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return found

    def authenticate_header(self, request):
        # Without a challenge DRF turns "not authenticated" into 403; PRODUCT §4 wants 401.
        return 'Session realm="api"'


class SessionTokenStrategy(AllauthSessionTokenStrategy):
    """allauth's session tokens, each looked up with one read of the session instead of an
    existence check and then a read (allauth's JWT strategy looks sessions up the same way).
    A missing or expired session is None, as before."""

    def lookup_session(self, session_token):
        return sessionkit.lookup_session(session_token)


class SessionTokenScheme(OpenApiAuthenticationExtension):
    """Documents the X-Session-Token header in the OpenAPI schema."""

    target_class = "timebank.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Session-Token"}
