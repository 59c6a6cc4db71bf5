"""SMS for the notifications that need an answer (a claim to confirm), and the signed inbound webhook that
confirms or disputes through the same lifecycle service as the pages and the API (issue 17)."""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from exchanges import services as exchange_services
from exchanges.ledger.models import Transfer
from exchanges.models import Exchange
from members.models import AuditEvent
from messaging.models import InboundSms
from messaging.notifications import sms
from messaging.notifications.models import Delivery, NotificationPreference
from messaging.services.sms import SIGNATURE_TOLERANCE_SECONDS
from tests.factories import member

pytestmark = pytest.mark.django_db

SECRET = "test-sms-secret"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def sms_on(user):
    NotificationPreference.objects.update_or_create(user=user, defaults={"sms": True})
    return user


@pytest.fixture
def ann(network):
    return sms_on(member(network, phone="+44 7700 900123").user)


@pytest.fixture
def edna(network):
    return sms_on(member(network, phone="07700 900456").user)


def agreed(provider, recipient, network, minutes=60) -> Exchange:
    exchange = exchange_services.exchange_propose(
        actor=recipient, network=network, provider=provider, recipient=recipient, minutes=minutes
    )
    return exchange_services.exchange_accept(actor=provider, exchange=exchange)


def claimed(provider, recipient, network, minutes=60) -> Exchange:
    exchange = agreed(provider, recipient, network, minutes)
    return exchange_services.exchange_complete(actor=provider, exchange=exchange, minutes=minutes)


def test_a_claim_to_confirm_goes_by_sms_short_and_plain(network, ann, edna, django_capture_on_commit_callbacks):
    ann.display_name = "Ann"
    ann.save()
    with django_capture_on_commit_callbacks(execute=True):
        exchange = claimed(ann, edna, network, minutes=60)
    (message,) = sms.outbox
    assert message["to"] == "07700 900456"
    day = timezone.localtime(exchange.claimed_at).strftime("%-d %b")
    assert message["body"] == (
        f"Ann says they helped you 1 h on {day}. Reply YES {exchange.pk} to confirm or NO {exchange.pk}."
    )
    assert len(message["body"]) <= 160
    delivery = Delivery.objects.get(channel="sms")
    assert (delivery.state, delivery.phone) == ("sent", "07700 900456")


def test_a_claim_by_the_receiver_asks_the_helper(network, ann, edna, django_capture_on_commit_callbacks):
    edna.display_name = "Edna"
    edna.save()
    exchange = agreed(ann, edna, network, minutes=90)
    with django_capture_on_commit_callbacks(execute=True):
        exchange_services.exchange_complete(actor=edna, exchange=exchange, minutes=90)
    (message,) = sms.outbox
    assert message["to"] == "+44 7700 900123"
    assert message["body"].startswith("Edna says you helped them 1 h 30 min on ")


def test_no_phone_no_sms_and_other_notifications_never_go_by_sms(network, ann, bob, django_capture_on_commit_callbacks):
    sms_on(bob)
    with django_capture_on_commit_callbacks(execute=True):
        claimed(ann, bob, network)  # bob gave no phone number
        agreed(bob, ann, network)  # a proposal to ann: no answer by SMS needed
    assert sms.outbox == []
    assert not Delivery.objects.filter(channel="sms").exists()


def test_sms_stays_off_until_the_person_turns_it_on(network, ann, django_capture_on_commit_callbacks):
    quiet = member(network, phone="07700 900789").user  # a phone number, but SMS never turned on
    with django_capture_on_commit_callbacks(execute=True):
        claimed(ann, quiet, network)
    assert sms.outbox == []
    sms_on(quiet)
    NotificationPreference.objects.filter(user=quiet).update(sms=False)
    with django_capture_on_commit_callbacks(execute=True):
        claimed(ann, quiet, network)
    assert sms.outbox == []


@override_settings(SMS_BACKEND="")
def test_without_an_sms_backend_nothing_goes_by_sms(network, ann, edna, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        claimed(ann, edna, network)
    assert not Delivery.objects.exists()


class FailingBackend(sms.BaseBackend):
    def send(self, *, to, body):
        raise sms.SmsError("provider down")


@override_settings(SMS_BACKEND="tests.notifications.test_sms.FailingBackend")
def test_a_provider_outage_keeps_the_sms_for_later(network, ann, edna, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        claimed(ann, edna, network)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "provider down" in delivery.last_error


# The inbound webhook -------------------------------------------------------------------------


def signed(raw: bytes, *, timestamp: str, secret=SECRET) -> str:
    """As the provider signs: hex HMAC-SHA256 of the timestamp, a dot and the raw body."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()


def post_inbound(client, body: dict, *, secret=SECRET, signature=None, timestamp=None):
    raw = json.dumps(body).encode()
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    signature = signature or signed(raw, timestamp=timestamp, secret=secret)
    headers = {"X-Timebank-Signature": signature}
    if timestamp != "":
        headers["X-Timebank-Timestamp"] = timestamp
    return client.post("/api/v1/sms/inbound/", raw, content_type="application/json", headers=headers)


@pytest.fixture
def webhook(settings):
    settings.SMS_WEBHOOK_SECRET = SECRET


def test_yes_confirms_the_claim_through_the_lifecycle(client, webhook, network, ann, edna):
    exchange = claimed(ann, edna, network)
    response = post_inbound(client, {"from": "+447700900456", "text": f"yes {exchange.pk}"})
    assert response.status_code == 200
    exchange.refresh_from_db()
    assert exchange.state == "posted"
    assert Transfer.objects.filter(exchange=exchange, minutes=60).count() == 1
    event = AuditEvent.objects.filter(action="exchange.confirm").get()
    assert (event.actor_id, event.reason) == (edna.pk, "by SMS")
    assert response.json()["reply"] == f"Thank you: exchange {exchange.pk} is confirmed."
    assert sms.outbox[-1] == {"to": "+447700900456", "body": response.json()["reply"]}


def test_no_disputes_the_claim_by_sms(client, webhook, network, ann, edna):
    exchange = claimed(ann, edna, network)
    response = post_inbound(client, {"from": "07700 900456", "text": f"NO {exchange.pk}"})
    assert response.status_code == 200
    exchange.refresh_from_db()
    assert exchange.state == "disputed"
    assert AuditEvent.objects.filter(action="exchange.dispute").get().reason == "by SMS"


def test_the_same_answer_texted_twice_moves_the_minutes_once(client, webhook, network, ann, edna):
    exchange = claimed(ann, edna, network)
    body = {"from": "07700900456", "text": f"YES {exchange.pk}"}
    now = int(time.time())
    assert post_inbound(client, body, timestamp=str(now)).status_code == 200
    again = post_inbound(client, body, timestamp=str(now + 1))  # a second text: signed apart
    assert again.status_code == 200
    assert "not waiting for your answer" in again.json()["reply"]
    assert Transfer.objects.filter(exchange=exchange).count() == 1


def test_a_bad_signature_is_refused_and_changes_nothing(client, webhook, network, ann, edna):
    exchange = claimed(ann, edna, network)
    body = {"from": "07700900456", "text": f"YES {exchange.pk}"}
    for response in (
        post_inbound(client, body, secret="wrong"),
        post_inbound(client, body, signature="0" * 64),
        client.post("/api/v1/sms/inbound/", body, content_type="application/json"),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    exchange.refresh_from_db()
    assert exchange.state == "claimed"
    assert sms.outbox == [] or all("Reply YES" in m["body"] for m in sms.outbox)


def test_no_secret_configured_refuses_everything(client, settings, network, ann, edna):
    settings.SMS_WEBHOOK_SECRET = ""
    response = post_inbound(client, {"from": "07700900456", "text": "YES 1"}, secret="")
    assert response.status_code == 403


def test_an_unknown_number_gets_a_reply_and_nothing_changes(client, webhook, network, ann, edna):
    exchange = claimed(ann, edna, network)
    response = post_inbound(client, {"from": "07000 000000", "text": f"YES {exchange.pk}"})
    assert response.status_code == 200
    assert "not known" in response.json()["reply"]
    assert sms.outbox[-1]["to"] == "07000 000000"
    exchange.refresh_from_db()
    assert exchange.state == "claimed"


def test_someone_elses_exchange_gets_a_reply_and_nothing_changes(client, webhook, network, other_network, ann, edna):
    exchange = claimed(ann, edna, network)
    member(other_network, phone="07700 900999")  # a member elsewhere, with a number of their own
    response = post_inbound(client, {"from": "07700900999", "text": f"YES {exchange.pk}"})
    assert f"no exchange {exchange.pk} of yours" in response.json()["reply"]
    unknown = post_inbound(client, {"from": "07700900456", "text": "YES 999999"})
    assert "no exchange 999999 of yours" in unknown.json()["reply"]
    exchange.refresh_from_db()
    assert exchange.state == "claimed"


def test_the_helper_saying_yes_to_their_own_claim_changes_nothing(client, webhook, network, ann, edna):
    exchange = claimed(ann, edna, network)
    response = post_inbound(client, {"from": "+44 7700 900123", "text": f"YES {exchange.pk}"})
    assert response.status_code == 200
    exchange.refresh_from_db()
    assert exchange.state == "claimed"


def test_words_it_does_not_understand_get_a_hint(client, webhook, network, edna):
    response = post_inbound(client, {"from": "07700900456", "text": "hello?"})
    assert "Reply YES or NO and the number" in response.json()["reply"]


@pytest.mark.parametrize("body", [{}, {"from": "07700900456"}, {"text": "YES 1"}, {"from": "x" * 31, "text": "YES 1"}])
def test_a_malformed_signed_body_is_a_400(client, webhook, body):
    response = post_inbound(client, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("order", ["party first", "party last"])
def test_a_shared_phone_answers_for_the_one_of_its_people_the_exchange_is_waiting_for(
    client, webhook, network, ann, order
):
    """Two members of a household share one phone: a YES from it confirms as the party who did not claim,
    whichever of them was stored first, and as nobody else."""
    if order == "party last":
        member(network, phone="07700 900456")  # her husband, the same number
    edna = sms_on(member(network, phone="07700 900456").user)
    if order == "party first":
        member(network, phone="07700 900456")
    exchange = claimed(ann, edna, network)
    response = post_inbound(client, {"from": "+447700900456", "text": f"YES {exchange.pk}"})
    assert response.json()["reply"] == f"Thank you: exchange {exchange.pk} is confirmed."
    exchange.refresh_from_db()
    assert exchange.state == "posted"
    assert AuditEvent.objects.get(action="exchange.confirm").actor_id == edna.pk


# Replays: a signed timestamp, and each signed message answered once -----------------------------------


def refused_and_nothing_sent(response, exchange) -> None:
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    exchange.refresh_from_db()
    assert exchange.state == "claimed"
    assert sms.outbox == []
    assert not InboundSms.objects.exists()


def accepted_when_signed_now(client, body, exchange) -> None:
    """The same words signed with the current time are taken: the timestamp alone was refused."""
    assert post_inbound(client, body).status_code == 200
    exchange.refresh_from_db()
    assert exchange.state == "posted"
    assert len(sms.outbox) == 1


@pytest.fixture
def waiting(network, ann, edna):
    """A claim edna can confirm by SMS, its own SMS to her already sent."""
    exchange = claimed(ann, edna, network)
    sms.outbox.clear()
    return exchange


def test_a_message_signed_longer_ago_than_the_tolerance_is_refused_and_sends_nothing(client, webhook, waiting):
    old = str(int(time.time()) - SIGNATURE_TOLERANCE_SECONDS - 5)
    body = {"from": "07700900456", "text": f"YES {waiting.pk}"}
    refused_and_nothing_sent(post_inbound(client, body, timestamp=old), waiting)
    accepted_when_signed_now(client, body, waiting)


def test_a_message_signed_further_ahead_than_the_tolerance_is_refused_and_sends_nothing(client, webhook, waiting):
    ahead = str(int(time.time()) + SIGNATURE_TOLERANCE_SECONDS + 5)
    body = {"from": "07700900456", "text": f"YES {waiting.pk}"}
    refused_and_nothing_sent(post_inbound(client, body, timestamp=ahead), waiting)
    accepted_when_signed_now(client, body, waiting)


@pytest.mark.parametrize("timestamp", ["", "soon", "-1", "1.7e9", "9" * 40, "１７００００００００"])
def test_a_missing_or_unreadable_timestamp_is_refused_and_sends_nothing(client, webhook, waiting, timestamp):
    body = {"from": "07700900456", "text": f"YES {waiting.pk}"}
    refused_and_nothing_sent(post_inbound(client, body, timestamp=timestamp), waiting)
    accepted_when_signed_now(client, body, waiting)


def test_a_signature_over_the_body_alone_is_refused_and_sends_nothing(client, webhook, waiting):
    """The scheme before timestamps: such a request, captured once, could be replayed for ever."""
    body = {"from": "07700900456", "text": f"YES {waiting.pk}"}
    body_only = hmac.new(SECRET.encode(), json.dumps(body).encode(), hashlib.sha256).hexdigest()
    for timestamp in ("", str(int(time.time()))):
        refused_and_nothing_sent(post_inbound(client, body, signature=body_only, timestamp=timestamp), waiting)
    accepted_when_signed_now(client, body, waiting)


def test_a_signature_with_the_sha256_prefix_is_accepted(client, webhook, waiting):
    raw = json.dumps({"from": "07700900456", "text": f"YES {waiting.pk}"}).encode()
    timestamp = str(int(time.time()))
    signature = "sha256=" + signed(raw, timestamp=timestamp)
    response = post_inbound(client, json.loads(raw), signature=signature, timestamp=timestamp)
    assert response.status_code == 200
    waiting.refresh_from_db()
    assert waiting.state == "posted"


def test_a_replay_within_the_tolerance_sends_no_second_sms_and_gets_the_first_reply(client, webhook, waiting):
    body = {"from": "07700900456", "text": f"YES {waiting.pk}"}
    timestamp = str(int(time.time()) - 10)
    first = post_inbound(client, body, timestamp=timestamp)
    assert first.json()["reply"] == f"Thank you: exchange {waiting.pk} is confirmed."
    assert len(sms.outbox) == 1
    replays = [post_inbound(client, body, timestamp=timestamp) for _ in range(3)]
    assert [r.status_code for r in replays] == [200] * 3
    assert {r.json()["reply"] for r in replays} == {first.json()["reply"]}
    assert len(sms.outbox) == 1
    assert AuditEvent.objects.filter(action="exchange.confirm").count() == 1
    assert Transfer.objects.filter(exchange=waiting).count() == 1


def test_a_reply_that_failed_to_send_is_sent_by_the_providers_retry(client, webhook, waiting, monkeypatch):
    body = {"from": "07700900456", "text": f"YES {waiting.pk}"}
    timestamp = str(int(time.time()))

    def down(self, *, to, body):
        raise sms.SmsError("provider down")

    monkeypatch.setattr(sms.LocmemBackend, "send", down)
    assert post_inbound(client, body, timestamp=timestamp).status_code == 200
    assert sms.outbox == []
    monkeypatch.undo()
    for _ in range(2):
        assert post_inbound(client, body, timestamp=timestamp).status_code == 200
    assert sms.outbox == [{"to": "07700900456", "body": f"Thank you: exchange {waiting.pk} is confirmed."}]
    assert Transfer.objects.filter(exchange=waiting).count() == 1


def test_with_sms_off_an_answer_still_acts_and_is_answered_in_the_response(client, webhook, settings, waiting):
    settings.SMS_BACKEND = ""
    response = post_inbound(client, {"from": "07700900456", "text": f"YES {waiting.pk}"})
    assert response.status_code == 200
    assert response.json()["reply"] == f"Thank you: exchange {waiting.pk} is confirmed."
    assert sms.outbox == []


def test_a_replay_of_a_message_that_changed_nothing_sends_nothing_either(client, webhook, network, edna):
    timestamp = str(int(time.time()))
    first = post_inbound(client, {"from": "07700900456", "text": "hello?"}, timestamp=timestamp)
    again = post_inbound(client, {"from": "07700900456", "text": "hello?"}, timestamp=timestamp)
    assert again.json() == first.json()
    assert len(sms.outbox) == 1


def test_messages_seen_longer_ago_than_any_acceptable_timestamp_are_forgotten(client, webhook, network, edna):
    post_inbound(client, {"from": "07700900456", "text": "hello?"})
    InboundSms.objects.update(seen_at=timezone.now() - timedelta(seconds=2 * SIGNATURE_TOLERANCE_SECONDS + 1))
    recent = post_inbound(client, {"from": "07700900456", "text": "hello again?"})
    assert recent.status_code == 200
    assert InboundSms.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_signed_message_at_once_send_one_reply(webhook, network, ann, edna):
    from rest_framework.test import APIClient

    exchange = claimed(ann, edna, network)
    sms.outbox.clear()
    raw = json.dumps({"from": "07700900456", "text": f"YES {exchange.pk}"}).encode()
    timestamp = str(int(time.time()))
    headers = {"X-Timebank-Signature": signed(raw, timestamp=timestamp), "X-Timebank-Timestamp": timestamp}
    barrier, answers = threading.Barrier(2), [None, None]

    def deliver(i):
        try:
            barrier.wait()
            response = APIClient().post("/api/v1/sms/inbound/", raw, content_type="application/json", headers=headers)
            answers[i] = (response.status_code, response.json()["reply"])
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [(200, f"Thank you: exchange {exchange.pk} is confirmed.")] * 2
    assert sms.outbox == [{"to": "07700900456", "body": answers[0][1]}]
    assert Transfer.objects.filter(exchange=exchange).count() == 1
    assert InboundSms.objects.count() == 1
