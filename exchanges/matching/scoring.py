"""One match score and its plain-language reasons; every weight lives in `Weights`.

Inputs are plain dataclasses so the scoring can be tested, and tuned, without a database.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from exchanges.matching.taxonomy import Taxonomy

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# "Free on Monday mornings": each day and part of it as a whole phrase, as languages order them
# differently ("boreau Llun").
SLOT_NAMES = {
    ("mon", "morning"): gettext_lazy("Monday mornings"),
    ("mon", "afternoon"): gettext_lazy("Monday afternoons"),
    ("mon", "evening"): gettext_lazy("Monday evenings"),
    ("tue", "morning"): gettext_lazy("Tuesday mornings"),
    ("tue", "afternoon"): gettext_lazy("Tuesday afternoons"),
    ("tue", "evening"): gettext_lazy("Tuesday evenings"),
    ("wed", "morning"): gettext_lazy("Wednesday mornings"),
    ("wed", "afternoon"): gettext_lazy("Wednesday afternoons"),
    ("wed", "evening"): gettext_lazy("Wednesday evenings"),
    ("thu", "morning"): gettext_lazy("Thursday mornings"),
    ("thu", "afternoon"): gettext_lazy("Thursday afternoons"),
    ("thu", "evening"): gettext_lazy("Thursday evenings"),
    ("fri", "morning"): gettext_lazy("Friday mornings"),
    ("fri", "afternoon"): gettext_lazy("Friday afternoons"),
    ("fri", "evening"): gettext_lazy("Friday evenings"),
    ("sat", "morning"): gettext_lazy("Saturday mornings"),
    ("sat", "afternoon"): gettext_lazy("Saturday afternoons"),
    ("sat", "evening"): gettext_lazy("Saturday evenings"),
    ("sun", "morning"): gettext_lazy("Sunday mornings"),
    ("sun", "afternoon"): gettext_lazy("Sunday afternoons"),
    ("sun", "evening"): gettext_lazy("Sunday evenings"),
}
PARTS = ("morning", "afternoon", "evening")
Slot = tuple[str, str]
Kind = Literal["request", "offer"]


@dataclass(frozen=True)
class Weights:
    """Everything that decides the order of matches, in one place."""

    # Skills decide whether two listings match at all; the rest only reorders good matches.
    skill: float = 1.0
    # Share of the skill overlap earned by a shared category when the skills differ
    # (mowing the lawn for someone who asked for gardening).
    same_category: float = 0.3
    availability: float = 0.15
    same_neighbourhood: float = 0.12
    nearby_neighbourhood: float = 0.06
    reliability: float = 0.1
    # Small lifts so new connections form and help flows both ways.
    new_connection: float = 0.05
    balance: float = 0.05
    # Below this skill overlap (or its fit with meaning, `meaning.fit`) a candidate is not shown
    # at all. Both thresholds were set for the fit, with the lens on the model's vectors, on the dev
    # sets' pairs of request and offer (bench/RESULTS.md): as many right helpers shown as before the
    # lens (97 %) and fewer others; no more wrong helpers notified than before (0.02 % of pairs).
    # Without the model they apply to the overlap alone, which was not measured again.
    min_skill_overlap: float = 0.13
    # From this skill overlap a new listing is worth a notification to the person it fits.
    notify_skill_overlap: float = 0.7


WEIGHTS = Weights()

# From this closeness in meaning (a cosine through the lens) the reasons say the two listings are
# close: more right helpers of the dev sets than 0.4 before the lens (48 % against 44 %), fewer others.
CLOSE_IN_MEANING = 0.45

# Reliability needs a few exchanges before it is worth mentioning.
RELIABLE_AFTER = 3
# Minutes of slack before giving and receiving count as out of balance.
BALANCE_SLACK_MINUTES = 120


@dataclass(frozen=True)
class Side:
    """One side of a possible match: what the listing or member wants or offers, when, where."""

    skills: Mapping[str, float]
    availability: frozenset[Slot] = frozenset()
    neighbourhood: str = ""
    # The listing's meaning (a unit numpy vector, `semantic`), and its title for the reasons.
    vector: Any = None
    title: str = ""


@dataclass(frozen=True)
class TrackRecord:
    completed: int = 0
    cancelled: int = 0
    disputed: int = 0
    minutes_given: int = 0
    minutes_received: int = 0


@dataclass(frozen=True)
class MatchInput:
    """`kind` is the kind of the listing we find matches for; the candidate is the other kind."""

    kind: Kind
    mine: Side
    theirs: Side
    their_record: TrackRecord = TrackRecord()
    met_before: bool = False
    nearby: frozenset[str] = frozenset()
    # A search rather than a listing: `mine` is the searcher's words, and the reasons say what
    # the candidate offers or asks for, not what "you" asked for or offer.
    search: bool = False


@dataclass(frozen=True)
class Match:
    score: float
    skill_overlap: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SkillOverlap:
    score: float
    shared_skills: list[str]
    shared_categories: list[str]


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    dot = sum(w * b[k] for k, w in a.items() if k in b)
    if not dot:
        return 0.0
    return dot / (math.hypot(*a.values()) * math.hypot(*b.values()))


def category_totals(skills: Mapping[str, float], taxonomy: Taxonomy) -> dict[str, float]:
    """Each category's summed skill weight; only the categories the skills touch."""
    totals: dict[str, float] = defaultdict(float)
    for slug, weight in skills.items():
        skill = taxonomy.skills.get(slug)
        if skill is not None:
            totals[skill.category.slug] += weight
    return totals


def skill_overlap(
    mine: Mapping[str, float],
    theirs: Mapping[str, float],
    taxonomy: Taxonomy,
    weights: Weights = WEIGHTS,
    *,
    by_category: tuple[Mapping[str, float], Mapping[str, float]] | None = None,
    shared: bool = True,
) -> SkillOverlap:
    """How well two skill profiles fit, from 0 to 1, and which skills and categories they share.

    `by_category`: both sides' `category_totals`, when the caller has them already; `shared=False`
    leaves the shared skills and categories out (ranking scores many and explains a few)."""
    if not mine or not theirs:
        return SkillOverlap(0.0, [], [])
    my_categories, their_categories = by_category or (
        category_totals(mine, taxonomy),
        category_totals(theirs, taxonomy),
    )
    score = (1 - weights.same_category) * _cosine(mine, theirs) + weights.same_category * _cosine(
        my_categories, their_categories
    )
    if not shared:
        return SkillOverlap(min(score, 1.0), [], [])
    shared_skills = sorted((s for s in mine if s in theirs), key=lambda s: (-mine[s] * theirs[s], s))
    shared_categories = sorted(
        (c for c in my_categories if c in their_categories),
        key=lambda c: (-my_categories[c] * their_categories[c], c),
    )
    return SkillOverlap(min(score, 1.0), shared_skills, shared_categories)


def availability_overlap(mine: Iterable[Slot], theirs: Iterable[Slot]) -> list[Slot]:
    common = set(mine) & set(theirs)
    return sorted(common, key=lambda slot: (DAYS.index(slot[0]), PARTS.index(slot[1])))


def reliability(record: TrackRecord) -> float:
    """0..1; someone with no history sits at 0.5, a dispute weighs twice a cancellation."""
    return (record.completed + 1) / (record.completed + record.cancelled + 2 * record.disputed + 2)


def balance_lift(kind: Kind, record: TrackRecord) -> float:
    """0..1, towards candidates for whom this exchange would even out giving and receiving."""
    given, received = record.minutes_given, record.minutes_received
    # For a request the candidate would give help; for an offer they would receive it.
    surplus = received - given if kind == "request" else given - received
    if surplus <= 0:
        return 0.0
    return min(1.0, surplus / (given + received + BALANCE_SLACK_MINUTES))


def _slot_phrase(slots: list[Slot]) -> str:
    named = [str(SLOT_NAMES[slot]) for slot in slots[:2]]
    if len(named) == 1:
        return named[0]
    return _("%(first)s and %(second)s") % {"first": named[0], "second": named[1]}


def _named(name: str) -> str:
    """A skill's or category's name inside a sentence, in the reader's language: "Offers dog
    walking", but "Offers Urdu and Punjabi" and "TV and gadget setup", whose capitals are their own."""
    return _named_in(name, get_language())


@lru_cache(maxsize=4096)
def _named_in(name: str, language: str | None) -> str:
    # The taxonomy's few hundred names, each looked up once per language.
    name = _(name)
    if any(ch.isupper() for ch in name[1:]):
        return name
    return name[:1].lower() + name[1:]


def _same_kind(overlap: SkillOverlap, taxonomy: Taxonomy) -> str:
    """ "help of the same kind (home and garden)": the first kind of help both sides share."""
    return _("help of the same kind (%(category)s)") % {
        "category": _named(taxonomy.categories[overlap.shared_categories[0]].name)
    }


def _close_reason(match: MatchInput, overlap: SkillOverlap, taxonomy: Taxonomy) -> str:
    """ "Offers hedge trimming — close to “Trim my front hedge”": what they offer (or ask for),
    in the taxonomy's words when a skill is shared, and the listing it is close to."""
    if overlap.shared_skills:
        what = _named(taxonomy.skills[overlap.shared_skills[0]].name)
    elif overlap.shared_categories:
        what = _same_kind(overlap, taxonomy)
    else:
        what = _("similar help")
    if match.kind == "request":
        return _("Offers %(what)s — close to “%(mine)s”") % {"what": what, "mine": match.mine.title}
    if match.search:
        return _("Asks for %(what)s — close to “%(mine)s”") % {"what": what, "mine": match.mine.title}
    return _("Asked for %(what)s — close to “%(mine)s”") % {"what": what, "mine": match.mine.title}


def _search_reason(match: MatchInput, overlap: SkillOverlap, taxonomy: Taxonomy) -> str:
    """ "Asks for dog walking": what a person found by a search offers or asks for."""
    if overlap.shared_skills:
        what = _named(taxonomy.skills[overlap.shared_skills[0]].name)
    else:
        what = _same_kind(overlap, taxonomy)
    if match.kind == "request":
        return _("Offers %(what)s") % {"what": what}
    return _("Asks for %(what)s") % {"what": what}


def score_match(
    match: MatchInput,
    taxonomy: Taxonomy,
    weights: Weights = WEIGHTS,
    *,
    overlap: SkillOverlap | None = None,
    closeness: float | None = None,
    explain: bool = True,
) -> Match:
    """`overlap`: the two sides' fit (`skill_overlap`, or with meaning `meaning.fit`), when the
    caller has it already; `closeness`: how close the two listings are in meaning, if known.
    `explain=False` leaves the reasons out: ranking scores every candidate and explains the few shown."""
    if overlap is None:
        overlap = skill_overlap(match.mine.skills, match.theirs.skills, taxonomy, weights)
    score = weights.skill * overlap.score
    slots = availability_overlap(match.mine.availability, match.theirs.availability)
    if slots and match.mine.availability:
        score += weights.availability * len(slots) / len(match.mine.availability)
    theirs_place = " ".join(match.theirs.neighbourhood.split())
    same_place = bool(theirs_place) and theirs_place.casefold() == " ".join(match.mine.neighbourhood.split()).casefold()
    nearby = not same_place and bool(theirs_place) and theirs_place.casefold() in {p.casefold() for p in match.nearby}
    if same_place:
        score += weights.same_neighbourhood
    elif nearby:
        score += weights.nearby_neighbourhood
    record = match.their_record
    score += weights.reliability * reliability(record)
    if not match.met_before:
        score += weights.new_connection
    lift = balance_lift(match.kind, record)
    score += weights.balance * lift
    if not explain:
        return Match(score=round(score, 4), skill_overlap=overlap.score)

    reasons: list[str] = []
    if closeness is not None and closeness >= CLOSE_IN_MEANING and match.mine.title:
        reasons.append(_close_reason(match, overlap, taxonomy))
    elif match.search and (overlap.shared_skills or overlap.shared_categories):
        reasons.append(_search_reason(match, overlap, taxonomy))
    elif overlap.shared_skills:
        name = _named(taxonomy.skills[overlap.shared_skills[0]].name)
        if match.kind == "request":
            reasons.append(_("Offers %(what)s, which you asked for") % {"what": name})
        else:
            reasons.append(_("Asked for %(what)s, which you offer") % {"what": name})
    elif overlap.shared_categories:
        what = _same_kind(overlap, taxonomy)
        if match.kind == "request":
            reasons.append(_("Offers %(what)s") % {"what": what})
        else:
            reasons.append(_("Asked for %(what)s") % {"what": what})
    if slots and match.mine.availability:
        reasons.append(_("Free on %(when)s") % {"when": _slot_phrase(slots)})
    if same_place:
        reasons.append(_("Also lives in %(place)s") % {"place": theirs_place})
    elif nearby:
        reasons.append(_("Lives nearby, in %(place)s") % {"place": theirs_place})
    if record.completed >= RELIABLE_AFTER and reliability(record) >= 0.75:
        reasons.append(
            ngettext("Has completed %(count)d exchange", "Has completed %(count)d exchanges", record.completed)
            % {"count": record.completed}
        )
    if not match.met_before:
        reasons.append(_("You haven't met yet"))
    if lift:
        if match.kind == "request":
            reasons.append(_("Has had more help than they've given, so this evens things up"))
        else:
            reasons.append(_("Has given more help than they've had back"))
    return Match(score=round(score, 4), skill_overlap=overlap.score, reasons=reasons)
