"""Pages for listings and exchanges: the same services as the API, one tap per step, no JavaScript needed."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exchanges import activities, desk, forms, selectors, services
from exchanges.listings import RENEW_DAYS
from exchanges.matching.views import people_who_could_help, people_who_fit
from exchanges.models import Exchange, Listing
from members.models import Membership, Network
from members.selectors import network_in_reach, networks_of, require_coordinator
from timebank.errors import Forbidden
from timebank.pages import back_path, page, refusal_shown

# Listings -----------------------------------------------------------------------------------


@page
def listing_browse(request):
    form = forms.BrowseForm(request.GET or None)
    filters = {}
    if form.is_bound:
        form.is_valid()
        # The fields that are valid still filter: a search too long is refused (and said so), not the
        # kind of help asked for with it.
        filters = form.cleaned_data
    networks = networks_of(user=request.user).order_by("name")
    slug = request.GET.get("network") or None
    qs = selectors.listings_browse(
        user=request.user,
        network=slug,
        kind=filters.get("kind") or None,
        category=filters.get("category") or None,
        q=filters.get("q") or None,
        # "My listings": every one of the caller's, open or not.
        owner=request.user if request.GET.get("mine") else None,
        status=None if request.GET.get("mine") else Listing.Status.OPEN,
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "networks": networks, "network": slug, "query": query.urlencode()}
    # People who fit the words too, through their listings or their profile, ranked like matches.
    context["people"] = people_who_fit(
        user=request.user, q=filters.get("q") or "", network=slug, kind=filters.get("kind") or None
    )
    return render(request, "exchanges/listing_browse.html", context)


@page
def listing_new(request):
    initial = {"kind": request.GET.get("kind"), "owner": request.GET.get("owner")}
    form = forms.ListingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(request, form=form):
            listing = services.listing_create(
                actor=request.user,
                network=data["network"],
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                skills=list(data["skills"]),
                minutes_estimate=data["minutes_estimate"],
                availability=data["availability"],
                expires_on=data["expires_on"],
                owner=data.get("owner"),
            )
            messages.success(request, _("The listing is up."))
            return redirect("listing-detail", pk=listing.pk)
    return render(request, "exchanges/listing_form.html", {"form": form})


@page
def listing_detail(request, pk: int):
    listing = selectors.listing_get(user=request.user, pk=pk)
    mine = services.listing_speaks_for_owner(actor=request.user, listing=listing)
    can_edit = services.listing_may_edit(actor=request.user, listing=listing)
    can_propose = (
        not mine
        and listing.status == Listing.Status.OPEN
        and Membership.objects.filter(
            user=request.user, network=listing.network, status="active", account__isnull=False
        ).exists()
    )
    form = forms.ProposeForm(initial={"minutes": listing.minutes_estimate or 60})
    context = {
        "listing": listing,
        "mine": mine,
        "can_edit": can_edit,
        "can_propose": can_propose,
        "form": form,
        "help": people_who_could_help(listing=listing, user=request.user),
        "renew_days": RENEW_DAYS,
    }
    return render(request, "exchanges/listing_detail.html", context)


@page
@require_POST
def listing_renew(request, pk: int):
    """The one tap from the reminder before a listing ends: another month."""
    listing = selectors.listing_get(user=request.user, pk=pk)
    with refusal_shown(request):
        listing = services.listing_renew(actor=request.user, listing=listing)
        until = date_format(listing.expires_on, "DATE_FORMAT")
        messages.success(request, _("Renewed: open until %(date)s.") % {"date": until})
    return redirect("listing-detail", pk=pk)


@page
def listing_edit(request, pk: int):
    listing = selectors.listing_get(user=request.user, pk=pk)
    services.listing_require_editor(actor=request.user, listing=listing)
    initial = {
        "title": listing.title,
        "description": listing.description,
        "skills": list(listing.skills.all()),
        "minutes_estimate": listing.minutes_estimate,
        "availability": listing.availability,
        "expires_on": listing.expires_on,
        "status": listing.status,
    }
    form = forms.ListingForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["skills"] = list(data["skills"])
        with refusal_shown(request, form=form):
            services.listing_update(actor=request.user, listing=listing, **data)
            messages.success(request, _("Saved."))
            return redirect("listing-detail", pk=listing.pk)
    return render(request, "exchanges/listing_form.html", {"form": form, "listing": listing})


@page
@require_POST
def listing_propose(request, pk: int):
    """One tap from a listing: ask for the offered help, or offer the help asked for."""
    listing = selectors.listing_get(user=request.user, pk=pk)
    form = forms.ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how many minutes, from 1 up."))
        return redirect("listing-detail", pk=pk)
    offer = listing.kind == Listing.Kind.OFFER
    with refusal_shown(request):
        exchange = services.exchange_propose(
            actor=request.user,
            network=listing.network,
            provider=listing.owner if offer else request.user,
            recipient=request.user if offer else listing.owner,
            minutes=form.cleaned_data["minutes"],
            description=form.cleaned_data["description"] or listing.title,
            listing=listing,
        )
        messages.success(request, _("Sent. We will tell you when they answer."))
        return redirect("exchange-detail", pk=exchange.pk)
    return redirect("listing-detail", pk=pk)


# Exchanges ----------------------------------------------------------------------------------


@page
def exchange_list(request):
    qs = selectors.exchanges_list(user=request.user, network=request.GET.get("network") or None)
    coordinated = networks_of(user=request.user, roles=[Membership.Role.COORDINATOR])
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    also = selectors.exchanges_list_also(user=request.user)
    context = {"page": page, "coordinated": coordinated, "also": also}
    return render(request, "exchanges/exchange_list.html", context)


def _next_step(exchange: Exchange, actions: list[str]) -> str:
    """What happens next, in plain words."""
    other_days = exchange.network.autoconfirm_days
    state = exchange.state
    if state == Exchange.State.PROPOSED:
        if "accept" in actions:
            return _("You have been asked. Tap Accept to agree, or Decline if you can't.")
        return _("Waiting for the other person to say yes.")
    if state == Exchange.State.AWAITING_APPROVAL:
        return _("A coordinator will check this before it goes ahead. The time is set aside meanwhile.")
    if state == Exchange.State.ACCEPTED:
        return _("Agreed. When the help has happened, tap “It’s done” and say how long it took.")
    if state == Exchange.State.CLAIMED:
        if exchange.needs_coordinator:
            return _("Paying this would go below the limit, so a coordinator will sort it out.")
        if "confirm" in actions:
            return _("Please check the time and tap Confirm, or tell us if it is not right.")
        if not selectors.exchange_autoconfirms(exchange):
            return _("Waiting to be confirmed. A coordinator will check this one: it is not confirmed by itself.")
        return _("Waiting for the other person to confirm. If they don’t answer in %(days)s days, it is confirmed.") % {
            "days": other_days
        }
    if state == Exchange.State.DISPUTED:
        return _("A coordinator will look at this and settle it.")
    if state == Exchange.State.POSTED:
        return _("All done: the time has been paid.")
    return _("This exchange is closed. You can ask for the same help again.")


@page
def exchange_detail(request, pk: int):
    exchange = selectors.exchange_get(user=request.user, pk=pk)
    actions = selectors.exchange_actions(user=request.user, exchange=exchange)
    context = {
        "exchange": exchange,
        "actions": actions,
        "side": selectors.exchange_side_of(user=request.user, exchange=exchange),
        "next_step": _next_step(exchange, actions),
        "story": selectors.exchange_story(exchange=exchange),
        "minutes_form": forms.MinutesForm(initial={"minutes": exchange.minutes}),
        "resolve_form": forms.ResolveForm(initial={"minutes": exchange.claimed_minutes or exchange.minutes}),
        "reason_form": forms.ReasonForm(),
        "schedule_form": forms.ScheduleForm(
            initial={"scheduled_for": timezone.localtime(exchange.scheduled_for).strftime("%Y-%m-%dT%H:%M")}
            if exchange.scheduled_for
            else None
        ),
    }
    return render(request, "exchanges/exchange_detail.html", context)


@page
@require_POST
def exchange_action(request, pk: int, action: str):
    exchange = selectors.exchange_get(user=request.user, pk=pk)
    actor = request.user
    post = request.POST
    simple = {
        "accept": services.exchange_accept,
        "decline": services.exchange_decline,
        "cancel": services.exchange_cancel,
        "repeat": services.exchange_repeat,
    }
    with_reason = {
        "confirm": (forms.ReasonForm, services.exchange_confirm),
        "approve": (forms.ReasonForm, services.exchange_approve),
        "dispute": (forms.ReasonForm, services.exchange_dispute),
        "resolve": (forms.ResolveForm, services.exchange_resolve),
        "complete": (forms.MinutesForm, services.exchange_complete),
        "schedule": (forms.ScheduleForm, services.exchange_schedule),
    }
    if action not in simple and action not in with_reason:
        raise Http404(_("No such action."))
    data = {}
    if action in with_reason:
        form_class, service = with_reason[action]
        form = form_class(post)
        if not form.is_valid():
            minutes = "minutes" in form.errors
            problems = [str(e) for errors in form.errors.values() for e in errors]
            messages.error(request, _("Say how many minutes, from 1 up.") if minutes else " ".join(problems))
            return _back(request, pk)
        data = form.cleaned_data
    else:
        service = simple[action]
    # The exchange page offers its steps to whoever sees it: a refused step is said there (PRODUCT §3).
    with refusal_shown(request, role_said=True):
        result = service(actor=actor, exchange=exchange, **data)
        messages.success(request, _("Done."))
        return _back(request, result.pk)
    return _back(request, pk)


def _back(request, pk: int):
    """Back to where the tap came from (the coordinator queue), else the exchange page."""
    return redirect(back_path(request, reverse("exchange-detail", args=[pk])))


def _record_parties(request, data: dict, direction: str) -> dict:
    """The network and the two parties a record form names (its choices are already the caller's)."""
    kind, _sep, ident = data["other"].partition(":")
    if kind == "pot":
        network, other = Network.objects.get(pk=ident), None
    else:
        other_membership = Membership.objects.select_related("network", "user").get(pk=ident)
        network, other = other_membership.network, other_membership.user
    if data["who"] == "me":
        me = request.user
    else:
        me = Membership.objects.select_related("user").get(pk=data["who"].partition(":")[2]).user
    return {
        "network": network,
        "provider": me if direction == "gave" else other,
        "recipient": other if direction == "gave" else me,
        "minutes": data["minutes"],
        "description": data["description"],
    }


@page
def exchange_record(request):
    """“I helped someone” (direction=gave) or “someone helped me” (direction=received)."""
    direction = request.GET.get("direction") or request.POST.get("direction") or "gave"
    form = forms.RecordForm(request.POST or None, user=request.user, initial={"who": request.GET.get("who")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(request):
            exchange = services.exchange_record(actor=request.user, **_record_parties(request, data, direction))
            messages.success(request, _("Thank you. We have asked the other person to confirm."))
            return redirect("exchange-detail", pk=exchange.pk)
    return render(request, "exchanges/exchange_record.html", {"form": form, "direction": direction})


@page
def coordinator_queue(request):
    networks = networks_of(user=request.user, roles=[Membership.Role.COORDINATOR]).order_by("name")
    if not networks.exists():
        raise Forbidden(_("Only coordinators can see this queue."))
    sections = [(network, selectors.coordinator_queue(user=request.user, network=network)) for network in networks]
    context = {
        "sections": sections,
        "reason_form": forms.ReasonForm(),
        "resolve_form": forms.ResolveForm(),
    }
    return render(request, "exchanges/coordinator_queue.html", context)


@page
def activity_record(request, slug: str):
    """A coordinator's register: who came to a group activity, recorded in one go."""
    network = network_in_reach(user=request.user, slug=slug)
    require_coordinator(user=request.user, network=network)
    people = selectors.active_member_names(network=network)
    form = forms.ActivityForm(request.POST or None, people=people, initial={"happened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        providers, recipients = form.parties()
        data = form.cleaned_data
        with refusal_shown(request, form=form):
            activity = activities.activity_record(
                actor=request.user,
                network=network,
                title=data["title"],
                happened_on=data["happened_on"],
                minutes=data["minutes"],
                providers=providers,
                recipients=recipients,
            )
            messages.success(
                request,
                _("%(title)s is recorded: %(count)d exchanges, each of %(minutes)d minutes.")
                % {"title": activity.title, "count": activity.exchanges.count(), "minutes": activity.minutes},
            )
            return redirect("activity-record", slug=slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "exchanges/activity_form.html", {"network": network, "form": form}, status=status)


@page
def coordinator_desk(request):
    """One screen of what waits for a coordinator's decision, in every network they coordinate."""
    desks = desk.desk_of(user=request.user)
    if not desks:
        raise Forbidden(_("Only coordinators have a desk."))
    return render(request, "exchanges/desk.html", {"desks": desks})


@page
def isolation(request, slug: str):
    """Who may be isolated: longest since they last gave or received help first."""
    network = network_in_reach(user=request.user, slug=slug)
    require_coordinator(user=request.user, network=network)
    rows = selectors.isolation_list(network=network)
    page_ = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "exchanges/isolation.html", {"network": network, "page": page_})
