"""Add the transfers fed since the last catch-up to the report roll-ups. Safe to run on a schedule and
concurrently with readers (each transfer is added once)."""

from django.core.management.base import BaseCommand

from exchanges.reports.rollups import rollups_catch_up


class Command(BaseCommand):
    help = "Add new transfers to the report roll-ups (reports also do this before every read)."

    def handle(self, *args, **options):
        applied = rollups_catch_up()
        self.stdout.write(f"Roll-ups took in {applied} transfer(s).")
