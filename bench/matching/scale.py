"""listing_matches and search at scale on PostgreSQL: N listings across many networks,
bulk-generated in SQL, with their stored skills and vectors.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_matching_bench \
    python bench/matching/scale.py --listings 1000000 --networks 1000 --largest 50000 --runs 200
Refuses any database whose name does not end in `_bench`: it writes bench rows straight with SQL.
Search is timed in the largest network with the requests of `dataset_plain.json` as queries, each
embedded afresh (the query cache is cleared before every search); it finds offers and requests,
and members through their profile skills (one in ten) or their bio alone (another one in ten).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Timed as production runs (DJANGO_DEBUG=0): with DEBUG on, Django also keeps the text of every query.
settings.DEBUG = False

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from exchanges.matching import semantic  # noqa: E402
from exchanges.matching.candidates import candidates_query  # noqa: E402
from exchanges.matching.models import ProfileSkill  # noqa: E402
from exchanges.matching.selectors import listing_matches, search_matches  # noqa: E402
from exchanges.matching.skills import (  # noqa: E402
    listing_skill_weights,
    meaning_matcher,
    offered_in_bio,
    skill_ids,
    skill_matcher,
)
from exchanges.matching.vectors import skill_rows  # noqa: E402
from exchanges.models import Listing  # noqa: E402
from members.models import Membership, Network  # noqa: E402

DATASET = Path(__file__).with_name("dataset.json")
PLAIN = Path(__file__).with_name("dataset_plain.json")
NEIGHBOURHOODS = ["Harlesden", "Kensal Green", "Willesden", "Stonebridge", "Park Royal"]
SLOTS = [
    f"{d}-{p}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") for p in ("morning", "afternoon", "evening")
]
# Templates are picked by a hash of the listing id, so listing skills can be joined in SQL.
HASH = 7919
# Tables that must never be read whole for one listing's matches.
BIG_TABLES = (
    "exchanges_listing",
    "matching_listingskill",
    "exchanges_listing_skills",
    "members_membership",
    "members_user",
    "members_membership_skills_offered",
    "members_membership_skills_wanted",
    "matching_profileskill",
    "matching_listingvector",
    "matching_profilevector",
)


def sizes(listings: int, networks: int, largest: int) -> list[int]:
    rest, extra = divmod(listings - largest, networks - 1)
    return [largest] + [rest + (1 if i < extra else 0) for i in range(networks - 1)]


def step(label: str, sql: str, params=None) -> None:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count = cursor.rowcount
    print(f"  {label}: {count} rows in {time.perf_counter() - start:.1f} s", flush=True)


def generate(listings: int, networks: int, largest: int) -> None:
    data = json.loads(DATASET.read_text(encoding="utf-8"))
    templates = [("offer", o) for o in data["offers"]] + [("request", r) for r in data["requests"]]
    matcher, ids, meanings = skill_matcher(), skill_ids(), meaning_matcher()
    start = time.perf_counter()
    nets = Network.objects.bulk_create([Network(slug=f"bench-{i}", name=f"Bench {i}") for i in range(networks)])
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_template (t int, kind text, title text, body text)")
        cursor.execute(
            "CREATE TEMP TABLE bench_skill (t int, skill_id bigint, category_id bigint, weight float8, unit float8)"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_net (network_id bigint, n int, first_listing bigint, first_user bigint)"
        )
        cursor.execute("CREATE TEMP TABLE bench_vector (t int, vector bytea)")
        cursor.execute("CREATE TEMP TABLE bench_skill_vector (skill_id bigint, vector bytea)")
        with cursor.copy("COPY bench_template FROM STDIN") as copy:
            for t, (kind, text) in enumerate(templates):
                copy.write_row((t, kind, text["title"], text["description"]))
        found = [meanings.meaning(text["description"], title=text["title"]) for _, text in templates]
        with cursor.copy("COPY bench_skill FROM STDIN") as copy:
            for t, meaning in enumerate(found):
                for row in skill_rows(meaning.skills.weights, matcher.taxonomy):
                    skill = ids.skill[row.skill] if row.skill else None
                    copy.write_row((t, skill, ids.category[row.category], row.weight, row.unit))
        with cursor.copy("COPY bench_vector FROM STDIN") as copy:
            for t, meaning in enumerate(found):
                copy.write_row((t, semantic.to_bytes(meaning.vector)))
        # A profile's vector, as `profile_skills_refresh` makes it for a member with one skill.
        names = {pk: skill.name for pk, skill in ids.rows.items()}
        vectors = semantic.embed_many(list(names.values()))
        with cursor.copy("COPY bench_skill_vector FROM STDIN") as copy:
            for pk, vector in zip(names, vectors, strict=True):
                copy.write_row((pk, semantic.to_bytes(vector)))
        cursor.execute("SELECT coalesce(max(id), 0) FROM exchanges_listing")
        next_listing = cursor.fetchone()[0] + 1
        cursor.execute("SELECT coalesce(max(id), 0) FROM members_user")
        next_user = cursor.fetchone()[0] + 1
        with cursor.copy("COPY bench_net FROM STDIN") as copy:
            for network, n in zip(nets, sizes(listings, networks, largest), strict=True):
                copy.write_row((network.pk, n, next_listing, next_user))
                next_listing += n
                next_user += (n + 1) // 2
    # Bench rows only: foreign keys are not checked row by row, and the indexes of the two big
    # tables are built once after the load rather than kept up row by row.
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """SELECT indexname, indexdef FROM pg_indexes
               WHERE tablename IN ('exchanges_listing', 'matching_listingskill', 'matching_listingvector')
                 AND indexname NOT LIKE '%%_pkey'"""
        )
        indexes = cursor.fetchall()
        for index_name, _ in indexes:
            cursor.execute(f'DROP INDEX "{index_name}"')
    # Two listings per member; explicit ids so owners and templates follow from them.
    step(
        "users",
        """INSERT INTO members_user (id, password, is_superuser, email, display_name, is_staff,
               is_active, date_joined, language)
           SELECT first_user + g, '!', false, 'bench' || (first_user + g) || '@example.org',
               'Member ' || (first_user + g), false, true, now(), ''
           FROM bench_net, generate_series(0, (n + 1) / 2 - 1) g""",
    )
    step(
        "memberships",
        """INSERT INTO members_membership (role, status, is_supported, bio, neighbourhood,
               availability, phone, emergency_contact, reach_consent, age_band, disability, ward,
               created_at, approved_at, user_id, network_id, join_answers)
           SELECT 'member', 'active', false, '', (%s::text[])[1 + (first_user + g) %% 5],
               '[]'::jsonb, '', '', false, '', '', '', now(), now(), first_user + g, network_id, '{}'::jsonb
           FROM bench_net, generate_series(0, (n + 1) / 2 - 1) g""",
        [NEIGHBOURHOODS],
    )
    step(
        "listings",
        """INSERT INTO exchanges_listing (id, kind, title, description, availability, status,
               created_at, updated_at, network_id, owner_id)
           SELECT first_listing + g, t.kind, t.title, t.body,
               jsonb_build_array((%s::text[])[1 + (first_listing + g) %% 21],
                                 (%s::text[])[1 + (first_listing + g) * 7 %% 21]),
               'open', now(), now(), network_id, first_user + g / 2
           FROM bench_net, generate_series(0, n - 1) g, bench_template t
           WHERE t.t = ((first_listing + g) * %s) %% %s""",
        [SLOTS, SLOTS, HASH, len(templates)],
    )
    step(
        "listing skills",
        """INSERT INTO matching_listingskill (kind, weight, unit, category_id, listing_id,
               network_id, owner_id, skill_id)
           SELECT l.kind, s.weight, s.unit, s.category_id, l.id, l.network_id, l.owner_id, s.skill_id
           FROM exchanges_listing l JOIN bench_net b ON b.network_id = l.network_id
           JOIN bench_skill s ON s.t = (l.id * %s) %% %s""",
        [HASH, len(templates)],
    )
    step(
        "listing vectors",
        """INSERT INTO matching_listingvector (listing_id, vector, model)
           SELECT l.id, v.vector, %s
           FROM exchanges_listing l JOIN bench_net b ON b.network_id = l.network_id
           JOIN bench_vector v ON v.t = (l.id * %s) %% %s""",
        [semantic.vectors_tag(), HASH, len(templates)],
    )
    # One member in ten also offers a skill on their profile.
    step(
        "profile skills",
        """INSERT INTO members_membership_skills_offered (membership_id, skill_id)
           SELECT m.id, (SELECT array_agg(id ORDER BY id) FROM members_skill)[1 + m.id % 190]
           FROM members_membership m JOIN bench_net b ON b.network_id = m.network_id
           WHERE m.id % 10 = 0""",
    )
    store_profile_skills()
    store_bio_profiles(templates)
    for index_name, definition in indexes:
        step(f"index {index_name}", definition)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
    for table in ("members_user", "exchanges_listing"):
        step(
            f"{table} sequence",
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))",
        )
    print(f"generated in {time.perf_counter() - start:.0f} s", flush=True)
    start = time.perf_counter()
    # Index-only scans need the visibility map; production tables are vacuumed by autovacuum.
    step("vacuum analyze", "VACUUM ANALYZE")
    print(f"vacuumed in {time.perf_counter() - start:.0f} s", flush=True)


def store_profile_skills() -> None:
    """Profile skills as `profile_skills_refresh` stores them, for the bench members that have none."""
    step(
        "stored profile skills",
        """INSERT INTO matching_profileskill (network_id, membership_id, user_id, kind, skill_id)
           SELECT m.network_id, m.id, m.user_id, 'offer', s.skill_id
           FROM members_membership_skills_offered s JOIN members_membership m ON m.id = s.membership_id
           WHERE m.network_id IN (SELECT id FROM members_network WHERE slug LIKE 'bench-%')
             AND NOT EXISTS (SELECT 1 FROM matching_profileskill p WHERE p.membership_id = m.id)""",
    )
    step(
        "stored profile vectors",
        """INSERT INTO matching_profilevector (membership_id, vector, model)
           SELECT s.membership_id, v.vector, %s
           FROM members_membership_skills_offered s JOIN bench_skill_vector v ON v.skill_id = s.skill_id
           JOIN members_membership m ON m.id = s.membership_id
           WHERE m.network_id IN (SELECT id FROM members_network WHERE slug LIKE 'bench-%%')
             AND NOT EXISTS (SELECT 1 FROM matching_profilevector p WHERE p.membership_id = m.id)""",
        [semantic.vectors_tag()],
    )


def store_bio_profiles(templates: list[tuple[str, dict]]) -> None:
    """One member in ten (none of those with profile skills) ticked no skill but wrote a bio, an
    offer's words: its skills as `profile_skills_refresh` reads them (`offered_in_bio`), and its
    vector, stored for search."""
    offers = [(t, text) for t, (kind, text) in enumerate(templates) if kind == "offer"]
    ids = skill_ids()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_bio (k int, t int, bio text)")
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_bio_skill (k int, skill_id bigint)")
        cursor.execute("TRUNCATE bench_bio, bench_bio_skill")
        with cursor.copy("COPY bench_bio FROM STDIN") as copy:
            for k, (t, text) in enumerate(offers):
                copy.write_row((k, t, f"{text['title']}. {text['description']}"))
        with cursor.copy("COPY bench_bio_skill FROM STDIN") as copy:
            for k, (_t, text) in enumerate(offers):
                for hit in offered_in_bio(f"{text['title']}. {text['description']}"):
                    copy.write_row((k, ids.skill[hit.slug]))
    # The bench members with a bio, and the offer (k) their bio is.
    bios = """FROM members_membership m JOIN bench_bio b ON b.k = (m.id * %s) %% %s
           WHERE m.id %% 10 = 5 AND m.network_id IN (SELECT id FROM members_network WHERE slug LIKE 'bench-%%')"""
    params = [HASH, len(offers)]
    step(
        "bios",
        f"UPDATE members_membership u SET bio = b.bio FROM ({'SELECT m.id, b.bio ' + bios}) AS b WHERE u.id = b.id",
        params,
    )
    step(
        "stored bio skills",
        f"""INSERT INTO matching_profileskill (network_id, membership_id, user_id, kind, skill_id)
           SELECT m.network_id, m.id, m.user_id, 'bio', s.skill_id
           FROM ({"SELECT m.id, m.network_id, m.user_id, b.k " + bios}) AS m
           JOIN bench_bio_skill s ON s.k = m.k""",
        params,
    )
    step(
        "bio profile vectors",
        f"""INSERT INTO matching_profilevector (membership_id, vector, model)
           SELECT m.id, v.vector, %s FROM ({"SELECT m.id, b.t " + bios}) AS m
           JOIN bench_vector v ON v.t = m.t""",
        [semantic.vectors_tag(), *params],
    )


def spread(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    return f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms"


def plans(listing: Listing) -> None:
    """EXPLAIN every query of one call; fail on a sequential scan of a big table."""
    with CaptureQueriesContext(connection) as captured:
        listing_matches(listing=listing)
    explain(captured)
    weights = listing_skill_weights(listing=listing).weights
    sql, params = candidates_query(
        network_id=listing.network_id, kind="offer", skills=weights, excluded=[listing.owner_id]
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("candidate query plan:\n" + "\n".join(row[0] for row in cursor.fetchall()))


def explain(captured: CaptureQueriesContext) -> None:
    """EXPLAIN ANALYZE each captured query; fail on a sequential scan of a big table."""
    bad = []
    with connection.cursor() as cursor:
        # Empty tables (the bench writes no exchanges or checks) are rightly read whole.
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > 1000 AND relname = ANY(%s)",
            [list(BIG_TABLES)],
        )
        big = [row[0] for row in cursor.fetchall()]
        print("tables checked for sequential scans:", ", ".join(big))
        print("server execution time of each query of one call (EXPLAIN ANALYZE):")
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            executed = plan.rsplit("Execution Time: ", 1)[-1]
            print(f"  {executed:>10}  {' '.join(query['sql'].split())[:90]}")
            bad += [f"{t}: {query['sql'][:200]}" for t in big if f"Seq Scan on {t} " in plan]
    print(f"{len(captured.captured_queries)} queries per call, each EXPLAINed")
    assert not bad, "sequential scan of a big table:\n" + "\n".join(bad)
    print("no sequential scan of a big table in any query")


def machine_speed() -> float:
    """Seconds of CPU for 10 M Python additions at a module's top level (as `python -c` runs them): how fast
    this machine runs Python, to compare runs made on others."""
    loop = compile("total = 0\nfor n in range(10_000_000):\n    total += n\n", "<speed>", "exec")
    begin = time.process_time()
    exec(loop, {})  # noqa: S102 - a fixed loop of our own, timed
    return time.process_time() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listings", type=int, default=1_000_000)
    parser.add_argument("--networks", type=int, default=1000)
    parser.add_argument("--largest", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="time the data already there")
    args = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not name.endswith("_bench"):
        sys.exit(f"refusing to write bench rows into {name!r}: use a PostgreSQL *_bench database")
    call_command("migrate", verbosity=0)
    if not args.reuse:
        if Network.objects.filter(slug="bench-0").exists():
            sys.exit("bench rows are already there: pass --reuse, or drop and recreate the database")
        generate(args.listings, args.networks, args.largest)
    elif not ProfileSkill.objects.exists():
        # Data generated before profile skills were stored (the migration fills them too).
        store_profile_skills()
        step("vacuum analyze", "VACUUM ANALYZE matching_profileskill")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM exchanges_listing")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM matching_listingskill")
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT network_id, count(*) FROM exchanges_listing GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
        network_id, in_largest = cursor.fetchone()
        cursor.execute("SELECT count(DISTINCT network_id) FROM exchanges_listing")
        networks = cursor.fetchone()[0]
    print(f"{total} listings ({stored} listing-skill rows) in {networks} networks; largest {in_largest}")
    print(f"this machine: 10 M Python additions in {machine_speed():.2f} s of CPU")
    requests = list(
        Listing.objects.filter(network_id=network_id, kind="request")
        .order_by("?")
        .values_list("id", flat=True)[: args.runs + 5]
    )
    for listing_id in requests[:5]:  # warm the process: taxonomy and text caches
        listing_matches(listing=Listing.objects.get(pk=listing_id))
    times, cpu, found = [], [], 0
    for listing_id in requests[5:]:
        begin, begin_cpu = time.perf_counter(), time.process_time()
        listing = Listing.objects.select_related("network").get(pk=listing_id)
        found += bool(listing_matches(listing=listing))
        times.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
    print(
        f"listing_matches for {len(times)} random requests in the largest network "
        f"(listing read included): {spread(times)}; {found} had matches"
    )
    # On a shared machine the wall time is mostly waiting for a core; this is the Python part.
    print(f"  of which CPU time in this process: {spread(cpu)}")
    print(f"  load average while timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    plans(Listing.objects.get(pk=requests[0]))
    time_search(network_id, args.runs)


def time_search(network_id: int, runs: int) -> None:
    """search_matches as a member of the largest network, free text from the plain set."""
    queries = [f"{r['title']}. {r['description']}" for r in json.loads(PLAIN.read_text(encoding="utf-8"))["requests"]]
    member = Membership.objects.filter(network_id=network_id, status="active").select_related("user").first()
    assert member is not None
    slug = Network.objects.get(pk=network_id).slug
    for q in queries[:5]:  # warm the process
        search_matches(user=member.user, q=q, network=slug)
    # Every query of one search (offers, requests, profiles and bios), each EXPLAINed.
    with CaptureQueriesContext(connection) as captured:
        search_matches(user=member.user, q="Help with my garden", network=slug)
    explain(captured)
    times, cpu, found, kinds = [], [], 0, {"offer": 0, "request": 0, "bio": 0}
    for n in range(runs):
        q = queries[n % len(queries)]
        semantic._embed_cached.cache_clear()
        begin, begin_cpu = time.perf_counter(), time.process_time()
        matches = search_matches(user=member.user, q=q, network=slug)
        times.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
        found += bool(matches)
        for match in matches:
            kinds[match.kind] += 1
            kinds["bio"] += match.listing is None and match.kind == "offer"
    print(
        f"search_matches (offers and requests) for {len(times)} free-text queries in the largest network: "
        f"{spread(times)}; {found} found someone"
    )
    print(
        f"  people found: {kinds['offer']} could help ({kinds['bio']} of them through their profile or bio), "
        f"{kinds['request']} asked for it"
    )
    print(f"  of which CPU time in this process: {spread(cpu)}")
    print(f"  load average while timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    random.seed(7)
    main()
