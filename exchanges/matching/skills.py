"""The skills taxonomy as the matcher needs it, cached per process, the skills one listing is
about, and `skills_from_text`: free text to skills and their categories for any caller."""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass

from django.db.models import Count, Max

from exchanges.matching.meaning import Meaning, MeaningMatcher
from exchanges.matching.taxonomy import Category, Taxonomy
from exchanges.matching.taxonomy import Skill as TaxonomySkill
from exchanges.matching.text import SkillMatch, SkillMatcher, chosen, combine, evidence_words
from exchanges.models import Listing
from members.models import Skill


@dataclass(frozen=True)
class SkillIds:
    """Database keys of the taxonomy, to read and write stored listing skills."""

    skill: dict[str, int]
    category: dict[str, int]
    slug: dict[int, str]
    # The skills themselves by key, in their listing order (category, then name).
    rows: dict[int, Skill]


TAXONOMY_RECHECK_SECONDS = 10.0
_checked_at = 0.0
_matcher_lock = threading.Lock()
_matcher_cache: dict[tuple, tuple[SkillMatcher, SkillIds]] = {}
_meaning_cache: dict[int, MeaningMatcher] = {}


def taxonomy_and_ids() -> tuple[SkillMatcher, SkillIds]:
    """Rebuilt when skills are added or removed. Edited names or synonyms arrive with a
    migration, and a deploy restarts the processes."""
    global _checked_at
    with _matcher_lock:
        # One query per call would be a tenth of a match's time: look again every few seconds.
        if _matcher_cache and time.monotonic() - _checked_at < TAXONOMY_RECHECK_SECONDS:
            return next(iter(_matcher_cache.values()))
        key = tuple(Skill.objects.aggregate(n=Count("id"), last=Max("id")).values())
        _checked_at = time.monotonic()
        if key not in _matcher_cache:
            _matcher_cache.clear()
            _matcher_cache[key] = _taxonomy_from_db()
        return _matcher_cache[key]


def skill_matcher() -> SkillMatcher:
    """The matcher for the skills in the database."""
    return taxonomy_and_ids()[0]


def meaning_matcher() -> MeaningMatcher:
    """The taxonomy's skills as vectors, for the matcher in use (embedded once per taxonomy)."""
    matcher = skill_matcher()
    with _matcher_lock:
        found = _meaning_cache.get(id(matcher))
        if found is None or found.matcher is not matcher:
            _meaning_cache.clear()
            found = _meaning_cache[id(matcher)] = MeaningMatcher(matcher)
        return found


def skill_ids() -> SkillIds:
    return taxonomy_and_ids()[1]


def _taxonomy_from_db() -> tuple[SkillMatcher, SkillIds]:
    categories: dict[str, Category] = {}
    skills: dict[str, TaxonomySkill] = {}
    ids = SkillIds(skill={}, category={}, slug={}, rows={})
    for skill in Skill.objects.select_related("category"):
        c = skill.category
        category = categories.setdefault(c.slug, Category(c.slug, c.name, c.sensitive))
        skills[skill.slug] = TaxonomySkill(skill.slug, skill.name, tuple(skill.synonyms), category)
        ids.skill[skill.slug] = skill.pk
        ids.slug[skill.pk] = skill.slug
        ids.rows[skill.pk] = skill
        ids.category[c.slug] = c.pk
    taxonomy = Taxonomy(skills=skills, categories=categories)
    return SkillMatcher(taxonomy), ids


def listing_meaning(*, listing: Listing) -> Meaning:
    """What a listing is about: the skills its owner picked, those its words name (weighed by
    meaning), and its vector."""
    picked = [skill.slug for skill in listing.skills.all()]
    found = meaning_matcher().meaning(listing.description, title=listing.title)
    return Meaning(combine(chosen(picked), found.skills), found.vector)


def listing_skill_weights(*, listing: Listing) -> SkillMatch:
    """The skills a listing is about: those its owner picked, and those its words name."""
    return listing_meaning(listing=listing).skills


def _forget_in_forked_child() -> None:
    """A process forked from one that already matched (a server's workers, a test's live server) must not
    trust the parent's cached skill ids: the skills may have been loaded again since, with new ids, and the
    ten-second grace would hide it. No lock is taken: another thread of the parent may have held it."""
    global _matcher_lock, _checked_at
    _matcher_lock = threading.Lock()
    _matcher_cache.clear()
    _meaning_cache.clear()
    _checked_at = 0.0


os.register_at_fork(after_in_child=_forget_in_forked_child)


def taxonomy_cache_clear() -> None:
    """Forget the cached taxonomy (tests that add and roll back skills need this)."""
    global _checked_at
    with _matcher_lock:
        _matcher_cache.clear()
        _meaning_cache.clear()
        _checked_at = 0.0


@dataclass(frozen=True)
class SkillHit:
    """One skill a text is about, strongest first: its category (which reports count and the
    sensitive-help rule reads) and why, in words a coordinator can check."""

    slug: str
    category_slug: str
    sensitive: bool
    weight: float
    evidence: str


def skills_from_text(text: str, *, title: str = "", limit: int = 5) -> list[SkillHit]:
    """Free text to the taxonomy's skills in the database, by its words and its meaning: the one
    function the coordinator desk (sensitive by meaning) and the reports (categories) call.

    "Dog walking round Roundwood Park" gives dog walking first, "Trim my front hedge" hedge
    trimming; sensitive is True for lifts, personal care and childcare."""
    meanings = meaning_matcher()
    found = meanings.meaning(text, title=title)
    taxonomy = meanings.taxonomy
    hits = []
    for slug in found.skills.strongest(limit):
        skill = taxonomy.skills[slug]
        named = evidence_words(meanings.matcher, f"{title} {text}", slug)
        why = "words: " + ", ".join(named) if named else "close in meaning"
        hits.append(SkillHit(slug, skill.category.slug, skill.category.sensitive, found.skills.weights[slug], why))
    return hits


# A bio is read as what its writer offers; a sentence (or the part of one after "but") that
# clearly says what they need is left out: "I can't manage the garden any more" is no gardener.
_BIO_PARTS = re.compile(r"[.!?;:\n]+|\bbut\b|\bthough\b|\bhowever\b", re.IGNORECASE)
_HELP = r"(?:some\s+|a\s+bit\s+of\s+|a\s+little\s+)?(?:help|someone|somebody|a\s+hand|support)\b"
_BIO_NEEDS = re.compile(
    r"\b(?:i|we)\s+(?:really\s+)?(?:need|require)\b"
    rf"|\b(?:i|we)\s+(?:really\s+)?want\s+{_HELP}"
    rf"|\bneed(?:s|ing)?\s+{_HELP}"
    rf"|\b(?:looking|searching|hoping)\s+for\s+{_HELP}"
    rf"|\b(?:could|would|i['’]?d|we['’]?d)\s+(?:really\s+)?(?:do\s+with|use|love|like|appreciate)\s+{_HELP}"
    r"|\bhelp\s+(?:me|us)\b"
    r"|\b(?:can['’]?t|cannot|can\s+no\s+longer|unable\s+to|no\s+longer|struggl\w*)\b"
    r"|\bin\s+need\s+of\b",
    re.IGNORECASE,
)
# Only the few skills a bio is clearly about: it brings a member into searches, nothing more.
BIO_SKILLS = 3
BIO_SKILL_WEIGHT = 0.5


def offered_in_bio(bio: str) -> list[SkillHit]:
    """The skills a member's own words about themselves say they offer, strongest first: the
    parts of the bio that say what they need are left out. "Retired gardener, happy to help with
    borders and lawns" gives gardening; "I need lifts to the surgery" gives nothing."""
    parts = [part.strip() for part in _BIO_PARTS.split(bio or "")]
    offering = ". ".join(part for part in parts if part and not _BIO_NEEDS.search(part))
    if not offering:
        return []
    return [hit for hit in skills_from_text(offering, limit=BIO_SKILLS) if hit.weight >= BIO_SKILL_WEIGHT]
