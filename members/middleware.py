"""A logged-in person reads every page in the language they chose, whatever their browser asks for."""

from django.db import InterfaceError, OperationalError
from django.utils import translation

from members.language import LANGUAGE_CODES


class PersonLanguageMiddleware:
    """After AuthenticationMiddleware: LocaleMiddleware chose from the cookie and Accept-Language before
    the person was known; their own choice, when they made one, wins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        try:
            chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        except (OperationalError, InterfaceError):
            # The database is out of reach: the view meets it too and answers 503 (timebank.unavailable).
            chosen = ""
        if chosen in LANGUAGE_CODES:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)
