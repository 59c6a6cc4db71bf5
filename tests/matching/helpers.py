"""What matching's tests make again and again: a listing whose skills are stored as the listing services store
them, and a cleared DBS check."""

import datetime

from django.utils import timezone

from exchanges.matching.services import listing_skills_refresh
from exchanges.models import Listing
from members.models import Membership, Skill
from members.safeguarding.models import SafeguardingCheck


def listing(owner, network, kind="offer", title="", description="", skills=(), **extra) -> Listing:
    made = Listing.objects.create(
        network=network, owner=owner, kind=kind, title=title, description=description, **extra
    )
    if skills:
        made.skills.set(Skill.objects.filter(slug__in=skills))
    # As the listing services do after every write.
    listing_skills_refresh(listing=made)
    return made


def cleared_check(membership: Membership, recorded_by, *, review_in_days: int = 300, drives: bool = True) -> Membership:
    """A DBS check, clear, done a month ago and due for review in `review_in_days` (negative: lapsed);
    with `drives`, a driving licence and car insurance checked the same way, which lifts need too."""
    today = timezone.localdate()
    kinds = [SafeguardingCheck.Kind.DBS]
    if drives:
        kinds += [SafeguardingCheck.Kind.DRIVING_LICENCE, SafeguardingCheck.Kind.INSURANCE]
    for kind in kinds:
        SafeguardingCheck.objects.create(
            network=membership.network,
            membership=membership,
            kind=kind,
            decision=SafeguardingCheck.Decision.CLEAR,
            checked_on=today - datetime.timedelta(days=30),
            review_on=today + datetime.timedelta(days=review_in_days),
            recorded_by=recorded_by,
        )
    return membership
