"""Bench data for reports: one network with N transfers, written straight into PostgreSQL with
generate_series (bench data only: this bypasses the ledger service), then `rebuild_rollups`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_reports_bench \
        .venv/bin/python bench/reports/generate.py --transfers 10000000
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from exchanges.ledger.models import Account  # noqa: E402
from exchanges.models import Listing  # noqa: E402
from members.models import Membership, Network, Skill, SkillCategory, User  # noqa: E402
from members.services import network_create  # noqa: E402

SLUG = "bench-reports"
MONTHS = 60  # five years, ending at the start of this month
PARTNERS = 20  # each member exchanges with a circle of 20 others, as people do


def setup_people(members: int, listings: int) -> tuple[Network, list[int], list[int], list[int]]:
    network = Network.objects.filter(slug=SLUG).first() or network_create(slug=SLUG, name="Bench reports")
    have = Membership.objects.filter(network=network).count()
    if have < members:
        users = User.objects.bulk_create(
            [User(email=f"bench{i}@example.org", display_name=f"Bench {i}") for i in range(have, members)]
        )
        memberships = Membership.objects.bulk_create(
            [
                Membership(network=network, user=u, status="active", approved_at=network.created_at.replace(year=2020))
                for u in users
            ]
        )
        Account.objects.bulk_create(
            [Account(network=network, kind="member", membership=m, floor=-(10**15)) for m in memberships]
        )
    rows = list(
        Account.objects.filter(network=network, kind="member").order_by("pk").values_list("pk", "membership__user_id")
    )[:members]
    for i in range(15 - SkillCategory.objects.count()):
        category = SkillCategory.objects.create(slug=f"bench-{i}", name=f"Bench category {i}")
        Skill.objects.create(slug=f"bench-{i}", name=f"Bench skill {i}", category=category)
    skills = list(Skill.objects.order_by("pk").values_list("pk", flat=True))
    if Listing.objects.filter(network=network).count() < listings:
        users = [u for _, u in rows]
        made = Listing.objects.bulk_create(
            [
                Listing(network=network, owner_id=users[i % len(users)], kind="offer", title=f"L{i}")
                for i in range(listings)
            ]
        )
        Listing.skills.through.objects.bulk_create(
            [
                Listing.skills.through(listing_id=item.pk, skill_id=skills[i % len(skills)])
                for i, item in enumerate(made)
            ]
        )
    listing_ids = list(Listing.objects.filter(network=network).order_by("pk").values_list("pk", flat=True))
    return network, [a for a, _ in rows], [u for _, u in rows], listing_ids


def load(network: Network, accounts, users, listings, transfers: int, batch: int) -> None:
    """Exchanges and their transfers, in batches; FK triggers off for the load (bench data only)."""
    with connection.cursor() as cursor:
        # Secondary indexes are dropped for the load and built again after: far faster than
        # maintaining a dozen indexes row by row. Constraint-backed indexes stay.
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.tablename IN ('exchanges_exchange', 'exchanges_transfer')
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"""
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM exchanges_exchange")
        base = cursor.fetchone()[0]
        start = time.perf_counter()
        done = 0
        while done < transfers:
            n = min(batch, transfers - done)
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("SET LOCAL synchronous_commit = off")
                params = {
                    "net": network.pk,
                    "accounts": accounts,
                    "users": users,
                    "listings": listings,
                    "m": len(users),
                    "l": len(listings),
                    "lo": done + 1,
                    "hi": done + n,
                    "total": transfers,
                    "base": base,
                    "months": MONTHS,
                    "partners": PARTNERS,
                }
                cursor.execute(
                    """
                    CREATE TEMP TABLE gen ON COMMIT DROP AS
                    SELECT g, p, (p + 1 + (g / %(m)s) %% %(partners)s) %% %(m)s AS r,
                           15 * (1 + g %% 8) AS mins,
                           date_trunc('month', now()) - make_interval(months => %(months)s)
                             + (g::float8 / %(total)s) * make_interval(months => %(months)s) AS ts
                    FROM (SELECT g, (g * 7919) %% %(m)s AS p FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g) s
                    """,
                    params,
                )
                cursor.execute(
                    """
                    INSERT INTO exchanges_exchange (id, network_id, listing_id, provider_id, recipient_id, minutes,
                        held_minutes, description, state, proposed_by_id, proposed_side, claimed_side,
                        needs_coordinator, created_at, updated_at, posted_at)
                    SELECT %(base)s + g, %(net)s, (%(listings)s::bigint[])[1 + (p * 3 + g %% 3) %% %(l)s],
                           (%(users)s::bigint[])[1 + p], (%(users)s::bigint[])[1 + r], mins, 0, '', 'posted',
                           (%(users)s::bigint[])[1 + p], 'provider', '', false, ts, ts, ts
                    FROM gen
                    """,
                    params,
                )
                cursor.execute(
                    """
                    INSERT INTO exchanges_transfer (id, network_id, from_account_id, to_account_id, minutes, kind,
                        exchange_id, memo, reason, created_by_id, created_at)
                    SELECT %(base)s + g, %(net)s, (%(accounts)s::bigint[])[1 + r], (%(accounts)s::bigint[])[1 + p],
                           mins, 'exchange', %(base)s + g, '', '', (%(users)s::bigint[])[1 + r], ts
                    FROM gen
                    """,
                    params,
                )
            done += n
            rate = done / (time.perf_counter() - start)
            print(f"  {done:,} transfers ({rate:,.0f}/s)", flush=True)
        print(f"  rows in {time.perf_counter() - start:.1f}s; building {len(indexes)} indexes", flush=True)
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            cursor.execute(definition)
        print(f"  indexes built at {time.perf_counter() - start:.1f}s", flush=True)
        for table in ("exchanges_exchange", "exchanges_transfer"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            cursor.execute(f"ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transfers", type=int, default=10_000_000)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--listings", type=int, default=6000)
    parser.add_argument("--batch", type=int, default=1_000_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database on 127.0.0.1 (bench data only).")
    started = time.perf_counter()
    network, accounts, users, listings = setup_people(args.members, args.listings)
    load(network, accounts, users, listings, args.transfers, args.batch)
    print(f"loaded {args.transfers:,} transfers in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
