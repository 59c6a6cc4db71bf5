"""A logged-in person reads the site in the language they chose (`me/preferences`), once that language is one
the site offers (settings.LANGUAGES); LocaleMiddleware's choice stands for everyone else."""

from django.conf import settings
from django.utils import translation

from messaging.notifications.selectors import language_of


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = language_of(user_id=user.pk)
            if language in dict(settings.LANGUAGES) and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
