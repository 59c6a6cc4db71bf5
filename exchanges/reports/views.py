"""Report pages: the dashboard (server-drawn SVG bars), the commissioner's funded-networks view and
the member's own wellbeing check-in. They call the same selectors and services as the API."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.reports import presentation, wellbeing
from exchanges.reports.periods import period_parse
from exchanges.reports.selectors import (
    COMMISSIONER,
    COORDINATOR,
    funded_networks,
    report_compare_for,
    report_funded_for,
    report_network_for,
    report_network_get,
)
from members.models import Membership
from timebank.errors import Forbidden
from timebank.pages import page, refusal_shown


def _period(request, *, allow_current: bool):
    return period_parse(start=request.GET.get("from"), end=request.GET.get("to"), allow_current=allow_current)


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, f"exchanges/reports/{template}", context, status=status)


@page
def reports_index(request):
    memberships = Membership.objects.filter(user=request.user, status=Membership.Status.ACTIVE).select_related(
        "network"
    )
    return _render(request, "index.html", {"memberships": memberships, "funded": funded_networks(user=request.user)})


def _shown(document: dict) -> dict:
    """What the pages draw from a report document: the figures with their definitions, the charts
    and the month table, all from the same document."""
    return {
        "document": document,
        "figures": presentation.figures(document),
        "more_figures": presentation.figures(document, more=True)[len(presentation.MEASURES) :],
        "charts": presentation.charts(document),
        "month_columns": [str(name) for _key, name in presentation.MONTH_MEASURES],
        "month_rows": presentation.month_rows(document),
        "period_from": presentation.month_label(document["from"]),
        "period_to": presentation.month_label(document["to"]),
        "rate": presentation.pounds(document["totals"]["hourly_value_pounds"])
        if document["totals"].get("hourly_value_pounds") is not None
        else None,
    }


def _network_report(request, slug: str, template: str):
    network, role = report_network_get(user=request.user, slug=slug)
    context = {"network": network, "role": role, "is_coordinator": role == COORDINATOR}
    with refusal_shown(request, say=False) as outcome:
        period = _period(request, allow_current=role == COORDINATOR)
    if outcome.refused:
        context["errors"] = outcome.messages
        return _render(request, template, context, status=400)
    document = report_network_for(network=network, role=role, period=period)
    context.update(_shown(document), period=period)
    return _render(request, template, context)


@page
def report_dashboard(request, slug: str):
    return _network_report(request, slug, "dashboard.html")


@page
def report_print(request, slug: str):
    """One page to put in a board paper: the headline figures with their definitions and one chart."""
    return _network_report(request, slug, "print.html")


def _funded(request) -> list:
    """The networks the caller funds; a signed-in person who funds none may not open these pages."""
    networks = funded_networks(user=request.user)
    if not networks:
        raise Forbidden(_("Only a commissioner can see the reports of the networks they fund."))
    return networks


def _funded_report(request, template: str):
    networks = _funded(request)
    context = {"networks": networks, "funded": True}
    with refusal_shown(request, say=False) as outcome:
        period = _period(request, allow_current=False)
    if outcome.refused:
        context["errors"] = outcome.messages
        return _render(request, template, context, status=400)
    document = report_funded_for(networks=networks, period=period)
    context.update(_shown(document), period=period)
    return _render(request, template, context)


@page
def report_funded_dashboard(request):
    return _funded_report(request, "dashboard.html")


@page
def report_funded_print(request):
    return _funded_report(request, "print.html")


@page
def report_compare(request):
    """Each funded network's headline figures side by side, each suppressed with its own k."""
    networks = _funded(request)
    context: dict = {"networks": networks, "role": COMMISSIONER}
    with refusal_shown(request, say=False) as outcome:
        period = _period(request, allow_current=False)
    if outcome.refused:
        context["errors"] = outcome.messages
        return _render(request, "compare.html", context, status=400)
    documents = report_compare_for(networks=networks, period=period)
    rows = []
    for key, name, definition in presentation.MEASURES:
        rows.append(
            {
                "name": str(name),
                "definition": str(definition),
                "cells": [presentation.shown(key, d["totals"].get(key)) for d in documents],
            }
        )
    context.update(
        documents=documents,
        rows=rows,
        document=documents[0],
        period_from=presentation.month_label(documents[0]["from"]),
        period_to=presentation.month_label(documents[0]["to"]),
    )
    return _render(request, "compare.html", context)


QUESTIONS = [
    ("life_satisfaction", _("Overall, how satisfied are you with your life nowadays?"), 0, 10),
    ("worthwhile", _("Overall, to what extent do you feel the things you do in your life are worthwhile?"), 0, 10),
    ("happiness", _("Overall, how happy did you feel yesterday?"), 0, 10),
    ("anxiety", _("Overall, how anxious did you feel yesterday?"), 0, 10),
    ("lack_companionship", _("How often do you feel that you lack companionship?"), 1, 3),
    ("left_out", _("How often do you feel left out?"), 1, 3),
    ("isolated", _("How often do you feel isolated from others?"), 1, 3),
]


@page
def wellbeing_page(request, slug: str):
    network = wellbeing.wellbeing_network(user=request.user, slug=slug)
    status = 200
    errors = {}
    if request.method == "POST":
        action = request.POST.get("action")
        with refusal_shown(request, say=False) as outcome:
            if action == "answer":
                answers = {name: request.POST.get(name) for name, *_rest in QUESTIONS}
                wellbeing.wellbeing_record(
                    user=request.user, network=network, consent=request.POST.get("consent") == "yes", answers=answers
                )
                messages.success(request, _("Thank you. Only you can see your answers."))
            elif action == "skip":
                wellbeing.wellbeing_skip(user=request.user, network=network)
                messages.success(request, _("No problem. We will ask again in three months."))
            elif action == "withdraw":
                wellbeing.wellbeing_withdraw(user=request.user, network=network)
                messages.success(request, _("Your answers have been deleted and will not be used."))
            else:
                raise ValidationError({"action": [_("Choose what to do.")]})
            return redirect("report-wellbeing", slug=slug)
        errors, status = outcome.errors, 400
    scales = {"0": _("0 = not at all"), "10": _("10 = completely")}
    questions = [
        {"name": name, "text": text, "choices": list(range(low, high + 1)), "errors": errors.get(name, [])}
        for name, text, low, high in QUESTIONS
    ]
    context = {
        "network": network,
        "questions": questions,
        "errors": errors,
        "scales": scales,
        "due": wellbeing.wellbeing_due(user=request.user, network=network),
        "mine": wellbeing.wellbeing_mine(user=request.user, network=network),
        "now": timezone.now(),
    }
    return _render(request, "wellbeing.html", context, status=status)
