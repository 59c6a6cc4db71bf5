"""Roll-ups stay equal to the ledger when transfers are written concurrently (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from exchanges.ledger.models import Account
from exchanges.ledger.services import transfer_create
from exchanges.models import Exchange
from exchanges.reports.rollups import rollups_rebuild
from tests.factories import NetworkFactory, member
from tests.reports.test_rollups import snapshot


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_transfers_keep_the_rollups_equal_to_a_rebuild(fast_passwords):
    network = NetworkFactory(slug="busy", member_floor_minutes=-100000)
    people = [member(network).user for _ in range(6)]
    accounts = {u.pk: Account.objects.get(membership__user=u) for u in people}
    jobs = []
    for i in range(60):
        provider, recipient = people[i % 6], people[(i + 1 + i // 6) % 6]
        if provider == recipient:
            recipient = people[(i + 2) % 6]
        exchange = Exchange.objects.create(
            network=network, provider=provider, recipient=recipient, minutes=15, state="posted", proposed_by=provider
        )
        jobs.append(exchange)
    errors = []

    def work(batch):
        try:
            for exchange in batch:
                transfer_create(
                    network=network,
                    from_account=accounts[exchange.recipient_id],
                    to_account=accounts[exchange.provider_id],
                    minutes=15,
                    kind="exchange",
                    exchange=exchange,
                    created_by=None,
                )
        except Exception as error:  # reported below: a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(jobs[i::6],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    kept = snapshot()
    assert sum(row[5] for row in kept["RollupMonthKind"]) == 60
    rollups_rebuild()
    assert snapshot() == kept
