"""The database's part of matching: the few listings and profiles worth scoring for one listing,
read from the stored listing skills through their covering indexes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from exchanges.matching.scoring import WEIGHTS
from exchanges.matching.skills import skill_ids, taxonomy_and_ids
from exchanges.matching.vectors import unit_vectors
from exchanges.models import Listing
from members.models import Membership, SafeguardingCheck
from members.selectors import TRADING_ROLES

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
    availability: object
    checked: bool
    skills: dict[str, float]


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
            listing_id, owner_id, membership_id, place, member_slots, slots, checked = row[:7]
            if listing_id not in found:
                found[listing_id] = Found(
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


def current_check() -> Exists:
    today = timezone.localdate()
    return Exists(
        SafeguardingCheck.objects.filter(
            membership_id=OuterRef("pk"),
            kind=SafeguardingCheck.Kind.DBS,
            decision__in=[SafeguardingCheck.Decision.CLEAR, SafeguardingCheck.Decision.ACCEPTED],
        ).filter(Q(review_on__isnull=True) | Q(review_on__gte=today))
    )


def profile_candidates(*, network_id: int, kind: str, strong: list[str], excluded: set[int]) -> list[Found]:
    """Members offering (for a request) or wanting (for an offer) these skills on their profile,
    so people who never wrote a listing are found too, with all their profile's skills."""
    if not strong:
        return []
    profile_field = "skills_offered" if kind == Listing.Kind.REQUEST else "skills_wanted"
    through = getattr(Membership, profile_field).through.objects
    members = (
        Membership.objects.filter(network_id=network_id, status=Membership.Status.ACTIVE, role__in=TRADING_ROLES)
        .filter(**{f"{profile_field}__in": [skill_ids().skill[slug] for slug in strong]})
        .exclude(user_id__in=excluded)
        .annotate(checked=current_check())
        .values("id", "user_id", "neighbourhood", "availability", "checked")
        .distinct()
        .order_by("id")[:PROFILE_SHORTLIST]
    )
    found = {
        row["id"]: Found(
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
