"""`listing_matches`: ranks who in a listing's network could help, or needs help, and why.

The scoring is pure (`ranking`, `scoring`, `text`); this module only turns rows into its inputs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from exchanges.matching.candidates import current_check, listing_candidates, profile_candidates
from exchanges.matching.ranking import Candidate, rank_candidates, without_sensitive
from exchanges.matching.scoring import DAYS, PARTS, Side, Slot, TrackRecord
from exchanges.matching.skills import listing_skill_weights, skill_matcher
from exchanges.models import Exchange, Listing
from members.models import Membership, User
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


def listing_matches(*, listing: Listing, limit: int = 10) -> list[ListingMatch]:
    """Members of the listing's network who could help with a request, or who need what an offer
    gives; best first, one per member with their best listing, each with plain-language reasons.

    The database shortlists the listings that share a skill or a category with this one (stored
    by `listing_skills_refresh`); only those are scored here."""
    network_id = listing.network_id
    opposite = Listing.Kind.OFFER if listing.kind == Listing.Kind.REQUEST else Listing.Kind.REQUEST
    owners = Membership.objects.filter(network_id=network_id, user_id=listing.owner_id)
    owner = owners.annotate(checked=current_check()).first()
    if owner is None or not owner.is_active or listing.status != Listing.Status.OPEN:
        return []

    taxonomy = skill_matcher().taxonomy
    excluded = _blocked(network_id, listing.owner_id) | {listing.owner_id}
    mine = listing_skill_weights(listing=listing)
    wanted = mine.weights
    if listing.kind == Listing.Kind.OFFER and not owner.checked:
        # An unchecked helper is never matched on sensitive skills: do not shortlist for them.
        wanted = without_sensitive(wanted, taxonomy)
    found = listing_candidates(network_id=network_id, kind=opposite, skills=wanted, excluded=excluded)
    strong = [slug for slug, weight in wanted.items() if weight >= PROFILE_SKILL_WEIGHT]
    found += profile_candidates(network_id=network_id, kind=listing.kind, strong=strong, excluded=excluded)
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
