"""Ranks candidates for one listing (or a search's words): the sensitive-help rule for every pairing,
each member once with their best listing. Pure Python; the selectors feed it rows from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.utils.functional import cached_property

from exchanges.matching.meaning import cosine, fit
from exchanges.matching.scoring import (
    WEIGHTS,
    Kind,
    Match,
    MatchInput,
    Side,
    SkillOverlap,
    TrackRecord,
    Weights,
    category_totals,
    score_match,
    skill_overlap,
)
from exchanges.matching.sensitive import cleared_for_main, cleared_skills, main_skills, mainly_sensitive
from exchanges.matching.taxonomy import Taxonomy

if TYPE_CHECKING:
    from exchanges.matching.meaning import MeaningMatcher


@dataclass(frozen=True)
class Candidate:
    """A member who could be matched, through one of their listings or their profile's skills."""

    member_id: int
    listing_id: int | None
    side: Side
    record: TrackRecord = TrackRecord()
    met_before: bool = False
    has_current_check: bool = False
    # A current driving licence and car insurance on record: lifts need them too (`cleared_for`).
    may_drive: bool = False


@dataclass(frozen=True)
class RankedMatch:
    member_id: int
    listing_id: int | None
    score: float
    skill_overlap: float
    # Its reasons, worked out when first read: a search ranks each kind and network apart, and
    # only the best of them all are shown. (Django's cached_property: functools' locks the whole
    # class on Python 3.11, so threads reading reasons would queue.)
    explain: Callable[[], list[str]] = field(default=list, repr=False, compare=False)

    @cached_property
    def reasons(self) -> list[str]:
        return list(self.explain())


def only_sensitive(skills: Mapping[str, float], taxonomy: Taxonomy) -> dict[str, float]:
    """The sensitive skills among these: only a helper with the checks `sensitive.cleared_for` asks for may
    be matched on them."""
    return {
        slug: weight
        for slug, weight in skills.items()
        if slug in taxonomy.skills and taxonomy.skills[slug].category.sensitive
    }


def rank_candidates(
    *,
    kind: Kind,
    mine: Side,
    i_have_current_check: bool,
    i_may_drive: bool = False,
    candidates: Iterable[Candidate],
    taxonomy: Taxonomy,
    nearby: frozenset[str] = frozenset(),
    limit: int = 10,
    weights: Weights = WEIGHTS,
    search: bool = False,
    meanings: MeaningMatcher | None = None,
) -> list[RankedMatch]:
    """`kind` is what `mine` is: "request" finds helpers, "offer" finds people who need the help;
    `search`: `mine` is a search's words (the reasons say so).

    Fit is the skills' overlap blended with the two sides' closeness in meaning: text against text,
    or text against the meaning of a side's skills (`meanings.skills_vector`, spread like a text's),
    never skills against skills (names are nearer names than any text is). A side is read by its
    skills where a rule below took some of them away, as its vector still carries them (the lift, the
    care, a profile's other kinds of help), and a profile found for the help it would like, as its
    vector is of what it offers. Both sides so read: against a request that lost a lift too (both
    texts carry one), the lower of my text against their skills and my skills against their text;
    against a profile's wishes, which have no text, my own text. In those two my text plays a part:
    the lower of two readings can only fall by it, and a profile's wishes hold nothing I may not help
    with (bench/RESULTS.md measures how far my lift's meaning still moves a score). Without
    `meanings`, a side read by its skills is compared by the overlap alone.

    The sensitive-help rule, for listing matches and searches alike, both ways round: a helper
    without a current check (for a lift, also a driving licence and insurance: `cleared_for`) is never paired with help mainly about lifts, personal care or
    childcare (`mainly_sensitive`), not even through a side skill of it ("Help getting washed"
    also reads faintly as laundry), and is matched only on the skills that need no check. A
    profile's wishes are each their own help: one for a lift leaves its others open."""
    # The helper is the candidate when we match a request, and the listing's owner for an offer.
    restricted_mine = False
    my_text = my_vector = mine.vector
    unchecked_me = kind == "offer" and not (i_have_current_check and i_may_drive)
    if unchecked_me:
        kept_skills = cleared_skills(mine.skills, taxonomy, checked=i_have_current_check, drives=i_may_drive)
        restricted_mine = len(kept_skills) != len(mine.skills)
        mine = replace(mine, skills=kept_skills)
        if restricted_mine:
            my_vector = meanings.skills_vector(kept_skills) if meanings is not None else None
    # What I ask for is sensitive: only helpers with a current check are paired with it.
    main_sensitive = mainly_sensitive(mine.skills, taxonomy) if kind == "request" else None
    my_categories = category_totals(mine.skills, taxonomy)
    # The kinds of help `mine` is mainly about: sharing only the kind of a side skill ("shopping" read
    # faintly as shopping online) is no fit ("Basic computer lessons" for a shopping request).
    main_categories = categories_of(dict.fromkeys(main_skills(mine.skills), 1.0), taxonomy)

    def in_my_kinds(slug: str) -> bool:
        return slug in taxonomy.skills and taxonomy.skills[slug].category.slug in my_categories

    # Skills an unchecked helper keeps as they are: most candidates need no copy.
    unrestricted = {slug for slug, skill in taxonomy.skills.items() if not skill.category.sensitive}
    # My closeness to the meaning of a candidate's skills, by my own text even where I am read by my
    # skills; made when first needed (most lists have no candidate read by their skills).
    closeness_to_skills: Callable[[Mapping[str, float]], float | None] | None = None
    best: dict[int, tuple[Match, Candidate]] = {}
    # What each kept match was scored from, to explain the few shown once the order is known.
    scored: dict[int, tuple[MatchInput, SkillOverlap, float | None]] = {}
    for candidate in candidates:
        theirs = candidate.side
        restricted = False
        if kind == "request" and not (candidate.has_current_check and candidate.may_drive):
            checks = {"checked": candidate.has_current_check, "drives": candidate.may_drive}
            if main_sensitive is not None and not cleared_for_main(mine.skills, taxonomy, **checks):
                continue
            if not theirs.skills.keys() <= unrestricted:
                kept = cleared_skills(theirs.skills, taxonomy, **checks)
                if len(kept) != len(theirs.skills):
                    theirs = replace(theirs, skills=kept)
                    restricted = True
        if unchecked_me and not theirs.skills.keys() <= unrestricted:
            # I may not help with what they ask for; a profile's other wishes stay open to me.
            checks = {"checked": i_have_current_check, "drives": i_may_drive}
            if candidate.listing_id is not None and not cleared_for_main(theirs.skills, taxonomy, **checks):
                continue
            kept = cleared_skills(theirs.skills, taxonomy, **checks)
            if len(kept) != len(theirs.skills):
                theirs = replace(theirs, skills=kept)
                restricted = True
        if candidate.listing_id is None and not all(in_my_kinds(slug) for slug in theirs.skills):
            # A profile's skills are each their own help: a gardener who also teaches computers is as much a
            # gardener. Only the kinds of help asked for are compared, and not the profile's meaning, which
            # carries the computers too.
            theirs = replace(theirs, skills={s: w for s, w in theirs.skills.items() if in_my_kinds(s)})
            restricted = True
        their_categories = category_totals(theirs.skills, taxonomy)
        # Most of a large network shares no category with the listing: skip them before scoring.
        if my_categories.keys().isdisjoint(their_categories):
            continue
        if main_categories.isdisjoint(their_categories) and mine.skills.keys().isdisjoint(theirs.skills):
            continue
        by_category = (my_categories, their_categories)
        # Which skills they share is worked out for the few shown, once the order is known.
        overlap = skill_overlap(mine.skills, theirs.skills, taxonomy, weights, by_category=by_category, shared=False)
        # Meaning refines the fit (see above for how each side is read).
        closeness = None
        wishes = candidate.listing_id is None and kind == "offer"
        if not (restricted or wishes):
            if my_vector is not None and theirs.vector is not None:
                closeness = cosine(my_vector, theirs.vector)
        elif meanings is not None and my_text is not None:
            if closeness_to_skills is None:
                closeness_to_skills = meanings.skills_closeness(my_text)
            closeness = closeness_to_skills(theirs.skills)
            both_restricted = restricted and restricted_mine and not wishes
            if both_restricted and closeness is not None and my_vector is not None and theirs.vector is not None:
                # Both texts carry help the rule took away (my lift, the lift they asked for): the lower
                # of my text against their skills and my skills against their text.
                closeness = min(closeness, cosine(my_vector, theirs.vector))
        if closeness is not None:
            overlap = SkillOverlap(fit(overlap.score, closeness), [], [])
        if overlap.score < weights.min_skill_overlap:
            continue
        match_input = MatchInput(
            kind=kind,
            mine=mine,
            theirs=theirs,
            their_record=candidate.record,
            met_before=candidate.met_before,
            nearby=nearby,
            search=search,
        )
        match = score_match(match_input, taxonomy, weights, overlap=overlap, closeness=closeness, explain=False)
        kept = best.get(candidate.member_id)
        # One result per member: their best listing, and a listing over their bare profile.
        if kept is None or _better(match, candidate, *kept):
            best[candidate.member_id] = (match, candidate)
            scored[candidate.member_id] = (match_input, overlap, closeness)
    ordered = sorted(best.values(), key=_order)[:limit]
    return [_ranked(match, candidate, scored[candidate.member_id], taxonomy, weights) for match, candidate in ordered]


def fitting_with_check(
    *,
    mine: Side,
    candidates: Iterable[Candidate],
    taxonomy: Taxonomy,
    nearby: frozenset[str] = frozenset(),
    meanings: MeaningMatcher | None = None,
    limit: int = 1,
) -> list[RankedMatch]:
    """The helpers who would fit help asked for (`mine`, when nobody fits as things are) if every helper
    had a current check, best first: the help is mainly lifts, personal care or childcare
    (`mainly_sensitive`, the rule that kept unchecked helpers out) and they fit that help itself. Not a
    helper who shares only a side of it: "someone to sit with my husband" is not a dog walker's pet
    sitting. Then the asker is told a check is missing, and the coordinators hear of it (and see who
    could help once checked) rather than "nobody fits"."""
    if mainly_sensitive(mine.skills, taxonomy) is None:
        return []
    checked = [replace(candidate, has_current_check=True, may_drive=True) for candidate in candidates]
    return rank_candidates(
        kind="request",
        mine=replace(mine, skills=only_sensitive(mine.skills, taxonomy)),
        i_have_current_check=True,
        i_may_drive=True,
        candidates=checked,
        taxonomy=taxonomy,
        nearby=nearby,
        limit=limit,
        meanings=meanings,
    )


def fits_only_with_check(
    *,
    mine: Side,
    candidates: Iterable[Candidate],
    taxonomy: Taxonomy,
    nearby: frozenset[str] = frozenset(),
    meanings: MeaningMatcher | None = None,
) -> bool:
    """Whether anyone would fit if every helper had a current check (`fitting_with_check`)."""
    return bool(
        fitting_with_check(mine=mine, candidates=candidates, taxonomy=taxonomy, nearby=nearby, meanings=meanings)
    )


def categories_of(skills: Mapping[str, float], taxonomy: Taxonomy) -> set[str]:
    """The categories a skill profile touches; no shared category means no match at all."""
    return {taxonomy.skills[slug].category.slug for slug in skills if slug in taxonomy.skills}


def _ranked(
    match: Match,
    candidate: Candidate,
    scored: tuple[MatchInput, SkillOverlap, float | None],
    taxonomy: Taxonomy,
    weights: Weights,
) -> RankedMatch:
    match_input, overlap, closeness = scored

    def explain() -> list[str]:
        # What they share, for the reasons; the score stays the one the order was decided on.
        shared = skill_overlap(match_input.mine.skills, match_input.theirs.skills, taxonomy, weights)
        explained = replace(shared, score=overlap.score)
        return score_match(match_input, taxonomy, weights, overlap=explained, closeness=closeness).reasons

    return RankedMatch(
        member_id=candidate.member_id,
        listing_id=candidate.listing_id,
        score=match.score,
        skill_overlap=match.skill_overlap,
        explain=explain,
    )


def _order(kept: tuple[Match, Candidate]) -> tuple:
    match, candidate = kept
    return (-match.score, candidate.listing_id is None, candidate.member_id)


def _better(match: Match, candidate: Candidate, kept: Match, kept_candidate: Candidate) -> bool:
    if match.score != kept.score:
        return match.score > kept.score
    return candidate.listing_id is not None and kept_candidate.listing_id is None
