"""Keeping each listing's stored skills current, telling people about a new listing that strongly
fits their own, and coordinators introducing two members."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.matching import semantic
from exchanges.matching.candidates import listing_owner, stored_skill_weights
from exchanges.matching.models import ListingSkill, ListingVector, ProfileSkill, ProfileVector
from exchanges.matching.scoring import WEIGHTS
from exchanges.matching.selectors import NEEDS_CHECK, NOBODY_FITS, MatchOutcome, listing_match_outcome
from exchanges.matching.sensitive import cleared_for_main
from exchanges.matching.skills import listing_meaning, offered_in_bio, skill_ids, skill_matcher
from exchanges.matching.vectors import skill_rows
from exchanges.models import Listing
from members.audit import audit_record
from members.models import Membership, User
from members.selectors import require_coordinator
from messaging.notifications.models import Notification
from messaging.notifications.services import coordinators_notify, notification_create

MATCH_NOTIFICATION = "match"
# A match is an invitation, not an alarm: more than a few a day would be noise.
MATCH_NOTIFICATIONS_PER_DAY = 3
# How many of the best matches are considered for a notification.
NOTIFY_CANDIDATES = 20


def _notified_today(user_id: int) -> int:
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    today = Notification.objects.filter(user_id=user_id, created_at__gte=start)
    return today.filter(kind=MATCH_NOTIFICATION).count()


def _params(listing: Listing, theirs: Listing | None) -> dict:
    """The match notification's parameters: who, what, and which of yours it fits (kinds.py "match")."""
    form = "offer" if listing.kind == Listing.Kind.OFFER else "request"
    params = {"name": listing.owner.name, "title": listing.title, "form": form if theirs else f"{form}_any"}
    if theirs:
        params["theirs"] = theirs.title
    return params


def listing_match_notify(*, listing: Listing) -> list[Notification]:
    """Notify the people a new listing strongly matches, at most three match notifications a day
    each; when nobody can be suggested, tell the coordinators instead (`nobody_notify`). Call
    once, after the listing is saved; exclusions are those of `listing_matches`."""
    outcome = listing_match_outcome(listing=listing, limit=NOTIFY_CANDIDATES)
    nobody_notify(listing=listing, outcome=outcome)
    sent = []
    for match in outcome.matches:
        if match.skill_overlap < WEIGHTS.notify_skill_overlap:
            continue
        if _notified_today(match.member.pk) >= MATCH_NOTIFICATIONS_PER_DAY:
            continue
        sent.append(
            notification_create(
                user=match.member,
                kind=MATCH_NOTIFICATION,
                network=listing.network,
                data={
                    "listing": listing.pk,
                    "your_listing": match.listing.pk if match.listing else None,
                    **_params(listing, match.listing),
                },
            )
        )
    return sent


# What coordinators hear when matching can suggest nobody for a listing.
NOBODY_NOTIFICATION = {NOBODY_FITS: "match.none", NEEDS_CHECK: "match.needs_check"}


def nobody_notify(*, listing: Listing, outcome: MatchOutcome) -> bool:
    """Tell the network's coordinators, once per listing and reason, that matching can suggest nobody:
    for a request nobody fits (match.none), or only people without a current safeguarding check could
    help; for an offer of sensitive help, its owner needs a check first (match.needs_check). They
    can introduce someone or record a check. True when they were told now. The words are the kind's
    (messaging/notifications/kinds.py), in each coordinator's own language."""
    if outcome.matches or not outcome.nobody or listing.status != Listing.Status.OPEN:
        return False
    if listing.kind == Listing.Kind.OFFER and outcome.nobody != NEEDS_CHECK:
        # An offer nobody needs yet waits for a request; that is no coordinator's job.
        return False
    kind = NOBODY_NOTIFICATION[outcome.nobody]
    if Notification.objects.filter(kind=kind, network=listing.network, data__listing=listing.pk).exists():
        return False
    coordinators_notify(
        network=listing.network,
        kind=kind,
        data={
            "listing": listing.pk,
            "owner": listing.owner_id,
            "reason": outcome.nobody,
            "form": listing.kind,
            "title": listing.title,
            "name": listing.owner.name,
            "network": listing.network.slug,
        },
        exclude={listing.owner_id},
    )
    return True


def listing_changed_notify(*, listing: Listing) -> bool:
    """After a listing is edited or reopened: when matching can now suggest nobody, for a reason the
    coordinators have not heard for it, they hear it (`nobody_notify`); the owner is told they have."""
    if listing.status != Listing.Status.OPEN:
        return False
    return nobody_notify(listing=listing, outcome=listing_match_outcome(listing=listing, limit=NOTIFY_CANDIDATES))


@transaction.atomic
def listing_skills_refresh(*, listing: Listing) -> list[ListingSkill]:
    """Store the skills a listing is about, for matching to find it by index. Call after every
    create or update of a listing (and after its chosen skills are set); a listing that is not
    open keeps no rows, so it is never suggested."""
    ListingSkill.objects.filter(listing_id=listing.pk).delete()
    ListingVector.objects.filter(listing_id=listing.pk).delete()
    if listing.status != Listing.Status.OPEN:
        return []
    taxonomy = skill_matcher().taxonomy
    ids = skill_ids()
    meaning = listing_meaning(listing=listing)
    if meaning.vector is not None:
        ListingVector.objects.create(
            listing_id=listing.pk, vector=semantic.to_bytes(meaning.vector), model=semantic.vectors_tag()
        )
    rows = [
        ListingSkill(
            network_id=listing.network_id,
            listing_id=listing.pk,
            owner_id=listing.owner_id,
            kind=listing.kind,
            skill_id=ids.skill[row.skill] if row.skill else None,
            category_id=ids.category[row.category],
            weight=row.weight,
            unit=row.unit,
            expires_on=listing.expires_on,
        )
        for row in skill_rows(meaning.skills.weights, taxonomy)
    ]
    return ListingSkill.objects.bulk_create(rows)


# A profile's skills as matching stores them: offered skills read like an offer's, wanted ones
# like a request's.
_PROFILE_SKILLS = {Listing.Kind.OFFER: "skills_offered", Listing.Kind.REQUEST: "skills_wanted"}


def profile_text(*, membership: Membership) -> str:
    """What a profile's vector is made of: the skills the member offers, then their own words."""
    offered = ", ".join(membership.skills_offered.order_by("name").values_list("name", flat=True))
    return semantic.listing_text(offered, membership.bio or "")


@transaction.atomic
def profile_skills_refresh(*, membership: Membership) -> list[ProfileSkill]:
    """Store a member's profile skills for matching to find them by index, the skills their bio
    says they offer (for search only), and the profile's vector for search. Call after every
    change of the skills they offer or want, or their bio."""
    ProfileSkill.objects.filter(membership_id=membership.pk).delete()
    ProfileVector.objects.filter(membership_id=membership.pk).delete()
    vector = semantic.embed(profile_text(membership=membership))
    if vector is not None:
        ProfileVector.objects.create(
            membership_id=membership.pk, vector=semantic.to_bytes(vector), model=semantic.vectors_tag()
        )
    chosen: dict[str, list[int]] = {
        str(kind): list(getattr(membership, field).values_list("pk", flat=True))
        for kind, field in _PROFILE_SKILLS.items()
    }
    ids = skill_ids()
    # What their bio says they offer, beyond what they ticked, for search to find them by; never
    # what they ticked as help they would like.
    ticked = {*chosen[Listing.Kind.OFFER], *chosen[Listing.Kind.REQUEST]}
    chosen[ProfileSkill.BIO] = [
        ids.skill[hit.slug] for hit in offered_in_bio(membership.bio or "") if ids.skill[hit.slug] not in ticked
    ]
    rows = [
        ProfileSkill(
            network_id=membership.network_id,
            membership_id=membership.pk,
            user_id=membership.user_id,
            kind=kind,
            skill_id=skill_id,
        )
        for kind, skill_ids_of_kind in chosen.items()
        for skill_id in skill_ids_of_kind
    ]
    return ProfileSkill.objects.bulk_create(rows)


INTRODUCTION_NOTIFICATION = "match.introduce"


@transaction.atomic
def match_introduce(*, actor: User, listing: Listing, member: User) -> list[Notification]:
    """A coordinator introduces the member who asked for help to someone who could give it: both
    are told, and the introduction is audited."""
    require_coordinator(user=actor, network=listing.network)
    if listing.kind != Listing.Kind.REQUEST or listing.status != Listing.Status.OPEN:
        raise ValidationError({"listing": _("Only an open request can be matched.")})
    # Anyone the coordinator knows, not only the suggestions (nobody may fit yet): but never someone either
    # of the two blocked, and for help only checked helpers may give, only someone with a current check.
    helper = listing_owner(network_id=listing.network_id, user_id=member.pk)
    owner_side = listing_owner(network_id=listing.network_id, user_id=listing.owner_id)
    trading = Membership.objects.filter(
        network=listing.network, user=member, status=Membership.Status.ACTIVE, account__isnull=False
    ).exists()
    if helper is None or not trading or member.pk == listing.owner_id:
        raise ValidationError({"member": _("Choose a member of this network other than the person asking.")})
    if owner_side is not None and member.pk in owner_side.blocked:
        raise ValidationError({"member": _("These two cannot be introduced.")})
    taxonomy = skill_matcher().taxonomy
    asked = stored_skill_weights(listing_id=listing.pk) or dict(listing_meaning(listing=listing).skills.weights)
    if not cleared_for_main(asked, taxonomy, checked=helper.checked, drives=helper.drives):
        raise ValidationError(
            {"member": _("This help needs a safeguarding check first: record one for them, then introduce them.")}
        )
    owner = listing.owner
    said = {"listing": listing.pk, "name": actor.name, "title": listing.title}
    sent = [
        notification_create(
            user=owner,
            kind=INTRODUCTION_NOTIFICATION,
            network=listing.network,
            data={**said, "member": member.pk, "member_name": member.name},
            actor=actor,
        ),
        notification_create(
            user=member,
            kind=INTRODUCTION_NOTIFICATION,
            network=listing.network,
            url=f"/listings/{listing.pk}/",
            data={**said, "member": owner.pk, "member_name": owner.name, "form": "helper"},
            actor=actor,
        ),
    ]
    audit_record(
        action="match.introduce",
        actor=actor,
        network=listing.network,
        target=listing,
        data={"listing": listing.pk, "owner": owner.pk, "member": member.pk},
    )
    return sent
