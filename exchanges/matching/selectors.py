"""`listing_matches`: ranks who in a listing's network could help, or needs help, and why.

The scoring is pure (`ranking`, `scoring`, `text`); this module only turns rows into its inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

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


_HISTORY_SQL = """SELECT person,
    SUM(CASE WHEN state = %s THEN 1 ELSE 0 END),
    SUM(CASE WHEN state = %s THEN 1 ELSE 0 END),
    SUM(CASE WHEN state = %s THEN 1 ELSE 0 END),
    SUM(CASE WHEN state = %s AND giving = 1 THEN minutes ELSE 0 END),
    SUM(CASE WHEN state = %s AND giving = 0 THEN minutes ELSE 0 END),
    MAX(CASE WHEN other = %s AND state IN ({met}) THEN 1 ELSE 0 END)
FROM (
    SELECT provider_id AS person, recipient_id AS other, state,
        COALESCE(claimed_minutes, minutes) AS minutes, 1 AS giving
    FROM exchanges_exchange WHERE network_id = %s AND provider_id IN ({people})
    UNION ALL
    SELECT recipient_id, provider_id, state, COALESCE(claimed_minutes, minutes), 0
    FROM exchanges_exchange WHERE network_id = %s AND recipient_id IN ({people})
) AS exchanges
GROUP BY person"""


def _histories(network_id: int, user_ids: Iterable[int], me: int) -> tuple[dict[int, TrackRecord], set[int]]:
    """Each person's track record, and who of them has met `me` in an exchange: one query."""
    people = list(user_ids)
    if not people:
        return {}, set()
    posted, states = Exchange.State.POSTED, list(MET_STATES)
    placeholders = ", ".join(["%s"] * len(people))
    sql = _HISTORY_SQL.format(met=", ".join(["%s"] * len(states)), people=placeholders)
    params = [posted, Exchange.State.CANCELLED, Exchange.State.DISPUTED, posted, posted, me]
    params += [*states, network_id, *people, network_id, *people]
    records, met = {}, set()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for person, completed, cancelled, disputed, given, received, has_met in cursor.fetchall():
            records[person] = TrackRecord(
                completed=int(completed),
                cancelled=int(cancelled),
                disputed=int(disputed),
                minutes_given=int(given),
                minutes_received=int(received),
            )
            if has_met:
                met.add(person)
    return records, met


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
    records, met = _histories(network_id, their_ids, listing.owner_id)
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
