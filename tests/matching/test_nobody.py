"""Never a silent "nobody": a listing's matches say why nobody is suggested, and the coordinators
hear of it once per listing."""

import pytest
from django.test import Client

from exchanges.listings import listing_create
from exchanges.matching.selectors import (
    NEEDS_CHECK,
    NOBODY_FITS,
    listing_match_outcome,
    listing_matches,
    search_outcome,
)
from exchanges.matching.services import listing_match_notify, profile_skills_refresh
from exchanges.models import Listing
from members.models import Membership, Skill
from messaging.notifications.models import Notification
from tests.factories import member
from tests.matching.helpers import cleared_check, listing

pytestmark = pytest.mark.django_db


def told(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("user_id"))


@pytest.fixture
def lift_offered_on_a_profile(network):
    """A member who offers lifts on her profile, with no safeguarding check."""
    driver = member(network)
    driver.skills_offered.set(Skill.objects.filter(slug="lifts-to-appointments"))
    profile_skills_refresh(membership=driver)
    return driver


def test_only_unchecked_helpers_for_a_lift_is_said_and_the_coordinators_hear_once(
    network, alice, coordinator, lift_offered_on_a_profile
):
    unchecked_listing = listing(member(network).user, network, title="I can drive you to appointments")
    request = listing(alice, network, kind="request", title="Lift to the hospital on Tuesday")
    outcome = listing_match_outcome(listing=request)
    # The unchecked helpers are still never matched on sensitive help.
    assert outcome.matches == []
    assert outcome.nobody == NEEDS_CHECK
    assert unchecked_listing.owner not in [m.member for m in listing_matches(listing=request)]

    listing_match_notify(listing=request)
    listing_match_notify(listing=request)
    [sent] = told("match.needs_check")
    assert sent.user == coordinator
    assert sent.data == {
        "listing": request.pk,
        "owner": alice.pk,
        "reason": "needs_check",
        "form": "request",
        "title": "Lift to the hospital on Tuesday",
        "name": alice.name,
        "network": network.slug,
    }
    assert "safeguarding check" in sent.text
    assert sent.url == f"/coordinator/{network.slug}/unmatched/"
    assert not told("match.none")


def test_once_a_helper_is_checked_they_are_suggested_and_nobody_is_told(
    network, alice, coordinator, lift_offered_on_a_profile
):
    cleared_check(lift_offered_on_a_profile, coordinator)
    request = listing(alice, network, kind="request", title="Lift to the hospital on Tuesday")
    outcome = listing_match_outcome(listing=request)
    assert [m.member for m in outcome.matches] == [lift_offered_on_a_profile.user]
    assert outcome.nobody == ""
    listing_match_notify(listing=request)
    assert not told("match.needs_check")


def test_nobody_fitting_is_said_and_the_coordinators_hear_once(network, alice, coordinator):
    listing(member(network).user, network, title="Piano lessons for beginners")
    request = listing(alice, network, kind="request", title="Need my gutters cleared")
    assert listing_match_outcome(listing=request).nobody == NOBODY_FITS
    listing_match_notify(listing=request)
    listing_match_notify(listing=request)
    [sent] = told("match.none")
    assert sent.user == coordinator
    assert sent.data["reason"] == "none"


def test_listing_create_tells_the_coordinators_through_the_service(network, alice, coordinator):
    request = listing_create(actor=alice, network=network, kind="request", title="Someone to mind my kids after school")
    [sent] = told("match.needs_check") + told("match.none")
    assert sent.data["listing"] == request.pk


def test_a_listing_changed_so_that_nobody_fits_is_told_to_the_coordinators(
    api, network, alice, coordinator, lift_offered_on_a_profile
):
    """The owner is told "we have told the coordinators" after an edit too: so they are."""
    listing(member(network).user, network, title="Help with your tax return", description="Self assessment")
    request = listing_create(
        actor=alice, network=network, kind="request", title="Help with my tax return", description="Self assessment"
    )
    assert listing_match_outcome(listing=request).matches
    assert not Notification.objects.filter(kind__startswith="match.").exists()

    changed = api.as_user(alice).patch(
        f"/api/v1/listings/{request.pk}/",
        {"title": "Lift to the dentist", "description": "I need a lift"},
        format="json",
    )
    assert changed.status_code == 200
    matches = api.as_user(alice).get(f"/api/v1/listings/{request.pk}/matches/")
    assert (
        matches["Matches-Nobody"] == "needs_check"
        and "We have told the coordinators" in matches["Matches-Nobody-Message"]
    )
    [sent] = told("match.needs_check")
    assert (sent.user, sent.data["listing"], sent.data["title"]) == (coordinator, request.pk, "Lift to the dentist")
    # Another edit for the same reason tells them nothing new.
    api.as_user(alice).patch(f"/api/v1/listings/{request.pk}/", {"description": "I need a lift, please"}, format="json")
    assert len(told("match.needs_check")) == 1


def test_a_paused_listing_reopened_when_nobody_fits_is_told_and_a_paused_one_never(network, alice, coordinator):
    from exchanges.listings import listing_update

    request = listing_create(actor=alice, network=network, kind="request", title="Help with my tax return")
    Notification.objects.all().delete()
    listing_update(actor=alice, listing=request, status="paused", title="Need my gutters cleared")
    assert not told("match.none")
    listing_update(actor=alice, listing=request, status="open")
    [sent] = told("match.none")
    assert sent.url == f"/coordinator/{network.slug}/unmatched/"


def test_the_coordinators_hear_in_their_own_language_whatever_the_poster_speaks(network, alice, coordinator):
    from django.utils import translation

    from messaging.notifications.services import preferences_set

    preferences_set(user=alice, language="cy")
    with translation.override("cy"):
        listing_create(actor=alice, network=network, kind="request", title="Need my gutters cleared")
    [sent] = told("match.none")
    # Stored in the site's language, shown in the reader's: the words are the kind's, not the poster's.
    assert (
        sent.text == f"Nobody fits “Need my gutters cleared” ({alice.name}) yet: you may know someone who could help."
    )
    with translation.override("cy"):
        assert sent.shown.startswith("Does neb")


def test_an_unchecked_driver_offering_lifts_hears_why_and_the_coordinators_can_check(network, bob, coordinator):
    listing(member(network).user, network, kind="request", title="Lift to the doctors")
    offer = listing(bob, network, title="I can drive people to appointments")
    assert listing_match_outcome(listing=offer).nobody == NEEDS_CHECK
    listing_match_notify(listing=offer)
    [sent] = told("match.needs_check")
    assert sent.url == f"/listings/{offer.pk}/"


def test_an_offer_nobody_needs_yet_is_no_coordinators_business(network, bob, coordinator):
    offer = listing(bob, network, title="Piano lessons for beginners")
    assert listing_match_outcome(listing=offer).nobody == NOBODY_FITS
    listing_match_notify(listing=offer)
    assert not Notification.objects.filter(kind__startswith="match.").exists()


def test_the_api_and_the_page_say_why_nobody_is_suggested(api, network, alice, lift_offered_on_a_profile):
    request = listing(alice, network, kind="request", title="Lift to the hospital on Tuesday")
    response = api.as_user(alice).get(f"/api/v1/listings/{request.pk}/matches/")
    assert response.status_code == 200
    assert response.json() == []
    assert response["Matches-Nobody"] == "needs_check"
    assert "safeguarding check" in response["Matches-Nobody-Message"]

    client = Client()
    client.force_login(alice)
    page = client.get(f"/listings/{request.pk}/matches/")
    assert "need a safeguarding check first" in page.content.decode()


def test_matches_found_carry_no_nobody_header(api, network, alice, bob):
    request = listing(alice, network, kind="request", title="Dog", description="can someone walk my dog")
    listing(bob, network, title="Happy to walk dogs")
    response = api.as_user(alice).get(f"/api/v1/listings/{request.pk}/matches/")
    assert len(response.json()) == 1
    assert "Matches-Nobody" not in response


def test_a_listing_that_is_not_open_has_no_nobody(network, alice):
    request = listing(alice, network, kind="request", title="Need my gutters cleared")
    request.status = Listing.Status.CLOSED
    request.save()
    assert listing_match_outcome(listing=request).nobody == ""
    assert Membership.objects.filter(user=alice).exists()


# A search --------------------------------------------------------------------------------------


def test_a_search_whose_only_helpers_need_a_check_says_so_on_the_page_and_the_api(
    api, network, alice, coordinator, lift_offered_on_a_profile
):
    outcome = search_outcome(user=alice, q="a lift to the hospital")
    # The unchecked helper is still never shown for sensitive help, but the searcher is told why.
    assert outcome.matches == [] and outcome.helpers_need_check
    client = Client()
    client.force_login(alice)
    html = client.get("/listings/", {"q": "a lift to the hospital"}).content.decode()
    assert "need a safeguarding check first" in html
    # Nobody is shown above the message, so nothing speaks of "the people above".
    assert "the people above" not in html and "Nothing found" not in html
    assert 'href="/listings/new/?kind=request"' in html
    response = api.as_user(alice).get("/api/v1/search/", {"q": "a lift to the hospital"})
    assert response.status_code == 200 and response.json()["results"] == []
    assert response["Matches-Nobody"] == "needs_check"
    assert "safeguarding check first" in response["Matches-Nobody-Message"]


def test_once_the_helper_is_checked_the_search_finds_them_and_says_nothing_of_checks(
    network, alice, coordinator, lift_offered_on_a_profile
):
    cleared_check(lift_offered_on_a_profile, coordinator)
    outcome = search_outcome(user=alice, q="a lift to the hospital")
    assert [m.member for m in outcome.matches] == [lift_offered_on_a_profile.user]
    assert not outcome.helpers_need_check


def test_a_search_nobody_fits_is_not_blamed_on_checks(api, network, alice, lift_offered_on_a_profile):
    assert not search_outcome(user=alice, q="walk my dog").helpers_need_check
    # Asking only for people who asked: no word on helpers.
    assert not search_outcome(user=alice, q="a lift to the hospital", kind="request").helpers_need_check
    response = api.as_user(alice).get("/api/v1/search/", {"q": "walk my dog"})
    assert "Matches-Nobody" not in response


@pytest.fixture
def unchecked_dog_walker(network):
    """A member without a check who walks dogs and minds pets: nothing sensitive."""
    walker = member(network)
    listing(walker.user, network, title="Dog walking round Roundwood Park", description="Happy to walk or sit your dog")
    return walker


def test_a_helper_who_shares_only_a_side_of_sensitive_help_is_no_reason_to_blame_checks(
    api, network, alice, unchecked_dog_walker
):
    """ "Someone to sit with my husband" reads faintly as pet sitting too: a dog walker with a check would
    not sit with him, so nobody fits; it is not a check that is missing."""
    request = listing(alice, network, kind="request", title="Someone to sit with my husband")
    assert listing_match_outcome(listing=request).nobody == NOBODY_FITS
    assert not search_outcome(user=alice, q="someone to sit with my husband").helpers_need_check
    response = api.as_user(alice).get("/api/v1/search/", {"q": "someone to sit with my husband"})
    assert "Matches-Nobody" not in response


@pytest.fixture
def unchecked_carer(network):
    carer = member(network)
    listing(carer.user, network, title="Help with bathing and dressing", description="Former care assistant")
    return carer


@pytest.mark.parametrize("words", ["my washing needs doing", "The washing needs doing this week"])
def test_asking_for_laundry_is_not_personal_care_needing_a_check(network, alice, unchecked_carer, words):
    assert not search_outcome(user=alice, q=words).helpers_need_check
    request = listing(alice, network, kind="request", title=words)
    assert listing_match_outcome(listing=request).nobody == NOBODY_FITS


def test_asking_to_be_washed_and_dressed_still_needs_a_checked_helper(network, alice, unchecked_carer):
    outcome = search_outcome(user=alice, q="help with my washing and dressing in the mornings")
    assert outcome.matches == [] and outcome.helpers_need_check
    # Find help still lists the offer by its words, apart from the people it would suggest.
    client = Client()
    client.force_login(alice)
    html = client.get("/listings/", {"q": "dressing"}).content.decode()
    assert "need a safeguarding check first" in html
    assert html.index("need a safeguarding check first") < html.index("Listings with these words")
    assert html.index("Listings with these words") < html.index("Help with bathing and dressing")


def test_a_driver_with_only_a_dbs_check_is_not_suggested_for_a_lift_until_licence_and_insurance_are_recorded(
    network, alice, coordinator, lift_offered_on_a_profile
):
    cleared_check(lift_offered_on_a_profile, coordinator, drives=False)
    request = listing(alice, network, kind="request", title="Lift to the hospital on Tuesday")
    outcome = listing_match_outcome(listing=request)
    assert outcome.matches == [] and outcome.nobody == NEEDS_CHECK
    assert [m.member for m in outcome.fit_once_checked] == [lift_offered_on_a_profile.user]
    assert not search_outcome(user=alice, q="a lift to the hospital").matches

    cleared_check(lift_offered_on_a_profile, coordinator)  # licence and insurance now too
    assert [m.member for m in listing_match_outcome(listing=request).matches] == [lift_offered_on_a_profile.user]
    assert [m.member for m in search_outcome(user=alice, q="a lift to the hospital").matches] == [
        lift_offered_on_a_profile.user
    ]
