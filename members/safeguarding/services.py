"""Safeguarding writes: checks on a membership (coordinators only) and concerns (anyone in the network).

A concern goes to the coordinators' queue and is never shown to the person it is about.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.audit import audit_record, reason_clean
from members.models import Membership, Network, User
from members.safeguarding.models import Concern, SafeguardingCheck
from members.selectors import active_membership, can_act_for, require_coordinator
from messaging.notifications.models import Notification
from messaging.notifications.services import coordinators_notify
from timebank.errors import Forbidden, InvalidTransition, NotFound, ValidationError

CHECK_FIELDS = ("kind", "referee", "dbs_level", "certificate_number", "decision", "checked_on", "review_on")
DBS_LEVELS = tuple(SafeguardingCheck.DbsLevel.values)

# The earliest day a check can have been made. Criminal record disclosures in England and Wales began in 2002
# (the Criminal Records Bureau, whose work the DBS took over in 2012): no DBS check is older. Any other check
# (a reference, a licence, insurance) older than 1990, when the first KeyRing network began, says nothing of
# a person today, and an older date is a typing slip ("0001-01-01" would count as current for ever).
EARLIEST_CHECK: dict[str, datetime.date] = {SafeguardingCheck.Kind.DBS: datetime.date(2002, 1, 1)}
EARLIEST_OTHER_CHECK = datetime.date(1990, 1, 1)


def _earliest(kind: str) -> datetime.date:
    return EARLIEST_CHECK.get(kind, EARLIEST_OTHER_CHECK)


def _check_validate(check: SafeguardingCheck) -> None:
    errors: dict[str, list[str]] = {}
    if check.kind == SafeguardingCheck.Kind.REFERENCE and not check.referee.strip():
        errors["referee"] = [_("Say who gave the reference.")]
    if check.kind == SafeguardingCheck.Kind.DBS and check.dbs_level not in DBS_LEVELS:
        errors["dbs_level"] = [_("Choose one of: %s.") % ", ".join(DBS_LEVELS)]
    if check.kind != SafeguardingCheck.Kind.DBS and (check.dbs_level or check.certificate_number):
        errors["dbs_level"] = [_("Only a DBS check has a level and certificate number.")]
    if isinstance(check.checked_on, datetime.date) and check.checked_on > timezone.localdate():
        errors["checked_on"] = [_("A check cannot be dated in the future.")]
    elif isinstance(check.checked_on, datetime.date) and check.checked_on < _earliest(check.kind):
        errors["checked_on"] = [_("A check cannot be dated before %(year)d.") % {"year": _earliest(check.kind).year}]
    if (
        isinstance(check.checked_on, datetime.date)
        and isinstance(check.review_on, datetime.date)
        and check.review_on < check.checked_on
    ):
        errors["review_on"] = [_("The review date must be after the check date.")]
    try:
        check.full_clean(exclude=["network", "membership", "recorded_by"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def check_create(*, membership: Membership, actor: User, **fields) -> SafeguardingCheck:
    require_coordinator(user=actor, network=membership.network)
    unknown = set(fields) - set(CHECK_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Not a check field.")] for name in sorted(unknown)})
    check = SafeguardingCheck(network=membership.network, membership=membership, recorded_by=actor, **fields)
    _check_validate(check)
    check.save()
    # The certificate number stays out of the audit trail: it names a document about a person.
    audit_record(
        action="check.create", actor=actor, network=membership.network, target=check, data={"kind": check.kind}
    )
    return check


@transaction.atomic
def check_update(*, check: SafeguardingCheck, actor: User, **fields) -> SafeguardingCheck:
    require_coordinator(user=actor, network=check.network)
    unknown = set(fields) - set(CHECK_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Not a check field.")] for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(check, name, value)
    _check_validate(check)
    check.save()
    audit_record(
        action="check.update", actor=actor, network=check.network, target=check, data={"fields": sorted(fields)}
    )
    return check


@transaction.atomic
def check_delete(*, check: SafeguardingCheck, actor: User, reason: str = "") -> None:
    require_coordinator(user=actor, network=check.network)
    reason = reason_clean(reason)
    audit_record(
        action="check.delete",
        actor=actor,
        network=check.network,
        target=check,
        reason=reason,
        data={"kind": check.kind, "membership": check.membership_id},
    )
    check.delete()


def _in_network(obj, network: Network, field: str) -> None:
    if obj is not None and obj.network_id != network.pk:
        raise NotFound(_("No such %s in this network.") % field)


def _people_concerned(concern: Concern) -> set[int]:
    """Everyone a concern is about: the person, the parties of the exchange, the conversation's participants."""
    people = {concern.about_user_id}
    if concern.about_exchange is not None:
        people |= {concern.about_exchange.provider_id, concern.about_exchange.recipient_id}
    if concern.about_conversation is not None:
        people |= set(concern.about_conversation.participants.values_list("user_id", flat=True))
    return {pk for pk in people if pk is not None}


@transaction.atomic
def concern_raise(
    *,
    network: Network,
    raised_by: User,
    description: str,
    about_user: User | None = None,
    about_exchange=None,
    about_conversation=None,
    happened_offline: bool = False,
    on_behalf_of: User | None = None,
) -> Concern:
    """Anyone active in the network may raise one, about a person, an exchange, a conversation, something
    that happened offline, or nothing named at all: only what worries them is required."""

    own = active_membership(user=raised_by, network=network)
    if own is None:
        raise NotFound(_("No such network."))
    if own.role == Membership.Role.COMMISSIONER:
        # Commissioners never see who is in a network, so they cannot name anyone in it either.
        raise Forbidden(_("Commissioners cannot raise concerns; please talk to the coordinator."))
    if on_behalf_of is not None and not can_act_for(actor=raised_by, member=on_behalf_of, network=network):
        raise Forbidden(_("You cannot act for this member."))
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not description:
        errors["description"] = [_("Say what worries you.")]
    elif len(description) > 5000:
        errors["description"] = [_("Keep it under 5000 characters.")]
    # Naming nobody is allowed: a frightened member may not know a name, and what happened is what counts.
    if errors:
        raise ValidationError(errors)
    if about_user is not None and not Membership.objects.filter(user=about_user, network=network).exists():
        raise NotFound(_("No such member in this network."))
    _in_network(about_exchange, network, "exchange")
    _in_network(about_conversation, network, "conversation")
    concern = Concern.objects.create(
        network=network,
        raised_by=raised_by,
        description=description,
        about_user=about_user,
        about_exchange=about_exchange,
        about_conversation=about_conversation,
        happened_offline=bool(happened_offline),
    )
    audit_record(
        action="concern.raise",
        actor=raised_by,
        network=network,
        target=concern,
        on_behalf_of=on_behalf_of,
    )
    # A coordinator the concern is about is not told: the concern is never shown to them.
    coordinators_notify(
        network=network,
        kind="concern.raised",
        data={"network_name": str(network)},
        exclude=_people_concerned(concern),
    )
    return concern


@transaction.atomic
def concern_close(*, concern: Concern, actor: User, resolution: str) -> Concern:
    require_coordinator(user=actor, network=concern.network)
    resolution = reason_clean(resolution)
    if not resolution:
        raise ValidationError({"resolution": [_("Say what was done.")]})
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status != Concern.Status.OPEN:
        raise InvalidTransition(_("This concern is already closed."))
    concern.status = Concern.Status.CLOSED
    concern.resolution = resolution
    concern.resolved_by = actor
    concern.save(update_fields=["status", "resolution", "resolved_by"])
    audit_record(action="concern.close", actor=actor, network=concern.network, target=concern, reason=resolution)
    return concern


CHECKS_DUE_WITHIN_DAYS = 30


def checks_due_remind(*, today: datetime.date | None = None) -> int:
    """Tell a network's coordinators of each safeguarding check whose review falls due within
    CHECKS_DUE_WITHIN_DAYS (or has passed), once per review date. Safe to run concurrently: each check is
    locked while its coordinators are told."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=CHECKS_DUE_WITHIN_DAYS)
    due = SafeguardingCheck.objects.filter(review_on__isnull=False, review_on__lte=until).exclude(
        membership__status__in=[Membership.Status.LEFT, Membership.Status.DECLINED]
    )
    told = 0
    for check_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            check = (
                SafeguardingCheck.objects.select_for_update(of=("self",))
                .select_related("network", "membership__user")
                .get(pk=check_id)
            )
            if check.review_on is None:
                continue
            date = check.review_on.isoformat()
            if Notification.objects.filter(kind="checks.due", data__check_id=check.pk, data__date=date).exists():
                continue
            person = check.membership.user
            coordinators_notify(
                network=check.network,
                kind="checks.due",
                data={
                    "check_id": check.pk,
                    "check": str(check.get_kind_display()),
                    "date": date,
                    "name": person.name,
                    "member": person.pk,
                    "network": check.network.slug,
                },
                # A coordinator whose own check it is hears of it from another coordinator.
                exclude={person.pk},
            )
            told += 1
    return told
