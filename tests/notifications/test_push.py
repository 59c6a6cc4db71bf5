"""Web Push end to end against a local push service: subscribe through the API, a gift arrives encrypted and
decrypts to the gift's notification, signed with the installation's VAPID key; a 410 removes the subscription,
a 503 is tried again later (PRODUCT §4, issue 17)."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from members.models import Membership, SupportLink
from messaging.notifications.delivery import delivery_attempt
from messaging.notifications.models import Delivery, Notification, PushSubscription
from tests.factories import member
from tests.notifications.pushservice import Browser, PushService, b64url, vapid_claims

pytestmark = pytest.mark.django_db


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


def subscribe(api, user, browser: Browser, endpoint: str):
    return api.as_user(user).post("/api/v1/push/subscriptions/", browser.subscription(endpoint), format="json")


def gift(api, giver, network, to, minutes=30, key="g1"):
    body = {"network": network.slug, "kind": "gift", "to_member": to.pk, "minutes": minutes}
    return api.as_user(giver).post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_key_is_the_vapid_public_key_as_browsers_take_it(api, alice):
    response = api.as_user(alice).get("/api/v1/push/key/")
    assert response.status_code == 200
    key = response.json()["public_key"]
    assert key == settings.VAPID_PUBLIC_KEY
    assert len(key) == 87 and key.startswith("B")  # 65 bytes, an uncompressed point


def test_a_gift_arrives_encrypted_at_the_push_service_and_decrypts_to_the_notification(
    api, network, alice, bob, push_service, django_capture_on_commit_callbacks
):
    browser = Browser()
    created = subscribe(api, bob, browser, push_service.endpoint("bob"))
    assert created.status_code == 201, created.json()
    with django_capture_on_commit_callbacks(execute=True):
        assert gift(api, alice, network, bob).status_code == 201

    (received,) = push_service.wait_for(1)
    assert received.path == "/push/bob"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert b"gave you" not in received.body  # encrypted on the wire
    message = browser.decrypt(received.body)
    assert message["notification"]["kind"] == "transfer.gift"
    assert message["notification"]["text"] == Notification.objects.get(user=bob).text
    assert message["notification"]["text"].startswith(f"{alice.name} gave you ")
    assert message["notification"]["network"] == network.slug
    delivery = Delivery.objects.get()
    assert message["delivery"] == delivery.pk
    assert (delivery.state, delivery.attempts, delivery.channel) == ("sent", 1, "push")
    assert received.headers["topic"] == f"tb-{delivery.pk}"
    assert int(received.headers["ttl"]) > 0

    claims = vapid_claims(received.headers["authorization"], settings.VAPID_PUBLIC_KEY)
    assert claims["aud"] == push_service.endpoint("").rsplit("/push/", 1)[0]
    assert claims["sub"] == settings.VAPID_SUBJECT
    assert claims["exp"] > time.time()


def test_the_vapid_check_fails_for_another_key(
    api, network, alice, bob, push_service, django_capture_on_commit_callbacks
):
    subscribe(api, bob, Browser(), push_service.endpoint("bob"))
    with django_capture_on_commit_callbacks(execute=True):
        gift(api, alice, network, bob)
    (received,) = push_service.wait_for(1)
    other = Browser().p256dh
    with pytest.raises(AssertionError):
        vapid_claims(received.headers["authorization"], other)


def test_only_the_receiver_is_pushed_and_a_gift_pushes_to_each_of_their_browsers(
    api, network, alice, bob, push_service, django_capture_on_commit_callbacks
):
    phone, laptop, alices = Browser(), Browser(), Browser()
    subscribe(api, bob, phone, push_service.endpoint("bob-phone"))
    subscribe(api, bob, laptop, push_service.endpoint("bob-laptop"))
    subscribe(api, alice, alices, push_service.endpoint("alice"))
    with django_capture_on_commit_callbacks(execute=True):
        gift(api, alice, network, bob)
    received = push_service.wait_for(2)
    time.sleep(0.2)
    assert sorted(r.path for r in push_service.received) == ["/push/bob-laptop", "/push/bob-phone"]
    by_path = {r.path: r for r in received}
    assert phone.decrypt(by_path["/push/bob-phone"].body)["notification"]["kind"] == "transfer.gift"
    assert laptop.decrypt(by_path["/push/bob-laptop"].body)["notification"]["kind"] == "transfer.gift"


def test_a_410_from_the_push_service_removes_the_subscription(
    api, network, alice, bob, push_service, django_capture_on_commit_callbacks
):
    subscribe(api, bob, Browser(), push_service.endpoint("gone"))
    push_service.status["/push/gone"] = 410
    with django_capture_on_commit_callbacks(execute=True):
        gift(api, alice, network, bob)
    push_service.wait_for(1)
    assert not PushSubscription.objects.filter(user=bob).exists()
    assert Delivery.objects.get().state == "gone"
    with django_capture_on_commit_callbacks(execute=True):
        gift(api, alice, network, bob, key="g2")
    assert Delivery.objects.count() == 1  # nothing more to deliver to
    assert len(push_service.received) == 1


def test_a_404_from_the_push_service_removes_the_subscription_too(
    api, network, alice, bob, push_service, django_capture_on_commit_callbacks
):
    subscribe(api, bob, Browser(), push_service.endpoint("unknown"))
    push_service.status["/push/unknown"] = 404
    with django_capture_on_commit_callbacks(execute=True):
        gift(api, alice, network, bob)
    assert not PushSubscription.objects.filter(user=bob).exists()


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_failing_push_service_is_tried_again_later_and_then_delivered(
    status, api, network, alice, bob, push_service, django_capture_on_commit_callbacks
):
    browser = Browser()
    subscribe(api, bob, browser, push_service.endpoint("busy"))
    push_service.status["/push/busy"] = status
    with django_capture_on_commit_callbacks(execute=True):
        gift(api, alice, network, bob)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=5)
    assert PushSubscription.objects.filter(user=bob).exists()
    assert delivery_attempt(delivery_id=delivery.pk) == "skipped"  # not due yet

    del push_service.status["/push/busy"]
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery_attempt(delivery_id=delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)
    first, second = push_service.received
    assert first.headers["topic"] == second.headers["topic"]  # one message to the push service, sent twice
    assert browser.decrypt(second.body)["notification"]["kind"] == "transfer.gift"


def test_an_unreachable_push_service_is_tried_again_later(api, network, alice, bob, django_capture_on_commit_callbacks):
    with PushService() as service:
        endpoint = service.endpoint("closed")
    subscribe(api, bob, Browser(), endpoint)  # the service has gone: nothing listens there now
    with django_capture_on_commit_callbacks(execute=True):
        gift(api, alice, network, bob)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "unreachable" in delivery.last_error


def test_after_the_last_attempt_a_delivery_has_failed(api, network, alice, bob, push_service):
    subscribe(api, bob, Browser(), push_service.endpoint("down"))
    push_service.status["/push/down"] = 503
    gift(api, alice, network, bob)
    delivery = Delivery.objects.get()
    for _ in range(6):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        last = delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (last, delivery.state, delivery.attempts) == ("failed", "failed", 6)
    assert len(push_service.received) == 6


# The subscriptions API -----------------------------------------------------------------------


def test_subscribing_the_same_browser_again_keeps_one_subscription(api, alice, push_service):
    browser = Browser()
    first = subscribe(api, alice, browser, push_service.endpoint("a"))
    again = subscribe(api, alice, browser, push_service.endpoint("a"))
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert PushSubscription.objects.count() == 1


def test_only_your_own_subscription_can_be_deleted(api, alice, bob, push_service):
    created = subscribe(api, alice, Browser(), push_service.endpoint("a")).json()
    url = f"/api/v1/push/subscriptions/{created['id']}/"
    refused = api.as_user(bob).delete(url)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    assert PushSubscription.objects.filter(pk=created["id"]).exists()
    assert api.as_user(alice).delete(url).status_code == 204
    assert not PushSubscription.objects.exists()
    assert api.as_user(alice).delete(url).status_code == 404


def test_anonymous_may_not_subscribe(api, push_service):
    response = api.post(
        "/api/v1/push/subscriptions/", Browser().subscription(push_service.endpoint("x")), format="json"
    )
    assert response.status_code == 401


@override_settings(PUSH_ALLOW_LOOPBACK_HTTP=False)
def test_production_takes_https_push_services_only(api, alice):
    browser = Browser()
    refused = subscribe(api, alice, browser, "http://127.0.0.1:9/push/x")
    assert refused.status_code == 400
    assert "endpoint" in refused.json()["error"]["fields"]
    assert subscribe(api, alice, browser, "https://push.example.net/x").status_code == 201


@override_settings(PUSH_ALLOW_LOOPBACK_HTTP=False)
@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1/push/x",
        "https://localhost/push/x",
        "https://push.localhost/push/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7:8443/admin",
        "https://192.168.1.1/x",
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://[fd00::1]/x",
        "https://0.0.0.0/x",
    ],
)
def test_production_refuses_push_services_on_its_own_network(api, alice, endpoint):
    """The server posts to a subscription's endpoint: one inside its own network would let a member make it
    send requests to its own services (and learn from the answers which exist)."""
    refused = subscribe(api, alice, Browser(), endpoint)
    assert refused.status_code == 400, refused.json()
    assert "endpoint" in refused.json()["error"]["fields"]
    assert not PushSubscription.objects.exists()


PLAIN_ADDRESS = "A push service's address names its host, with no user name, password or IP address."


@override_settings(PUSH_ALLOW_LOOPBACK_HTTP=False)
@pytest.mark.parametrize(
    "endpoint",
    [
        "https://[2606:4700:4700::1111]/x",
        "https://[::ffff:1.1.1.1]/x",
        "https://1.1.1.1/x",
        "https://user:pw@fcm.googleapis.com/x",
        "https://user@fcm.googleapis.com/x",
        "https://fcm.googleapis.com:99999/x",
        "https://fcm.googleapis.com:0/x",
    ],
)
def test_production_takes_a_push_services_name_only_with_nothing_else_in_front_of_the_path(api, alice, endpoint):
    """Every message is signed for the push service's origin (its VAPID audience): a user name, a password or an
    IPv6 literal leaves none, and no browser's push service is a bare IP address. Taken, such a subscription made
    every send to it fail, and held up the rest of its batch."""
    refused = subscribe(api, alice, Browser(), endpoint)
    assert refused.status_code == 400, refused.json()
    assert refused.json()["error"]["fields"]["endpoint"] == [PLAIN_ADDRESS]
    assert not PushSubscription.objects.exists()
    assert subscribe(api, alice, Browser(), "https://fcm.googleapis.com:443/fcm/send/x").status_code == 201


@override_settings(PUSH_ALLOW_LOOPBACK_HTTP=False)
@pytest.mark.parametrize("endpoint", ["https://16843009/x", "https://0x1.0x1.0x1.0x1/x", "https://1.1.257/x"])
def test_the_subscribe_check_knows_an_ip_address_in_every_form_a_resolver_reads(endpoint):
    """The API's URL field refuses these first; the service refuses them all the same for any other caller."""
    from messaging.notifications.services import push_subscription_check
    from timebank.errors import DomainError

    browser = Browser()
    keys = browser.subscription(endpoint)["keys"]
    with pytest.raises(DomainError) as refused:
        push_subscription_check(endpoint=endpoint, **keys)
    assert refused.value.fields == {"endpoint": [PLAIN_ADDRESS]}


@override_settings(PUSH_ALLOW_LOOPBACK_HTTP=True)
@pytest.mark.parametrize(
    "endpoint",
    [
        "https://10.0.0.1/x",
        "https://169.254.169.254/",
        "https://127.0.0.1/x",
        "https://foo.localhost/x",
        "https://localhost/x",
        "https://[2606:4700:4700::1111]/x",
        "https://user:pw@fcm.googleapis.com/x",
        "http://[::1]:8080/push/x",  # loopback, but no message to it can be signed
    ],
)
def test_development_takes_nothing_production_refuses_but_loopback_http(api, alice, endpoint):
    refused = subscribe(api, alice, Browser(), endpoint)
    assert refused.status_code == 400, refused.json()
    assert "endpoint" in refused.json()["error"]["fields"]
    assert not PushSubscription.objects.exists()
    for taken in ("http://127.0.0.1:8080/push/x", "http://localhost:8080/push/y", "https://fcm.googleapis.com/z"):
        assert subscribe(api, alice, Browser(), taken).status_code == 201, taken


@override_settings(PUSH_ALLOW_LOOPBACK_HTTP=False)
def test_production_sends_nothing_to_a_push_service_whose_name_leads_inside(
    api, network, alice, bob, monkeypatch, django_capture_on_commit_callbacks
):
    """A public name may resolve to an internal address (or come to, later): checked when sending."""
    import socket

    assert subscribe(api, bob, Browser(), "https://push.example.net/bob").status_code == 201
    resolve = socket.getaddrinfo

    def internal(host, *args, **kwargs):
        if host == "push.example.net":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 443))]
        return resolve(host, *args, **kwargs)

    sent = []
    monkeypatch.setattr(socket, "getaddrinfo", internal)
    monkeypatch.setattr("messaging.notifications.delivery.webpush", lambda **kwargs: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        assert gift(api, alice, network, bob).status_code == 201
    assert sent == []
    assert Delivery.objects.get().state == "gone"
    assert not PushSubscription.objects.filter(user=bob).exists()


@override_settings(PUSH_ALLOW_LOOPBACK_HTTP=False)
def test_a_push_service_name_no_resolver_can_look_up_is_dropped_when_sending(
    api, network, alice, bob, django_capture_on_commit_callbacks
):
    """A well-formed address whose name has no IDNA form (a label too long once encoded): sending drops it."""
    endpoint = "https://" + "ü" * 60 + ".example/bob"
    assert subscribe(api, bob, Browser(), endpoint).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        assert gift(api, alice, network, bob).status_code == 201
    assert Delivery.objects.get().state == "gone"
    assert not PushSubscription.objects.filter(user=bob).exists()


def test_one_person_keeps_their_newest_browsers_only(
    api, network, alice, bob, push_service, django_capture_on_commit_callbacks
):
    """Every notification writes one delivery per subscription and the server posts each: without a cap, one
    person's thousands of subscriptions made every note to them (an announcement to all) that much work."""
    from messaging.notifications.services import MOST_PUSH_SUBSCRIPTIONS

    browsers = {f"b{n}": Browser() for n in range(MOST_PUSH_SUBSCRIPTIONS + 3)}
    for name, browser in browsers.items():
        assert subscribe(api, bob, browser, push_service.endpoint(name)).status_code == 201
    kept = set(PushSubscription.objects.filter(user=bob).values_list("endpoint", flat=True))
    assert kept == {push_service.endpoint(name) for name in list(browsers)[3:]}
    with django_capture_on_commit_callbacks(execute=True):
        assert gift(api, alice, network, bob).status_code == 201
    assert Delivery.objects.filter(channel="push").count() == MOST_PUSH_SUBSCRIPTIONS


def test_development_takes_loopback_http_but_no_other_http(api, alice):
    browser = Browser()
    assert subscribe(api, alice, browser, "http://localhost:8080/push/x").status_code == 201
    refused = subscribe(api, alice, browser, "http://push.example.net/x")
    assert refused.status_code == 400
    assert "endpoint" in refused.json()["error"]["fields"]


def bad_keys():
    good = Browser()
    point = good.p256dh
    yield "p256dh", {"p256dh": "not base64!", "auth": b64url(good.auth)}
    yield "p256dh", {"p256dh": point[:40], "auth": b64url(good.auth)}
    # The right length and form, but not a point on the curve.
    yield "p256dh", {"p256dh": "BA" + "A" * 85, "auth": b64url(good.auth)}
    yield "auth", {"p256dh": point, "auth": b64url(b"x" * 15)}
    yield "auth", {"p256dh": point, "auth": "$" * 22}


@pytest.mark.parametrize(("field", "keys"), list(bad_keys()))
def test_malformed_keys_are_refused_and_nothing_is_saved(api, alice, field, keys):
    body = {"endpoint": "https://push.example.net/x", "keys": keys}
    response = api.as_user(alice).post("/api/v1/push/subscriptions/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]["keys"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"endpoint": "https://push.example.net/x"}, {"endpoint": "not a url", "keys": {}}, {"keys": "x"}],
)
def test_incomplete_subscriptions_are_refused(api, alice, body):
    response = api.as_user(alice).post("/api/v1/push/subscriptions/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_a_receiver_without_a_subscription_gets_no_deliveries(network, alice, bob, api):
    carol = member(network).user
    subscribe(api, carol, Browser(), "https://push.example.net/carol")
    gift(api, alice, network, bob)
    assert not Delivery.objects.exists()


def test_erasing_a_person_removes_their_push_subscriptions_and_deliveries(api, network, alice, bob, push_service):
    from members.privacy.services import me_erase

    bob.set_password("a-long-password-1")
    bob.save()
    subscribe(api, bob, Browser(), push_service.endpoint("bob"))
    gift(api, alice, network, bob)
    assert Delivery.objects.filter(notification__user=bob).exists()
    me_erase(user=bob, password="a-long-password-1")
    assert not PushSubscription.objects.filter(user=bob).exists()
    assert not Delivery.objects.exists()


def test_the_notifications_page_offers_push_on_this_phone_with_words_for_no_javascript(client, alice):
    client.force_login(alice)
    page = client.get("/notifications/").content.decode()
    assert "Turn on notifications on this phone" in page
    assert 'id="push-on" hidden' in page  # shown by the script only where push works
    assert "open this page in a browser with JavaScript turned on" in page
    assert "/static/messaging/push.js" in page
    assert 'data-key-url="/api/v1/push/key/"' in page


def test_the_service_worker_shows_a_push_and_opens_its_page_when_tapped(client):
    script = client.get("/sw.js").content.decode()
    assert 'addEventListener("push"' in script and "showNotification" in script
    assert 'addEventListener("notificationclick"' in script and "openWindow" in script
    assert '"Time bank"' in script  # the title, translated when rendered


def test_a_supporter_hears_by_push_of_what_happens_to_the_member_they_support(
    api, network, alice, push_service, django_capture_on_commit_callbacks
):
    edna = member(network)
    helper = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(network=network, supporter=helper, member=edna)
    browser = Browser()
    subscribe(api, helper.user, browser, push_service.endpoint("supporter"))
    with django_capture_on_commit_callbacks(execute=True):
        assert gift(api, alice, network, edna.user).status_code == 201
    (received,) = push_service.wait_for(1)
    message = browser.decrypt(received.body)
    copy = Notification.objects.get(user=helper.user)
    assert (copy.about_id, copy.kind) == (edna.user_id, "transfer.gift")
    assert message["notification"]["id"] == copy.pk
