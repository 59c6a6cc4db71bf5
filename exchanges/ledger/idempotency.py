"""Idempotent requests (PRODUCT §4): the first answer to a caller's key is stored in the same
transaction as the work it describes, and every replay gets that answer back, writing nothing."""

import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.ledger.models import IdempotencyRecord
from members.models import User
from timebank.errors import IdempotencyMismatch, ValidationError

Answer = tuple[int, dict]


def idempotency_fingerprint(*, method: str, path: str, data) -> str:
    body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{method} {path}\n{body}".encode()).hexdigest()


def idempotency_key_check(key: str | None) -> str:
    key = (key or "").strip()
    if not key:
        raise ValidationError(
            {"Idempotency-Key": [_("Send an Idempotency-Key header: any unique string per request.")]}
        )
    if len(key) > 100 or not key.isprintable():
        raise ValidationError({"Idempotency-Key": [_("Keep the key under 100 printable characters.")]})
    return key


def _claim(*, user: User, key: str, fingerprint: str) -> int | None:
    """Insert the caller's record for this key, or None if it exists.

    On PostgreSQL an insert that meets a concurrent uncommitted row with the same key waits for
    that transaction; when it commits, nothing is inserted and the stored answer is read instead.
    """
    table = IdempotencyRecord._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (user_id, "key", request_hash, created_at) VALUES (%s, %s, %s, %s) '
            'ON CONFLICT (user_id, "key") DO NOTHING RETURNING id',
            [user.pk, key, fingerprint, now],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def idempotent_answer(
    *, user: User, key: str, fingerprint: str, run: Callable[[], Answer], refusal: Callable[[Exception], Answer | None]
) -> Answer:
    """Run `run()` once per (user, key); `refusal` turns an expected exception into an answer to store."""
    key = idempotency_key_check(key)
    with transaction.atomic():
        record_id = _claim(user=user, key=key, fingerprint=fingerprint)
        if record_id is None:
            record = IdempotencyRecord.objects.get(user=user, key=key)
            # A record gets its answer in the transaction that inserts it, so one we can read has both.
            assert record.status_code is not None and record.response is not None
            if record.request_hash != fingerprint:
                raise IdempotencyMismatch(_("This Idempotency-Key was used with a different request."))
            return record.status_code, record.response
        try:
            # A savepoint: a refused request rolls back its own writes but keeps its record.
            with transaction.atomic():
                status, body = run()
        except Exception as exc:
            answer = refusal(exc)
            if answer is None:
                raise
            status, body = answer
        # The answer given the first time is exactly what is stored and replayed.
        stored = json.dumps(body, cls=DjangoJSONEncoder)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {IdempotencyRecord._meta.db_table} SET status_code = %s, response = %s WHERE id = %s",
                [status, stored, record_id],
            )
    return status, json.loads(stored)
