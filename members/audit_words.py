"""The audit trail in a coordinator's words: what each action was, what it was done to, and its details
(accounts by whose they are, minutes as hours and minutes). The stored events keep their codes; these are
only how the page shows them, in the reader's language. A code with no words here shows as stored."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import AuditEvent, Membership, Network
from timebank.durations import duration_text

ACTIONS = {
    "account.open": gettext_lazy("Account opened"),
    "account.floor": gettext_lazy("Account limit changed"),
    "account.settle_pending": gettext_lazy("Account of a member who left settled"),
    "announcement.post": gettext_lazy("News posted"),
    "check.create": gettext_lazy("Safeguarding check recorded"),
    "check.update": gettext_lazy("Safeguarding check changed"),
    "check.delete": gettext_lazy("Safeguarding check removed"),
    "concern.raise": gettext_lazy("Concern raised"),
    "concern.close": gettext_lazy("Concern closed"),
    "conversation.access": gettext_lazy("Messages opened by a coordinator"),
    "exchange.propose": gettext_lazy("Exchange proposed"),
    "exchange.accept": gettext_lazy("Exchange accepted"),
    "exchange.decline": gettext_lazy("Exchange declined"),
    "exchange.approve": gettext_lazy("Exchange approved"),
    "exchange.cancel": gettext_lazy("Exchange cancelled"),
    "exchange.complete": gettext_lazy("Help said to be done"),
    "exchange.record": gettext_lazy("Help recorded"),
    "exchange.confirm": gettext_lazy("Exchange confirmed"),
    "exchange.dispute": gettext_lazy("Exchange disputed"),
    "exchange.resolve": gettext_lazy("Dispute settled"),
    "exchange.autoconfirm": gettext_lazy("Exchange confirmed automatically"),
    "exchange.needs_coordinator": gettext_lazy("Exchange passed to a coordinator"),
    "exchange.schedule": gettext_lazy("Time set for an exchange"),
    "exchange.activity": gettext_lazy("Group activity recorded"),
    "hold.place": gettext_lazy("Time held for an exchange"),
    "hold.release": gettext_lazy("Held time released"),
    "listing.create": gettext_lazy("Listing posted"),
    "listing.update": gettext_lazy("Listing changed"),
    "listing.renew": gettext_lazy("Listing renewed"),
    "listing.expire": gettext_lazy("Listing ended"),
    "listing.met": gettext_lazy("Request met"),
    "match.introduce": gettext_lazy("Members introduced"),
    "membership.join": gettext_lazy("Asked to join"),
    "membership.approve": gettext_lazy("Member approved"),
    "membership.decline": gettext_lazy("Request to join declined"),
    "membership.suspend": gettext_lazy("Member suspended"),
    "membership.reinstate": gettext_lazy("Member reinstated"),
    "membership.leave": gettext_lazy("Member left"),
    "membership.role_change": gettext_lazy("Role changed"),
    "membership.register_supported": gettext_lazy("Supported member registered"),
    "message.report": gettext_lazy("Message reported"),
    "network.create": gettext_lazy("Network created"),
    "network.import": gettext_lazy("Network imported"),
    "network.neighbourhoods": gettext_lazy("Neighbourhoods grouped"),
    "network.settings": gettext_lazy("Network settings changed"),
    "notification.read": gettext_lazy("Notifications read for a member"),
    "person.erase": gettext_lazy("Personal data erased"),
    "profile.update": gettext_lazy("Profile changed"),
    "support.link": gettext_lazy("Supporter linked to a member"),
    "support.unlink": gettext_lazy("Supporter unlinked from a member"),
    "transfer.exchange": gettext_lazy("Hours paid for an exchange"),
    "transfer.gift": gettext_lazy("Hours given"),
    "transfer.donation": gettext_lazy("Hours given to the pot"),
    "transfer.grant": gettext_lazy("Hours granted from the pot"),
    "transfer.issue": gettext_lazy("New hours issued"),
    "transfer.adjustment": gettext_lazy("Accounts adjusted"),
    "transfer.reversal": gettext_lazy("Transfer reversed"),
}

TARGETS = {
    "account": gettext_lazy("Account"),
    "announcement": gettext_lazy("News"),
    "concern": gettext_lazy("Concern"),
    "conversation": gettext_lazy("Conversation"),
    "exchange": gettext_lazy("Exchange"),
    "hold": gettext_lazy("Hold"),
    "listing": gettext_lazy("Listing"),
    "membership": gettext_lazy("Membership"),
    "message": gettext_lazy("Message"),
    "network": gettext_lazy("Network"),
    "safeguardingcheck": gettext_lazy("Safeguarding check"),
    "supportlink": gettext_lazy("Support link"),
    "transfer": gettext_lazy("Transfer"),
}

# Kinds of event by the first part of their code, for the trail's filter.
GROUPS = {
    **TARGETS,
    "check": gettext_lazy("Safeguarding check"),
    "support": gettext_lazy("Support link"),
    "person": gettext_lazy("Erasure"),
    "profile": gettext_lazy("Profile"),
    "notification": gettext_lazy("Notification"),
    "match": gettext_lazy("Introduction"),
}


def kind_choices(kinds: list[str]) -> list[tuple[str, str]]:
    """The filter's choices: each group of kinds ("Exchange: every kind"), then each kind in words."""
    groups = sorted({kind.split(".")[0] for kind in kinds})
    every = [(g, _("%(what)s: every kind") % {"what": GROUPS.get(g, g)}) for g in groups]
    return every + [(k, str(ACTIONS.get(k, k))) for k in kinds if k not in groups]


DETAILS = {
    "from": gettext_lazy("From"),
    "to": gettext_lazy("To"),
    "minutes": gettext_lazy("Time"),
    "account": gettext_lazy("Account"),
    "exchange": gettext_lazy("Exchange"),
    "state": gettext_lazy("Now"),
    "kind": gettext_lazy("Kind"),
    "before": gettext_lazy("Before"),
    "after": gettext_lazy("After"),
    "fields": gettext_lazy("Changed"),
    "activity": gettext_lazy("Activity"),
}

STATES = {
    "proposed": gettext_lazy("proposed"),
    "awaiting_approval": gettext_lazy("waiting for a coordinator"),
    "accepted": gettext_lazy("accepted"),
    "declined": gettext_lazy("declined"),
    "cancelled": gettext_lazy("cancelled"),
    "claimed": gettext_lazy("waiting for confirmation"),
    "disputed": gettext_lazy("disputed"),
    "posted": gettext_lazy("confirmed and paid"),
}

ACCOUNT_KEYS = ("from", "to", "account")


def _account_names(network: Network, ids: set[int]) -> dict[int, str]:
    """Whose each account is. Read through the network's reverse relation to its accounts (the ledger sits
    above this layer), so no ledger module is imported here."""
    rows = network.accounts.filter(pk__in=ids).values_list("pk", "kind", "membership_id")  # type: ignore[attr-defined]
    people = {
        m.pk: m.user.name
        for m in Membership.objects.filter(pk__in=[m for _pk, _kind, m in rows if m]).select_related("user")
    }
    names = {}
    for pk, kind, membership_id in rows:
        if kind == "pot":
            names[pk] = _("the network's pot")
        elif kind == "issuance":
            names[pk] = _("new hours (issuance)")
        else:
            names[pk] = _("%(name)s’s account") % {"name": people.get(membership_id, "…")}
    return names


def _detail(key: str, value, accounts: dict[int, str]) -> str:
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{_detail(key, value['from'], accounts)} → {_detail(key, value['to'], accounts)}"
    if key in ACCOUNT_KEYS and isinstance(value, int):
        return accounts.get(value, str(value))
    if (key == "minutes" or key.endswith("_minutes")) and isinstance(value, int) and not isinstance(value, bool):
        return duration_text(value)
    if key == "state" and isinstance(value, str):
        return str(STATES.get(value, value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def audit_events_worded(events: QuerySet[AuditEvent] | list[AuditEvent], *, network: Network) -> None:
    """Give each event its words: `action_words`, `target_words` and `lines` [(label, text)]."""
    # Attributes for the page only, set on rows it already holds.
    events = list(events)
    ids = {
        value
        for event in events
        for key, value in (event.data or {}).items()
        if key in ACCOUNT_KEYS and isinstance(value, int)
    }
    ids |= {e.target_id for e in events if e.target_type == "account" and e.target_id}
    accounts = _account_names(network, ids) if ids else {}
    member_ids = {e.target_id for e in events if e.target_type == "membership" and e.target_id}
    members = {m.pk: m.user.name for m in Membership.objects.filter(pk__in=member_ids).select_related("user")}
    for event in events:
        event.action_words = str(ACTIONS.get(event.action, event.action))
        if event.target_type == "account" and event.target_id in accounts:
            event.target_words = accounts[event.target_id]
        elif event.target_type == "membership" and event.target_id in members:
            event.target_words = _("%(name)s’s membership") % {"name": members[event.target_id]}
        elif event.target_type:
            what = TARGETS.get(event.target_type, event.target_type)
            event.target_words = _("%(what)s no. %(id)s") % {"what": what, "id": event.target_id}
        else:
            event.target_words = ""
        event.lines = [
            (str(DETAILS.get(key, key.replace("_", " "))), _detail(key, value, accounts))
            for key, value in (event.data or {}).items()
        ]
