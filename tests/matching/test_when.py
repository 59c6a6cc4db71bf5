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


def test_times_the_writer_cannot_do_are_left_out():
    assert said_availability("Happy to help, but not weekends") == slots(DAYS[:5])
    assert said_availability("Any day except Sunday") == slots(DAYS[:6])
    assert said_availability("I can't do evenings") == slots(parts=["morning", "afternoon"])


@pytest.mark.django_db
def test_a_listing_with_no_times_ticked_takes_the_times_its_words_name(network, alice):
    listing = listing_create(
        actor=alice,
        network=network,
        kind="request",
        title="Lift home from my club",
        description="It's on Tuesday evenings.",
    )
    assert listing.availability == ["tue-evening"]
    ticked = listing_create(
        actor=alice,
        network=network,
        kind="request",
        title="Dog walk",
        description="Tuesday evening",
        availability=["sat-morning"],
    )
    assert ticked.availability == ["sat-morning"]
    listing_update(actor=alice, listing=ticked, availability=[], description="Saturday mornings suit me best")
    ticked.refresh_from_db()
    assert ticked.availability == ["sat-morning"] and ticked.description == "Saturday mornings suit me best"
    listing_update(actor=alice, listing=ticked, availability=[], description="Any time")
    ticked.refresh_from_db()
    assert ticked.availability == []


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
