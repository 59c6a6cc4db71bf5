"""`listing_matches`: ranks who in a listing's network could help, or needs help, and why.

The scoring is pure (`ranking`, `scoring`, `text`); this module only turns rows into its inputs.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from exchanges.matching.models import ListingSkill
from exchanges.matching.ranking import Candidate, rank_candidates, without_sensitive
from exchanges.matching.scoring import DAYS, PARTS, WEIGHTS, Side, Slot, TrackRecord
from exchanges.matching.taxonomy import Category, Taxonomy
from exchanges.matching.taxonomy import Skill as TaxonomySkill
from exchanges.matching.text import SkillMatch, SkillMatcher, chosen, combine
from exchanges.matching.vectors import unit_vectors
from exchanges.models import Exchange, Listing
from members.models import Membership, SafeguardingCheck, Skill, User
from members.selectors import TRADING_ROLES
from messaging.models import Block

# Profile skills only bring in members for the skills a listing is clearly about.
PROFILE_SKILL_WEIGHT = 0.5
# Exchanges that mean two people have actually met.
MET_STATES = (
    Exchange.State.ACCEPTED,
    Exchange.State.CLAIMED,
    Exchange.State.DISPUTED,
    Exchange.State.POSTED,
)


@dataclass(frozen=True)
class ListingMatch:
    listing: Listing | None
    member: User
    score: float
    skill_overlap: float
    reasons: list[str]


@dataclass(frozen=True)
class SkillIds:
    """Database keys of the taxonomy, to read and write stored listing skills."""

    skill: dict[str, int]
    category: dict[str, int]
    slug: dict[int, str]


_matcher_lock = threading.Lock()
_matcher_cache: dict[tuple, tuple[SkillMatcher, SkillIds]] = {}


def _cached_taxonomy() -> tuple[SkillMatcher, SkillIds]:
    """Rebuilt when skills are added or removed. Edited names or synonyms arrive with a
    migration, and a deploy restarts the processes."""
    key = tuple(Skill.objects.aggregate(n=Count("id"), last=Max("id")).values())
    with _matcher_lock:
        if key not in _matcher_cache:
            _matcher_cache.clear()
            _matcher_cache[key] = _taxonomy_from_db()
        return _matcher_cache[key]


def skill_matcher() -> SkillMatcher:
    """The matcher for the skills in the database."""
    return _cached_taxonomy()[0]


def skill_ids() -> SkillIds:
    return _cached_taxonomy()[1]


def _taxonomy_from_db() -> tuple[SkillMatcher, SkillIds]:
    categories: dict[str, Category] = {}
    skills: dict[str, TaxonomySkill] = {}
    ids = SkillIds(skill={}, category={}, slug={})
    for skill in Skill.objects.select_related("category"):
        c = skill.category
        category = categories.setdefault(c.slug, Category(c.slug, c.name, c.sensitive))
        skills[skill.slug] = TaxonomySkill(skill.slug, skill.name, tuple(skill.synonyms), category)
        ids.skill[skill.slug] = skill.pk
        ids.slug[skill.pk] = skill.slug
        ids.category[c.slug] = c.pk
    taxonomy = Taxonomy(skills=skills, categories=categories)
    return SkillMatcher(taxonomy), ids


def listing_skill_weights(*, listing: Listing) -> SkillMatch:
    """The skills a listing is about: those its owner picked, and those its words name."""
    picked = [skill.slug for skill in listing.skills.all()]
    text = skill_matcher().skills_in(listing.description, title=listing.title)
    return combine(chosen(picked), text)


def parse_availability(values: Iterable[str] | None) -> frozenset[Slot]:
    """["tue-afternoon", ...] as stored on profiles and listings; anything else is ignored."""
    slots = set()
    for value in values or ():
        day, _, part = str(value).partition("-")
        if day in DAYS and part in PARTS:
            slots.add((day, part))
    return frozenset(slots)


def _members_with_current_check(network_id: int, membership_ids: Iterable[int]) -> set[int]:
    """Those of these memberships with a DBS check that is clear (or accepted) and not past its
    review date."""
    today = timezone.localdate()
    return set(
        SafeguardingCheck.objects.filter(
            network_id=network_id,
            membership_id__in=list(membership_ids),
            kind=SafeguardingCheck.Kind.DBS,
            decision__in=[SafeguardingCheck.Decision.CLEAR, SafeguardingCheck.Decision.ACCEPTED],
        )
        .filter(Q(review_on__isnull=True) | Q(review_on__gte=today))
        .values_list("membership_id", flat=True)
    )


def _track_records(network_id: int, user_ids: Iterable[int]) -> dict[int, TrackRecord]:
    user_ids = list(user_ids)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    minutes = Coalesce("claimed_minutes", "minutes")
    for party, given_or_received in (("provider", "given"), ("recipient", "received")):
        rows = (
            Exchange.objects.filter(network_id=network_id, **{f"{party}_id__in": user_ids})
            .values(f"{party}_id")
            .annotate(
                completed=Count("id", filter=Q(state=Exchange.State.POSTED)),
                cancelled=Count("id", filter=Q(state=Exchange.State.CANCELLED)),
                disputed=Count("id", filter=Q(state=Exchange.State.DISPUTED)),
                minutes=Coalesce(Sum(minutes, filter=Q(state=Exchange.State.POSTED)), 0),
            )
        )
        for row in rows:
            record = counts[row[f"{party}_id"]]
            for field in ("completed", "cancelled", "disputed"):
                record[field] += row[field]
            record[f"minutes_{given_or_received}"] += row["minutes"]
    return {user_id: TrackRecord(**values) for user_id, values in counts.items()}


def _met(network_id: int, user_id: int) -> set[int]:
    pairs = Exchange.objects.filter(network_id=network_id, state__in=MET_STATES).filter(
        Q(provider_id=user_id) | Q(recipient_id=user_id)
    )
    met = set()
    for provider_id, recipient_id in pairs.values_list("provider_id", "recipient_id"):
        met.update({provider_id, recipient_id})
    met.discard(None)
    met.discard(user_id)
    return met


def _blocked(network_id: int, user_id: int) -> set[int]:
    """Blocks work both ways: neither person is suggested to the other."""
    either_way = Q(blocker_id=user_id) | Q(blocked_id=user_id)
    rows = Block.objects.filter(either_way, network_id=network_id)
    return {b if a == user_id else a for a, b in rows.values_list("blocker_id", "blocked_id")}


def _slugs_by(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for key, slug in rows:
        grouped[key].append(slug)
    return grouped


# Listings scored in Python for one call: the best by skill overlap, which the database ranks.
# Availability, place and track record add at most ~0.5 to a score, so a listing below the
# shortlist could only overtake it in a network with more than this many good fits.
SHORTLIST = 200
# Members found through their profile's skills alone, scored alongside.
PROFILE_SHORTLIST = 50

_CANDIDATES_SQL = """
SELECT listing_id, owner_id, SUM(part) AS fit FROM (
    SELECT listing_id, owner_id, unit * CASE skill_id {skill_cases} ELSE 0 END AS part
    FROM exchanges_listingskill
    WHERE network_id = %s AND kind = %s AND skill_id IS NOT NULL AND skill_id IN ({skills})
      AND (expires_on IS NULL OR expires_on >= %s) AND owner_id NOT IN ({excluded})
    UNION ALL
    SELECT listing_id, owner_id, unit * CASE category_id {category_cases} ELSE 0 END AS part
    FROM exchanges_listingskill
    WHERE network_id = %s AND kind = %s AND skill_id IS NULL AND category_id IN ({categories})
      AND (expires_on IS NULL OR expires_on >= %s) AND owner_id NOT IN ({excluded})
) AS parts
GROUP BY listing_id, owner_id
ORDER BY fit DESC, listing_id
LIMIT %s
"""


def candidates_query(
    *,
    network_id: int,
    kind: str,
    skills: Mapping[str, float],
    excluded: Iterable[int],
    limit: int = SHORTLIST,
) -> tuple[str, list]:
    """SQL and parameters for the listings of `kind` that share a skill or a category with these
    skill weights, best skill overlap first; it reads only the two covering indexes."""
    matcher, ids = _cached_taxonomy()
    skill_units, category_units = unit_vectors(skills, matcher.taxonomy)
    by_skill = {ids.skill[s]: (1 - WEIGHTS.same_category) * u for s, u in skill_units.items()}
    by_category = {ids.category[c]: WEIGHTS.same_category * u for c, u in category_units.items()}
    excluded = list(excluded) or [0]
    sql = _CANDIDATES_SQL.format(
        skill_cases=" ".join(["WHEN %s THEN %s"] * len(by_skill)),
        skills=", ".join(["%s"] * len(by_skill)),
        category_cases=" ".join(["WHEN %s THEN %s"] * len(by_category)),
        categories=", ".join(["%s"] * len(by_category)),
        excluded=", ".join(["%s"] * len(excluded)),
    )
    today = timezone.localdate()
    params = [
        *[v for pair in by_skill.items() for v in pair],
        network_id,
        kind,
        *by_skill,
        today,
        *excluded,
        *[v for pair in by_category.items() for v in pair],
        network_id,
        kind,
        *by_category,
        today,
        *excluded,
        limit,
    ]
    return sql, params


def _shortlist(*, network_id: int, kind: str, skills: Mapping[str, float], excluded: set[int]) -> list[tuple[int, int]]:
    """(listing id, owner id) of the listings that fit these skills best."""
    if not skills:
        return []
    sql, params = candidates_query(network_id=network_id, kind=kind, skills=skills, excluded=excluded)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(listing_id, owner_id) for listing_id, owner_id, _ in cursor.fetchall()]


def _stored_skills(listing_ids: list[int]) -> dict[int, SkillMatch]:
    slugs = skill_ids().slug
    rows = ListingSkill.objects.filter(listing_id__in=listing_ids, skill__isnull=False)
    weights: dict[int, dict[str, float]] = defaultdict(dict)
    for listing_id, skill_id, weight in rows.values_list("listing_id", "skill_id", "weight"):
        weights[listing_id][slugs[skill_id]] = weight
    return {listing_id: SkillMatch(w) for listing_id, w in weights.items()}


def _profile_candidates(*, network_id: int, kind: str, strong: list[str], excluded: set[int]) -> dict[int, list[str]]:
    """Members offering (for a request) or wanting (for an offer) these skills on their profile,
    so people who never wrote a listing are found too: membership id -> all their profile skills."""
    if not strong:
        return {}
    profile_field = "skills_offered" if kind == Listing.Kind.REQUEST else "skills_wanted"
    through = getattr(Membership, profile_field).through.objects
    with_skill = (
        through.filter(
            skill__slug__in=strong,
            membership__network_id=network_id,
            membership__status=Membership.Status.ACTIVE,
            membership__role__in=TRADING_ROLES,
        )
        .exclude(membership__user_id__in=excluded)
        .values_list("membership_id", flat=True)
        .distinct()
        .order_by("membership_id")[:PROFILE_SHORTLIST]
    )
    theirs = through.filter(membership_id__in=list(with_skill))
    return _slugs_by(theirs.values_list("membership_id", "skill__slug"))


def listing_matches(*, listing: Listing, limit: int = 10) -> list[ListingMatch]:
    """Members of the listing's network who could help with a request, or who need what an offer
    gives; best first, one per member with their best listing, each with plain-language reasons.

    The database shortlists the listings that share a skill or a category with this one (stored
    by `listing_skills_refresh`); only those are scored here."""
    network_id = listing.network_id
    opposite = Listing.Kind.OFFER if listing.kind == Listing.Kind.REQUEST else Listing.Kind.REQUEST
    owner = Membership.objects.filter(network_id=network_id, user_id=listing.owner_id).first()
    if owner is None or not owner.is_active or listing.status != Listing.Status.OPEN:
        return []

    matcher = skill_matcher()
    taxonomy = matcher.taxonomy
    excluded = _blocked(network_id, listing.owner_id) | {listing.owner_id}
    mine = listing_skill_weights(listing=listing)
    i_am_checked = bool(_members_with_current_check(network_id, [owner.pk]))
    wanted = mine.weights
    if listing.kind == Listing.Kind.OFFER and not i_am_checked:
        # An unchecked helper is never matched on sensitive skills: do not shortlist for them.
        wanted = without_sensitive(wanted, taxonomy)
    shortlist = _shortlist(network_id=network_id, kind=opposite, skills=wanted, excluded=excluded)
    strong = [slug for slug, weight in wanted.items() if weight >= PROFILE_SKILL_WEIGHT]
    profile_skills = _profile_candidates(network_id=network_id, kind=listing.kind, strong=strong, excluded=excluded)

    # Only active members who trade: never pending, suspended, left or commissioners.
    active = Membership.objects.filter(
        Q(user_id__in={owner_id for _, owner_id in shortlist}) | Q(pk__in=list(profile_skills)),
        network_id=network_id,
        status=Membership.Status.ACTIVE,
        role__in=TRADING_ROLES,
    )
    memberships = {row["user_id"]: row for row in active.values("id", "user_id", "neighbourhood", "availability")}
    user_of = {row["id"]: user_id for user_id, row in memberships.items()}
    listing_ids = [listing_id for listing_id, owner_id in shortlist if owner_id in memberships]
    # The listing row has the last word on whether it is still open.
    listing_rows = Listing.objects.filter(pk__in=listing_ids, status=Listing.Status.OPEN)
    listing_slots = dict(listing_rows.values_list("id", "availability"))
    stored = _stored_skills(list(listing_slots))

    found: list[tuple[int, int | None, SkillMatch]] = [
        (owner_id, listing_id, stored[listing_id])
        for listing_id, owner_id in shortlist
        if listing_id in listing_slots and listing_id in stored
    ]
    for membership_id, slugs in profile_skills.items():
        if membership_id in user_of:
            found.append((user_of[membership_id], None, chosen(slugs)))

    their_ids = {user_id for user_id, _, _ in found}
    checked = _members_with_current_check(network_id, [memberships[user_id]["id"] for user_id in their_ids])
    records = _track_records(network_id, their_ids)
    met = _met(network_id, listing.owner_id)

    candidates = []
    for user_id, listing_id, skills in found:
        membership = memberships[user_id]
        slots = listing_slots.get(listing_id) or membership["availability"]
        candidates.append(
            Candidate(
                member_id=user_id,
                listing_id=listing_id,
                side=Side(
                    skills=skills.weights,
                    availability=parse_availability(slots),
                    neighbourhood=membership["neighbourhood"].strip(),
                ),
                record=records.get(user_id, TrackRecord()),
                met_before=user_id in met,
                has_current_check=membership["id"] in checked,
            )
        )

    ranked = rank_candidates(
        kind=listing.kind,
        mine=Side(
            skills=mine.weights,
            availability=parse_availability(listing.availability or owner.availability),
            neighbourhood=owner.neighbourhood.strip(),
        ),
        i_have_current_check=i_am_checked,
        candidates=candidates,
        taxonomy=taxonomy,
        limit=limit,
    )
    listings = Listing.objects.select_related("network").prefetch_related("skills")
    listings_by_id = listings.in_bulk([r.listing_id for r in ranked if r.listing_id])
    users = User.objects.in_bulk([r.member_id for r in ranked])
    return [
        ListingMatch(
            listing=listings_by_id.get(r.listing_id) if r.listing_id else None,
            member=users[r.member_id],
            score=r.score,
            skill_overlap=r.skill_overlap,
            reasons=r.reasons,
        )
        for r in ranked
    ]
