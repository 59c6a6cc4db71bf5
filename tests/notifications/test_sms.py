"""SMS for the notifications that need an answer (a claim to confirm), and the signed inbound webhook that
confirms or disputes through the same lifecycle service as the pages and the API (issue 17)."""

import hashlib
import hmac
import json

import pytest
from django.test import override_settings
from django.utils import timezone

from exchanges import services as exchange_services
from exchanges.ledger.models import Transfer
from exchanges.models import Exchange
from members.models import AuditEvent
from messaging.notifications import sms
from messaging.notifications.models import Delivery, NotificationPreference
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


def post_inbound(client, body: dict, *, secret=SECRET, signature=None):
    raw = json.dumps(body).encode()
    signature = signature or hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        "/api/v1/sms/inbound/", raw, content_type="application/json", HTTP_X_TIMEBANK_SIGNATURE=signature
    )


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


def test_a_replay_is_harmless(client, webhook, network, ann, edna):
    exchange = claimed(ann, edna, network)
    body = {"from": "07700900456", "text": f"YES {exchange.pk}"}
    assert post_inbound(client, body).status_code == 200
    again = post_inbound(client, body)
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
    raw = json.dumps({"from": "07700900456", "text": "YES 1"}).encode()
    signature = hmac.new(b"", raw, hashlib.sha256).hexdigest()
    response = client.post(
        "/api/v1/sms/inbound/", raw, content_type="application/json", HTTP_X_TIMEBANK_SIGNATURE=signature
    )
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
