"""Full exchange lifecycles (propose, accept, complete, confirm) per second through the services,
on the configured database, with T threads each driving their own pairs of members.

DATABASE_URL=postgres://.../bench python bench/exchanges/lifecycle.py --exchanges 400 --threads 4
Writes a new network each run and keeps it: point it at a database kept for benchmarks.
Stops by itself after --exchanges lifecycles (or --seconds, whichever comes first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from exchanges import services  # noqa: E402
from exchanges.ledger.models import Account  # noqa: E402
from exchanges.models import Exchange  # noqa: E402
from members.models import Membership, User  # noqa: E402
from members.services import membership_activate, network_create  # noqa: E402


def build(members: int):
    network = network_create(slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench")
    users = []
    for i in range(members):
        user = User.objects.create_user(f"bench-{uuid.uuid4().hex[:10]}@example.org", display_name=f"B{i}")
        membership_activate(membership=Membership.objects.create(network=network, user=user), actor=None)
        users.append(user)
    return network, users


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exchanges", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    network, users = build(args.threads * 2)
    per_thread = args.exchanges // args.threads
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def drive(i: int) -> None:
        provider, recipient = users[2 * i], users[2 * i + 1]
        mine = []
        try:
            for n in range(per_thread):
                if time.monotonic() > deadline:
                    break
                # Alternate direction so balances stay near zero, far from the floor.
                p, r = (provider, recipient) if n % 2 == 0 else (recipient, provider)
                start = time.perf_counter()
                exchange = services.exchange_propose(actor=r, network=network, provider=p, recipient=r, minutes=30)
                exchange = services.exchange_accept(actor=p, exchange=exchange)
                exchange = services.exchange_complete(actor=p, exchange=exchange, minutes=30)
                services.exchange_confirm(actor=r, exchange=exchange)
                mine.append(time.perf_counter() - start)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=drive, args=(i,)) for i in range(args.threads)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    posted = Exchange.objects.filter(network=network, state="posted").count()
    total = sum(Account.objects.filter(network=network).values_list("balance", flat=True))
    latencies.sort()
    print(f"database: {connection.vendor}; threads: {args.threads}; lifecycles: {len(latencies)} in {elapsed:.1f} s")
    print(f"lifecycles/s: {len(latencies) / elapsed:.1f} (4 transitions each: {4 * len(latencies) / elapsed:.0f}/s)")
    print(
        f"one lifecycle: median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {latencies[int(0.95 * (len(latencies) - 1))] * 1000:.1f} ms"
    )
    print(f"posted: {posted}; network balance sum: {total} (must be 0)")


if __name__ == "__main__":
    main()
