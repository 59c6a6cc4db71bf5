"""Bring another time bank's members, listings and balances into a network, all or nothing.

People are found by email (or, without one, by the source's member number); listings by the source's id,
remembered in `ImportedRecord`; a balance is brought in as issuance with the reason "opening balance",
only the difference between the source's balance and what has been issued to the member so far, so the
same import run twice changes nothing.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from exchanges.imports.models import ImportedRecord
from exchanges.imports.sources import Source, SourceListing, SourceMember
from exchanges.ledger.models import Account, Transfer
from exchanges.ledger.services import network_accounts_open, transfer_create
from exchanges.limits import MAX_TRANSFER_MINUTES, minutes_check
from exchanges.matching.services import listing_skills_refresh
from exchanges.models import Listing
from members.audit import audit_record
from members.models import Membership, Network, User
from members.selectors import TRADING_ROLES
from members.services import membership_activate

OPENING_BALANCE = "opening balance"


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    dry_run: bool
    members: Counts = field(default_factory=Counts)
    listings: Counts = field(default_factory=Counts)
    balance_moves: int = 0
    balance_minutes_in: int = 0  # issued to members
    balance_minutes_out: int = 0  # taken back into issuance
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def _member(network: Network, source: Source, row: SourceMember, result: ImportResult) -> Membership:
    record = ImportedRecord.objects.filter(
        network=network, source=source.format, kind=ImportedRecord.Kind.MEMBER, source_id=row.source_id
    ).first()
    membership = Membership.objects.filter(pk=record.object_id).first() if record else None
    if membership is not None:
        result.members.unchanged += 1
        return membership
    user = User.objects.filter(email=row.email).first() if row.email else None
    if user is None:
        user = User.objects.create_user(row.email, None, display_name=row.name)
        if row.email is None:
            result.notes.append(
                f"{row.where}: no email, so {row.name or 'this member'} is brought in as a supported member who "
                "does not log in; a coordinator or supporter acts with them."
            )
    membership = Membership.objects.filter(network=network, user=user).first()
    if membership is None:
        joined = min(row.joined or timezone.now(), timezone.now())
        membership = Membership.objects.create(
            network=network,
            user=user,
            role=Membership.Role.MEMBER,
            is_supported=row.email is None,
            created_at=joined,
            approved_at=joined,  # a member since they joined the bank they come from
        )
        membership_activate(membership=membership, actor=None)
        result.members.new += 1
    else:
        if membership.status == Membership.Status.SUSPENDED:
            # A coordinator's decision, lifted only by reinstating them with a reason.
            result.errors.append(
                f"{row.where}: {row.email} is suspended in this network; a coordinator reinstates them first."
            )
        elif membership.status != Membership.Status.ACTIVE:
            membership_activate(membership=membership, actor=None)
        if membership.role not in TRADING_ROLES:
            result.errors.append(
                f"{row.where}: {row.email} is already in this network as a {membership.role}, who holds no balance."
            )
        result.members.updated += 1
    ImportedRecord.objects.create(
        network=network,
        source=source.format,
        kind=ImportedRecord.Kind.MEMBER,
        source_id=row.source_id,
        object_id=membership.pk,
    )
    return membership


def _issued(account: Account) -> int:
    """Net minutes issuance has given this account so far: welcome hours count towards the opening balance."""
    issue = Q(kind=Transfer.Kind.ISSUE)
    given = Transfer.objects.filter(issue, to_account=account).aggregate(n=Sum("minutes"))["n"] or 0
    taken = Transfer.objects.filter(issue, from_account=account).aggregate(n=Sum("minutes"))["n"] or 0
    return given - taken


def _balance(network: Network, issuance: Account, membership: Membership, row: SourceMember, result: ImportResult):
    if row.balance_minutes is None or membership.role not in TRADING_ROLES:
        return
    account = Account.objects.get(membership=membership)
    delta = row.balance_minutes - _issued(account)
    if not delta:
        return
    try:
        # The ledger's limit on one transfer, checked before the floor is moved for it: named on the row.
        minutes_check(abs(delta), most=MAX_TRANSFER_MINUTES)
    except DjangoValidationError as error:
        result.errors.append(
            f"{row.where}: balance {row.balance_minutes} minutes cannot be brought in ({' '.join(error.messages)})"
        )
        return
    _balance_move(network, issuance, account, delta, result)


def _balance_move(network: Network, issuance: Account, account: Account, delta: int, result: ImportResult) -> None:
    if delta > 0:
        transfer_create(network=network, from_account=issuance, to_account=account, minutes=delta,
                        kind=Transfer.Kind.ISSUE, created_by=None, reason=OPENING_BALANCE)  # fmt: skip
        result.balance_minutes_in += delta
    else:
        account.refresh_from_db(fields=["balance", "held", "floor"])
        lowest = account.balance - account.held + delta
        if lowest < account.floor:
            # The member owed this much in the bank they come from: their floor goes down to it, recorded.
            account.floor = lowest
            account.floor_reason = f"{OPENING_BALANCE}: brought in below the network's floor"
            account.save(update_fields=["floor", "floor_reason"])
        transfer_create(network=network, from_account=account, to_account=issuance, minutes=-delta,
                        kind=Transfer.Kind.ISSUE, created_by=None, reason=OPENING_BALANCE)  # fmt: skip
        result.balance_minutes_out += -delta
    result.balance_moves += 1


def _listing(network: Network, source: Source, row: SourceListing, owner: Membership, result: ImportResult) -> None:
    record = ImportedRecord.objects.filter(
        network=network, source=source.format, kind=ImportedRecord.Kind.LISTING, source_id=row.source_id
    ).first()
    listing = Listing.objects.filter(pk=record.object_id).first() if record else None
    if listing is not None:
        if (listing.title, listing.description, listing.kind) == (row.title, row.description, row.kind):
            result.listings.unchanged += 1
            return
        listing.title, listing.description, listing.kind = row.title, row.description, row.kind
        listing.save(update_fields=["title", "description", "kind", "updated_at"])
        result.listings.updated += 1
    else:
        listing = Listing.objects.create(
            network=network,
            owner_id=owner.user_id,
            kind=row.kind,
            title=row.title,
            description=row.description,
            created_at=min(row.created or timezone.now(), timezone.now()),
        )
        ImportedRecord.objects.update_or_create(
            network=network,
            source=source.format,
            kind=ImportedRecord.Kind.LISTING,
            source_id=row.source_id,
            defaults={"object_id": listing.pk},
        )
        result.listings.new += 1
    listing_skills_refresh(listing=listing)  # what it is about, read from its words, for matching and reports


def import_apply(*, network: Network, source: Source, dry_run: bool = False) -> ImportResult:
    """Apply what `source` holds to `network` in one transaction. With errors in the source, or with
    `dry_run`, the same work is done and then rolled back: the counts say what would change."""
    result = ImportResult(dry_run=dry_run, errors=list(source.errors), notes=list(source.notes))
    try:
        with transaction.atomic():
            _, issuance = network_accounts_open(network=network)
            memberships: dict[str, Membership] = {}
            for row in source.members:
                memberships[row.source_id] = membership = _member(network, source, row, result)
                _balance(network, issuance, membership, row, result)
            for listing in source.listings:
                if listing.member_id in memberships:
                    _listing(network, source, listing, memberships[listing.member_id], result)
            changed = result.members.new + result.members.updated + result.listings.new + result.listings.updated
            if changed or result.balance_moves:
                audit_record(
                    action="network.import",
                    actor=None,
                    network=network,
                    target=network,
                    reason=f"import from {source.format}",
                    data={
                        "members_new": result.members.new,
                        "members_updated": result.members.updated,
                        "listings_new": result.listings.new,
                        "listings_updated": result.listings.updated,
                        "balance_moves": result.balance_moves,
                    },
                )
            if dry_run or result.errors:
                raise _Rollback
    except _Rollback:
        pass
    return result
