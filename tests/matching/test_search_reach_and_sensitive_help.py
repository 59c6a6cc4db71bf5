"""Search shows people only to those who trade in a network, never to its commissioner (PRODUCT §3); and the
sensitive-help rule pairs an unchecked helper with neither a request nor an offer of such help, not even
through a side skill of it, in search and listing matches alike."""

import pytest
from django.test import Client

from exchanges.matching.selectors import listing_matches, search_matches
from exchanges.matching.services import profile_skills_refresh
from members.models import Membership, Skill
from tests.factories import member
from tests.matching.helpers import cleared_check, listing

pytestmark = pytest.mark.django_db

WASHED = ("washing", "help getting washed", "someone to help me wash")


# Commissioners ---------------------------------------------------------------------------------


@pytest.fixture
def garden_people(network, bob):
    """Someone for each way search finds people: an offer, a request, a profile that would like help
    and a bio that says what they offer."""
    listing(bob, network, title="Garden tidy ups", description="Mowing, weeding and tidying.")
    listing(member(network).user, network, kind="request", title="Help with my overgrown garden")
    wanting = member(network)
    wanting.skills_wanted.set(Skill.objects.filter(slug="gardening"))
    profile_skills_refresh(membership=wanting)
    profile_skills_refresh(membership=member(network, bio="Retired gardener, happy to help with borders and lawns."))
    return network


@pytest.fixture
def commissioner(network):
    return member(network, role=Membership.Role.COMMISSIONER).user


def test_a_commissioner_finds_nobody_where_a_member_finds_everyone(garden_people, alice, commissioner):
    assert len(search_matches(user=alice, q="garden")) == 4
    assert search_matches(user=commissioner, q="garden") == []
    assert search_matches(user=commissioner, q="garden", network=garden_people.slug) == []


def test_a_commissioner_who_trades_elsewhere_finds_only_that_networks_people(
    garden_people, other_network, commissioner
):
    member(other_network, user=commissioner)
    theirs = listing(member(other_network).user, other_network, title="Garden tidy ups")
    assert [m.listing for m in search_matches(user=commissioner, q="garden")] == [theirs]


def test_the_api_answers_a_commissioner_as_the_listings_api_does(api, garden_people, alice, commissioner):
    slug = garden_people.slug
    assert api.as_user(alice).get("/api/v1/search/", {"q": "garden", "network": slug}).json()["count"] == 4
    client = api.as_user(commissioner)
    for params in ({"q": "garden"}, {"q": "garden", "network": slug}):
        response = client.get("/api/v1/search/", params)
        assert response.status_code == 200 and response.json()["count"] == 0
    listings = client.get("/api/v1/listings/", {"network": slug})
    assert listings.status_code == 200 and listings.json()["count"] == 0


def test_the_find_help_page_shows_a_commissioner_no_people(garden_people, alice, bob, commissioner):
    def page(user) -> str:
        client = Client()
        client.force_login(user)
        return client.get("/listings/", {"q": "garden"}).content.decode()

    shown = page(alice)
    assert "People who could help" in shown and bob.name in shown
    hidden = page(commissioner)
    assert "People who could help" not in hidden and "People who asked for this" not in hidden
    assert bob.name not in hidden


# Sensitive help --------------------------------------------------------------------------------


@pytest.fixture
def carol(network):
    return member(network).user


def test_an_unchecked_searcher_is_not_shown_a_request_for_help_getting_washed(network, alice, carol, coordinator):
    washed = listing(carol, network, kind="request", title="Help getting washed")
    for words in WASHED:
        assert search_matches(user=alice, q=words, kind="request") == [], words
    cleared_check(Membership.objects.get(network=network, user=alice), coordinator)
    for words in WASHED:
        assert [m.listing for m in search_matches(user=alice, q=words, kind="request")] == [washed], words


def hospital_lift(owner, network):
    """A request mainly for a lift, which also mentions carrying shopping (a side skill needing no check)."""
    return listing(
        owner,
        network,
        kind="request",
        title="Lift to the hospital",
        description="I can't drive since my operation and I will be carrying shopping bags on the way back.",
    )


def test_an_unchecked_searcher_is_not_shown_a_lift_through_the_shopping_it_mentions(network, alice, carol, coordinator):
    lift = hospital_lift(carol, network)
    assert search_matches(user=alice, q="lift to the hospital", kind="request") == []
    cleared_check(Membership.objects.get(network=network, user=alice), coordinator)
    assert [m.listing for m in search_matches(user=alice, q="lift to the hospital", kind="request")] == [lift]


LIFTS_IN_MY_CAR = "Happy to drive you to appointments or the shops and help carry your shopping in."


def test_an_unchecked_offer_of_lifts_is_not_shown_for_a_lift_through_its_side_skill(network, alice, bob, coordinator):
    offer = listing(bob, network, title="Lifts in my car", description=LIFTS_IN_MY_CAR)
    assert search_matches(user=alice, q="lift to the hospital", kind="offer") == []
    cleared_check(Membership.objects.get(network=network, user=bob), coordinator)
    assert [m.listing for m in search_matches(user=alice, q="lift to the hospital", kind="offer")] == [offer]


def test_listing_matches_keep_the_same_rule_both_ways(network, alice, bob, carol):
    lift = hospital_lift(carol, network)
    listing(bob, network, title="Lifts in my car", description=LIFTS_IN_MY_CAR)
    assert listing_matches(listing=lift) == []
    washed = listing(member(network).user, network, kind="request", title="Help getting washed")
    laundry = listing(alice, network, title="Washing and ironing", description="I'll do your washing and ironing.")
    assert washed.owner not in [m.member for m in listing_matches(listing=laundry)]


def test_a_profile_wishing_for_a_lift_is_shown_to_an_unchecked_searcher_only_for_its_other_wishes(network, alice):
    wanting = member(network)
    wanting.skills_wanted.set(Skill.objects.filter(slug__in=["lifts-to-appointments", "gardening"]))
    profile_skills_refresh(membership=wanting)
    [found] = search_matches(user=alice, q="garden", kind="request")
    assert found.member == wanting.user and "gardening" in found.reasons[0]
    assert search_matches(user=alice, q="lift to the hospital", kind="request") == []


def test_a_helper_the_rule_matches_on_less_is_scored_as_one_offering_only_that(network, alice):
    # An unchecked helper who also offers lifts is matched on the gardening, by the meaning of the
    # gardening (their offer's vector carries the lifts): within 0.1 of a helper who offers just the
    # gardening, in a listing's matches and in search alike. By the overlap alone they had come 0.2
    # above.
    both = listing(
        member(network).user,
        network,
        title="Gardening and lifts",
        description="I can do your weeding and pruning, and give lifts to the shops.",
    )
    rest = listing(member(network).user, network, title="Gardening", description="I can do your weeding and pruning.")
    asked = listing(alice, network, kind="request", title="help with the weeding in my garden")
    for found in (listing_matches(listing=asked), search_matches(user=alice, q="help with the weeding in my garden")):
        scores = {match.listing: match.score for match in found}
        assert abs(scores[both] - scores[rest]) < 0.1


def test_people_who_would_like_help_are_found_by_what_they_would_like(network, alice):
    # A profile's vector is of what it offers and its bio: a search for people who asked for help
    # reads their wishes by the wishes' meaning, so a computer teacher who would like help in the
    # garden is found as a cook whose only wish is the garden: by what they would like, not by what
    # they offer, and whatever else they would like.
    teacher = member(network, bio="I teach IT at the library and love a crossword.")
    teacher.skills_offered.set(Skill.objects.filter(slug="computer-basics"))
    teacher.skills_wanted.set(Skill.objects.filter(slug__in=["gardening", "computer-basics"]))
    plain = member(network, bio="I love to cook for people.")
    plain.skills_offered.set(Skill.objects.filter(slug="cooking-a-meal"))
    plain.skills_wanted.set(Skill.objects.filter(slug="gardening"))
    for someone in (teacher, plain):
        profile_skills_refresh(membership=someone)
    found = search_matches(user=alice, q="help with the weeding in my garden", kind="request")
    scores = {match.member: match.score for match in found}
    assert scores[teacher.user] == pytest.approx(scores[plain.user], abs=1e-6)
