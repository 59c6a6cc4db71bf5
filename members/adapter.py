"""allauth's account adapter: its emails (verification, password reset) leave through the mail queue.

Sign-in is by email only: allauth's phone endpoints are not found (timebank/urls.py).
"""

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django import forms
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import gettext as _

from timebank.mail import mail_send


def user_display(user) -> str:
    """How allauth names a person to themselves ("Signed in as …", their emails): their name, or until they
    give one their own email address. Others never see this (`User.name`)."""
    return user.display_name or user.email or user.name


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context_: dict) -> None:
        # As allauth's own, but queued: a mail server that is down must not fail the signup.
        request = context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context_}
        mail_send(message=self.render_mail(template_prefix, email, ctx))

    def clean_email(self, email: str) -> str:
        # An address is stored in at most EMAIL_MAX_LENGTH characters: a longer one, which the form's own
        # check lets through, was cut short and could never be used to sign in.
        most = app_settings.EMAIL_MAX_LENGTH
        if len(email) > most:
            raise forms.ValidationError(_("Use an email address of at most %(most)d characters.") % {"most": most})
        return super().clean_email(email)
