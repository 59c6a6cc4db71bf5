"""Who may move which minutes: gifts, donations, and the coordinator's grants, issues,
adjustments and reversals, each checked here and then written by `transfer_create`."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from exchanges.ledger.models import Account, Transfer
from exchanges.ledger.selectors import member_account
from exchanges.ledger.services import (
    _check_minutes,
    _require_reason,
    network_accounts_open,
    not_for_oneself,
    transfer_create,
)
from members.models import Membership, Network, User
from members.selectors import can_act_for, is_coordinator, supports
from timebank.errors import Forbidden, InvalidTransition, NotFound, ValidationError

MEMBER_KINDS = (Transfer.Kind.GIFT, Transfer.Kind.DONATION)
COORDINATOR_KINDS = (Transfer.Kind.GRANT, Transfer.Kind.ISSUE, Transfer.Kind.ADJUSTMENT, Transfer.Kind.REVERSAL)
POT = "pot"

Party = int | str | None


def _member_account(*, network: Network, user_id: Party, field: str) -> Account:
    """The account of an active member of the network; anyone else is not found (404)."""
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise ValidationError({field: [_('Name a member by their user id, or "pot".')]})
    account = member_account(network=network, user_id=user_id)
    if account is None:
        raise NotFound(_("No such member in this network."))
    return account


def _party_account(*, network: Network, party: Party, field: str) -> Account:
    if party == POT:
        return network_accounts_open(network=network)[0]
    if party is None:
        raise ValidationError({field: [_("This field is required.")]})
    return _member_account(network=network, user_id=party, field=field)


def transfer_request(
    *,
    actor: User,
    network: Network,
    kind: str,
    minutes: int | None = None,
    to_member: Party = None,
    from_member: Party = None,
    transfer: int | None = None,
    memo: str = "",
    reason: str = "",
    idempotency_key: str | None = None,
    membership: Membership | None = None,
) -> Transfer:
    """A transfer asked for by a person (API or page). `network` is already in the actor's reach.

    gift: from_member (default: the actor) → to_member; donation: from_member → pot;
    grant: pot → to_member; issue: issuance → to_member or pot; adjustment: from_member → to_member
    (either may be "pot"); reversal: the opposite of `transfer`. The last four are a coordinator's.
    `membership`, the actor's own active one in `network` if already loaded, saves two queries.
    """
    if membership is not None and (membership.user_id != actor.pk or membership.network_id != network.pk):
        raise ValueError("membership must be the actor's own in the network")
    if kind in COORDINATOR_KINDS:
        if membership is not None:
            allowed = membership.role == Membership.Role.COORDINATOR and membership.status == Membership.Status.ACTIVE
        else:
            allowed = is_coordinator(user=actor, network=network)
        if not allowed:
            raise Forbidden(_("Only a coordinator can do that."))
        reason = _require_reason(reason)
    elif kind not in MEMBER_KINDS:
        raise ValidationError({"kind": [_("Choose gift, donation, grant, issue, adjustment or reversal.")]})
    if len(memo or "") > 200:
        raise ValidationError({"memo": [_("Keep the note under 200 characters.")]})
    memo = memo or ""

    if kind == Transfer.Kind.REVERSAL:
        return _reversal(
            network=network,
            transfer_id=transfer,
            created_by=actor,
            memo=memo,
            reason=reason or "",
            idempotency_key=idempotency_key,
        )

    on_behalf_of: User | None = None
    booked_reason = reason or ""

    if kind in MEMBER_KINDS:
        if from_member is None and membership is not None:
            payer = getattr(membership, "account", None)
            if payer is None:
                raise Forbidden(_("You have no account in this network."))
            payer.membership = membership
        elif from_member is None:
            payer = (
                Account.objects.select_related("membership__user")
                .filter(network=network, membership__user=actor, membership__status=Membership.Status.ACTIVE)
                .first()
            )
            if payer is None:
                raise Forbidden(_("You have no account in this network."))
        else:
            payer = _member_account(network=network, user_id=from_member, field="from")
        # Each way above finds a member's account, which always has its membership (account_member_has_membership).
        assert payer.membership is not None
        if payer.membership.user_id != actor.pk and not can_act_for(
            actor=actor, member=payer.membership.user, network=network
        ):
            raise Forbidden(_("Only the member, their supporter or a coordinator can give their hours."))
        if payer.membership.user_id != actor.pk:
            on_behalf_of = payer.membership.user
            # Someone giving a member's hours for them never gives them to themselves.
            if to_member == actor.pk:
                raise Forbidden(_("You cannot give someone else's hours to yourself."))
            if not supports(supporter=actor, member=payer.membership.user, network=network):
                # A coordinator moving someone's hours is a coordinator action: it says why (PRODUCT §3).
                booked_reason = _require_reason(reason)
        if kind == Transfer.Kind.GIFT:
            if to_member == POT:
                raise ValidationError({"to_member": [_("To give to the pot, make a donation.")]})
            payee = _member_account(network=network, user_id=to_member, field="to_member")
        else:
            payee = network_accounts_open(network=network)[0]
    elif kind == Transfer.Kind.GRANT:
        payer = network_accounts_open(network=network)[0]
        payee = _member_account(network=network, user_id=to_member, field="to_member")
    elif kind == Transfer.Kind.ISSUE:
        payer = network_accounts_open(network=network)[1]
        payee = _party_account(network=network, party=POT if to_member is None else to_member, field="to_member")
    else:
        payer = _party_account(network=network, party=from_member, field="from")
        payee = _party_account(network=network, party=to_member, field="to")
    if payer.pk == payee.pk:
        raise ValidationError({"to_member": [_("Minutes must go to someone else.")]})
    if kind in COORDINATOR_KINDS:
        not_for_oneself(actor=actor, account=payee)
    return transfer_create(
        network=network,
        from_account=payer,
        to_account=payee,
        # transfer_create's own first check, made here so what it is given is an int.
        minutes=_check_minutes(minutes),
        kind=kind,
        created_by=actor,
        on_behalf_of=on_behalf_of,
        memo=memo,
        reason=booked_reason,
        idempotency_key=idempotency_key,
    )


def _reversal(
    *, network: Network, transfer_id: int | None, created_by: User, memo: str, reason: str, idempotency_key: str | None
) -> Transfer:
    if isinstance(transfer_id, bool) or not isinstance(transfer_id, int):
        raise ValidationError({"transfer": [_("Name the transfer to reverse by its id.")]})
    original = (
        Transfer.objects.select_related("from_account", "to_account").filter(pk=transfer_id, network=network).first()
    )
    if original is None:
        raise NotFound(_("No such transfer in this network."))
    if Transfer.objects.filter(reverses=original).exists():
        raise InvalidTransition(_("That transfer has already been reversed."))
    not_for_oneself(actor=created_by, account=original.from_account)
    try:
        # Its own savepoint: a reversal racing another of the same transfer loses on the
        # one-to-one constraint, and the caller's transaction carries on.
        with transaction.atomic():
            return transfer_create(
                network=network,
                from_account=original.to_account,
                to_account=original.from_account,
                minutes=original.minutes,
                kind=Transfer.Kind.REVERSAL,
                reverses=original,
                exchange=original.exchange,
                created_by=created_by,
                memo=memo,
                reason=reason,
                idempotency_key=idempotency_key,
            )
    except IntegrityError as exc:
        if Transfer.objects.filter(reverses=original).exists():
            raise InvalidTransition(_("That transfer has already been reversed.")) from exc
        raise
