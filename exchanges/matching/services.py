"""Telling people about a new listing that strongly fits their own open listing or wanted skills."""

import datetime

from django.utils import timezone

from exchanges.matching.scoring import WEIGHTS
from exchanges.matching.selectors import listing_matches
from exchanges.models import Listing
from messaging.models import Notification
from messaging.services import notification_create

MATCH_NOTIFICATION = "match"
# A match is an invitation, not an alarm: more than a few a day would be noise.
MATCH_NOTIFICATIONS_PER_DAY = 3
# How many of the best matches are considered for a notification.
NOTIFY_CANDIDATES = 20


def _notified_today(user_id: int) -> int:
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    today = Notification.objects.filter(user_id=user_id, created_at__gte=start)
    return today.filter(kind=MATCH_NOTIFICATION).count()


def _text(listing: Listing, theirs: Listing | None) -> str:
    who = listing.owner.name
    if listing.kind == Listing.Kind.OFFER:
        fits = f"your request “{theirs.title}”" if theirs else "help you are looking for"
        return f"{who} offers help that fits {fits}: {listing.title}"
    fits = f"your offer “{theirs.title}”" if theirs else "help you offer"
    return f"{who} is asking for {fits}: {listing.title}"


def listing_match_notify(*, listing: Listing) -> list[Notification]:
    """Notify the people a new listing strongly matches, at most three match notifications a day
    each. Call once, after the listing is saved; exclusions are those of `listing_matches`."""
    sent = []
    for match in listing_matches(listing=listing, limit=NOTIFY_CANDIDATES):
        if match.skill_overlap < WEIGHTS.notify_skill_overlap:
            continue
        if _notified_today(match.member.pk) >= MATCH_NOTIFICATIONS_PER_DAY:
            continue
        sent.append(
            notification_create(
                user=match.member,
                kind=MATCH_NOTIFICATION,
                text=_text(listing, match.listing),
                network=listing.network,
                url=f"/listings/{listing.pk}/",
                data={
                    "listing": listing.pk,
                    "your_listing": match.listing.pk if match.listing else None,
                },
            )
        )
    return sent
