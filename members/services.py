"""Writes about networks and memberships, and the audit trail every service records to."""

from django.db import transaction
from django.utils import timezone

from members.models import AuditEvent, Membership, Network, User
from timebank.errors import Forbidden, InvalidTransition


def audit_record(
    *,
    action: str,
    actor: User | None,
    network: Network | None = None,
    target=None,
    reason: str = "",
    on_behalf_of: User | None = None,
    data: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        network=network,
        actor=actor if actor is not None and actor.is_authenticated else None,
        on_behalf_of=on_behalf_of,
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=target.pk if target is not None else None,
        reason=reason,
        data=data or {},
    )


@transaction.atomic
def network_create(*, slug: str, name: str, coordinator: User | None = None, **settings) -> Network:
    from exchanges.ledger.services import network_accounts_open

    network = Network(slug=slug, name=name, **settings)
    network.full_clean()
    network.save()
    network_accounts_open(network=network)
    audit_record(action="network.create", actor=coordinator, network=network, target=network)
    if coordinator is not None:
        membership = Membership.objects.create(network=network, user=coordinator, role=Membership.Role.COORDINATOR)
        membership_activate(membership=membership, actor=coordinator)
    return network


def membership_activate(*, membership: Membership, actor: User | None) -> Membership:
    """Make a membership active and open its account: the one hook the ledger needs."""
    from exchanges.ledger.services import account_open
    from members.selectors import TRADING_ROLES

    with transaction.atomic():
        membership.status = Membership.Status.ACTIVE
        membership.approved_at = membership.approved_at or timezone.now()
        membership.save(update_fields=["status", "approved_at"])
        if membership.role in TRADING_ROLES:
            account_open(membership=membership, actor=actor)
    return membership


def membership_join(*, user: User, network: Network) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, network=network)
    if not created and membership.status != Membership.Status.DECLINED and membership.status != Membership.Status.LEFT:
        raise InvalidTransition("You have already asked to join this network.")
    if not created:
        membership.status = Membership.Status.PENDING
        membership.save(update_fields=["status"])
    audit_record(action="membership.join", actor=user, network=network, target=membership)
    return membership


def require_coordinator(*, user: User, network: Network) -> None:
    from members.selectors import is_coordinator

    if not is_coordinator(user=user, network=network):
        raise Forbidden("Only a coordinator can do that.")
