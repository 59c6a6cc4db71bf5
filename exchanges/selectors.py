"""Reads about listings and exchanges, already scoped to what the caller may see."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.lifecycle.common import (
    PROVIDER,
    RECIPIENT,
    coordinator_answers_for,
    held_because,
    pot_party,
    supported_party,
    transitions_possible,
)
from exchanges.models import Exchange, Listing
from members.acting import ActingScope, support_links
from members.models import AuditEvent, Membership, Network, User
from members.selectors import (
    TRADING_ROLES,
    is_coordinator,
    networks_of,
    networks_where_trading,
    skill_labels_translated,
    skills_named_in,
)
from timebank.errors import NotFound

State = Exchange.State


# Listings -----------------------------------------------------------------------------------


def listings_visible(*, user: User, network: str | None = None) -> QuerySet[Listing]:
    """Listings of the caller's networks (404 for a network slug outside them)."""
    return (
        Listing.objects.filter(network__in=networks_where_trading(user=user, network=network))
        .select_related("network", "owner")
        .prefetch_related("skills")
    )


# The longest words a listing search reads (the page's form and the API's filter both say so).
LISTING_SEARCH_MAX_LENGTH = 500


def listings_browse(
    *,
    user: User,
    network: str | None = None,
    kind: str | None = None,
    category: str | None = None,
    skill: str | None = None,
    q: str | None = None,
    status: str | None = Listing.Status.OPEN,
    owner: User | None = None,
) -> QuerySet[Listing]:
    """Browse and search: open, unexpired listings by default; every word of `q` must appear somewhere."""
    qs = listings_visible(user=user, network=network)
    if status:
        qs = qs.filter(status=status)
    if status == Listing.Status.OPEN:
        # Expired listings count as closed even before `autoconfirm` gets round to closing them.
        qs = qs.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate()))
    if kind:
        qs = qs.filter(kind=kind)
    if owner is not None:
        qs = qs.filter(owner=owner)
    if category:
        qs = qs.filter(skills__category__slug=category)
    if skill:
        qs = qs.filter(skills__slug=skill)
    words = (q or "").split()[:8]
    labels = skill_labels_translated() if words else []
    for word in words:
        # Skills by their English names, and by their names in the reader's language ("garddio", "ardd").
        by_label = [skill.pk for skill in skills_named_in(word, labels=labels)]
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(skills__name__icontains=word)
            | Q(skills__category__name__icontains=word)
            | Q(skills__in=by_label)
        )
    # The skill joins can repeat a listing; keep each once without DISTINCT on the whole row.
    return qs.filter(pk__in=qs.values("pk")) if (category or skill or q) else qs


def listing_get(*, user: User, pk: int) -> Listing:
    listing = listings_visible(user=user).filter(pk=pk).first()
    if listing is None:
        raise NotFound(_("No such listing."))
    return listing


# Exchanges ----------------------------------------------------------------------------------


def exchanges_visible(*, user: User, network: str | None = None) -> QuerySet[Exchange]:
    """Your own exchanges, those of the members you support, and (coordinators) your networks' all."""
    networks = networks_where_trading(user=user, network=network)
    coordinated = networks_of(user=user, roles=[Membership.Role.COORDINATOR])
    # A support link counts only in its own network.
    supported = support_links().filter(supporter__user=user, network=OuterRef("network"))
    return (
        Exchange.objects.filter(network__in=networks)
        .filter(
            Q(network__in=coordinated)
            | Q(provider=user)
            | Q(recipient=user)
            | Exists(supported.filter(member__user=OuterRef("provider")))
            | Exists(supported.filter(member__user=OuterRef("recipient")))
        )
        .select_related("network", "provider", "recipient", "listing")
    )


def exchanges_list_also(*, user: User) -> dict[str, list[str]]:
    """Whose exchanges the list holds besides the caller's own, as `exchanges_visible` reaches them, so the
    page can say so: the members they support ("supported") and the networks they coordinate ("coordinated")."""
    coordinated = networks_of(user=user, roles=[Membership.Role.COORDINATOR])
    links = support_links().filter(supporter__user=user).exclude(network__in=coordinated)
    supported = {link.member.user.name for link in links.select_related("member__user")}
    return {
        "supported": sorted(supported, key=str.casefold),
        "coordinated": sorted((str(n.name) for n in coordinated), key=str.casefold),
    }


def exchanges_list(*, user: User, network: str | None = None, state: str | None = None) -> QuerySet[Exchange]:
    """The exchanges list, page and API alike (PRODUCT §4), newest first: what `exchanges_visible` lets
    the caller see, a coordinator's whole network included, optionally narrowed by network and state."""
    qs = exchanges_visible(user=user, network=network)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def exchange_get(*, user: User, pk: int) -> Exchange:
    exchange = exchanges_visible(user=user).filter(pk=pk).first()
    if exchange is None:
        raise NotFound(_("No such exchange."))
    return exchange


def exchange_actions(*, user: User, exchange: Exchange, context: ActingScope | None = None) -> list[str]:
    """What the caller can do with this exchange now, in the words of the API: the steps the services'
    own guard (exchanges.lifecycle.common.TRANSITIONS) would let through."""
    return transitions_possible(actor=user, exchange=exchange, context=context)


def exchange_story(*, exchange: Exchange) -> list[AuditEvent]:
    """The steps of an exchange people need to read on it: why it was disputed and what the coordinator
    decided, with their reasons, oldest first (the audit trail is their one record)."""
    return list(
        AuditEvent.objects.filter(
            target_type="exchange", target_id=exchange.pk, action__in=["exchange.dispute", "exchange.resolve"]
        )
        .select_related("actor", "on_behalf_of")
        .order_by("created_at", "pk")
    )


def exchange_side_of(*, user: User, exchange: Exchange) -> str:
    """ "provider", "recipient" or "" — how the page talks to the caller."""
    if exchange.provider_id == user.pk:
        return PROVIDER
    if exchange.recipient_id == user.pk:
        return RECIPIENT
    return ""


def coordinator_queue(*, user: User, network: Network) -> dict[str, QuerySet[Exchange]]:
    """What needs a coordinator: approvals, disputes, claims with a supported member or the pot, payments
    over a limit."""
    if not is_coordinator(user=user, network=network):
        return {}
    qs = Exchange.objects.filter(network=network).select_related("network", "provider", "recipient", "listing")
    return {
        "approvals": qs.filter(state=State.AWAITING_APPROVAL).order_by("created_at"),
        "disputes": qs.filter(state=State.DISPUTED).order_by("updated_at"),
        "over_floor": qs.filter(state=State.CLAIMED, needs_coordinator=True).order_by("claimed_at"),
        "supported_claims": qs.filter(supported_party(), state=State.CLAIMED, needs_coordinator=False).order_by(
            "claimed_at"
        ),
        # The pot never confirms by itself: these wait for a coordinator to confirm or dispute for it.
        "pot_claims": qs.filter(pot_party(), state=State.CLAIMED, needs_coordinator=False).order_by("claimed_at"),
    }


def exchange_autoconfirms(exchange: Exchange) -> bool:
    """Whether a claim left unanswered confirms itself after the network's delay; never with the pot or a
    supported member: a coordinator answers those (PRODUCT §3)."""
    return not exchange.needs_coordinator and not coordinator_answers_for(exchange)


def exchange_held_because(exchange: Exchange) -> str | None:
    """Why an exchange waiting for approval is held, in words (the approval card, the API's `held_because`)."""
    if exchange.state != State.AWAITING_APPROVAL:
        return None
    return held_because(exchange)


def active_member_names(*, network: Network) -> list[tuple[int, str]]:
    """Active members who can give or receive time, as (user id, name), by name: a register's choices."""
    rows = (
        Membership.objects.filter(network=network, status=Membership.Status.ACTIVE, account__isnull=False)
        .select_related("user")
        .order_by("user__display_name", "user_id")
    )
    return sorted(((m.user_id, m.user.name) for m in rows), key=lambda row: (row[1].casefold(), row[0]))


@dataclass(frozen=True)
class MaybeIsolated:
    """An active member and how long since they last gave or received help (None: never)."""

    membership: Membership
    last_exchange_on: datetime.date | None
    days_since_last_exchange: int | None


def isolation_list(*, network: Network, today: datetime.date | None = None) -> list[MaybeIsolated]:
    """Active members of the network who trade, longest since their last confirmed exchange first; those
    who never had one come first of all. Who may be isolated, for a coordinator to get in touch with."""
    today = today or timezone.localdate()
    posted = Exchange.objects.filter(network=network, state=State.POSTED)
    last_given = posted.filter(provider=OuterRef("user")).order_by("-posted_at").values("posted_at")[:1]
    last_received = posted.filter(recipient=OuterRef("user")).order_by("-posted_at").values("posted_at")[:1]
    rows = (
        Membership.objects.filter(network=network, status=Membership.Status.ACTIVE, role__in=TRADING_ROLES)
        .select_related("user")
        .annotate(last_given=Subquery(last_given), last_received=Subquery(last_received))
    )
    out = []
    for m in rows:
        moments = [t for t in (m.last_given, m.last_received) if t is not None]
        last = timezone.localdate(max(moments)) if moments else None
        out.append(MaybeIsolated(m, last, (today - last).days if last else None))
    # Never first, then the longest gap; by name within the same.
    out.sort(
        key=lambda r: (
            r.days_since_last_exchange is not None,
            -(r.days_since_last_exchange or 0),
            r.membership.user.name.casefold(),
        )
    )
    return out


def exchange_dispute_reason(exchange: Exchange) -> str:
    """The disputing side's words, as the dispute step recorded them ("" when none was given)."""
    said = AuditEvent.objects.filter(target_type="exchange", target_id=exchange.pk, action="exchange.dispute")
    return said.order_by("-created_at", "-id").values_list("reason", flat=True).first() or ""
