"""Outgoing mail: queued once the request's transaction commits, sent by the task queue, retried with
backoff while the mail server is down. A mail outage never breaks signup, a password reset or a digest.

Every email the product sends goes through `mail_send` (allauth's through `members.adapter`).
"""

import logging
import smtplib
from datetime import timedelta

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# Seconds to wait before each retry: a minute, five, half an hour, two hours, six; then given up, logged.
RETRY_DELAYS = (60, 300, 1800, 7200, 21600)


def _message_to_dict(message: EmailMessage) -> dict:
    # Task arguments are stored as JSON by the database queue.
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
    }


def _message_from_dict(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data["content_subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def mail_send(*, message: EmailMessage) -> None:
    """Queue `message` to go out after the current transaction commits (at once outside one)."""
    data = _message_to_dict(message)
    transaction.on_commit(lambda: mail_deliver.enqueue(message=data, attempt=1))


@task()
def mail_deliver(*, message: dict, attempt: int) -> None:
    """Send one message; on a mail-server failure queue the next attempt, then fail this one."""
    try:
        _message_from_dict(message).send()
    except (OSError, smtplib.SMTPException):
        _retry_later(message=message, attempt=attempt)
        raise


def _retry_later(*, message: dict, attempt: int) -> None:
    backend = mail_deliver.get_backend()
    if attempt > len(RETRY_DELAYS) or not backend.supports_defer:
        # The immediate backend (development, tests) runs tasks in the request and cannot wait.
        logger.error("mail to %s not sent after %d attempt(s); giving up", message["to"], attempt)
        return
    run_after = timezone.now() + timedelta(seconds=RETRY_DELAYS[attempt - 1])
    mail_deliver.using(run_after=run_after).enqueue(message=message, attempt=attempt + 1)
    logger.warning("mail to %s failed (attempt %d); retrying at %s", message["to"], attempt, run_after)
