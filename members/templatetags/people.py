"""`{% load people %}`: people's words for what the models store as codes."""

from django import template
from django.utils.translation import gettext_lazy as _

from members.models import AVAILABILITY_DAYS, AVAILABILITY_PARTS, DAY_NAMES, slot_words

register = template.Library()

# Each part of the day on every day, and on weekdays: whole phrases, as languages order them differently.
EVERY = {"morning": _("Every morning"), "afternoon": _("Every afternoon"), "evening": _("Every evening")}
WEEKDAY = {"morning": _("Weekday mornings"), "afternoon": _("Weekday afternoons"), "evening": _("Weekday evenings")}
WEEKDAYS, WEEKEND = frozenset(AVAILABILITY_DAYS[:5]), frozenset(AVAILABILITY_DAYS[5:])
ORDER = [f"{day}-{part}" for day in AVAILABILITY_DAYS for part in AVAILABILITY_PARTS]


@register.filter
def availability(slots) -> str:
    """`["sat-morning", "mon-evening"]` → "Saturday morning, Monday evening": whole days by their
    names ("Weekends"), a part of the day on every day or every weekday in a phrase ("Every evening"),
    every time "Any time"."""
    if isinstance(slots, str):
        slots = [slots]
    elif not isinstance(slots, list | tuple | set | frozenset):
        slots = []
    left = {slot for slot in slots if isinstance(slot, str)}
    whole = {day for day in AVAILABILITY_DAYS if all(f"{day}-{part}" in left for part in AVAILABILITY_PARTS)}
    if len(whole) == len(AVAILABILITY_DAYS):
        return str(_("Any time"))
    said = []
    named = set()
    for days, name in ((WEEKDAYS, _("Weekdays")), (WEEKEND, _("Weekends"))):
        if days <= whole:
            said.append(str(name))
            named |= days
    said += [str(DAY_NAMES[day]) for day in AVAILABILITY_DAYS if day in whole - named]
    left -= {f"{day}-{part}" for day in whole for part in AVAILABILITY_PARTS}
    for part in AVAILABILITY_PARTS:
        on = {day for day in AVAILABILITY_DAYS if f"{day}-{part}" in left} | whole
        if not on - whole:
            continue
        if len(on) == len(AVAILABILITY_DAYS):
            said.append(str(EVERY[part]))
        elif WEEKDAYS <= on and not WEEKDAYS <= whole:
            said.append(str(WEEKDAY[part]))
            on = WEEKDAYS
        else:
            continue
        left -= {f"{day}-{part}" for day in on}
    said += [
        slot_words(slot) for slot in sorted(left, key=lambda s: (ORDER.index(s), s) if s in ORDER else (len(ORDER), s))
    ]
    return ", ".join(said)
