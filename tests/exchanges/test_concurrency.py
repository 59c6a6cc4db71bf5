"""Real concurrent commits on PostgreSQL: confirms post once, holds never cross the floor,
overlapping autoconfirm runs post each claim once. The ledger is checked after each."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from exchanges import services
from exchanges.ledger.models import Transfer
from exchanges.models import Exchange
from tests.exchanges.conftest import account, ledger_problems
from tests.exchanges.helpers import claimed, proposed
from tests.factories import member
from timebank.errors import DomainError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(n: int, work) -> list:
    """Run work(i) on n threads released together; returns each result or the DomainError raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except DomainError as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_twenty_concurrent_confirms_post_one_transfer(network, alice, bob):
    exchange = claimed(network, bob, alice, 60)
    results = run_at_once(20, lambda i: services.exchange_confirm(actor=alice, exchange=exchange))
    ok = [r for r in results if isinstance(r, Exchange)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(ok) == 1 and len(refused) == 19
    assert {r.code for r in refused} == {"invalid_transition"}
    assert Transfer.objects.filter(exchange=exchange).count() == 1
    assert account(network, alice).balance == -60 and account(network, bob).balance == 60
    assert ledger_problems() == []


def test_twenty_concurrent_confirms_over_the_api_answer_one_200_and_nineteen_409(network, alice, bob):
    from rest_framework.test import APIClient

    exchange = claimed(network, bob, alice, 60)

    def confirm(i):
        client = APIClient()
        client.force_authenticate(alice)
        return client.post(f"/api/v1/exchanges/{exchange.pk}/confirm/").status_code

    statuses = run_at_once(20, confirm)
    assert sorted(statuses) == [200] + [409] * 19
    assert Transfer.objects.filter(exchange=exchange).count() == 1
    assert ledger_problems() == []


def test_twenty_concurrent_accepts_only_hold_what_fits_above_the_floor(network, alice):
    # Floor -600: 20 exchanges of 50 minutes want 1000; only 12 fit.
    helpers = [member(network).user for _ in range(20)]
    exchanges = [proposed(network, helper, alice, 50, actor=alice) for helper in helpers]
    results = run_at_once(20, lambda i: services.exchange_accept(actor=helpers[i], exchange=exchanges[i]))
    accepted = [r for r in results if isinstance(r, Exchange)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(accepted) == 12 and len(refused) == 8
    assert {r.code for r in refused} == {"insufficient_balance"}
    assert account(network, alice).held == 600
    assert Exchange.objects.filter(state="accepted").count() == 12
    assert Exchange.objects.filter(state="proposed", held_minutes=0).count() == 8
    assert ledger_problems() == []


def test_two_autoconfirm_runs_at_once_post_each_claim_once(network, alice, bob):
    exchanges = [claimed(network, bob, alice, 10) for _ in range(30)]
    Exchange.objects.filter(pk__in=[e.pk for e in exchanges]).update(
        claimed_at=timezone.now() - datetime.timedelta(days=8)
    )
    run_at_once(2, lambda i: call_command("autoconfirm"))
    assert Exchange.objects.filter(state="posted").count() == 30
    assert Transfer.objects.filter(kind="exchange").count() == 30
    assert account(network, bob).balance == 300 and account(network, alice).held == 0
    assert ledger_problems() == []
