"""When a listing's words say the help is wanted or given: "tues 7pm", "Thursday nights", "free most
weekday mornings", "after school". Read as the days and parts of the day that profiles and listings
tick (`mon-morning` … `sun-evening`), so a request for a lift home on a Tuesday evening meets the
helper who gives lifts in the evenings before the one who drives to church on Sundays.

The reading is cautious: a wrong time ranks the wrong helper first and tells them so ("Free on
Sunday mornings"), while a time missed only leaves the ticked ones, or the profile's, to decide.
So a sentence that rules anything out ("not weekends", "any day but Sunday", "I work nights") says
nothing at all, a greeting ("Morning all") or a thing ("night storage heaters") is no time, nor is a
day that names an event, a past or a start ("Black Friday", "last Monday", "in hospital from Monday").

Pure: no database. A text that names no time says nothing (an empty set), never "any time".
"""

from __future__ import annotations

import re

from exchanges.matching.scoring import DAYS, PARTS, Slot

_WEEKDAYS = DAYS[:5]
_WEEKEND = DAYS[5:]

# Each day's ways of being written, misspelt ones among them. "sat", "sun", "mon", "wed" and "thu" are
# other words too (a chair was sat on, "och mon", just got wed, a name): they count only straight
# before a part of the day ("Sat morning", "sun 10am").
_DAY_WORDS = {
    "mon": "monday mondays munday",
    "tue": "tuesday tuesdays tues tue tuseday tusday teusday tuesdy",
    "wed": "wednesday wednesdays weds wensday wendsday wednsday wedensday wednesdy",
    "thu": "thursday thursdays thurs thur thrusday thursady thurday",
    "fri": "friday fridays fri frday firday",
    "sat": "saturday saturdays saterday satarday satuday saturady",
    "sun": "sunday sundays",
}
_ONLY_BEFORE_A_PART = {
    "sat": "sat",
    "sun": "sun",
    "mon": "mon",
    "wed": "wed",
    "thu": "thu",
    "sats": "sat",
    "suns": "sun",
}
_DAY_OF = {word: day for day, words in _DAY_WORDS.items() for word in words.split()}
_DAYS_OF: dict[str, tuple[str, ...]] = {
    **{word: (day,) for word, day in _DAY_OF.items()},
    "weekday": _WEEKDAYS,
    "weekdays": _WEEKDAYS,
    "weekdys": _WEEKDAYS,
    "wkdays": _WEEKDAYS,
    "weekend": _WEEKEND,
    "weekends": _WEEKEND,
    "wkends": _WEEKEND,
    "wknds": _WEEKEND,
}
_PART_OF = {
    "morning": "morning",
    "mornings": "morning",
    "mornin": "morning",
    "mornins": "morning",
    "afternoon": "afternoon",
    "afternoons": "afternoon",
    "lunchtime": "afternoon",
    "lunchtimes": "afternoon",
    "evening": "evening",
    "evenings": "evening",
    "evenin": "evening",
    "evenins": "evening",
    "evng": "evening",
    "eveings": "evening",
    "night": "evening",
    "nights": "evening",
    "nite": "evening",
    "nites": "evening",
    "tonight": "evening",
    "tonite": "evening",
}
# Straight after a day: "sat am", "weds pm", "sunday eve", "thursday teatime".
_HALF_OF_DAY = {"am": "morning", "pm": "afternoon", "eve": "evening", "neet": "evening", "teatime": "evening"}
# A part of the day on its own is a time only in words like these ("in the evening", "every morning",
# "tomorrow night"), or written as plural ("evenings"), or as "tonight"; not "Morning all" or "night light".
_PART_AFTER_WORDS = frozenset("the this every each one an any some most tomorrow at of during early late".split())
_ALWAYS_A_TIME = frozenset(
    "mornings mornins afternoons lunchtimes evenings evenins eveings nights nites tonight tonite".split()
)

# Words that rule a time out, or say whose time it is not ("not weekends", "any day but Sunday", "I work
# nights", "weekends are out"): a sentence with one near a time says nothing.
_RULES_OUT = frozenset(
    "not no never nothing except apart other but cannot cant can't won't wont don't dont isn't aren't unable "
    "unavailable busy away work works working shift shifts out".split()
)
_RULED_BEFORE, _RULED_AFTER = 4, 3
# Greetings and things that are not times.
_NOT_A_TIME = re.compile(
    r"\bgood (?:morning|afternoon|evening|night)\b"
    r"|^\W*(?:morning|afternoon|evening)\s*(?:,|$)"
    r"|\b(?:morning|afternoon|evening)s? (?:all|everyone|everybody|folks|guys|friends|ladies|people|neighbours|team)\b"
    r"|\b(?:coffee|open|fun|quiz|bingo|games?|film|curry|race|date|hen|stag|sleepless|bad|long|restless)"
    r"\s+(?:mornings?|afternoons?|evenings?|nights?)\b"
    r"|\b(?:mornings?|afternoons?|evenings?|nights?)\s+(?:storage|lights?|dress|dresses|sickness|room|primrose|shifts?|"
    r"sleep|cream|nurse|owl|out|bus|class|classes|terrors|sweats)\b"
    r"|\bnight's\b"
)
# How long, not when: "kept in five nights", "a couple of nights away".
_HOW_LONG = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|few|several|couple of|many)\s+"
    r"(?:more\s+)?(?:nights?|evenings?|mornings?|afternoons?|days?|weekends?)\b"
)
# A day that names an event, a past or a start, not when help is wanted.
_NOT_WHEN_BEFORE = frozenset(
    "last since from until till til by before past good black shrove ash easter palm mothering remembrance "
    "cyber blue man girl whit holy maundy had".split()
)
_NOT_WHEN_AFTER = frozenset(
    "dinner lunch roast paper papers school league market kitchen job bridge times telegraph mail post people "
    "best service's well street road".split()
)
_NOT_WHEN_WEEKEND = frozenset("last good nice lovely great long past".split())
# Phrases that say a part of the day, each put as that part's word before the words are read.
_PHRASES = (
    (re.compile(r"\bafter (?:work|dark|tea)\b|\bin the dark\b"), "evenings"),
    (re.compile(r"\bafter school\b|\bschool pick ?ups?\b|\bpick (?:\w+ )?up from school\b"), "afternoons"),
    (re.compile(r"\bschool run\b|\bbefore (?:work|school)\b"), "mornings"),
)
# "7pm", "9.30 am", "19:00"; a bare number is not a time ("finishes at 9", "Year 9").
_CLOCK = re.compile(r"\b(\d{1,2})(?:[.:]\d{2})?\s*([ap])\.?m\b\.?")
_DAY_CLOCK = re.compile(r"\b(1[3-9]|2[0-3])[.:][0-5]\d\b")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_SENTENCE = re.compile(r"[.!?;\n]+")
# Between days ("Tuesday and Thursday"), or parts of the day.
_JOINS = frozenset("and or n also".split())
# "Monday to Friday", "Tues-Thurs", "weds thru fri"
_RANGE_DAY_OF = {**_DAY_OF, **_ONLY_BEFORE_A_PART}
_ANY_DAY = "|".join(sorted(_RANGE_DAY_OF, key=len, reverse=True))
_RANGE = re.compile(rf"\b(?:from\s+)?({_ANY_DAY})\s*(?:-|–|to|till|until|thru|through)\s*({_ANY_DAY})\b")
# How far after its days a part of the day may be written and still be theirs ("every Sunday for the
# service at 10am"), within one sentence.
_PART_AFTER = 6


def _clock_part(hour: int, half: str) -> str:
    if not 1 <= hour <= 12:
        return " "
    if half == "a":
        return " mornings " if hour != 12 else " "
    return " afternoons " if hour == 12 or hour < 6 else " evenings "


def _range(match: re.Match[str]) -> str:
    first, last = DAYS.index(_RANGE_DAY_OF[match.group(1)]), DAYS.index(_RANGE_DAY_OF[match.group(2)])
    span = [DAYS[(first + k) % 7] for k in range((last - first) % 7 + 1)]
    return " " + " ".join(_DAY_WORDS[day].split()[0] for day in span) + " "


def _prepared(text: str) -> str:
    lowered = text.casefold().replace("’", "'")
    lowered = _HOW_LONG.sub(" ", lowered)
    lowered = _CLOCK.sub(lambda m: _clock_part(int(m.group(1)), m.group(2)), lowered)
    lowered = _DAY_CLOCK.sub(lambda m: " afternoons " if int(m.group(1)) < 18 else " evenings ", lowered)
    lowered = " . ".join(_NOT_A_TIME.sub(" ", sentence) for sentence in _SENTENCE.split(lowered))
    for pattern, part in _PHRASES:
        lowered = pattern.sub(f" {part} ", lowered)
    return _RANGE.sub(_range, lowered)


def said_slots(text: str) -> frozenset[Slot]:
    """The days and parts of the day a text names. A part written next to days is those days' part
    ("Tuesday and Thursday evenings", "weekday mornings", "tues 7pm", "7am on Saturday"), and a day
    given a part anywhere has only the parts given ("Bingo Thursdays ... Thursday nights"); a day on
    its own is the whole day, a part on its own that part of every day ("lifts evenings and
    weekends") unless it is a part a day was given ("Thursday nights ... the walk home in the dark")."""
    days_said: dict[str, set[str] | None] = {}
    parts_alone: set[str] = set()
    for sentence in _SENTENCE.split(_prepared(text)):
        tokens = _WORD.findall(sentence)
        if not _rules_out(tokens):
            _read_sentence(tokens, days_said, parts_alone)
    given = {part for parts in days_said.values() if parts for part in parts}
    found = {(day, part) for day, parts in days_said.items() for part in (parts or PARTS)}
    return frozenset(found | {(day, part) for part in parts_alone - given for day in DAYS})


def _rules_out(tokens: list[str]) -> bool:
    """Whether a word that rules a time out stands near one of the sentence's days or parts of the day."""
    for i, token in enumerate(tokens):
        if token in _PART_OF or token in _DAYS_OF or token in _ONLY_BEFORE_A_PART:
            if _RULES_OUT.intersection(tokens[max(i - _RULED_BEFORE, 0) : i + 1 + _RULED_AFTER]):
                return True
    return False


def _days_at(tokens: list[str], i: int) -> tuple[str, ...]:
    """The days the word at `i` names, if it names them as a time."""
    word = tokens[i]
    before = tokens[i - 1] if i else ""
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    if word in _ONLY_BEFORE_A_PART:
        return (_ONLY_BEFORE_A_PART[word],) if after in _PART_OF or after in _HALF_OF_DAY else ()
    if word not in _DAYS_OF or before in _NOT_WHEN_BEFORE or after in _NOT_WHEN_AFTER or word.endswith("'s"):
        return ()
    if word.startswith("weekend") and before in _NOT_WHEN_WEEKEND:
        return ()
    return _DAYS_OF[word]


def _read_sentence(tokens: list[str], days_said: dict[str, set[str] | None], parts_alone: set[str]) -> None:
    used: set[int] = set()
    i = 0
    while i < len(tokens):
        days = set(_days_at(tokens, i))
        if not days:
            i += 1
            continue
        start = i
        i += 1
        # "Tuesday and Thursday", "sat sun", but not "weekends and weekday evenings"
        while i < len(tokens):
            if tokens[i] in _JOINS and i + 1 < len(tokens) and tokens[i + 1] in _DAY_OF and _days_at(tokens, i + 1):
                days.update(_days_at(tokens, i + 1))
                i += 2
            elif tokens[i] in _DAY_OF and _days_at(tokens, i):
                days.update(_days_at(tokens, i))
                i += 1
            else:
                break
        parts: set[str] = set()
        # "7am on Saturday", "between 9am and 5pm on Tuesdays", "10am Monday"
        k = start - 1
        if k >= 0 and (tokens[k] == "on" or tokens[k] in _PART_OF):
            k -= tokens[k] == "on"
            while k >= 0 and (tokens[k] in _PART_OF or tokens[k] in _JOINS or tokens[k] in {"between", "to", "till"}):
                if tokens[k] in _PART_OF:
                    parts.add(_PART_OF[tokens[k]])
                    used.add(k)
                k -= 1
        if i < len(tokens) and tokens[i] in _HALF_OF_DAY:
            parts.add(_HALF_OF_DAY[tokens[i]])
        j = i
        while j < min(len(tokens), i + _PART_AFTER) and not _days_at(tokens, j):
            if tokens[j] in _PART_OF:
                parts.add(_PART_OF[tokens[j]])
                used.add(j)
                # "mornings and afternoons", "9am-1pm"
                if j + 1 < len(tokens) and tokens[j + 1] in _PART_OF:
                    j += 1
                    continue
                if j + 2 < len(tokens) and tokens[j + 1] in _JOINS and tokens[j + 2] in _PART_OF:
                    j += 2
                    continue
                break
            if tokens[j] in _JOINS and j + 1 < len(tokens) and tokens[j + 1] in _PART_OF:
                break  # "Saturdays and evenings": both on their own
            j += 1
        for day in days:
            if parts:
                days_said[day] = (days_said.get(day) or set()) | parts
            else:
                days_said.setdefault(day, None)
    for index, token in enumerate(tokens):
        if token in _PART_OF and index not in used:
            before = tokens[index - 1] if index else ""
            if token in _ALWAYS_A_TIME or before in _PART_AFTER_WORDS:
                parts_alone.add(_PART_OF[token])


def said_availability(text: str) -> list[str]:
    """`said_slots` as profiles and listings store them: ["tue-evening", …], in the week's order."""
    slots = sorted(said_slots(text), key=lambda slot: (DAYS.index(slot[0]), PARTS.index(slot[1])))
    return [f"{day}-{part}" for day, part in slots]
