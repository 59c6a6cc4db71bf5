"""allauth's account adapter: its emails (verification, password reset) leave through the mail queue."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib.sites.shortcuts import get_current_site
from django.http import JsonResponse
from django.utils.translation import gettext as _

from timebank.mail import mail_send


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context_: dict) -> None:
        # As allauth's own, but queued: a mail server that is down must not fail the signup.
        request = context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context_}
        mail_send(message=self.render_mail(template_prefix, email, ctx))

    # A member's phone (on their membership) is a contact detail for coordinators, never a login or a
    # number allauth verifies: its phone endpoints see none (allauth's default raises NotImplementedError,
    # a 500).
    def get_phone(self, user) -> None:
        return None

    def get_user_by_phone(self, phone: str) -> None:
        return None

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        # Nothing sends SMS codes; AccountMiddleware turns this into the answer, in allauth's error shape.
        message = _("Phone numbers are not verified here: add yours to your profile instead.")
        body = {"status": 400, "errors": [{"code": "phone_not_supported", "message": message, "param": "phone"}]}
        raise ImmediateHttpResponse(JsonResponse(body, status=400))
