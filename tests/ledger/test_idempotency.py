"""Idempotency-Key on POST /api/v1/transfers/ (PRODUCT §4), one request after another."""

import pytest

from exchanges.ledger.models import IdempotencyRecord, Transfer
from tests.ledger.conftest import account_of, ledger_counts

pytestmark = pytest.mark.django_db


def gift(network, to, minutes=10):
    return {"network": network.slug, "kind": "gift", "to_member": to.pk, "minutes": minutes}


def test_a_transfer_without_an_idempotency_key_is_refused(post_transfer, network, alice, bob):
    before = ledger_counts()
    response = post_transfer(alice, gift(network, bob), key=False)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert ledger_counts() == before


def test_a_replay_returns_the_first_answer_and_writes_nothing(post_transfer, network, alice, bob):
    first = post_transfer(alice, gift(network, bob), key="k1")
    before = ledger_counts()
    again = post_transfer(alice, gift(network, bob), key="k1")
    assert (again.status_code, again.json()) == (first.status_code, first.json()) == (201, first.json())
    assert ledger_counts() == before
    assert account_of(bob, network).balance == 10


def test_a_replay_of_a_refusal_returns_the_same_refusal(post_transfer, network, alice, bob):
    first = post_transfer(alice, gift(network, bob, minutes=700), key="big")
    assert first.status_code == 409
    assert IdempotencyRecord.objects.get(key="big").status_code == 409
    again = post_transfer(alice, gift(network, bob, minutes=700), key="big")
    assert (again.status_code, again.json()) == (409, first.json())
    assert Transfer.objects.count() == 0


def test_the_same_key_with_another_body_answers_a_mismatch(post_transfer, network, alice, bob):
    post_transfer(alice, gift(network, bob, minutes=10), key="k2")
    before = ledger_counts()
    response = post_transfer(alice, gift(network, bob, minutes=11), key="k2")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_mismatch"
    assert ledger_counts() == before


def test_keys_are_scoped_to_the_caller(post_transfer, network, alice, bob):
    post_transfer(alice, gift(network, bob), key="shared")
    response = post_transfer(bob, gift(network, alice), key="shared")
    assert response.status_code == 201
    assert Transfer.objects.count() == 2


def test_an_overlong_key_is_refused(post_transfer, network, alice, bob):
    response = post_transfer(alice, gift(network, bob), key="x" * 101)
    assert response.status_code == 400
    assert Transfer.objects.count() == 0


@pytest.mark.postgres
def test_a_gift_costs_few_round_trips_on_postgresql(post_transfer, network, alice, bob, django_assert_max_num_queries):
    # Claim the key, read the caller's membership and the payee, one statement for the transfer and
    # its audit, one upsert of the report roll-up, store the answer; plus the savepoints around the work;
    # and the recipient's notification in the same transaction: who else hears of it with their language
    # (one query), its row, and its push outbox (their browsers). Round trips are the hot
    # path's cost.
    with django_assert_max_num_queries(12):
        response = post_transfer(alice, gift(network, bob))
    assert response.status_code == 201
