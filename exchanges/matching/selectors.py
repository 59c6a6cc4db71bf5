"""`listing_matches`: ranks who in a listing's network could help, or needs help, and why.

The scoring is pure (`ranking`, `scoring`, `text`); this module only turns rows into its inputs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import Col
from django.utils.translation import gettext as _

from exchanges.matching import semantic
from exchanges.matching.candidates import (
    attach_vectors,
    keys_in,
    listing_candidates,
    listing_owner,
    profile_candidates,
    stored_skill_weights,
)
from exchanges.matching.meaning import Meaning
from exchanges.matching.models import ListingSkill, ProfileSkill
from exchanges.matching.ranking import (
    Candidate,
    RankedMatch,
    fits_only_with_check,
    fitting_with_check,
    rank_candidates,
)
from exchanges.matching.scoring import DAYS, PARTS, Kind, Side, Slot, TrackRecord
from exchanges.matching.sensitive import cleared_skills
from exchanges.matching.skills import listing_meaning, meaning_matcher, skill_ids, skill_matcher
from exchanges.matching.text import combine
from exchanges.models import Exchange, Listing
from exchanges.selectors import listing_get
from members.models import Membership, Network, Skill, User
from members.selectors import (
    can_act_for,
    named_in,
    nearby_neighbourhoods,
    networks_where_trading,
)
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
# Exchanges that mean a request has been taken up: both agreed, even if a coordinator approves it first.
TAKEN_UP_STATES = (Exchange.State.AWAITING_APPROVAL, *MET_STATES)


@dataclass(frozen=True)
class ListingMatch:
    listing: Listing | None
    member: User
    score: float
    skill_overlap: float
    reasons: list[str]
    # What the member does here, as a listing's kind: "offer" (they could help: their offer or
    # their profile), "request" (they asked for it: their request or their profile).
    kind: str = Listing.Kind.OFFER


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


def _histories(network_id: int, user_ids: Iterable[int], me: int) -> tuple[dict[int, TrackRecord], set[int]]:
    """Each person's track record, and who of them has met `me` in an exchange: one query."""
    people = list(user_ids)
    if not people:
        return {}, set()
    posted, states = Exchange.State.POSTED, list(MET_STATES)
    people_sql, people_params = keys_in(people)
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
LEFT JOIN exchanges_listing l ON l.owner_id = u.id AND l.id {listings}
LEFT JOIN exchanges_listing_skills c ON c.listing_id = l.id
WHERE u.id {members}"""
# What a match shows of a member (`name`), in the model's field order as `from_db` takes them.
_USER_FIELDS = [f.attname for f in User._meta.concrete_fields if f.attname in ("id", "display_name", "email")]


def _details(ranked: list[RankedMatch], network: Network, kinds: list[str]) -> list[ListingMatch]:
    """The ranked members and their listings (or profiles), each of its kind in `kinds`, in one
    query, as the API and pages show them. Members carry only their name and email (other fields
    load if read)."""
    fields = Listing._meta.concrete_fields
    converters = [
        # Field.get_db_converters is public Django API the stubs leave out.
        (field, connection.ops.get_db_converters(Col("l", field)) + field.get_db_converters(connection))  # type: ignore[attr-defined]
        for field in fields
    ]
    listings_sql, listing_params = keys_in(r.listing_id for r in ranked if r.listing_id)
    members_sql, member_params = keys_in(r.member_id for r in ranked)
    sql = _DETAILS_SQL.format(
        user_columns=", ".join(f"u.{name}" for name in _USER_FIELDS),
        columns=", ".join(f"l.{field.column}" for field in fields),
        listings=listings_sql,
        members=members_sql,
    )
    skills = skill_ids().rows
    users: dict[int, User] = {}
    listings: dict[int, Listing] = {}
    picked: dict[int, list[Skill]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*listing_params, *member_params])
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
            # Every match is in the network it was found in.
            found.network = network
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
            kind=kind,
        )
        for r, kind in zip(ranked, kinds, strict=True)
    ]


def _prefetched_skills(listing: Listing, skills: list[Skill]) -> None:
    """`listing.skills.all()` answers these without a query, as after `prefetch_related("skills")`."""
    cached = Skill.objects.all()
    cached._result_cache = skills
    # Attributes Django itself sets on querysets and instances; the stubs do not declare them.
    cached._prefetch_done = True  # type: ignore[attr-defined]
    listing._prefetched_objects_cache = {"skills": cached}  # type: ignore[attr-defined]


@dataclass(frozen=True)
class MatchOutcome:
    """A listing's matches and, when there are none, why: `nobody` is "" when someone fits,
    NEEDS_CHECK when the only people who fit (or the owner, for an offer of sensitive help) need a
    safeguarding check first, NOBODY_FITS when nobody fits at all."""

    matches: list[ListingMatch]
    nobody: str = ""
    # For a request only checked helpers may take: who would fit once checked, best first. For
    # coordinators (who can record a check), never shown to the asker.
    fit_once_checked: list[ListingMatch] = dataclasses.field(default_factory=list)


NEEDS_CHECK = "needs_check"
NOBODY_FITS = "none"


def nobody_message(*, outcome: MatchOutcome, kind: str) -> str:
    """Plain words for the owner when nobody is suggested; "" when someone is."""
    if outcome.matches or not outcome.nobody:
        return ""
    if outcome.nobody == NEEDS_CHECK and kind == Listing.Kind.OFFER:
        return _(
            "Lifts, personal care and childcare need a safeguarding check before we can suggest you. "
            "We have told the coordinators, who can arrange one."
        )
    if outcome.nobody == NEEDS_CHECK:
        return _(
            "The people who could help with this need a safeguarding check first. "
            "We have told the coordinators: they can introduce someone or arrange a check."
        )
    if kind == Listing.Kind.OFFER:
        return _("Nobody needs this just now. We'll tell you when someone asks.")
    return _("Nobody fits yet. We have told the coordinators, who may know someone who could help.")


# A coordinator picks whom to introduce from a list: KeyRing networks are tens to a few hundred people.
INTRODUCIBLE_SHOWN = 500


def introducible_members(*, network: Network) -> list[User]:
    """Who a coordinator may introduce to someone asking for help: the network's active members who give
    and receive help, by name (`match_introduce` checks the pair and the help)."""
    return list(
        User.objects.filter(
            memberships__network=network,
            memberships__status=Membership.Status.ACTIVE,
            memberships__account__isnull=False,
        ).order_by("display_name", "pk")[:INTRODUCIBLE_SHOWN]
    )


def listing_matches(*, listing: Listing, limit: int = 10) -> list[ListingMatch]:
    """Members of the listing's network who could help with a request, or who need what an offer
    gives; best first, one per member with their best listing, each with plain-language reasons.

    The database shortlists the listings that share a skill or a category with this one (stored
    by `listing_skills_refresh`), and the members whose profile names one of its main skills;
    only those are scored here."""
    return listing_match_outcome(listing=listing, limit=limit).matches


def listing_match_outcome(*, listing: Listing, limit: int = 10) -> MatchOutcome:
    """`listing_matches`, and why nobody is suggested when nobody is: never a silent "nobody"."""
    network_id = listing.network_id
    opposite = Listing.Kind.OFFER if listing.kind == Listing.Kind.REQUEST else Listing.Kind.REQUEST
    if listing.status != Listing.Status.OPEN:
        return MatchOutcome([])
    owner = listing_owner(network_id=network_id, user_id=listing.owner_id)
    if owner is None or not owner.is_active:
        return MatchOutcome([])

    taxonomy = skill_matcher().taxonomy
    excluded = owner.blocked | {listing.owner_id}
    # Stored when the listing was written; a listing written before that is read afresh.
    mine = stored_skill_weights(listing_id=listing.pk)
    fresh = None if mine else listing_meaning(listing=listing)
    if fresh is not None:
        mine = dict(fresh.skills.weights)
    wanted = mine
    if listing.kind == Listing.Kind.OFFER:
        # A helper is never matched on sensitive skills they have no checks for: do not shortlist for them.
        wanted = cleared_skills(wanted, taxonomy, checked=owner.checked, drives=owner.drives)
    found = listing_candidates(network_id=network_id, kind=opposite, skills=wanted, excluded=excluded)
    strong = [slug for slug, weight in wanted.items() if weight >= PROFILE_SKILL_WEIGHT]
    found += profile_candidates(network_id=network_id, kind=listing.kind, strong=strong, excluded=excluded)
    my_vector = attach_vectors(found, also_listing=listing.pk)
    candidates = _found_to_candidates(network_id, found, listing.owner_id)
    kind: Kind = "request" if listing.kind == Listing.Kind.REQUEST else "offer"
    my_side = Side(
        skills=mine,
        availability=parse_availability(listing.availability or owner.availability),
        neighbourhood=owner.neighbourhood.strip(),
        vector=fresh.vector if fresh is not None else semantic.from_bytes(my_vector),
        title=listing.title,
    )
    nearby = nearby_neighbourhoods(network=listing.network, place=owner.neighbourhood)

    def ranked_with(people: list[Candidate], owner_checked: bool) -> list[RankedMatch]:
        return rank_candidates(
            kind=kind,
            mine=my_side,
            i_have_current_check=owner_checked,
            i_may_drive=owner.drives,
            candidates=people,
            taxonomy=taxonomy,
            nearby=nearby,
            limit=limit,
            meanings=meaning_matcher(),
        )

    ranked = ranked_with(candidates, owner.checked)
    if ranked:
        return MatchOutcome(_details(ranked, listing.network, [opposite] * len(ranked)))
    if kind == "offer" and wanted.keys() != mine.keys():
        # Help offered that needs checks its owner does not have.
        return MatchOutcome([], NEEDS_CHECK)
    if kind == "request":
        once_checked = fitting_with_check(
            mine=my_side,
            candidates=candidates,
            taxonomy=taxonomy,
            nearby=nearby,
            meanings=meaning_matcher(),
            limit=limit,
        )
        if once_checked:
            details = _details(once_checked, listing.network, [opposite] * len(once_checked))
            return MatchOutcome([], NEEDS_CHECK, details)
    return MatchOutcome([], NOBODY_FITS)


# A search answers with the few dozen who fit best, not a directory.
SEARCH_LIMIT = 50
SEARCH_MAX_LENGTH = 200


def _found_to_candidates(network_id: int, found: list, me: int) -> list[Candidate]:
    records, met = _histories(network_id, {f.member_id for f in found}, me)
    return [
        Candidate(
            member_id=f.member_id,
            listing_id=f.listing_id,
            side=Side(
                skills=f.skills,
                availability=parse_availability(f.availability),
                neighbourhood=f.neighbourhood.strip(),
                vector=semantic.from_bytes(f.vector),
            ),
            record=records.get(f.member_id, TrackRecord()),
            met_before=f.member_id in met,
            has_current_check=f.checked,
            may_drive=f.drives,
        )
        for f in found
    ]


SEARCH_KINDS = (Listing.Kind.OFFER, Listing.Kind.REQUEST)


@dataclass(frozen=True)
class SearchOutcome:
    """`search_matches`, and whether the people who could help need a safeguarding check first: nobody
    who could help was found, the words ask for lifts, care or childcare, and someone would fit if every
    helper had a current check. Never a silent "nobody"."""

    matches: list[ListingMatch]
    helpers_need_check: bool = False


def search_needs_check_message() -> str:
    """Plain words for a searcher whose only helpers need a check first."""
    return _(
        "The people who could help with this need a safeguarding check first. Ask for help and we will tell "
        "the coordinators: they can introduce someone or arrange a check."
    )


def search_matches(
    *, user: User, q: str, network: str | None = None, kind: str | None = None, limit: int = SEARCH_LIMIT
) -> list[ListingMatch]:
    """`search_outcome`'s matches."""
    return search_outcome(user=user, q=q, network=network, kind=kind, limit=limit).matches


def search_reading(text: str) -> tuple[dict[str, float], Meaning]:
    """What a search's words ask for: the skills, the strongest 1.0, and the words' meaning. Matching
    reads English: skills named in the reader's language ("garddio") join what the rest of the words
    say, and their English names the search's meaning."""
    named = named_in(text)
    meaning = meaning_matcher().meaning("", title=named.rest, also=" ".join(skill.name for skill in named.surely))
    surely = {skill.slug: weight for skill, weight in named.surely.items()}
    if surely and not skill_matcher().stems(named.rest):
        # Only the names said anything ("trwsio", in six of them): each as surely as the words name it,
        # not one of them picked by the meaning of their English names alone.
        said = surely
    else:
        # A Welsh word in many names gives way to the English word beside it ("trwsio tap").
        said = dict(combine(meaning.skills, surely).weights)
    top = max(said.values(), default=1.0)
    return {slug: weight / top for slug, weight in said.items()}, meaning


def search_outcome(
    *, user: User, q: str, network: str | None = None, kind: str | None = None, limit: int = SEARCH_LIMIT
) -> SearchOutcome:
    """People in the caller's networks (or the one network named, 404 outside reach) that fit
    free text, best first: those who could help (open offers, the skills their profile offers or
    their bio says they offer) and those who asked for it (open requests, the help their profile
    would like), or only one `kind` ("offer" or "request"). Ranked as a listing's matches are: by
    the skills the words and meaning name, with the sensitive-help rule and blocks as in
    `listing_matches` (`rank_candidates`). "garden" finds the gardener who never wrote a listing,
    and the neighbour who asked for help with her garden (a searcher without a current check is
    never shown requests for lifts, care or childcare, as they would never be matched to them;
    nor anyone shown unchecked helpers for such help). A commissioner finds nobody."""
    # Where they trade, as the listings pages: a commissioner finds nobody (PRODUCT §3).
    networks = list(networks_where_trading(user=user, network=network))
    text = " ".join(q.split())[:SEARCH_MAX_LENGTH]
    if not text or not networks:
        return SearchOutcome([])
    wanted, meaning = search_reading(text)
    if not wanted:
        return SearchOutcome([])
    taxonomy = skill_matcher().taxonomy
    kinds = [k for k in SEARCH_KINDS if kind in (None, "", k)]
    # Every network's best of each kind; only the best of them all are read in full.
    best: list[tuple[RankedMatch, str, Network]] = []
    helpers_found = helpers_if_checked = False
    for place in networks:
        me = listing_owner(network_id=place.pk, user_id=user.pk)
        if me is None or not me.is_active:
            continue
        excluded = me.blocked | {user.pk}
        # Found as helpers (offers), or as people who asked (requests) with the searcher as helper.
        found: dict[str, list] = {}
        for found_kind in kinds:
            skills = wanted
            if found_kind == Listing.Kind.REQUEST:
                # Shortlisting only, as for an offer whose owner lacks checks: `rank_candidates` decides.
                skills = cleared_skills(wanted, taxonomy, checked=me.checked, drives=me.drives)
            strong = [slug for slug, weight in skills.items() if weight >= PROFILE_SKILL_WEIGHT]
            # A profile answers a request by what it offers and an offer by what it would like.
            as_listing = Listing.Kind.REQUEST if found_kind == Listing.Kind.OFFER else Listing.Kind.OFFER
            profiles = profile_candidates(
                network_id=place.pk,
                kind=as_listing,
                strong=strong,
                excluded=excluded,
                with_bio=found_kind == Listing.Kind.OFFER,
            )
            found[found_kind] = (
                listing_candidates(network_id=place.pk, kind=found_kind, skills=skills, excluded=excluded) + profiles
            )
        everyone = [f for people in found.values() for f in people]
        if not everyone:
            continue
        attach_vectors(everyone)
        candidates = _found_to_candidates(place.pk, everyone, user.pk)
        mine = Side(
            skills=wanted,
            availability=parse_availability(me.availability),
            neighbourhood=me.neighbourhood.strip(),
            vector=meaning.vector,
            title=text,
        )
        nearby = nearby_neighbourhoods(network=place, place=me.neighbourhood)
        start = 0
        for shown, people in found.items():
            theirs, start = candidates[start : start + len(people)], start + len(people)
            # Helpers are ranked as for a request with these words, askers as for an offer.
            rank = partial(
                rank_candidates,
                kind="request" if shown == Listing.Kind.OFFER else "offer",
                mine=mine,
                taxonomy=taxonomy,
                nearby=nearby,
                limit=limit,
                search=True,
                meanings=meaning_matcher(),
            )
            ranked = rank(i_have_current_check=me.checked, i_may_drive=me.drives, candidates=theirs)
            best += [(r, shown, place) for r in ranked]
            if shown == Listing.Kind.OFFER:
                helpers_found = helpers_found or bool(ranked)
                if not ranked and not helpers_if_checked:
                    helpers_if_checked = fits_only_with_check(
                        mine=mine,
                        candidates=theirs,
                        taxonomy=taxonomy,
                        nearby=nearby,
                        meanings=meaning_matcher(),
                    )
    best = sorted(best, key=lambda kept: -kept[0].score)[:limit]
    details: dict[tuple[int, str, int], ListingMatch] = {}
    for place in {place.pk: place for _r, _k, place in best}.values():
        mine_here = [(r, shown) for r, shown, there in best if there.pk == place.pk]
        shown_here = _details([r for r, _k in mine_here], place, [shown for _r, shown in mine_here])
        for (r, shown), match in zip(mine_here, shown_here, strict=True):
            details[(place.pk, shown, r.member_id)] = match
    return SearchOutcome(
        [details[(place.pk, shown, r.member_id)] for r, shown, place in best],
        helpers_need_check=helpers_if_checked and not helpers_found,
    )


def unmatched_requests(*, network) -> QuerySet[Listing]:
    """Open requests of the network that no exchange has got going yet, oldest first: where a
    coordinator's introduction helps most."""
    going = Exchange.objects.filter(listing_id=OuterRef("pk"), state__in=TAKEN_UP_STATES)
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
