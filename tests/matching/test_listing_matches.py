"""listing_matches and GET /api/v1/listings/{id}/matches/ against the database."""

import datetime

import pytest
from django.utils import timezone

from exchanges.matching.selectors import listing_matches
from exchanges.matching.services import profile_skills_refresh
from exchanges.models import Exchange, Listing
from members.models import Membership, Skill
from messaging.models import Block
from tests.factories import member, pending
from tests.matching.helpers import cleared_check, listing

pytestmark = pytest.mark.django_db


def offers_on_profile(network, user, slug: str) -> None:
    profile = Membership.objects.get(network=network, user=user)
    profile.skills_offered.set(Skill.objects.filter(slug=slug))
    # As the profile service does after every change of skills.
    profile_skills_refresh(membership=profile)


@pytest.fixture
def dog_request(network, alice):
    text = "can someone walk my dog"
    return listing(alice, network, kind="request", title="Dog", description=text)


def members_of(matches) -> list:
    return [m.member for m in matches]


def test_the_migration_loads_the_shipped_taxonomy():
    assert Skill.objects.count() >= 160
    assert Skill.objects.get(slug="lifts-to-appointments").category.sensitive


def test_a_request_finds_an_offer_written_in_other_words(network, dog_request, bob):
    offer = listing(bob, network, title="Happy to walk dogs")
    [match] = listing_matches(listing=dog_request)
    assert match.listing == offer
    assert match.member == bob
    assert match.score > 0
    assert match.reasons[0] == "Offers dog walking — close to “Dog”"
    assert "You haven't met yet" in match.reasons


def test_an_offer_finds_the_requests_it_could_help(network, dog_request, alice, bob):
    offer = listing(bob, network, title="Dog walker", description="I love dogs")
    [match] = listing_matches(listing=offer)
    assert match.listing == dog_request
    assert match.member == alice
    assert match.reasons[0] == "Asked for dog walking — close to “Dog walker”"


def test_unrelated_offers_are_not_suggested(network, dog_request, bob):
    listing(bob, network, title="Ironing", description="Give me your ironing pile")
    assert listing_matches(listing=dog_request) == []


def test_nobody_is_matched_with_their_own_listing(network, dog_request, alice):
    listing(alice, network, title="Dog walking", description="I walk dogs too")
    assert listing_matches(listing=dog_request) == []


def test_members_who_are_not_active_are_never_suggested(network, dog_request):
    for status in (Membership.Status.SUSPENDED, Membership.Status.LEFT):
        gone = member(network)
        Membership.objects.filter(pk=gone.pk).update(status=status)
        listing(gone.user, network, title="Dog walking")
    waiting = pending(network)
    listing(waiting.user, network, title="Dog walking")
    assert listing_matches(listing=dog_request) == []


def test_commissioners_are_never_suggested(network, dog_request):
    funder = member(network, role=Membership.Role.COMMISSIONER)
    listing(funder.user, network, title="Dog walking")
    assert listing_matches(listing=dog_request) == []


def test_a_supporter_can_be_suggested(network, dog_request):
    supporter = member(network, role=Membership.Role.SUPPORTER)
    listing(supporter.user, network, title="Dog walking")
    assert members_of(listing_matches(listing=dog_request)) == [supporter.user]


def test_a_listing_whose_owner_has_left_has_no_matches(network, dog_request, alice, bob):
    listing(bob, network, title="Dog walking")
    Membership.objects.filter(network=network, user=alice).update(status=Membership.Status.LEFT)
    assert listing_matches(listing=dog_request) == []


def test_a_chosen_childcare_skill_needs_a_current_check(network, alice, bob, coordinator):
    request = listing(alice, network, kind="request", title="Friday night", skills=["babysitting"])
    listing(bob, network, title="Evenings free", skills=["babysitting"])
    assert listing_matches(listing=request) == []
    cleared_check(Membership.objects.get(network=network, user=bob), coordinator)
    assert members_of(listing_matches(listing=request)) == [bob]


@pytest.mark.parametrize("direction", ["owner blocked them", "they blocked the owner"])
def test_blocked_pairs_are_never_suggested(network, dog_request, alice, bob, direction):
    listing(bob, network, title="Dog walking")
    blocker, blocked = (alice, bob) if direction == "owner blocked them" else (bob, alice)
    Block.objects.create(network=network, blocker=blocker, blocked=blocked)
    assert listing_matches(listing=dog_request) == []


def test_listings_in_another_network_are_never_suggested(other_network, dog_request):
    outsider = member(other_network).user
    listing(outsider, other_network, title="Dog walking")
    assert listing_matches(listing=dog_request) == []


def test_closed_paused_and_expired_offers_are_not_suggested(network, dog_request):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    listing(member(network).user, network, title="Dog walking", status=Listing.Status.CLOSED)
    listing(member(network).user, network, title="Dog walking", status=Listing.Status.PAUSED)
    listing(member(network).user, network, title="Dog walking", expires_on=yesterday)
    assert listing_matches(listing=dog_request) == []


def test_a_member_appears_once_with_their_best_listing(network, dog_request, bob):
    listing(bob, network, title="Pets", description="Can feed cats, rabbits, fish and walk dogs")
    best = listing(bob, network, title="Dog walking", description="walk your dog")
    [match] = listing_matches(listing=dog_request)
    assert match.listing == best


def test_a_profile_offering_the_skill_is_found_without_a_listing(network, dog_request, bob):
    offers_on_profile(network, bob, "dog-walking")
    [match] = listing_matches(listing=dog_request)
    assert match.listing is None
    assert match.member == bob


def test_a_lift_is_only_suggested_with_checked_drivers(network, alice, coordinator):
    request = listing(alice, network, kind="request", title="Lift to the doctors")
    unchecked = member(network)
    lapsed = member(network)
    checked = member(network)
    cleared_check(lapsed, coordinator, review_in_days=-1)
    cleared_check(checked, coordinator)
    for driver in (unchecked, lapsed, checked):
        listing(driver.user, network, title="I can drive")
    assert members_of(listing_matches(listing=request)) == [checked.user]


def test_an_unchecked_driver_sees_no_lift_requests_from_their_offer(network, alice, bob):
    listing(alice, network, kind="request", title="Lift to the doctors")
    offer = listing(bob, network, title="I can drive")
    assert listing_matches(listing=offer) == []


def test_shared_free_time_and_place_reorder_matches_and_are_explained(network, alice, bob):
    slots = ["tue-afternoon"]
    request = listing(alice, network, kind="request", title="Dog walking", availability=slots)
    Membership.objects.filter(network=network, user=alice).update(neighbourhood="Harlesden")
    near = member(network, neighbourhood="Harlesden").user
    listing(bob, network, title="Dog walking")
    listing(near, network, title="Dog walking", availability=["tue-afternoon", "sat-morning"])
    first, second = listing_matches(listing=request)
    assert first.member == near
    assert "Free on Tuesday afternoons" in first.reasons
    assert "Also lives in Harlesden" in first.reasons
    assert second.member == bob


def test_a_neighbourhood_grouped_with_mine_counts_as_nearby(network, alice, bob):
    network.nearby_neighbourhoods = [["Harlesden Town", "Church End"], ["Kensal Green", "Kensal Rise"]]
    network.save(update_fields=["nearby_neighbourhoods"])
    Membership.objects.filter(network=network, user=alice).update(neighbourhood="Harlesden Town")
    Membership.objects.filter(network=network, user=bob).update(neighbourhood="Kensal Rise")
    near = member(network, neighbourhood="church end").user
    listing(bob, network, title="Dog walking")
    listing(near, network, title="Dog walking")
    request = listing(alice, network, kind="request", title="Dog walking")
    first, second = listing_matches(listing=request)
    assert first.member == near
    assert "Lives nearby, in church end" in first.reasons
    assert second.member == bob
    assert not any("nearby" in reason or "lives in" in reason for reason in second.reasons)


def test_people_who_have_met_lose_the_new_connection_reason(network, dog_request, alice, bob):
    listing(bob, network, title="Dog walking")
    Exchange.objects.create(
        network=network,
        provider=bob,
        recipient=alice,
        minutes=60,
        state=Exchange.State.POSTED,
        proposed_by=bob,
    )
    [match] = listing_matches(listing=dog_request)
    assert "You haven't met yet" not in match.reasons


def test_a_track_record_is_read_from_the_database_and_explained(network, dog_request, alice, bob):
    listing(bob, network, title="Dog walking")
    carol = member(network).user
    for state, minutes in ((Exchange.State.POSTED, 60), (Exchange.State.POSTED, 30)):
        Exchange.objects.create(
            network=network, provider=carol, recipient=bob, minutes=minutes, state=state, proposed_by=bob
        )
    Exchange.objects.create(
        network=network,
        provider=bob,
        recipient=carol,
        minutes=45,
        state=Exchange.State.POSTED,
        proposed_by=bob,
    )
    [match] = listing_matches(listing=dog_request)
    # 3 completed; received 90 minutes, gave 45: helping alice evens things up.
    assert "Has completed 3 exchanges" in match.reasons
    assert "Has had more help than they've given, so this evens things up" in match.reasons
    assert "You haven't met yet" in match.reasons


# The API ----------------------------------------------------------------------------------------


def test_the_api_answers_the_owner_in_the_documented_shape(api, network, dog_request, alice, bob):
    offer = listing(bob, network, title="Dog walking", skills=["dog-walking"], minutes_estimate=60)
    response = api.as_user(alice).get(f"/api/v1/listings/{dog_request.pk}/matches/")
    assert response.status_code == 200, response.content
    [match] = response.json()
    assert set(match) == {"listing", "member", "score", "reasons"}
    expected = {
        "id": offer.pk,
        "network": "harlesden",
        "kind": "offer",
        "title": "Dog walking",
        "description": "",
        "skills": ["dog-walking"],
        "minutes_estimate": 60,
        "owner": bob.pk,
        "status": "open",
    }
    assert {key: match["listing"][key] for key in expected} == expected
    # The same listing shape as the listings endpoint gives.
    assert match["listing"] == api.get(f"/api/v1/listings/{offer.pk}/").json()
    assert match["member"] == {"id": bob.pk, "display_name": bob.name}
    assert isinstance(match["score"], float)
    assert match["reasons"][0] == "Offers dog walking — close to “Dog”"


def test_a_profile_match_has_a_null_listing(api, network, dog_request, alice, bob):
    offers_on_profile(network, bob, "dog-walking")
    response = api.as_user(alice).get(f"/api/v1/listings/{dog_request.pk}/matches/")
    assert response.json()[0]["listing"] is None


def test_a_coordinator_can_see_a_members_matches(api, dog_request, coordinator):
    response = api.as_user(coordinator).get(f"/api/v1/listings/{dog_request.pk}/matches/")
    assert response.status_code == 200


def test_another_member_of_the_network_gets_403(api, dog_request, bob):
    response = api.as_user(bob).get(f"/api/v1/listings/{dog_request.pk}/matches/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_someone_from_another_network_gets_404(api, other_network, dog_request):
    outsider = member(other_network).user
    response = api.as_user(outsider).get(f"/api/v1/listings/{dog_request.pk}/matches/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_listing_that_does_not_exist_gets_404(api, alice):
    response = api.as_user(alice).get("/api/v1/listings/999999/matches/")
    assert response.status_code == 404


def test_anonymous_gets_401(api, dog_request):
    response = api.get(f"/api/v1/listings/{dog_request.pk}/matches/")
    assert response.status_code == 401


def test_a_bad_limit_gets_400_with_the_error_shape(api, dog_request, alice):
    response = api.as_user(alice).get(f"/api/v1/listings/{dog_request.pk}/matches/?limit=0")
    assert response.status_code == 400
    assert "limit" in response.json()["error"]["fields"]


def test_the_limit_cuts_the_list(api, network, dog_request, alice):
    for _ in range(3):
        listing(member(network).user, network, title="Dog walking")
    response = api.as_user(alice).get(f"/api/v1/listings/{dog_request.pk}/matches/?limit=2")
    assert len(response.json()) == 2
