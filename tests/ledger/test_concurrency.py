"""The ledger under concurrent requests on PostgreSQL: real threads, real commits."""

import json
import threading
from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from exchanges.ledger.models import Transfer
from exchanges.ledger.selectors import ledger_verify
from tests.ledger.conftest import account_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(jobs, threads=16):
    """Run the callables on `threads` threads, all starting together; return their results in order."""
    results = [None] * len(jobs)
    barrier = threading.Barrier(threads)
    errors = []

    def worker(offset):
        try:
            barrier.wait()
            for i in range(offset, len(jobs), threads):
                results[i] = jobs[i]()
        except Exception as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors, errors
    return results


def poster(user, body, key):
    def post():
        client = APIClient()
        client.force_authenticate(user=user)
        response = client.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        return response.status_code, response.json()

    return post


def test_concurrent_gifts_past_the_floor_succeed_exactly_as_far_as_the_floor_allows(network, alice, bob):
    body = {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 25}
    results = run_in_threads([poster(alice, body, f"gift-{n}") for n in range(50)])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 24, 409: 26}  # the floor is -600: 24 gifts of 25 fit
    assert {body["error"]["code"] for status, body in results if status == 409} == {"insufficient_balance"}
    assert account_of(alice, network).balance == -600
    assert Transfer.objects.count() == 24
    assert ledger_verify() == []


def test_concurrent_replays_of_one_key_make_one_transfer_and_the_same_answer(network, alice, bob):
    body = {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 10}
    results = run_in_threads([poster(alice, body, "the-same-key") for _ in range(20)], threads=20)
    assert Transfer.objects.count() == 1
    # JSON objects are unordered (PostgreSQL's jsonb stores keys in its own order): compare canonically.
    assert len({json.dumps(result, sort_keys=True) for result in results}) == 1
    assert results[0][0] == 201
    assert account_of(bob, network).balance == 10
    assert ledger_verify() == []


def test_crossing_gifts_in_both_directions_all_succeed_without_deadlock(network, alice, bob):
    to_bob = {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 1}
    to_alice = {"network": network.slug, "kind": "gift", "to_member": alice.pk, "minutes": 1}
    jobs = []
    for n in range(200):
        jobs.append(poster(alice, to_bob, f"ab-{n}"))
        jobs.append(poster(bob, to_alice, f"ba-{n}"))
    results = run_in_threads(jobs)
    assert Counter(status for status, _ in results) == {201: 400}
    assert Transfer.objects.count() == 400
    assert account_of(alice, network).balance == account_of(bob, network).balance == 0
    assert ledger_verify() == []
