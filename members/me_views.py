"""The "Me" pages: one place for a person's account (email, password, two-step log in, language,
notifications, their data, their networks), the language switch, and a new person's first steps."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.http import require_POST

from exchanges.onboarding import next_step
from members import selectors
from members.forms import LanguageForm
from members.language import language_of, language_set
from members.models import Membership
from timebank.pages import back_path, page, refusal_shown


@page
def me(request):
    context = {
        "memberships": Membership.objects.filter(user=request.user)
        .select_related("network", "account")
        .order_by("network__name"),
        "language_form": LanguageForm(initial={"language": language_of(request.user), "next": request.path}),
        "networks": [
            (n, Membership.Status(n.my_status).label)
            for n in selectors.networks_with_my_membership(user=request.user)
            if n.my_status
        ],
        "two_step": is_mfa_enabled(request.user),
    }
    return render(request, "members/me/me.html", context)


@require_POST
def language_switch(request):
    """Anyone may switch; a logged-in person's choice is kept on their account, everyone's in a cookie."""
    form = LanguageForm(request.POST)
    back = back_path(request, "/")
    response = HttpResponseRedirect(back)
    if not form.is_valid():
        messages.error(request, _("Choose English or Welsh."))
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        with refusal_shown(request):
            language_set(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    with override(language):
        messages.success(request, _("Language changed."))
    return response


@page
def welcome(request):
    """After sign-up: join a network, wait for a coordinator, then offer the help you can give."""
    context = {
        "step": next_step(user=request.user),
        "networks": selectors.networks_with_my_membership(user=request.user),
    }
    return render(request, "members/me/welcome.html", context)
