"""The database out of reach answers 503 with Retry-After, never 500 (PRODUCT §5).

One answer for every door: the middleware catches it from views (API, pages, allauth), and handler500
from the middleware in front of them (sessions, authentication), where Django has already caught it.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from timebank.errors import error_body

logger = logging.getLogger("timebank.unavailable")

# Long enough for a restarting PostgreSQL or a pool with a free connection again; short enough for a person.
RETRY_AFTER_SECONDS = 5

# Paths whose clients read JSON: the REST API and allauth's headless endpoints.
JSON_PREFIXES = ("/api/", "/_allauth/")


def database_unavailable(exc: BaseException | None) -> bool:
    """True for a database that cannot be reached or has no free connection: refused, restarting, a pool
    timeout (psycopg's PoolTimeout reaches Django as OperationalError), a connection lost mid-request."""
    return isinstance(exc, (OperationalError, InterfaceError))


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the JSON error shape for API clients, a page that needs no database for people."""
    message = _("The service is busy or restarting. Please try again in a few seconds.")
    if request.path.startswith(JSON_PREFIXES):
        response = JsonResponse(error_body("service_unavailable", message), status=503)
    else:
        # No base template: it reads the session and the unread count, and those need the database.
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unavailable_response_for_current_exception(request: HttpRequest) -> HttpResponse | None:
    """For handler500: the 503 when the exception being handled is the database's, else None.

    Django calls handler500 inside its `except` block on the request's thread (WSGI), so the exception
    is still the current one there."""
    exc = sys.exc_info()[1]
    return unavailable_response(request) if database_unavailable(exc) else None


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    """Turns a database that cannot be reached, raised by a view, into a 503."""

    def process_exception(self, request, exception):
        if not database_unavailable(exception):
            return None
        logger.error("database unavailable: %s %s", request.method, request.path, exc_info=exception)
        return unavailable_response(request)
