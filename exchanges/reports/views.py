"""Report pages: the dashboard (server-drawn SVG bars), the commissioner's funded-networks view and
the member's own wellbeing check-in. They call the same selectors and services as the API."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.reports import wellbeing
from exchanges.reports.periods import period_parse
from exchanges.reports.selectors import (
    COORDINATOR,
    funded_networks,
    report_funded_for,
    report_network_for,
    report_network_get,
)
from members.models import Membership
from timebank.pages import page, refusal_shown


def _bars(rows: list[dict], label: str, key: str, scale: float = 1.0) -> list[dict]:
    top = max((r[key] for r in rows if r[key] is not None), default=0) or 1
    return [
        {
            "label": r[label],
            "value": None if r[key] is None else round(r[key] * scale, 2),
            "width": 0 if r[key] is None else max(r[key] / top * 100, 0),
        }
        for r in rows
    ]


def _charts(document: dict) -> list[dict]:
    charts = []
    if document.get("by_month"):
        charts.append(
            {
                "title": _("Hours exchanged by month"),
                "unit": _("hours"),
                "bars": _bars(document["by_month"], "month", "hours_exchanged"),
            }
        )
        charts.append(
            {
                "title": _("Reciprocity over time (share who both gave and received)"),
                "unit": "%",
                "bars": _bars(document["by_month"], "month", "reciprocity", scale=100),
            }
        )
    if document.get("by_category"):
        charts.append(
            {
                "title": _("Hours exchanged by kind of help"),
                "unit": _("hours"),
                "bars": _bars(document["by_category"], "name", "hours_exchanged"),
            }
        )
    return charts  # fmt: skip


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


@page
def report_dashboard(request, slug: str):
    network, role = report_network_get(user=request.user, slug=slug)
    context = {"network": network, "role": role, "is_coordinator": role == COORDINATOR}
    with refusal_shown(request, say=False) as outcome:
        period = _period(request, allow_current=role == COORDINATOR)
    if outcome.refused:
        context["errors"] = outcome.messages
        return _render(request, "dashboard.html", context, status=400)
    document = report_network_for(network=network, role=role, period=period)
    context.update(document=document, charts=_charts(document), period=period)
    return _render(request, "dashboard.html", context)


@page
def report_funded_dashboard(request):
    networks = funded_networks(user=request.user)
    if not networks:
        raise Http404
    context = {"networks": networks}
    with refusal_shown(request, say=False) as outcome:
        period = _period(request, allow_current=False)
    if outcome.refused:
        context["errors"] = outcome.messages
        return _render(request, "dashboard.html", context, status=400)
    document = report_funded_for(networks=networks, period=period)
    context.update(document=document, charts=_charts(document), period=period, funded=True)
    return _render(request, "dashboard.html", context)


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
