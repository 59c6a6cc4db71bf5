"""Server-side time of listing_matches in one network of N listings, on the configured database.

DATABASE_URL=postgres://.../bench python bench/matching/latency.py --listings 2000 [--runs 50]
Writes a new network each run and keeps it: point it at a database kept for benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from exchanges.matching.selectors import listing_matches  # noqa: E402
from exchanges.models import Listing  # noqa: E402
from members.models import Membership, User  # noqa: E402
from members.services import network_create  # noqa: E402

DATASET = Path(__file__).with_name("dataset.json")
NEIGHBOURHOODS = ["Harlesden", "Kensal Green", "Willesden", "Stonebridge", "Park Royal"]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOTS = [f"{day}-{part}" for day in DAYS for part in ("morning", "afternoon", "evening")]


def build(listings: int, rng: random.Random) -> list[Listing]:
    """A network whose listings reuse the evaluation set's texts: one listing per member."""
    data = json.loads(DATASET.read_text(encoding="utf-8"))
    texts = [("offer", o) for o in data["offers"]] + [("request", r) for r in data["requests"]]
    network = network_create(slug=f"bench-matching-{uuid.uuid4().hex[:12]}", name="Bench")
    people = [User(email=f"bench{i}-{network.pk}@example.org") for i in range(listings)]
    users = User.objects.bulk_create(people)
    Membership.objects.bulk_create(
        [
            Membership(
                network=network,
                user=u,
                status=Membership.Status.ACTIVE,
                neighbourhood=rng.choice(NEIGHBOURHOODS),
                availability=rng.sample(SLOTS, 4),
            )
            for u in users
        ]
    )
    rows = []
    for user in users:
        kind, text = rng.choice(texts)
        rows.append(
            Listing(
                network=network,
                owner=user,
                kind=kind,
                title=text["title"],
                description=text["description"],
                availability=rng.sample(SLOTS, 3),
            )
        )
    return Listing.objects.bulk_create(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listings", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(7)
    with transaction.atomic():
        made = build(args.listings, rng)
    if connection.vendor == "postgresql":
        # Fresh rows have no statistics yet; production tables do.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    requests = [listing for listing in made if listing.kind == "request"]
    listing_matches(listing=requests[0])  # warm the process: taxonomy and text caches
    cold_start = time.perf_counter()
    listing_matches(listing=requests[1])
    cold = (time.perf_counter() - cold_start) * 1000
    times = []
    for listing in rng.choices(requests, k=args.runs):
        start = time.perf_counter()
        listing_matches(listing=listing)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"{connection.vendor}, {args.listings} listings in one network, {args.runs} runs: "
        f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms (second call {cold:.1f} ms)"
    )


if __name__ == "__main__":
    main()
