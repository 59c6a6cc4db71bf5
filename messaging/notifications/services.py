"""Notifications: persisted per reader, relayed to supporters, pushed live on commit, marked read.

A notification is a kind and its parameters (`kinds.py`), rendered in the reader's language whenever it is
shown or sent. A member's supporters each get a copy marked for that member (PRODUCT §4); a supported
member with no active supporter has theirs go to the network's coordinators.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.acting import STILL_IN, acts_for, support_links
from members.audit import audit_record
from members.models import Membership, Network, User
from members.selectors import coordinators_of
from messaging.notifications.kinds import kind_known, kind_render, kind_url
from messaging.notifications.models import Notification, NotificationPreference
from messaging.notifications.push import push_after_commit
from messaging.notifications.selectors import language_of
from messaging.notifications.selectors import preferences_get as preferences_get  # pages and the API ask here
from timebank.errors import NotFound, ValidationError

TEXT_MAX = 300


def notification_serialize(notification: Notification, *, language: str | None = None) -> dict:
    """The API's and the socket's shape, its `text` in `language` (by default the reader's)."""
    with translation.override(language or language_of(user_id=notification.user_id)):
        text = notification.shown
    about = notification.about if notification.about_id else None
    return {
        "id": notification.pk,
        "network": notification.network.slug if notification.network else None,
        "kind": notification.kind,
        "text": text,
        "url": notification.url,
        "data": notification.data,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
        "for_member": {"id": about.pk, "display_name": about.name} if about is not None else None,
    }


def _push(notification: Notification, *, language: str | None = None) -> None:
    payload = notification_serialize(notification, language=language)
    push_after_commit([notification.user_id], {"type": "notification.new", "notification": payload})


def notification_create(
    *,
    user: User,
    kind: str,
    network: Network | None = None,
    data: dict | None = None,
    url: str | None = None,
    text: str = "",
    actor: User | None = None,
) -> Notification:
    """Tell `user` that something of `kind` happened, with `data` its parameters; their supporters (or,
    with none, the coordinators of a supported member) get a copy marked for them, but never `actor`,
    who did it. `text` is only for a kind that has no words in `kinds.py`."""
    data = dict(data or {})
    if not kind_known(kind) and not text:
        raise ValueError(f"No words for a notification of kind {kind!r}: add it to messaging/notifications/kinds.py")
    if url is None:
        url = kind_url(kind, data)
    with translation.override(settings.LANGUAGE_CODE):
        stored = kind_render(kind, data, text)[:TEXT_MAX]
    language, supported, supporters = _reader_facts(user_id=user.pk, network=network)
    notification = Notification.objects.create(user=user, kind=kind, text=stored, network=network, url=url, data=data)
    _push(notification, language=language)
    if network is not None and (supported or supporters):
        _relay(notification, network=network, actor=actor, supported=supported, supporters=supporters)
    return notification


def _reader_facts(*, user_id: int, network: Network | None) -> tuple[str, bool, bool]:
    """(their language, a supported member here, has an active supporter here), in one query: every
    notification asks, so the common case (a member nobody supports) costs one round trip."""
    language = NotificationPreference.objects.filter(user_id=user_id).values("language")[:1]
    row = None
    if network is not None:
        links = support_links(network=network).filter(member=OuterRef("pk"))
        row = (
            Membership.objects.filter(network=network, user_id=user_id)
            .annotate(language=Subquery(language), has_supporter=Exists(links))
            .values_list("language", "is_supported", "status", "has_supporter")
            .first()
        )
    if row is None:
        return language_of(user_id=user_id), False, False
    preferred, is_supported, status, has_supporter = row
    return preferred or settings.LANGUAGE_CODE, is_supported and status in STILL_IN, has_supporter


def _readers_for(*, member_id: int, network: Network, supported: bool, supporters: bool) -> set[int]:
    """Who hears of what happens to a member besides them: their active supporters; for a supported
    member with none, the network's coordinators."""
    if supporters:
        links = support_links(network=network).filter(member__user_id=member_id)
        return set(links.values_list("supporter__user_id", flat=True)) - {member_id}
    if not supported:
        return set()
    return {coordinator.pk for coordinator in coordinators_of(network=network)} - {member_id}


def _relay(
    notification: Notification, *, network: Network, actor: User | None, supported: bool, supporters: bool
) -> None:
    readers = _readers_for(member_id=notification.user_id, network=network, supported=supported, supporters=supporters)
    if actor is not None:
        readers.discard(actor.pk)
    for reader_id in sorted(readers):
        copy = Notification.objects.create(
            user_id=reader_id,
            kind=notification.kind,
            text=notification.text,
            network=network,
            url=notification.url,
            data=notification.data,
            created_at=notification.created_at,
            about_id=notification.user_id,
            relayed_from=notification,
        )
        _push(copy)


@transaction.atomic
def notification_read(*, notification_id: int, user: User, member_id: int | None = None) -> Notification:
    """Mark a notification read: one of `user`'s own (a copy relayed to them included), or, for a
    supporter or a coordinator acting with a supported member, one of that member's (`member_id`, or
    found by its id), audited as done with them. Anything else is not found (404)."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("network", "about", "user")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or (member_id is not None and notification.user_id != member_id):
        raise NotFound(_("No such notification."))
    with_member = notification.user_id != user.pk
    if with_member and (
        notification.network is None or not acts_for(actor=user, member=notification.user, network=notification.network)
    ):
        raise NotFound(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        if with_member:
            audit_record(
                action="notification.read",
                actor=user,
                on_behalf_of=notification.user,
                network=notification.network,
                target=notification,
            )
    # Read with the member: the copies relayed to their supporters are read too.
    Notification.objects.filter(relayed_from=notification, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notification_read_all(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def coordinators_notify(
    *,
    network: Network,
    kind: str,
    data: dict | None = None,
    url: str | None = None,
    text: str = "",
    exclude: set[int] | frozenset[int] = frozenset(),
) -> None:
    """Tell every active coordinator of the network, but those in `exclude` (say, the one who acted)."""
    for coordinator in coordinators_of(network=network):
        if coordinator.pk not in exclude:
            notification_create(user=coordinator, kind=kind, network=network, url=url, data=data, text=text)


# Preferences (PRODUCT §4 `GET/PATCH /api/v1/me/preferences/`) -------------------------------------------

LANGUAGES = tuple(NotificationPreference.Language.values)
DIGESTS = tuple(NotificationPreference.Digest.values)


def _preferences_clean(changes: dict) -> dict:
    errors: dict[str, list[str]] = {}
    unknown = set(changes) - {"language", "push", "email_digest", "sms"}
    for field in sorted(unknown):
        errors[field] = [_("There is no such preference.")]
    if "language" in changes and changes["language"] not in LANGUAGES:
        errors["language"] = [_("Choose English (en-gb) or Welsh (cy).")]
    if "email_digest" in changes and changes["email_digest"] not in DIGESTS:
        errors["email_digest"] = [_("Choose daily, weekly or off.")]
    for field in ("push", "sms"):
        if field in changes and not isinstance(changes[field], bool):
            errors[field] = [_("Say true or false.")]
    if errors:
        raise ValidationError(errors)
    return changes


@transaction.atomic
def preferences_set(*, user: User, **changes) -> dict:
    """Change some of a person's preferences (the others stay); the same for the API and the pages."""
    changes = _preferences_clean(changes)
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    for field, value in changes.items():
        setattr(preference, field, value)
    if changes:
        preference.save(update_fields=list(changes))
    return preferences_get(user=user)
