"""`manage.py autoconfirm`: post claims nobody answered within their network's delay, close expired listings.

Safe every few minutes and concurrently: each claim is taken under `SELECT … FOR UPDATE SKIP LOCKED`
and re-checked, so two runs never post it twice; listings close with a conditional update.
Claims with a supported member are never auto-confirmed: they wait in the coordinator's queue.

Production runs it on a schedule next to the web processes, e.g. a small service in docker-compose
looping `python manage.py autoconfirm; sleep 300` (or a cron / systemd timer every 5 minutes).
Overlapping runs are harmless, so no external lock is needed.
"""

from django.core.management.base import BaseCommand

from exchanges.services import exchanges_autoconfirm, listings_expire


class Command(BaseCommand):
    help = "Auto-confirm claims past their network's delay and close expired listings (safe to schedule)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many claims per network per run.")

    def handle(self, *args, limit: int = 500, **options):
        posted = exchanges_autoconfirm(limit=limit)
        closed = listings_expire()
        self.stdout.write(f"Auto-confirmed {posted} exchange(s); closed {closed} expired listing(s).")
