"""Every kind of notification: its words (translatable) and where it leads, in one place.

A notification is stored as a kind and its parameters (`data`); its text is rendered when it is shown or
sent, in the reader's language. Parameters are plain JSON: names as they were when it happened, minutes as
a whole number (shown as hours and minutes), times as ISO 8601 (shown in the network's time zone).
A row whose parameters do not fit its kind's words (one stored before kinds were) shows its stored text.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


@dataclass(frozen=True)
class Kind:
    words: "StrOrPromise"  # a lazy translation with %(name)s parameters
    url: Callable[[dict], str]
    # Other words for the same kind, chosen by the parameter "form".
    forms: dict[str, "StrOrPromise"] = field(default_factory=dict)

    def words_for(self, data: dict) -> "StrOrPromise":
        return self.forms.get(data.get("form", ""), self.words)


def _exchange(data: dict) -> str:
    return f"/exchanges/{data['exchange']}/" if data.get("exchange") else ""


def _listing(data: dict) -> str:
    return f"/listings/{data['listing']}/" if data.get("listing") else ""


def _conversation(data: dict) -> str:
    return f"/conversations/{data['conversation']}/" if data.get("conversation") else ""


def _statement(data: dict) -> str:
    return "/time/"


def _unmatched(data: dict) -> str:
    if data.get("form") == "offer":
        return _listing(data)
    return f"/coordinator/{data['network']}/unmatched/" if data.get("network") else _listing(data)


def _nowhere(data: dict) -> str:
    return ""


KINDS: dict[str, Kind] = {
    # Exchanges: each step tells the other party (PRODUCT §3).
    "exchange.proposed": Kind(_("%(name)s proposed an exchange of %(minutes)s: please accept or decline."), _exchange),
    "exchange.recorded": Kind(_("%(name)s recorded %(minutes)s of help: please confirm it."), _exchange),
    "exchange.accepted": Kind(_("%(name)s agreed to the exchange."), _exchange),
    "exchange.accepted_for_approval": Kind(
        _("%(name)s agreed to the exchange: a coordinator will check it first."), _exchange
    ),
    "exchange.awaiting_approval": Kind(_("An exchange is waiting for your approval."), _exchange),
    "exchange.approved": Kind(_("A coordinator approved your exchange: it can go ahead."), _exchange),
    "exchange.declined": Kind(_("%(name)s declined the exchange."), _exchange),
    "exchange.cancelled": Kind(_("%(name)s cancelled the exchange."), _exchange),
    "exchange.claimed": Kind(_("%(name)s says the help is done (%(minutes)s): please confirm it."), _exchange),
    "exchange.over_floor": Kind(
        _("Paying this would take the account below its limit, so a coordinator will sort it out."), _exchange
    ),
    "exchange.needs_coordinator": Kind(
        _("An exchange cannot be paid without going below the limit: it needs you."), _exchange
    ),
    "exchange.posted": Kind(_("Confirmed: %(payer)s paid %(earner)s %(minutes)s."), _exchange),
    "exchange.disputed": Kind(_("%(name)s does not agree with the claim: a coordinator will help."), _exchange),
    "exchange.dispute_needs_you": Kind(_("An exchange is disputed and needs you."), _exchange),
    "exchange.resolved": Kind(_("A coordinator settled the exchange: %(minutes)s."), _exchange),
    "exchange.resolved_cancelled": Kind(_("A coordinator cancelled the exchange."), _exchange),
    "exchange.scheduled": Kind(_("%(name)s set a time for your exchange (%(when)s)."), _exchange),
    "exchange.reminder_day": Kind(_("Tomorrow at %(when)s: %(description)s with %(name)s."), _exchange),
    "exchange.reminder_hour": Kind(_("In an hour, at %(when)s: %(description)s with %(name)s."), _exchange),
    "exchange.did_it_happen": Kind(
        _("Did it happen? You agreed %(minutes)s with %(name)s: say how long it took."), _exchange
    ),
    # Minutes moving outside an exchange: the member whose account moved.
    "transfer.gift": Kind(_("%(name)s gave you %(minutes)s."), _statement),
    "transfer.gift_given": Kind(_("%(name)s gave %(minutes)s of yours to %(to)s."), _statement),
    "transfer.donation": Kind(_("%(name)s gave %(minutes)s of yours to the pot."), _statement),
    "transfer.grant": Kind(_("%(name)s granted you %(minutes)s from the pot."), _statement),
    "transfer.issue": Kind(_("%(minutes)s were added to your account by %(name)s."), _statement),
    "transfer.adjustment_in": Kind(_("%(name)s corrected your account: %(minutes)s added."), _statement),
    "transfer.adjustment_out": Kind(_("%(name)s corrected your account: %(minutes)s taken off."), _statement),
    "transfer.reversal_in": Kind(_("%(name)s reversed a transfer: %(minutes)s came back to you."), _statement),
    "transfer.reversal_out": Kind(_("%(name)s reversed a transfer: %(minutes)s left your account."), _statement),
    # Listings and matching.
    "match": Kind(
        _("%(name)s offers help that fits your request “%(theirs)s”: %(title)s"),
        _listing,
        forms={
            "offer_any": _("%(name)s offers help that fits help you are looking for: %(title)s"),
            "request": _("%(name)s is asking for your offer “%(theirs)s”: %(title)s"),
            "request_any": _("%(name)s is asking for help you offer: %(title)s"),
        },
    ),
    "match.introduce": Kind(
        _("%(name)s introduces you to %(member_name)s, who could help with “%(title)s”"),
        lambda data: f"/listings/{data['listing']}/matches/" if data.get("listing") else "",
        forms={"helper": _("%(name)s introduces you to %(member_name)s, who asked for help: “%(title)s”")},
    ),
    # Coordinators, when matching can suggest nobody for a listing: requests wait on their list of
    # requests nobody has taken up yet, an offer needing a check on its own page.
    "match.none": Kind(_("Nobody fits “%(title)s” (%(name)s) yet: you may know someone who could help."), _unmatched),
    "match.needs_check": Kind(
        _("The people who could help with “%(title)s” (%(name)s) need a safeguarding check first."),
        _unmatched,
        forms={"offer": _("%(name)s offers “%(title)s”, which needs a safeguarding check before they can be matched.")},
    ),
    "listing.expiring": Kind(
        _("Your listing “%(title)s” ends on %(date)s. Renew it to keep it open."),
        _listing,
    ),
    "listing.expired": Kind(_("Your listing “%(title)s” has ended. You can post it again at any time."), _listing),
    # Chat.
    "message": Kind(_("New message from %(name)s"), _conversation),
    "message.report": Kind(
        _("A message was reported and needs a look."),
        lambda data: f"/conversations/{data['conversation']}/access/" if data.get("conversation") else "",
    ),
    # News a coordinator posts to everyone who can read it (members.announcements).
    "announcement": Kind(
        _("News from %(network_name)s: %(title)s"),
        lambda data: f"/networks/{data['network']}/announcements/" if data.get("network") else "",
    ),
    # People.
    "membership.pending": Kind(
        _("%(name)s asked to join %(network_name)s."),
        lambda data: f"/networks/{data['network']}/queue/" if data.get("network") else "",
    ),
    "membership.approved": Kind(_("Welcome! You are now a member of %(network_name)s."), lambda data: "/networks/"),
    "membership.declined": Kind(
        _("Your request to join %(network_name)s was not accepted."), lambda data: "/networks/"
    ),
    "membership.suspended": Kind(_("Your membership of %(network_name)s is suspended."), lambda data: "/networks/"),
    "membership.reinstated": Kind(_("Your membership of %(network_name)s is active again."), lambda data: "/networks/"),
    "concern.raised": Kind(_("A new concern was raised in %(network_name)s."), lambda data: "/concerns/"),
    "person.erased": Kind(
        _("%(name)s erased their account. Their balance stays in the ledger under that name."), _nowhere
    ),
    "checks.due": Kind(
        _("%(name)s’s %(check)s check runs out on %(date)s: renew it in time."),
        lambda data: f"/networks/{data['network']}/members/{data['member']}/manage/" if data.get("member") else "",
    ),
}


def minutes_text(minutes: int) -> str:
    """Hours and minutes in plain words, in the active language: "1 hour 30 minutes"."""
    minutes = int(minutes)
    hours, rest = divmod(abs(minutes), 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if rest or not hours:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", rest) % {"n": rest})
    return " ".join(parts)


def _when_text(value: str) -> str:
    moment = parse_datetime(value)
    if moment is None:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _date_text(value: str) -> str:
    try:
        return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:
        return value


class _Params(dict):
    def __missing__(self, key):
        raise KeyError(key)


def _params(data: dict) -> dict:
    """What the words need, shown in the active language."""
    params = _Params(data)
    if isinstance(data.get("minutes"), int):
        params["minutes"] = minutes_text(data["minutes"])
    if isinstance(data.get("when"), str):
        params["when"] = _when_text(data["when"])
    if isinstance(data.get("date"), str):
        params["date"] = _date_text(data["date"])
    return params


def kind_known(kind: str) -> bool:
    return kind in KINDS


def kind_url(kind: str, data: dict) -> str:
    known = KINDS.get(kind)
    return known.url(data) if known else ""


def kind_render(kind: str, data: dict, fallback: str = "") -> str:
    """The notification's words in the active language; its stored text if its parameters do not fit."""
    known = KINDS.get(kind)
    if known is None:
        return fallback
    words = str(known.words_for(data or {}))
    try:
        return words % _params(data or {})
    except (KeyError, TypeError, ValueError):
        if fallback:
            return fallback
        return words % _Gaps(_params(data or {}))


class _Gaps(dict):
    """A parameter nobody gave shows as an ellipsis, never as "%(name)s"."""

    def __missing__(self, key):
        return "…"


# Groups of kinds a person understands, for choosing which ones reach their phone by push
# (`NotificationPreference.push_off`). Every kind is in exactly one group; a kind with no words here (one
# that only has stored text) is in the group its name says, else "announcements".
PUSH_GROUPS: dict[str, "StrOrPromise"] = {
    "hours": _("Hours moving in or out of my account"),
    "exchanges": _("Each step of my exchanges"),
    "reminders": _("Reminders of help I agreed to give or get"),
    "matches": _("New matches for my offers and requests, and listings about to end"),
    "messages": _("New messages"),
    "announcements": _("News from my networks and my membership"),
    "coordinating": _("Things that need me as a coordinator"),
}

_GROUP_OF: dict[str, str] = {
    "exchange.proposed": "exchanges",
    "exchange.recorded": "exchanges",
    "exchange.accepted": "exchanges",
    "exchange.accepted_for_approval": "exchanges",
    "exchange.approved": "exchanges",
    "exchange.declined": "exchanges",
    "exchange.cancelled": "exchanges",
    "exchange.claimed": "exchanges",
    "exchange.over_floor": "exchanges",
    "exchange.disputed": "exchanges",
    "exchange.resolved_cancelled": "exchanges",
    "exchange.scheduled": "exchanges",
    "exchange.posted": "hours",
    "exchange.resolved": "hours",
    "activity.recorded": "hours",
    "transfer.gift": "hours",
    "transfer.gift_given": "hours",
    "transfer.donation": "hours",
    "transfer.grant": "hours",
    "transfer.issue": "hours",
    "transfer.adjustment_in": "hours",
    "transfer.adjustment_out": "hours",
    "transfer.reversal_in": "hours",
    "transfer.reversal_out": "hours",
    "exchange.reminder_day": "reminders",
    "exchange.reminder_hour": "reminders",
    "exchange.did_it_happen": "reminders",
    "match": "matches",
    "match.introduce": "matches",
    "listing.expiring": "matches",
    "listing.expired": "matches",
    "message": "messages",
    "announcement": "announcements",
    "membership.approved": "announcements",
    "membership.declined": "announcements",
    "membership.suspended": "announcements",
    "membership.reinstated": "announcements",
    "person.erased": "announcements",
    "exchange.awaiting_approval": "coordinating",
    "exchange.needs_coordinator": "coordinating",
    "exchange.dispute_needs_you": "coordinating",
    "message.report": "coordinating",
    "membership.pending": "coordinating",
    "concern.raised": "coordinating",
    "checks.due": "coordinating",
    "match.none": "coordinating",
    "match.needs_check": "coordinating",
}


def kind_group(kind: str) -> str:
    """The one push group `kind` belongs to (tests/notifications/test_push_groups.py checks every kind has one)."""
    return _GROUP_OF.get(kind, "announcements")
