"""Email each person their digest as they chose it (daily, weekly or off), in their language; safe to run on a
schedule (the scheduler runs it hourly).

Daily: the unread notifications not yet emailed. Weekly, once a week: the same, plus new offers and requests
in their networks that fit the skills on their profile. Each notification is emailed at most once (`emailed_at`
is set in the same transaction that claims it), and a weekly round-up goes at most once a week
(`weekly_sent_at`, set under the preference's row lock).
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchanges.matching.selectors import listings_that_fit
from members.models import User
from messaging.notifications.models import Notification, NotificationPreference
from messaging.notifications.selectors import language_of, still_theirs
from timebank.mail import mail_send

WEEK = datetime.timedelta(days=7)
# A weekly run that comes a little early (the scheduler's clock drifts) still sends.
WEEK_SLACK = datetime.timedelta(hours=1)
Digest = NotificationPreference.Digest


class Command(BaseCommand):
    help = "Email each person their digest: daily, or weekly with new listings that fit them."

    def handle(self, *args, **options):
        has_email = Q(email__isnull=False) & ~Q(email="")
        not_daily = NotificationPreference.objects.exclude(email_digest=Digest.DAILY).values("user_id")
        daily = (
            Notification.objects.filter(still_theirs(), read_at__isnull=True, emailed_at__isnull=True)
            .exclude(user_id__in=not_daily)
            .values_list("user_id", flat=True)
            .distinct()
        )
        sent = 0
        for user in User.objects.filter(has_email, pk__in=list(daily), erased_at__isnull=True).order_by("pk"):
            sent += self._digest(user, weekly=False)
        due = timezone.now() - WEEK + WEEK_SLACK
        weekly = NotificationPreference.objects.filter(email_digest=Digest.WEEKLY).filter(
            Q(weekly_sent_at__isnull=True) | Q(weekly_sent_at__lte=due)
        )
        for user in User.objects.filter(has_email, pk__in=weekly.values("user_id"), erased_at__isnull=True):
            sent += self._digest(user, weekly=True)
        self.stdout.write(f"sent {sent} digest(s)")

    def _digest(self, user: User, *, weekly: bool) -> int:
        with transaction.atomic():
            since = timezone.now() - WEEK
            if weekly:
                preference = NotificationPreference.objects.select_for_update().get(user=user)
                due = timezone.now() - WEEK + WEEK_SLACK
                if preference.weekly_sent_at is not None and preference.weekly_sent_at > due:
                    return 0  # another run sent it meanwhile
                since = max(since, preference.weekly_sent_at or since)
                preference.weekly_sent_at = timezone.now()
                preference.save(update_fields=["weekly_sent_at"])
            # Claim the rows under a lock, so two runs at once never email the same notification twice.
            rows = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("about")
                .filter(still_theirs(), user=user, read_at__isnull=True, emailed_at__isnull=True)
                .order_by("created_at")
            )
            listings = listings_that_fit(user=user, since=since) if weekly else []
            if not rows and not listings:
                return 0
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
            with translation.override(language_of(user_id=user.pk)):
                subject, body = _written(user, rows, listings, weekly=weekly)
            # Queued with the claim and sent once it commits; the queue retries while the mail server is down.
            mail_send(message=EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
        return 1


def _written(user: User, rows: list[Notification], listings: list, *, weekly: bool) -> tuple[str, str]:
    """The digest's subject and body in the active language."""
    parts = [_("Hello %(name)s,") % {"name": user.name}, ""]
    if rows:
        parts += [_("Here is what happened while you were away:"), ""]
        for n in rows:
            line = f"- {n.shown}"
            if n.about_id:
                line += " " + _("(for %(name)s)") % {"name": n.about.name}
            parts.append(line)
        parts.append("")
    if listings:
        parts += [_("New in your networks this week, fitting what you do or need:"), ""]
        for listing in listings:
            parts.append(f"- {listing.title} ({listing.owner.name}): {settings.SITE_URL}/listings/{listing.pk}/")
        parts.append("")
    parts.append(_("You can change how often we email you in your notification settings."))
    count = len(rows)
    if weekly:
        subject = _("timebank: your week")
    else:
        subject = ngettext("timebank: %(n)d new notification", "timebank: %(n)d new notifications", count) % {
            "n": count
        }
    return subject, "\n".join(parts) + "\n"
