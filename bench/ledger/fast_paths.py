"""Do the one-statement PostgreSQL paths still pay for themselves? Times the ledger's transfer and the chat
send through each path, alternating, in one process on the bench database (`seed.py` run first).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<bench db> python bench/ledger/fast_paths.py [rounds] [per round]

Prints wall and process CPU time per operation for each path; each operation is its own transaction, as
in a request.
"""

import os
import sys
import time
from statistics import median
from unittest import mock

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402

from exchanges.ledger import services as ledger  # noqa: E402
from exchanges.ledger.models import Account  # noqa: E402
from members.models import Network  # noqa: E402
from messaging.services import conversation_direct_open, message_send  # noqa: E402
from messaging.services import messages as chat  # noqa: E402


def timed(operation, count: int) -> tuple[float, float]:
    """Milliseconds of wall and process CPU time per operation."""
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(count):
        with transaction.atomic():
            operation(n)
    return 1000 * (time.perf_counter() - wall) / count, 1000 * (time.process_time() - cpu) / count


def main(rounds: int, count: int) -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL bench database.")
    network = Network.objects.get(slug="bench")
    accounts = list(Account.objects.filter(network=network, kind="member").select_related("membership__user")[:2])
    users = [a.membership.user for a in accounts]
    conversation, _ = conversation_direct_open(network=network, user=users[0], other_id=users[1].pk)

    def gift(n):
        payer, payee = accounts[n % 2], accounts[1 - n % 2]
        ledger.transfer_create(
            network=network, from_account=payer, to_account=payee, minutes=1, kind="gift", created_by=users[n % 2]
        )

    def send(n):
        message_send(conversation=conversation.pk, sender=users[n % 2], body=f"bench {n}")

    orm_transfer = mock.patch.object(ledger, "_transfer_write_one_statement", ledger._transfer_write)
    orm_send = mock.patch.object(chat, "_message_insert_checked", lambda *args: None)
    results: dict[str, list[tuple[float, float]]] = {}
    for name, operation, patch in (("transfer", gift, orm_transfer), ("chat send", send, orm_send)):
        timed(operation, count)  # warm-up: statements prepared, caches filled
        with patch:
            timed(operation, count)
        for _ in range(rounds):
            results.setdefault(f"{name}, one statement", []).append(timed(operation, count))
            with patch:
                results.setdefault(f"{name}, ORM path", []).append(timed(operation, count))
    for name, samples in results.items():
        wall = median(w for w, _ in samples)
        cpu = median(c for _, c in samples)
        print(f"{name:28} wall {wall:6.3f} ms  process CPU {cpu:6.3f} ms  (median of {len(samples)} × {count})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, int(sys.argv[2]) if len(sys.argv) > 2 else 500)
