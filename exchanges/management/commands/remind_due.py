"""`manage.py remind_due`: what falls due soon, said before it does: listings ending within three days (to their
owners, with a one-tap renew on the listing's page) and safeguarding checks due for review within 30 days (to the
network's coordinators). Each is told once per date; safe to run on a schedule (the scheduler runs it daily)."""

from django.core.management.base import BaseCommand

from exchanges.listings import listings_expiring_remind
from members.safeguarding.services import checks_due_remind


class Command(BaseCommand):
    help = "Remind owners of listings about to end and coordinators of checks falling due (safe to schedule)."

    def handle(self, *args, **options):
        listings = listings_expiring_remind()
        checks = checks_due_remind()
        self.stdout.write(f"Reminded {listings} listing owner(s) and of {checks} check(s) falling due.")
