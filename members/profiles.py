"""Profile writes: name, bio, neighbourhood, skills offered and wanted, availability, contact details."""

from django.db import transaction
from django.utils.translation import gettext as _

from exchanges.matching.services import profile_skills_refresh
from members.audit import audit_record
from members.models import AVAILABILITY_DAYS, AVAILABILITY_PARTS, Membership, Skill, User
from members.selectors import can_act_for
from timebank.errors import Forbidden, ValidationError

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


PROFILE_TEXT_LIMITS = {"bio": 1000, "neighbourhood": 80, "phone": 30, "emergency_contact": 200}


@transaction.atomic
def profile_update(*, membership: Membership, actor: User, **changes) -> Membership:
    """Edit a profile: the member, or their supporter or a coordinator with them (recorded as such)."""

    # A member edits their own profile even while waiting for approval.
    if actor.pk != membership.user_id and not can_act_for(
        actor=actor, member=membership.user, network=membership.network
    ):
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
                limit = 80 if name == "display_name" else PROFILE_TEXT_LIMITS[name]
                if len(value) > limit:
                    raise ValidationError({name: [_("Keep this under %d characters.") % limit]})
                if name == "display_name" and not value:
                    raise ValidationError({name: [_("Give a name.")]})
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
    if skills_changed:
        profile_skills_refresh(membership=membership)
    for name, value in cleaned.items():
        setattr(membership, name, value)
    if cleaned:
        membership.save(update_fields=list(cleaned))
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
