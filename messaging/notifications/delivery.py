"""Durable delivery: notifications reach phones by Web Push and SMS from an outbox.

`deliveries_create` writes one `Delivery` row per channel (and per push subscription) in the transaction that
writes the notification, so a notification and the promise to deliver it commit together or not at all. Once
that transaction commits, one task per row is queued on the project's task queue (django-tasks; the database
queue and `manage.py db_worker` in production, the `worker` service). The task claims its row
(pending → sending, the attempt counted, under `SELECT … FOR UPDATE SKIP LOCKED`), sends, then marks it sent;
a push service's 429 or 5xx, a time-out or an SMS provider's refusal puts it back to pending with back-off;
404/410 means the browser dropped the subscription, which is then deleted.

What is promised: nothing is lost (a row is only ever left `sent`, `failed` after the last attempt, or `gone`;
`deliveries_sweep`, run every minute, re-queues rows whose task never ran and rows whose worker died while
sending, once their claim's lease has lapsed). Nothing is *shown* twice: a worker killed after the push
service took a message but before the row was marked sent makes the sweep send it again, so the push service
may receive one delivery twice, but both carry the same `Topic` (the push service replaces an undelivered
message of the same topic) and the same `tag` in the service worker (a second one replaces the first on the
screen). A row is never sent twice by two workers at once: only the one holding its claim sends it, and a
claim lapses only after `DELIVERY_LEASE_SECONDS`, far longer than the push time-out.
"""

import json
import logging
from datetime import datetime, timedelta
from functools import cache

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from members.models import Membership
from messaging.notifications import services as notification_services
from messaging.notifications.models import Delivery, Notification, NotificationPreference, PushSubscription
from messaging.notifications.selectors import language_of
from messaging.notifications.sms import SmsError, sms_enabled, sms_send

logger = logging.getLogger(__name__)

# Seconds before each retry after a provider's failure; after the last, the delivery has failed.
RETRY_DELAYS = (10, 60, 300, 1800, 7200)
# The notifications that ask for an answer, and so go by SMS to those who want it.
SMS_KINDS = frozenset({"exchange.claimed"})
PUSH_TIMEOUT_SECONDS = 10
PUSH_TTL_SECONDS = 24 * 3600  # a phone that is off for a day still gets it when it comes back
# A pending row the sweep re-queues: its task should have run by then.
SWEEP_GRACE_SECONDS = 30
SWEEP_LIMIT = 1000

State = Delivery.State


class _Gone(Exception):
    """The push service no longer knows the subscription."""


class _Refused(Exception):
    """The provider will never take this message: no retry."""


class _Later(Exception):
    """The provider failed for now: try again later."""


# Writing the outbox, in the notification's transaction ---------------------------------------


def _channel_on(preference: NotificationPreference | None, channel: str) -> bool:
    # The person's `push` and `sms` choices (GET/PATCH /api/v1/me/preferences/); until they choose, the
    # model's defaults (push on for a browser they subscribed, SMS off).
    return bool(getattr(preference or NotificationPreference(), channel))


def phone_of(*, user_id: int, network_id: int | None) -> str:
    if network_id is None:
        return ""
    memberships = Membership.objects.filter(user_id=user_id, network_id=network_id, status=Membership.Status.ACTIVE)
    return memberships.values_list("phone", flat=True).first() or ""


def deliveries_create(*, notification: Notification) -> list[Delivery]:
    """The rows that deliver `notification` on the channels its reader wants; queued once this commits."""
    subscriptions = list(PushSubscription.objects.filter(user_id=notification.user_id).values_list("pk", flat=True))
    wants_sms = notification.kind in SMS_KINDS and sms_enabled()
    if not subscriptions and not wants_sms:
        return []
    preference = NotificationPreference.objects.filter(user_id=notification.user_id).first()
    rows = []
    if _channel_on(preference, "push"):
        rows += [
            Delivery(notification=notification, channel=Delivery.Channel.PUSH, subscription_id=pk)
            for pk in subscriptions
        ]
    if wants_sms and _channel_on(preference, "sms"):
        phone = phone_of(user_id=notification.user_id, network_id=notification.network_id)
        if phone:
            rows.append(Delivery(notification=notification, channel=Delivery.Channel.SMS, phone=phone))
    if not rows:
        return []
    deliveries = Delivery.objects.bulk_create(rows)
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: deliveries_enqueue(ids))
    return deliveries


def deliveries_enqueue(ids: list[int], *, run_after: datetime | None = None) -> None:
    """Queue a task per delivery. A failure to queue loses nothing: the sweep finds the rows."""
    for delivery_id in ids:
        try:
            if run_after is not None and delivery_send.get_backend().supports_defer:
                delivery_send.using(run_after=run_after).enqueue(delivery_id=delivery_id)
            elif run_after is None:
                delivery_send.enqueue(delivery_id=delivery_id)
        except Exception:  # noqa: BLE001 - the row is in the outbox; the sweep queues it again
            logger.warning("could not queue delivery %s; the sweep will", delivery_id, exc_info=True)


# Sending, from the task worker --------------------------------------------------------------


@task()
def delivery_send(*, delivery_id: int) -> str:
    return delivery_attempt(delivery_id=delivery_id)


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, state=State.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None  # sent, being sent by another worker, or not due yet
        delivery.state = State.SENDING
        delivery.attempts += 1
        delivery.claimed_at = now
        delivery.save(update_fields=["state", "attempts", "claimed_at"])
    return delivery


def _mark(delivery: Delivery, **values) -> bool:
    """Finish our claim, unless it lapsed and another worker holds the row now."""
    mine = Delivery.objects.filter(pk=delivery.pk, state=State.SENDING, attempts=delivery.attempts)
    return mine.update(**values) == 1


def delivery_attempt(*, delivery_id: int) -> str:
    """Claim a due delivery, send it once, record what happened. Returns the state it was left in."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return "skipped"
    try:
        if delivery.channel == Delivery.Channel.PUSH:
            _push(delivery)
        else:
            _sms(delivery)
    except _Gone:
        _mark(delivery, state=State.GONE, last_error="subscription gone")
        if delivery.subscription_id is not None:
            PushSubscription.objects.filter(pk=delivery.subscription_id).delete()
        return State.GONE
    except _Refused as refusal:
        _mark(delivery, state=State.FAILED, last_error=str(refusal)[:300])
        logger.error("delivery %s refused: %s", delivery.pk, refusal)
        return State.FAILED
    except _Later as failure:
        return _retry_later(delivery, reason=str(failure))
    _mark(delivery, state=State.SENT, sent_at=timezone.now(), last_error="")
    return State.SENT


def _retry_later(delivery: Delivery, *, reason: str) -> str:
    if delivery.attempts > len(RETRY_DELAYS):
        _mark(delivery, state=State.FAILED, last_error=reason[:300])
        logger.error("delivery %s not sent after %d attempts: %s", delivery.pk, delivery.attempts, reason)
        return State.FAILED
    run_after = timezone.now() + timedelta(seconds=RETRY_DELAYS[delivery.attempts - 1])
    if _mark(delivery, state=State.PENDING, next_attempt_at=run_after, last_error=reason[:300]):
        deliveries_enqueue([delivery.pk], run_after=run_after)
    logger.warning(
        "delivery %s failed (attempt %d): %s; again at %s", delivery.pk, delivery.attempts, reason, run_after
    )
    return State.PENDING


@cache
def _vapid(private_key: str) -> Vapid02:
    return Vapid02.from_string(private_key)


@cache
def _session() -> requests.Session:
    # One per worker process: connections to a push service are kept open between sends.
    return requests.Session()


def push_topic(delivery: Delivery) -> str:
    # The same for every attempt at one delivery: a push service replaces an undelivered message with a
    # newer one of the same topic, so a resend after a crash is not a second message (RFC 8030 §5.4).
    return f"tb-{delivery.pk}"


def push_payload(delivery: Delivery, notification: Notification) -> str:
    body = notification_services.notification_serialize(notification)
    return json.dumps({"delivery": delivery.pk, "notification": body}, separators=(",", ":"))


def _push(delivery: Delivery) -> None:
    subscription = PushSubscription.objects.filter(pk=delivery.subscription_id or 0).first()
    if subscription is None:
        raise _Gone
    notification = Notification.objects.select_related("network").get(pk=delivery.notification_id)
    try:
        outside = notification_services.push_endpoint_resolves_outside(subscription.endpoint)
    except OSError as exc:
        raise _Later(f"push service name does not resolve: {type(exc).__name__}") from exc
    if not outside:
        logger.warning("push subscription %s leads inside the installation's network; removed", subscription.pk)
        raise _Gone
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=push_payload(delivery, notification),
            vapid_private_key=_vapid(settings.VAPID_PRIVATE_KEY),
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=PUSH_TTL_SECONDS,
            timeout=PUSH_TIMEOUT_SECONDS,
            headers={"Topic": push_topic(delivery), "Urgency": "normal"},
            requests_session=_session(),
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (404, 410):
            raise _Gone from exc
        if status is None or status == 429 or status >= 500:
            raise _Later(f"push service answered {status}") from exc
        raise _Refused(f"push service answered {status}") from exc
    except requests.RequestException as exc:
        raise _Later(f"push service unreachable: {type(exc).__name__}") from exc


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": rest}


def sms_text(notification: Notification) -> str:
    """Short and plain, with the answer to send back: "Ann says they helped you 1 h on 3 Dec. Reply YES 123
    to confirm or NO 123." Falls back to the notification's own words."""
    data = notification.data or {}
    exchange, minutes, by = data.get("exchange"), data.get("minutes"), data.get("by")
    if notification.kind != "exchange.claimed" or not (exchange and minutes and by):
        return notification.text
    when = timezone.localtime(notification.created_at).strftime("%-d %b")
    values = {"name": by, "duration": _duration(int(minutes)), "date": when, "id": exchange}
    if data.get("claimed_side") == "recipient":
        said = _("%(name)s says you helped them %(duration)s on %(date)s.") % values
    else:
        said = _("%(name)s says they helped you %(duration)s on %(date)s.") % values
    return said + " " + _("Reply YES %(id)s to confirm or NO %(id)s.") % values


def _sms(delivery: Delivery) -> None:
    notification = Notification.objects.get(pk=delivery.notification_id)
    # In the language the reader chose (their account's), or the site's.
    with translation.override(language_of(user_id=notification.user_id)):
        body = sms_text(notification)
    try:
        sms_send(to=delivery.phone, body=body)
    except SmsError as exc:
        raise _Later(f"SMS provider: {exc}") from exc


# Crash safety, every minute -----------------------------------------------------------------


def deliveries_sweep(*, now: datetime | None = None) -> int:
    """Hand back the claims of workers that died mid-send, and queue again every due row whose task never
    ran. Safe to run concurrently and repeatedly: a row is only ever sent by the worker that claims it."""
    now = now or timezone.now()
    lapsed = now - timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    Delivery.objects.filter(state=State.SENDING, claimed_at__lt=lapsed, attempts__gt=len(RETRY_DELAYS)).update(
        state=State.FAILED, last_error="worker lost it on the last attempt"
    )
    stranded = Delivery.objects.filter(state=State.SENDING, claimed_at__lt=lapsed)
    back = list(stranded.values_list("pk", flat=True)[:SWEEP_LIMIT])
    # Only rows still stranded: a late worker that finished meanwhile has marked its own.
    Delivery.objects.filter(pk__in=back, state=State.SENDING, claimed_at__lt=lapsed).update(
        state=State.PENDING, next_attempt_at=F("claimed_at")
    )
    due = Delivery.objects.filter(
        state=State.PENDING, next_attempt_at__lte=now - timedelta(seconds=SWEEP_GRACE_SECONDS)
    ).order_by("next_attempt_at")
    ids = back + list(due.exclude(pk__in=back).values_list("pk", flat=True)[:SWEEP_LIMIT])
    deliveries_enqueue(ids)
    return len(ids)
