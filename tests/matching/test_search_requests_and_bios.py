"""Search finds the neighbours who asked for help as well as those who offer it, and the members whose
bio alone says what they offer; the sensitive-help rule, blocks and network reach hold for both."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from exchanges.matching.models import ProfileSkill
from exchanges.matching.selectors import listing_matches, listings_that_fit, search_matches
from exchanges.matching.sensitive import help_sensitivity
from exchanges.matching.services import profile_skills_refresh
from exchanges.matching.skills import offered_in_bio
from exchanges.models import Listing
from members.models import Membership, Skill
from messaging.models import Block
from tests.factories import member
from tests.matching.helpers import cleared_check, listing

pytestmark = pytest.mark.django_db

GARDENER_BIO = "Retired gardener, happy to help with borders and lawns."


def with_bio(network, bio: str, **extra) -> Membership:
    """A member who ticked no skills: only their own words say what they do."""
    membership = member(network, bio=bio, **extra)
    profile_skills_refresh(membership=membership)
    return membership


# Requests --------------------------------------------------------------------------------------


def test_search_finds_who_asked_and_marks_them_as_asking(network, alice, bob):
    offer = listing(bob, network, title="Dog walking", description="I walk dogs most mornings.")
    carol = member(network).user
    asked = listing(carol, network, kind="request", title="Could someone walk my dog round Roundwood Park?")
    found = {m.member: m for m in search_matches(user=alice, q="dog walking")}
    assert set(found) == {bob, carol}
    assert found[bob].listing == offer and found[bob].kind == "offer"
    assert found[carol].listing == asked and found[carol].kind == "request"
    assert found[carol].listing.kind == Listing.Kind.REQUEST
    assert found[carol].reasons[0].startswith("Asks for dog walking")


def test_search_can_ask_for_one_kind_only(network, alice, bob):
    listing(bob, network, title="Dog walking")
    carol = member(network).user
    listing(carol, network, kind="request", title="Walk my dog please")
    assert [m.member for m in search_matches(user=alice, q="dog walking", kind="offer")] == [bob]
    assert [m.member for m in search_matches(user=alice, q="dog walking", kind="request")] == [carol]


def test_a_profile_that_would_like_help_is_found_as_asking(network, alice):
    wanting = member(network)
    wanting.skills_wanted.set(Skill.objects.filter(slug="dog-walking"))
    profile_skills_refresh(membership=wanting)
    [found] = search_matches(user=alice, q="dog walking")
    assert found.member == wanting.user and found.listing is None and found.kind == "request"
    assert found.reasons[0].startswith("Asks for dog walking")


def test_requests_for_sensitive_help_are_shown_only_to_a_checked_searcher(network, alice, coordinator):
    asker = member(network).user
    listing(asker, network, kind="request", title="Lift to my hospital appointment", description="Need a driver.")
    assert search_matches(user=alice, q="lift to the hospital", kind="request") == []
    cleared_check(Membership.objects.get(network=network, user=alice), coordinator)
    assert [m.member for m in search_matches(user=alice, q="lift to the hospital", kind="request")] == [asker]


def test_blocked_people_and_other_networks_requests_are_not_found(network, other_network, alice, bob):
    listing(bob, network, kind="request", title="Walk my dog please")
    stranger = member(other_network).user
    listing(stranger, other_network, kind="request", title="Walk my dog please")
    assert [m.member for m in search_matches(user=alice, q="dog walking")] == [bob]
    Block.objects.create(network=network, blocker=alice, blocked=bob)
    assert search_matches(user=alice, q="dog walking") == []


# Bios ------------------------------------------------------------------------------------------


def test_a_bio_is_read_for_what_it_offers_not_what_it_needs():
    assert [hit.slug for hit in offered_in_bio(GARDENER_BIO)] == ["gardening"]
    assert offered_in_bio("I need lifts to the surgery since my hip operation.") == []
    assert offered_in_bio("Looking for someone to help me with my garden.") == []
    assert offered_in_bio("I would love some help with the garden.") == []
    assert offered_in_bio("I can’t keep on top of the garden.") == []
    assert [hit.slug for hit in offered_in_bio("I'd love to help with people's gardens.")] == ["gardening"]
    read = [hit.slug for hit in offered_in_bio("I can't manage the garden any more, but happy to teach French.")]
    assert "french" in read and "gardening" not in read


@pytest.mark.parametrize(
    "bio",
    [
        "My support worker helps me with my shopping and cooking.",
        "I get help with my shopping from my neighbour.",
        "I'm registered blind and my daughter reads my letters to me.",
        "Since my stroke I rely on lifts to the GP.",
        "Looking for a gardener to tidy my borders.",
        "I love my garden but can't manage it.",
        "I'd like to find a cleaner.",
        "I use a wheelchair and I can knit.",
        "My neighbour pops in and can do my shopping.",
    ],
)
def test_a_bio_that_says_what_its_writer_needs_or_gets_offers_nothing(bio):
    assert offered_in_bio(bio) == []


@pytest.mark.parametrize(
    ("bio", "offered"),
    [
        ("I can give lifts in my car.", "lifts-to-appointments"),
        ("I'm a keen gardener.", "gardening"),
        ("I used to work as a plumber.", "fixing-taps-and-leaks"),
        ("I like walking dogs.", "dog-walking"),
        ("I have years of experience with benefits forms.", "benefits-forms"),
        ("Happy to help anyone who needs a lift to the hospital.", "lifts-to-appointments"),
        ("Retired carer, happy to help people get washed and dressed.", "help-getting-washed-and-dressed"),
        ("I struggle with stairs but I'm good at knitting.", "knitting-and-crochet"),
    ],
)
def test_a_bio_that_says_what_its_writer_offers_is_read(bio, offered):
    assert offered in [hit.slug for hit in offered_in_bio(bio)]


def test_a_bio_whose_writer_does_not_drive_offers_no_lifts():
    offered = [hit.slug for hit in offered_in_bio("Happy to go with you to appointments. I don't drive.")]
    assert "walking-with-someone-to-appointments" in offered
    assert "lifts-to-appointments" not in offered


@pytest.mark.parametrize(
    ("bio", "offered"),
    [
        ("Gardening, baking, dog walking.", {"gardening", "baking", "dog-walking"}),
        ("Retired plumber. DIY, odd jobs, lifts to the shops", {"odd-jobs", "lifts-to-the-shops"}),
        ("Gardening\nBaking\nDog walking", {"gardening", "baking", "dog-walking"}),
        ("- Knitting\n- Ironing", {"knitting-and-crochet", "ironing"}),
        ("Gardening / baking & ironing", {"gardening", "baking", "ironing"}),
        ("Skills: knitting; Welsh lessons", {"knitting-and-crochet", "teaching-a-skill"}),
        ("I offer:\n• gardening\n• baking", {"gardening", "baking"}),
        ("Can do: DIY", {"odd-jobs"}),
        ("I've lived on the estate for thirty years.\nDog walking, ironing", {"dog-walking", "ironing"}),
        ("Retired plumber\nDIY\nLifts to the shops", {"fixing-taps-and-leaks", "odd-jobs", "lifts-to-the-shops"}),
    ],
)
def test_a_bio_that_lists_what_its_writer_does_offers_what_the_items_name(bio, offered):
    assert offered <= {hit.slug for hit in offered_in_bio(bio)}


@pytest.mark.parametrize(
    "bio",
    [
        "I need help with shopping, cleaning and lifts.",
        "Shopping, cleaning, lifts. Since my fall I need help with all three.",
        "Cooking, cleaning, lifts: things I can't manage any more",
        "I love gardening, baking and walks.",
        "Interests: gardening, baking, walks",
        "Hobbies:\n- gardening\n- baking",
        "No lifts, sorry.",
        "Gardening, baking, but not lifts",
        "Mum of three, dog lover, keen reader",
        "My garden, my dog, my grandchildren",
        "Gardening.",
        "Shopping, lifts, ironing wanted",
        "Shopping and lifts required",
        "Shopping please\nLifts please",
        "Shopping, lifts, cleaning - please!",
        "Help wanted\nShopping\nIroning",
        "Recently widowed\nShopping\nLifts",
        "After my operation\nShopping\nCleaning",
        "After my operation. Shopping, cleaning",
        "Recently widowed, shopping, lifts",
        "Wanted:\n\nShopping, lifts",
        "Not offering: lifts, gardening",
        "Not available for: lifts, personal care",
        "Not available for gardening any more",
        "No longer offering lifts or shopping",
        "Nobody should ask me for lifts as I am not able to drive",
    ],
)
def test_a_bio_listing_needs_likes_refusals_or_who_its_writer_is_offers_nothing(bio):
    assert offered_in_bio(bio) == []


def test_liking_one_thing_still_offers_it_but_liking_a_list_is_a_pastimes_line():
    assert [hit.slug for hit in offered_in_bio("I like walking dogs.")] == ["dog-walking"]
    assert offered_in_bio("I like walking dogs, baking and reading.") == []
    assert offered_in_bio("I like it when my neighbour brings my shopping.") == []


@pytest.mark.parametrize(
    ("bio", "offered"),
    [
        ("I enjoy helping with gardening and DIY.", {"gardening"}),
        ("I really enjoy helping people with shopping and odd jobs.", {"odd-jobs"}),
        ("I love to help with baking for the church fair.", {"baking"}),
    ],
)
def test_enjoying_helping_with_something_offers_it(bio, offered):
    assert offered <= {hit.slug for hit in offered_in_bio(bio)}


def test_a_bio_list_is_found_by_search_through_the_api(api, network, alice):
    walker = with_bio(network, "Gardening, dog walking").user
    client = api.as_user(alice)
    for q in ("garden", "dog walker"):
        body = client.get("/api/v1/search/", {"q": q, "network": network.slug}).json()
        assert [(m["member"]["id"], m["kind"], m["listing"]) for m in body["results"]] == [(walker.pk, "offer", None)]


def test_an_unchecked_bio_list_of_lifts_and_care_is_never_found_for_a_lift(network, alice, coordinator):
    # "Lifts to the shops": a bare "lifts" reads as lifting and carrying as well as giving lifts.
    unchecked = with_bio(network, "lifts to the shops, personal care")
    checked = cleared_check(with_bio(network, "lifts to the shops, personal care"), coordinator)
    for q in ("lift to the shops", "help getting washed and dressed"):
        assert [m.member for m in search_matches(user=alice, q=q)] == [checked.user]
    cleared_check(unchecked, coordinator)
    assert {m.member for m in search_matches(user=alice, q="lift to the shops")} == {checked.user, unchecked.user}


def test_bios_written_before_are_read_again_by_matching_refresh(network, alice):
    walker = member(network, bio="Gardening, dog walking").user
    assert search_matches(user=alice, q="dog walker") == []
    call_command("matching_refresh", stdout=io.StringIO())
    assert [m.member for m in search_matches(user=alice, q="dog walker")] == [walker]


def test_a_bio_that_needs_help_is_not_found_under_people_who_could_help(network, alice):
    with_bio(network, "My support worker helps me with my shopping and cooking.")
    with_bio(network, "Looking for a gardener to tidy my borders.")
    assert search_matches(user=alice, q="food shopping", kind="offer") == []
    assert search_matches(user=alice, q="garden", kind="offer") == []


def test_the_bio_only_gardener_is_found_by_garden(network, alice):
    gardener = with_bio(network, GARDENER_BIO).user
    [found] = search_matches(user=alice, q="garden")
    assert found.member == gardener and found.listing is None and found.kind == "offer"
    assert "gardening" in found.reasons[0]


def test_a_bio_that_needs_help_is_not_found_as_a_helper(network, alice):
    with_bio(network, "I can't manage my garden any more since my knee operation.")
    assert search_matches(user=alice, q="garden") == []


def test_a_bio_never_offers_what_the_profile_would_like_help_with(network, alice):
    membership = member(network, bio="I love gardening.")
    membership.skills_wanted.set(Skill.objects.filter(slug="gardening"))
    profile_skills_refresh(membership=membership)
    assert [m.kind for m in search_matches(user=alice, q="garden")] == ["request"]


def test_skills_read_from_a_bio_are_for_search_only(network, alice, bob):
    gardener = with_bio(network, GARDENER_BIO)
    assert set(ProfileSkill.objects.filter(membership=gardener).values_list("kind", flat=True)) == {ProfileSkill.BIO}
    request = listing(alice, network, kind="request", title="Help with my garden borders")
    assert gardener.user not in [m.member for m in listing_matches(listing=request)]
    since = timezone.now() - datetime.timedelta(days=1)
    assert request not in listings_that_fit(user=gardener.user, since=since)


def test_an_unchecked_bio_is_never_found_for_sensitive_help(network, alice, coordinator):
    unchecked = with_bio(network, "I can give lifts in my car.")
    with_bio(network, "I can give lifts")
    assert search_matches(user=alice, q="lift to the hospital") == []
    cleared_check(unchecked, coordinator)
    assert [m.member for m in search_matches(user=alice, q="lift to the hospital")] == [unchecked.user]


def test_blocked_and_other_networks_bio_members_are_not_found(network, other_network, alice):
    gardener = with_bio(network, GARDENER_BIO).user
    with_bio(other_network, GARDENER_BIO)
    assert [m.member for m in search_matches(user=alice, q="garden")] == [gardener]
    Block.objects.create(network=network, blocker=gardener, blocked=alice)
    assert search_matches(user=alice, q="garden") == []


# Toileting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Help going to the loo", "Someone to pop in and help me to the loo"])
def test_help_to_the_loo_is_personal_care_and_held_from_an_unchecked_helper(network, alice, bob, coordinator, text):
    assert help_sensitivity(title=text).skill == "help-getting-washed-and-dressed"
    plumber = member(network).user
    listing(plumber, network, title="Plumbing", description="Dripping taps, blocked toilets, leaks.")
    carer = cleared_check(member(network), coordinator).user
    listing(carer, network, title="Personal care", description="I can help with washing and dressing.")
    request = listing(alice, network, kind="request", title=text)
    assert [m.member for m in listing_matches(listing=request)] == [carer]
    assert search_matches(user=bob, q=text, kind="request") == []


def test_a_blocked_toilet_is_still_plumbing_and_not_held(network, alice):
    assert help_sensitivity(title="Blocked toilet") is None
    plumber = member(network).user
    listing(plumber, network, title="Plumbing", description="Dripping taps, blocked toilets, leaks.")
    request = listing(alice, network, kind="request", title="Blocked toilet")
    assert [m.member for m in listing_matches(listing=request)] == [plumber]


# API and page ----------------------------------------------------------------------------------


def test_the_api_marks_requests_and_finds_bio_only_people(api, network, alice, bob):
    gardener = with_bio(network, GARDENER_BIO).user
    asked = listing(bob, network, kind="request", title="Help with my overgrown garden")
    client = api.as_user(alice)
    body = client.get("/api/v1/search/", {"q": "garden", "network": network.slug}).json()
    by_member = {m["member"]["id"]: m for m in body["results"]}
    assert set(by_member) == {gardener.pk, bob.pk}
    assert by_member[gardener.pk]["kind"] == "offer" and by_member[gardener.pk]["listing"] is None
    assert by_member[gardener.pk]["member"] == {"id": gardener.pk, "display_name": gardener.name}
    assert by_member[bob.pk]["kind"] == "request"
    assert by_member[bob.pk]["listing"]["id"] == asked.pk and by_member[bob.pk]["listing"]["kind"] == "request"
    assert by_member[bob.pk]["reasons"][0].startswith("Asks for")
    only = client.get("/api/v1/search/", {"q": "garden", "kind": "request"}).json()
    assert [m["member"]["id"] for m in only["results"]] == [bob.pk]
    helpers = client.get("/api/v1/search/", {"q": "garden", "kind": "offer"}).json()
    assert [m["member"]["id"] for m in helpers["results"]] == [gardener.pk]
    assert client.get("/api/v1/search/", {"q": "garden", "kind": ""}).json()["count"] == 2


def test_the_api_refuses_an_unknown_kind(api, alice):
    response = api.as_user(alice).get("/api/v1/search/", {"q": "garden", "kind": "everything"})
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_the_api_keeps_other_networks_out(api, network, other_network, alice):
    with_bio(other_network, GARDENER_BIO)
    listing(member(other_network).user, other_network, kind="request", title="Help with my garden")
    client = api.as_user(alice)
    assert client.get("/api/v1/search/", {"q": "garden"}).json()["count"] == 0
    assert client.get("/api/v1/search/", {"q": "garden", "network": other_network.slug}).status_code == 404


def test_the_find_help_page_shows_who_asked_and_the_bio_only_gardener(network, alice, bob):
    gardener = with_bio(network, GARDENER_BIO).user
    listing(bob, network, kind="request", title="Help with my overgrown garden")
    client = Client()
    client.force_login(alice)
    html = client.get("/listings/", {"q": "garden"}).content.decode()
    helpers, asked = html.split("People who asked for this")
    assert "People who could help" in helpers and gardener.name in helpers and "from their profile" in helpers
    assert bob.name in asked and "Help with my overgrown garden" in asked
    only_offers = client.get("/listings/", {"q": "garden", "kind": "offer"}).content.decode()
    assert "People who asked for this" not in only_offers and gardener.name in only_offers


@pytest.mark.parametrize(
    ("bio", "offered"),
    [
        ("I can help with computers, not able to do ladders", "computer-basics"),
        ("I'm not able to drive and happy to help with gardening", "gardening"),
        ("I'm not free weekdays so I can help with gardening at weekends", "gardening"),
        ("Not available for lifts - I can help with gardening and shopping", "gardening"),
    ],
)
def test_an_offer_taken_back_leaves_the_rest_of_the_sentence_offered(bio, offered):
    found = [hit.slug for hit in offered_in_bio(bio)]
    assert offered in found
    assert not set(found) & {"lifts-to-appointments", "lifts-to-the-shops", "lifts-to-social-events"}


@pytest.mark.parametrize(
    "bio",
    [
        "I'm happy to help with shopping, not available for lifts and personal care",
        "I can do odd jobs, not happy to do washing and dressing",
        "I can help with gardening, not willing to do baby-sitting or school runs",
    ],
)
def test_help_taken_back_is_never_offered_whatever_follows_it(bio):
    from exchanges.matching.skills import meaning_matcher

    taxonomy = meaning_matcher().taxonomy
    assert not [hit.slug for hit in offered_in_bio(bio) if taxonomy.skills[hit.slug].category.sensitive]
