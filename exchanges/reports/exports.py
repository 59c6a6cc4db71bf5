"""Coordinators' CSV exports of their own network: members, listings, exchanges, transfers."""

import csv
from collections.abc import Iterator

from exchanges.ledger.models import Account, Transfer
from exchanges.models import Exchange, Listing
from members.models import Membership, Network


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value) -> str:
    # Spreadsheet programs run cells starting with these as formulas: members wrote this text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not text.lstrip("-").isdigit() else text


def _owner(account: Account) -> str:
    if account.kind != Account.Kind.MEMBER:
        return account.kind
    return str(account.membership.user_id)


def _members(network: Network):
    yield ["id", "display_name", "email", "role", "status", "approved_at", "left_at", "balance_minutes"]
    for m in Membership.objects.filter(network=network).select_related("user", "account").order_by("pk"):
        account = getattr(m, "account", None)
        yield [
            m.user_id,
            m.user.display_name,
            m.user.email or "",
            m.role,
            m.status,
            m.approved_at,
            m.left_at,
            account.balance if account else "",
        ]


def _listings(network: Network):
    yield ["id", "kind", "title", "owner", "status", "minutes_estimate", "skills", "created_at"]
    for item in (
        Listing.objects.filter(network=network).prefetch_related("skills").order_by("pk").iterator(chunk_size=500)
    ):
        skills = " ".join(s.slug for s in item.skills.all())
        yield [
            item.pk,
            item.kind,
            item.title,
            item.owner_id,
            item.status,
            item.minutes_estimate,
            skills,
            item.created_at,
        ]


def _exchanges(network: Network):
    yield ["id", "listing", "provider", "recipient", "minutes", "state", "created_at", "posted_at"]
    for e in Exchange.objects.filter(network=network).order_by("pk").iterator(chunk_size=2000):
        yield [
            e.pk,
            e.listing_id or "",
            e.provider_id or "pot",
            e.recipient_id or "pot",
            e.minutes,
            e.state,
            e.created_at,
            e.posted_at,
        ]


def _transfers(network: Network):
    yield ["id", "created_at", "kind", "minutes", "from", "to", "exchange", "reverses", "memo", "reason", "created_by"]
    rows = (
        Transfer.objects.filter(network=network)
        .select_related("from_account__membership", "to_account__membership")
        .order_by("pk")
        .iterator(chunk_size=2000)
    )
    for t in rows:
        yield [
            t.pk,
            t.created_at,
            t.kind,
            t.minutes,
            _owner(t.from_account),
            _owner(t.to_account),
            t.exchange_id or "",
            t.reverses_id or "",
            t.memo,
            t.reason,
            t.created_by_id or "",
        ]


EXPORTS = {"members": _members, "listings": _listings, "exchanges": _exchanges, "transfers": _transfers}


def export_csv_lines(*, network: Network, what: str) -> Iterator[str]:
    """CSV lines, streamed: a network's transfers may not fit in memory at once."""
    writer = csv.writer(_Echo())
    for row in EXPORTS[what](network):
        yield writer.writerow([_safe(v) for v in row])
