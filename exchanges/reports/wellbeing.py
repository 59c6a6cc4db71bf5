"""Wellbeing check-ins: ONS4 and the three-item loneliness scale, optional, offered on joining and
every three months. Only the member sees their answers; reports see only the average change."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.reports.models import WellbeingCheckin
from members.models import Membership, Network, User
from members.selectors import active_membership, network_in_reach
from timebank.errors import Forbidden, NotFound, ValidationError

ONS4 = ("life_satisfaction", "worthwhile", "happiness", "anxiety")
LONELINESS = ("lack_companionship", "left_out", "isolated")
QUESTIONS = ONS4 + LONELINESS
EVERY = timedelta(days=91)


def _may_check_in(user: User, network: Network) -> bool:
    # Check-ins are for the people who trade; a commissioner's answers would skew the figures.
    membership = active_membership(user=user, network=network)
    return membership is not None and membership.role != Membership.Role.COMMISSIONER


def _require_member(user: User, network: Network) -> None:
    if active_membership(user=user, network=network) is None:
        raise NotFound(_("No such network."))
    if not _may_check_in(user, network):
        raise Forbidden(_("Check-ins are for the people who trade in the network."))


def wellbeing_network(*, user: User, slug: str) -> Network:
    """The network whose check-ins the caller may take: NotFound outside their networks, Forbidden for a
    commissioner."""
    network = network_in_reach(user=user, slug=slug)
    _require_member(user, network)
    return network


def wellbeing_mine(*, user: User, network: Network) -> list[WellbeingCheckin]:
    """The member's own check-ins in a network, newest first. Nobody else reads these."""
    _require_member(user, network)
    return list(WellbeingCheckin.objects.filter(user=user, network=network))


def wellbeing_due(*, user: User, network: Network) -> bool:
    """Offer a check-in on joining and every three months, never after consent was withdrawn."""
    if not _may_check_in(user, network):
        return False
    latest = WellbeingCheckin.objects.filter(user=user, network=network).first()
    if latest is None:
        return True
    if latest.withdrawn_at is not None:
        return False
    return timezone.now() - latest.created_at >= EVERY


def _whole_number(value) -> int | None:
    """An answer as a whole number: an int, or digits as a form sends them; never a bool or a float."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 3:
        return int(value.strip())
    return None


def wellbeing_record(*, user: User, network: Network, consent: bool, answers: dict) -> WellbeingCheckin:
    """Save a check-in. Every question may be left out; consent is required to keep any answer."""
    _require_member(user, network)
    if consent is not True:
        raise ValidationError({"consent": [_("Tick the box to say we may keep your answers.")]})
    clean, errors = {}, {}
    for name in QUESTIONS:
        value = answers.get(name)
        if value in (None, ""):
            continue
        low, high = (0, 10) if name in ONS4 else (1, 3)
        number = _whole_number(value)
        if number is None or not low <= number <= high:
            errors[name] = [f"Choose a number from {low} to {high}."]
        else:
            clean[name] = number
    unknown = set(answers) - set(QUESTIONS)
    if unknown:
        errors.update({name: ["Not a question we ask."] for name in sorted(unknown)})
    if errors:
        raise ValidationError(errors)
    return WellbeingCheckin.objects.create(user=user, network=network, consent=True, **clean)


def wellbeing_skip(*, user: User, network: Network) -> WellbeingCheckin:
    """Not now: remembered so we ask again in three months, with no answers kept."""
    _require_member(user, network)
    return WellbeingCheckin.objects.create(user=user, network=network, skipped=True)


@transaction.atomic
def wellbeing_withdraw(*, user: User, network: Network) -> int:
    """Withdraw consent: every answer the member gave in the network is erased and left out of reports."""
    _require_member(user, network)
    erased = {name: None for name in QUESTIONS}
    return WellbeingCheckin.objects.filter(user=user, network=network).update(
        consent=False, withdrawn_at=timezone.now(), **erased
    )


def _loneliness(row: dict) -> int | None:
    values = [row[name] for name in LONELINESS]
    return sum(values) if all(v is not None for v in values) else None


def wellbeing_change(*, network_pks: list[int], period) -> dict:
    """Average change from each respondent's first to latest check-in (latest within the period).

    Respondents are members with two or more consented check-ins; `respondents` is a person count
    and is suppressed below k like any other cell."""
    rows = (
        WellbeingCheckin.objects.filter(
            network_id__in=network_pks,
            consent=True,
            skipped=False,
            withdrawn_at__isnull=True,
            created_at__lt=period.end_at,
        )
        .order_by("created_at", "pk")
        .values("user_id", "created_at", *QUESTIONS)
    )
    by_user: dict[int, list[dict]] = {}
    for row in rows:
        by_user.setdefault(row["user_id"], []).append(row)
    measures = (*ONS4, "loneliness")
    deltas: dict[str, list[int]] = {m: [] for m in measures}
    respondents = 0
    for checkins in by_user.values():
        if len(checkins) < 2 or checkins[-1]["created_at"] < period.start_at:
            continue
        respondents += 1
        first, latest = checkins[0], checkins[-1]
        for m in measures:
            a, b = (_loneliness(first), _loneliness(latest)) if m == "loneliness" else (first[m], latest[m])
            if a is not None and b is not None:
                deltas[m].append(b - a)
    change = {m: (round(sum(d) / len(d), 2) if d else None) for m, d in deltas.items()}
    return {"respondents": respondents, "change": change}
