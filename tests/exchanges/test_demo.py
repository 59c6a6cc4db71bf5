"""The demo history is written through the services and leaves a consistent ledger."""

import datetime

import pytest
from django.utils import timezone

from exchanges.demo import LISTINGS, demo_exchanges
from exchanges.ledger.models import Transfer
from exchanges.matching.taxonomy import Taxonomy
from exchanges.models import Exchange, Listing
from members.demo import DEMO_PROFILES
from members.models import Membership, SupportLink
from tests.exchanges.conftest import ledger_problems
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_the_demo_builds_months_of_history_and_work_in_progress(network, coordinator):
    memberships = [member(network) for _ in range(9)]
    Membership.objects.filter(pk=memberships[4].pk).update(is_supported=True)
    supporter = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(network=network, supporter=supporter, member=memberships[4])
    demo_exchanges(network=network, coordinator=coordinator, memberships=memberships)
    assert Listing.objects.filter(network=network).count() == 9
    assert Exchange.objects.filter(state="posted").count() >= 15
    assert {"claimed", "awaiting_approval", "proposed"} <= set(Exchange.objects.values_list("state", flat=True))
    oldest = Transfer.objects.order_by("created_at").first().created_at
    assert oldest < timezone.now() - datetime.timedelta(weeks=12)
    months = {t.created_at.strftime("%Y-%m") for t in Transfer.objects.all()}
    assert len(months) >= 3
    # The clock is back to normal afterwards.
    assert Exchange.objects.create(
        network=network, provider=coordinator, recipient=memberships[0].user, minutes=1, proposed_by=coordinator
    ).created_at > timezone.now() - datetime.timedelta(minutes=1)
    assert ledger_problems(network) == []


def test_the_demo_people_and_listings_name_only_skills_of_the_shipped_taxonomy():
    """A slug the taxonomy lacks is skipped without a word: the demo's shoppers were never found for
    "shopping", and "Dog walking" was tagged as dog training by a name's first partial match."""
    shipped = Taxonomy.from_file().skills.keys()
    named = {slug for *_, offered, wanted in DEMO_PROFILES for slug in (*offered, *wanted)}
    named |= {slug for *_, ticked, _availability in LISTINGS for slug in ticked}
    assert named - shipped == set()
    assert all(ticked for *_, ticked, _availability in LISTINGS)


def test_the_demo_listings_carry_the_skills_ticked(network, coordinator):
    memberships = [member(network) for _ in range(9)]
    demo_exchanges(network=network, coordinator=coordinator, memberships=memberships)
    walking = Listing.objects.get(network=network, title="Dog walking round Roundwood Park")
    assert [skill.slug for skill in walking.skills.all()] == ["dog-walking"]
    lift = Listing.objects.get(network=network, title__startswith="Lift to Central Middlesex")
    assert lift.availability == ["thu-morning"]
