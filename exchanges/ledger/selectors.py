"""Reads of the ledger: accounts and statements scoped to the caller, and the verification that
recomputes every stored balance and hold from the rows."""

from collections import defaultdict

from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from exchanges.ledger.models import SYSTEM_REASONS, Account, Hold, Transfer
from exchanges.models import Exchange
from members.models import Membership, Network, User
from members.selectors import can_act_for, network_in_reach
from timebank.errors import NotFound
from timebank.ids import is_id

HOLDING_STATES = (
    Exchange.State.PROPOSED,
    Exchange.State.AWAITING_APPROVAL,
    Exchange.State.ACCEPTED,
    Exchange.State.CLAIMED,
    Exchange.State.DISPUTED,
)


def _scope(*, user: User, network_slug: str | None, member_id: int | None) -> Q:
    """Which accounts the caller may read: their own; a coordinator's whole network;
    with `member`, that one member's, for the member, their supporter or a coordinator."""
    if network_slug:
        network_ids = [network_in_reach(user=user, slug=network_slug).pk]
    else:
        network_ids = list(
            Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values_list("network_id", flat=True)
        )
    if member_id is not None:
        memberships = Membership.objects.filter(network_id__in=network_ids, user_id=member_id).select_related(
            "network", "user"
        )
        allowed = [m.pk for m in memberships if can_act_for(actor=user, member=m.user, network=m.network)]
        if not allowed:
            raise NotFound(_("No such member in your networks."))
        return Q(membership_id__in=allowed)
    coordinated = list(
        Membership.objects.filter(
            user=user,
            network_id__in=network_ids,
            status=Membership.Status.ACTIVE,
            role=Membership.Role.COORDINATOR,
        ).values_list("network_id", flat=True)
    )
    return Q(network_id__in=coordinated) | Q(network_id__in=network_ids, membership__user=user)


def accounts_visible(*, user: User, network_slug: str | None = None, member_id: int | None = None) -> QuerySet[Account]:
    scope = _scope(user=user, network_slug=network_slug, member_id=member_id)
    return (
        Account.objects.filter(scope)
        .select_related("network", "membership__user")
        .order_by("network__slug", "kind", "membership__user__display_name", "pk")
    )


def transfers_visible(
    *, user: User, network_slug: str | None = None, member_id: int | None = None
) -> QuerySet[Transfer]:
    """A statement: transfers touching the accounts the caller may read, newest first."""
    account_ids = accounts_visible(user=user, network_slug=network_slug, member_id=member_id).values("pk")
    return (
        Transfer.objects.filter(Q(from_account__in=account_ids) | Q(to_account__in=account_ids))
        .select_related(
            "network",
            "from_account__membership__user",
            "to_account__membership__user",
            "exchange__listing",
            "created_by",
            "on_behalf_of",
        )
        .order_by("-created_at", "-id")
    )


def _instance(model, fields: tuple[str, ...], values):
    """A model instance from some of its columns; the others load on first use."""
    return model.from_db(connection.alias, list(fields), values)


# The columns a transfer request reads, in each model's field order (from_db needs that order).
_MEMBERSHIP = ("id", "network_id", "user_id", "role", "status")
_NETWORK = ("id", "slug", "name", "member_floor_minutes", "k", "welcome_minutes")
_ACCOUNT = ("id", "network_id", "kind", "membership_id", "balance", "held", "floor")
_USER = ("id", "email", "display_name")  # what `User.name` reads


def _select(alias: str, fields: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{name}" for name in fields)


def membership_in_reach(*, user: User, slug: str) -> Membership:
    """The caller's active membership of a network, with the network and their account, in one query.

    Plain SQL: this runs on every transfer, and building the ORM query cost more than running it.
    """
    sql = (
        f"SELECT {_select('m', _MEMBERSHIP)}, {_select('n', _NETWORK)}, {_select('a', _ACCOUNT)}"
        f" FROM {Membership._meta.db_table} m JOIN {Network._meta.db_table} n ON n.id = m.network_id"
        f" LEFT JOIN {Account._meta.db_table} a ON a.membership_id = m.id"
        " WHERE n.slug = %s AND m.user_id = %s AND m.status = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug, user.pk, Membership.Status.ACTIVE])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("No such network."))
    end_membership, end_network = len(_MEMBERSHIP), len(_MEMBERSHIP) + len(_NETWORK)
    membership = _instance(Membership, _MEMBERSHIP, row[:end_membership])
    membership.network = _instance(Network, _NETWORK, row[end_membership:end_network])
    membership.user = user
    if row[end_network] is not None:
        membership.account = _instance(Account, _ACCOUNT, row[end_network:])
    return membership


def member_account(*, network: Network, user_id: int) -> Account | None:
    """An active member's account in the network, with its membership and user, in one query."""
    if not is_id(user_id):
        return None
    sql = (
        f"SELECT {_select('a', _ACCOUNT)}, {_select('m', _MEMBERSHIP)}, {_select('u', _USER)}"
        f" FROM {Account._meta.db_table} a JOIN {Membership._meta.db_table} m ON m.id = a.membership_id"
        f" JOIN {User._meta.db_table} u ON u.id = m.user_id"
        " WHERE a.network_id = %s AND m.user_id = %s AND m.status = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [network.pk, user_id, Membership.Status.ACTIVE])
        row = cursor.fetchone()
    if row is None:
        return None
    end_account, end_membership = len(_ACCOUNT), len(_ACCOUNT) + len(_MEMBERSHIP)
    account = _instance(Account, _ACCOUNT, row[:end_account])
    account.membership = _instance(Membership, _MEMBERSHIP, row[end_account:end_membership])
    account.membership.user = _instance(User, _USER, row[end_membership:])
    account.network = network
    return account


def account_owner(account: Account) -> int | str:
    """What names an account in the API: the member's user id, "pot" or "issuance"."""
    if account.kind == Account.Kind.MEMBER:
        # The database's account_member_has_membership check: a member account always has its membership.
        assert account.membership is not None
        return account.membership.user_id
    return account.kind


def account_name(account: Account) -> str:
    if account.kind == Account.Kind.MEMBER:
        assert account.membership is not None  # account_member_has_membership, as above
        # The same name the person has everywhere else (members.models.User.name).
        return account.membership.user.name
    return str(Account.Kind(account.kind).label)


def transfer_description(transfer: Transfer) -> str:
    """What a statement line was for, in plain words."""
    # A foreign key that is not set reads as None without a query.
    if transfer.kind == Transfer.Kind.EXCHANGE and (exchange := transfer.exchange) is not None:
        what = exchange.description or (exchange.listing.title if exchange.listing is not None else "")
        return _("Help: %(what)s") % {"what": what} if what else _("Help exchanged")
    label = str(Transfer.Kind(transfer.kind).label)
    if transfer.kind == Transfer.Kind.REVERSAL and transfer.reverses_id:
        label = _("Reversal of transfer %(number)d") % {"number": transfer.reverses_id}
    detail = transfer.memo or transfer.reason
    if detail in SYSTEM_REASONS:
        detail = _(detail)
    return _("%(label)s: %(detail)s") % {"label": label, "detail": detail} if detail else label


def statement_lines(*, accounts: list[Account], transfers) -> list[dict]:
    """A statement people can read: each transfer (newest first) as a change to one of `accounts`, signed
    (+ in, − out), with the balance after it, counted back from the stored balance. A transfer between two of
    the listed accounts shows once, from the first account's side."""
    balances = {a.pk: a.balance for a in accounts}
    lines = []
    for t in transfers:
        if t.to_account_id in balances:
            account_id, change, other = t.to_account_id, t.minutes, t.from_account
        elif t.from_account_id in balances:
            account_id, change, other = t.from_account_id, -t.minutes, t.to_account
        else:
            continue
        after = balances[account_id]
        balances[account_id] = after - change
        lines.append(
            {
                "transfer": t,
                "account_id": account_id,
                "description": transfer_description(t),
                "other": account_name(other),
                "change": change,
                "balance_after": after,
            }
        )
    return lines


def ledger_verify(*, network: Network | None = None) -> list[str]:
    """Every mismatch between the stored ledger and a recomputation from its rows; empty when sound.

    Balances from transfers, `held` from the open hold rows, and each exchange's held minutes
    from its own open hold (none once it has left the states that hold).
    """
    accounts = Account.objects.all() if network is None else Account.objects.filter(network=network)
    transfers = Transfer.objects.all() if network is None else Transfer.objects.filter(network=network)
    open_holds = Hold.objects.filter(released_at__isnull=True)
    if network is not None:
        open_holds = open_holds.filter(network=network)
    inflow = dict(transfers.values_list("to_account").annotate(s=Sum("minutes")).order_by())
    outflow = dict(transfers.values_list("from_account").annotate(s=Sum("minutes")).order_by())
    holds = dict(open_holds.values_list("account").annotate(s=Sum("minutes")).order_by())
    problems: list[str] = []
    sums: dict[int, int] = defaultdict(int)
    for pk, network_id, kind, balance, held, floor in accounts.values_list(
        "pk", "network_id", "kind", "balance", "held", "floor"
    ).order_by("pk"):
        sums[network_id] += balance
        expected = inflow.get(pk, 0) - outflow.get(pk, 0)
        if balance != expected:
            problems.append(f"account {pk}: balance {balance} but its transfers sum to {expected}")
        if held != holds.get(pk, 0):
            problems.append(f"account {pk}: held {held} but its open holds sum to {holds.get(pk, 0)}")
        if kind != Account.Kind.ISSUANCE and balance - held < floor:
            problems.append(f"account {pk}: available {balance - held} is below its floor {floor}")
    for network_id, total in sorted(sums.items()):
        if total != 0:
            problems.append(f"network {network_id}: accounts sum to {total}, not 0")
    problems += _exchange_hold_mismatches(network=network, open_holds=open_holds)
    return problems


def _exchange_hold_mismatches(*, network: Network | None, open_holds: QuerySet[Hold]) -> list[str]:
    """Exchanges whose held minutes differ from their open hold, or that hold after they closed."""
    by_exchange = dict(open_holds.values_list("exchange_id", "minutes"))
    exchanges = Exchange.objects.filter(Q(held_minutes__gt=0) | Q(pk__in=open_holds.values("exchange_id")))
    if network is not None:
        exchanges = exchanges.filter(network=network)
    problems = []
    for pk, state, held_minutes in exchanges.values_list("pk", "state", "held_minutes").order_by("pk"):
        if held_minutes != by_exchange.get(pk, 0):
            problems.append(
                f"exchange {pk}: holds {held_minutes} minutes but its open hold is {by_exchange.get(pk, 0)}"
            )
        elif state not in HOLDING_STATES:
            problems.append(f"exchange {pk}: {state} but still holds {held_minutes} minutes")
    return problems
