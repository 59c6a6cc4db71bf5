"""Every operation in the OpenAPI schema, fed generated input by a signed-in member: never a 500,
and every error under /api/v1/ has the error shape."""

import json
from urllib.parse import urlencode

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings

from members.models import Membership
from tests.factories import NetworkFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_token():
    network = NetworkFactory(slug="fuzz", name="Fuzz")
    user = member(network).user
    member(network, role=Membership.Role.COORDINATOR)
    member(network, user=UserFactory())
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": "demo-password"},
        content_type="application/json",
    )
    return response.json()["meta"]["session_token"]


def send(case, headers):
    """Send a generated case through Django's test client (it keeps the test transaction open)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    request_headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "content-type"}
    content_type = (kwargs.get("headers") or {}).get("Content-Type", "application/json")
    data = kwargs.get("json")
    body = json.dumps(data) if "json" in kwargs else kwargs.get("data") or b""
    return Client().generic(
        kwargs["method"],
        kwargs["url"] + ("?" + urlencode(kwargs["params"], doseq=True) if kwargs.get("params") else ""),
        data=body,
        content_type=content_type,
        headers=request_headers,
    )


def test_generated_input_never_causes_a_server_error(member_token):
    schema = schemathesis.openapi.from_dict(Client().get("/api/schema/?format=json").json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema lists no operations"
    headers = {"X-Session-Token": member_token, "Idempotency-Key": "fuzz-key"}
    statuses = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def call(case):
            response = send(case, headers)
            statuses.append(response.status_code)
            text = response.content.decode(errors="replace")[:500]
            assert response.status_code < 500, (case.method, case.formatted_path, text)
            if response.status_code >= 400 and case.path.startswith("/api/v1/"):
                assert set(response.json()["error"]) == {"code", "message", "fields"}, text

        call()
    # The member's token was accepted: the fuzzing reached the views, not just the auth check.
    assert any(status < 400 for status in statuses), statuses[:20]
