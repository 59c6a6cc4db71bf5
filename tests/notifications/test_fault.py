"""A worker killed mid-delivery (SIGKILL while the push service is slow to answer) and started again: every
notification reaches the push service's store exactly once (issue 17, "sends nothing twice").

Real processes: `manage.py db_worker` as the compose `worker` service runs it, on PostgreSQL, the database
task queue, and `manage.py deliveries_sweep` as the `scheduler` runs it. What "exactly once" means here is
what the outbox promises (messaging/notifications/delivery.py): the one delivery in flight when the worker
died reached the push service, was never marked sent, and is sent again with the same Topic, which a push
service holds once (a newer message of a topic replaces an undelivered one). Every other delivery is sent
exactly once on the wire.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import override_settings

from messaging.notifications.models import Delivery, PushSubscription
from messaging.notifications.services import notification_create
from tests.notifications.pushservice import Browser, PushService

ROOT = Path(__file__).resolve().parents[2]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LEASE_SECONDS = 3
EVENTS = 8


def process_env() -> dict:
    """The worker's environment: this test's PostgreSQL database and the database task queue. Development
    mode (the local push service is plain http on loopback) and the same VAPID key file as this process."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TIMEBANK_", "DATABASE_"))}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="timebank.settings",
        TIMEBANK_TASKS="database",
        TIMEBANK_DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS),
        DATABASE_POOL="0",
    )
    return env


def worker_start(env: dict, log) -> subprocess.Popen:
    command = [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_and_restarted_delivers_every_notification_once(network, bob, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share with this test: PostgreSQL")
    env = process_env()
    log = open(tmp_path / "worker.log", "ab")
    browser = Browser()
    with PushService(delay=0.2, hold_from=3) as service:
        info = browser.subscription(service.endpoint("bob"))
        PushSubscription.objects.create(user=bob, endpoint=info["endpoint"], **info["keys"])
        with override_settings(TASKS=DATABASE_QUEUE):
            for n in range(EVENTS):
                with transaction.atomic():  # each event commits, and its deliveries are queued on commit
                    notification_create(user=bob, kind="test.event", text=f"event {n}", network=network)
        deliveries = {f"tb-{pk}": pk for pk in Delivery.objects.values_list("pk", flat=True)}
        assert len(deliveries) == EVENTS and service.received == []

        worker = worker_start(env, log)
        try:
            # The third push has reached the service, which holds its answer: kill the worker now.
            assert len(service.wait_for(3, timeout=60)) == 3
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
            service.release.set()  # the service answers (to nobody) and keeps the message
        in_flight = Delivery.objects.filter(state="sending")
        assert in_flight.count() == 1, "the killed worker held one delivery mid-send"
        stranded = f"tb-{in_flight.get().pk}"

        worker = worker_start(env, log)
        try:
            time.sleep(LEASE_SECONDS + 0.5)
            subprocess.run(
                [sys.executable, "manage.py", "deliveries_sweep"], cwd=ROOT, env=env, check=True, stdout=log, stderr=log
            )
            wait_until(
                lambda: set(Delivery.objects.values_list("state", flat=True)) == {"sent"},
                timeout=60,
                what="every delivery to be sent",
            )
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=15)
        time.sleep(service.delay + 0.2)  # let the last answer be stored

    # Exactly once where it counts: the push service holds each delivery once, under its own Topic.
    assert set(service.by_topic) == set(deliveries)
    for topic, got in service.by_topic.items():
        assert browser.decrypt(got.body)["delivery"] == deliveries[topic]
    # On the wire: each delivery once, but the one in flight at the kill, which went twice with one Topic.
    on_the_wire = Counter(r.headers["topic"] for r in service.received)
    assert set(on_the_wire) == set(deliveries)
    assert {t: n for t, n in on_the_wire.items() if n > 1} == {stranded: 2}
    assert Delivery.objects.get(pk=deliveries[stranded]).attempts == 2
    assert set(Delivery.objects.exclude(pk=deliveries[stranded]).values_list("attempts", flat=True)) == {1}
