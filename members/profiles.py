"""Profiles: whose profile a person may open and edit (one rule, for the page and the API alike), and
the edit itself: name, bio, neighbourhood, skills offered and wanted, availability, contact details."""

from django.db import transaction
from django.utils.translation import gettext as _

from exchanges.matching.services import profile_skills_refresh
from members.audit import audit_record
from members.models import AVAILABILITY_DAYS, AVAILABILITY_PARTS, Membership, Skill, User
from members.selectors import can_act_for, member_in_network, membership_get, network_in_reach
from timebank.controls import name_clean
from timebank.errors import Forbidden, NotFound, ValidationError
from timebank.ids import is_id

AVAILABILITY_SLOTS = [f"{day}-{part}" for day in AVAILABILITY_DAYS for part in AVAILABILITY_PARTS]


def _clean_availability(slots) -> list[str]:
    if not isinstance(slots, (list, tuple)) or any(not isinstance(s, str) for s in slots):
        raise ValidationError({"availability": [_('Give a list like ["mon-morning", "tue-evening"].')]})
    unknown = sorted(set(slots) - set(AVAILABILITY_SLOTS))
    if unknown:
        raise ValidationError({"availability": [_("Unknown times: %s.") % ", ".join(unknown[:5])]})
    return [s for s in AVAILABILITY_SLOTS if s in set(slots)]


def _clean_skills(field: str, slugs) -> list[Skill]:
    if not isinstance(slugs, (list, tuple)) or any(not isinstance(s, str) for s in slugs):
        raise ValidationError({field: [_("Give a list of skill slugs.")]})
    skills = list(Skill.objects.filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {s.slug for s in skills})
    if unknown:
        raise ValidationError({field: [_("Unknown skills: %s.") % ", ".join(unknown[:5])]})
    return skills


# Someone who left or was declined has no profile to open here any more.
GONE = (Membership.Status.DECLINED, Membership.Status.LEFT)


def profile_may_open(*, actor: User, membership: Membership) -> bool:
    """A profile is its member's own while they are in the network (even waiting for approval), and
    opened by whoever acts for them: their supporter or a coordinator (members.selectors.can_act_for)."""
    if membership.user_id == actor.pk:
        return membership.status not in GONE
    return can_act_for(actor=actor, member=membership.user, network=membership.network)


def profile_get(*, actor: User, slug: str, member_id: str | int | None = None) -> Membership:
    """The profile the caller opens in a network: their own, or (`member_id`) a member they act for.
    404 outside their reach, 403 for a member of their network they do not act for."""
    if member_id is None or member_id == "":
        network = network_in_reach(user=actor, slug=slug, listed=True)
        own = membership_get(user=actor, network=network)
        if own is None or not profile_may_open(actor=actor, membership=own):
            raise NotFound(_("No such network."))
        return own
    network = network_in_reach(user=actor, slug=slug)
    if not is_id(member_id):
        raise NotFound(_("No such member in this network."))
    membership = member_in_network(network=network, user_id=int(member_id))
    if not profile_may_open(actor=actor, membership=membership):
        raise Forbidden(_("You cannot act for this member."))
    return membership


PROFILE_TEXT_LIMITS = {"bio": 1000, "neighbourhood": 80, "phone": 30, "emergency_contact": 200}


@transaction.atomic
def profile_update(*, membership: Membership, actor: User, **changes) -> Membership:
    """Edit a profile: the member, or their supporter or a coordinator with them (recorded as such)."""

    if not profile_may_open(actor=actor, membership=membership):
        raise Forbidden(_("You cannot edit this profile."))
    allowed = {"display_name", "skills_offered", "skills_wanted", "availability", *PROFILE_TEXT_LIMITS}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("Not a profile field.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for name, value in changes.items():
        try:
            if name == "availability":
                cleaned[name] = _clean_availability(value)
            elif name in ("skills_offered", "skills_wanted"):
                cleaned[name] = _clean_skills(name, value)
            else:
                value = (value or "").strip() if isinstance(value, str) or value is None else value
                if not isinstance(value, str):
                    raise ValidationError({name: [_("Give some text.")]})
                if name == "display_name":
                    value = name_clean(value)
                elif len(value) > PROFILE_TEXT_LIMITS[name]:
                    limit = PROFILE_TEXT_LIMITS[name]
                    raise ValidationError({name: [_("Keep this under %d characters.") % limit]})
                if name == "phone" and value and not set(value) <= set("0123456789 +-()"):
                    raise ValidationError({name: [_("Use digits, spaces and + - ( ) only.")]})
                cleaned[name] = value
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    if "display_name" in cleaned:
        membership.user.display_name = cleaned.pop("display_name")
        membership.user.save(update_fields=["display_name"])
    skills_changed = False
    for name in ("skills_offered", "skills_wanted"):
        if name in cleaned:
            getattr(membership, name).set(cleaned.pop(name))
            skills_changed = True
    bio_changed = "bio" in cleaned
    for name, value in cleaned.items():
        setattr(membership, name, value)
    if cleaned:
        membership.save(update_fields=list(cleaned))
    # Matching finds people by what they offer and by their own words about themselves.
    if skills_changed or bio_changed:
        profile_skills_refresh(membership=membership)
    if actor.pk != membership.user_id:
        audit_record(
            action="profile.update",
            actor=actor,
            network=membership.network,
            target=membership,
            on_behalf_of=membership.user,
            data={"fields": sorted(changes)},
        )
    return membership
