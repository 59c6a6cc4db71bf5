"""Stored listing skills: the indexed path of listing_matches ranks exactly as the pure core."""

import json
import random
from pathlib import Path

import pytest
from django.core.management import call_command

from exchanges.matching import semantic
from exchanges.matching.models import ListingSkill, ProfileSkill
from exchanges.matching.ranking import Candidate, rank_candidates
from exchanges.matching.scoring import Side, skill_overlap
from exchanges.matching.selectors import listing_matches, parse_availability
from exchanges.matching.services import listing_skills_refresh
from exchanges.matching.skills import meaning_matcher
from exchanges.matching.taxonomy import Taxonomy
from exchanges.matching.text import SkillMatcher
from exchanges.matching.vectors import unit_vectors
from exchanges.models import Listing
from members.models import Membership
from members.profiles import profile_update
from tests.factories import member

DATASET = Path(__file__).resolve().parents[2] / "bench" / "matching" / "dataset.json"
SLOTS = ["mon-morning", "tue-afternoon", "wed-evening", "sat-morning", "sun-afternoon"]


def test_summed_unit_weights_are_the_scorings_skill_overlap():
    taxonomy = Taxonomy.from_file()
    matcher = SkillMatcher(taxonomy)
    mine = matcher.skills_in("my dog needs walking and the garden is a jungle").weights
    theirs = matcher.skills_in("dog walks, lawn mowing, hedge cutting").weights
    my_skills, my_categories = unit_vectors(mine, taxonomy)
    their_skills, their_categories = unit_vectors(theirs, taxonomy)
    by_skill = sum(u * their_skills.get(s, 0) for s, u in my_skills.items())
    by_category = sum(u * their_categories.get(c, 0) for c, u in my_categories.items())
    expected = skill_overlap(mine, theirs, taxonomy).score
    assert 0 < expected < 1
    assert 0.7 * by_skill + 0.3 * by_category == pytest.approx(expected)


def _offer(network, data, rng) -> Listing:
    owner = member(network, neighbourhood=rng.choice(["Harlesden", "Willesden"]))
    offer = Listing.objects.create(
        network=network,
        owner=owner.user,
        kind=Listing.Kind.OFFER,
        title=data["title"],
        description=data["description"],
        availability=rng.sample(SLOTS, 2),
    )
    listing_skills_refresh(listing=offer)
    return offer


def _pure_ranking(request: Listing, offers: list[Listing]) -> list[tuple]:
    """Every open offer mapped to skills and a vector from its text and scored: the path before
    stored skills (offers' vectors as stored, in half precision)."""
    meanings = meaning_matcher()
    offer_meanings = [meanings.meaning(offer.description, title=offer.title) for offer in offers]
    candidates = [
        Candidate(
            member_id=offer.owner_id,
            listing_id=offer.pk,
            side=Side(
                skills=found.skills.weights,
                availability=parse_availability(offer.availability),
                neighbourhood=offer.owner.memberships.get().neighbourhood,
                vector=semantic.from_bytes(semantic.to_bytes(found.vector)),
            ),
        )
        for offer, found in zip(offers, offer_meanings, strict=True)
    ]
    mine = meanings.meaning(request.description, title=request.title)
    ranked = rank_candidates(
        kind="request",
        mine=Side(
            skills=mine.skills.weights,
            availability=parse_availability(request.availability),
            vector=mine.vector,
            title=request.title,
        ),
        i_have_current_check=False,
        candidates=candidates,
        taxonomy=meanings.taxonomy,
        limit=10,
        meanings=meanings,
    )
    return [(r.member_id, r.listing_id, r.score, r.reasons) for r in ranked]


@pytest.mark.django_db
def test_the_database_path_ranks_like_the_pure_core(network):
    rng = random.Random(3)
    data = json.loads(DATASET.read_text(encoding="utf-8"))
    offers = [_offer(network, text, rng) for text in rng.sample(data["offers"], 60)]
    compared = 0
    for text in rng.sample(data["requests"], 15):
        asker = member(network)
        request = Listing.objects.create(
            network=network,
            owner=asker.user,
            kind=Listing.Kind.REQUEST,
            title=text["title"],
            description=text["description"],
            availability=rng.sample(SLOTS, 2),
        )
        expected = _pure_ranking(request, offers)
        got = [(m.member.pk, m.listing.pk, m.score, m.reasons) for m in listing_matches(listing=request)]
        assert got == expected
        compared += len(expected)
    assert compared > 30


@pytest.mark.django_db
def test_a_listing_that_is_no_longer_open_keeps_no_stored_skills(network, bob):
    offer = Listing.objects.create(network=network, owner=bob, kind="offer", title="Dog walking")
    assert listing_skills_refresh(listing=offer)
    offer.status = Listing.Status.CLOSED
    offer.save()
    assert listing_skills_refresh(listing=offer) == []
    assert not ListingSkill.objects.filter(listing=offer).exists()


@pytest.mark.django_db
def test_an_edited_listing_is_found_by_its_new_words(network, alice, bob):
    request = Listing.objects.create(network=network, owner=alice, kind="request", title="Dog")
    offer = Listing.objects.create(network=network, owner=bob, kind="offer", title="Ironing")
    listing_skills_refresh(listing=offer)
    assert listing_matches(listing=request) == []
    offer.title = "Dog walking"
    offer.save()
    listing_skills_refresh(listing=offer)
    assert [m.listing for m in listing_matches(listing=request)] == [offer]


@pytest.mark.django_db
def test_stored_rows_carry_each_skill_and_each_category(network, bob):
    offer = Listing.objects.create(network=network, owner=bob, kind="offer", title="Dog walking")
    rows = listing_skills_refresh(listing=offer)
    skills = [row.skill.slug for row in rows if row.skill_id]
    categories = [row.category.slug for row in rows if row.skill_id is None]
    assert "dog-walking" in skills
    assert categories and len(categories) == len(set(categories))
    assert {row.network_id for row in rows} == {network.pk}
    assert {row.kind for row in rows} == {"offer"}


@pytest.mark.django_db
def test_the_refresh_command_stores_skills_for_listings_written_before(network, alice, bob):
    request = Listing.objects.create(network=network, owner=alice, kind="request", title="Dog")
    offer = Listing.objects.create(network=network, owner=bob, kind="offer", title="Dog walking")
    assert listing_matches(listing=request) == []
    call_command("matching_refresh")
    assert [m.listing for m in listing_matches(listing=request)] == [offer]


@pytest.mark.django_db
def test_a_profile_edit_keeps_the_stored_profile_skills_current(network, alice, bob):
    profile = Membership.objects.get(network=network, user=bob)
    profile_update(membership=profile, actor=bob, skills_offered=["dog-walking"], skills_wanted=["gardening"])
    stored = {(row.kind, row.skill.slug, row.network_id, row.user_id) for row in ProfileSkill.objects.all()}
    assert stored == {("offer", "dog-walking", network.pk, bob.pk), ("request", "gardening", network.pk, bob.pk)}
    request = Listing.objects.create(network=network, owner=alice, kind="request", title="Dog walking")
    [match] = listing_matches(listing=request)
    assert match.member == bob and match.listing is None

    profile_update(membership=profile, actor=bob, skills_offered=["ironing"])
    assert set(ProfileSkill.objects.values_list("kind", "skill__slug")) == {
        ("offer", "ironing"),
        ("request", "gardening"),
    }
    assert listing_matches(listing=request) == []


@pytest.mark.django_db
def test_an_offer_whose_writer_does_not_drive_is_stored_without_lifts_and_a_request_saying_so_with_them(network):
    owner = member(network).user
    said = "I don't drive, but I know all the buses and I'll come along to the doctors with you."
    offer = Listing.objects.create(network=network, owner=owner, kind="offer", title="Appointments", description=said)
    request = Listing.objects.create(
        network=network, owner=owner, kind="request", title="Appointments", description="I can't drive any more."
    )
    stored = {
        listing.kind: {row.skill.slug for row in listing_skills_refresh(listing=listing) if row.skill}
        for listing in (offer, request)
    }
    assert "walking-with-someone-to-appointments" in stored["offer"]
    assert "lifts-to-appointments" not in stored["offer"]
    assert "lifts-to-appointments" in stored["request"]


@pytest.mark.django_db
def test_a_vector_another_model_or_lens_made_is_read_as_none_until_refreshed(network, alice, bob):
    # A release with another lens: its vectors and the stored ones are no closer than strangers, so the
    # old rows are left out (words alone rank) until `matching_refresh` makes them again.
    from exchanges.matching.candidates import stored_vectors
    from exchanges.matching.models import ListingVector

    request = Listing.objects.create(network=network, owner=alice, kind="request", title="Dog walking please")
    offer = Listing.objects.create(network=network, owner=bob, kind="offer", title="Dog walks")
    listing_skills_refresh(listing=request)
    listing_skills_refresh(listing=offer)
    assert ListingVector.objects.get(listing=offer).model == semantic.vectors_tag()
    with_meaning = listing_matches(listing=request)[0]
    ListingVector.objects.update(model="an-old-lens")
    assert stored_vectors(listing_ids=[offer.pk, request.pk], membership_ids=[]) == {}
    [by_words] = listing_matches(listing=request)
    assert by_words.listing == offer and by_words.score != with_meaning.score
    call_command("matching_refresh")
    assert set(stored_vectors(listing_ids=[offer.pk, request.pk], membership_ids=[])) == {
        ("listing", offer.pk),
        ("listing", request.pk),
    }
