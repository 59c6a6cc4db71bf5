"""Who sees which report: members the headline, coordinators their network in full (with names of
quiet members), commissioners their funded networks with small cells suppressed; others 404."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.reports.figures import HEADLINE, figures_compute, quiet_days
from exchanges.reports.periods import Period, period_parse
from exchanges.reports.suppression import path_set, published_paths, suppress
from members.models import Membership, Network, User
from members.selectors import active_membership, network_in_reach, networks_of
from timebank.errors import NotFound

MEMBER, COORDINATOR, COMMISSIONER = "member", "coordinator", "commissioner"


def report_role(*, user: User, network: Network) -> str | None:
    membership = active_membership(user=user, network=network)
    if membership is None:
        return None
    if membership.role == Membership.Role.COORDINATOR:
        return COORDINATOR
    if membership.role == Membership.Role.COMMISSIONER:
        return COMMISSIONER
    return MEMBER


def report_network_get(*, user: User, slug: str) -> tuple[Network, str]:
    """The network and the caller's report role in it; NotFound outside their networks."""
    network = network_in_reach(user=user, slug=slug, listed=True)
    role = report_role(user=user, network=network)
    if role is None:
        raise NotFound(_("No such network."))
    return network, role


def funded_networks(*, user: User) -> list[Network]:
    if not user.is_authenticated:
        return []
    return list(networks_of(user=user, roles=[Membership.Role.COMMISSIONER]).order_by("slug"))


def _suppressed(document: dict, cells, k: int) -> dict:
    paths = published_paths(suppress(cells, k), document)
    for path in paths:
        path_set(document, path, None)
    document["suppressed"] = paths
    return document


def report_network(*, user: User, slug: str, start: str | None, end: str | None) -> dict:
    """The summary of one network for the caller (PRODUCT §4)."""
    network, role = report_network_get(user=user, slug=slug)
    period = period_parse(start=start, end=end, allow_current=role == COORDINATOR)
    return report_network_for(network=network, role=role, period=period)


def report_network_for(*, network: Network, role: str, period: Period) -> dict:
    now = timezone.now()
    body, cells, extras = figures_compute(networks=[network], period=period, now=now)
    head = {"network": network.slug, "from": period.label_from, "to": period.label_to, "k": network.k}
    if role == COORDINATOR:
        days = quiet_days(network_pks=[network.pk], users=extras["quiet_30"], period=period, now=now)
        quiet = sorted(days, key=lambda u: -days[u])
        names = dict(User.objects.filter(pk__in=quiet).values_list("pk", "display_name"))
        body["no_exchange_members"] = [
            {"id": u, "display_name": names.get(u, ""), "days_since_exchange": days[u]} for u in quiet
        ]
        return {**head, **body, "suppressed": []}
    document = _suppressed({**head, **body}, cells, network.k)
    if role == MEMBER:
        document["totals"] = {key: document["totals"][key] for key in HEADLINE}
        document["by_month"], document["by_category"] = [], []
        del document["reach"], document["wellbeing"]
        headline = {f"totals.{key}" for key in HEADLINE}
        document["suppressed"] = [p for p in document["suppressed"] if p in headline]
    return document


def report_funded(*, user: User, start: str | None, end: str | None) -> dict:
    """Commissioners: one report over every network they fund, suppressed with the largest k."""
    networks = funded_networks(user=user)
    if not networks:
        raise NotFound(_("No funded networks."))
    period = period_parse(start=start, end=end)
    return report_funded_for(networks=networks, period=period)


def report_funded_for(*, networks: list[Network], period: Period) -> dict:
    k = max(n.k for n in networks)
    body, cells, _ = figures_compute(networks=networks, period=period, now=timezone.now())
    head = {"networks": [n.slug for n in networks], "from": period.label_from, "to": period.label_to, "k": k}
    return _suppressed({**head, **body}, cells, k)


def report_csv(document: dict) -> str:
    """One figure per line: section, row (month or category), figure, value; suppressed is empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "row", "figure", "value", "suppressed"])
    suppressed = set(document.get("suppressed", []))

    def emit(section: str, row: str, prefix: str, values: dict) -> None:
        for key, value in values.items():
            path = f"{prefix}.{key}"
            if isinstance(value, dict):
                emit(section, row, path, value)
            elif isinstance(value, list):
                continue
            else:
                writer.writerow(
                    [section, row, path.split(".", 1)[1], "" if value is None else value, path in suppressed]
                )

    emit("totals", "", "totals", document["totals"])
    for i, row in enumerate(document.get("by_month", [])):
        emit("by_month", row["month"], f"by_month[{i}]", {k: v for k, v in row.items() if k != "month"})
    for j, row in enumerate(document.get("by_category", [])):
        values = {k: v for k, v in row.items() if k not in ("category", "name")}
        emit("by_category", row["category"], f"by_category[{j}]", values)
    for section in ("reach", "wellbeing"):
        if section in document:
            emit(section, "", section, document[section])
    return out.getvalue()
