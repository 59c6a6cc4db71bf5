"""GET /api/v1/search/ and the Find help page: people and offers that fit free text."""

import pytest
from django.test import Client

from exchanges.matching import candidates, ranking
from exchanges.matching.selectors import listing_match_outcome, search_matches
from exchanges.matching.services import profile_skills_refresh
from members.models import Membership, Skill
from messaging.models import Block
from tests.factories import member
from tests.matching.helpers import listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def gardener(network):
    """Offers gardening on her profile and has never written a listing."""
    membership = member(network, bio="I love pottering about outdoors, weeding and pruning.")
    membership.skills_offered.set(Skill.objects.filter(slug="gardening"))
    profile_skills_refresh(membership=membership)
    return membership.user


def test_garden_finds_the_gardener_through_her_profile(network, alice, gardener):
    [found] = search_matches(user=alice, q="garden")
    assert found.member == gardener
    assert found.listing is None
    assert found.reasons[0] == "Offers gardening — close to “garden”"


def test_search_finds_offers_by_meaning_and_ranks_them(network, alice, bob):
    hedge = listing(bob, network, title="Hedge trimming", description="Electric trimmer and a ladder.")
    listing(member(network).user, network, title="Computer lessons", description="Email and the internet.")
    found = search_matches(user=alice, q="trim my front hedge")
    assert [m.listing for m in found] == [hedge]
    assert "close to “trim my front hedge”" in found[0].reasons[0]


def test_search_leaves_out_yourself_blocked_people_and_other_networks(network, other_network, alice, bob):
    listing(alice, network, title="Dog walking")
    listing(bob, network, title="Dog walking")
    stranger = member(other_network).user
    listing(stranger, other_network, title="Dog walking")
    assert [m.member for m in search_matches(user=alice, q="walk my dog")] == [bob]
    Block.objects.create(network=network, blocker=bob, blocked=alice)
    assert search_matches(user=alice, q="walk my dog") == []


def test_search_never_offers_an_unchecked_helper_for_sensitive_help(network, alice, bob):
    listing(bob, network, title="I can drive you to hospital appointments")
    assert search_matches(user=alice, q="lift to the hospital") == []


def test_the_api_answers_in_the_documented_shape_paginated(api, network, alice, bob, gardener):
    offer = listing(bob, network, title="Garden tidy ups", description="Mowing, weeding and tidying.")
    response = api.as_user(alice).get("/api/v1/search/", {"q": "garden", "network": network.slug})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {m["member"]["id"] for m in body["results"]} == {bob.pk, gardener.pk}
    by_member = {m["member"]["id"]: m for m in body["results"]}
    assert by_member[bob.pk]["listing"]["id"] == offer.pk
    assert by_member[gardener.pk]["listing"] is None
    assert by_member[gardener.pk]["member"] == {"id": gardener.pk, "display_name": gardener.name}
    assert all(isinstance(m["score"], float) and m["reasons"] for m in body["results"])
    paged = api.as_user(alice).get("/api/v1/search/", {"q": "garden", "page_size": 1, "page": 2}).json()
    assert paged["count"] == 2 and len(paged["results"]) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "q"), ({"q": ""}, "q"), ({"q": "x" * 201}, "q"), ({"q": "garden", "network": "no such!"}, "network")],
)
def test_bad_searches_are_refused_with_the_error_shape(api, alice, params, field):
    response = api.as_user(alice).get("/api/v1/search/", params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_network_outside_reach_is_not_found(api, other_network, alice):
    response = api.as_user(alice).get("/api/v1/search/", {"q": "garden", "network": other_network.slug})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_search_needs_a_login(api):
    assert api.get("/api/v1/search/", {"q": "garden"}).status_code in (401, 403)


def test_a_pending_member_finds_nobody(network, gardener):
    newcomer = member(network).user
    Membership.objects.filter(user=newcomer).update(status=Membership.Status.PENDING)
    assert search_matches(user=newcomer, q="garden") == []


def test_the_find_help_page_shows_people_as_well_as_listings(network, alice, gardener):
    client = Client()
    client.force_login(alice)
    page = client.get("/listings/", {"q": "garden"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "People who could help" in html
    assert gardener.name in html
    assert "from their profile" in html
    assert "People who could help" not in client.get("/listings/").content.decode()


def test_people_found_without_listings_are_not_called_nothing_found(network, alice, gardener):
    client = Client()
    client.force_login(alice)
    html = client.get("/listings/", {"q": "garden"}).content.decode()
    # The gardener fits through her profile; no listing uses the word.
    assert "No listing has all these words, but the people above fit what you asked." in html
    assert "Nothing found" not in html
    nothing = client.get("/listings/", {"q": "walk my dog"}).content.decode()
    assert "Nothing found" in nothing and "the people above" not in nothing


def test_a_search_explains_only_the_people_it_shows(network, alice, monkeypatch):
    """Offers and requests are ranked apart, each up to the limit: only the best of them all are
    shown, and only those are explained (each reason is a translation looked up)."""
    for n in range(3):
        listing(member(network).user, network, title=f"Gardening {n}", description="Weeding and mowing.")
        listing(member(network).user, network, kind="request", title=f"Help in my garden {n}")
    explained = []
    real = ranking.score_match

    def counting(*args, explain=True, **kwargs):
        explained.append(explain)
        return real(*args, explain=explain, **kwargs)

    monkeypatch.setattr(ranking, "score_match", counting)
    found = search_matches(user=alice, q="garden", limit=2)
    assert len(found) == 2 and all(m.reasons for m in found)
    assert explained.count(True) == 2


def test_find_help_reads_no_more_words_than_the_listing_api_and_says_so(api, network, alice):
    """A 100,000-character search on the page was compared with every listing word by word (SQLite
    refused the pattern: a 503); the page's form now stops where the API's filter does."""
    offer = listing(member(network).user, network, title="Dog walking")
    request = listing(member(network).user, network, kind="request", title="Lift to the shops")
    client = Client()
    client.force_login(alice)
    page = client.get("/listings/", {"q": "a" * 100_000, "kind": "offer"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "at most 500 characters" in html
    # The kind asked for still filters.
    assert offer.title in html and request.title not in html
    assert api.as_user(alice).get("/api/v1/listings/", {"q": "a" * 501}).status_code == 400


def _offering(network, slug: str):
    membership = member(network)
    membership.skills_offered.set(Skill.objects.filter(slug=slug))
    profile_skills_refresh(membership=membership)
    return membership.user


def test_trim_my_front_hedge_finds_the_gardener_who_only_has_a_profile(network, alice, gardener):
    """The issue's member: "Nobody fits yet" beside a gardener. Her profile says gardening, the request
    hedge trimming: the same kind of help, found as a listing with gardening would be."""
    request = listing(alice, network, kind="request", title="Trim my front hedge")
    assert [m.member for m in listing_match_outcome(listing=request).matches] == [gardener]
    assert [m.member for m in search_matches(user=alice, q="trim my front hedge")] == [gardener]


def test_people_with_the_skill_itself_come_before_those_with_the_same_kind(network, alice, monkeypatch):
    cleaner = _offering(network, "house-cleaning")  # the lower key: first of its kind by key
    trimmer = _offering(network, "hedge-and-tree-trimming")
    # One place on the shortlist: the skill itself takes it.
    monkeypatch.setattr(candidates, "PROFILE_SHORTLIST", 1)
    assert [m.member for m in search_matches(user=alice, q="trim my front hedge")] == [trimmer]
    monkeypatch.undo()
    found = [m.member for m in search_matches(user=alice, q="trim my front hedge")]
    assert found[0] == trimmer and cleaner.pk < trimmer.pk


def test_sharing_only_the_kind_of_a_side_skill_is_no_fit(network, alice):
    """ "Shopping" reads faintly as shopping online too (digital help): someone who teaches computers
    is not suggested for it; someone who does the shopping is."""
    teacher = _offering(network, "computer-basics")
    shopper = _offering(network, "food-shopping")
    found = [m.member for m in search_matches(user=alice, q="shopping")]
    assert shopper in found and teacher not in found
    request = listing(alice, network, kind="request", title="Shopping")
    assert teacher not in [m.member for m in listing_match_outcome(listing=request).matches]


def test_a_profile_offering_many_kinds_of_help_is_as_much_a_gardener(network, alice):
    """A profile's skills are each their own help: someone who gardens and also teaches computers is found
    for the hedge as a gardener, not as a fifth of one."""
    membership = member(network, bio="Just moved here. Good with computers, and happy to dig a garden.")
    membership.skills_offered.set(
        Skill.objects.filter(slug__in=["gardening", "computer-basics", "online-banking", "video-calls"])
    )
    profile_skills_refresh(membership=membership)
    assert [m.member for m in search_matches(user=alice, q="trim my front hedge")] == [membership.user]
    request = listing(alice, network, kind="request", title="Trim my front hedge")
    assert [m.member for m in listing_match_outcome(listing=request).matches] == [membership.user]
