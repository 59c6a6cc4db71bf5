"""Sending SMS through a pluggable backend, chosen by settings.SMS_BACKEND, as Django chooses its email
backends: ConsoleBackend in development, LocmemBackend in tests, an installation's provider in production."""

import sys
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The provider did not take the message; the outbox tries again later."""


class BaseBackend:
    def send(self, *, to: str, body: str) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Prints each message: development, where no message may leave the machine."""

    def send(self, *, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}: {body}\n")
        sys.stdout.flush()


# Messages sent through LocmemBackend, oldest first: tests read and clear it.
outbox: list[dict[str, str]] = []


class LocmemBackend(BaseBackend):
    def send(self, *, to: str, body: str) -> None:
        outbox.append({"to": to, "body": body})


@cache
def _backend_class(path: str) -> type[BaseBackend]:
    return import_string(path)


def sms_enabled() -> bool:
    return bool(settings.SMS_BACKEND)


def sms_send(*, to: str, body: str) -> None:
    """Send one SMS now; raises SmsError when the provider refuses or cannot be reached, or SMS is off."""
    if not sms_enabled():
        raise SmsError("SMS is off: SMS_BACKEND is not set")
    _backend_class(settings.SMS_BACKEND)().send(to=to, body=body)
