"""Writes about networks, memberships and support links: joining, approval, roles, leaving.

The audit trail is members/audit.py; profiles members/profiles.py; safeguarding the members.safeguarding app.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.ledger import services as ledger
from members.acting import SUPPORTING_ROLES
from members.audit import audit_record, reason_clean
from members.models import Membership, Network, SupportLink, User
from members.selectors import TRADING_ROLES, can_act_for, require_coordinator
from messaging.notifications.services import coordinators_notify, notification_create
from timebank.controls import name_clean
from timebank.errors import Forbidden, InvalidTransition, LastCoordinator, ValidationError
from timebank.parsers import has_lone_surrogate


@transaction.atomic
def network_create(
    *, slug: str, name: str, coordinator: User | None = None, rules: dict | None = None, **settings
) -> Network:
    """A new network; `rules` are settings by their API name (`network_settings_set`), checked the same way."""
    cleaned = {key: network_setting_clean(key, value) for key, value in (rules or {}).items()}
    network = Network(slug=slug, name=name, **settings)
    for key, value in cleaned.items():
        setattr(network, NETWORK_SETTINGS[key], value)
    network.full_clean()
    network.save()
    ledger.network_accounts_open(network=network)
    audit_record(
        action="network.create",
        actor=coordinator,
        network=network,
        target=network,
        data={key: _plain(value) for key, value in cleaned.items()},
    )
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
def membership_join(
    *, user: User, network: Network, answers: list | None = None, display_name: str | None = None
) -> Membership:
    """Ask to join: the membership waits for a coordinator. Someone declined or who left may ask again.

    `answers` answer the network's join questions in their order; they are kept on the membership for the
    coordinator who decides. `display_name`, the name others will see, is asked of someone who has none; until
    they give one they are shown as "Member <number>", never by their email address."""
    answered = join_answers_clean(network=network, answers=answers or [])
    name = name_clean(display_name) if display_name is not None else None
    membership, created = Membership.objects.select_for_update().get_or_create(user=user, network=network)
    if not created and membership.status not in (Membership.Status.DECLINED, Membership.Status.LEFT):
        raise InvalidTransition(_("You have already asked to join this network."))
    membership.join_answers = answered
    if name is not None and name != user.display_name:
        user.display_name = name
        user.save(update_fields=["display_name"])
    if not created:
        membership.status = Membership.Status.PENDING
        membership.left_at = None
    membership.save(update_fields=["status", "left_at", "join_answers"])
    audit_record(action="membership.join", actor=user, network=network, target=membership)
    coordinators_notify(
        network=network,
        kind="membership.pending",
        data={"name": user.name, "network": network.slug, "network_name": str(network)},
    )
    return membership


JOIN_ANSWER_LENGTH = 1000


def join_answers_clean(*, network: Network, answers: list) -> list[dict]:
    """The answers to the network's join questions, paired with them: [{"question", "answer"}, …]."""
    questions = list(network.join_questions or [])
    if not isinstance(answers, list) or len(answers) > len(questions):
        raise ValidationError({"answers": [_("Answer only the questions the network asks.")]})
    out = []
    for question, answer in zip(questions, [*answers, *[""] * (len(questions) - len(answers))], strict=True):
        out.append({"question": question, "answer": _text(answer, "answers", JOIN_ANSWER_LENGTH, blank=True)})
    return out


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
    display_name = name_clean(display_name)
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


# A network's settings ------------------------------------------------------------------------
# The rules a network chooses (PRODUCT §2), and the bounds each may take: the services enforce them,
# the forms and serializers read them from here.

FLOOR_LOWEST = -1_000_000  # as low as a member's own floor may go (exchanges.ledger account_floor_set)
AUTOCONFIRM_DAYS = (1, 60)
K_RANGE = (2, 50)
HOURLY_VALUE_MOST = 1000
WELCOME_MINUTES_MOST = 6_000  # as much as one piece of help (exchanges.limits.MAX_HELP_MINUTES)
JOIN_QUESTIONS_MOST = 10
JOIN_QUESTION_LENGTH = 200
NAME_LENGTH = 120  # Network.name
DESCRIPTION_LENGTH = 2000

# The settings by their API name, with the Network field each is kept in.
NETWORK_SETTINGS = {
    "name": "name",
    "description": "description",
    "approval": "approval",
    "floor_minutes": "member_floor_minutes",
    "autoconfirm_days": "autoconfirm_days",
    "hourly_value_pounds": "hourly_value_pounds",
    "k": "k",
    "welcome_minutes": "welcome_minutes",
    "join_questions": "join_questions",
}


def _whole(value, field: str, least: int, most: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= most:
        raise ValidationError(
            {field: [_("Give a whole number from %(least)d to %(most)d.") % {"least": least, "most": most}]}
        )
    return value


def _text(value, field: str, most: int, *, blank: bool) -> str:
    if not isinstance(value, str) or has_lone_surrogate(value) or "\x00" in value:
        raise ValidationError({field: [_("Give some text.")]})
    value = value.strip()
    if not value and not blank:
        raise ValidationError({field: [_("This cannot be empty.")]})
    if len(value) > most:
        raise ValidationError({field: [_("Keep it under %(most)d characters.") % {"most": most}]})
    return value


def network_setting_clean(name: str, value):
    """One setting checked and cleaned, or a ValidationError naming it."""
    if name == "name":
        return _text(value, name, NAME_LENGTH, blank=False)
    if name == "description":
        return _text(value, name, DESCRIPTION_LENGTH, blank=True)
    if name == "approval":
        if value not in Network.Approval.values:
            raise ValidationError({name: [_("Choose never, sensitive or always.")]})
        return value
    if name == "floor_minutes":
        return _whole(value, name, FLOOR_LOWEST, 0)
    if name == "autoconfirm_days":
        return _whole(value, name, *AUTOCONFIRM_DAYS)
    if name == "k":
        return _whole(value, name, *K_RANGE)
    if name == "welcome_minutes":
        return _whole(value, name, 0, WELCOME_MINUTES_MOST)
    if name == "hourly_value_pounds":
        try:
            amount = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or not 0 <= amount <= HOURLY_VALUE_MOST:
            raise ValidationError(
                {name: [_("Give an amount in pounds from 0 to %(most)d.") % {"most": HOURLY_VALUE_MOST}]}
            )
        return amount.quantize(Decimal("0.01"))
    if name == "join_questions":
        if not isinstance(value, list) or len(value) > JOIN_QUESTIONS_MOST:
            raise ValidationError({name: [_("Ask at most %(most)d questions.") % {"most": JOIN_QUESTIONS_MOST}]})
        questions = [_text(q, name, JOIN_QUESTION_LENGTH, blank=True) for q in value]
        return [q for q in questions if q]
    raise ValidationError({name: [_("No such setting.")]})


def network_settings_of(network: Network) -> dict:
    """The settings by their API name."""
    return {name: getattr(network, field) for name, field in NETWORK_SETTINGS.items()}


@transaction.atomic
def network_settings_set(*, network: Network, actor: User | None, changes: dict, reason: str = "") -> Network:
    """Change some of a network's settings; each change is audited with the reason, old → new.

    `actor` None is an operator at the command line (`create_network`); anyone else must coordinate the
    network. Settings not named in `changes` stay as they are; unknown names are refused.
    """
    if actor is not None:
        require_coordinator(user=actor, network=network)
    reason = reason_clean(reason, required=actor is not None)
    cleaned = {name: network_setting_clean(name, value) for name, value in changes.items()}
    network = Network.objects.select_for_update().get(pk=network.pk)
    changed = {}
    for name, value in cleaned.items():
        field = NETWORK_SETTINGS[name]
        before = getattr(network, field)
        if before != value:
            changed[name] = {"from": before, "to": value}
            setattr(network, field, value)
    if changed:
        network.save(update_fields=[NETWORK_SETTINGS[name] for name in changed])
        audit_record(
            action="network.settings",
            actor=actor,
            network=network,
            target=network,
            reason=reason,
            data={
                name: {"from": _plain(change["from"]), "to": _plain(change["to"])} for name, change in changed.items()
            },
        )
    return network


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value
