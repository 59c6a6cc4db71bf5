"""Notifications: persisted per reader, relayed to supporters, pushed live on commit, marked read.

Each notification and its outbox rows (`delivery.py`: Web Push and SMS, sent by the task queue) commit
together. A notification is a kind and its parameters (`kinds.py`), rendered in the reader's language whenever it is
shown or sent. A member's supporters each get a copy marked for that member (PRODUCT §4); a supported
member with no active supporter has theirs go to the network's coordinators.
"""

import base64
import binascii
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.acting import STILL_IN, acts_for, support_links
from members.audit import audit_record
from members.language import LANGUAGE_CODES, language_or_site, language_set
from members.models import Membership, Network, User
from members.selectors import coordinators_of
from messaging.notifications import delivery
from messaging.notifications.endpoints import LOOPBACK_HOSTS, inside, ip_literal, push_audience
from messaging.notifications.kinds import PUSH_GROUPS, kind_known, kind_render, kind_url
from messaging.notifications.models import Notification, NotificationPreference, PushSubscription
from messaging.notifications.push import push_after_commit
from messaging.notifications.selectors import language_of, push_groups_of, still_theirs
from messaging.notifications.selectors import notification_serialize as notification_serialize  # the API's shape
from messaging.notifications.selectors import preferences_get as preferences_get  # pages and the API ask here
from timebank.errors import DomainError, NotFound, ValidationError

TEXT_MAX = 300


def _push(notification: Notification, *, language: str | None = None) -> None:
    # The outbox rows commit with the notification, or neither does (delivery.py).
    delivery.deliveries_create(notification=notification)
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
    # One transaction with the caller's (no savepoint: the hot path pays no round trips for it).
    with transaction.atomic(savepoint=False):
        notification = Notification.objects.create(
            user=user, kind=kind, text=stored, network=network, url=url, data=data
        )
        _push(notification, language=language)
        if network is not None and (supported or supporters):
            _relay(notification, network=network, actor=actor, supported=supported, supporters=supporters)
    return notification


def _reader_facts(*, user_id: int, network: Network | None) -> tuple[str, bool, bool]:
    """(their language, a supported member here, has an active supporter here), in one query: every
    notification asks, so the common case (a member nobody supports) costs one round trip."""
    row = None
    if network is not None:
        links = support_links(network=network).filter(member=OuterRef("pk"))
        row = (
            Membership.objects.filter(network=network, user_id=user_id)
            .annotate(has_supporter=Exists(links))
            .values_list("user__language", "is_supported", "status", "has_supporter")
            .first()
        )
    if row is None:
        return language_of(user_id=user_id), False, False
    preferred, is_supported, status, has_supporter = row
    language = language_or_site(preferred)
    return language, is_supported and status in STILL_IN, has_supporter


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
        .filter(still_theirs(), pk=notification_id)
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


def notifications_dealt_with(*, users: list[User], url: str) -> int:
    """What `users` were told about one thing (its `url`) is read once one of them has acted on it: "please
    confirm" must not stay among what needs them after they confirmed. Their supporters' copies too."""
    now = timezone.now()
    told = Notification.objects.filter(user__in=[u.pk for u in users], url=url, read_at__isnull=True)
    ids = list(told.values_list("pk", flat=True))
    if not ids:
        return 0
    Notification.objects.filter(relayed_from_id__in=ids, read_at__isnull=True).update(read_at=now)
    return Notification.objects.filter(pk__in=ids).update(read_at=now)


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

DIGESTS = tuple(NotificationPreference.Digest.values)


def _preferences_clean(changes: dict) -> dict:
    errors: dict[str, list[str]] = {}
    unknown = set(changes) - {"language", "push", "email_digest", "sms", "push_groups"}
    for field in sorted(unknown):
        errors[field] = [_("There is no such preference.")]
    if "language" in changes and changes["language"] not in LANGUAGE_CODES:
        errors["language"] = [_("Choose English (en-gb) or Welsh (cy).")]
    if "email_digest" in changes and changes["email_digest"] not in DIGESTS:
        errors["email_digest"] = [_("Choose daily, weekly or off.")]
    for field in ("push", "sms"):
        if field in changes and not isinstance(changes[field], bool):
            errors[field] = [_("Say true or false.")]
    if "push_groups" in changes:
        groups = changes["push_groups"]
        if not isinstance(groups, dict):
            errors["push_groups"] = [_("Send an object of groups, each true or false.")]
        else:
            for group in sorted(set(groups) - set(PUSH_GROUPS)):
                errors.setdefault("push_groups", []).append(
                    _("There is no group of notifications called “%(group)s”: choose from %(groups)s.")
                    % {"group": group, "groups": ", ".join(PUSH_GROUPS)}
                )
            if any(not isinstance(value, bool) for value in groups.values()):
                errors.setdefault("push_groups", []).append(_("Say true or false for each group."))
    if errors:
        raise ValidationError(errors)
    return changes


@transaction.atomic
def preferences_set(*, user: User, **changes) -> dict:
    """Change some of a person's preferences (the others stay); the same for the API and the pages."""
    changes = _preferences_clean(changes)
    if "language" in changes:
        language_set(user=user, language=changes.pop("language"))
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    if "push_groups" in changes:
        # Only the groups sent change; stored as the ones switched off, so a group added later starts on.
        groups = push_groups_of(preference) | changes.pop("push_groups")
        changes["push_off"] = sorted(group for group, on in groups.items() if not on)
    for field, value in changes.items():
        setattr(preference, field, value)
    if changes:
        preference.save(update_fields=list(changes))
    return preferences_get(user=user)


# The browsers one person receives push notifications on: a phone, a laptop, a tablet, and a few to spare.
MOST_PUSH_SUBSCRIPTIONS = 10


def _b64url_bytes(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, binascii.Error):
        return None


def push_subscription_check(*, endpoint: str, p256dh: str, auth: str) -> None:
    """A push service's address: https and a host's name on the internet, nothing else in front of the path
    (loopback http too in development, for a local push service); the browser's P-256 public key and its
    16-byte secret, as base64url. Development takes nothing else that production refuses."""
    fields: dict = {}
    url = urlsplit(endpoint)
    host = url.hostname or ""
    local = settings.PUSH_ALLOW_LOOPBACK_HTTP and url.scheme == "http" and host in LOOPBACK_HOSTS
    if not ((url.scheme == "https" and host) or local):
        fields["endpoint"] = [_("A push service's address starts with https://.")]
    elif push_audience(endpoint) is None or (not local and ip_literal(host) is not None):
        # Every message is signed for the push service's origin (its VAPID audience): a user name, a password or
        # an IPv6 literal leaves none to sign for, and no browser's push service is reached by a bare IP address.
        fields["endpoint"] = [_("A push service's address names its host, with no user name, password or IP address.")]
    elif not local and inside(host):
        # The server posts to this address: never to one inside its own network.
        fields["endpoint"] = [_("A push service's address is on the internet.")]
    key = _b64url_bytes(p256dh)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key or b"")
    except ValueError:
        fields.setdefault("keys", {})["p256dh"] = [_("This is not a browser's push key (65 bytes, base64url).")]
    if len(_b64url_bytes(auth) or b"") != 16:
        fields.setdefault("keys", {})["auth"] = [_("This is not a browser's push secret (16 bytes, base64url).")]
    if fields:
        raise DomainError(_("This push subscription cannot be used."), fields=fields)


def push_subscription_create(*, user: User, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Save a browser's subscription. The same browser subscribing again (its endpoint is its identity) keeps
    one subscription, now with its latest keys and for whoever is signed in on it."""
    push_subscription_check(endpoint=endpoint, p256dh=p256dh, auth=auth)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth, "created_at": timezone.now()}
    )
    # Each notification is sent to every subscription: a person keeps their newest few browsers, the
    # older ones (most likely gone) are dropped.
    older = PushSubscription.objects.filter(user=user).order_by("-created_at", "-pk")[MOST_PUSH_SUBSCRIPTIONS:]
    PushSubscription.objects.filter(pk__in=list(older.values_list("pk", flat=True))).delete()
    return subscription


def push_subscription_delete(*, user: User, subscription_id: int) -> None:
    deleted, _by_model = PushSubscription.objects.filter(pk=subscription_id, user=user).delete()
    if not deleted:
        raise NotFound(_("No such push subscription."))


def push_public_key() -> str:
    """The VAPID public key, as a browser's `pushManager.subscribe` takes it (`applicationServerKey`)."""
    return settings.VAPID_PUBLIC_KEY
