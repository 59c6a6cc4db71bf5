"""Fixtures for listings and exchanges: ledger helpers (Dora and Sam, her supporter, are in tests/conftest.py)."""

import pytest
from django.db.models import Q, Sum

from exchanges.ledger.models import Account, Transfer
from exchanges.ledger.services import transfer_create
from exchanges.models import Exchange
from tests.factories import member


@pytest.fixture
def stranger(other_network):
    return member(other_network).user


def account(network, user=None) -> Account:
    if user is None:
        return Account.objects.get(network=network, kind=Account.Kind.POT)
    return Account.objects.get(membership__network=network, membership__user=user)


def issue(network, user=None, minutes=600) -> None:
    """Put minutes into a member's account (or the pot) the only way hours enter: from issuance."""
    transfer_create(
        network=network,
        from_account=Account.objects.get(network=network, kind=Account.Kind.ISSUANCE),
        to_account=account(network, user),
        minutes=minutes,
        kind="issue",
        created_by=None,
        reason="test",
    )


def ledger_problems(network=None) -> list[str]:
    """Balances == sum of transfers, holds == held minutes of open exchanges, nothing below its floor."""
    problems = []
    accounts = Account.objects.all() if network is None else Account.objects.filter(network=network)
    for acc in accounts:
        incoming = Transfer.objects.filter(to_account=acc).aggregate(s=Sum("minutes"))["s"] or 0
        outgoing = Transfer.objects.filter(from_account=acc).aggregate(s=Sum("minutes"))["s"] or 0
        if acc.balance != incoming - outgoing:
            problems.append(f"account {acc.pk}: balance {acc.balance} != transfers {incoming - outgoing}")
        payer = Q(recipient=acc.membership.user) if acc.membership_id else Q(recipient__isnull=True)
        held = (
            Exchange.objects.filter(payer, network=acc.network).aggregate(s=Sum("held_minutes"))["s"] or 0
            if acc.kind != Account.Kind.ISSUANCE
            else 0
        )
        if acc.held != held:
            problems.append(f"account {acc.pk}: held {acc.held} != exchanges' holds {held}")
        if acc.kind != Account.Kind.ISSUANCE and acc.balance - acc.held < acc.floor:
            problems.append(f"account {acc.pk}: below its floor")
    return problems


@pytest.fixture
def skills(db):
    """One sensitive and one everyday skill, whatever the shipped taxonomy holds."""
    from members.models import Skill, SkillCategory

    lifts_cat, _ = SkillCategory.objects.get_or_create(slug="t-getting-about", name="T Getting about", sensitive=True)
    pets_cat, _ = SkillCategory.objects.get_or_create(slug="t-pets", name="T Pets", sensitive=False)
    lifts, _ = Skill.objects.get_or_create(slug="t-lifts", name="T Lifts to appointments", category=lifts_cat)
    pets, _ = Skill.objects.get_or_create(slug="t-dog-walking", name="T Dog walking", category=pets_cat)
    return {"lifts": lifts, "pets": pets}
