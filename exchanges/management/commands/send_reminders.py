"""`manage.py send_reminders`: the reminders around agreed times (PRODUCT §4 `…/schedule/`): the day before, an
hour before, and afterwards "Did it happen? How long?" to the provider.

Safe every few minutes and concurrently: each reminder is claimed by a conditional update of its sent-marker on
the exchange, so it goes once however often (or however many at once) this runs. The scheduler in
docker-compose.yml runs it every minute.
"""

from django.core.management.base import BaseCommand

from exchanges.services import exchanges_remind


class Command(BaseCommand):
    help = "Send the reminders due around agreed exchange times (safe to run every few minutes)."

    def handle(self, *args, **options):
        self.stdout.write(f"Sent {exchanges_remind()} reminder(s).")
