"""Sign-in is by email only: allauth's phone endpoints, which need an SMS sender and a phone store the
product does not have, are not found instead of failing with a 500 (found by the production smoke test)."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("client_kind", ["app", "browser"])
@pytest.mark.parametrize("path", ["account/phone", "auth/phone/verify", "auth/phone/verify/resend"])
def test_allauths_phone_endpoints_are_not_found(client, alice, client_kind, path):
    client.force_login(alice)
    assert client.get(f"/_allauth/{client_kind}/v1/{path}").status_code == 404
    response = client.post(f"/_allauth/{client_kind}/v1/{path}", {"phone": "+447700900123"}, "application/json")
    assert response.status_code == 404
