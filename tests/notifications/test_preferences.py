"""`GET/PATCH /api/v1/me/preferences/`: exactly the shape PRODUCT §4 gives, one service for API and pages."""

import pytest

from messaging.notifications.kinds import PUSH_GROUPS
from messaging.notifications.models import NotificationPreference
from messaging.notifications.services import preferences_get, preferences_set
from timebank.errors import ValidationError

pytestmark = pytest.mark.django_db


def test_defaults_before_any_change(api, alice):
    body = api.as_user(alice).get("/api/v1/me/preferences/").json()
    groups = dict.fromkeys(PUSH_GROUPS, True)
    assert body == {"language": "en-gb", "push": True, "email_digest": "daily", "sms": False, "push_groups": groups}


def test_patch_changes_only_what_is_sent(api, alice):
    response = api.as_user(alice).patch(
        "/api/v1/me/preferences/", {"email_digest": "weekly", "language": "cy"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() | {"push_groups": None} == {
        "language": "cy",
        "push": True,
        "email_digest": "weekly",
        "sms": False,
        "push_groups": None,
    }
    assert preferences_get(user=alice)["email_digest"] == "weekly"


@pytest.mark.parametrize(
    "body",
    [{"language": "fr"}, {"email_digest": "hourly"}, {"push": "maybe"}, {"sms": None}, {"colour": "blue"}, ["x"]],
)
def test_bad_values_are_a_400_and_change_nothing(api, alice, body):
    response = api.as_user(alice).patch("/api/v1/me/preferences/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert not NotificationPreference.objects.filter(user=alice).exists()


def test_anonymous_is_401(api):
    assert api.get("/api/v1/me/preferences/").status_code == 401


def test_the_service_refuses_what_the_api_refuses(alice):
    with pytest.raises(ValidationError):
        preferences_set(user=alice, email_digest="hourly")
    assert preferences_set(user=alice, sms=True)["sms"] is True
