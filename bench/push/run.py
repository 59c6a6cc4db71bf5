"""Push delivery latency: from an event's commit to its push arriving at a push service.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_push python bench/push/run.py --rate 50 --seconds 60

The local topology (bench/load/topology.py) under production settings: PostgreSQL, Redis, and the task
workers as docker-compose.yml's `worker` service runs them (`manage.py db_worker`, the database queue). This
process is the web tier: `--senders` threads commit gifts between pairs of members at `--rate` a second in all,
alternating who gives, each member having one Web Push subscription at a local push service (an HTTP server on loopback, as the
tests use). Each gift's commit time is taken by the first on-commit callback; the arrival time when the
encrypted POST reaches the push service. Payloads are decrypted afterwards to pair them with their gift.
"""

import argparse
import importlib.util
import os
import signal
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

_spec = importlib.util.spec_from_file_location("load_topology", ROOT / "bench" / "load" / "topology.py")
topology = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(topology)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=50, help="events a second")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="task worker processes")
    parser.add_argument("--senders", type=int, default=4, help="threads committing events")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url or not database_url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database of its own (it is migrated and written to)")

    # Production settings, but the push service is this machine's own (production sends only to the internet).
    topo = topology.Topology(
        database_url=database_url, webs=0, sockets=0, workers=0, extra_env={"TIMEBANK_PUSH_LOCAL_SERVICE": "1"}
    )
    topo.redis_port = topology.free_port()
    env = topo.env
    topology.manage(env, "migrate", "--noinput")
    os.environ.update(env)
    import django

    django.setup()
    from django.db import transaction

    from exchanges.ledger.moves import transfer_request
    from members.models import Membership, Network, User
    from members.services import membership_activate
    from messaging.notifications.models import Delivery, PushSubscription
    from tests.notifications.pushservice import Browser, PushService

    run = str(int(time.time()))
    network = Network.objects.create(slug=f"push-bench-{run}", name="Push bench")
    people, browsers = [], {}
    for n in range(2 * args.senders):  # a pair per sender: no two senders lock the same accounts
        user = User.objects.create_user(email=f"member{n}-{run}@bench.example", password=None)
        membership_activate(membership=Membership.objects.create(network=network, user=user), actor=None)
        people.append(user)

    arrivals: dict[int, float] = {}
    commits: dict[int, float] = {}
    with PushService() as service:
        for user in people:
            browsers[user.pk] = browser = Browser()
            info = browser.subscription(service.endpoint(str(user.pk)))
            PushSubscription.objects.create(user=user, endpoint=info["endpoint"], **info["keys"])
        topo.workers = args.workers
        topo.start(prepared=True)
        time.sleep(3)  # the workers' start-up
        try:
            total = int(args.rate * args.seconds)
            started = time.monotonic()
            late = []

            def events(first: int) -> None:
                # Several senders, as several web processes would be: event i is due at i / rate.
                from django.db import connection

                for i in range(first, total, args.senders):
                    wait = started + i / args.rate - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                    elif wait < -0.1:
                        late.append(i)
                    pair = people[2 * first : 2 * first + 2]
                    giver, taker = pair if (i // args.senders) % 2 == 0 else pair[::-1]
                    holder: dict = {}
                    with transaction.atomic():
                        # First on-commit callback: runs the moment the gift and its outbox rows are committed.
                        transaction.on_commit(lambda h=holder: commits.__setitem__(h["id"], time.monotonic()))
                        transfer = transfer_request(
                            actor=giver, network=network, kind="gift", to_member=taker.pk, minutes=1
                        )
                        holder["id"] = transfer.pk
                    if i % int(args.rate * 10) == 0:
                        print(f"{i} events, {len(service.received)} pushes received", flush=True)
                connection.close()

            senders = [threading.Thread(target=events, args=(n,)) for n in range(args.senders)]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
            sent_for = time.monotonic() - started
            deadline = time.monotonic() + 15
            while len(service.received) < total and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            topo.stop()

    for got in service.received:
        user_id = int(got.path.rsplit("/", 1)[1])
        message = browsers[user_id].decrypt(got.body)
        arrivals.setdefault(message["notification"]["data"]["transfer"], got.at)
    latencies = [(arrivals[t] - commits[t]) * 1000 for t in commits if t in arrivals]
    states = {s: Delivery.objects.filter(notification__network=network, state=s).count() for s in Delivery.State}
    print(
        f"events: {total} due at {args.rate:g}/s, sent in {sent_for:.1f} s by {args.senders} senders "
        f"({len(late)} started over 100 ms late)"
    )
    print(f"workers: {args.workers} x `manage.py db_worker` ({' '.join(topology.worker_command()[2:])})")
    print(
        f"pushes received: {len(service.received)}, distinct gifts: {len(arrivals)}, missing: {total - len(arrivals)}"
    )
    print(f"deliveries: {states}")
    if latencies:
        print(
            "commit -> push arrival ms: "
            f"p50 {statistics.median(latencies):.0f}, p90 {percentile(latencies, 90):.0f}, "
            f"p99 {percentile(latencies, 99):.0f}, max {max(latencies):.0f}"
        )


def _stop(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # so the topology's processes are stopped too


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    signal.signal(signal.SIGTERM, _stop)
    main()
