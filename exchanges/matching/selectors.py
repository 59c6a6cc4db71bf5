"""`listing_matches`: ranks who in a listing's network could help, or needs help, and why.

The scoring is pure (`ranking`, `scoring`, `text`); this module only turns rows into its inputs.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

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


TAXONOMY_RECHECK_SECONDS = 10.0
_checked_at = 0.0
_matcher_lock = threading.Lock()
_matcher_cache: dict[tuple, tuple[SkillMatcher, SkillIds]] = {}


def _cached_taxonomy() -> tuple[SkillMatcher, SkillIds]:
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


# Listings scored in Python for one call. The database picks them by skill overlap alone:
# per skill and per category of this listing, the listings with the most weight on it; in a
# network with more listings than this on a skill, one below the cut could have ranked higher.
SHORTLIST = 100
# Members found through their profile's skills alone, scored alongside.
PROFILE_SHORTLIST = 50

_TERM_SQL = """SELECT * FROM (
    SELECT listing_id, owner_id, unit * %s AS part FROM exchanges_listingskill
    WHERE network_id = %s AND kind = %s AND {term}
      AND (expires_on IS NULL OR expires_on >= %s) AND owner_id NOT IN ({excluded})
    ORDER BY unit DESC LIMIT %s
) AS term{n}"""

_CHECKED_SQL = """EXISTS (
    SELECT 1 FROM members_safeguardingcheck c
    WHERE c.membership_id = m.id AND c.kind = %s AND c.decision IN (%s, %s)
      AND (c.review_on IS NULL OR c.review_on >= %s))"""

_CANDIDATES_SQL = """WITH shortlist AS (
    SELECT listing_id, owner_id, SUM(part) AS fit FROM ({terms}) AS parts
    GROUP BY listing_id, owner_id ORDER BY fit DESC, listing_id LIMIT %s
)
SELECT s.listing_id, s.owner_id, m.id, m.neighbourhood, m.availability, l.availability,
    {checked} AS checked, ls.skill_id, ls.weight
FROM shortlist s
{membership}
JOIN exchanges_listing l ON l.id = s.listing_id
JOIN exchanges_listingskill ls ON ls.listing_id = s.listing_id AND ls.skill_id IS NOT NULL
WHERE m.status = %s AND m.role IN ({roles}) AND l.status = %s
ORDER BY s.fit DESC, s.listing_id"""


# PostgreSQL misjudges how few rows the shortlist holds and would read the whole network's
# memberships into a hash; LATERAL (kept apart by OFFSET 0) looks up each owner by its unique
# index instead.
_MEMBERSHIP_SQL = {
    "postgresql": """CROSS JOIN LATERAL (
    SELECT id, neighbourhood, availability, status, role FROM members_membership
    WHERE network_id = %s AND user_id = s.owner_id OFFSET 0) AS m""",
    "default": "JOIN members_membership m ON m.network_id = %s AND m.user_id = s.owner_id",
}


def _check_params() -> list:
    return [
        SafeguardingCheck.Kind.DBS,
        SafeguardingCheck.Decision.CLEAR,
        SafeguardingCheck.Decision.ACCEPTED,
        timezone.localdate(),
    ]


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def candidates_query(
    *,
    network_id: int,
    kind: str,
    skills: Mapping[str, float],
    excluded: Iterable[int],
    limit: int = SHORTLIST,
) -> tuple[str, list]:
    """SQL and parameters for the open listings of `kind` that share a skill or a category with
    these skill weights, best skill overlap first, one row per stored skill, with their owner's
    membership. Each term reads one covering index, at most `limit` entries."""
    matcher, ids = _cached_taxonomy()
    skill_units, category_units = unit_vectors(skills, matcher.taxonomy)
    excluded = list(excluded) or [0]
    today = timezone.localdate()
    terms, params = [], []
    for column, units, share in (
        ("skill_id", {ids.skill[s]: u for s, u in skill_units.items()}, 1 - WEIGHTS.same_category),
        ("category_id", {ids.category[c]: u for c, u in category_units.items()}, WEIGHTS.same_category),
    ):
        term = "skill_id = %s" if column == "skill_id" else "skill_id IS NULL AND category_id = %s"
        for key, unit in units.items():
            terms.append(_TERM_SQL.format(term=term, excluded=_placeholders(excluded), n=len(terms)))
            params += [share * unit, network_id, kind, key, today, *excluded, limit]
    roles = list(TRADING_ROLES)
    sql = _CANDIDATES_SQL.format(
        terms=" UNION ALL ".join(terms),
        checked=_CHECKED_SQL,
        roles=_placeholders(roles),
        membership=_MEMBERSHIP_SQL.get(connection.vendor, _MEMBERSHIP_SQL["default"]),
    )
    params += [limit, *_check_params(), network_id, Membership.Status.ACTIVE, *roles]
    params.append(Listing.Status.OPEN)
    return sql, params


@dataclass
class _Found:
    member_id: int
    listing_id: int | None
    membership_id: int
    neighbourhood: str
    availability: object
    checked: bool
    skills: dict[str, float]


def _json(value):
    # PostgreSQL hands back JSON parsed, SQLite as text.
    return json.loads(value) if isinstance(value, str) else value


def _listing_candidates(*, network_id: int, kind: str, skills: Mapping[str, float], excluded: set[int]) -> list[_Found]:
    if not skills:
        return []
    sql, params = candidates_query(network_id=network_id, kind=kind, skills=skills, excluded=excluded)
    slugs = skill_ids().slug
    found: dict[int, _Found] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            listing_id, owner_id, membership_id, place, member_slots, slots, checked = row[:7]
            if listing_id not in found:
                found[listing_id] = _Found(
                    member_id=owner_id,
                    listing_id=listing_id,
                    membership_id=membership_id,
                    neighbourhood=place,
                    availability=_json(slots) or _json(member_slots),
                    checked=bool(checked),
                    skills={},
                )
            found[listing_id].skills[slugs[row[7]]] = row[8]
    return list(found.values())


def _current_check() -> Exists:
    today = timezone.localdate()
    return Exists(
        SafeguardingCheck.objects.filter(
            membership_id=OuterRef("pk"),
            kind=SafeguardingCheck.Kind.DBS,
            decision__in=[SafeguardingCheck.Decision.CLEAR, SafeguardingCheck.Decision.ACCEPTED],
        ).filter(Q(review_on__isnull=True) | Q(review_on__gte=today))
    )


def _profile_candidates(*, network_id: int, kind: str, strong: list[str], excluded: set[int]) -> list[_Found]:
    """Members offering (for a request) or wanting (for an offer) these skills on their profile,
    so people who never wrote a listing are found too, with all their profile's skills."""
    if not strong:
        return []
    profile_field = "skills_offered" if kind == Listing.Kind.REQUEST else "skills_wanted"
    through = getattr(Membership, profile_field).through.objects
    members = (
        Membership.objects.filter(network_id=network_id, status=Membership.Status.ACTIVE, role__in=TRADING_ROLES)
        .filter(**{f"{profile_field}__slug__in": strong})
        .exclude(user_id__in=excluded)
        .annotate(checked=_current_check())
        .values("id", "user_id", "neighbourhood", "availability", "checked")
        .distinct()
        .order_by("id")[:PROFILE_SHORTLIST]
    )
    found = {
        row["id"]: _Found(
            member_id=row["user_id"],
            listing_id=None,
            membership_id=row["id"],
            neighbourhood=row["neighbourhood"],
            availability=row["availability"],
            checked=row["checked"],
            skills={},
        )
        for row in members
    }
    rows = through.filter(membership_id__in=list(found)).values_list("membership_id", "skill__slug")
    for membership_id, slug in rows:
        found[membership_id].skills[slug] = 1.0
    return list(found.values())


def listing_matches(*, listing: Listing, limit: int = 10) -> list[ListingMatch]:
    """Members of the listing's network who could help with a request, or who need what an offer
    gives; best first, one per member with their best listing, each with plain-language reasons.

    The database shortlists the listings that share a skill or a category with this one (stored
    by `listing_skills_refresh`); only those are scored here."""
    network_id = listing.network_id
    opposite = Listing.Kind.OFFER if listing.kind == Listing.Kind.REQUEST else Listing.Kind.REQUEST
    owners = Membership.objects.filter(network_id=network_id, user_id=listing.owner_id)
    owner = owners.annotate(checked=_current_check()).first()
    if owner is None or not owner.is_active or listing.status != Listing.Status.OPEN:
        return []

    taxonomy = skill_matcher().taxonomy
    excluded = _blocked(network_id, listing.owner_id) | {listing.owner_id}
    mine = listing_skill_weights(listing=listing)
    wanted = mine.weights
    if listing.kind == Listing.Kind.OFFER and not owner.checked:
        # An unchecked helper is never matched on sensitive skills: do not shortlist for them.
        wanted = without_sensitive(wanted, taxonomy)
    found = _listing_candidates(network_id=network_id, kind=opposite, skills=wanted, excluded=excluded)
    strong = [slug for slug, weight in wanted.items() if weight >= PROFILE_SKILL_WEIGHT]
    found += _profile_candidates(network_id=network_id, kind=listing.kind, strong=strong, excluded=excluded)
    their_ids = {f.member_id for f in found}
    records = _track_records(network_id, their_ids) if their_ids else {}
    met = _met(network_id, listing.owner_id) if their_ids else set()
    candidates = [
        Candidate(
            member_id=f.member_id,
            listing_id=f.listing_id,
            side=Side(
                skills=f.skills,
                availability=parse_availability(f.availability),
                neighbourhood=f.neighbourhood.strip(),
            ),
            record=records.get(f.member_id, TrackRecord()),
            met_before=f.member_id in met,
            has_current_check=f.checked,
        )
        for f in found
    ]
    ranked = rank_candidates(
        kind=listing.kind,
        mine=Side(
            skills=mine.weights,
            availability=parse_availability(listing.availability or owner.availability),
            neighbourhood=owner.neighbourhood.strip(),
        ),
        i_have_current_check=owner.checked,
        candidates=candidates,
        taxonomy=taxonomy,
        limit=limit,
    )
    if not ranked:
        return []
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


def unmatched_requests(*, network) -> QuerySet[Listing]:
    """Open requests of the network that no exchange has got going yet, oldest first: where a
    coordinator's introduction helps most."""
    going = Exchange.objects.filter(listing_id=OuterRef("pk"), state__in=MET_STATES)
    return (
        Listing.objects.filter(
            network=network,
            kind=Listing.Kind.REQUEST,
            status=Listing.Status.OPEN,
            owner__memberships__network=network,
            owner__memberships__status=Membership.Status.ACTIVE,
        )
        .exclude(Exists(going))
        .select_related("owner", "network")
        .order_by("created_at", "pk")
    )
