"""Safeguarding pages: record a check, raise a concern, the concerns queue."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exchanges.models import Exchange
from members import selectors
from members.models import Membership, User
from members.safeguarding import selectors as safeguarding_selectors
from members.safeguarding import services as safeguarding
from members.safeguarding.forms import CheckForm, ConcernCloseForm, ConcernForm
from members.selectors import TRADING_ROLES
from messaging import selectors as messaging_selectors
from timebank.errors import Forbidden, NotFound
from timebank.pages import page, refusal_shown


@page
def check_create(request, slug: str, user_id: int):
    network = selectors.network_in_reach(user=request.user, slug=slug)
    selectors.require_coordinator(user=request.user, network=network)
    membership = selectors.member_in_network(network=network, user_id=user_id)
    form = CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None) or k == "review_on"}
        with refusal_shown(request, form=form):
            safeguarding.check_create(membership=membership, actor=request.user, **data)
            messages.success(request, _("Check recorded for %s.") % membership.user.name)
            return redirect("member-list", slug=slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "members/check_form.html", {"form": form, "membership": membership}, status=status)


@page
def concern_create(request, slug: str):
    network = selectors.network_in_reach(user=request.user, slug=slug)
    if selectors.active_membership(user=request.user, network=network).role == Membership.Role.COMMISSIONER:
        raise Forbidden(_("Commissioners cannot raise concerns; please talk to the coordinator."))
    people = (
        Membership.objects.filter(network=network)
        .exclude(user=request.user)
        .select_related("user")
        .order_by("user__display_name")
    )
    choices = [(m.user_id, m.user.name) for m in people]
    form = ConcernForm(request.POST or None, initial=request.GET.dict(), members=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def find(model, pk):
            if pk is None:
                return None
            obj = model.objects.filter(pk=pk, **({} if model is User else {"network": network})).first()
            if obj is None:
                raise NotFound(_("Not found."))
            return obj

        with refusal_shown(request, form=form):
            safeguarding.concern_raise(
                network=network,
                raised_by=request.user,
                description=data["description"],
                about_user=find(User, data["member"]),
                about_exchange=find(Exchange, data["exchange"]),
                about_conversation=(
                    messaging_selectors.conversation_readable(
                        user=request.user, conversation_id=data["conversation"], network=network
                    )
                    if data["conversation"]
                    else None
                ),
                happened_offline=data["happened_offline"],
            )
            messages.success(request, _("Thank you. A coordinator will look at this, and only coordinators see it."))
            return redirect("concern-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "members/concern_form.html", {"form": form, "network": network}, status=status)


@page
def concern_list(request):
    slug = request.GET.get("network")
    network = selectors.network_in_reach(user=request.user, slug=slug) if slug else None
    concerns = list(safeguarding_selectors.concerns_visible(user=request.user, network=network)[:200])
    coordinated = set(
        selectors.networks_of(user=request.user, roles=[Membership.Role.COORDINATOR]).values_list("pk", flat=True)
    )
    rows = [{"c": c, "can_close": c.network_id in coordinated and c.status == "open"} for c in concerns]
    context = {
        "rows": rows,
        "form": ConcernCloseForm(),
        "networks": selectors.networks_of(user=request.user, roles=TRADING_ROLES),
    }
    return render(request, "members/concern_list.html", context)


@page
@require_POST
def concern_close(request, concern_id: int):
    concern = safeguarding_selectors.concern_in_queue(user=request.user, concern_id=concern_id)
    form = ConcernCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was done before closing the concern."))
        return redirect("concern-list")
    with refusal_shown(request):
        safeguarding.concern_close(concern=concern, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Concern closed."))
    return redirect("concern-list")
