"""Email each person a digest of their unread notifications not yet emailed; safe to run on a schedule.

Each notification is emailed at most once (`emailed_at` is set in the same transaction that claims it),
and people who turned the daily digest off are skipped. Run it daily, e.g. `manage.py send_digests`.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from members.models import User
from messaging.notifications.models import Notification, NotificationPreference
from timebank.mail import mail_send


class Command(BaseCommand):
    help = "Email a digest of unread notifications to everyone who has not opted out."

    def handle(self, *args, **options):
        opted_out = NotificationPreference.objects.filter(daily_digest=False).values("user_id")
        user_ids = (
            Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True)
            .exclude(user_id__in=opted_out)
            .exclude(user__email__isnull=True)
            .exclude(user__email="")
            .values_list("user_id", flat=True)
            .distinct()
        )
        sent = 0
        for user_id in list(user_ids):
            sent += self._digest(user_id)
        self.stdout.write(f"sent {sent} digest(s)")

    def _digest(self, user_id: int) -> int:
        with transaction.atomic():
            # Claim the rows under a lock, so two runs at once never email the same notification twice.
            rows = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(user_id=user_id, read_at__isnull=True, emailed_at__isnull=True)
                .order_by("created_at")
            )
            if not rows:
                return 0
            user = User.objects.get(pk=user_id)
            lines = [f"- {n.text}" for n in rows]
            body = (
                f"Hello {user.name},\n\nHere is what happened while you were away:\n\n"
                + "\n".join(lines)
                + "\n\nYou can turn these emails off in your notification settings.\n"
            )
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
            # Queued with the claim and sent once it commits; the queue retries while the mail server is down.
            subject = f"timebank: {len(rows)} new notification(s)"
            mail_send(message=EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
        return 1
