"""allauth's words on the account pages, listed so `makemessages` puts them in the product's catalogue:
allauth ships no Welsh. Never imported; the texts are allauth's own msgids, translated in locale/."""

from django.utils.translation import gettext_noop, ngettext

ALLAUTH_WORDS = [
    gettext_noop("Email"),
    gettext_noop("Email address"),
    gettext_noop("Password"),
    gettext_noop("Remember Me"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Password (again)"),
    gettext_noop("Code"),
    gettext_noop("Authenticator code"),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("A user is already registered with this email address."),
    gettext_noop("Please type your current password."),
    gettext_noop("Incorrect code."),
    gettext_noop("Incorrect password."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("You must type the same password each time."),
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("You have signed out."),
    gettext_noop("Password successfully changed."),
    gettext_noop("Authenticator app activated."),
    gettext_noop("Authenticator app deactivated."),
    gettext_noop("Confirmation email sent to %(email)s."),
    # Django's own password rules: its Welsh catalogue does not have them.
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
]


def _plurals() -> None:
    """Never called: only `makemessages` reads these, for the plural forms Django asks for."""
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    )
    ngettext(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        8,
    )
