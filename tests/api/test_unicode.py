"""Text that is valid JSON but not storable Unicode (a lone surrogate) gets a 400, never a 500."""

import pytest

from exchanges.ledger.models import Transfer
from messaging.models import Message

pytestmark = pytest.mark.django_db

LONE = '"\\ud800 thanks"'  # JSON for a string holding an unpaired surrogate


def test_a_gift_with_a_lone_surrogate_in_its_memo_is_refused(api, network, alice, bob):
    body = f'{{"network": "{network.slug}", "kind": "gift", "to_member": {bob.pk}, "minutes": 10, "memo": {LONE}}}'
    response = api.as_user(alice).post(
        "/api/v1/transfers/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="lone-surrogate"
    )
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert not Transfer.objects.filter(kind="gift").exists()


def test_a_surrogate_in_a_key_is_refused_too(api, network, coordinator):
    body = '{"groups": [["A", "B"]], "\\udfff": 1}'
    response = api.as_user(coordinator).put(
        "/api/v1/networks/harlesden/neighbourhoods/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    network.refresh_from_db()
    assert network.nearby_neighbourhoods == []


def test_a_message_with_a_lone_surrogate_is_refused(api, network, alice, bob):
    from messaging.services import conversation_direct_open

    conversation = conversation_direct_open(network=network, user=alice, other_id=bob.pk)[0]
    response = api.as_user(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        f'{{"body": {LONE}, "client_id": "c1"}}',
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert not Message.objects.exists()
