"""`listing_matches`: ranks who in a listing's network could help, or needs help, and why.

The scoring is pure (`ranking`, `scoring`, `text`); this module only turns rows into its inputs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import Col
from django.utils.translation import gettext as _

from exchanges.matching.candidates import (
    listing_candidates,
    listing_owner,
    profile_candidates,
    stored_skill_weights,
)
from exchanges.matching.models import ListingSkill, ProfileSkill
from exchanges.matching.ranking import Candidate, RankedMatch, rank_candidates, without_sensitive
from exchanges.matching.scoring import DAYS, PARTS, Side, Slot, TrackRecord
from exchanges.matching.skills import listing_skill_weights, skill_ids, skill_matcher
from exchanges.models import Exchange, Listing
from exchanges.selectors import listing_get
from members.models import Membership, Skill, User
from members.selectors import can_act_for, nearby_neighbourhoods
from timebank.errors import Forbidden

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
    FROM exchanges_exchange WHERE network_id = %s AND provider_id {people}
    UNION ALL
    SELECT recipient_id, provider_id, state, COALESCE(claimed_minutes, minutes), 0
    FROM exchanges_exchange WHERE network_id = %s AND recipient_id {people}
) AS exchanges
GROUP BY person"""


# The candidates' keys as one parameter (an array, or JSON on SQLite), not one per person: the
# statement stays short and the same, so the driver need not parse it afresh on every call.
_PEOPLE_SQL = {"postgresql": "= ANY(%s)", "sqlite": "IN (SELECT value FROM json_each(%s))"}


def _histories(network_id: int, user_ids: Iterable[int], me: int) -> tuple[dict[int, TrackRecord], set[int]]:
    """Each person's track record, and who of them has met `me` in an exchange: one query."""
    people = list(user_ids)
    if not people:
        return {}, set()
    posted, states = Exchange.State.POSTED, list(MET_STATES)
    people_params: list[str | int | list[int]]
    if connection.vendor in _PEOPLE_SQL:
        people_sql = _PEOPLE_SQL[connection.vendor]
        people_params = [people if connection.vendor == "postgresql" else json.dumps(people)]
    else:
        people_sql, people_params = f"IN ({', '.join(['%s'] * len(people))})", [*people]
    sql = _HISTORY_SQL.format(met=", ".join(["%s"] * len(states)), people=people_sql)
    params: list[str | int | list[int]] = [posted, Exchange.State.CANCELLED, Exchange.State.DISPUTED, posted, posted]
    params += [me, *states, network_id, *people_params, network_id, *people_params]
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


_DETAILS_SQL = """SELECT {user_columns}, {columns}, c.skill_id
FROM members_user u
LEFT JOIN exchanges_listing l ON l.owner_id = u.id AND l.id IN ({listings})
LEFT JOIN exchanges_listing_skills c ON c.listing_id = l.id
WHERE u.id IN ({members})"""
# What a match shows of a member (`name`), in the model's field order as `from_db` takes them.
_USER_FIELDS = [f.attname for f in User._meta.concrete_fields if f.attname in ("id", "display_name", "email")]


def _details(ranked: list[RankedMatch], listing: Listing) -> list[ListingMatch]:
    """The ranked members and their listings, in one query, as the API and pages show them.

    Members carry only their name and email (other fields load if read)."""
    fields = Listing._meta.concrete_fields
    converters = [
        # Field.get_db_converters is public Django API the stubs leave out.
        (field, connection.ops.get_db_converters(Col("l", field)) + field.get_db_converters(connection))  # type: ignore[attr-defined]
        for field in fields
    ]
    listing_ids = [r.listing_id for r in ranked if r.listing_id] or [0]
    member_ids = [r.member_id for r in ranked]
    sql = _DETAILS_SQL.format(
        user_columns=", ".join(f"u.{name}" for name in _USER_FIELDS),
        columns=", ".join(f"l.{field.column}" for field in fields),
        listings=", ".join(["%s"] * len(listing_ids)),
        members=", ".join(["%s"] * len(member_ids)),
    )
    skills = skill_ids().rows
    users: dict[int, User] = {}
    listings: dict[int, Listing] = {}
    picked: dict[int, list[Skill]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*listing_ids, *member_ids])
        rows = cursor.fetchall()
    names = [field.attname for field in fields]
    for row in rows:
        if row[0] not in users:
            users[row[0]] = User.from_db(connection.alias, _USER_FIELDS, row[: len(_USER_FIELDS)])
        values, skill_id = row[len(_USER_FIELDS) : -1], row[-1]
        if values[0] is None:
            continue
        if values[0] not in listings:
            converted = []
            for value, (field, field_converters) in zip(values, converters, strict=True):
                for convert in field_converters:
                    value = convert(value, Col("l", field), connection)
                converted.append(value)
            found = Listing.from_db(connection.alias, names, converted)
            # Every match is in the listing's own network.
            found.network = listing.network
            listings[found.pk] = found
            picked[found.pk] = []
        if skill_id is not None:
            picked[values[0]].append(skills[skill_id])
    order = {pk: n for n, pk in enumerate(skills)}
    for pk, found in listings.items():
        _prefetched_skills(found, sorted(picked[pk], key=lambda skill: order[skill.pk]))
    return [
        ListingMatch(
            listing=listings[r.listing_id] if r.listing_id else None,
            member=users[r.member_id],
            score=r.score,
            skill_overlap=r.skill_overlap,
            reasons=r.reasons,
        )
        for r in ranked
    ]


def _prefetched_skills(listing: Listing, skills: list[Skill]) -> None:
    """`listing.skills.all()` answers these without a query, as after `prefetch_related("skills")`."""
    cached = Skill.objects.all()
    cached._result_cache = skills
    # Attributes Django itself sets on querysets and instances; the stubs do not declare them.
    cached._prefetch_done = True  # type: ignore[attr-defined]
    listing._prefetched_objects_cache = {"skills": cached}  # type: ignore[attr-defined]


def listing_matches(*, listing: Listing, limit: int = 10) -> list[ListingMatch]:
    """Members of the listing's network who could help with a request, or who need what an offer
    gives; best first, one per member with their best listing, each with plain-language reasons.

    The database shortlists the listings that share a skill or a category with this one (stored
    by `listing_skills_refresh`), and the members whose profile names one of its main skills;
    only those are scored here."""
    network_id = listing.network_id
    opposite = Listing.Kind.OFFER if listing.kind == Listing.Kind.REQUEST else Listing.Kind.REQUEST
    if listing.status != Listing.Status.OPEN:
        return []
    owner = listing_owner(network_id=network_id, user_id=listing.owner_id)
    if owner is None or not owner.is_active:
        return []

    taxonomy = skill_matcher().taxonomy
    excluded = owner.blocked | {listing.owner_id}
    # Stored when the listing was written; a listing written before that is read afresh.
    mine = stored_skill_weights(listing_id=listing.pk) or listing_skill_weights(listing=listing).weights
    wanted = mine
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
        kind="request" if listing.kind == Listing.Kind.REQUEST else "offer",
        mine=Side(
            skills=mine,
            availability=parse_availability(listing.availability or owner.availability),
            neighbourhood=owner.neighbourhood.strip(),
        ),
        i_have_current_check=owner.checked,
        candidates=candidates,
        taxonomy=taxonomy,
        nearby=nearby_neighbourhoods(network=listing.network, place=owner.neighbourhood),
        limit=limit,
    )
    if not ranked:
        return []
    return _details(ranked, listing)


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


def listing_for_matches(*, user: User, listing_id: int) -> Listing:
    """A listing whose matches the caller may see: 404 where they cannot see the listing itself, 403 unless
    they may act for its owner (matches speak to the owner: "you haven't met yet")."""
    listing = listing_get(user=user, pk=listing_id)
    if not can_act_for(actor=user, member=listing.owner, network=listing.network):
        raise Forbidden(_("Only the person who wrote this listing can see its matches."))
    return listing


def listings_that_fit(*, user: User, since, limit: int = 5) -> list[Listing]:
    """New open listings in the person's active networks that fit their profile's skills: offers of
    what they would like help with, requests for what they offer (the weekly round-up's)."""
    theirs = ProfileSkill.objects.filter(
        user=user,
        network_id=OuterRef("network_id"),
        skill_id=OuterRef("skill_id"),
        membership__status=Membership.Status.ACTIVE,
    )
    fitting = (
        ListingSkill.objects.filter(
            (Q(kind=Listing.Kind.OFFER) & Exists(theirs.filter(kind=Listing.Kind.REQUEST)))
            | (Q(kind=Listing.Kind.REQUEST) & Exists(theirs.filter(kind=Listing.Kind.OFFER)))
        )
        .exclude(owner=user)
        .values("listing_id")
    )
    return list(
        Listing.objects.filter(pk__in=fitting, status=Listing.Status.OPEN, created_at__gte=since)
        .select_related("network", "owner")
        .order_by("-created_at", "-pk")[:limit]
    )
