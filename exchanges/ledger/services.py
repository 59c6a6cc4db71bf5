"""The one way minutes move. Every write locks its accounts in primary-key order and records an
audit event in the same transaction; the database constraints are the backstop."""

from django.db import transaction
from django.db.models import F

from exchanges.models import Account, Exchange, Transfer
from exchanges.reports.rollups import rollup_transfer
from members.models import Membership, Network, User
from members.services import audit_record
from timebank.errors import InsufficientBalance, ValidationError


def network_accounts_open(*, network: Network) -> tuple[Account, Account]:
    pot, _ = Account.objects.get_or_create(network=network, kind=Account.Kind.POT, defaults={"floor": 0})
    issuance, _ = Account.objects.get_or_create(network=network, kind=Account.Kind.ISSUANCE, defaults={"floor": 0})
    return pot, issuance


def account_open(*, membership: Membership, actor: User | None = None) -> Account:
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
    return account


def _check_minutes(minutes) -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise ValidationError({"minutes": ["Minutes must be a whole number above zero."]})
    return minutes


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
    """Move `minutes` from one account to another, optionally releasing a hold on the payer.

    Raises InsufficientBalance if the payer's available minutes would cross its floor.
    """
    _check_minutes(minutes)
    if from_account.pk == to_account.pk:
        raise ValidationError({"to_account": ["An account cannot pay itself."]})
    if from_account.network_id != network.pk or to_account.network_id != network.pk:
        raise ValidationError("Both accounts must belong to the network.")
    with transaction.atomic():
        locked = {
            a.pk: a
            for a in Account.objects.select_for_update().filter(pk__in=[from_account.pk, to_account.pk]).order_by("pk")
        }
        payer = locked[from_account.pk]
        held_after = payer.held - release_hold
        if held_after < 0:
            raise ValidationError("Cannot release more than is held.")
        if payer.kind != Account.Kind.ISSUANCE and payer.balance - minutes - held_after < payer.floor:
            raise InsufficientBalance("Not enough time credit for that.")
        Account.objects.filter(pk=payer.pk).update(balance=F("balance") - minutes, held=F("held") - release_hold)
        Account.objects.filter(pk=to_account.pk).update(balance=F("balance") + minutes)
        transfer = Transfer.objects.create(
            network=network,
            from_account=payer,
            to_account=locked[to_account.pk],
            minutes=minutes,
            kind=kind,
            exchange=exchange,
            reverses=reverses,
            memo=memo,
            reason=reason,
            created_by=created_by,
            on_behalf_of=on_behalf_of,
            idempotency_key=idempotency_key,
        )
        rollup_transfer(transfer)
        audit_record(
            action=f"transfer.{kind}",
            actor=created_by,
            on_behalf_of=on_behalf_of,
            network=network,
            target=transfer,
            reason=reason,
            data={"from": payer.pk, "to": to_account.pk, "minutes": minutes},
        )
    return transfer


def hold_place(*, account: Account, minutes: int) -> None:
    """Reserve minutes on an account; refused if available minutes would cross the floor."""
    _check_minutes(minutes)
    # One conditional statement: no read-then-write race.
    updated = Account.objects.filter(pk=account.pk, balance__gte=F("held") + F("floor") + minutes).update(
        held=F("held") + minutes
    )
    if not updated:
        raise InsufficientBalance("Not enough time credit to agree to this.")


def hold_release(*, account: Account, minutes: int) -> None:
    if minutes <= 0:
        return
    updated = Account.objects.filter(pk=account.pk, held__gte=minutes).update(held=F("held") - minutes)
    if not updated:
        raise ValidationError("Cannot release more than is held.")
