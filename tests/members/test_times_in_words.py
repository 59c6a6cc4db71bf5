"""`availability`: the times profiles and listings store, said the way people say them."""

import pytest

from members.templatetags.people import availability

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("morning", "afternoon", "evening")


def slots(days=DAYS, parts=PARTS) -> list[str]:
    return [f"{day}-{part}" for day in days for part in parts]


@pytest.mark.parametrize(
    ("stored", "said"),
    [
        (["sat-morning", "mon-evening"], "Monday evening, Saturday morning"),
        (slots(), "Any time"),
        (slots(DAYS[5:]) + slots(parts=["evening"]), "Weekends, Every evening"),
        (slots(DAYS[:5]) + ["sat-evening"], "Weekdays, Saturday evening"),
        (slots(DAYS[:6], ["morning"]), "Weekday mornings, Saturday morning"),
        (slots(["sat"]), "Saturday"),
        ("sat-morning", "Saturday morning"),  # one slot, not a list
        (["zz", "sat-morning", "aa"], "Saturday morning, aa, zz"),  # unknown codes as they are, in order
        (None, ""),
    ],
)
def test_times_read_as_people_say_them(stored, said):
    assert availability(stored) == said
