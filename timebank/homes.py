"""What each person's home shows, read once per page with a fixed number of queries (no query per row).

A door-level reader: it gathers from the selectors of the lower layers (accounts, exchanges, conversations,
notifications, support links) and decides nothing itself: which exchange steps are open comes from the
exchange state machine (`exchange_actions`), who acts with whom from `members.acting`."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from exchanges.models import Exchange
from exchanges.onboarding import WAITING, next_step
from exchanges.reports.wellbeing import wellbeing_due
from exchanges.selectors import exchange_actions, exchanges_visible
from members.acting import acting_scope, support_links
from members.models import Membership, User
from messaging.notifications.models import Notification
from messaging.notifications.selectors import notifications_of
from messaging.selectors import conversations_of

# The steps that mean "this waits for you": a proposal to answer, a claim to confirm (or dispute).
WAITING_STEPS = ("accept", "confirm")
SHOWN = 5


@dataclass
class Waiting:
    exchange: Exchange
    step: str  # "accept" or "confirm"
    who: User | None  # the supported member it waits for; None when it is the reader's own


@dataclass
class Supported:
    membership: Membership
    waiting: list[Waiting] = field(default_factory=list)
    unread_notifications: int = 0


def _has_account(membership: Membership) -> bool:
    # A reverse one-to-one raises rather than answering None when there is no account.
    return getattr(membership, "account", None) is not None


def _waiting(*, user: User, people: set[int], network_ids: list[int]) -> list[Waiting]:
    """Exchanges of `people` that wait on a step the reader may take now, newest first."""
    if not people:
        return []
    candidates = list(
        exchanges_visible(user=user)
        .filter(Q(provider_id__in=people) | Q(recipient_id__in=people))
        .filter(state__in=[Exchange.State.PROPOSED, Exchange.State.CLAIMED])
        .order_by("-updated_at")[:50]
    )
    scope = acting_scope(actor=user, network_ids=network_ids)
    found = []
    for exchange in candidates:
        actions = exchange_actions(user=user, exchange=exchange, context=scope)
        step = next((s for s in WAITING_STEPS if s in actions), None)
        if step is None:
            continue
        who = next(
            (
                p
                for p in (exchange.provider, exchange.recipient)
                if p is not None and p.pk in people and p.pk != user.pk
            ),
            None,
        )
        found.append(Waiting(exchange=exchange, step=step, who=who))
    return found


def home_of(*, user: User) -> dict:
    memberships = list(
        Membership.objects.filter(user=user).select_related("network", "account").order_by("network__name")
    )
    active = [m for m in memberships if m.status == Membership.Status.ACTIVE]
    network_ids = [m.network_id for m in active]
    # The optional check-in, offered on joining and every three months.
    wellbeing = [m for m in active if _has_account(m) and wellbeing_due(user=user, network=m.network)]
    links = list(
        support_links()
        .filter(supporter__user=user, supporter__status=Membership.Status.ACTIVE)
        .select_related("member__user", "member__network", "member__account")
        .order_by("member__user__display_name")
    )
    supported = {link.member.user_id: Supported(membership=link.member) for link in links}
    trading = any(_has_account(m) for m in active)
    waiting = _waiting(user=user, people=({user.pk} if trading else set()) | set(supported), network_ids=network_ids)
    for item in waiting:
        if item.who is not None and item.who.pk in supported:
            supported[item.who.pk].waiting.append(item)
    if supported:
        counts = (
            Notification.objects.filter(user_id__in=list(supported), read_at__isnull=True)
            .values("user_id")
            .annotate(n=Count("id"))
        )
        for row in counts:
            supported[row["user_id"]].unread_notifications = row["n"]
    return {
        "memberships": memberships,
        "accounts": [m for m in active if _has_account(m)],
        "pending": _pending_not_in_next_step(user, memberships),
        "coordinating": [m for m in active if m.role == Membership.Role.COORDINATOR],
        "commissioning": [m for m in active if m.role == Membership.Role.COMMISSIONER],
        "waiting": [w for w in waiting if w.who is None][:SHOWN],
        "supported": list(supported.values()),
        "wellbeing": wellbeing,
        "replies": list(conversations_of(user=user, unread_only=True)[:SHOWN]) if active else [],
        "news": list(notifications_of(user=user, unread=True)[:SHOWN]),
    }


def _pending_not_in_next_step(user: User, memberships) -> list[Membership]:
    """Networks asked to join and not yet in, but the one the next step already speaks of."""
    step = next_step(user=user)
    waiting_for = step.network.pk if step is not None and step.kind == WAITING and step.network else None
    return [m for m in memberships if m.status == Membership.Status.PENDING and m.network_id != waiting_for]
