"""When a listing's words say help is wanted or given, read as the days and parts of the day that
profiles and listings tick; and the listing services store them when none are ticked."""

import pytest

from exchanges.listings import listing_create, listing_update
from exchanges.matching.selectors import listing_matches
from exchanges.matching.when import said_availability
from tests.factories import member

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("morning", "afternoon", "evening")


def slots(days=DAYS, parts=PARTS) -> list[str]:
    return [f"{day}-{part}" for day in DAYS for part in PARTS if day in days and part in parts]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("I go to a slimming club on Tuesday evenings", ["tue-evening"]),
        ("my meeting is tues 7pm in kensal rise", ["tue-evening"]),
        ("Bingo at the social club Thursday nights", ["thu-evening"]),
        ("Thursday nights at the club, I don't like the walk home in the dark", ["thu-evening"]),
        ("Mon-Fri mornings", slots(DAYS[:5], ["morning"])),
        ("Sat morning or sun 10am", ["sat-morning", "sun-morning"]),
        ("thrusday 19:30", ["thu-evening"]),
        ("Tuesday 9am-1pm", ["tue-morning", "tue-afternoon"]),
        ("Tuesday and Thursday evenings", ["tue-evening", "thu-evening"]),
        ("I'm free most weekday mornings", slots(DAYS[:5], ["morning"])),
        ("Swimming gala on Saturday morning", ["sat-morning"]),
        ("Flight at 7am on Saturday", ["sat-morning"]),
        (
            "weekends and weekday evenings",
            sorted({*slots(["sat", "sun"]), *slots(parts=["evening"])}, key=slots().index),
        ),
        ("every Sunday for the service at 10am", ["sun-morning"]),
        ("scan on the 14th at 2.30 pm", slots(parts=["afternoon"])),
        ("Car free Saturdays", slots(["sat"])),
        ("Can give lifts in the evening after work", slots(parts=["evening"])),
        # A part before the days is every day's: all evenings, and the whole weekend.
        (
            "happy to help with lifts eveings and weekends",
            sorted({*slots(parts=["evening"]), *slots(["sat", "sun"])}, key=slots().index),
        ),
    ],
)
def test_days_and_parts_of_the_day_are_read(text, said):
    assert said_availability(text) == said


@pytest.mark.parametrize(
    "text",
    [
        "Help at our coffee morning",  # an event, any day
        "They'll keep me in about five nights",  # how long, not when
        "The class finishes at 9 and my son is in Year 9",  # bare numbers are not times
        "I sat down in the sun",  # "sat" and "sun" as words
        "Trim my front hedge",
    ],
)
def test_words_that_name_no_time_say_nothing(text):
    assert said_availability(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Happy to help, but not weekends",
        "Any day but Sunday",
        "I can't do evenings",
        "Weekends are out for me",
        "No rush, Saturday morning ideally",
        "I work nights so can only do mornings",
        "My neighbour Eve needs help with her shopping",
        "Good morning all, my night storage heater has stopped",
        "Hope everyone had a good weekend. Since last Tuesday my boiler's broken",
        "Help my daughter revise for her SATs",
        "I'm in hospital from Monday, need someone to feed my cat",
        "Och mon, just got wed. Black Friday was mad",
    ],
)
def test_a_sentence_that_rules_times_out_and_words_that_are_not_times_say_nothing(text):
    # Cautious: a time read wrongly ranks the wrong helper first; one missed leaves the profile's.
    assert said_availability(text) == []


@pytest.mark.django_db
def test_a_listing_keeps_the_times_its_words_name_apart_from_those_ticked(network, alice):
    listing = listing_create(
        actor=alice, network=network, kind="request", title="Lift home from my club", description="On Tuesday evenings."
    )
    assert (listing.availability, listing.said_times) == ([], ["tue-evening"])
    listing_update(
        actor=alice, listing=listing, description="It's moved to Saturday mornings", availability=["sun-morning"]
    )
    listing.refresh_from_db()
    assert (listing.availability, listing.said_times) == (["sun-morning"], ["sat-morning"])
    listing_update(actor=alice, listing=listing, description="Any time")
    listing.refresh_from_db()
    assert (listing.availability, listing.said_times) == (["sun-morning"], [])


@pytest.mark.django_db
def test_the_helper_free_when_a_request_says_comes_first_and_is_told_why(network, alice):
    sundays, saturdays = member(network).user, member(network).user
    listing_create(actor=sundays, network=network, kind="offer", title="Dog walking", description="On Sundays.")
    listing_create(actor=saturdays, network=network, kind="offer", title="Dog walking", description="On Saturdays.")
    request = listing_create(
        actor=alice, network=network, kind="request", title="Dog walking", description="Saturday morning please."
    )
    first, second = listing_matches(listing=request)
    assert first.member == saturdays and "Free on Saturday mornings" in first.reasons
    assert second.member == sundays and not any(reason.startswith("Free on") for reason in second.reasons)


@pytest.mark.django_db
def test_times_ticked_come_before_the_words_and_the_words_before_the_profile(network, alice):
    evenings = member(network, availability=["sat-evening"]).user
    listing_create(actor=evenings, network=network, kind="offer", title="Dog walking", description="Any evening")
    profile_saturdays = member(network, availability=["sat-morning"]).user
    listing_create(actor=profile_saturdays, network=network, kind="offer", title="Dog walking")
    ticked = listing_create(
        actor=alice,
        network=network,
        kind="request",
        title="Dog walking",
        description="Tuesday evenings",
        availability=["sat-morning"],
    )
    first, second = listing_matches(listing=ticked)
    assert first.member == profile_saturdays and "Free on Saturday mornings" in first.reasons
    ticked = listing_update(actor=alice, listing=ticked, availability=[])
    first, second = listing_matches(listing=ticked)
    assert first.member == evenings and "Free on Tuesday evenings" in first.reasons
