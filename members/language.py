"""The language a person reads the product in: the one they chose, kept on their account.

Pages and the API activate it on every request once the person is known (members.middleware for
sessions, timebank.authentication for app tokens); before that, Django's LocaleMiddleware follows the
language cookie and then the browser's Accept-Language.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from members.models import User
from timebank.errors import DomainError

LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)


def language_clean(language: str) -> str:
    if language not in LANGUAGE_CODES:
        raise DomainError(str(_("Choose English or Welsh.")), fields={"language": [str(_("Choose a language."))]})
    return language


def language_set(*, user: User, language: str) -> User:
    """Remember `language` for `user`: their pages, emails and notifications use it from now on."""
    user.language = language_clean(language)
    user.save(update_fields=["language"])
    return user


def language_or_site(chosen: str | None) -> str:
    """A stored choice when the site offers it, else the site's language."""
    return chosen if chosen in LANGUAGE_CODES else settings.LANGUAGE_CODE


def language_of(user: User | None) -> str:
    """The language to write to `user` in when no request says otherwise (emails, notifications)."""
    return language_or_site(getattr(user, "language", "") or "")
