"""Report benchmarks on the bench database (see generate.py): roll-up rebuild time, summary latency
read from the roll-ups, and the time the roll-ups add to each transfer. Bounded; stops by itself.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_reports_bench .venv/bin/python bench/reports/run.py
"""

import argparse
import os
import statistics
import sys
import time
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from exchanges.ledger.models import Account, Transfer  # noqa: E402
from exchanges.ledger.services import network_accounts_open, transfer_create  # noqa: E402
from exchanges.models import Exchange  # noqa: E402
from exchanges.reports.models import RollupMonthKind  # noqa: E402
from exchanges.reports.periods import Period, month_add  # noqa: E402
from exchanges.reports.rollups import rollups_rebuild  # noqa: E402
from exchanges.reports.selectors import COMMISSIONER, COORDINATOR, report_network_for  # noqa: E402
from members.models import Membership, Network, User  # noqa: E402
from members.services import membership_activate, network_create  # noqa: E402

SLUG = "bench-reports"


def _server_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(fn, repeat: int) -> tuple[float, float, str]:
    """Median and p95 wall time, and the median CPU time of this process and of the database
    backend per call (CPU time says more than wall time on a shared machine)."""
    fn()  # warm the caches once, as a running server would be
    samples, client = [], []
    server_before = _server_cpu()
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        client.append((time.process_time() - cpu) * 1000)
    server_after = _server_cpu()
    samples.sort()
    cpu = f"CPU: python {statistics.median(client):5.1f} ms"
    if server_before is not None and server_after is not None:
        cpu += f", database {(server_after - server_before) * 1000 / repeat:5.1f} ms (mean)"
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], cpu


def bench_latency(network: Network, repeat: int) -> None:
    this_month = timezone.localdate().replace(day=1)
    commissioner, _ = User.objects.get_or_create(email="bench-commissioner@example.org")
    membership, _ = Membership.objects.get_or_create(network=network, user=commissioner, role="commissioner")
    membership_activate(membership=membership, actor=None)
    client = Client()
    client.force_login(commissioner)
    for months in (3, 12, 60):
        period = Period(start=month_add(this_month, -months), end=this_month)
        for role in (COMMISSIONER, COORDINATOR):
            median, p95, cpu = timed(
                lambda r=role, p=period: report_network_for(network=network, role=r, period=p), repeat
            )
            print(f"summary selector, {role:12} {months:2} months: median {median:6.1f} ms, p95 {p95:6.1f} ms; {cpu}")
        url = f"/api/v1/reports/networks/{SLUG}/summary/?from={period.label_from}&to={period.label_to}"
        assert client.get(url).status_code == 200
        median, p95, cpu = timed(lambda u=url: client.get(u), repeat)
        print(
            f"summary API (HTTP in-process), commissioner, {months:2} months: median {median:6.1f} ms, "
            f"p95 {p95:6.1f} ms; {cpu}"
        )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def month_kind_spread(network: Network, *, stripes: int) -> int:
    """Spread the network's month × kind roll-up over `stripes` rows per key, as transfers kept by the
    ledger leave it (a rebuild writes one); 1 folds it back. The sums stay the same. Returns the rows."""
    table = RollupMonthKind._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""WITH folded AS (
                    DELETE FROM {table} WHERE network_pk = %s
                    RETURNING network_pk, month, kind, category_pk, minutes, transfers
                ), keys AS (
                    SELECT network_pk, month, kind, category_pk, SUM(minutes) AS minutes,
                           SUM(transfers) AS transfers
                    FROM folded GROUP BY network_pk, month, kind, category_pk
                )
                INSERT INTO {table} (network_pk, month, kind, category_pk, stripe, minutes, transfers)
                SELECT network_pk, month, kind, category_pk, s,
                       CASE WHEN s = 0 THEN minutes - (%s - 1) * (minutes / %s) ELSE minutes / %s END,
                       CASE WHEN s = 0 THEN transfers - (%s - 1) * (transfers / %s) ELSE transfers / %s END
                FROM keys, generate_series(0, %s - 1) AS s""",
            [network.pk, *[stripes] * 7],
        )
        return cursor.rowcount


def bench_transfer_cost(count: int) -> None:
    """transfer_create of exchange transfers (the kind that touches every roll-up), with and without."""
    network = Network.objects.filter(slug="bench-rollup-cost").first() or network_create(
        slug="bench-rollup-cost", name="Roll-up cost", member_floor_minutes=-(10**9)
    )
    pot, issuance = network_accounts_open(network=network)
    people = []
    for i in range(20):
        user, _ = User.objects.get_or_create(email=f"cost{i}@example.org")
        membership, _ = Membership.objects.get_or_create(network=network, user=user)
        membership_activate(membership=membership, actor=None)
        people.append((user, Account.objects.get(membership=membership)))
    exchanges = Exchange.objects.bulk_create(
        [
            Exchange(
                network=network,
                provider=people[i % 20][0],
                recipient=people[(i + 1 + i // 20 % 5) % 20][0],
                minutes=30,
                state="posted",
                proposed_by=people[i % 20][0],
            )
            for i in range(2 * count)
        ]
    )

    def run(batch, with_rollups: bool) -> float:
        patch = _Null() if with_rollups else mock.patch("exchanges.ledger.services.rollup_transfer", lambda t: None)
        started = time.perf_counter()
        with patch:
            for exchange in batch:
                transfer_create(
                    network=network,
                    from_account=accounts[exchange.recipient_id],
                    to_account=accounts[exchange.provider_id],
                    minutes=30,
                    kind=Transfer.Kind.EXCHANGE,
                    exchange=exchange,
                    created_by=None,
                )
        return time.perf_counter() - started

    accounts = {user.pk: account for user, account in people}
    totals = {True: 0.0, False: 0.0}
    block = 250
    for start in range(0, 2 * count, 2 * block):
        totals[True] += run(exchanges[start : start + block], True)
        totals[False] += run(exchanges[start + block : start + 2 * block], False)
    with_ms, without_ms = totals[True] / count * 1000, totals[False] / count * 1000
    print(
        f"transfer_create x{count} each: with roll-ups {with_ms:.2f} ms/transfer, without {without_ms:.2f} ms/transfer, "
        f"roll-ups add {with_ms - without_ms:.2f} ms ({(with_ms / without_ms - 1) * 100:.0f}%)"
    )


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--transfers", type=int, default=2000)
    parser.add_argument("--skip-rebuild", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL bench database on 127.0.0.1.")
    network = Network.objects.get(slug=SLUG)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'exchanges_transfer'")
        print(f"transfers in the bench network: ~{cursor.fetchone()[0]:,}")
    if not args.skip_rebuild:
        started = time.perf_counter()
        counts = rollups_rebuild(network_pks=[network.pk])
        print(f"rebuild_rollups: {time.perf_counter() - started:.1f}s, rows {counts}")
    bench_latency(network, args.repeat)
    stripes = RollupMonthKind.STRIPES
    rows = month_kind_spread(network, stripes=stripes)
    print(f"== again, the month × kind roll-up spread over {stripes} stripes per key ({rows:,} rows)")
    bench_latency(network, args.repeat)
    month_kind_spread(network, stripes=1)
    bench_transfer_cost(args.transfers)


if __name__ == "__main__":
    main()
