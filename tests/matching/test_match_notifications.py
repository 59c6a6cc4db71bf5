"""Notifications when a new listing strongly fits someone's open listing or wanted skills."""

import pytest

from exchanges.matching.services import listing_match_notify, profile_skills_refresh
from members.models import Membership, Skill
from messaging.notifications.models import Notification
from tests.factories import member
from tests.matching.helpers import listing

pytestmark = pytest.mark.django_db


def test_a_new_offer_notifies_the_member_whose_request_it_fits(network, alice, bob):
    listing(alice, network, kind="request", title="Dog", description="can someone walk my dog")
    offer = listing(bob, network, title="Happy to walk dogs")
    [sent] = listing_match_notify(listing=offer)
    assert sent.user == alice
    assert sent.kind == "match"
    assert sent.text == f"{bob.name} offers help that fits your request “Dog”: Happy to walk dogs"
    assert sent.data["listing"] == offer.pk


def test_a_new_request_notifies_members_who_offer_the_skill_on_their_profile(network, alice, bob):
    profile = Membership.objects.get(network=network, user=bob)
    profile.skills_offered.set(Skill.objects.filter(slug="dog-walking"))
    profile_skills_refresh(membership=profile)
    request = listing(alice, network, kind="request", title="Dog walking")
    [sent] = listing_match_notify(listing=request)
    assert sent.user == bob
    assert sent.text == f"{alice.name} is asking for help you offer: Dog walking"


def test_a_weak_match_notifies_nobody(network, alice, bob):
    listing(alice, network, kind="request", title="Mow my lawn")
    offer = listing(bob, network, title="Hedge trimming")
    assert listing_match_notify(listing=offer) == []


def test_nobody_gets_more_than_three_match_notifications_a_day(network, alice):
    listing(alice, network, kind="request", title="Dog walking")
    for _ in range(5):
        listing_match_notify(listing=listing(member(network).user, network, title="Dog walking"))
    assert Notification.objects.filter(user=alice, kind="match").count() == 3
