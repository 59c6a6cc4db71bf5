"""Which groups of notifications reach a person's phones by push (issue 17: per-person choices of kinds).
Every kind is in one group; a group switched off queues no push, but the notification is still kept and shown;
the API and the notifications page save through the same service."""

import pytest

from exchanges.lifecycle.start import exchange_propose
from messaging.notifications.kinds import _GROUP_OF, KINDS, PUSH_GROUPS, kind_group
from messaging.notifications.models import Delivery, Notification, NotificationPreference, PushSubscription
from messaging.notifications.services import notification_create, preferences_get, preferences_set

pytestmark = pytest.mark.django_db

ALL_ON = dict.fromkeys(PUSH_GROUPS, True)


def subscribe(user, name):
    return PushSubscription.objects.create(
        user=user, endpoint=f"https://push.example/{name}", p256dh="key", auth="secret"
    )


def pushes_for(user) -> list[str]:
    return list(
        Delivery.objects.filter(notification__user=user, channel="push").values_list("notification__kind", flat=True)
    )


def test_every_kind_with_words_is_placed_in_one_group_by_name():
    assert set(KINDS) <= set(_GROUP_OF), set(KINDS) - set(_GROUP_OF)
    assert set(_GROUP_OF.values()) <= set(PUSH_GROUPS)
    assert kind_group("transfer.gift") == "hours" and kind_group("exchange.reminder_hour") == "reminders"
    assert kind_group("announcement") == "announcements" and kind_group("something.new") == "announcements"


def test_every_group_is_on_until_the_person_chooses(api, alice):
    body = api.as_user(alice).get("/api/v1/me/preferences/").json()
    assert body["push_groups"] == ALL_ON
    assert body["push"] is True  # the single switch is still there, as it was


def test_a_patch_changes_only_the_groups_it_names_and_reads_back(api, alice):
    client = api.as_user(alice)
    response = client.patch("/api/v1/me/preferences/", {"push_groups": {"matches": False}}, format="json")
    assert response.status_code == 200
    assert response.json()["push_groups"] == ALL_ON | {"matches": False}
    client.patch("/api/v1/me/preferences/", {"push_groups": {"messages": False}}, format="json")
    client.patch("/api/v1/me/preferences/", {"push_groups": {"matches": True}}, format="json")
    body = client.get("/api/v1/me/preferences/").json()
    assert body["push_groups"] == ALL_ON | {"messages": False}
    assert NotificationPreference.objects.get(user=alice).push_off == ["messages"]
    assert set(body) == {"language", "push", "email_digest", "sms", "push_groups"}


@pytest.mark.parametrize(
    ("groups", "words"),
    [
        ({"gossip": False}, "There is no group of notifications called “gossip”"),
        ({"matches": "no"}, "Say true or false for each group."),
        ({"matches": 0}, "Say true or false for each group."),
        ({"matches": None}, "null"),
        (["matches"], ""),
        ("matches", ""),
    ],
)
def test_an_unknown_group_or_a_value_not_true_or_false_is_a_400(api, alice, groups, words):
    response = api.as_user(alice).patch("/api/v1/me/preferences/", {"push_groups": groups}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "push_groups" in error["fields"]
    assert words in str(error["fields"]["push_groups"])
    assert not NotificationPreference.objects.filter(user=alice).exists()


def test_the_service_refuses_what_the_api_refuses(alice):
    from timebank.errors import ValidationError

    with pytest.raises(ValidationError):
        preferences_set(user=alice, push_groups={"gossip": True})
    assert preferences_set(user=alice, push_groups={"hours": False})["push_groups"]["hours"] is False


def test_the_page_shows_a_box_per_group_and_saves_what_is_ticked(client, alice):
    client.force_login(alice)
    preferences_set(user=alice, push_groups={"reminders": False})
    page = client.get("/notifications/").content.decode()
    assert "Push on this phone" in page
    for group, label in PUSH_GROUPS.items():
        assert f'value="{group}"' in page and str(label) in page
    assert {group: _ticked(page, group) for group in PUSH_GROUPS} == ALL_ON | {"reminders": False}
    ticked = [group for group in PUSH_GROUPS if group not in ("matches", "announcements")]
    response = client.post(
        "/notifications/preferences/",
        {"language": "en-gb", "email_digest": "daily", "push": "on", "push_groups": ticked},
    )
    assert response.status_code == 302
    assert preferences_get(user=alice)["push_groups"] == ALL_ON | {"matches": False, "announcements": False}
    page = client.get("/notifications/").content.decode()
    boxes = {group: _ticked(page, group) for group in PUSH_GROUPS}
    assert boxes == ALL_ON | {"matches": False, "announcements": False}


def _ticked(page: str, group: str) -> bool:
    start = page.index(f'value="{group}"')
    tag = page[page.rindex("<input", 0, start) : page.index(">", start)]
    return "checked" in tag


def test_a_group_switched_off_queues_no_push_but_another_group_still_does(network, alice, bob):
    subscribe(bob, "bob-phone")
    subscribe(bob, "bob-laptop")
    preferences_set(user=bob, push_groups={"hours": False})
    notification_create(user=bob, kind="transfer.gift", network=network, data={"name": "Alice", "minutes": 30})
    exchange_propose(actor=alice, network=network, provider=alice, recipient=bob, minutes=30, description="Tea")
    # Both are kept and shown in the app; only the exchange step goes to his two browsers.
    assert sorted(Notification.objects.filter(user=bob).values_list("kind", flat=True)) == [
        "exchange.proposed",
        "transfer.gift",
    ]
    assert pushes_for(bob) == ["exchange.proposed", "exchange.proposed"]


def test_the_copy_relayed_to_a_supporter_follows_the_supporters_own_choices(network, alice, edna, supporter):
    subscribe(edna, "edna-phone")
    subscribe(supporter, "supporter-phone")
    preferences_set(user=supporter, push_groups={"exchanges": False})
    exchange_propose(actor=alice, network=network, provider=alice, recipient=edna, minutes=30, description="Tea")
    assert Notification.objects.filter(user=supporter, about=edna).exists()
    assert pushes_for(supporter) == []
    assert pushes_for(edna) == ["exchange.proposed"]  # Edna's own choices are hers: all on

    preferences_set(user=supporter, push_groups={"exchanges": True})
    preferences_set(user=edna, push_groups={"exchanges": False})
    exchange_propose(actor=alice, network=network, provider=alice, recipient=edna, minutes=45, description="Soup")
    assert pushes_for(supporter) == ["exchange.proposed"]
    assert pushes_for(edna) == ["exchange.proposed"]  # still only the first
