"""The audit trail: who did what to whom, when and why. Every app writes it through `audit_record`,
and every coordinator's reason is cleaned by `reason_clean`, so a reason means the same everywhere."""

from django.utils.translation import gettext as _

from members.models import AuditEvent, Network, User
from timebank.errors import ValidationError

# The longest reason anyone may give for an action; forms and serializers read it from here. It is the
# length of the narrowest column that keeps a reason whole (a transfer's), so no table ever cuts one short.
REASON_MAX = 500


def reason_clean(reason: str | None, *, required: bool = False) -> str:
    """A coordinator's reason, stripped; `required` where the action must say why (money, refusals)."""
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": [_("Say why: this action needs a reason, kept in the record.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}]})
    return reason


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
