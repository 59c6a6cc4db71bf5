"""The database's part of matching: the few listings and profiles worth scoring for one listing,
read from the stored listing and profile skills through their indexes, and the listing owner's
membership and blocks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from exchanges.matching import semantic
from exchanges.matching.models import ProfileSkill
from exchanges.matching.scoring import WEIGHTS
from exchanges.matching.skills import skill_ids, taxonomy_and_ids
from exchanges.matching.vectors import unit_vectors
from exchanges.models import Listing
from members.models import Membership
from members.safeguarding.models import SafeguardingCheck
from members.selectors import TRADING_ROLES

# Listings scored in Python for one call. The database picks them by skill overlap alone:
# per skill and per category of this listing, the listings with the most weight on it; in a
# network with more listings than this on a skill, one below the cut could have ranked higher.
SHORTLIST = 100
# Members found through their profile's skills alone, scored alongside.
PROFILE_SHORTLIST = 50

_TERM_SQL = """SELECT * FROM (
    SELECT listing_id, owner_id, unit * %s AS part FROM matching_listingskill
    WHERE network_id = %s AND kind = %s AND {term}
      AND (expires_on IS NULL OR expires_on >= %s) AND owner_id NOT IN ({excluded})
    ORDER BY unit DESC LIMIT %s
) AS term{n}"""

# A current check of one kind on the membership `m`: cleared, and not past its review date.
_CURRENT_SQL = """EXISTS (
    SELECT 1 FROM safeguarding_safeguardingcheck c
    WHERE c.membership_id = m.id AND c.kind = %s AND c.decision IN (%s, %s)
      AND (c.review_on IS NULL OR c.review_on >= %s))"""
# A safeguarding (DBS) check; then a driving licence and car insurance, which lifts need as well.
_CHECKED_SQL = f"{_CURRENT_SQL} AS checked, ({_CURRENT_SQL} AND {_CURRENT_SQL}) AS drives"

_CANDIDATES_SQL = """WITH shortlist AS (
    SELECT listing_id, owner_id, SUM(part) AS fit FROM ({terms}) AS parts
    GROUP BY listing_id, owner_id ORDER BY fit DESC, listing_id LIMIT %s
)
SELECT s.listing_id, s.owner_id, m.id, m.neighbourhood, m.availability, l.availability,
    {checked}, ls.skill_id, ls.weight
FROM shortlist s
{membership}
JOIN exchanges_listing l ON l.id = s.listing_id
JOIN matching_listingskill ls ON ls.listing_id = s.listing_id AND ls.skill_id IS NOT NULL
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
    """The parameters of `_CHECKED_SQL`."""
    cleared, today = [SafeguardingCheck.Decision.CLEAR, SafeguardingCheck.Decision.ACCEPTED], timezone.localdate()
    kinds = (SafeguardingCheck.Kind.DBS, SafeguardingCheck.Kind.DRIVING_LICENCE, SafeguardingCheck.Kind.INSURANCE)
    return [value for kind in kinds for value in (kind, *cleared, today)]


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


# Many keys as one parameter (an array, or JSON on SQLite), not one each: the statement stays
# short and the same, so neither the driver nor the database parses it afresh on every call.
_KEYS_SQL = {"postgresql": "= ANY(%s)", "sqlite": "IN (SELECT value FROM json_each(%s))"}


def keys_in(keys: Iterable[int]) -> tuple[str, list]:
    """SQL that follows a column to test it against `keys` ("= ANY(%s)"), and its parameters."""
    keys = list(keys)
    if connection.vendor == "postgresql":
        return _KEYS_SQL["postgresql"], [keys]
    if connection.vendor == "sqlite":
        return _KEYS_SQL["sqlite"], [json.dumps(keys)]
    return f"IN ({_placeholders(keys) or 'NULL'})", keys


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
    matcher, ids = taxonomy_and_ids()
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
class Found:
    member_id: int
    listing_id: int | None
    membership_id: int
    neighbourhood: str
    availability: list[str] | None  # slots as the profile and listing services store them
    checked: bool
    drives: bool
    skills: dict[str, float]
    vector: bytes | None = None  # the listing's (or, for a profile, the profile's) stored vector


_VECTORS_SQL = """SELECT 'listing', listing_id, vector FROM matching_listingvector
WHERE listing_id {listings} AND model = %s
UNION ALL
SELECT 'profile', membership_id, vector FROM matching_profilevector
WHERE membership_id {profiles} AND model = %s"""


def stored_vectors(*, listing_ids: Iterable[int], membership_ids: Iterable[int]) -> dict[tuple[str, int], bytes]:
    """The stored vectors of these listings and profiles, in one query, by ("listing", id) and
    ("profile", membership id); none for those written without the model, or by another model or
    lens (a release's, before `matching_refresh` makes them again)."""
    if not semantic.available():
        return {}
    (listings, listing_params), (profiles, profile_params) = keys_in(listing_ids), keys_in(membership_ids)
    sql = _VECTORS_SQL.format(listings=listings, profiles=profiles)
    tag = semantic.vectors_tag()
    with connection.cursor() as cursor:
        cursor.execute(sql, [*listing_params, tag, *profile_params, tag])
        return {(kind, key): bytes(vector) for kind, key, vector in cursor.fetchall()}


def attach_vectors(found: list[Found], *, also_listing: int | None = None) -> bytes | None:
    """Fill in each candidate's stored vector; returns the vector of `also_listing` (the
    listing matched for), read in the same query."""
    listing_ids = [f.listing_id for f in found if f.listing_id is not None]
    if also_listing is not None:
        listing_ids.append(also_listing)
    profile_ids = [f.membership_id for f in found if f.listing_id is None]
    vectors = stored_vectors(listing_ids=listing_ids, membership_ids=profile_ids)
    for f in found:
        key = ("listing", f.listing_id) if f.listing_id is not None else ("profile", f.membership_id)
        f.vector = vectors.get(key)  # type: ignore[arg-type]
    return vectors.get(("listing", also_listing)) if also_listing is not None else None


def _json(value):
    # PostgreSQL hands back JSON parsed, SQLite as text.
    return json.loads(value) if isinstance(value, str) else value


def listing_candidates(*, network_id: int, kind: str, skills: Mapping[str, float], excluded: set[int]) -> list[Found]:
    if not skills:
        return []
    sql, params = candidates_query(network_id=network_id, kind=kind, skills=skills, excluded=excluded)
    slugs = skill_ids().slug
    found: dict[int, Found] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            listing_id, owner_id, membership_id, place, member_slots, slots, checked, drives = row[:8]
            if listing_id not in found:
                found[listing_id] = Found(
                    member_id=owner_id,
                    listing_id=listing_id,
                    membership_id=membership_id,
                    neighbourhood=place,
                    availability=_json(slots) or _json(member_slots),
                    checked=bool(checked),
                    drives=bool(drives),
                    skills={},
                )
            found[listing_id].skills[slugs[row[8]]] = row[9]
    return list(found.values())


_PROFILE_TERM_SQL = """SELECT * FROM (
    SELECT {distinct}p.membership_id, {priority} AS priority FROM matching_profileskill p
    JOIN members_membership m ON m.id = p.membership_id
    WHERE p.network_id = %s AND p.kind = %s AND p.skill_id {skills} AND p.user_id NOT IN ({excluded})
      AND m.status = %s AND m.role IN ({roles})
    ORDER BY p.membership_id LIMIT %s
) AS term{n}"""

# Members with one of the skills first, then those with another skill of the same kind of help.
_PROFILES_SQL = """WITH shortlist AS (
    SELECT membership_id FROM ({terms}) AS terms
    GROUP BY membership_id ORDER BY MIN(priority), membership_id LIMIT %s
)
SELECT m.id, m.user_id, m.neighbourhood, m.availability, {checked}, p.skill_id
FROM shortlist s
JOIN members_membership m ON m.id = s.membership_id
JOIN matching_profileskill p ON p.membership_id = s.membership_id AND p.kind IN ({kinds})
ORDER BY m.id"""


def profile_candidates(
    *, network_id: int, kind: str, strong: list[str], excluded: set[int], with_bio: bool = False
) -> list[Found]:
    """Members offering (for a request) or wanting (for an offer) these skills on their profile,
    so people who never wrote a listing are found too, with all their profile's skills: the
    first members by key, read per skill from the stored profile skills' index. Then, as a listing
    shares a category, those with another skill of the same kind of help ("gardening" for "trim my
    hedge"): ranking decides how well they fit.

    `with_bio` (a search for help): also the members whose bio says they offer these skills
    (`ProfileSkill.BIO`), with those skills beside the ones they ticked."""
    if not strong:
        return []
    matcher, ids = taxonomy_and_ids()
    # A request is answered by what members offer, an offer by what they want.
    profile_kind = Listing.Kind.OFFER if kind == Listing.Kind.REQUEST else Listing.Kind.REQUEST
    kinds = [profile_kind, ProfileSkill.BIO] if with_bio and profile_kind == Listing.Kind.OFFER else [profile_kind]
    excluded_ids, roles = list(excluded) or [0], list(TRADING_ROLES)
    taxonomy = matcher.taxonomy
    categories = {taxonomy.skills[slug].category.slug for slug in strong if slug in taxonomy.skills}
    alike = [
        [ids.skill[slug] for slug, skill in taxonomy.skills.items() if skill.category.slug == category]
        for category in sorted(categories)
    ]
    # One term per skill and kind: each reads the index in key order and stops at the shortlist. Then
    # one per category and kind, over its skills at once: it reads and sorts the network's profile rows
    # of that kind of help (a term per skill of the category, up to 17 of them, cost a search 50 ms
    # more at 1 M listings: bench/RESULTS.md), each member once.
    wanted = [(0, "= %s", [ids.skill[slug]]) for slug in strong]
    wanted += [(1, *keys_in(others)) for others in alike]
    terms, params = [], []
    for priority, skills_sql, skill_params in wanted:
        for term_kind in kinds:
            terms.append(
                _PROFILE_TERM_SQL.format(
                    distinct="DISTINCT " if priority else "",
                    priority=priority,
                    skills=skills_sql,
                    excluded=_placeholders(excluded_ids),
                    roles=_placeholders(roles),
                    n=len(terms),
                )
            )
            params += [network_id, term_kind, *skill_params, *excluded_ids, Membership.Status.ACTIVE, *roles]
            params.append(PROFILE_SHORTLIST)
    sql = _PROFILES_SQL.format(terms=" UNION ALL ".join(terms), checked=_CHECKED_SQL, kinds=_placeholders(kinds))
    params += [PROFILE_SHORTLIST, *_check_params(), *kinds]
    found: dict[int, Found] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for membership_id, user_id, place, slots, checked, drives, skill_id in cursor.fetchall():
            if membership_id not in found:
                found[membership_id] = Found(
                    member_id=user_id,
                    listing_id=None,
                    membership_id=membership_id,
                    neighbourhood=place,
                    availability=_json(slots),
                    checked=bool(checked),
                    drives=bool(drives),
                    skills={},
                )
            found[membership_id].skills[ids.slug[skill_id]] = 1.0
    return list(found.values())


_OWNER_SQL = """SELECT m.status, m.neighbourhood, m.availability, {checked},
    b.blocker_id, b.blocked_id
FROM members_membership m
LEFT JOIN messaging_block b ON b.network_id = m.network_id
    AND (b.blocker_id = m.user_id OR b.blocked_id = m.user_id)
WHERE m.network_id = %s AND m.user_id = %s"""


@dataclass
class Owner:
    """The listing's owner in its network, and who they blocked or were blocked by."""

    is_active: bool
    neighbourhood: str
    availability: list[str] | None  # slots as the profile and listing services store them
    checked: bool
    drives: bool
    blocked: set[int]


def listing_owner(*, network_id: int, user_id: int) -> Owner | None:
    """One row per block: blocks work both ways, neither person is suggested to the other."""
    owner = None
    with connection.cursor() as cursor:
        cursor.execute(_OWNER_SQL.format(checked=_CHECKED_SQL), [*_check_params(), network_id, user_id])
        for status, place, slots, checked, drives, blocker, blocked in cursor.fetchall():
            if owner is None:
                active = status == Membership.Status.ACTIVE
                owner = Owner(active, place, _json(slots), bool(checked), bool(drives), set())
            if blocker is not None:
                owner.blocked.add(blocked if blocker == user_id else blocker)
    return owner


def stored_skill_weights(*, listing_id: int) -> dict[str, float]:
    """The skills `listing_skills_refresh` stored for a listing, in the order it derived them."""
    slugs = skill_ids().slug
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT skill_id, weight FROM matching_listingskill"
            " WHERE listing_id = %s AND skill_id IS NOT NULL ORDER BY id",
            [listing_id],
        )
        return {slugs[skill_id]: weight for skill_id, weight in cursor.fetchall()}
