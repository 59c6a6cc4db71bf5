"""Writes about listings: post, edit, pause or close, and close the ones that have expired."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.ledger.models import Account
from exchanges.lifecycle.common import acting_for
from exchanges.limits import MAX_HELP_MINUTES, minutes_check
from exchanges.matching.services import listing_changed_notify, listing_match_notify, listing_skills_refresh
from exchanges.models import Listing
from members.audit import audit_record
from members.models import AVAILABILITY_DAYS, AVAILABILITY_PARTS, Membership, Network, Skill, User
from members.selectors import active_membership, is_coordinator
from messaging.notifications.models import Notification
from messaging.notifications.services import notification_create
from timebank.errors import Forbidden, NotFound, ValidationError

SLOTS = {f"{day}-{part}" for day in AVAILABILITY_DAYS for part in AVAILABILITY_PARTS}
EDITABLE = ("title", "description", "skills", "minutes_estimate", "availability", "expires_on", "status")
# The most kinds of help one listing names: beyond it a listing matches everyone and says nothing.
MAX_SKILLS = 20


# A listing shows for at most a year ahead: with no end date it shows until it is closed.
LONGEST_DAYS = 366


def latest_end(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=LONGEST_DAYS)


def _clean(fields: dict) -> dict:
    """Check every field given; raise one ValidationError naming all that are wrong."""
    errors: dict[str, list[str]] = {}
    if "kind" in fields and fields["kind"] not in Listing.Kind.values:
        errors["kind"] = ["Choose offer or request."]
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
        if not fields["title"] or len(fields["title"]) > 140:
            errors["title"] = ["Give a short title (up to 140 characters)."]
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
        if len(fields["description"]) > 4000:
            errors["description"] = ["Keep it under 4000 characters."]
    minutes = fields.get("minutes_estimate")
    if minutes is not None:
        try:
            minutes_check(minutes, most=MAX_HELP_MINUTES, field="minutes_estimate")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "availability" in fields:
        slots = fields["availability"] or []
        if not isinstance(slots, list) or any(slot not in SLOTS for slot in slots):
            errors["availability"] = [_("Use times like mon-morning, tue-afternoon or sat-evening.")]
        else:
            fields["availability"] = sorted(set(slots))
    expires = fields.get("expires_on")
    if expires is not None:
        today = timezone.localdate()
        if not isinstance(expires, datetime.date) or expires < today:
            errors["expires_on"] = [_("Choose today or a later date.")]
        elif expires > latest_end(today):
            errors["expires_on"] = [_("Choose a date within a year from today, or no end date.")]
    if "status" in fields and fields["status"] not in Listing.Status.values:
        errors["status"] = [_("Choose open, paused or closed.")]
    if len(fields.get("skills") or ()) > MAX_SKILLS:
        errors["skills"] = [_("Choose up to %(most)d kinds of help.") % {"most": MAX_SKILLS}]
    if errors:
        raise ValidationError(errors)
    return fields


def listing_create(
    *,
    actor: User,
    network: Network,
    kind: str,
    title: str,
    description: str = "",
    skills: list[Skill] | tuple = (),
    minutes_estimate: int | None = None,
    availability: list[str] | tuple = (),
    expires_on: datetime.date | None = None,
    owner: User | None = None,
) -> Listing:
    """Post an offer or a request; a coordinator or supporter may post one for a member they act with."""
    if active_membership(user=actor, network=network) is None:
        raise NotFound(_("No such network."))
    owner = owner or actor
    acting = acting_for(actor=actor, network=network, party=owner)
    if acting is None:
        raise Forbidden(_("You can only post listings for yourself or a member you support."))
    if not Account.objects.filter(membership__network=network, membership__user=owner).exists():
        raise Forbidden(_("Only members who give and receive help can post listings."))
    fields = _clean(
        {
            "kind": kind,
            "title": title,
            "description": description,
            "minutes_estimate": minutes_estimate,
            "availability": list(availability),
            "expires_on": expires_on,
            "skills": list(skills),
        }
    )
    skills = fields.pop("skills")
    with transaction.atomic():
        listing = Listing.objects.create(network=network, owner=owner, **fields)
        listing.skills.set(skills)
        listing_skills_refresh(listing=listing)
        listing_match_notify(listing=listing)
        audit_record(
            action="listing.create", actor=actor, on_behalf_of=acting.on_behalf_of, network=network, target=listing
        )
    return listing


def listing_require_editor(*, actor: User, listing: Listing):
    """Who may change a listing (and open its edit form): its owner, someone acting with them, or a
    coordinator of its network. Returns how the actor acts for the owner (None for a coordinator)."""
    acting = acting_for(actor=actor, network=listing.network, party=listing.owner)
    if acting is None and not is_coordinator(user=actor, network=listing.network):
        raise Forbidden(_("Only the person who posted this listing can change it."))
    return acting


def listing_may_edit(*, actor: User, listing: Listing) -> bool:
    """The question a page asks before offering to change, pause, close or renew: `listing_require_editor`'s."""
    try:
        listing_require_editor(actor=actor, listing=listing)
    except Forbidden:
        return False
    return True


def listing_speaks_for_owner(*, actor: User, listing: Listing) -> bool:
    """The owner, or someone acting with them: they look after the listing, they do not answer it."""
    return acting_for(actor=actor, network=listing.network, party=listing.owner) is not None


def listing_update(*, actor: User, listing: Listing, **changes) -> Listing:
    """Edit, pause, reopen or close a listing: its owner, someone acting with them, or a coordinator."""
    acting = listing_require_editor(actor=actor, listing=listing)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: ["This cannot be changed."] for name in sorted(unknown)})
    changes = _clean(changes)
    skills = changes.pop("skills", None)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing.pk)
        expires = changes.get("expires_on", listing.expires_on)
        if changes.get("status") == Listing.Status.OPEN and expires and expires < timezone.localdate():
            raise ValidationError({"expires_on": [_("This listing has expired: choose a new date to reopen it.")]})
        for name, value in changes.items():
            setattr(listing, name, value)
        listing.save()
        if skills is not None:
            listing.skills.set(skills)
        listing_skills_refresh(listing=listing)
        listing_changed_notify(listing=listing)
        audit_record(
            action="listing.update",
            actor=actor,
            on_behalf_of=acting.on_behalf_of if acting else None,
            network=listing.network,
            target=listing,
            data={"fields": sorted([*changes, *(["skills"] if skills is not None else [])])},
        )
    return listing


def listing_met(*, listing: Listing, exchange_id: int) -> bool:
    """A request whose help was given and paid for is met: it closes, so it no longer reads "Open" nor is
    suggested. An offer stays open: the same help can be given again. Called when an exchange posts."""
    if listing.kind != Listing.Kind.REQUEST:
        return False
    live = (Listing.Status.OPEN, Listing.Status.PAUSED)
    if not Listing.objects.filter(pk=listing.pk, status__in=live).update(status=Listing.Status.CLOSED):
        return False
    listing.status = Listing.Status.CLOSED
    listing_skills_refresh(listing=listing)
    audit_record(
        action="listing.met", actor=None, network=listing.network, target=listing, data={"exchange": exchange_id}
    )
    return True


def listings_expire(*, today: datetime.date | None = None) -> int:
    """Close listings past their expiry date and tell their owners. Safe to run concurrently."""
    today = today or timezone.localdate()
    live = (Listing.Status.OPEN, Listing.Status.PAUSED)
    closed = 0
    for listing in Listing.objects.filter(status__in=live, expires_on__lt=today).select_related("network"):
        with transaction.atomic():
            # The conditional update is the lock: a concurrent run closes (and tells) it only once.
            if not Listing.objects.filter(pk=listing.pk, status__in=live).update(status=Listing.Status.CLOSED):
                continue
            closed += 1
            listing.status = Listing.Status.CLOSED
            listing_skills_refresh(listing=listing)
            audit_record(action="listing.expire", actor=None, network=listing.network, target=listing)
            if Membership.objects.filter(
                network=listing.network, user_id=listing.owner_id, status=Membership.Status.ACTIVE
            ).exists():
                notification_create(
                    user=listing.owner,
                    kind="listing.expired",
                    network=listing.network,
                    data={"listing": listing.pk, "title": listing.title},
                )
    return closed


# Before a listing ends its owner is reminded, with a one-tap renew on its page.
EXPIRY_REMINDER_DAYS = 3
RENEW_DAYS = 30


def listing_renew(*, actor: User, listing: Listing, today: datetime.date | None = None) -> Listing:
    """Keep a listing open for another RENEW_DAYS from its end (or from today, once it has ended, which
    reopens it): its owner, someone acting with them, or a coordinator."""
    today = today or timezone.localdate()
    acting = listing_require_editor(actor=actor, listing=listing)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().select_related("network").get(pk=listing.pk)
        if listing.expires_on is None:
            raise ValidationError({"expires_on": [_("This listing has no end date: there is nothing to renew.")]})
        # Never past a year from today, however far off the end was set before that rule.
        start = min(max(listing.expires_on, today), latest_end(today))
        listing.expires_on = min(start + datetime.timedelta(days=RENEW_DAYS), latest_end(today))
        if listing.status == Listing.Status.CLOSED:
            listing.status = Listing.Status.OPEN
        listing.save(update_fields=["expires_on", "status"])
        listing_skills_refresh(listing=listing)
        audit_record(
            action="listing.renew",
            actor=actor,
            on_behalf_of=acting.on_behalf_of if acting else None,
            network=listing.network,
            target=listing,
            data={"expires_on": listing.expires_on.isoformat()},
        )
    return listing


def listings_expiring_remind(*, today: datetime.date | None = None) -> int:
    """Tell owners their listing ends within EXPIRY_REMINDER_DAYS, once per end date (a renewed listing is
    reminded again before its new end). Safe to run concurrently: each listing is locked while it is told."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=EXPIRY_REMINDER_DAYS)
    live = (Listing.Status.OPEN, Listing.Status.PAUSED)
    told = 0
    candidates = Listing.objects.filter(status__in=live, expires_on__gte=today, expires_on__lte=until)
    for listing_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            listing = Listing.objects.select_for_update().select_related("network", "owner").get(pk=listing_id)
            if listing.expires_on is None:
                continue
            date = listing.expires_on.isoformat()
            already = Notification.objects.filter(
                user_id=listing.owner_id, kind="listing.expiring", data__listing=listing.pk, data__date=date
            ).exists()
            active = Membership.objects.filter(
                network=listing.network, user_id=listing.owner_id, status=Membership.Status.ACTIVE
            ).exists()
            if already or not active:
                continue
            notification_create(
                user=listing.owner,
                kind="listing.expiring",
                network=listing.network,
                data={"listing": listing.pk, "title": listing.title, "date": date},
            )
            told += 1
    return told
