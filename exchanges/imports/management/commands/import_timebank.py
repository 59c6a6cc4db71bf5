"""`manage.py import_timebank --network <slug> --format timeoverflow|plain <dir or files> [--dry-run]`."""

from django.core.management.base import BaseCommand, CommandError

from exchanges.imports.services import import_apply
from exchanges.imports.sources import FORMATS, source_read
from members.models import Network


class Command(BaseCommand):
    help = (
        "Bring members, offers, requests and balances from another time bank's CSV exports into a network "
        "(docs/import.md). All or nothing; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--network", required=True, help="the network's slug")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--dry-run", action="store_true", help="say what would change and write nothing")
        parser.add_argument("paths", nargs="+", help="a folder of CSV files, or the files")

    def handle(self, *args, network: str, format: str, dry_run: bool, paths: list[str], **options):
        found = Network.objects.filter(slug=network).first()
        if found is None:
            raise CommandError(f"No network with the slug “{network}”.")
        result = import_apply(network=found, source=source_read(format=format, paths=paths), dry_run=dry_run)
        for note in result.notes:
            self.stdout.write(f"note: {note}")
        for error in result.errors:
            self.stderr.write(f"error: {error}")
        m, li = result.members, result.listings
        self.stdout.write(
            f"Members: {m.new} new, {m.updated} updated, {m.unchanged} unchanged.\n"
            f"Listings: {li.new} new, {li.updated} updated, {li.unchanged} unchanged.\n"
            f"Balances: {result.balance_moves} moved ({result.balance_minutes_in} minutes issued, "
            f"{result.balance_minutes_out} minutes taken back), as issuance with the reason “opening balance”."
        )
        if result.errors:
            raise CommandError(f"Nothing was imported: {len(result.errors)} row(s) to fix first.")
        self.stdout.write(self.style.SUCCESS("Dry run: nothing was written." if dry_run else "Imported."))
