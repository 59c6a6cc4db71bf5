"""Pages for people and networks; they call the same services and selectors as the API.

Safeguarding pages (checks, concerns) are in members/safeguarding/views.py.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import announcements, profiles, selectors, services
from members.audit_words import audit_events_worded
from members.forms import (
    AnnouncementForm,
    AuditFilterForm,
    NeighbourhoodsForm,
    NetworkSettingsForm,
    ProfileForm,
    ReasonForm,
    RoleForm,
    SupportedMemberForm,
    SupportLinkForm,
)
from members.models import AVAILABILITY_DAYS, AVAILABILITY_PARTS, DAY_NAMES, PART_NAMES, Membership
from members.safeguarding import selectors as safeguarding_selectors
from timebank.errors import NotFound
from timebank.ids import is_id
from timebank.pages import back_path, page, refusal_shown


@page
def network_list(request):
    networks = selectors.networks_with_my_membership(user=request.user)
    return render(request, "members/network_list.html", {"networks": networks})


@page
@require_POST
def network_join(request, slug: str):
    with refusal_shown(request):
        services.membership_join(
            user=request.user,
            network=selectors.network_in_reach(user=request.user, slug=slug, listed=True),
            answers=request.POST.getlist("answer"),
            display_name=request.POST.get("display_name"),
        )
        messages.success(request, _("Thank you. A coordinator will look at your request soon."))
    return redirect(back_path(request, reverse("network-list")))


@page
@require_POST
def network_leave(request, slug: str):
    membership = selectors.membership_get(
        user=request.user, network=selectors.network_in_reach(user=request.user, slug=slug, listed=True)
    )
    if membership is None:
        raise NotFound(_("No such network."))
    with refusal_shown(request):
        services.membership_leave(membership=membership, actor=request.user)
        messages.success(request, _("You have left %s.") % membership.network)
    return redirect("network-list")


@page
def profile_edit(request, slug: str):
    membership = profiles.profile_get(actor=request.user, slug=slug, member_id=request.GET.get("member"))
    skills = list(selectors.skills_list())
    initial = {
        "display_name": membership.user.display_name,
        "bio": membership.bio,
        "neighbourhood": membership.neighbourhood,
        "skills_offered": [s.slug for s in membership.skills_offered.all()],
        "skills_wanted": [s.slug for s in membership.skills_wanted.all()],
        "availability": membership.availability,
        "phone": membership.phone,
        "emergency_contact": membership.emergency_contact,
    }
    form = ProfileForm(request.POST or None, initial=initial, skill_slugs=[s.slug for s in skills])
    if request.method == "POST" and form.is_valid():
        with refusal_shown(request, form=form):
            profiles.profile_update(membership=membership, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Profile saved."))
            # "Choose what I can help with" saves what was typed first, then opens that list.
            query = {"skills": request.POST["choose"]} if request.POST.get("choose") in ("offered", "wanted") else {}
            member = request.GET.get("member")
            if member and member.isdigit():
                query["member"] = member
            return redirect(request.path + (f"?{urlencode(query)}" if query else ""))
    chosen = {name: set(form[name].value() or []) for name in ("skills_offered", "skills_wanted", "availability")}
    # Skills are chosen one list at a time (`?skills=offered` or `wanted`), searchable (`q`), categories
    # folded away unless they hold a choice or a search hit: never the whole taxonomy twice.
    editing = request.GET.get("skills") if request.GET.get("skills") in ("offered", "wanted") else None
    q = selectors.folded((request.GET.get("q") or "").strip())[:80]
    names = {s.slug: s.label for s in skills}
    groups: dict = {}
    # In the reader's alphabetical order, searched in their words and in English (the shipped names').
    for skill in sorted(skills, key=lambda s: (s.category.label.casefold(), s.label.casefold())):
        said = (skill.label, skill.name, skill.category.label, skill.category.name)
        if not q or any(q in selectors.folded(name) for name in said):
            groups.setdefault(skill.category, []).append(skill)
    field = f"skills_{editing}" if editing else None
    grid = []
    for day in AVAILABILITY_DAYS:
        cells = [
            (f"{day}-{part}", PART_NAMES[part], f"{DAY_NAMES[day]} {PART_NAMES[part]}") for part in AVAILABILITY_PARTS
        ]
        grid.append((DAY_NAMES[day], cells, any(slot in chosen["availability"] for slot, _p, _l in cells)))
    status = 400 if request.method == "POST" else 200
    shown = {s.slug for group in groups.values() for s in group}
    context = {
        "form": form,
        "membership": membership,
        "editing": editing,
        "field": field,
        "q": q,
        "skill_groups": [
            (category, group, any(s.slug in chosen.get(field or "", ()) for s in group))
            for category, group in groups.items()
        ],
        "hidden_skills": {
            name: sorted(slugs - shown) if name == field else sorted(slugs)
            for name, slugs in chosen.items()
            if name != "availability"
        },
        "chosen_names": {
            name: sorted(names.get(slug, slug) for slug in chosen[name]) for name in ("skills_offered", "skills_wanted")
        },
        "chosen": chosen,
        "grid": grid,
        "acting_for": membership.user if membership.user_id != request.user.pk else None,
    }
    return render(request, "members/profile_edit.html", context, status=status)


@page
def membership_queue(request, slug: str):
    network = selectors.network_in_reach(user=request.user, slug=slug)
    selectors.require_coordinator(user=request.user, network=network)
    waiting = selectors.members_visible(viewer=request.user, network=network, status=Membership.Status.PENDING)
    context = {"network": network, "waiting": waiting, "form": ReasonForm(), "errors": {}}
    return render(request, "members/membership_queue.html", context)


@page
def network_neighbourhoods(request, slug: str):
    """A coordinator groups the neighbourhoods that lie near each other, for matching."""
    network = selectors.network_in_reach(user=request.user, slug=slug)
    selectors.require_coordinator(user=request.user, network=network)
    form = NeighbourhoodsForm(
        request.POST or None, initial={"groups": NeighbourhoodsForm.as_text(network.nearby_neighbourhoods)}
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(request, form=form):
            services.network_neighbourhoods_set(network=network, actor=request.user, groups=form.groups_list())
            messages.success(request, _("Nearby neighbourhoods saved."))
            return redirect(request.get_full_path())
    context = {"network": network, "form": form, "ungrouped": selectors.neighbourhoods_ungrouped(network=network)}
    status = 400 if request.method == "POST" else 200
    return render(request, "members/network_neighbourhoods.html", context, status=status)


MEMBERSHIP_ACTIONS = {
    "approve": (services.membership_approve, _("%s is now a member.")),
    "decline": (services.membership_decline, _("%s was declined.")),
    "suspend": (services.membership_suspend, _("%s is suspended.")),
    "reinstate": (services.membership_reinstate, _("%s is active again.")),
}


@page
@require_POST
def membership_action(request, slug: str, user_id: int, action: str):
    if action not in MEMBERSHIP_ACTIONS:
        raise NotFound(_("No such action."))
    network = selectors.network_in_reach(user=request.user, slug=slug)
    selectors.require_coordinator(user=request.user, network=network)
    membership = selectors.member_in_network(network=network, user_id=user_id)
    back = back_path(request, reverse("membership-queue", args=[slug]))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", [])))
        return redirect(back)
    service, done = MEMBERSHIP_ACTIONS[action]
    with refusal_shown(request):
        service(membership=membership, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, done % membership.user.name)
    return redirect(back)


@page
def member_list(request, slug: str):
    network, own = selectors.network_for_members(user=request.user, slug=slug)
    coordinator = own.is_coordinator
    members = list(selectors.members_visible(viewer=request.user, network=network))
    contact_ids = selectors.contact_visible_ids(viewer=request.user, network=network)
    checks: dict[int, list] = {}
    supporters: dict[int, list] = {}
    due = []
    if coordinator:
        members = [m for m in members if m.status != Membership.Status.PENDING]
        checks = safeguarding_selectors.checks_by_membership(network=network)
        supporters = selectors.supporters_of(network=network)
        due = list(safeguarding_selectors.reviews_due(network=network))
    rows = [
        {
            "m": m,
            "contact": contact_ids is None or m.user_id in contact_ids,
            "checks": checks.get(m.pk, []),
            "supporters": supporters.get(m.pk, []),
        }
        for m in members
    ]
    context = {"network": network, "rows": rows, "coordinator": coordinator, "due": due}
    return render(request, "members/member_list.html", context)


@page
def supported_member_create(request, slug: str):
    network = selectors.network_in_reach(user=request.user, slug=slug)
    selectors.require_coordinator(user=request.user, network=network)
    form = SupportedMemberForm(request.POST or None, supporters=selectors.supporter_choices(network=network))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        supporter = None
        if data["supporter"] is not None:
            supporter = selectors.member_in_network(network=network, user_id=data["supporter"])
        with refusal_shown(request, form=form):
            membership = services.supported_member_register(
                network=network,
                actor=request.user,
                display_name=data["display_name"],
                neighbourhood=data["neighbourhood"],
                supporter=supporter,
            )
            messages.success(request, _("%s is registered as a supported member.") % membership.user.name)
            return redirect("member-list", slug=slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "members/supported_member_form.html", {"form": form, "network": network}, status=status)


@page
def membership_manage(request, slug: str, user_id: int):
    """A coordinator changes someone's role and links or unlinks their supporters."""
    network = selectors.network_in_reach(user=request.user, slug=slug)
    selectors.require_coordinator(user=request.user, network=network)
    membership = selectors.member_in_network(network=network, user_id=user_id)
    choices = [c for c in selectors.supporter_choices(network=network) if c[0] != membership.user_id]
    role_form = RoleForm(initial={"role": membership.role})
    link_form = SupportLinkForm(supporters=choices)
    op = request.POST.get("op") if request.method == "POST" else None
    if op == "role":
        role_form = RoleForm(request.POST)
    elif op == "link":
        link_form = SupportLinkForm(request.POST, supporters=choices)
    with refusal_shown(request, form=role_form if op == "role" else link_form):
        if op == "role" and role_form.is_valid():
            services.membership_role_change(membership=membership, actor=request.user, **role_form.cleaned_data)
            messages.success(request, _("Role changed."))
            return redirect(request.path)
        if op == "link" and link_form.is_valid():
            supporter = selectors.member_in_network(network=network, user_id=link_form.cleaned_data["supporter"])
            services.support_link(supporter=supporter, member=membership, actor=request.user)
            messages.success(request, _("Supporter linked."))
            return redirect(request.path)
        if op == "unlink":
            supporter_id = request.POST.get("supporter", "")
            if not is_id(supporter_id):
                raise NotFound(_("No such supporter."))
            supporter = selectors.member_in_network(network=network, user_id=int(supporter_id))
            services.support_unlink(supporter=supporter, member=membership, actor=request.user)
            messages.success(request, _("Supporter unlinked."))
            return redirect(request.path)
    context = {
        "network": network,
        "membership": membership,
        "role_form": role_form,
        "link_form": link_form,
        "supporters": selectors.supporters_of(network=network).get(membership.pk, []),
    }
    return render(request, "members/membership_manage.html", context, status=400 if op else 200)


@page
def network_settings(request, slug: str):
    """A coordinator changes the network's rules, saying why; each change is audited."""
    network = selectors.network_in_reach(user=request.user, slug=slug)
    selectors.require_coordinator(user=request.user, network=network)
    form = NetworkSettingsForm(
        request.POST or None, initial=NetworkSettingsForm.initial_of(services.network_settings_of(network))
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(request, form=form):
            services.network_settings_set(
                network=network, actor=request.user, changes=form.changes(), reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Settings saved."))
            return redirect(request.path)
    status = 400 if request.method == "POST" else 200
    return render(request, "members/network_settings.html", {"network": network, "form": form}, status=status)


@page
def announcement_list(request, slug: str):
    """A network's news and events; coordinators post here and everyone who can read them is told."""
    network, own = announcements.network_for_readers(user=request.user, slug=slug)
    coordinator = own.is_coordinator
    form = AnnouncementForm(request.POST or None) if coordinator else None
    if request.method == "POST":
        selectors.require_coordinator(user=request.user, network=network)
        assert form is not None
        if form.is_valid():
            with refusal_shown(request, form=form):
                announcements.announcement_post(actor=request.user, network=network, **form.cleaned_data)
                messages.success(request, _("Posted. Everyone in the network has been told."))
                return redirect(request.path)
    context = {
        "network": network,
        "form": form,
        "announcements": announcements.announcements_of(network=network)[:50],
    }
    return render(request, "members/announcement_list.html", context, status=400 if request.method == "POST" else 200)


@page
def network_audit(request, slug: str):
    """The network's audit trail, newest first, searchable by member and kind of event."""
    network = selectors.network_in_reach(user=request.user, slug=slug)
    selectors.require_coordinator(user=request.user, network=network)
    people = [(m.user_id, m.user.name) for m in selectors.members_visible(viewer=request.user, network=network)]
    form = AuditFilterForm(request.GET or None, people=people, kinds=selectors.audit_kinds(network=network))
    filters = form.cleaned_data if form.is_valid() else {}
    member = int(filters["member"]) if filters.get("member") else None
    events = selectors.audit_events(network=network, member=member, kind=filters.get("kind") or None)
    page_ = Paginator(events, 50).get_page(request.GET.get("page"))
    audit_events_worded(page_.object_list, network=network)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"network": network, "form": form, "page": page_, "query": query.urlencode()}
    return render(request, "members/network_audit.html", context)
