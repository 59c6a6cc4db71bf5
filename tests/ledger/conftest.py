"""Ledger fixtures: accounts of the shared people, and state built only through the services."""

import pytest

from exchanges.ledger.models import Account, Hold, Transfer
from exchanges.ledger.services import hold_place, transfer_create
from exchanges.models import Exchange


def account_of(user, network) -> Account:
    return Account.objects.get(network=network, membership__user=user)


def pot_of(network) -> Account:
    return Account.objects.get(network=network, kind=Account.Kind.POT)


def issuance_of(network) -> Account:
    return Account.objects.get(network=network, kind=Account.Kind.ISSUANCE)


def issue(network, account, minutes, by=None) -> Transfer:
    """Hours enter a network only from issuance, as in the product."""
    return transfer_create(
        network=network,
        from_account=issuance_of(network),
        to_account=account,
        minutes=minutes,
        kind=Transfer.Kind.ISSUE,
        created_by=by,
        reason="test hours",
    )


def held_for(network, provider, recipient, minutes) -> tuple[Exchange, Hold]:
    """An agreed exchange whose recipient's minutes are held, through the hold service."""
    exchange = Exchange.objects.create(
        network=network,
        provider=provider,
        recipient=recipient,
        minutes=minutes,
        held_minutes=minutes,
        state=Exchange.State.ACCEPTED,
        proposed_by=provider,
    )
    hold = hold_place(exchange=exchange, account=account_of(recipient, network), minutes=minutes, actor=provider)
    return exchange, hold


def ledger_counts() -> tuple[int, list]:
    from members.models import AuditEvent

    balances = list(Account.objects.order_by("pk").values_list("pk", "balance", "held", "floor"))
    return Transfer.objects.count(), AuditEvent.objects.count(), balances


@pytest.fixture
def post_transfer(api):
    """POST /api/v1/transfers/ as `user` with a fresh Idempotency-Key (or the one given)."""
    counter = {"n": 0}

    def send(user, body, key=None):
        counter["n"] += 1
        headers = {} if key is False else {"HTTP_IDEMPOTENCY_KEY": key or f"test-key-{counter['n']}"}
        return api.as_user(user).post("/api/v1/transfers/", body, format="json", **headers)

    return send
