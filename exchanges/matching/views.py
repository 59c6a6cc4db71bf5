"""Pages: people who could help with a request, asking one of them, and the coordinator's view of
requests nobody has taken up yet."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exchanges.forms import AskForm
from exchanges.lifecycle.start import exchange_propose
from exchanges.matching.selectors import (
    NEEDS_CHECK,
    introducible_members,
    listing_for_matches,
    listing_match_outcome,
    listing_matches,
    nobody_message,
    search_needs_check_message,
    search_outcome,
    unmatched_requests,
)
from exchanges.matching.services import match_introduce
from exchanges.models import Listing
from members.models import User
from members.selectors import can_act_for, network_in_reach, require_coordinator
from messaging.services import conversation_direct_open, conversation_exchange_open, message_send
from timebank.ids import is_id
from timebank.pages import page, refusal_shown

# A page of suggestions, not a directory: the few best.
PEOPLE_SHOWN = 5
UNMATCHED_SHOWN = 20
SUGGESTIONS_PER_REQUEST = 3


def _listing_for(request, listing_id: int) -> Listing:
    return listing_for_matches(user=request.user, listing_id=listing_id)


def people_who_could_help(*, listing: Listing, user: User, limit: int = PEOPLE_SHOWN) -> dict:
    """Context for `exchanges/matching/_people_who_could_help.html` on a listing's page; empty
    for anyone who may not see the listing's matches."""
    if not can_act_for(actor=user, member=listing.owner, network=listing.network):
        return {}
    outcome = listing_match_outcome(listing=listing, limit=limit)
    return {
        "listing": listing,
        "matches": outcome.matches,
        "nobody": nobody_message(outcome=outcome, kind=listing.kind),
        "can_ask": listing.kind == Listing.Kind.REQUEST,
    }


# People shown above the listings on the Find help page for a search.
PEOPLE_FOUND_SHOWN = 5


def people_who_fit(*, user: User, q: str, network: str | None = None, kind: str | None = None) -> dict:
    """For the Find help page: the few people who best fit a search, as `search_matches` ranks
    them (the same service as GET /api/v1/search/): those who could help and those who asked
    for it, each their own few (only one of them when the page shows one kind); none without words."""
    if not q.strip():
        return {}
    found = {
        shown: search_outcome(user=user, q=q, network=network, kind=shown, limit=PEOPLE_FOUND_SHOWN)
        for shown in (Listing.Kind.OFFER, Listing.Kind.REQUEST)
        if kind in (None, "", shown)
    }
    helpers, askers = found.get(Listing.Kind.OFFER), found.get(Listing.Kind.REQUEST)
    return {
        "helpers": helpers.matches if helpers else [],
        "askers": askers.matches if askers else [],
        # Never a silent "nobody": say why no helper is shown, and the next step.
        "needs_check": search_needs_check_message() if helpers and helpers.helpers_need_check else "",
    }


@page
def listing_matches_page(request, listing_id: int):
    listing = _listing_for(request, listing_id)
    help_context = people_who_could_help(listing=listing, user=request.user)
    return render(request, "exchanges/matching/listing_matches.html", {"listing": listing, "help": help_context})


@page
def match_ask(request, listing_id: int):
    """Asking one of the people who could help: a form for how long and a first message (GET); then the
    exchange is proposed to them, its conversation opened with that message (POST)."""
    listing = _listing_for(request, listing_id)
    chosen = request.POST.get("provider") or request.GET.get("provider") or ""
    provider = None
    if listing.kind == Listing.Kind.REQUEST and is_id(chosen):
        matches = listing_matches(listing=listing, limit=PEOPLE_SHOWN * 10)
        provider = next((m.member for m in matches if m.member.pk == int(chosen)), None)
    if provider is None:
        messages.error(request, _("That person is not among the people who could help."))
        return redirect("listing-matches", listing_id=listing.pk)
    minutes = listing.minutes_estimate or 60
    form = AskForm(request.POST or None, initial={"hours": minutes // 60, "minutes": minutes % 60 // 15 * 15})
    if request.method == "POST" and form.is_valid():
        with refusal_shown(request, form=form), transaction.atomic():
            # One step: a proposal whose message could not be sent is not left behind.
            exchange = exchange_propose(
                actor=request.user,
                network=listing.network,
                listing=listing,
                provider=provider,
                recipient=listing.owner,
                minutes=form.cleaned_data["total"],
                description=listing.title,
            )
            if request.user.pk in (listing.owner_id, provider.pk):
                conversation, _created = conversation_exchange_open(exchange_id=exchange.pk, user=request.user)
                said = _("You asked %(name)s. Their answer will come here.") % {"name": provider.name}
            else:
                # A supporter or coordinator asking for the member: the exchange's conversation is the two
                # parties' own, so the message goes from the one asking, who arranges it with the helper.
                conversation, _created = conversation_direct_open(
                    network=listing.network, user=request.user, other_id=provider.pk
                )
                said = _("You asked %(name)s for %(member)s. Their answer will come here.") % {
                    "name": provider.name,
                    "member": listing.owner.name,
                }
            message_send(conversation=conversation, sender=request.user, body=form.cleaned_data["message"])
            messages.success(request, said)
            return redirect("conversation-detail", conversation_id=conversation.pk)
    context = {"listing": listing, "provider": provider, "form": form}
    return render(request, "exchanges/matching/ask.html", context, status=400 if request.method == "POST" else 200)


def _coordinated_network(request, slug: str):
    network = network_in_reach(user=request.user, slug=slug)
    require_coordinator(user=request.user, network=network)
    return network


@page
def unmatched_requests_page(request, slug: str):
    network = _coordinated_network(request, slug)
    requests = list(unmatched_requests(network=network)[:UNMATCHED_SHOWN])
    rows = []
    for asked in requests:
        outcome = listing_match_outcome(listing=asked, limit=SUGGESTIONS_PER_REQUEST)
        rows.append(
            {
                "listing": asked,
                "matches": outcome.matches,
                "needs_check": outcome.nobody == NEEDS_CHECK,
                "fit_once_checked": outcome.fit_once_checked,
            }
        )
    context = {"network": network, "rows": rows, "members": introducible_members(network=network)}
    return render(request, "exchanges/matching/unmatched.html", context)


@page
@require_POST
def match_introduce_page(request, slug: str):
    network = _coordinated_network(request, slug)
    listing_id, member_id = request.POST.get("listing", ""), request.POST.get("member", "")
    listing = get_object_or_404(
        Listing.objects.select_related("network", "owner"),
        pk=int(listing_id) if is_id(listing_id) else 0,
        network=network,
    )
    member = User.objects.filter(pk=int(member_id) if is_id(member_id) else 0).first()
    if member is None:
        messages.error(request, _("Choose someone to introduce."))
        return _unmatched_with_status(request, slug, status=400)
    with refusal_shown(request):
        match_introduce(actor=request.user, listing=listing, member=member)
        messages.success(
            request,
            _("Introduced %(member)s to %(owner)s.") % {"member": member.name, "owner": listing.owner.name},
        )
        return redirect("coordinator-unmatched", slug=network.slug)
    return _unmatched_with_status(request, slug, status=400)


def _unmatched_with_status(request, slug: str, *, status: int):
    response = unmatched_requests_page(request, slug)
    response.status_code = status
    return response
