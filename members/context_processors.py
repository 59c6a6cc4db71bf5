"""Template context for the layout: which areas a person's roles give them, for the navigation and homes.

One query: their memberships that are active, with whether each has a time account."""

from django.urls import NoReverseMatch, reverse

from members.models import Membership


def _desk_url() -> str:
    """The coordinator's desk; the exchanges that need a coordinator where the desk is not built."""
    try:
        return reverse("coordinator-desk")
    except NoReverseMatch:
        return reverse("coordinator-queue")


def areas(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    rows = list(
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values_list(
            "role", "account__id", "network__slug"
        )
    )
    roles = {role for role, _account, _slug in rows}
    has_account = any(account for _role, account, _slug in rows)
    return {
        "areas": {
            "member": has_account,
            "supporter": Membership.Role.SUPPORTER in roles,
            "coordinator": Membership.Role.COORDINATOR in roles,
            "commissioner": Membership.Role.COMMISSIONER in roles,
            # Someone who only reads the figures: no listings, time or messages of their own.
            "commissioner_only": bool(roles) and roles == {Membership.Role.COMMISSIONER},
            "joined": bool(rows),
            "desk_url": _desk_url() if Membership.Role.COORDINATOR in roles else "",
        }
    }
