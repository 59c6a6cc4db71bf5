"""Reads about networks and memberships, scoped to what the caller may see."""

import re
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from members.acting import acts_for, support_links
from members.models import AuditEvent, Membership, Network, Skill, User
from timebank.errors import Forbidden, NotFound

# Ids beyond a bigint would make PostgreSQL raise instead of finding nothing.
MAX_ID = 2**63 - 1

TRADING_ROLES = (Membership.Role.MEMBER, Membership.Role.SUPPORTER, Membership.Role.COORDINATOR)


def membership_get(*, user: User, network: Network) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, network=network).first()


def active_membership(*, user: User, network: Network) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, network=network, status=Membership.Status.ACTIVE).first()


def is_coordinator(*, user: User, network: Network) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, network=network, status=Membership.Status.ACTIVE, role=Membership.Role.COORDINATOR
    ).exists()


def require_coordinator(*, user: User, network: Network) -> None:
    """Only a coordinator of this network may go on (403 for anyone else in reach)."""
    if not is_coordinator(user=user, network=network):
        raise Forbidden(_("Only a coordinator can do that."))


def coordinators_of(*, network: Network) -> QuerySet[User]:
    """The active coordinators of a network: who hears of what needs a coordinator."""
    return User.objects.filter(
        memberships__network=network,
        memberships__role=Membership.Role.COORDINATOR,
        memberships__status=Membership.Status.ACTIVE,
    )


def network_in_reach(*, user: User, slug: str, listed: bool = False) -> Network:
    """The network named by `slug`, as far as the caller reaches: every page and API asks here.

    In reach is a network where the caller is an active member (any role); anything else is 404. What a
    role may do there is asked next (`require_coordinator`, ...). `listed`: any network, as the network
    list shows every one to everyone (asking to join needs only the slug); 404 only if there is none.
    """
    if listed:
        network = Network.objects.filter(slug=slug).first() if isinstance(slug, str) and slug else None
        if network is None:
            raise NotFound(_("No such network."))
        return network
    return _membership_in_reach(user=user, slug=slug).network


def _membership_in_reach(*, user: User, slug: str) -> Membership:
    """The caller's active membership of the network named by `slug`, with its network, in one
    query; 404 when there is none (no such network, or not theirs)."""
    membership = None
    if isinstance(slug, str) and slug and user.is_authenticated:
        membership = (
            Membership.objects.select_related("network")
            .filter(user=user, network__slug=slug, status=Membership.Status.ACTIVE)
            .first()
        )
    if membership is None:
        raise NotFound(_("No such network."))
    return membership


def nearby_neighbourhoods(*, network: Network, place: str) -> frozenset[str]:
    """The other neighbourhoods grouped with `place` by the network's coordinators, casefolded."""
    key = " ".join(place.split()).casefold()
    near: set[str] = set()
    if key:
        for group in network.nearby_neighbourhoods or []:
            folded = {" ".join(name.split()).casefold() for name in group}
            if key in folded:
                near |= folded
    near.discard(key)
    return frozenset(near)


def neighbourhoods_ungrouped(*, network: Network) -> list[str]:
    """The neighbourhoods active members gave that no group names, each once: what a coordinator
    grouping them has still to place."""
    places = (
        Membership.objects.filter(network=network, status=Membership.Status.ACTIVE)
        .exclude(neighbourhood="")
        .values_list("neighbourhood", flat=True)
        .distinct()
    )
    grouped = {name.casefold() for group in network.nearby_neighbourhoods for name in group}
    unique = {" ".join(place.split()).casefold(): " ".join(place.split()) for place in places}
    return sorted((place for key, place in unique.items() if key not in grouped), key=str.casefold)


def networks_of(*, user: User, roles=None) -> QuerySet[Network]:
    """Networks where the user is an active member (optionally with one of `roles`)."""
    qs = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
    if roles:
        qs = qs.filter(role__in=roles)
    return Network.objects.filter(pk__in=qs.values("network_id"))


def networks_where_trading(*, user: User, network: str | None = None) -> QuerySet[Network]:
    """The networks where the caller trades (member, supporter or coordinator): where they see
    listings and people, and search them. Commissioners see figures, never listings or people
    (PRODUCT §3): none of a network they only fund. `network` narrows to that one network (404
    outside reach; empty where the caller only funds it)."""
    if network:
        membership = _membership_in_reach(user=user, slug=network)
        if membership.role not in TRADING_ROLES:
            return Network.objects.none()
        return Network.objects.filter(pk=membership.network_id)
    return networks_of(user=user, roles=TRADING_ROLES)


def supports(*, supporter: User, member: User, network: Network) -> bool:
    """`supporter` acts with `member` through a support link that still counts."""
    return support_links(network=network).filter(supporter__user=supporter, member__user=member).exists()


def can_act_for(*, actor: User, member: User, network: Network) -> bool:
    """The member's own business: the member, someone acting with them (members.acting), or a
    coordinator of the network, who looks after every member's account and profile."""
    return acts_for(actor=actor, member=member, network=network) or is_coordinator(user=actor, network=network)


def networks_with_my_membership(*, user: User) -> QuerySet[Network]:
    """Every network (joining needs the slug), with the caller's role and status where they have one."""
    mine = Membership.objects.filter(network=OuterRef("pk"), user=user)
    return Network.objects.annotate(
        my_role=Subquery(mine.values("role")[:1]), my_status=Subquery(mine.values("status")[:1])
    ).order_by("name", "pk")


def sees_inside(membership: Membership) -> bool:
    """Who sees a network from the inside (its people, listings and news): an active member, supporter
    or coordinator. A commissioner sees figures only (PRODUCT §3). `insiders` is the same rule as a query."""
    return membership.status == Membership.Status.ACTIVE and membership.role in TRADING_ROLES


def insiders(*, network: Network) -> QuerySet[Membership]:
    """Every membership of `network` that `sees_inside` (one rule: pages refuse whom this leaves out)."""
    return Membership.objects.filter(network=network, status=Membership.Status.ACTIVE, role__in=TRADING_ROLES)


def network_for_members(*, user: User, slug: str, refusal: str | None = None) -> tuple[Network, Membership]:
    """The network and the caller's membership if they see inside it: 404 if they are not in it, 403 (with
    `refusal`, or a word about its people) if they are in it but do not see inside."""
    network = network_in_reach(user=user, slug=slug, listed=True)
    own = membership_get(user=user, network=network)
    if own is None or own.status in (Membership.Status.DECLINED, Membership.Status.LEFT):
        raise NotFound(_("No such network."))
    if not sees_inside(own):
        raise Forbidden(refusal or _("Only active members can see who is in this network."))
    return network, own


def members_visible(*, viewer: User, network: Network, status: str | None = None) -> QuerySet[Membership]:
    """Active members with a public profile; coordinators see every membership, optionally by status."""
    qs = Membership.objects.filter(network=network).select_related("user")
    if is_coordinator(user=viewer, network=network):
        if status:
            qs = qs.filter(status=status)
    else:
        qs = qs.filter(status=Membership.Status.ACTIVE, role__in=TRADING_ROLES)
    return qs.prefetch_related("skills_offered", "skills_wanted").order_by("user__display_name", "pk")


def contact_visible_ids(*, viewer: User, network: Network) -> set[int] | None:
    """User ids whose contact details the viewer may see; None means all (a coordinator)."""
    if is_coordinator(user=viewer, network=network):
        return None
    supported = support_links(network=network).filter(supporter__user=viewer).values_list("member__user_id", flat=True)
    return {viewer.pk, *supported}


def member_in_network(*, network: Network, user_id: int) -> Membership:
    if not 0 < user_id <= MAX_ID:
        raise NotFound(_("No such member in this network."))
    membership = Membership.objects.select_related("user", "network").filter(network=network, user_id=user_id).first()
    if membership is None:
        raise NotFound(_("No such member in this network."))
    return membership


def skills_list() -> QuerySet[Skill]:
    return Skill.objects.select_related("category").order_by("category__name", "name")


def folded(text: str) -> str:
    """Text as searches compare it: case-folded, a phone's curly apostrophe ("torri’r") as a straight one."""
    return text.casefold().replace("\u2019", "'")


# Words of four letters or more in the skills' Welsh names that say nothing of the kind of help.
WELSH_STOP_WORDS = frozenset(
    "gyda mynd help rhywun gwneud mewn angen eisiau hoffwn plis diolch gallu cael rhoi".split()
)
# Characters of a search read for skill names (the search itself reads 200).
NAMED_IN_AT_MOST = 200
# A word in more skills' names than this ("ymarfer" is in five) does not say which help is meant.
WORDS_NAMING_AT_MOST = 8
# How Welsh words end in the plural or as verbs: "beiciau", "siopau", "siopa", "garddio".
WELSH_ENDINGS = ("au", "iau", "ion", "od", "ydd", "iaid", "a", "o", "io", "u")
_LETTERS = re.compile(r"[^\W\d_]+")


# Welsh changes a word's first letters after some words ("gardd", "yr ardd", "fy ngardd"): the letters a
# word may start with, and those it started with before.
_MUTATED = (
    ("ngh", "c"), ("mh", "p"), ("nh", "t"), ("ng", "g"), ("ch", "c"), ("ph", "p"), ("th", "t"), ("dd", "d"),
    ("g", "c"), ("b", "p"), ("d", "t"), ("f", "b"), ("f", "m"), ("l", "ll"), ("r", "rh"), ("m", "b"), ("n", "d"),
)  # fmt: skip


def _as_written_unmutated(word: str) -> set[str]:
    """A word and what it may have been before Welsh mutated its first letters ("ardd" may be "gardd")."""
    forms = {word, "g" + word}
    forms.update(radical + word[len(start) :] for start, radical in _MUTATED if word.startswith(start))
    return forms


@dataclass(frozen=True)
class NamedIn:
    """What `named_in` read: each skill a search's words name in the reader's language, with how surely
    (1.0 for a whole name, 1/n for a word in n names), and the rest of the words, which named none."""

    surely: dict[Skill, float]
    rest: str


def named_in(text: str, *, labels: list[tuple[str, Skill]] | None = None) -> NamedIn:
    """The skills a search's words name in the reader's language, when it is not English: by a whole name
    ("torri'r lawnt"), or by a word of four letters or more that begins a word of a name (a shorter one
    only with a plural's or verb's ending), as written or before Welsh mutated it: "lifft" begins
    "Lifftiau i apwyntiadau", "beic" is in "Trwsio beiciau", "ardd" (after "yr") is "gardd" of
    "Garddio", "fwyd" is "bwyd". A word in several names says each less surely. The words that named a
    skill are not in `rest`: read again as English, "plant" (children) would be gardening. Nothing is
    named in English. `labels`: `skill_labels_translated()`, when the caller reads several texts."""
    if labels is None:
        labels = skill_labels_translated()
    if not labels:
        return NamedIn({}, text)
    # As much as a search reads: a 100,000-character word would be compared with every name for nothing.
    said = folded(text[:NAMED_IN_AT_MOST])
    surely: dict[Skill, float] = {}
    for label, skill in sorted(labels, key=lambda labelled: -len(labelled[0])):
        said, written = re.subn(rf"\b{re.escape(label)}\b", " ", said)
        if written:
            # A whole name owns its words: "torri" of "torri'r lawnt" is not also "Torri gwallt".
            surely[skill] = 1.0
    named_by = [(_LETTERS.findall(label), skill) for label, skill in labels]
    # Mutations and endings are Welsh grammar; another language's names are read by their words as written.
    welsh = (get_language() or "").startswith("cy")
    naming: set[str] = set()
    for word in {w for w in _LETTERS.findall(said) if len(w) >= 4 and w not in WELSH_STOP_WORDS}:
        forms = _as_written_unmutated(word) if welsh else {word}
        # A short word is whole or ends as Welsh plurals and verbs do ("beic", "beiciau"; "siop", "siopa"):
        # "pryd", a meal, is not "Prydain". A longer one may begin a longer word.
        endings = {form + ending for form in forms for ending in ("", *(WELSH_ENDINGS if welsh else ()))}
        longer = tuple(form for form in forms if len(form) >= 5)
        named = [
            skill for parts, skill in named_by if any(part in endings or part.startswith(longer) for part in parts)
        ]
        if named and len(named) <= WORDS_NAMING_AT_MOST:
            naming.add(word)
            for skill in named:
                surely[skill] = max(surely.get(skill, 0.0), 1 / len(named))
    rest = " ".join(w for w in _LETTERS.findall(said) if w not in naming)
    return NamedIn(surely, rest)


def skills_named_in(text: str, *, labels: list[tuple[str, Skill]] | None = None) -> dict[Skill, float]:
    """`named_in`'s skills, the surest 1.0: "trwsio beic" is bike repair before the other repairs.
    Empty in English."""
    surely = named_in(text, labels=labels).surely
    top = max(surely.values(), default=1.0)
    return {skill: weight / top for skill, weight in surely.items()}


def skill_labels_translated() -> list[tuple[str, Skill]]:
    """Each skill's name in the reader's language, `folded`, when that language is not English (the
    shipped names' own): what searches read as well as the English names, so "garddio" finds gardening.
    Empty in English."""
    if (get_language() or "en").startswith("en"):
        return []
    return [(folded(skill.label), skill) for skill in Skill.objects.select_related("category")]


def supporters_of(*, network: Network) -> dict[int, list[Membership]]:
    """For each supported membership id, the supporters whose link still counts (members.acting)."""
    out: dict[int, list[Membership]] = {}
    links = support_links(network=network).select_related("supporter__user")
    for link in links:
        out.setdefault(link.member_id, []).append(link.supporter)
    return out


def supporter_choices(*, network: Network) -> list[tuple[int, str]]:
    """Active supporters and coordinators, as (user id, name) for a form."""
    qs = Membership.objects.filter(
        network=network,
        status=Membership.Status.ACTIVE,
        role__in=[Membership.Role.SUPPORTER, Membership.Role.COORDINATOR],
    ).select_related("user")
    return [(m.user_id, m.user.name) for m in qs.order_by("user__display_name", "pk")]


def audit_events(*, network: Network, member: int | None = None, kind: str | None = None) -> QuerySet[AuditEvent]:
    """A network's audit trail, newest first: optionally what a member did, had done for them or to them
    (`member`, a user id), and one kind of event (`kind`: "exchange" or "exchange.approve")."""
    qs = AuditEvent.objects.filter(network=network).select_related("actor", "on_behalf_of")
    if member is not None:
        memberships = Membership.objects.filter(network=network, user_id=member).values_list("pk", flat=True)
        qs = qs.filter(
            Q(actor_id=member)
            | Q(on_behalf_of_id=member)
            | Q(target_type="user", target_id=member)
            | Q(target_type="membership", target_id__in=list(memberships))
        )
    if kind:
        qs = qs.filter(Q(action=kind) | Q(action__startswith=f"{kind}."))
    return qs.order_by("-created_at", "-id")


def audit_kinds(*, network: Network) -> list[str]:
    """The kinds of event in a network's trail, for a filter's choices."""
    return sorted(set(AuditEvent.objects.filter(network=network).values_list("action", flat=True).distinct()))
