"""Erasing a person (PRODUCT §5): personal data removed or replaced, sessions, app tokens and sockets
revoked, and the ledger kept whole under a pseudonym ("Former member 7f3a").

What erasure does with each piece (decided here; README "Your data" says it in plain words):
- the person: email, every allauth email address and MFA authenticator gone; name replaced by the
  pseudonym; password unusable; inactive. The row stays: exchanges and transfers point to it.
- memberships: left; profile text, neighbourhood, availability, skills, phone, emergency contact and
  reach answers cleared; support links either way removed. The role stays, for the record.
- accounts and transfers: untouched. Every balance and every network total is what it was; the
  account now belongs to the pseudonym, and a coordinator settles it like any other.
- listings: closed, their title replaced and description cleared.
- messages the person sent: body replaced (the conversation keeps its order); exchanges keep their
  description, with the person's name replaced.
- notifications to them, their digest preference, wellbeing answers, idempotency records: deleted.
- safeguarding checks on them: kept (kind, decision, dates) without referee or certificate number;
  concerns, audit events and every other text of their networks: kept, with their name and email
  replaced by the pseudonym (privacy/scrub.py). Transfer memos are the one exception: the ledger is
  never rewritten, and the product never writes a name into a memo.

Refused with 409 `invalid_transition`, changing nothing: an open exchange (finish or cancel it first),
or being the last active coordinator of a network.
"""

import secrets
from dataclasses import dataclass
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from exchanges.ledger.models import IdempotencyRecord
from exchanges.matching.models import ListingSkill, ListingVector, ProfileSkill, ProfileVector
from exchanges.models import Exchange, Listing
from exchanges.reports.models import WellbeingCheckin
from members.audit import audit_record, reason_clean
from members.models import Membership, SupportLink, User
from members.privacy.scrub import names_scrub, needles_of, text_scrub
from members.safeguarding.models import SafeguardingCheck
from members.selectors import is_coordinator
from members.services import coordinator_keep_one
from messaging.models import Message
from messaging.notifications.models import Notification, NotificationPreference, PushSubscription
from messaging.notifications.push import push_after_commit
from messaging.notifications.services import coordinators_notify
from timebank import ratelimit
from timebank.errors import Forbidden, InvalidTransition, RateLimited, ValidationError
from timebank.mail import mail_deliver

OPEN_STATES = (
    Exchange.State.PROPOSED,
    Exchange.State.AWAITING_APPROVAL,
    Exchange.State.ACCEPTED,
    Exchange.State.CLAIMED,
    Exchange.State.DISPUTED,
)
# Password tries to erase one's own account: a few at once, then one every twelve minutes.
ERASE_PASSWORD_TRIES = ratelimit.Rate.parse("5/hour", burst=5)
# Memberships that still mean something in a network; erasure makes them `left`.
LIVE = (Membership.Status.ACTIVE, Membership.Status.PENDING, Membership.Status.SUSPENDED)
# The channel-layer event that closes every open socket of the person (messaging.consumers).
SOCKETS_CLOSE_EVENT = {"type": "session.revoked"}


@dataclass(frozen=True)
class Erasure:
    user_id: int
    pseudonym: str


def me_erase(*, user: User, password: str) -> Erasure:
    """A person erases their own account, confirming with their password. Tries are limited: a stolen
    session must not become a way to guess the password."""
    if user.is_authenticated:
        wait = ratelimit.rate_take(key=f"erase-password:{user.pk}", rate=ERASE_PASSWORD_TRIES)
        if wait:
            seconds = ratelimit.retry_after_seconds(wait)
            raise RateLimited(
                _("Too many requests from you: wait %(n)d seconds.") % {"n": seconds}, retry_after=seconds
            )
    if not user.is_authenticated or not user.has_usable_password() or not user.check_password(password or ""):
        raise ValidationError({"password": [_("That password is not right.")]})
    return _erase(person=user, actor=user, reason="")


def supported_member_erase(*, actor: User, membership: Membership, reason: str) -> Erasure:
    """A coordinator erases a supported member of their network, who has no login to do it themselves.

    Only a coordinator, only a supported member, and only when the coordinator coordinates every
    network the member is still in (so one network cannot erase a person another still serves)."""
    if not is_coordinator(user=actor, network=membership.network):
        raise Forbidden(_("Only a coordinator can erase a member."))
    if not membership.is_supported:
        raise Forbidden(_("Only a supported member can be erased by a coordinator: others erase their own account."))
    reason = reason_clean(reason, required=True)
    person = membership.user
    elsewhere = Membership.objects.filter(user=person, status__in=LIVE)
    for other in elsewhere.select_related("network"):
        if not is_coordinator(user=actor, network=other.network):
            # Which other network is the member's own business: not named to this network's coordinator.
            raise InvalidTransition(
                _("This member is also in another time bank: its coordinator must erase them, or they leave it first.")
            )
    return _erase(person=person, actor=actor, reason=reason)


def _refuse_if_it_breaks_a_rule(person: User, memberships: list[Membership]) -> None:
    open_count = Exchange.objects.filter(Q(provider=person) | Q(recipient=person), state__in=OPEN_STATES).count()
    if open_count:
        raise InvalidTransition(
            _("There are %(n)d open exchanges: finish or cancel them first, then erase the account.")
            % {"n": open_count}
        )
    for membership in memberships:
        if membership.is_coordinator:
            # A network always keeps an active coordinator (PRODUCT §3): the one rule, under its lock.
            coordinator_keep_one(network=membership.network, losing=membership)


def _queued_mail_forget(*, addresses: list[str | None]) -> None:
    """Mail to the person still queued, or kept as a task result (their address, reset links), goes too."""
    wanted = {a.casefold() for a in addresses if a}
    for result in DBTaskResult.objects.filter(task_path=mail_deliver.module_path):
        message = (result.args_kwargs.get("kwargs") or {}).get("message") or {}
        recipients = {str(r).casefold() for key in ("to", "cc", "bcc") for r in message.get(key, [])}
        if recipients & wanted:
            result.delete()


def sessions_revoke(*, user: User) -> int:
    """End every browser session and app session token of the person (allauth's app tokens are
    sessions). Sessions are not indexed by person, so each live one is read; erasure is rare."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    rows = store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for key, data in rows.values_list("session_key", "session_data").iterator():
        if str(store_class().decode(data).get("_auth_user_id")) == str(user.pk):
            store_class(session_key=key).delete()  # the cache's copy too
            ended += 1
    return ended


def _pseudonym() -> str:
    return _("Former member %s") % secrets.token_hex(2)


@transaction.atomic
def _erase(*, person: User, actor: User, reason: str) -> Erasure:
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.erased_at is not None:
        raise InvalidTransition(_("This account has already been erased."))
    memberships = list(
        Membership.objects.select_for_update().filter(user=person).select_related("network").order_by("pk")
    )
    _refuse_if_it_breaks_a_rule(person, memberships)

    pseudonym = _pseudonym()
    addresses = list(EmailAddress.objects.filter(user=person).values_list("email", flat=True))
    needles = needles_of([person.email, person.display_name, person.name, *addresses])
    network_ids = [m.network_id for m in memberships]
    now = timezone.now()

    EmailAddress.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()
    _queued_mail_forget(addresses=[person.email, *addresses])
    person.email = None
    person.display_name = pseudonym
    person.language = ""  # a choice of theirs, like the rest of their settings
    person.set_unusable_password()
    person.is_active = person.is_staff = person.is_superuser = False
    person.erased_at = now
    person.save()

    membership_ids = [m.pk for m in memberships]
    Membership.objects.filter(pk__in=membership_ids, status__in=LIVE).update(status=Membership.Status.LEFT, left_at=now)
    Membership.objects.filter(pk__in=membership_ids).update(
        bio="",
        neighbourhood="",
        availability=[],
        phone="",
        emergency_contact="",
        join_answers=[],
        reach_consent=False,
        age_band="",
        disability="",
        ward="",
    )
    for membership in memberships:
        membership.skills_offered.clear()
        membership.skills_wanted.clear()
    # With the skills read from their bio and its meaning (a vector made of their own words).
    ProfileSkill.objects.filter(membership_id__in=membership_ids).delete()
    ProfileVector.objects.filter(membership_id__in=membership_ids).delete()
    SupportLink.objects.filter(Q(supporter_id__in=membership_ids) | Q(member_id__in=membership_ids)).delete()
    SafeguardingCheck.objects.filter(membership_id__in=membership_ids).update(referee="", certificate_number="")

    listings = Listing.objects.filter(owner=person)
    ListingSkill.objects.filter(listing__in=listings).delete()
    ListingVector.objects.filter(listing__in=listings).delete()
    for listing in listings:
        listing.skills.clear()
    listings.update(title=_("Listing removed"), description="", availability=[], status=Listing.Status.CLOSED)
    Message.objects.filter(sender=person).update(body=_("Message removed"), client_id="")

    Notification.objects.filter(user=person).delete()  # with their outbox rows (which hold SMS numbers)
    NotificationPreference.objects.filter(user=person).delete()
    PushSubscription.objects.filter(user=person).delete()
    WellbeingCheckin.objects.filter(user=person).delete()
    IdempotencyRecord.objects.filter(user=person).delete()

    names_scrub(needles=needles, replacement=pseudonym, network_ids=network_ids)
    reason = text_scrub(reason, needles=needles, replacement=pseudonym)
    for membership in memberships:
        audit_record(
            action="person.erase",
            actor=actor,
            network=membership.network,
            target=membership,
            reason=reason,
            on_behalf_of=person if actor.pk != person.pk else None,
        )
        if actor.pk == person.pk and membership.status in LIVE:
            coordinators_notify(
                network=membership.network,
                kind="person.erased",
                data={"name": pseudonym},
            )

    sessions_revoke(user=person)
    push_after_commit([person.pk], SOCKETS_CLOSE_EVENT)
    return Erasure(user_id=person.pk, pseudonym=pseudonym)
