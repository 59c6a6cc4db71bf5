"""Pages for your data: download it, erase your account; a coordinator erasing a supported member.
They call the same selectors and services as the API."""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import selectors as members_selectors
from members.privacy import selectors, services
from members.privacy.forms import MeEraseForm, MemberEraseForm
from timebank.pages import page, refusal_shown


@page
def your_data(request):
    form = MeEraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(request, form=form):
            services.me_erase(user=request.user, password=form.cleaned_data["password"])
            logout(request)
            messages.success(request, _("Your account is erased. Thank you for the time you gave."))
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "privacy/your_data.html", {"form": form}, status=status)


@page
def your_data_export(request):
    data = selectors.personal_data_export(actor=request.user, person=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-timebank-data.json"'
    return response


@page
@require_POST
def member_erase(request, slug: str, user_id: int):
    network = members_selectors.network_in_reach(user=request.user, slug=slug)
    membership = members_selectors.member_in_network(network=network, user_id=user_id)
    back = reverse("membership-manage", args=[slug, user_id])
    form = MemberEraseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", [])))
        return redirect(back)
    with refusal_shown(request):
        erasure = services.supported_member_erase(
            actor=request.user, membership=membership, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The member is erased. Their history stays as “%s”.") % erasure.pseudonym)
        return redirect("member-list", slug)
    return redirect(back)
