"""A mail server that is down never breaks signup or a password reset: mail is queued after the commit,
sent by the task queue and retried with backoff, then delivered once the server is back. Tested with a
real SMTP port that refuses (nothing listens on it) and then a real SMTP server on the same port."""

import importlib.util
import json
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from members.models import User
from tests.factories import UserFactory
from timebank.mail import RETRY_DELAYS, mail_send

pytestmark = pytest.mark.django_db(transaction=True)

_spec = importlib.util.spec_from_file_location(
    "topology", Path(__file__).resolve().parents[2] / "bench" / "ws" / "topology.py"
)
topology = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(topology)


@pytest.fixture
def smtp_port(settings):
    """A port nothing listens on: every connection is refused, as when the mail server is down."""
    port = topology.free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    return port


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


def signup(email: str):
    body = json.dumps({"email": email, "password": "a-long-enough-password"})
    return Client().post("/_allauth/app/v1/auth/signup", body, content_type="application/json")


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_signup_succeeds_while_the_mail_server_refuses_connections(smtp_port):
    response = signup("newcomer@example.org")
    assert response.status_code == 200, response.content[:300]
    assert User.objects.filter(email="newcomer@example.org").exists()


def test_a_password_reset_request_succeeds_while_the_mail_server_refuses_connections(smtp_port):
    user = UserFactory()
    body = json.dumps({"email": user.email})
    response = Client().post("/_allauth/app/v1/auth/password/request", body, content_type="application/json")
    assert response.status_code == 200, response.content[:300]


def test_signup_pages_succeed_while_the_mail_server_refuses_connections(smtp_port):
    form = {"email": "pagesignup@example.org", "password1": "a-long-enough-password"}
    response = Client().post("/accounts/signup/", form)
    assert response.status_code == 302, response.content[:300]
    assert User.objects.filter(email="pagesignup@example.org").exists()


def test_mail_is_sent_only_once_its_transaction_commits():
    with transaction.atomic():
        mail_send(message=mail.EmailMessage("kept", "body", "a@example.org", ["b@example.org"]))
        assert mail.outbox == []
    assert [m.subject for m in mail.outbox] == ["kept"]


def test_mail_queued_in_a_transaction_that_rolls_back_is_never_sent():
    with pytest.raises(RuntimeError), transaction.atomic():
        mail_send(message=mail.EmailMessage("lost", "body", "a@example.org", ["b@example.org"]))
        raise RuntimeError("roll back")
    assert mail.outbox == []


def test_a_mail_that_failed_is_retried_later_and_delivered_when_the_server_is_back(smtp_port, database_queue):
    assert signup("patient@example.org").status_code == 200
    queued = DBTaskResult.objects.get()
    assert queued.status == "READY" and queued.args_kwargs["kwargs"]["message"]["to"] == ["patient@example.org"]

    run_worker()  # the mail server is down: this attempt fails and the next is queued with a delay
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "FAILED"
    assert retry.status == "READY" and retry.args_kwargs["kwargs"]["attempt"] == 2
    delay = (retry.run_after - timezone.now()).total_seconds()
    assert RETRY_DELAYS[0] - 10 < delay <= RETRY_DELAYS[0]
    run_worker()  # too early: the retry waits
    assert DBTaskResult.objects.get(pk=retry.pk).status == "READY"

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    server.start()
    try:
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # the delay has passed
        run_worker()
    finally:
        server.stop()
    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"
    [(recipients, content)] = inbox.messages
    assert recipients == ["patient@example.org"] and "Confirm" in content


def test_a_mail_is_given_up_after_the_last_retry(smtp_port, database_queue, caplog):
    from timebank.mail import mail_deliver

    message = {
        "subject": "s",
        "body": "b",
        "from_email": "a@example.org",
        "to": ["b@example.org"],
        "cc": [],
        "bcc": [],
        "reply_to": [],
        "headers": {},
        "content_subtype": "plain",
        "alternatives": [],
    }
    mail_deliver.enqueue(message=message, attempt=len(RETRY_DELAYS) + 1)
    run_worker()
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert "giving up" in caplog.text
