"""A small network with three months of hand-countable history, built through the ledger service."""

from contextlib import contextmanager
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from exchanges.ledger.models import Account, Transfer
from exchanges.ledger.services import transfer_create
from exchanges.models import Exchange, Listing
from exchanges.reports.models import WellbeingCheckin
from members.models import AuditEvent, Membership, Network, Skill, SkillCategory, User
from tests.factories import NetworkFactory, UserFactory, member

LONDON = ZoneInfo("Europe/London")
CLOCKED = [
    (Transfer, "created_at"),
    (Exchange, "created_at"),
    (Listing, "created_at"),
    (Membership, "created_at"),
    (AuditEvent, "created_at"),
    (WellbeingCheckin, "created_at"),
]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Fixtures make a dozen people; the real hasher would spend seconds on their passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@contextmanager
def at(when: datetime | str):
    """Everything written inside happens at `when`: services, defaults and auto_now alike."""
    when = moment(when) if isinstance(when, str) else when
    saved = []
    for model, name in CLOCKED:
        field = model._meta.get_field(name)
        saved.append((field, field.default))
        field.default = lambda: when
        field.__dict__.pop("_get_default", None)
    try:
        with mock.patch("django.utils.timezone.now", return_value=when):
            yield when
    finally:
        for field, default in saved:
            field.default = default
            field.__dict__.pop("_get_default", None)


def account(network: Network, user: User | None) -> Account:
    if user is None:
        return Account.objects.get(network=network, kind=Account.Kind.POT)
    return Account.objects.get(network=network, membership__user=user)


def exchange_posted(network, *, provider, recipient, minutes, when, listing=None, proposed_at=None, by=None):
    """A posted exchange and its transfer: the recipient (or the pot) pays the provider (or the pot)."""
    with at(proposed_at or when):
        exchange = Exchange.objects.create(
            network=network,
            listing=listing,
            provider=provider,
            recipient=recipient,
            minutes=minutes,
            state=Exchange.State.POSTED,
            proposed_by=by or provider or recipient,
        )
    with at(when):
        Exchange.objects.filter(pk=exchange.pk).update(posted_at=moment(when) if isinstance(when, str) else when)
        transfer = transfer_create(
            network=network,
            from_account=account(network, recipient),
            to_account=account(network, provider),
            minutes=minutes,
            kind=Transfer.Kind.EXCHANGE,
            exchange=exchange,
            created_by=by or recipient or provider,
        )
    return exchange, transfer


def coordinator_transfer(network, *, kind, frm, to, minutes, when, by, reverses=None):
    with at(when):
        return transfer_create(
            network=network,
            from_account=frm,
            to_account=to,
            minutes=minutes,
            kind=kind,
            created_by=by,
            reverses=reverses,
            reason="fixture",
        )


def two_categories():
    skills = []
    for slug in ("report-x", "report-y"):
        category = SkillCategory.objects.create(slug=slug, name=f"Category {slug[-1].upper()}")
        skills.append(Skill.objects.create(slug=f"{slug}-skill", name=f"Skill {slug}", category=category))
    return skills


@pytest.fixture
def story(db):
    """Harlesden, January to March 2026 (see test_figures.py for the hand count)."""
    with at("2025-12-01T09:00"):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing")
        people = {}
        for name in ["A", "B", "D"]:
            people[name] = member(network, user=UserFactory(display_name=f"Member {name}")).user
        people["C"] = member(network, role=Membership.Role.COORDINATOR, user=UserFactory(display_name="Coord C")).user
        people["K"] = member(network, role=Membership.Role.COMMISSIONER, user=UserFactory(display_name="Comm K")).user
    for name, when in [("E", "2026-01-10T09:00"), ("F", "2026-02-05T09:00"), ("G", "2026-03-20T09:00")]:
        with at(when):
            people[name] = member(network, user=UserFactory(display_name=f"Member {name}")).user
    for name in ["A", "B", "D", "E", "F"]:
        Membership.objects.filter(network=network, user=people[name]).update(
            reach_consent=True, age_band="25-49", disability="yes" if name == "F" else "no", ward="Harlesden"
        )
    skill_x, skill_y = two_categories()
    with at("2026-01-05T10:00"):
        l1 = Listing.objects.create(network=network, owner=people["B"], kind="request", title="Lift to the surgery")
        l1.skills.add(skill_x)
    with at("2026-01-02T10:00"):
        l2 = Listing.objects.create(network=network, owner=people["A"], kind="offer", title="I can garden")
        l2.skills.add(skill_y)
    with at("2026-02-01T10:00"):
        Listing.objects.create(network=network, owner=people["D"], kind="request", title="Help with forms")

    pot = Account.objects.get(network=network, kind=Account.Kind.POT)
    issuance = Account.objects.get(network=network, kind=Account.Kind.ISSUANCE)
    c = people["C"]
    p = people
    coordinator_transfer(network, kind="issue", frm=issuance, to=pot, minutes=600, when="2026-01-03T10:00", by=c)
    coordinator_transfer(
        network, kind="issue", frm=issuance, to=account(network, p["E"]), minutes=120, when="2026-01-10T10:00", by=c
    )
    exchange_posted(
        network, provider=p["A"], recipient=p["B"], minutes=60, listing=l1,
        proposed_at="2026-01-12T10:00", when="2026-01-15T10:00",
    )  # fmt: skip
    exchange_posted(network, provider=p["B"], recipient=p["A"], minutes=90, listing=l2, when="2026-01-20T10:00")
    exchange_posted(network, provider=p["D"], recipient=None, minutes=30, when="2026-01-25T10:00", by=c)
    coordinator_transfer(
        network, kind="donation", frm=account(network, p["A"]), to=pot, minutes=30, when="2026-02-02T10:00", by=p["A"]
    )
    coordinator_transfer(
        network, kind="grant", frm=pot, to=account(network, p["F"]), minutes=60, when="2026-02-06T10:00", by=c
    )
    exchange_posted(network, provider=p["D"], recipient=p["E"], minutes=45, listing=l1, when="2026-02-10T10:00")
    _, mistaken = exchange_posted(network, provider=p["A"], recipient=p["B"], minutes=60, when="2026-02-15T10:00")
    coordinator_transfer(
        network, kind="gift", frm=account(network, p["B"]), to=account(network, p["D"]), minutes=15,
        when="2026-02-20T10:00", by=p["B"],
    )  # fmt: skip
    exchange_posted(network, provider=p["E"], recipient=p["F"], minutes=30, when="2026-03-05T10:00")
    coordinator_transfer(
        network, kind="reversal", frm=account(network, p["A"]), to=account(network, p["B"]), minutes=60,
        when="2026-03-10T10:00", by=c, reverses=mistaken,
    )  # fmt: skip
    exchange_posted(network, provider=c, recipient=p["G"], minutes=30, when="2026-03-25T10:00", by=c)
    return network, people
