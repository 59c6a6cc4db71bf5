"""Roll-up maintenance: `rollups_catch_up` adds the transfers the ledger fed (`TransferFeed`) since the
last catch-up, one `rollup_transfer` each; `rollups_rebuild` recomputes every roll-up from the ledger
(idempotent, safe to schedule). The ledger never calls reports: reports read the ledger.

Both book a reversal against the month, kind and skill category of the transfer it reverses, so
"hours exchanged in March" stays what happened in March. A reversal of a reversal is booked as its
own kind. An exchange counts once unless a reversal returns all of its minutes.
"""

from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from exchanges.ledger.models import Transfer, TransferFeed
from exchanges.models import Exchange
from exchanges.reports.categories import categories_rebuild, exchange_category
from exchanges.reports.models import (
    UNCATEGORISED,
    RollupCategorySpan,
    RollupExchangeCategory,
    RollupMemberCategory,
    RollupMemberMonth,
    RollupMemberSpan,
    RollupMonthKind,
    RollupPair,
    RollupPairMonth,
)

ROLLUPS = (RollupMonthKind, RollupMemberMonth, RollupMemberCategory, RollupPair)


def month_of(moment: datetime) -> date:
    """The first day of the local (Europe/London) month of a moment, as every report uses."""
    return timezone.localtime(moment).date().replace(day=1)


def _upsert(
    table: str,
    key: list[str],
    add: list[str],
    rows: list[tuple],
    latest: str | None = None,
    earliest: str = "",
    returning: str = "",
) -> list[tuple]:
    """Insert rows, or add their numbers to the existing ones; keep the latest / earliest moment."""
    columns = key + add + ([latest] if latest else []) + ([earliest] if earliest else [])
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sets = [f"{c} = {table}.{c} + excluded.{c}" for c in add]
    if latest:
        sets.append(
            f"{latest} = CASE WHEN {table}.{latest} IS NULL OR excluded.{latest} > {table}.{latest} "
            f"THEN excluded.{latest} ELSE {table}.{latest} END"
        )
    if earliest:
        sets.append(
            f"{earliest} = CASE WHEN excluded.{earliest} < {table}.{earliest} "
            f"THEN excluded.{earliest} ELSE {table}.{earliest} END"
        )
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(sets)}"
    )
    if returning:
        sql += f" RETURNING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        return cursor.fetchall() if returning else []


def month_bit(month: date) -> tuple[int, int]:
    """(block, bit) of a month in the span roll-ups: 60 months to a block."""
    index = month.year * 12 + month.month - 1
    return index // RollupCategorySpan.BLOCK, 1 << (index % RollupCategorySpan.BLOCK)


def _span_update(network: int, category: int, month: date, changes: list[tuple[int, bool]]) -> None:
    """Set (or clear) the month's bit for members whose month count just became positive (or zero)."""
    block, bit = month_bit(month)
    table = RollupCategorySpan._meta.db_table
    with connection.cursor() as cursor:
        for user, positive in changes:
            if positive:
                cursor.execute(
                    f"INSERT INTO {table} (network_pk, category_pk, user_pk, block, months_mask) "
                    f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT (network_pk, category_pk, user_pk, block) "
                    f"DO UPDATE SET months_mask = {table}.months_mask | excluded.months_mask",
                    [network, category, user, block, bit],
                )
            else:
                cursor.execute(
                    f"UPDATE {table} SET months_mask = months_mask & %s "
                    f"WHERE network_pk = %s AND category_pk = %s AND user_pk = %s AND block = %s",
                    [~bit, network, category, user, block],
                )
                cursor.execute(
                    f"DELETE FROM {table} WHERE months_mask = 0 "
                    f"AND network_pk = %s AND category_pk = %s AND user_pk = %s AND block = %s",
                    [network, category, user, block],
                )


def _member_span_update(network: int, month: date, changes: list[tuple[int, bool, bool]]) -> None:
    """Set (or clear) the month's gave (or received) bit of members whose count became positive (or zero)."""
    block, bit = month_bit(month)
    table = RollupMemberSpan._meta.db_table
    with connection.cursor() as cursor:
        for user, gave, positive in changes:
            column = "gave_mask" if gave else "received_mask"
            if positive:
                cursor.execute(
                    f"INSERT INTO {table} (network_pk, block, user_pk, gave_mask, received_mask) "
                    f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT (network_pk, block, user_pk) "
                    f"DO UPDATE SET {column} = {table}.{column} | excluded.{column}",
                    [network, block, user, bit if gave else 0, 0 if gave else bit],
                )
            else:
                cursor.execute(
                    f"UPDATE {table} SET {column} = {column} & %s WHERE network_pk = %s AND block = %s AND user_pk = %s",
                    [~bit, network, block, user],
                )
                cursor.execute(
                    f"DELETE FROM {table} WHERE gave_mask = 0 AND received_mask = 0 "
                    f"AND network_pk = %s AND block = %s AND user_pk = %s",
                    [network, block, user],
                )


def rollup_transfer(transfer: Transfer) -> None:
    """Add one transfer to the roll-ups, in the caller's transaction (`rollups_catch_up`)."""
    source, sign = transfer, 1
    reversed_ = transfer.reverses if transfer.kind == Transfer.Kind.REVERSAL else None
    if reversed_ is not None and reversed_.kind != Transfer.Kind.REVERSAL:
        source, sign = reversed_, -1
    count = 1 if sign > 0 else (-1 if transfer.minutes >= source.minutes else 0)
    minutes = sign * transfer.minutes
    month = connection.ops.adapt_datefield_value(month_of(source.created_at))
    exchange: Exchange | None = source.exchange if source.kind == Transfer.Kind.EXCHANGE else None
    category = exchange_category(exchange_pk=exchange.pk) if exchange is not None else UNCATEGORISED
    network = transfer.network_id
    _upsert(
        RollupMonthKind._meta.db_table,
        ["network_pk", "month", "kind", "category_pk", "stripe"],
        ["minutes", "transfers"],
        [(network, month, source.kind, category, transfer.pk % RollupMonthKind.STRIPES, minutes, count)],
    )
    if exchange is None:
        return
    last_at = connection.ops.adapt_datetimefield_value(transfer.created_at) if sign > 0 else None
    parties = [u for u in (exchange.provider_id, exchange.recipient_id) if u is not None]
    member_rows = []
    if exchange.provider_id is not None:
        member_rows.append((network, month, exchange.provider_id, minutes, 0, count, 0, last_at))
    if exchange.recipient_id is not None:
        member_rows.append((network, month, exchange.recipient_id, 0, minutes, 0, count, last_at))
    counts = _upsert(
        RollupMemberMonth._meta.db_table,
        ["network_pk", "month", "user_pk"],
        ["given_minutes", "received_minutes", "given_count", "received_count"],
        member_rows,
        latest="last_exchange_at",
        returning="user_pk, given_count, received_count",
    )
    # As for categories, only a count crossing zero changes a month's bit.
    member_changes = []
    for user, given, received in counts:
        gave = user == exchange.provider_id
        n = given if gave else received
        if (count > 0 and n == count) or (count < 0 and n <= 0):
            member_changes.append((user, gave, n > 0))
    if member_changes:
        _member_span_update(network, month_of(source.created_at), member_changes)
    after = _upsert(
        RollupMemberCategory._meta.db_table,
        ["network_pk", "month", "category_pk", "user_pk"],
        ["exchanges"],
        [(network, month, category, user, count) for user in parties],
        returning="user_pk, exchanges",
    )
    # Only a count crossing zero changes the month's bit: most transfers skip this.
    changes = [(user, n > 0) for user, n in after if (count > 0 and n == count) or (count < 0 and n <= 0)]
    if changes:
        _span_update(network, category, month_of(source.created_at), changes)
    if len(parties) == 2:
        low, high = sorted(parties)
        # Transfers are not always fed in time order (a month's last moments, backdated records): a pair
        # first seen in April and then found to have met in February is new in February, not April.
        was_first = (
            RollupPair.objects.filter(network_pk=network, user_low=low, user_high=high)
            .values_list("first_month", flat=True)
            .first()
        )
        [(transfers,)] = _upsert(
            RollupPair._meta.db_table,
            ["network_pk", "user_low", "user_high"],
            ["exchanges", "transfers"],
            [(network, low, high, count, 1, month)],
            earliest="first_month",
            returning="transfers",
        )
        if transfers == 1:  # the pair's first transfer: its first month is this one
            _upsert(RollupPairMonth._meta.db_table, ["network_pk", "month"], ["new_pairs"], [(network, month, 1)])
        elif was_first is not None and month_of(source.created_at) < was_first:
            earlier = connection.ops.adapt_datefield_value(was_first)
            _upsert(
                RollupPairMonth._meta.db_table,
                ["network_pk", "month"],
                ["new_pairs"],
                [(network, earlier, -1), (network, month, 1)],
            )


def _month_sql(column: str) -> tuple[str, tuple]:
    # The stubs still say this returns SQL alone; since Django 4.2 it returns (sql, params).
    sql: str
    params: tuple
    sql, params = connection.ops.datetime_trunc_sql("month", column, (), settings.TIME_ZONE)  # type: ignore[misc]
    if connection.vendor == "postgresql":
        return f"CAST({sql} AS date)", params
    return f"substr({sql}, 1, 10)", params


def _source_sql(network_filter: str) -> str:
    """One row per transfer, resolved and ready to aggregate: month, kind and category it is booked
    against, the exchange's parties, signed minutes and the exchange count it adds (or removes)."""
    month, _ = _month_sql("s.booked_at")
    # Reversals are few: only they are joined to what they reverse.
    src = f"""
        SELECT t.network_id, t.minutes, t.created_at, 1 AS sign, 1 AS cnt, t.created_at AS booked_at, t.kind,
               CASE WHEN t.kind = 'exchange' THEN t.exchange_id END AS exchange_id
        FROM exchanges_transfer t WHERE t.kind <> 'reversal' AND {network_filter}
        UNION ALL
        SELECT t.network_id, t.minutes, t.created_at,
               CASE WHEN r.id IS NULL THEN 1 ELSE -1 END,
               CASE WHEN r.id IS NULL THEN 1 WHEN t.minutes >= r.minutes THEN -1 ELSE 0 END,
               COALESCE(r.created_at, t.created_at), COALESCE(r.kind, t.kind),
               CASE WHEN r.kind = 'exchange' THEN r.exchange_id END
        FROM exchanges_transfer t
        LEFT JOIN exchanges_transfer r ON r.id = t.reverses_id AND r.kind <> 'reversal'
        WHERE t.kind = 'reversal' AND {network_filter}
    """
    return f"""
        SELECT s.network_id AS network_pk, {month} AS month, s.kind AS kind,
               CASE WHEN s.kind = 'exchange' THEN COALESCE(ec.category_pk, {UNCATEGORISED}) ELSE {UNCATEGORISED} END
                   AS category_pk,
               e.provider_id AS provider, e.recipient_id AS recipient,
               s.sign * s.minutes AS minutes, s.cnt AS cnt,
               CASE WHEN s.sign = 1 THEN s.created_at END AS last_at
        FROM ({src}) s
        LEFT JOIN exchanges_exchange e ON e.id = s.exchange_id
        LEFT JOIN {RollupExchangeCategory._meta.db_table} ec ON ec.exchange_pk = e.id
    """


REBUILD = [
    (
        "network_pk, month, kind, category_pk, minutes, transfers",
        "SELECT network_pk, month, kind, category_pk, SUM(minutes), SUM(cnt) FROM rollup_src "
        "GROUP BY network_pk, month, kind, category_pk ORDER BY network_pk, month",
    ),
    (
        "network_pk, month, user_pk, given_minutes, received_minutes, given_count, received_count, last_exchange_at",
        """SELECT network_pk, month, user_pk, SUM(gm), SUM(rm), SUM(gc), SUM(rc), MAX(last_at) FROM (
               SELECT network_pk, month, provider AS user_pk, minutes AS gm, 0 AS rm, cnt AS gc, 0 AS rc, last_at
               FROM rollup_src WHERE provider IS NOT NULL
               UNION ALL
               SELECT network_pk, month, recipient, 0, minutes, 0, cnt, last_at
               FROM rollup_src WHERE recipient IS NOT NULL
           ) p GROUP BY network_pk, month, user_pk ORDER BY network_pk, month, user_pk""",
    ),
    (
        "network_pk, month, category_pk, user_pk, exchanges",
        """SELECT network_pk, month, category_pk, user_pk, SUM(cnt) FROM (
               SELECT network_pk, month, category_pk, provider AS user_pk, cnt FROM rollup_src
               WHERE provider IS NOT NULL
               UNION ALL
               SELECT network_pk, month, category_pk, recipient, cnt FROM rollup_src WHERE recipient IS NOT NULL
           ) p GROUP BY network_pk, month, category_pk, user_pk ORDER BY network_pk, month, category_pk, user_pk""",
    ),
    (
        "network_pk, user_low, user_high, exchanges, transfers, first_month",
        """SELECT network_pk, CASE WHEN provider < recipient THEN provider ELSE recipient END,
                  CASE WHEN provider < recipient THEN recipient ELSE provider END, SUM(cnt), COUNT(*), MIN(month)
           FROM rollup_src WHERE provider IS NOT NULL AND recipient IS NOT NULL
           GROUP BY network_pk, CASE WHEN provider < recipient THEN provider ELSE recipient END,
                    CASE WHEN provider < recipient THEN recipient ELSE provider END
           ORDER BY network_pk, MIN(month)""",
    ),
]


def _spans_rebuild(network_pks: list[int] | None) -> int:
    spans = RollupCategorySpan.objects.all()
    source = RollupMemberCategory.objects.filter(exchanges__gt=0)
    if network_pks is not None:
        spans = spans.filter(network_pk__in=network_pks)
        source = source.filter(network_pk__in=network_pks)
    spans.delete()
    masks: dict[tuple, int] = {}
    for network, category, user, month in source.values_list("network_pk", "category_pk", "user_pk", "month").iterator(
        chunk_size=20000
    ):
        block, bit = month_bit(month)
        key = (network, category, user, block)
        masks[key] = masks.get(key, 0) | bit
    RollupCategorySpan.objects.bulk_create(
        [
            RollupCategorySpan(network_pk=n, category_pk=c, user_pk=u, block=b, months_mask=m)
            for (n, c, u, b), m in masks.items()
        ],
        batch_size=5000,
    )
    return len(masks)


def _pair_months_rebuild(network_pks: list[int] | None) -> int:
    months = RollupPairMonth.objects.all()
    pairs = RollupPair.objects.all()
    if network_pks is not None:
        months = months.filter(network_pk__in=network_pks)
        pairs = pairs.filter(network_pk__in=network_pks)
    months.delete()
    rows = list(
        pairs.values("network_pk", "first_month").annotate(n=Count("*")).values_list("network_pk", "first_month", "n")
    )
    RollupPairMonth.objects.bulk_create([RollupPairMonth(network_pk=n, month=m, new_pairs=c) for n, m, c in rows])
    return len(rows)


def _member_spans_rebuild(network_pks: list[int] | None) -> int:
    spans = RollupMemberSpan.objects.all()
    source = RollupMemberMonth.objects.filter(Q(given_count__gt=0) | Q(received_count__gt=0))
    if network_pks is not None:
        spans = spans.filter(network_pk__in=network_pks)
        source = source.filter(network_pk__in=network_pks)
    spans.delete()
    masks: dict[tuple, list[int]] = {}
    rows = source.values_list("network_pk", "user_pk", "month", "given_count", "received_count")
    for network, user, month, given, received in rows.iterator(chunk_size=20000):
        block, bit = month_bit(month)
        mask = masks.setdefault((network, block, user), [0, 0])
        if given > 0:
            mask[0] |= bit
        if received > 0:
            mask[1] |= bit
    RollupMemberSpan.objects.bulk_create(
        [
            RollupMemberSpan(network_pk=n, block=b, user_pk=u, gave_mask=g, received_mask=r)
            for (n, b, u), (g, r) in masks.items()
        ],
        batch_size=5000,
    )
    return len(masks)


CATCH_UP_BATCH = 500


def rollups_catch_up(*, network_pks: list[int] | None = None) -> int:
    """Add the transfers the ledger has fed since the last catch-up to the roll-ups; returns how many.

    Readers call this before reading figures (and the scheduler every minute), so reports are as
    current as the ledger. Feed rows are locked, applied and deleted in one transaction: two readers
    at once never count a transfer twice (the second waits for the first, then finds the rows gone).
    """
    applied = 0
    while True:
        with transaction.atomic():
            feed = TransferFeed.objects.select_for_update().order_by("pk")
            if network_pks is not None:
                feed = feed.filter(network_id__in=network_pks)
            ids = list(feed.values_list("pk", flat=True)[:CATCH_UP_BATCH])
            if not ids:
                return applied
            transfers = (
                Transfer.objects.filter(pk__in=ids).select_related("reverses__exchange", "exchange").order_by("pk")
            )
            for transfer in transfers:
                rollup_transfer(transfer)
            TransferFeed.objects.filter(pk__in=ids).delete()
            applied += len(ids)


def rollups_rebuild(*, network_pks: list[int] | None = None) -> dict[str, int]:
    """Recompute the roll-ups (of some networks, or all) from the ledger in one transaction.

    On PostgreSQL new transfers wait for the rebuild (SHARE lock on transfers), so nothing written
    meanwhile is lost or counted twice. Rows go in ordered by month, so a report's months are read
    from neighbouring pages. Returns the number of rows per roll-up table.
    """
    if network_pks is not None:
        network_pks = [int(pk) for pk in network_pks]
        network_filter = f"t.network_id IN ({', '.join(str(pk) for pk in network_pks) or 'NULL'})"
    else:
        network_filter = "1 = 1"
    source = _source_sql(network_filter)
    _, month_params = _month_sql("s.booked_at")
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE exchanges_transfer IN SHARE MODE")
            cursor.execute("SET LOCAL work_mem = '256MB'")
        # Everything fed so far is in the rebuild (new transfers wait for the SHARE lock above).
        feed = TransferFeed.objects.all()
        if network_pks is not None:
            feed = feed.filter(network_id__in=network_pks)
        feed.delete()
        counts[RollupExchangeCategory._meta.db_table] = categories_rebuild(network_pks=network_pks)
        cursor.execute("DROP TABLE IF EXISTS rollup_src")
        cursor.execute(f"CREATE TEMP TABLE rollup_src AS {source}", month_params)
        for model, (columns, select) in zip(ROLLUPS, REBUILD, strict=True):
            # _default_manager: the roll-up models share no base, so only Model's own manager is typed.
            rows = model._default_manager.all()
            if network_pks is not None:
                rows = rows.filter(network_pk__in=network_pks)
            rows.delete()
            table = model._meta.db_table
            cursor.execute(f"INSERT INTO {table} ({columns}) {select}")
            counts[table] = model._default_manager.count()
        cursor.execute("DROP TABLE rollup_src")
        counts[RollupPairMonth._meta.db_table] = _pair_months_rebuild(network_pks)
        counts[RollupCategorySpan._meta.db_table] = _spans_rebuild(network_pks)
        counts[RollupMemberSpan._meta.db_table] = _member_spans_rebuild(network_pks)
        if connection.vendor == "postgresql":
            for model in (*ROLLUPS, RollupCategorySpan, RollupMemberSpan, RollupPairMonth):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return counts
