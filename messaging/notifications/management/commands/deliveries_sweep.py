"""Queue again the push and SMS deliveries a crashed worker or a lost task left behind. Safe to run on a
schedule, concurrently and repeatedly (the compose `scheduler` runs it every minute)."""

from django.core.management.base import BaseCommand

from messaging.notifications.delivery import deliveries_sweep


class Command(BaseCommand):
    help = "Queue again deliveries left pending or stranded by a worker that died."

    def handle(self, *args, **options):
        queued = deliveries_sweep()
        self.stdout.write(f"{queued} deliveries queued again")
