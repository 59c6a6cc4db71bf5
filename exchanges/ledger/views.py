"""Ledger pages: your time (balance, statement, give or donate) and the coordinator's ledger desk.
Form posts, no JavaScript; every write goes through the same services as the API."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exchanges.ledger.models import Account, Transfer
from exchanges.ledger.moves import transfer_request
from exchanges.ledger.selectors import (
    account_name,
    accounts_visible,
    statement_lines,
    transfer_description,
    transfers_visible,
)
from exchanges.ledger.services import account_floor_set, account_settle
from exchanges.limits import MAX_TRANSFER_MINUTES
from members.audit import REASON_MAX
from members.models import Membership
from members.selectors import network_in_reach, require_coordinator
from timebank.durations import duration_text
from timebank.errors import Forbidden
from timebank.ids import is_id
from timebank.pages import page, refusal_shown


class GiveForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Give to"),
        choices=[("gift", gettext_lazy("A member")), ("donation", gettext_lazy("The network's pot"))],
        widget=forms.RadioSelect,
        initial="gift",
    )
    to_member = forms.TypedChoiceField(
        label=gettext_lazy("Which member?"), coerce=int, required=False, empty_value=None
    )
    # No top of its own: the whole (hours and minutes) is checked against what can be given, in clean().
    hours = forms.IntegerField(label=gettext_lazy("Hours"), min_value=0, initial=1, required=False)
    # A choice of quarters on the page; any whole number of minutes from a form that sends one.
    minutes = forms.IntegerField(
        label=gettext_lazy("and minutes"),
        min_value=0,
        max_value=MAX_TRANSFER_MINUTES,
        initial=0,
        required=False,
        widget=forms.Select(choices=[(m, str(m)) for m in (0, 15, 30, 45)]),
    )
    memo = forms.CharField(label=gettext_lazy("What for (optional)"), max_length=200, required=False)
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, members=(), can_give: int = MAX_TRANSFER_MINUTES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_member"].choices = [("", _("Choose a member"))] + list(members)
        # What the giver's account can give now (Account.can_give), to say so past the largest transfer.
        self.can_give = max(0, min(can_give, MAX_TRANSFER_MINUTES))

    def clean(self):
        data = super().clean()
        data["hours"], data["minutes"] = data.get("hours") or 0, data.get("minutes") or 0
        total = data["hours"] * 60 + data["minutes"]
        if not self.errors and total < 1:
            raise forms.ValidationError(_("Give at least 1 minute."))
        if not self.errors and total > MAX_TRANSFER_MINUTES:
            raise forms.ValidationError(_("You can give up to %(can)s.") % {"can": duration_text(self.can_give)})
        if data.get("kind") == "gift" and not data.get("to_member"):
            self.add_error("to_member", _("Choose who to give to."))
        return data


class CoordinatorForm(forms.Form):
    ACTIONS = [
        ("grant", gettext_lazy("Grant from the pot")),
        ("issue", gettext_lazy("Issue new hours")),
        ("adjustment", gettext_lazy("Adjust between accounts")),
        ("reversal", gettext_lazy("Reverse a transfer")),
        ("floor", gettext_lazy("Change a member's floor")),
        ("settle", gettext_lazy("Settle the account of a member who left")),
    ]
    action = forms.ChoiceField(label=gettext_lazy("What to do"), choices=ACTIONS)
    from_party = forms.ChoiceField(label=gettext_lazy("From"), required=False)
    to_party = forms.ChoiceField(label=gettext_lazy("To"), required=False)
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), min_value=1, max_value=MAX_TRANSFER_MINUTES, required=False
    )
    transfer = forms.IntegerField(label=gettext_lazy("Transfer number (to reverse)"), min_value=1, required=False)
    floor_minutes = forms.IntegerField(label=gettext_lazy("New floor in minutes"), max_value=0, required=False)
    settle_from = forms.ChoiceField(
        label=gettext_lazy("Settle a debt from"),
        choices=[("issuance", gettext_lazy("Write it off (issuance)")), ("pot", gettext_lazy("The pot"))],
        required=False,
    )
    # Required for every money action but settling; the services say so (members.audit.reason_clean).
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=REASON_MAX, required=False)
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


def _member_in_view(request) -> int | None:
    """`?member=<id>`: a supporter (or coordinator) looking at the time of someone they act with; the
    selectors answer 404 for anyone else."""
    value = request.GET.get("member") or request.POST.get("member") or ""
    return int(value) if is_id(value) and int(value) != request.user.pk else None


def _time_context(request, member_id: int | None) -> dict:
    owner_id = member_id or request.user.pk
    accounts = list(
        accounts_visible(user=request.user, member_id=owner_id).filter(
            membership__user_id=owner_id, kind=Account.Kind.MEMBER
        )
    )
    transfers = transfers_visible(user=request.user, member_id=owner_id)[:100] if accounts else []
    return {
        "accounts": accounts,
        "lines": statement_lines(accounts=accounts, transfers=transfers),
        "member": accounts[0].membership.user if accounts and member_id else None,
        "many": len(accounts) > 1,
    }


@page
def my_time(request):
    return render(request, "exchanges/ledger/my_time.html", _time_context(request, _member_in_view(request)))


@page
def give(request, slug):
    """The form to give time to a member or donate it to the pot (GET), and giving it (POST)."""
    network = network_in_reach(user=request.user, slug=slug)
    member_id = _member_in_view(request)
    giver_id = member_id or request.user.pk
    context = _time_context(request, member_id)
    account = next((a for a in context["accounts"] if a.network_id == network.pk), None)
    if account is None:
        # In the network, but not someone who trades (a commissioner): not theirs to do.
        raise Forbidden(_("You have no time account in this network."))
    choices = _member_choices(network, exclude_user=giver_id)
    if request.method != "POST":
        form = GiveForm(members=choices, can_give=account.can_give, initial={"key": uuid.uuid4().hex})
        return render(
            request, "exchanges/ledger/give.html", {**context, "network": network, "account": account, "form": form}
        )
    back = redirect(f"{reverse('ledger-my-time')}?member={member_id}" if member_id else reverse("ledger-my-time"))
    form = GiveForm(request.POST, members=choices, can_give=account.can_give)
    if form.is_valid():
        data = form.cleaned_data
        if _already_recorded(request, data["key"]):
            return back
        try:
            # A refusal (too little time, say) shows on the form again, with what was typed.
            with refusal_shown(request, form=form):
                transfer_request(
                    actor=request.user,
                    network=network,
                    kind=data["kind"],
                    from_member=member_id,
                    to_member=data["to_member"],
                    minutes=data["hours"] * 60 + data["minutes"],
                    memo=data["memo"],
                    idempotency_key=f"page-{data['key']}",
                )
                messages.success(
                    request,
                    _("Thank you: %(time)s given.") % {"time": duration_text(data["hours"] * 60 + data["minutes"])},
                )
                return back
        except IntegrityError:
            messages.info(request, _("That was already recorded."))
            return back
    context.update(network=network, account=account, form=form)
    return render(request, "exchanges/ledger/give.html", context, status=400)


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
        if form.is_valid() and _coordinate(request, network, form, accounts):
            return redirect("ledger-coordinate", slug=slug)
        # Not done: the form again, with its errors and what was typed.
        status = 400
    else:
        form = CoordinatorForm(parties=parties, initial={"key": uuid.uuid4().hex})
        status = 200
    rows = [(a, account_name(a)) for a in accounts]
    statement = [
        (t, transfer_description(t), account_name(t.from_account), account_name(t.to_account))
        for t in transfers_visible(user=request.user, network_slug=slug)[:100]
    ]
    context = {"network": network, "rows": rows, "statement": statement, "form": form}
    return render(request, "exchanges/ledger/coordinate.html", context, status=status)


def _party(value: str):
    return value if value in ("", "pot") else int(value)


def _already_recorded(request, key: str) -> bool:
    """A form sent twice (a double tap, a reload) is recorded once; the key's unique constraint backs this up."""
    if Transfer.objects.filter(created_by=request.user, idempotency_key=f"page-{key}").exists():
        messages.info(request, _("That was already recorded."))
        return True
    return False


def _coordinate(request, network, form, accounts) -> bool:
    """Do what the form asks; False when refused, the reasons then on the form."""
    data = form.cleaned_data
    if _already_recorded(request, data["key"]):
        return True
    try:
        with refusal_shown(request, form=form) as outcome:
            _coordinator_move(request, network, data, accounts)
            messages.success(request, _("Done, with your reason recorded."))
    except IntegrityError:
        messages.info(request, _("That was already recorded."))
    return not outcome.refused


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
