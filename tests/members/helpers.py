"""Small assertions shared by the people and networks tests."""

from members.models import Membership


def membership_of(user, network) -> Membership:
    return Membership.objects.get(user=user, network=network)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]
