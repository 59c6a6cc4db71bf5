"""Ids from users: Unicode digits and numbers past a bigint get a 4xx with the error shape, never a 500."""

import pytest

from exchanges.ledger.models import Transfer
from exchanges.models import Exchange

pytestmark = pytest.mark.django_db

BAD_IDS = ["²", "١٢", str(10**30), 10**30, -1, True]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_gift_to_a_bad_member_id_is_refused(api, network, alice, bad):
    response = api.as_user(alice).post(
        "/api/v1/transfers/",
        {"network": network.slug, "kind": "gift", "to_member": bad, "minutes": 10},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"bad-{bad!s:.20}",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert not Transfer.objects.filter(kind="gift").exists()


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_exchange_with_a_bad_provider_id_is_refused(api, network, alice, bad):
    response = api.as_user(alice).post(
        "/api/v1/exchanges/",
        {"network": network.slug, "provider": bad, "recipient": alice.pk, "minutes": 30},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert not Exchange.objects.exists()


@pytest.mark.parametrize("bad", ["²", str(10**30)])
def test_filters_and_profiles_refuse_bad_member_ids(api, network, coordinator, bad):
    client = api.as_user(coordinator)
    for path in [
        f"/api/v1/transfers/?member={bad}",
        f"/api/v1/accounts/?member={bad}",
        f"/api/v1/networks/{network.slug}/profile/?member={bad}",
    ]:
        response = client.get(path)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        assert set(response.json()["error"]) == {"code", "message", "fields"}
