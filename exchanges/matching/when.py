"""When a listing's words say the help is wanted or given: "tues 7pm", "Thursday nights", "free most
weekday mornings", "after school". Read as the days and parts of the day that profiles and listings
tick (`mon-morning` … `sun-evening`), so a request for a lift home on a Tuesday evening meets the
helper who gives lifts in the evenings before the one who drives to church on Sundays.

Pure: no database. A text that names no time says nothing (an empty set), never "any time".
"""

from __future__ import annotations

import re
from itertools import accumulate

from exchanges.matching.scoring import DAYS, PARTS, Slot

_WEEKDAYS = DAYS[:5]
_WEEKEND = DAYS[5:]

# Each day's ways of being written; "sat" and "sun" only in full (a chair was sat on, the sun shone).
_DAY_WORDS = {
    "mon": "monday mondays mon",
    "tue": "tuesday tuesdays tues tue tuesdays",
    "wed": "wednesday wednesdays weds wed wednesdy",
    "thu": "thursday thursdays thurs thur thu",
    "fri": "friday fridays fri",
    "sat": "saturday saturdays sats",
    "sun": "sunday sundays",
}
_DAY_OF = {word: day for day, words in _DAY_WORDS.items() for word in words.split()}
_DAYS_OF = {
    **{word: (day,) for word, day in _DAY_OF.items()},
    "weekday": _WEEKDAYS,
    "weekdays": _WEEKDAYS,
    "weekend": _WEEKEND,
    "weekends": _WEEKEND,
}
_PART_OF = {
    "morning": "morning",
    "mornings": "morning",
    "afternoon": "afternoon",
    "afternoons": "afternoon",
    "lunchtime": "afternoon",
    "lunchtimes": "afternoon",
    "evening": "evening",
    "evenings": "evening",
    "eveings": "evening",
    "eve": "evening",
    "night": "evening",
    "nights": "evening",
    "nite": "evening",
    "nites": "evening",
    "tonight": "evening",
    "tonite": "evening",
}
# A part of the day that names an event, not a time: a coffee morning may be asked for any day.
_NOT_A_TIME = re.compile(
    r"\b(?:coffee|open|fun|quiz|bingo|games?|film|curry|race|date|hen|stag)\s+(?:morning|afternoon|evening|night)s?\b"
)
# How long, not when: "kept in five nights", "a couple of nights away".
_HOW_LONG = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|few|several|couple of|many)\s+"
    r"(?:more\s+)?(?:nights?|evenings?|mornings?|afternoons?|days?|weekends?)\b"
)
# Phrases that say a part of the day, each put as that part's word before the words are read.
_PHRASES = (
    (re.compile(r"\bafter (?:work|dark|tea)\b|\bin the dark\b"), "evening"),
    (re.compile(r"\bafter school\b|\bschool pick ?ups?\b|\bpick (?:\w+ )?up from school\b"), "afternoon"),
    (re.compile(r"\bschool run\b|\bbefore (?:work|school)\b"), "morning"),
)
# "7pm", "9.30 am"; a bare number is not a time ("finishes at 9", "Year 9").
_CLOCK = re.compile(r"\b(\d{1,2})(?:[.:]\d{2})?\s*([ap])\.?m\b\.?")
_WORD = re.compile(r"[a-z]+")
# Between days ("Tuesday and Thursday"), or parts of the day.
_JOINS = frozenset("and or n also".split())
_LOOK_AHEAD = 3
# How far after its days a part of the day may be written and still be theirs ("every Sunday for the
# service at 10am"), within one sentence.
_PART_AFTER = 6
_SENTENCE = re.compile(r"[.!?;:\n]+")
# Times a writer cannot do: "not weekends", "can't do evenings", "any day except Sunday".
_NOT = frozenset("not no nothing except never cannot cant t busy but".split())


def _clock_part(match: re.Match[str]) -> str:
    hour = int(match.group(1))
    if not 1 <= hour <= 12:
        return " "
    if match.group(2) == "a":
        return " morning " if hour != 12 else " "
    return " afternoon " if hour == 12 or hour < 5 else " evening "


def said_slots(text: str) -> frozenset[Slot]:
    """The days and parts of the day a text names. A part written after days is those days' part
    ("Tuesday and Thursday evenings", "weekday mornings", "tues 7pm"), and a day given a part anywhere
    has only the parts given ("Bingo Thursdays ... Thursday nights"); a day on its own is the whole
    day, a part on its own that part of every day ("lifts evenings and weekends") unless it is a part
    a day was given ("Thursday nights ... the walk home in the dark")."""
    lowered = _HOW_LONG.sub(" ", _NOT_A_TIME.sub(" ", text.casefold()))
    lowered = _CLOCK.sub(_clock_part, lowered)
    for pattern, part in _PHRASES:
        lowered = pattern.sub(f" {part} ", lowered)
    sentences = [_WORD.findall(sentence) for sentence in _SENTENCE.split(lowered)]
    tokens = [word for sentence in sentences for word in sentence]
    # Where each word's sentence ends.
    ends = [end for sentence, end in zip(sentences, accumulate(map(len, sentences)), strict=True) for _ in sentence]
    # Said, and ruled out ("not weekends"): each day's parts given (None: the whole day), and parts alone.
    days_said: tuple[dict[str, set[str] | None], dict[str, set[str] | None]] = ({}, {})
    parts_said: tuple[set[str], set[str]] = (set(), set())
    used: set[int] = set()

    def ruled_out(start: int) -> int:
        before = tokens[max(start - _LOOK_AHEAD, 0) : start]
        return int(bool(_NOT.intersection(before)) and "but" not in before[-1:])

    i = 0
    while i < len(tokens):
        if tokens[i] not in _DAYS_OF:
            i += 1
            continue
        start = i
        days = set(_DAYS_OF[tokens[i]])
        i += 1
        # "Tuesday and Thursday", but not "weekends and weekday evenings"
        while i + 1 < len(tokens) and tokens[i] in _JOINS and tokens[i + 1] in _DAY_OF:
            days.update(_DAYS_OF[tokens[i + 1]])
            i += 2
        while i < len(tokens) and tokens[i] in _DAYS_OF:  # "sat sun"
            days.update(_DAYS_OF[tokens[i]])
            i += 1
        parts: set[str] = set()
        # "7am on Saturday", "mornings on weekdays"
        if (
            start >= 2
            and tokens[start - 1] == "on"
            and tokens[start - 2] in _PART_OF
            and ends[start - 2] == ends[start]
        ):
            parts.add(_PART_OF[tokens[start - 2]])
            used.add(start - 2)
        j = i
        while j < min(ends[start], i + _PART_AFTER) and tokens[j] not in _DAYS_OF:
            if tokens[j] in _PART_OF:
                parts.add(_PART_OF[tokens[j]])
                used.add(j)
                # "mornings and afternoons"
                if j + 2 < ends[start] and tokens[j + 1] in _JOINS and tokens[j + 2] in _PART_OF:
                    j += 2
                    continue
                break
            if tokens[j] in _JOINS and j + 1 < len(tokens) and tokens[j + 1] in _PART_OF:
                break  # "Saturdays and evenings": both on their own
            j += 1
        given = days_said[ruled_out(start)]
        for day in days:
            if parts:
                given[day] = (given.get(day) or set()) | parts
            else:
                given.setdefault(day, None)
    for index, token in enumerate(tokens):
        if token in _PART_OF and index not in used:
            parts_said[ruled_out(index)].add(_PART_OF[token])

    def slots(kind: int) -> set[Slot]:
        given = {part for parts in days_said[kind].values() if parts for part in parts}
        found = {(day, part) for day, parts in days_said[kind].items() for part in (parts or PARTS)}
        return found | {(day, part) for part in parts_said[kind] - given for day in DAYS}

    said, not_said = slots(0), slots(1)
    if not said and not_said:  # "any time but Sundays"
        said = {(day, part) for day in DAYS for part in PARTS}
    return frozenset(said - not_said)


def said_availability(text: str) -> list[str]:
    """`said_slots` as profiles and listings store them: ["tue-evening", …], in the week's order."""
    slots = sorted(said_slots(text), key=lambda slot: (DAYS.index(slot[0]), PARTS.index(slot[1])))
    return [f"{day}-{part}" for day, part in slots]
