"""Announcements and events (PRODUCT §4 additions): a coordinator tells the whole network something;
everyone who can read them is told. Members read them; only coordinators post."""

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.audit import audit_record
from members.models import Announcement, Membership, Network, User
from members.selectors import insiders, network_for_members, require_coordinator
from messaging.notifications.services import notification_create
from timebank.errors import ValidationError
from timebank.parsers import has_lone_surrogate

TITLE_LENGTH = 140  # Announcement.title
BODY_LENGTH = 4000
# An event's days: a thank-you for one up to a year ago, news of one up to two years ahead.
DAYS_BACK, DAYS_AHEAD = 366, 2 * 366


def _text(value, field: str, most: int) -> str:
    if not isinstance(value, str) or "\x00" in value or has_lone_surrogate(value):
        raise ValidationError({field: [_("Give some text.")]})
    value = value.strip()
    if not value:
        raise ValidationError({field: [_("This cannot be empty.")]})
    if len(value) > most:
        raise ValidationError({field: [_("Keep it under %(most)d characters.") % {"most": most}]})
    return value


def announcements_of(*, network: Network) -> QuerySet[Announcement]:
    """A network's announcements, newest first (the caller's reach is asked by `network_for_readers`)."""
    return Announcement.objects.filter(network=network).select_related("author").order_by("-created_at", "-id")


def network_for_readers(*, user: User, slug: str) -> tuple[Network, Membership]:
    """The network whose news `user` may read, and their membership: the people who see inside it
    (`selectors.sees_inside`), the same people an announcement is told to."""
    return network_for_members(user=user, slug=slug, refusal=_("Only active members can read this network's news."))


@transaction.atomic
def announcement_post(
    *,
    actor: User,
    network: Network,
    title: str,
    body: str,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> Announcement:
    """Post news or an event to the network and tell everyone who can read it but the author."""
    require_coordinator(user=actor, network=network)
    title = _text(title, "title", TITLE_LENGTH)
    body = _text(body, "body", BODY_LENGTH)
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is not None and not isinstance(day, datetime.date):
            raise ValidationError({field: [_("Give a day as YYYY-MM-DD.")]})
    today = timezone.localdate()
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is not None and not (
            today - datetime.timedelta(days=DAYS_BACK) <= day <= today + datetime.timedelta(days=DAYS_AHEAD)
        ):
            raise ValidationError({field: [_("An event is within a year ago and two years ahead.")]})
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": [_("An event ends on or after the day it starts.")]})
    announcement = Announcement.objects.create(
        network=network, author=actor, title=title, body=body, starts_on=starts_on, ends_on=ends_on
    )
    audit_record(action="announcement.post", actor=actor, network=network, target=announcement)
    readers = User.objects.filter(pk__in=insiders(network=network).values("user_id")).exclude(pk=actor.pk)
    url = reverse("announcement-list", args=[network.slug])
    data = {"announcement": announcement.pk, "title": title, "network": network.slug, "network_name": network.name}
    for reader in readers:
        notification_create(user=reader, kind="announcement", network=network, url=url, data=data)
    return announcement
