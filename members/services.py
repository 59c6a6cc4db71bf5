"""Writes about networks, memberships and support links: joining, approval, roles, leaving.

The audit trail is members/audit.py; profiles members/profiles.py; safeguarding the members.safeguarding app.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.ledger import services as ledger
from members.acting import SUPPORTING_ROLES
from members.audit import audit_record, reason_clean
from members.models import Membership, Network, SupportLink, User
from members.selectors import TRADING_ROLES, can_act_for, require_coordinator
from messaging.notifications.services import coordinators_notify, notification_create
from timebank.errors import Forbidden, InvalidTransition, LastCoordinator, ValidationError
from timebank.parsers import has_lone_surrogate


@transaction.atomic
def network_create(*, slug: str, name: str, coordinator: User | None = None, **settings) -> Network:
    network = Network(slug=slug, name=name, **settings)
    network.full_clean()
    network.save()
    ledger.network_accounts_open(network=network)
    audit_record(action="network.create", actor=coordinator, network=network, target=network)
    if coordinator is not None:
        membership = Membership.objects.create(network=network, user=coordinator, role=Membership.Role.COORDINATOR)
        membership_activate(membership=membership, actor=coordinator)
    return network


def membership_activate(*, membership: Membership, actor: User | None) -> Membership:
    """Make a membership active and open its account: the one hook the ledger needs."""
    with transaction.atomic():
        membership.status = Membership.Status.ACTIVE
        membership.approved_at = membership.approved_at or timezone.now()
        membership.save(update_fields=["status", "approved_at"])
        if membership.role in TRADING_ROLES:
            ledger.account_open(membership=membership, actor=actor)
    return membership


def _tell(membership: Membership, kind: str) -> None:
    notification_create(
        user=membership.user,
        kind=kind,
        network=membership.network,
        data={"network": membership.network.slug, "network_name": str(membership.network)},
    )


def coordinators_lock(*, network: Network) -> list[Membership]:
    """Lock the network's active coordinator memberships, in primary-key order, and return them.

    Every change that can take a coordinator away takes this lock first, so two at once queue here and
    the second sees the first's result (two coordinators demoting each other cannot leave nobody).
    """
    return list(
        Membership.objects.select_for_update()
        .filter(network=network, role=Membership.Role.COORDINATOR, status=Membership.Status.ACTIVE)
        .order_by("pk")
    )


def coordinator_keep_one(*, network: Network, losing: Membership, actor: User | None = None) -> None:
    """Refuse to take away the network's last active coordinator (PRODUCT §3); call inside a transaction.

    With `actor`, also check they are still a coordinator once the lock is held: the one who was
    demoted while waiting for it no longer may.
    """
    coordinators = coordinators_lock(network=network)
    if actor is not None and actor.pk not in {m.user_id for m in coordinators}:
        raise Forbidden(_("Only a coordinator can do that."))
    if [m.pk for m in coordinators] == [losing.pk]:
        raise LastCoordinator(
            _("%(network)s needs at least one coordinator: make someone else a coordinator first.")
            % {"network": network}
        )


NEIGHBOURHOOD_GROUPS_MAX = 50
NEIGHBOURHOOD_GROUP_SIZE_MAX = 30
NEIGHBOURHOOD_NAME_MAX = 80


def neighbourhood_groups_clean(groups) -> list[list[str]]:
    """Groups of neighbourhoods near each other: names trimmed, repeats (in any case) dropped,
    empty groups dropped; a group of one name says nothing and is refused."""
    invalid = ValidationError({"groups": [_("Give a list of groups, each a list of neighbourhood names.")]})
    if not isinstance(groups, list) or any(not isinstance(group, list) for group in groups):
        raise invalid
    cleaned = []
    for group in groups:
        names, seen = [], set()
        for name in group:
            if not isinstance(name, str):
                raise invalid
            name = " ".join(name.split())
            if len(name) > NEIGHBOURHOOD_NAME_MAX:
                raise ValidationError(
                    {"groups": [_("Keep each neighbourhood to %d characters.") % NEIGHBOURHOOD_NAME_MAX]}
                )
            # Commas separate names on the page; text must be storable Unicode.
            if "," in name or not name.isprintable() or has_lone_surrogate(name):
                raise ValidationError({"groups": [_("A neighbourhood's name is plain text without commas.")]})
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        if len(names) == 1:
            raise ValidationError(
                {"groups": [_("“%s” is alone in its group: name the neighbourhoods near it too.") % names[0]]}
            )
        if len(names) > NEIGHBOURHOOD_GROUP_SIZE_MAX:
            raise ValidationError(
                {"groups": [_("Keep each group to %d neighbourhoods.") % NEIGHBOURHOOD_GROUP_SIZE_MAX]}
            )
        if names:
            cleaned.append(names)
    if len(cleaned) > NEIGHBOURHOOD_GROUPS_MAX:
        raise ValidationError({"groups": [_("Keep to %d groups.") % NEIGHBOURHOOD_GROUPS_MAX]})
    return cleaned


@transaction.atomic
def network_neighbourhoods_set(*, network: Network, actor: User, groups) -> Network:
    """A coordinator says which neighbourhoods lie near each other; matching reads it."""
    require_coordinator(user=actor, network=network)
    cleaned = neighbourhood_groups_clean(groups)
    network = Network.objects.select_for_update().get(pk=network.pk)
    before = network.nearby_neighbourhoods
    network.nearby_neighbourhoods = cleaned
    network.save(update_fields=["nearby_neighbourhoods"])
    audit_record(
        action="network.neighbourhoods",
        actor=actor,
        network=network,
        target=network,
        data={"before": before, "after": cleaned},
    )
    return network


@transaction.atomic
def membership_join(*, user: User, network: Network) -> Membership:
    """Ask to join: the membership waits for a coordinator. Someone declined or who left may ask again."""
    membership, created = Membership.objects.select_for_update().get_or_create(user=user, network=network)
    if not created and membership.status not in (Membership.Status.DECLINED, Membership.Status.LEFT):
        raise InvalidTransition(_("You have already asked to join this network."))
    if not created:
        membership.status = Membership.Status.PENDING
        membership.left_at = None
        membership.save(update_fields=["status", "left_at"])
    audit_record(action="membership.join", actor=user, network=network, target=membership)
    coordinators_notify(
        network=network,
        kind="membership.pending",
        data={"name": user.name, "network": network.slug, "network_name": str(network)},
    )
    return membership


def _coordinator_transition(
    *, membership: Membership, actor: User, action: str, allowed_from: tuple, reason: str, losing: bool = False
) -> tuple[Membership, str]:
    """Check and lock for a coordinator's decision; `losing`: it may take a coordinator away."""
    require_coordinator(user=actor, network=membership.network)
    reason = reason_clean(reason)
    if losing:
        coordinator_keep_one(network=membership.network, losing=membership, actor=actor)
    membership = Membership.objects.select_for_update().select_related("network", "user").get(pk=membership.pk)
    if membership.status not in allowed_from:
        raise InvalidTransition(
            _("This membership is %(status)s: it cannot be %(action)s.")
            % {"status": membership.get_status_display().lower(), "action": action}
        )
    return membership, reason


@transaction.atomic
def membership_approve(*, membership: Membership, actor: User, reason: str = "") -> Membership:
    membership, reason = _coordinator_transition(
        membership=membership, actor=actor, action="approved", allowed_from=(Membership.Status.PENDING,), reason=reason
    )
    membership_activate(membership=membership, actor=actor)
    audit_record(action="membership.approve", actor=actor, network=membership.network, target=membership, reason=reason)
    _tell(membership, "membership.approved")
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership, actor: User, reason: str = "") -> Membership:
    membership, reason = _coordinator_transition(
        membership=membership, actor=actor, action="declined", allowed_from=(Membership.Status.PENDING,), reason=reason
    )
    membership.status = Membership.Status.DECLINED
    membership.save(update_fields=["status"])
    audit_record(action="membership.decline", actor=actor, network=membership.network, target=membership, reason=reason)
    _tell(membership, "membership.declined")
    return membership


@transaction.atomic
def membership_suspend(*, membership: Membership, actor: User, reason: str = "") -> Membership:
    if membership.user_id == actor.pk:
        raise Forbidden(_("You cannot suspend yourself."))
    membership, reason = _coordinator_transition(
        membership=membership,
        actor=actor,
        action="suspended",
        allowed_from=(Membership.Status.ACTIVE,),
        reason=reason,
        losing=True,
    )
    membership.status = Membership.Status.SUSPENDED
    membership.save(update_fields=["status"])
    audit_record(action="membership.suspend", actor=actor, network=membership.network, target=membership, reason=reason)
    _tell(membership, "membership.suspended")
    return membership


@transaction.atomic
def membership_reinstate(*, membership: Membership, actor: User, reason: str = "") -> Membership:
    membership, reason = _coordinator_transition(
        membership=membership,
        actor=actor,
        action="reinstated",
        allowed_from=(Membership.Status.SUSPENDED,),
        reason=reason,
    )
    membership_activate(membership=membership, actor=actor)
    audit_record(
        action="membership.reinstate", actor=actor, network=membership.network, target=membership, reason=reason
    )
    _tell(membership, "membership.reinstated")
    return membership


@transaction.atomic
def membership_role_change(*, membership: Membership, actor: User, role: str, reason: str = "") -> Membership:
    require_coordinator(user=actor, network=membership.network)
    reason = reason_clean(reason)
    if role not in Membership.Role.values:
        raise ValidationError({"role": [_("Choose one of: %s.") % ", ".join(Membership.Role.values)]})
    if role != Membership.Role.COORDINATOR:
        coordinator_keep_one(network=membership.network, losing=membership, actor=actor)
    membership = Membership.objects.select_for_update().select_related("network", "user").get(pk=membership.pk)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    if membership.is_active:
        membership_activate(membership=membership, actor=actor)  # opens an account if the new role trades
    audit_record(
        action="membership.role_change",
        actor=actor,
        network=membership.network,
        target=membership,
        reason=reason,
        data={"from": old, "to": role},
    )
    return membership


@transaction.atomic
def membership_leave(*, membership: Membership, actor: User) -> Membership:
    """A member leaves (or withdraws a request). History stays; the ledger settles the balance."""

    if actor.pk != membership.user_id and not can_act_for(
        actor=actor, member=membership.user, network=membership.network
    ):
        raise Forbidden(_("Only the member, their supporter or a coordinator can do that."))
    coordinator_keep_one(network=membership.network, losing=membership)
    membership = Membership.objects.select_for_update().select_related("network", "user").get(pk=membership.pk)
    if membership.status in (Membership.Status.LEFT, Membership.Status.DECLINED):
        raise InvalidTransition(_("You are not in this network."))
    membership.status = Membership.Status.LEFT
    membership.left_at = timezone.now()
    membership.save(update_fields=["status", "left_at"])
    on_behalf_of = membership.user if actor.pk != membership.user_id else None
    audit_record(
        action="membership.leave", actor=actor, network=membership.network, target=membership, on_behalf_of=on_behalf_of
    )
    # A positive balance goes to the pot now; a negative one waits for a coordinator (PRODUCT §2).
    if hasattr(membership, "account"):
        ledger.account_settle(membership=membership, actor=actor)
    return membership


@transaction.atomic
def supported_member_register(
    *, network: Network, actor: User, display_name: str, neighbourhood: str = "", supporter: Membership | None = None
) -> Membership:
    """A coordinator registers a member with no email or phone of their own; they cannot log in."""
    require_coordinator(user=actor, network=network)
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 80:
        raise ValidationError({"display_name": [_("Give a name of 1 to 80 characters.")]})
    if len(neighbourhood or "") > 80:
        raise ValidationError({"neighbourhood": [_("Keep the neighbourhood under 80 characters.")]})
    user = User.objects.create_user(email=None, display_name=display_name)
    membership = Membership.objects.create(
        network=network, user=user, is_supported=True, neighbourhood=(neighbourhood or "").strip()
    )
    membership_activate(membership=membership, actor=actor)
    audit_record(action="membership.register_supported", actor=actor, network=network, target=membership)
    if supporter is not None:
        support_link(supporter=supporter, member=membership, actor=actor)
    return membership


@transaction.atomic
def support_link(*, supporter: Membership, member: Membership, actor: User) -> SupportLink:
    network = member.network
    require_coordinator(user=actor, network=network)
    if supporter.network_id != network.pk:
        raise ValidationError({"supporter": [_("The supporter must be in the same network.")]})
    if not supporter.is_active or supporter.role not in SUPPORTING_ROLES:
        raise ValidationError({"supporter": [_("Choose an active supporter.")]})
    if supporter.pk == member.pk:
        raise ValidationError({"supporter": [_("A person cannot support themselves.")]})
    link, created = SupportLink.objects.get_or_create(network=network, supporter=supporter, member=member)
    if created:
        audit_record(
            action="support.link", actor=actor, network=network, target=link, data={"supporter": supporter.user_id}
        )
    return link


@transaction.atomic
def support_unlink(*, supporter: Membership, member: Membership, actor: User) -> None:
    require_coordinator(user=actor, network=member.network)
    deleted, _ignored = SupportLink.objects.filter(supporter=supporter, member=member).delete()
    if deleted:
        audit_record(
            action="support.unlink",
            actor=actor,
            network=member.network,
            target=member,
            data={"supporter": supporter.user_id},
        )
