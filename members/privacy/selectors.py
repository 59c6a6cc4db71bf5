"""Everything the product holds about a person, as one JSON document (PRODUCT §4 `GET /me/export/`).

Other people appear only as `{"id", "display_name"}`: never their email, phone or emergency contact.
Safeguarding records kept by coordinators (checks, concerns about the person, coordinators reading a
conversation, reports on their messages) are not part of it: PRODUCT §3 shows them to coordinators
only; a request for those goes to the network's coordinator.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.ledger.models import Account, Transfer
from exchanges.models import Exchange, Listing
from exchanges.reports.models import WellbeingCheckin
from members.models import AuditEvent, Membership, SupportLink, User
from members.safeguarding.models import Concern
from messaging.models import Block, Message
from messaging.notifications.models import Notification
from messaging.notifications.selectors import preferences_get
from timebank.errors import Forbidden

# Coordinators' safeguarding trail: seen by coordinators only (PRODUCT §3), so not exported
# unless the person did it themselves.
SAFEGUARDING_ACTIONS = ("check.", "concern.", "conversation.access", "message.report")
WELLBEING_ANSWERS = (
    "life_satisfaction",
    "worthwhile",
    "happiness",
    "anxiety",
    "lack_companionship",
    "left_out",
    "isolated",
)


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def _person(user: User | None) -> dict | str:
    """Someone else, as the export names them: the public name only. None is the network's pot."""
    if user is None:
        return "pot"
    return {"id": user.pk, "display_name": user.name}


def _memberships(user: User) -> list[dict]:
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("network")
        .prefetch_related("skills_offered", "skills_wanted")
        .order_by("network__slug")
    )
    accounts = {a.membership_id: a for a in Account.objects.filter(membership__user=user)}
    links = SupportLink.objects.filter(Q(member__user=user) | Q(supporter__user=user)).select_related(
        "member__user", "supporter__user"
    )
    out = []
    for m in memberships:
        account = accounts.get(m.pk)
        out.append(
            {
                "network": {"slug": m.network.slug, "name": m.network.name},
                "role": m.role,
                "status": m.status,
                "is_supported": m.is_supported,
                "bio": m.bio,
                "neighbourhood": m.neighbourhood,
                "availability": m.availability,
                "skills_offered": sorted(s.slug for s in m.skills_offered.all()),
                "skills_wanted": sorted(s.slug for s in m.skills_wanted.all()),
                "phone": m.phone,
                "emergency_contact": m.emergency_contact,
                "reach": {
                    "consent": m.reach_consent,
                    "age_band": m.age_band,
                    "disability": m.disability,
                    "ward": m.ward,
                },
                "joined_at": _when(m.created_at),
                "approved_at": _when(m.approved_at),
                "left_at": _when(m.left_at),
                "balance_minutes": account.balance if account else None,
                "available_minutes": account.available if account else None,
                "floor_minutes": account.floor if account else None,
                "supported_by": [_person(link.supporter.user) for link in links if link.member_id == m.pk],
                "supports": [_person(link.member.user) for link in links if link.supporter_id == m.pk],
            }
        )
    return out


def _account_party(account: Account) -> dict | str:
    if account.kind == Account.Kind.MEMBER:
        # The database's account_member_has_membership check: a member account always has its membership.
        assert account.membership is not None
        return _person(account.membership.user)
    return account.kind  # "pot" or "issuance"


def _statement(user: User) -> list[dict]:
    mine = set(Account.objects.filter(membership__user=user).values_list("pk", flat=True))
    transfers = (
        Transfer.objects.filter(Q(from_account_id__in=mine) | Q(to_account_id__in=mine))
        .select_related("network", "from_account__membership__user", "to_account__membership__user")
        .order_by("created_at", "pk")
    )
    out = []
    for t in transfers:
        incoming = t.to_account_id in mine
        out.append(
            {
                "id": t.pk,
                "network": t.network.slug,
                "created_at": _when(t.created_at),
                "kind": t.kind,
                "minutes": t.minutes if incoming else -t.minutes,
                "counterpart": _account_party(t.from_account if incoming else t.to_account),
                "exchange": t.exchange_id,
                "memo": t.memo,
                "reason": t.reason,
            }
        )
    return out


def _listings(user: User) -> list[dict]:
    listings = Listing.objects.filter(owner=user).select_related("network").prefetch_related("skills")
    return [
        {
            "id": listing.pk,
            "network": listing.network.slug,
            "kind": listing.kind,
            "title": listing.title,
            "description": listing.description,
            "skills": sorted(s.slug for s in listing.skills.all()),
            "minutes_estimate": listing.minutes_estimate,
            "availability": listing.availability,
            "expires_on": _when(listing.expires_on),
            "status": listing.status,
            "created_at": _when(listing.created_at),
        }
        for listing in listings.order_by("created_at", "pk")
    ]


def _exchanges(user: User) -> list[dict]:
    exchanges = Exchange.objects.filter(Q(provider=user) | Q(recipient=user)).select_related(
        "network", "provider", "recipient"
    )
    return [
        {
            "id": e.pk,
            "network": e.network.slug,
            "listing": e.listing_id,
            "provider": _person(e.provider),
            "recipient": _person(e.recipient),
            "minutes": e.minutes,
            "claimed_minutes": e.claimed_minutes,
            "description": e.description,
            "state": e.state,
            "created_at": _when(e.created_at),
            "posted_at": _when(e.posted_at),
        }
        for e in exchanges.order_by("created_at", "pk")
    ]


def _messages(user: User) -> list[dict]:
    messages = Message.objects.filter(sender=user).select_related("network").order_by("created_at", "pk")
    return [
        {
            "id": m.pk,
            "network": m.network.slug,
            "conversation": m.conversation_id,
            "seq": m.seq,
            "body": m.body,
            "created_at": _when(m.created_at),
        }
        for m in messages
    ]


def _notifications(user: User) -> list[dict]:
    notifications = Notification.objects.filter(user=user).select_related("network").order_by("created_at", "pk")
    return [
        {
            "id": n.pk,
            "network": n.network.slug if n.network else None,
            "kind": n.kind,
            "text": n.shown,
            "for_member": n.about_id,
            "created_at": _when(n.created_at),
            "read_at": _when(n.read_at),
        }
        for n in notifications
    ]


def _wellbeing(user: User) -> list[dict]:
    checkins = WellbeingCheckin.objects.filter(user=user).select_related("network").order_by("created_at", "pk")
    return [
        {
            "network": c.network.slug,
            "created_at": _when(c.created_at),
            "consent": c.consent,
            "skipped": c.skipped,
            "withdrawn_at": _when(c.withdrawn_at),
            "answers": {name: getattr(c, name) for name in WELLBEING_ANSWERS},
        }
        for c in checkins
    ]


def _audit(user: User) -> list[dict]:
    membership_ids = list(Membership.objects.filter(user=user).values_list("pk", flat=True))
    about = Q(on_behalf_of=user) | Q(target_type="membership", target_id__in=membership_ids)
    events = AuditEvent.objects.filter(Q(actor=user) | about).select_related("network", "actor")
    out = []
    for event in events.order_by("created_at", "pk"):
        if event.actor_id != user.pk and event.action.startswith(SAFEGUARDING_ACTIONS):
            continue
        out.append(
            {
                "created_at": _when(event.created_at),
                "network": event.network.slug if event.network else None,
                "action": event.action,
                "by": _person(event.actor) if event.actor_id else "system",
                "on_behalf_of": event.on_behalf_of_id,
                "reason": event.reason,
                "data": event.data,
            }
        )
    return out


def _concerns_raised(user: User) -> list[dict]:
    concerns = Concern.objects.filter(raised_by=user).select_related("network").order_by("created_at", "pk")
    return [
        {
            "network": c.network.slug,
            "created_at": _when(c.created_at),
            "description": c.description,
            "happened_offline": c.happened_offline,
            "status": c.status,
        }
        for c in concerns
    ]


def personal_data_export(*, actor: User, person: User) -> dict:
    """The document `GET /api/v1/me/export/` answers with: only ever the caller's own data."""
    if not actor.is_authenticated or actor.pk != person.pk:
        raise Forbidden(_("Only you can export your data."))
    blocks = Block.objects.filter(blocker=person).select_related("network", "blocked")
    return {
        "exported_at": timezone.now().isoformat(),
        "person": {
            "id": person.pk,
            "email": person.email,
            "display_name": person.display_name,
            "date_joined": _when(person.date_joined),
            "last_login": _when(person.last_login),
        },
        "preferences": preferences_get(user=person),
        "memberships": _memberships(person),
        "statement": _statement(person),
        "listings": _listings(person),
        "exchanges": _exchanges(person),
        "messages_sent": _messages(person),
        "notifications": _notifications(person),
        "wellbeing": _wellbeing(person),
        "concerns_raised": _concerns_raised(person),
        "blocks": [
            {"network": b.network.slug, "blocked": _person(b.blocked), "created_at": _when(b.created_at)}
            for b in blocks.order_by("created_at", "pk")
        ],
        "audit_events": _audit(person),
    }
