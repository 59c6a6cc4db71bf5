"""Durable delivery: notifications reach phones by Web Push and SMS from an outbox.

`deliveries_create` writes one `Delivery` row per channel (and per push subscription) in the transaction that
writes the notification, so a notification and the promise to deliver it commit together or not at all. Once
that transaction commits, one task for its rows is queued on the project's task queue (django-tasks; the
database queue and `manage.py db_worker` in production, the `worker` service). The task claims one row at a
time (pending → sending, the attempt counted, in one `UPDATE` whose row is chosen under
`SELECT … FOR UPDATE SKIP LOCKED`), sends it, then marks it sent; after its own rows, a worker's task goes on
to other due rows (`DRAIN_LIMIT`), so a worker that is behind sends what waits rather than first working
through a task per row. A worker holds at most one claim at a time, the one it is sending;
a push service's 429 or 5xx, a time-out or an SMS provider's refusal puts it back to pending with back-off;
404/410 means the browser dropped the subscription, which is then deleted (as is one whose address leads inside the
installation's network or can never be signed for). Whatever else goes wrong with one row (keys no message can
be encrypted for, a signing error) fails that row alone: the task goes on to the next.

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
import time
from datetime import datetime, timedelta
from functools import cache

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from members.language import language_or_site
from members.models import Membership
from messaging.notifications.endpoints import push_audience, push_endpoint_resolves_outside
from messaging.notifications.kinds import kind_group
from messaging.notifications.models import Delivery, Notification, NotificationPreference, PushSubscription
from messaging.notifications.selectors import notification_serialize
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
# Deliveries in one task: a commit's, or a slice of the sweep's, so that several workers share a long list.
TASK_BATCH = 20
# How many other due deliveries a worker's task sends after its own, one claim at a time.
DRAIN_LIMIT = 50
VAPID_LIFETIME_SECONDS = 12 * 3600
VAPID_RENEW_SECONDS = 3600

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


def _group_on(preference: NotificationPreference | None, kind: str) -> bool:
    # The person's `push_groups` choice: a group switched off is not pushed (still stored and shown in the app).
    return preference is None or kind_group(kind) not in (preference.push_off or ())


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
    if _channel_on(preference, "push") and _group_on(preference, notification.kind):
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
    _enqueue_after_commit([d.pk for d in deliveries])
    return deliveries


class _QueueOnCommit:
    """The on-commit callback that queues one task for every delivery its transaction wrote."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def __call__(self) -> None:
        deliveries_enqueue(self.ids)


def _enqueue_after_commit(ids: list[int]) -> None:
    """One task for all the deliveries a transaction writes (an announcement to every member is one task, not
    one per member): the first call registers a callback, later ones in the same transaction add to it. A
    rollback drops the callback with the transaction, so no id outlives it; the ids of rows a savepoint
    rolled back are skipped by the claim."""
    connection = transaction.get_connection()
    for _savepoints, callback, *_robust in connection.run_on_commit:
        if isinstance(callback, _QueueOnCommit):
            callback.ids.extend(ids)
            return
    callback = _QueueOnCommit()
    callback.ids.extend(ids)
    transaction.on_commit(callback)


def deliveries_enqueue(ids: list[int], *, run_after: datetime | None = None) -> None:
    """Queue a task per batch of deliveries (those of one commit, or `TASK_BATCH` of the sweep's). A failure to
    queue loses nothing: the sweep finds the rows."""
    for start in range(0, len(ids), TASK_BATCH):
        batch = ids[start : start + TASK_BATCH]
        try:
            if run_after is not None and deliveries_send.get_backend().supports_defer:
                deliveries_send.using(run_after=run_after).enqueue(delivery_ids=batch)
            elif run_after is None:
                deliveries_send.enqueue(delivery_ids=batch)
        except Exception:  # noqa: BLE001 - the rows are in the outbox; the sweep queues them again
            logger.warning("could not queue deliveries %s; the sweep will", batch, exc_info=True)


# Sending, from the task worker --------------------------------------------------------------


@task()
def deliveries_send(*, delivery_ids: list[int]) -> dict[str, int]:
    """Send these deliveries, each claimed just before it is sent; in a worker, also other due ones, oldest
    first (up to `DRAIN_LIMIT` more), so that a worker behind on its queue sends what is waiting instead of
    first working through one task per row (those tasks then find their rows sent and skip them)."""
    drain = not isinstance(deliveries_send.get_backend(), ImmediateBackend)  # never a web request's work
    outcomes: dict[str, int] = {}
    for _n in range(len(delivery_ids) + (DRAIN_LIMIT if drain else 0)):
        delivery_id = _claim_next(delivery_ids, others=drain, now=timezone.now())
        if delivery_id is None:
            break  # none due: sent, being sent by another worker, or not due yet
        delivery = _claimed(delivery_id)
        state = _attempt(delivery) if delivery is not None else "deleted"
        outcomes[state] = outcomes.get(state, 0) + 1
    return outcomes


@task()
def delivery_send(*, delivery_id: int) -> str:
    # Tasks queued one per row before `deliveries_send`; still taken, so none queued then is left behind.
    return delivery_attempt(delivery_id=delivery_id)


def _claim_sql(vendor: str, wanted: int) -> str:
    table = Delivery._meta.db_table
    mine = ", ".join(["%s"] * wanted) if wanted else "NULL"
    # Row locks where the database has them: a row another worker is claiming right now is passed over.
    lock = " FOR UPDATE SKIP LOCKED" if vendor == "postgresql" else ""
    return (
        f"UPDATE {table} SET state = %s, attempts = attempts + 1, claimed_at = %s "
        f"WHERE state = %s AND id = (SELECT id FROM {table} "
        f"WHERE state = %s AND next_attempt_at <= %s AND (id IN ({mine}) OR %s) "
        f"ORDER BY next_attempt_at, id LIMIT 1{lock}) "  # the longest due first, along the `delivery_due` index
        "RETURNING id"
    )


def _claim_next(ids: list[int], *, others: bool, now: datetime) -> int | None:
    """Claim one due delivery (pending → sending, the attempt counted) in one statement: the longest due of
    `ids`, or with `others` of all. Its id, or None when none is due."""
    sql = _claim_sql(connection.vendor, len(ids))
    params: list[str | datetime | int | bool] = [State.SENDING, now, State.PENDING, State.PENDING, now]
    params += [*ids, others]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _claimed(delivery_id: int) -> Delivery | None:
    """A claimed delivery with all a send needs (subscription, notification, its reader), in one query."""
    related = ("subscription", "notification__network", "notification__about", "notification__user")
    return Delivery.objects.select_related(*related).filter(pk=delivery_id).first()


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    claimed = _claim_next([delivery_id], others=False, now=now)
    return _claimed(claimed) if claimed is not None else None


def _mark(delivery: Delivery, **values) -> bool:
    """Finish our claim, unless it lapsed and another worker holds the row now."""
    mine = Delivery.objects.filter(pk=delivery.pk, state=State.SENDING, attempts=delivery.attempts)
    return mine.update(**values) == 1


def delivery_attempt(*, delivery_id: int) -> str:
    """Claim a due delivery, send it once, record what happened. Returns the state it was left in."""
    delivery = _claim(delivery_id, timezone.now())
    if delivery is None:
        return "skipped"
    return _attempt(delivery)


def _attempt(delivery: Delivery) -> str:
    """Send a delivery we hold the claim of, once, and record what happened."""
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
    except Exception as exc:  # noqa: BLE001 - one row that cannot be sent must not stop the others in its task
        _mark(delivery, state=State.FAILED, last_error=f"could not send: {type(exc).__name__}: {exc}"[:300])
        logger.exception("delivery %s could not be sent", delivery.pk)
        return State.FAILED
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


_vapid_signed: dict[tuple[str, str, str], tuple[int, dict]] = {}


def _vapid_headers(audience: str) -> dict:
    """The VAPID `Authorization` for a push service (RFC 8292), signed once per service and reused until an
    hour before its 12 hours run out, rather than signed again for every message."""
    key = (audience, settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT)
    now = int(time.time())
    expires, headers = _vapid_signed.get(key, (0, {}))
    if expires - now < VAPID_RENEW_SECONDS:
        expires = now + VAPID_LIFETIME_SECONDS
        claims = {"sub": settings.VAPID_SUBJECT, "aud": audience, "exp": expires}
        headers = _vapid(settings.VAPID_PRIVATE_KEY).sign(claims)
        _vapid_signed[key] = (expires, headers)
    return headers


@cache
def _session() -> requests.Session:
    # One per worker process: connections to a push service are kept open between sends.
    return requests.Session()


def push_topic(delivery: Delivery) -> str:
    # The same for every attempt at one delivery: a push service replaces an undelivered message with a
    # newer one of the same topic, so a resend after a crash is not a second message (RFC 8030 §5.4).
    return f"tb-{delivery.pk}"


def push_payload(delivery: Delivery, notification: Notification, *, language: str | None = None) -> str:
    body = notification_serialize(notification, language=language)
    return json.dumps({"delivery": delivery.pk, "notification": body}, separators=(",", ":"))


def _push(delivery: Delivery) -> None:
    subscription = delivery.subscription
    if subscription is None:
        raise _Gone
    notification = delivery.notification
    audience = push_audience(subscription.endpoint)
    if audience is None:
        # Written before the subscribe check refused such addresses: no message to it can ever be signed.
        logger.warning("push subscription %s has an address no message can be signed for; removed", subscription.pk)
        raise _Gone
    try:
        outside = push_endpoint_resolves_outside(subscription.endpoint)
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
            data=push_payload(delivery, notification, language=language_or_site(notification.user.language)),
            ttl=PUSH_TTL_SECONDS,
            timeout=PUSH_TIMEOUT_SECONDS,
            headers={"Topic": push_topic(delivery), "Urgency": "normal", **_vapid_headers(audience)},
            requests_session=_session(),
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (404, 410):
            raise _Gone from exc
        if status is None:
            # pywebpush refused before sending (keys it cannot encrypt for): it would refuse every time.
            raise _Refused(f"not sent: {exc}") from exc
        if status == 429 or status >= 500:
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
    notification = delivery.notification
    # In the language the reader chose (their account's), or the site's.
    with translation.override(language_or_site(notification.user.language)):
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
