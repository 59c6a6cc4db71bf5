"""`listing_matches`: ranks who in a listing's network could help, or needs help, and why.

The scoring is pure (`ranking`, `scoring`, `text`); this module only turns rows into its inputs.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from exchanges.matching.ranking import Candidate, categories_of, rank_candidates
from exchanges.matching.scoring import DAYS, PARTS, Side, Slot, TrackRecord
from exchanges.matching.taxonomy import Category, Taxonomy
from exchanges.matching.taxonomy import Skill as TaxonomySkill
from exchanges.matching.text import SkillMatch, SkillMatcher, chosen, combine
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


_matcher_lock = threading.Lock()
_matcher_cache: dict[tuple, SkillMatcher] = {}


def skill_matcher() -> SkillMatcher:
    """The matcher for the skills in the database, rebuilt when skills are added or removed.

    Edited names or synonyms arrive with a migration, and a deploy restarts the processes."""
    key = tuple(Skill.objects.aggregate(n=Count("id"), last=Max("id")).values())
    with _matcher_lock:
        if key not in _matcher_cache:
            _matcher_cache.clear()
            _matcher_cache[key] = SkillMatcher(_taxonomy_from_db())
        return _matcher_cache[key]


def _taxonomy_from_db() -> Taxonomy:
    categories: dict[str, Category] = {}
    skills: dict[str, TaxonomySkill] = {}
    for skill in Skill.objects.select_related("category"):
        c = skill.category
        category = categories.setdefault(c.slug, Category(c.slug, c.name, c.sensitive))
        skills[skill.slug] = TaxonomySkill(skill.slug, skill.name, tuple(skill.synonyms), category)
    return Taxonomy(skills=skills, categories=categories)


def parse_availability(values: Iterable[str] | None) -> frozenset[Slot]:
    """["tue-afternoon", ...] as stored on profiles and listings; anything else is ignored."""
    slots = set()
    for value in values or ():
        day, _, part = str(value).partition("-")
        if day in DAYS and part in PARTS:
            slots.add((day, part))
    return frozenset(slots)


def _members_with_current_check(network_id: int) -> set[int]:
    """Memberships with a DBS check that is clear (or accepted) and not past its review date."""
    today = timezone.localdate()
    return set(
        SafeguardingCheck.objects.filter(
            network_id=network_id,
            kind=SafeguardingCheck.Kind.DBS,
            decision__in=[SafeguardingCheck.Decision.CLEAR, SafeguardingCheck.Decision.ACCEPTED],
        )
        .filter(Q(review_on__isnull=True) | Q(review_on__gte=today))
        .values_list("membership_id", flat=True)
    )


def _track_records(network_id: int) -> dict[int, TrackRecord]:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    minutes = Coalesce("claimed_minutes", "minutes")
    for party, given_or_received in (("provider", "given"), ("recipient", "received")):
        rows = (
            Exchange.objects.filter(network_id=network_id, **{f"{party}__isnull": False})
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


def listing_matches(*, listing: Listing, limit: int = 10) -> list[ListingMatch]:
    """Members of the listing's network who could help with a request, or who need what an offer
    gives; best first, one per member with their best listing, each with plain-language reasons."""
    network_id = listing.network_id
    opposite = Listing.Kind.OFFER if listing.kind == Listing.Kind.REQUEST else Listing.Kind.REQUEST
    owner = Membership.objects.filter(network_id=network_id, user_id=listing.owner_id).first()
    if owner is None or not owner.is_active or listing.status != Listing.Status.OPEN:
        return []

    matcher = skill_matcher()
    excluded = _blocked(network_id, listing.owner_id) | {listing.owner_id}
    # Only active members who trade: never pending, suspended, left or commissioners.
    active = Membership.objects.filter(
        network_id=network_id, status=Membership.Status.ACTIVE, role__in=TRADING_ROLES
    ).exclude(user_id__in=excluded)
    # Plain rows rather than model instances: every open listing of the network is read.
    memberships = {row["user_id"]: row for row in active.values("id", "user_id", "neighbourhood")}
    picked = [skill.slug for skill in listing.skills.all()]
    mine = combine(chosen(picked), matcher.skills_in(listing.description, title=listing.title))
    my_side = Side(
        skills=mine.weights,
        availability=parse_availability(listing.availability or owner.availability),
        neighbourhood=owner.neighbourhood.strip(),
    )

    today = timezone.localdate()
    their_listings = Listing.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today),
        network_id=network_id,
        kind=opposite,
        status=Listing.Status.OPEN,
        owner_id__in=active.values("user_id"),
    )
    picked_by_them = Listing.skills.through.objects.filter(listing__in=their_listings.values("id"))
    their_skills = _slugs_by(picked_by_them.values_list("listing_id", "skill__slug"))
    # A request looks for members offering its skills on their profile, and an offer for members
    # wanting them, so people who never wrote a listing are found too.
    strong = [slug for slug, weight in mine.weights.items() if weight >= PROFILE_SKILL_WEIGHT]
    profile_field = "skills_offered" if listing.kind == Listing.Kind.REQUEST else "skills_wanted"
    through = getattr(Membership, profile_field).through.objects
    with_skill = through.filter(membership__in=active, skill__slug__in=strong)
    theirs = through.filter(membership_id__in=with_skill.values("membership_id"))
    profile_skills = _slugs_by(theirs.values_list("membership_id", "skill__slug"))

    # Only listings that share a category with this one are worth scoring; in a large network
    # that is a small share, so availability (JSON) is read for those alone.
    my_categories = categories_of(mine.weights, matcher.taxonomy)
    found: list[tuple[int, int | None, SkillMatch]] = []
    for row in their_listings.values("id", "owner_id", "title", "description"):
        text = matcher.skills_in(row["description"], title=row["title"])
        skills = combine(chosen(their_skills.get(row["id"], ())), text)
        if not my_categories.isdisjoint(categories_of(skills.weights, matcher.taxonomy)):
            found.append((row["owner_id"], row["id"], skills))
    user_of = {row["id"]: user_id for user_id, row in memberships.items()}
    for membership_id, slugs in profile_skills.items():
        found.append((user_of[membership_id], None, chosen(slugs)))

    listing_ids = [listing_id for _, listing_id, _ in found if listing_id]
    listing_rows = Listing.objects.filter(pk__in=listing_ids).values_list("id", "availability")
    listing_slots = dict(listing_rows)
    member_ids = {memberships[user_id]["id"] for user_id, _, _ in found}
    member_rows = Membership.objects.filter(pk__in=member_ids).values_list("id", "availability")
    member_slots = dict(member_rows)
    checked = _members_with_current_check(network_id)
    records = _track_records(network_id)
    met = _met(network_id, listing.owner_id)

    candidates = []
    for user_id, listing_id, skills in found:
        membership = memberships[user_id]
        slots = listing_slots.get(listing_id) or member_slots.get(membership["id"])
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
        mine=my_side,
        i_have_current_check=owner.pk in checked,
        candidates=candidates,
        taxonomy=matcher.taxonomy,
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
