"""The one way minutes move. Every write locks its accounts in primary-key order and records an
audit event in the same transaction; the database constraints are the backstop."""

import json
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.ledger.models import (
    LEFT_BALANCE,
    LEFT_DEBT_SETTLED,
    LEFT_DEBT_WRITTEN_OFF,
    WELCOME_REASON,
    Account,
    Hold,
    Transfer,
    TransferFeed,
)
from exchanges.limits import MAX_TRANSFER_MINUTES, minutes_check
from exchanges.models import Exchange
from members.audit import audit_record, reason_clean
from members.models import Membership, Network, User
from members.selectors import active_membership, can_act_for, is_coordinator, require_coordinator
from messaging.notifications.services import notification_create
from timebank.errors import Forbidden, InsufficientBalance, InvalidTransition, NotFound, ValidationError

KINDS = frozenset(Transfer.Kind.values)


def network_accounts_open(*, network: Network) -> tuple[Account, Account]:
    pot, _ = Account.objects.get_or_create(network=network, kind=Account.Kind.POT, defaults={"floor": 0})
    issuance, _ = Account.objects.get_or_create(network=network, kind=Account.Kind.ISSUANCE, defaults={"floor": 0})
    return pot, issuance


def account_open(*, membership: Membership, actor: User | None = None) -> Account:
    """The member's account, opened once; the network's welcome hours come from issuance."""
    with transaction.atomic():
        account, created = Account.objects.get_or_create(
            membership=membership,
            defaults={
                "network_id": membership.network_id,
                "kind": Account.Kind.MEMBER,
                "floor": membership.network.member_floor_minutes,
            },
        )
        if created:
            audit_record(action="account.open", actor=actor, network=membership.network, target=account)
            welcome = membership.network.welcome_minutes
            if welcome:
                _, issuance = network_accounts_open(network=membership.network)
                transfer_create(
                    network=membership.network,
                    from_account=issuance,
                    to_account=account,
                    minutes=welcome,
                    kind=Transfer.Kind.ISSUE,
                    created_by=actor,
                    reason=WELCOME_REASON,
                )
                account.refresh_from_db(fields=["balance"])
    return account


def _check_minutes(minutes, field: str = "minutes") -> int:
    return minutes_check(minutes, most=MAX_TRANSFER_MINUTES, field=field)


def transfer_create(
    *,
    network: Network,
    from_account: Account,
    to_account: Account,
    minutes: int,
    kind: str,
    created_by: User | None,
    on_behalf_of: User | None = None,
    exchange: Exchange | None = None,
    reverses: Transfer | None = None,
    memo: str = "",
    reason: str = "",
    idempotency_key: str | None = None,
    release_hold: int = 0,
) -> Transfer:
    """Move `minutes` from one account to another; with `release_hold`, also release the exchange's
    open hold on the payer, which must be exactly that many minutes.

    Raises InsufficientBalance if the payer's available minutes would cross its floor.
    """
    _check_minutes(minutes)
    if kind not in KINDS:
        raise ValidationError({"kind": [_("Unknown kind of transfer: %(kind)s.") % {"kind": kind}]})
    if from_account.pk == to_account.pk:
        raise ValidationError({"to_account": [_("An account cannot pay itself.")]})
    if from_account.network_id != network.pk or to_account.network_id != network.pk:
        raise ValidationError(_("Both accounts must belong to the network."))
    if not isinstance(release_hold, int) or release_hold < 0:
        raise ValidationError(_("A released hold is a whole number of minutes, zero or more."))
    if release_hold and exchange is None:
        raise ValidationError(_("Only an exchange's hold can be released."))
    values = {
        "network": network,
        "from_account": from_account,
        "to_account": to_account,
        "minutes": minutes,
        "kind": kind,
        "exchange": exchange,
        "reverses": reverses,
        "memo": memo,
        "reason": reason,
        "created_by": created_by if created_by is not None and created_by.is_authenticated else None,
        "on_behalf_of": on_behalf_of,
        "idempotency_key": idempotency_key,
        "created_at": timezone.now(),
    }
    write = _transfer_write_one_statement if connection.vendor == "postgresql" else _transfer_write
    # A refusal is raised after the block, so a caller's own transaction survives it (the
    # exchanges service sends an over-the-floor posting to a coordinator instead of failing).
    with transaction.atomic(savepoint=False):
        transfer, refusal = write(values=values, release_hold=release_hold)
        if transfer is not None:
            _transfer_notify(transfer)
    if refusal is not None:
        raise refusal
    assert transfer is not None  # each write returns either the transfer or why it was refused
    return transfer


# Who hears of a move outside an exchange (the exchange's own steps tell its parties): each member whose
# account moved, but never the one who moved it. kinds.py has the words.
_TOLD: dict[str, tuple[str, str]] = {
    # kind: (what the payer is told, what the payee is told)
    Transfer.Kind.GIFT: ("transfer.gift_given", "transfer.gift"),
    Transfer.Kind.DONATION: ("transfer.donation", ""),
    Transfer.Kind.GRANT: ("", "transfer.grant"),
    Transfer.Kind.ISSUE: ("", "transfer.issue"),
    Transfer.Kind.ADJUSTMENT: ("transfer.adjustment_out", "transfer.adjustment_in"),
    Transfer.Kind.REVERSAL: ("transfer.reversal_out", "transfer.reversal_in"),
}


def _transfer_notify(transfer: Transfer) -> None:
    told = _TOLD.get(transfer.kind)
    if told is None:
        return
    # The accounts as the caller loaded them (a member's usually with its membership and user).
    payer = transfer.from_account if transfer.from_account.kind == Account.Kind.MEMBER else None
    payee = transfer.to_account if transfer.to_account.kind == Account.Kind.MEMBER else None
    actor = transfer.created_by
    network = transfer.network
    by = actor.name if actor is not None else str(network.name)

    def person_of(account: Account) -> User:
        membership = account.membership
        assert membership is not None  # a member's account always has one (account_member_has_membership)
        if actor is not None and membership.user_id == actor.pk:
            return actor
        return membership.user

    for account, kind in ((payer, told[0]), (payee, told[1])):
        if account is None or not kind:
            continue
        person = person_of(account)
        if actor is not None and person.pk == actor.pk:
            continue
        # A gift says who gave (the payer, even when their supporter moved it); the rest say who did it.
        name = person_of(payer).name if kind == "transfer.gift" and payer is not None else by
        to = person_of(payee).name if payee is not None else str(network.name)
        notification_create(
            user=person,
            kind=kind,
            network=network,
            data={"transfer": transfer.pk, "minutes": transfer.minutes, "name": name, "to": to},
            actor=actor,
        )


def _allowed(*, kind: str, balance: int, held: int, floor: int, minutes: int, release_hold: int) -> bool:
    return held - release_hold >= 0 and (
        kind == Account.Kind.ISSUANCE or balance - minutes - (held - release_hold) >= floor
    )


def _refusal(*, held: int, release_hold: int, hold_found: bool) -> Exception:
    """Why a transfer the checks refused was refused."""
    if release_hold and not hold_found:
        return ValidationError("This exchange holds no such minutes to release.")
    if held - release_hold < 0:
        return ValidationError("Cannot release more than is held.")
    return InsufficientBalance("Not enough time credit for that.")


def _transfer_write(*, values: dict, release_hold: int) -> tuple[Transfer | None, Exception | None]:
    """Through the ORM: lock both rows in primary-key order (so A→B and B→A at once queue
    instead of deadlocking), check, move both balances in one UPDATE, insert, audit; release the
    exchange's hold with its own audit event."""
    payer_id, payee_id, minutes = values["from_account"].pk, values["to_account"].pk, values["minutes"]
    rows = {
        row[0]: row
        for row in Account.objects.select_for_update()
        .filter(pk__in=(payer_id, payee_id))
        .order_by("pk")
        .values_list("pk", "kind", "balance", "held", "floor")
    }
    _, kind, balance, held, floor = rows[payer_id]
    hold = None
    if release_hold:
        hold = (
            Hold.objects.select_for_update()
            .filter(exchange=values["exchange"], account_id=payer_id, minutes=release_hold, released_at__isnull=True)
            .first()
        )
    if (release_hold and hold is None) or not _allowed(
        kind=kind, balance=balance, held=held, floor=floor, minutes=minutes, release_hold=release_hold
    ):
        return None, _refusal(held=held, release_hold=release_hold, hold_found=hold is not None)
    Account.objects.filter(pk__in=(payer_id, payee_id)).update(
        balance=F("balance") + Case(When(pk=payer_id, then=Value(-minutes)), default=Value(minutes)),
        held=F("held") - Case(When(pk=payer_id, then=Value(release_hold)), default=Value(0)),
    )
    transfer = Transfer.objects.create(**values)
    TransferFeed.objects.create(transfer=transfer, network_id=transfer.network_id)
    audit_record(
        action=f"transfer.{values['kind']}",
        actor=values["created_by"],
        on_behalf_of=values["on_behalf_of"],
        network=values["network"],
        target=transfer,
        reason=values["reason"],
        data={"from": payer_id, "to": payee_id, "minutes": minutes},
    )
    if hold is not None:
        _hold_mark_released(
            hold,
            network=values["network"],
            actor=values["created_by"],
            on_behalf_of=values["on_behalf_of"],
            at=values["created_at"],
        )
    return transfer, None


# The same steps as _transfer_write in one round trip: lock in primary-key order, check (and find the
# hold to release), move both balances, insert the transfer and its audit event, release the hold
# with its audit event. Data-modifying CTEs always run to completion. No row back means refused.
ONE_STATEMENT = """
WITH locked AS (
    SELECT id, kind, balance, held, floor FROM exchanges_account
    WHERE id IN (%(payer)s, %(payee)s) ORDER BY id FOR UPDATE
), hold AS (
    SELECT id FROM exchanges_hold
    WHERE %(release)s > 0 AND exchange_id = %(exchange)s AND account_id = %(payer)s AND minutes = %(release)s
        AND released_at IS NULL
    FOR UPDATE
), ok AS (
    SELECT 1 FROM locked WHERE id = %(payer)s AND held - %(release)s >= 0
    AND (kind = 'issuance' OR balance - %(minutes)s - (held - %(release)s) >= floor)
    AND (%(release)s = 0 OR EXISTS (SELECT 1 FROM hold))
), moved AS (
    UPDATE exchanges_account a
    SET balance = a.balance + CASE WHEN a.id = %(payer)s THEN -%(minutes)s ELSE %(minutes)s END,
        held = a.held - CASE WHEN a.id = %(payer)s THEN %(release)s ELSE 0 END
    FROM ok WHERE a.id IN (%(payer)s, %(payee)s)
    RETURNING a.id
), transfer AS (
    INSERT INTO exchanges_transfer (network_id, from_account_id, to_account_id, minutes, kind, exchange_id,
        reverses_id, memo, reason, created_by_id, on_behalf_of_id, idempotency_key, created_at)
    SELECT %(network)s, %(payer)s, %(payee)s, %(minutes)s, %(kind)s, %(exchange)s, %(reverses)s, %(memo)s,
        %(reason)s, %(created_by)s, %(on_behalf_of)s, %(key)s, %(created_at)s FROM ok
    RETURNING *
), released AS (
    UPDATE exchanges_hold h SET released_at = %(created_at)s FROM hold, ok WHERE h.id = hold.id
    RETURNING h.id, h.exchange_id, h.account_id, h.minutes
), feed AS (
    -- Readers of the ledger (the report roll-ups) find the new transfer here (TransferFeed).
    INSERT INTO exchanges_transferfeed (transfer_id, network_id) SELECT id, network_id FROM transfer
), audit AS (
    -- One INSERT, the transfer's event first: the order the ORM path writes them in.
    INSERT INTO members_auditevent (network_id, actor_id, on_behalf_of_id, action, target_type, target_id,
        reason, data, created_at)
    -- Typed, because a UNION cannot infer a parameter's type from the column it goes to.
    SELECT %(network)s::bigint, %(created_by)s::bigint, %(on_behalf_of)s::bigint, %(action)s::text,
        'transfer', transfer.id, %(reason)s::text, %(data)s::jsonb, %(created_at)s::timestamptz FROM transfer
    UNION ALL
    SELECT %(network)s::bigint, %(created_by)s::bigint, %(on_behalf_of)s::bigint, 'hold.release', 'hold',
        released.id, '', jsonb_build_object('exchange', released.exchange_id, 'account', released.account_id,
            'minutes', released.minutes), %(created_at)s::timestamptz
    FROM released
)
SELECT * FROM transfer
"""


def _transfer_write_one_statement(*, values: dict, release_hold: int) -> tuple[Transfer | None, Exception | None]:
    payer_id, payee_id, minutes = values["from_account"].pk, values["to_account"].pk, values["minutes"]
    params = {
        "payer": payer_id,
        "payee": payee_id,
        "minutes": minutes,
        "release": release_hold,
        "network": values["network"].pk,
        "kind": values["kind"],
        "exchange": values["exchange"].pk if values["exchange"] else None,
        "reverses": values["reverses"].pk if values["reverses"] else None,
        "memo": values["memo"],
        "reason": values["reason"],
        "created_by": values["created_by"].pk if values["created_by"] else None,
        "on_behalf_of": values["on_behalf_of"].pk if values["on_behalf_of"] else None,
        "key": values["idempotency_key"],
        "created_at": values["created_at"],
        "action": f"transfer.{values['kind']}",
        "data": json.dumps({"from": payer_id, "to": payee_id, "minutes": minutes}),
    }
    # raw(): Django's cursor (query logging and instrumentation see it) and Django's own row-to-model
    # mapping by column name.
    transfer = next(iter(Transfer.objects.raw(ONE_STATEMENT, params)), None)
    if transfer is None:
        # Refused. The payer's row is still locked by the statement: read why (the rare, slow way).
        account = Account.objects.values("held").get(pk=payer_id)
        hold_found = (
            not release_hold
            or Hold.objects.filter(
                exchange=values["exchange"], account_id=payer_id, minutes=release_hold, released_at__isnull=True
            ).exists()
        )
        return None, _refusal(held=account["held"], release_hold=release_hold, hold_found=hold_found)
    for name in ("network", "from_account", "to_account", "exchange", "reverses", "created_by", "on_behalf_of"):
        if values[name] is not None:
            setattr(transfer, name, values[name])  # already loaded: no query when the caller reads them
    return transfer, None


def hold_place(
    *, exchange: Exchange, account: Account, minutes: int, actor: User | None = None, on_behalf_of: User | None = None
) -> Hold:
    """Reserve minutes on the payer's account for an exchange; refused if available minutes would
    cross the floor. The hold is a row of its own, with its audit event."""
    _check_minutes(minutes)
    if account.network_id != exchange.network_id:
        raise ValidationError(_("The account must belong to the exchange's network."))
    # The refusal is raised after the block, so a caller's own transaction survives it.
    hold = None
    with transaction.atomic(savepoint=False):
        # One conditional statement: no read-then-write race.
        updated = Account.objects.filter(pk=account.pk, balance__gte=F("held") + F("floor") + minutes).update(
            held=F("held") + minutes
        )
        if updated:
            hold = Hold.objects.create(
                network_id=account.network_id, account=account, exchange=exchange, minutes=minutes
            )
            audit_record(
                action="hold.place",
                actor=actor,
                on_behalf_of=on_behalf_of,
                network=exchange.network,
                target=hold,
                data={"exchange": exchange.pk, "account": account.pk, "minutes": minutes},
            )
    if hold is None:
        raise InsufficientBalance(_("Not enough time credit to agree to this."))
    return hold


def hold_release(*, exchange: Exchange, actor: User | None = None, on_behalf_of: User | None = None) -> int:
    """Release the exchange's open hold, if any; returns the minutes released."""
    with transaction.atomic(savepoint=False):
        hold = Hold.objects.select_for_update().filter(exchange=exchange, released_at__isnull=True).first()
        if hold is None:
            return 0
        updated = Account.objects.filter(pk=hold.account_id, held__gte=hold.minutes).update(
            held=F("held") - hold.minutes
        )
        if not updated:
            raise ValidationError(_("Cannot release more than is held."))
        _hold_mark_released(hold, network=exchange.network, actor=actor, on_behalf_of=on_behalf_of, at=timezone.now())
    return hold.minutes


def _hold_mark_released(
    hold: Hold, *, network: Network, actor: User | None, on_behalf_of: User | None, at: datetime
) -> None:
    Hold.objects.filter(pk=hold.pk).update(released_at=at)
    hold.released_at = at
    audit_record(
        action="hold.release",
        actor=actor,
        on_behalf_of=on_behalf_of,
        network=network,
        target=hold,
        data={"exchange": hold.exchange_id, "account": hold.account_id, "minutes": hold.minutes},
    )


def account_floor_set(*, account: Account, actor: User, floor_minutes: int, reason: str) -> Account:
    """A coordinator overrides one member's floor, with a reason; audited."""
    require_coordinator(user=actor, network=account.network)
    if account.kind != Account.Kind.MEMBER:
        raise ValidationError({"floor_minutes": [_("Only a member's floor can be changed: the pot's is always 0.")]})
    if not isinstance(floor_minutes, int) or floor_minutes < account.floor:
        # More room below zero on one's own account is another coordinator's to give; less is one's own choice.
        not_for_oneself(actor=actor, account=account)
    if not isinstance(floor_minutes, int) or isinstance(floor_minutes, bool) or not -1_000_000 <= floor_minutes <= 0:
        raise ValidationError({"floor_minutes": [_("A floor is a whole number of minutes, zero or below.")]})
    reason = _require_reason(reason)
    with transaction.atomic():
        before = Account.objects.select_for_update().get(pk=account.pk)
        # Conditional, so a floor is never set above what the member already uses.
        updated = Account.objects.filter(pk=account.pk, balance__gte=F("held") + floor_minutes).update(
            floor=floor_minutes, floor_reason=reason[:200]
        )
        if updated:
            assert before.membership is not None  # a member's account (checked above) has its membership
            audit_record(
                action="account.floor",
                actor=actor,
                network=account.network,
                target=account,
                reason=reason,
                on_behalf_of=before.membership.user,
                data={"from": before.floor, "to": floor_minutes},
            )
    if not updated:
        raise ValidationError(
            {
                "floor_minutes": [
                    _("The member has %(n)d minutes available: the floor cannot be above that.")
                    % {"n": before.available}
                ]
            }
        )
    account.refresh_from_db()
    return account


def not_for_oneself(*, actor: User, account: Account) -> None:
    """A coordinator's ledger step never favours their own account: minutes into it, or its floor. Another
    coordinator does that, so nobody speaks for the pot to pay themselves."""
    if (
        account.kind == Account.Kind.MEMBER
        and account.membership is not None
        and account.membership.user_id == actor.pk
    ):
        raise Forbidden(_("Another coordinator must do this: it is your own account."))


def _require_reason(reason: str | None) -> str:
    """Coordinators' ledger actions always say why."""
    return reason_clean(reason, required=True)


def account_settle(
    *,
    membership: Membership,
    actor: User,
    to_member: User | None = None,
    reason: str = "",
    settle_from: str = "issuance",
) -> Transfer | None:
    """Settle the account of a member who has left (PRODUCT §2, Leaving); audited.

    A positive balance goes to the pot, or to `to_member`. A negative one needs a coordinator,
    who pays it from the pot or writes it off from issuance; until then it stays as it is.
    """
    network = membership.network
    if membership.status != Membership.Status.LEFT:
        raise InvalidTransition(_("Only the account of a member who has left is settled."))
    coordinator = is_coordinator(user=actor, network=network)
    if (
        actor.pk != membership.user_id
        and not coordinator
        and not can_act_for(actor=actor, member=membership.user, network=network)
    ):
        raise Forbidden(_("Only the member, their supporter or a coordinator can settle this account."))
    if to_member is not None and to_member.pk == actor.pk and actor.pk != membership.user_id:
        raise Forbidden(_("You cannot give someone else's hours to yourself."))
    account = Account.objects.get(membership=membership)
    pot, issuance = network_accounts_open(network=network)
    available = account.balance - account.held
    reason = (reason or "").strip()[:500] or "Balance settled on leaving"
    on_behalf_of = membership.user if actor.pk != membership.user_id else None
    if available > 0:
        to_account, kind = pot, Transfer.Kind.DONATION
        if to_member is not None:
            recipient = active_membership(user=to_member, network=network)
            if recipient is None or not hasattr(recipient, "account"):
                raise NotFound(_("No such member in this network."))
            to_account, kind = recipient.account, Transfer.Kind.GIFT
        return transfer_create(
            network=network,
            from_account=account,
            to_account=to_account,
            minutes=available,
            kind=kind,
            created_by=actor,
            on_behalf_of=on_behalf_of,
            memo=LEFT_BALANCE,
            reason=reason,
        )
    if account.balance < 0:
        if not coordinator:
            # Leaving is never blocked by a debt: a coordinator settles it later.
            audit_record(
                action="account.settle_pending",
                actor=actor,
                network=network,
                target=account,
                on_behalf_of=on_behalf_of,
                data={"balance": account.balance},
            )
            return None
        if settle_from not in ("pot", "issuance"):
            raise ValidationError({"settle_from": [_("Settle from the pot or from issuance.")]})
        return transfer_create(
            network=network,
            from_account=pot if settle_from == "pot" else issuance,
            to_account=account,
            minutes=-account.balance,
            kind=Transfer.Kind.GRANT if settle_from == "pot" else Transfer.Kind.ISSUE,
            created_by=actor,
            on_behalf_of=membership.user,
            memo=LEFT_DEBT_SETTLED if settle_from == "pot" else LEFT_DEBT_WRITTEN_OFF,
            reason=reason,
        )
    return None
