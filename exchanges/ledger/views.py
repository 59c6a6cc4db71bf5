"""Ledger pages: your time (balance, statement, give or donate) and the coordinator's ledger desk.
Form posts, no JavaScript; every write goes through the same services as the API."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from exchanges.ledger.models import Account, Transfer
from exchanges.ledger.moves import transfer_request
from exchanges.ledger.selectors import account_name, accounts_visible, transfer_description, transfers_visible
from exchanges.ledger.services import account_floor_set, account_settle
from exchanges.limits import MAX_TRANSFER_MINUTES
from members.audit import REASON_MAX
from members.models import Membership
from members.selectors import network_in_reach, require_coordinator
from timebank.pages import page, refusal_shown

MINUTES_HELP = _l("60 minutes = 1 hour")


class GiveForm(forms.Form):
    kind = forms.ChoiceField(
        label=_l("Give to"), choices=[("gift", _l("A member")), ("donation", _l("The network's pot"))]
    )
    to_member = forms.TypedChoiceField(label=_l("Member"), coerce=int, required=False)
    minutes = forms.IntegerField(
        label=_l("Minutes"), min_value=1, max_value=MAX_TRANSFER_MINUTES, help_text=MINUTES_HELP
    )
    memo = forms.CharField(label=_l("What for (optional)"), max_length=200, required=False)
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_member"].choices = [("", _("Choose a member"))] + list(members)


class CoordinatorForm(forms.Form):
    ACTIONS = [
        ("grant", _l("Grant from the pot")),
        ("issue", _l("Issue new hours")),
        ("adjustment", _l("Adjust between accounts")),
        ("reversal", _l("Reverse a transfer")),
        ("floor", _l("Change a member's floor")),
        ("settle", _l("Settle the account of a member who left")),
    ]
    action = forms.ChoiceField(label=_l("What to do"), choices=ACTIONS)
    from_party = forms.ChoiceField(label=_l("From"), required=False)
    to_party = forms.ChoiceField(label=_l("To"), required=False)
    minutes = forms.IntegerField(label=_l("Minutes"), min_value=1, max_value=MAX_TRANSFER_MINUTES, required=False)
    transfer = forms.IntegerField(label=_l("Transfer number (to reverse)"), min_value=1, required=False)
    floor_minutes = forms.IntegerField(label=_l("New floor in minutes"), max_value=0, required=False)
    settle_from = forms.ChoiceField(
        label=_l("Settle a debt from"),
        choices=[("issuance", _l("Write it off (issuance)")), ("pot", _l("The pot"))],
        required=False,
    )
    # Required for every money action but settling; the services say so (members.audit.reason_clean).
    reason = forms.CharField(label=_l("Reason"), max_length=REASON_MAX, required=False)
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_party"].choices = [("", "—")] + list(parties)
        self.fields["to_party"].choices = [("", "—")] + list(parties)


def _member_choices(network, exclude_user=None):
    memberships = (
        Membership.objects.filter(network=network, status=Membership.Status.ACTIVE, account__isnull=False)
        .exclude(user=exclude_user)
        .select_related("user")
        .order_by("user__display_name")
    )
    return [(m.user_id, m.user.name) for m in memberships]


@page
def my_time(request):
    accounts = list(accounts_visible(user=request.user).filter(membership__user=request.user, kind=Account.Kind.MEMBER))
    sections = [
        {
            "account": account,
            "form": GiveForm(
                members=_member_choices(account.network, exclude_user=request.user), initial={"key": uuid.uuid4().hex}
            ),
        }
        for account in accounts
    ]
    statement = [
        (t, transfer_description(t), account_name(t.from_account), account_name(t.to_account))
        for t in (transfers_visible(user=request.user, member_id=request.user.pk)[:100] if accounts else [])
    ]
    return render(request, "exchanges/ledger/my_time.html", {"sections": sections, "statement": statement})


@page
@require_POST
def give(request, slug):
    network = network_in_reach(user=request.user, slug=slug)
    form = GiveForm(request.POST, members=_member_choices(network, exclude_user=request.user))
    if not form.is_valid():
        messages.error(request, _("Please check the form: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("ledger-my-time")
    data = form.cleaned_data
    if _already_recorded(request, data["key"]):
        return redirect("ledger-my-time")
    try:
        with refusal_shown(request):
            transfer_request(
                actor=request.user,
                network=network,
                kind=data["kind"],
                to_member=data["to_member"],
                minutes=data["minutes"],
                memo=data["memo"],
                idempotency_key=f"page-{data['key']}",
            )
            messages.success(request, _("Thank you: %(minutes)s minutes given.") % {"minutes": data["minutes"]})
    except IntegrityError:
        messages.info(request, _("That was already recorded."))
    return redirect("ledger-my-time")


@page
def coordinate(request, slug):
    network = network_in_reach(user=request.user, slug=slug)
    require_coordinator(user=request.user, network=network)
    accounts = list(Account.objects.filter(network=network).select_related("membership__user").order_by("kind", "pk"))
    left = [
        (a.membership.user_id, _("%(name)s (left)") % {"name": account_name(a)})
        for a in accounts
        if a.membership and a.membership.status == Membership.Status.LEFT
    ]
    parties = [("pot", _("The pot"))] + _member_choices(network) + left
    if request.method == "POST":
        form = CoordinatorForm(request.POST, parties=parties)
        if form.is_valid():
            _coordinate(request, network, form.cleaned_data, accounts)
        else:
            messages.error(request, _("Please check the form: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("ledger-coordinate", slug=slug)
    rows = [(a, account_name(a)) for a in accounts]
    statement = [
        (t, transfer_description(t), account_name(t.from_account), account_name(t.to_account))
        for t in transfers_visible(user=request.user, network_slug=slug)[:100]
    ]
    form = CoordinatorForm(parties=parties, initial={"key": uuid.uuid4().hex})
    context = {"network": network, "rows": rows, "statement": statement, "form": form}
    return render(request, "exchanges/ledger/coordinate.html", context)


def _party(value: str):
    return value if value in ("", "pot") else int(value)


def _already_recorded(request, key: str) -> bool:
    """A form sent twice (a double tap, a reload) is recorded once; the key's unique constraint backs this up."""
    if Transfer.objects.filter(created_by=request.user, idempotency_key=f"page-{key}").exists():
        messages.info(request, _("That was already recorded."))
        return True
    return False


def _coordinate(request, network, data, accounts) -> None:
    if _already_recorded(request, data["key"]):
        return
    try:
        with refusal_shown(request):
            _coordinator_move(request, network, data, accounts)
            messages.success(request, _("Done, with your reason recorded."))
    except IntegrityError:
        messages.info(request, _("That was already recorded."))


def _coordinator_move(request, network, data, accounts) -> None:
    action, reason = data["action"], data["reason"]
    if action == "floor":
        account = next((a for a in accounts if a.membership and a.membership.user_id == _party(data["to_party"])), None)
        if account is None:
            raise ValidationError(_("Choose the member in “To”."))
        account_floor_set(account=account, actor=request.user, floor_minutes=data["floor_minutes"], reason=reason)
    elif action == "settle":
        membership = Membership.objects.filter(
            network=network, user_id=_party(data["from_party"]) or None, status=Membership.Status.LEFT
        ).first()
        if membership is None:
            raise ValidationError(_("Choose a member who has left in “From”."))
        account_settle(
            membership=membership, actor=request.user, reason=reason, settle_from=data["settle_from"] or "issuance"
        )
    else:
        transfer_request(
            actor=request.user,
            network=network,
            kind=action,
            minutes=data["minutes"],
            from_member=_party(data["from_party"]) or None,
            to_member=_party(data["to_party"]) or None,
            transfer=data["transfer"],
            reason=reason,
            idempotency_key=f"page-{data['key']}",
        )
