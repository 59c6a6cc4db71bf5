"""Recompute the report roll-ups from the ledger. Idempotent and safe to run on a schedule."""

import time

from django.core.management.base import BaseCommand

from exchanges.reports.rollups import rollups_rebuild
from members.models import Network


class Command(BaseCommand):
    help = "Recompute the report roll-ups from the ledger (all networks, or those named)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="network slugs (default: every network)")

    def handle(self, *args, slugs, **options):
        pks = None
        if slugs:
            found = dict(Network.objects.filter(slug__in=slugs).values_list("slug", "pk"))
            missing = sorted(set(slugs) - set(found))
            if missing:
                self.stderr.write(f"No such network: {', '.join(missing)}")
                raise SystemExit(2)
            pks = list(found.values())
        started = time.perf_counter()
        counts = rollups_rebuild(network_pks=pks)
        elapsed = time.perf_counter() - started
        rows = ", ".join(f"{table}={n}" for table, n in counts.items())
        self.stdout.write(f"Roll-ups rebuilt in {elapsed:.2f}s: {rows}")
