"""The outbox: deliveries are written in the notification's transaction, claimed by one worker at a time,
and a sweep hands back what a dead worker or a lost task left behind (issue 17, durable delivery)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from messaging.notifications import delivery as outbox
from messaging.notifications.models import Delivery, PushSubscription
from messaging.notifications.services import notification_create
from tests.notifications.pushservice import Browser, PushService

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(bob):
    browser = Browser()
    with PushService() as service:
        PushSubscription.objects.create(user=bob, **_sub(browser, service.endpoint("bob")))
        yield service, browser


def _sub(browser, endpoint):
    info = browser.subscription(endpoint)
    return {"endpoint": endpoint, "p256dh": info["keys"]["p256dh"], "auth": info["keys"]["auth"]}


def notify(user, network, text="Something happened."):
    return notification_create(user=user, kind="test.event", text=text, network=network)


def test_a_notification_and_its_delivery_commit_together_or_not_at_all(network, bob, subscribed):
    service, _ = subscribed
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(bob, network)
        assert Delivery.objects.count() == 1
        raise RuntimeError("the event's transaction fails after the notification")
    assert not Delivery.objects.exists()
    assert service.received == []


def test_nothing_is_queued_before_the_commit(network, bob, subscribed, django_capture_on_commit_callbacks):
    service, _ = subscribed
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(bob, network)
    assert Delivery.objects.get().state == "pending"
    assert service.received == []
    for callback in callbacks:
        callback()
    assert Delivery.objects.get().state == "sent"
    assert len(service.received) == 1


@override_settings(PUSH_ALLOW_LOOPBACK_HTTP=True)
def test_a_claimed_delivery_is_sent_by_no_one_else(network, bob, subscribed):
    service, _ = subscribed
    notify(bob, network)  # not committed in this test: nothing queued
    delivery = Delivery.objects.get()
    claimed = outbox._claim(delivery.pk, timezone.now())
    assert claimed is not None and claimed.state == "sending"
    assert outbox._claim(delivery.pk, timezone.now()) is None
    assert outbox.delivery_attempt(delivery_id=delivery.pk) == "skipped"
    assert service.received == []


def test_a_sent_delivery_is_never_sent_again(network, bob, subscribed):
    service, _ = subscribed
    notify(bob, network)
    delivery = Delivery.objects.get()
    assert outbox.delivery_attempt(delivery_id=delivery.pk) == "sent"
    assert outbox.delivery_attempt(delivery_id=delivery.pk) == "skipped"
    assert outbox.deliveries_sweep(now=timezone.now() + timedelta(hours=1)) == 0
    assert len(service.received) == 1


def test_the_sweep_hands_back_a_dead_workers_claim_after_its_lease(network, bob, subscribed, settings):
    service, browser = subscribed
    notify(bob, network)
    delivery = Delivery.objects.get()
    outbox._claim(delivery.pk, timezone.now())  # ...and the worker dies here
    assert outbox.deliveries_sweep() == 0  # the lease still holds: it may be sending right now
    assert Delivery.objects.get().state == "sending"
    later = timezone.now() + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS + 1)
    assert outbox.deliveries_sweep(now=later) == 1  # queued again, and the immediate queue sends it
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)
    assert browser.decrypt(service.received[0].body)["delivery"] == delivery.pk


def test_a_late_worker_does_not_overwrite_the_claim_that_replaced_its_own(network, bob, subscribed):
    notify(bob, network)
    delivery = Delivery.objects.get()
    slow = outbox._claim(delivery.pk, timezone.now())
    Delivery.objects.filter(pk=delivery.pk).update(state="pending")  # its lease lapsed and was handed back
    fresh = outbox._claim(delivery.pk, timezone.now())
    assert fresh.attempts == 2
    assert outbox._mark(slow, state="failed") is False
    assert outbox._mark(fresh, state="sent") is True
    assert Delivery.objects.get().state == "sent"


def test_the_sweep_queues_pending_rows_whose_task_was_lost(network, bob, subscribed):
    service, _ = subscribed
    notify(bob, network)  # never committed here, so never queued: as if the process died at the commit
    assert outbox.deliveries_sweep() == 0  # young rows have their task on the way
    assert outbox.deliveries_sweep(now=timezone.now() + timedelta(minutes=1)) == 1
    assert Delivery.objects.get().state == "sent"
    assert len(service.received) == 1


def test_a_deleted_subscription_leaves_its_pending_delivery_gone(network, bob, subscribed):
    service, _ = subscribed
    notify(bob, network)
    PushSubscription.objects.all().delete()
    delivery = Delivery.objects.get()
    assert outbox.delivery_attempt(delivery_id=delivery.pk) == "gone"
    assert service.received == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_delivery_once(network, bob):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL; SQLite writes one at a time")
    with PushService(delay=0.05) as service:
        PushSubscription.objects.create(user=bob, **_sub(Browser(), service.endpoint("bob")))
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
            for n in range(20):
                with transaction.atomic():
                    notify(bob, network, text=f"event {n}")
        ids = list(Delivery.objects.values_list("pk", flat=True))

        def worker():
            for delivery_id in ids:
                outbox.delivery_attempt(delivery_id=delivery_id)
            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
        assert sorted(r.headers["topic"] for r in service.received) == sorted(f"tb-{pk}" for pk in ids)


DUMMY_QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@override_settings(TASKS=DUMMY_QUEUE)
def test_a_commit_queues_one_task_for_all_its_deliveries(network, bob, django_capture_on_commit_callbacks):
    from django_tasks import task_backends

    with PushService() as service:
        for name in ("phone", "laptop", "tablet"):
            PushSubscription.objects.create(user=bob, **_sub(Browser(), service.endpoint(name)))
        with django_capture_on_commit_callbacks(execute=True):
            notify(bob, network)
    [queued] = task_backends["default"].results
    assert sorted(queued.kwargs["delivery_ids"]) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(queued.kwargs["delivery_ids"]) == 3


@override_settings(TASKS=DUMMY_QUEUE)
def test_a_transaction_that_tells_many_people_queues_one_task(network, bob, django_capture_on_commit_callbacks):
    from django_tasks import task_backends

    from tests.factories import member

    people = [bob, member(network).user, member(network).user]
    with PushService() as service:
        for person in people:
            PushSubscription.objects.create(user=person, **_sub(Browser(), service.endpoint(str(person.pk))))
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for person in people:  # as an announcement tells every member
                notify(person, network)
    [queued] = task_backends["default"].results
    assert sorted(queued.kwargs["delivery_ids"]) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(queued.kwargs["delivery_ids"]) == 3


@override_settings(TASKS=DUMMY_QUEUE)
def test_a_workers_task_goes_on_to_other_due_deliveries_one_claim_at_a_time(network, bob, subscribed, monkeypatch):
    service, _ = subscribed
    for n in range(4):
        notify(bob, network, text=f"event {n}")
    first, *others, later = list(Delivery.objects.order_by("pk"))
    Delivery.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    holding = []
    attempt = outbox._attempt

    def watched(delivery):
        holding.append(Delivery.objects.filter(state="sending").count())
        return attempt(delivery)

    monkeypatch.setattr(outbox, "_attempt", watched)
    assert outbox.deliveries_send.call(delivery_ids=[first.pk]) == {"sent": 3}
    assert holding == [1, 1, 1]  # never more than the one being sent
    assert [r.headers["topic"] for r in service.received] == [f"tb-{d.pk}" for d in (first, *others)]
    assert Delivery.objects.get(pk=later.pk).state == "pending"  # not due: left for its own time
    # The tasks of the rows it sent find nothing of theirs, nor anything else due.
    assert outbox.deliveries_send.call(delivery_ids=[others[0].pk]) == {}
    assert len(service.received) == 3


def test_the_immediate_queue_sends_only_the_commits_own_deliveries(network, bob, subscribed):
    service, _ = subscribed
    notify(bob, network)  # not committed in this test: nothing queued, as if its task were lost
    stray = Delivery.objects.get()
    notify(bob, network, text="another")
    mine = Delivery.objects.exclude(pk=stray.pk).get()
    # In a web request (the immediate queue), only its own rows: the worker and the sweep send the rest.
    assert outbox.deliveries_send.call(delivery_ids=[mine.pk]) == {"sent": 1}
    assert Delivery.objects.get(pk=stray.pk).state == "pending"


def test_a_sqlite_too_old_to_return_a_claim_fails_the_checks(monkeypatch):
    from messaging.notifications import apps

    assert apps.sqlite_returns_claims(databases=["default"]) == []  # this SQLite, or PostgreSQL
    monkeypatch.setattr(apps.sqlite3, "sqlite_version_info", (3, 34, 1))
    errors = apps.sqlite_returns_claims(databases=["default"])
    assert [e.id for e in errors] == (["notifications.E001"] if connection.vendor == "sqlite" else [])


def test_the_deploy_checks_warn_when_production_would_push_to_its_own_network(settings):
    from messaging.notifications import apps

    settings.DEBUG, settings.PUSH_ALLOW_LOOPBACK_HTTP = False, False
    assert apps.push_only_to_the_internet() == []
    settings.PUSH_ALLOW_LOOPBACK_HTTP = True  # TIMEBANK_PUSH_LOCAL_SERVICE=1
    assert [w.id for w in apps.push_only_to_the_internet()] == ["notifications.W001"]


@pytest.mark.parametrize(
    "poison",
    [
        {"endpoint": "https://[2606:4700:4700::1111]/x"},  # no VAPID audience for an IPv6 literal
        {"endpoint": "https://user:pw@fcm.googleapis.com/x"},  # nor for a user name and password
        {"endpoint": "https://fcm.googleapis.com:99999/x"},  # nor for a port no address has
        {"p256dh": "key", "auth": "secret"},  # keys pywebpush refuses before sending
        {"p256dh": "BA" + "A" * 85},  # the right length, but no point on the curve: encrypting raises ValueError
    ],
)
def test_a_subscription_that_cannot_be_sent_to_fails_alone_and_the_others_in_its_batch_are_sent(network, bob, poison):
    """Rows written before the subscribe check refused such addresses (or by hand): the one that cannot be
    signed for or encrypted to ends on its own, and the rest of its task's deliveries go out."""
    browser = Browser()
    with PushService() as service:
        bad = _sub(Browser(), service.endpoint("bad")) | poison
        PushSubscription.objects.create(user=bob, **bad)  # first: its delivery is claimed first
        PushSubscription.objects.create(user=bob, **_sub(browser, service.endpoint("good")))
        notify(bob, network)
        ids = sorted(Delivery.objects.values_list("pk", flat=True))
        outcomes = outbox.deliveries_send.call(delivery_ids=ids)
        (received,) = service.wait_for(1)
    assert received.path == "/push/good"
    assert browser.decrypt(received.body)["notification"]["text"] == "Something happened."
    good = Delivery.objects.get(subscription__endpoint=service.endpoint("good"))
    assert (good.state, good.attempts) == ("sent", 1)
    if "endpoint" in poison:  # an address that can never be sent to is dropped, as one inside the network is
        assert outcomes == {"gone": 1, "sent": 1}
        assert not PushSubscription.objects.filter(endpoint=poison["endpoint"]).exists()
    else:
        assert outcomes == {"failed": 1, "sent": 1}
    stuck = Delivery.objects.exclude(pk=good.pk).get()
    assert (stuck.state, stuck.attempts) == ("gone" if "endpoint" in poison else "failed", 1)
    assert not Delivery.objects.filter(state__in=["sending", "pending"]).exists()
