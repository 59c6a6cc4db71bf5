"""Fixtures for your data: Edna, a member with a full history, and a raw scan of every table."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import connection

from exchanges.ledger.models import Account
from exchanges.ledger.services import transfer_create
from exchanges.lifecycle.settle import exchange_confirm
from exchanges.lifecycle.start import exchange_record
from exchanges.listings import listing_create
from exchanges.reports.wellbeing import wellbeing_record
from members import profiles, services
from members.models import Membership
from members.safeguarding.models import SafeguardingCheck
from members.safeguarding.services import concern_raise
from messaging.services import conversation_direct_open, message_send
from tests.factories import UserFactory, member

EDNA_NAME = "Edna Quillfeather"
EDNA_EMAIL = "edna.quillfeather@example.org"
PASSWORD = "demo-password"


def account(network, user=None) -> Account:
    if user is None:
        return Account.objects.get(network=network, kind=Account.Kind.ISSUANCE)
    return Account.objects.get(membership__network=network, membership__user=user)


def tables_containing(needle: str) -> list[str]:
    """Every `table.column` of the database (raw tables included, not only models') whose text
    holds `needle`, in any case."""
    quote = connection.ops.quote_name
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                text = f"LOWER(CAST({quote(column.name)} AS TEXT))"
                cursor.execute(f"SELECT COUNT(*) FROM {quote(table)} WHERE {text} LIKE %s", [f"%{needle.lower()}%"])
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column.name}")
    return hits


@pytest.fixture
def edna(network, coordinator, bob):
    """Edna, who joined, was approved, filled in her profile, helped Bob, was given time, chatted,
    answered the wellbeing questions, set up two-factor login, and was the subject of a concern."""
    user = UserFactory(email=EDNA_EMAIL, display_name=EDNA_NAME)
    EmailAddress.objects.create(user=user, email=EDNA_EMAIL, verified=True, primary=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    membership = services.membership_join(user=user, network=network)  # tells the coordinator her name
    services.membership_approve(membership=membership, actor=coordinator, reason=f"Met {EDNA_NAME} at the café")
    membership = Membership.objects.get(pk=membership.pk)
    profiles.profile_update(
        membership=membership,
        actor=user,
        bio=f"I am {EDNA_NAME}, I love gardens.",
        neighbourhood="Church End",
        phone="07700 900123",
        emergency_contact="Her son, 07700 900456",
    )
    SafeguardingCheck.objects.create(
        network=network,
        membership=membership,
        kind=SafeguardingCheck.Kind.REFERENCE,
        referee="Rev. Ambrose Pettigrew",
        checked_on="2026-01-05",
        recorded_by=coordinator,
    )
    listing_create(
        actor=user, network=network, kind="offer", title=f"Gardening with {EDNA_NAME}", description="Weeding, mowing."
    )
    exchange = exchange_record(actor=user, network=network, provider=user, recipient=bob, minutes=90)
    exchange_confirm(actor=bob, exchange=exchange)
    transfer_create(
        network=network,
        from_account=account(network, bob),
        to_account=account(network, user),
        minutes=30,
        kind="gift",
        created_by=bob,
        memo="Thank you for the roses",
    )
    chat, _ = conversation_direct_open(network=network, user=user, other_id=bob.pk)
    message_send(conversation=chat, sender=user, body="See you on Tuesday, love from Edna Quillfeather")
    message_send(conversation=chat, sender=bob, body=f"Thanks {EDNA_NAME}! Write to {EDNA_EMAIL} again?")
    wellbeing_record(user=user, network=network, consent=True, answers={"life_satisfaction": 8, "happiness": 7})
    concern_raise(network=network, raised_by=bob, description=f"{EDNA_NAME} seemed unwell.", about_user=user)
    return user


@pytest.fixture
def supported(network):
    """A supported member with no login of her own, and her supporter."""
    return member(network, is_supported=True, user=UserFactory(email=None, display_name="Winifred Oakenshaw")).user
