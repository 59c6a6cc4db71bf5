"""Two lookups with one home each: a network by its slug (members.selectors.network_in_reach) and whose
profile a person may open (members.profiles.profile_may_open). Pages and the API answer alike."""

import ast
from pathlib import Path

import pytest
from django.test import Client

from members.models import Membership, SupportLink
from members.selectors import network_in_reach, networks_where_trading
from tests.factories import NetworkFactory, member, pending
from timebank.errors import NotFound

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "members" / "selectors.py"


def _slug_lookups(path: Path) -> list[int]:
    """Lines that look a network up by slug: `Network.objects….(slug=…)` or `…(network__slug=…)`."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            names = {k.arg for k in node.keywords}
            on_network = "Network.objects" in ast.unparse(node.func)
            if (on_network and "slug" in names) or "network__slug" in names:
                lines.append(node.lineno)
    return lines


def test_a_network_is_looked_up_by_its_slug_in_one_place():
    outside = []
    for app in ("members", "exchanges", "messaging", "timebank"):
        for path in (ROOT / app).rglob("*.py"):
            # Operators' commands and the demo seed name networks on the command line, not for a caller.
            if "migrations" in path.parts or "management" in path.parts or path.name == "demo.py" or path == HOME:
                continue
            outside += [f"{path.relative_to(ROOT)}:{line}" for line in _slug_lookups(path)]
    assert outside == [], "ask members.selectors.network_in_reach instead"
    assert _slug_lookups(HOME), "the one home still looks networks up"


@pytest.fixture
def people(network, other_network):
    alice, bob = member(network), member(network)
    sam = member(network, role=Membership.Role.SUPPORTER)
    gone = member(network)
    Membership.objects.filter(pk=gone.pk).update(status=Membership.Status.LEFT)
    SupportLink.objects.create(network=network, supporter=sam, member=alice)
    return {
        "alice": alice.user,
        "bob": bob.user,
        "sam": sam.user,
        "coordinator": member(network, role=Membership.Role.COORDINATOR).user,
        "waiting": pending(network).user,
        "gone": gone.user,
        "outsider": member(other_network).user,
        "commissioner": member(network, role=Membership.Role.COMMISSIONER).user,
    }


CASES = [
    ("alice", None, 200),
    ("waiting", None, 200),
    ("gone", None, 404),
    ("outsider", None, 404),
    ("sam", "alice", 200),
    ("sam", "bob", 403),
    ("coordinator", "bob", 200),
    ("bob", "alice", 403),
    ("commissioner", "alice", 403),
    ("outsider", "alice", 404),
    ("waiting", "alice", 404),
    ("alice", "alice", 200),
    ("alice", "0", 404),
    ("alice", "x", 404),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "whose", "status"), CASES)
def test_the_profile_page_and_the_profile_api_let_the_same_people_in(people, network, who, whose, status):
    client = Client()
    client.force_login(people[who])
    query = "" if whose is None else f"?member={people[whose].pk if whose in people else whose}"
    page = client.get(f"/networks/{network.slug}/profile/{query}")
    api = client.get(f"/api/v1/networks/{network.slug}/profile/{query}")
    assert (page.status_code, api.status_code) == (status, status)


@pytest.mark.django_db
def test_a_supporter_edits_through_either_door_and_nobody_else_does(people, network):
    for who, allowed in (("sam", True), ("bob", False)):
        client = Client()
        client.force_login(people[who])
        url = f"/networks/{network.slug}/profile/?member={people['alice'].pk}"
        page = client.post(url, {"display_name": "Alice", "bio": f"by {who} on the page"})
        api = client.patch(f"/api/v1{url}", {"bio": f"by {who} in the api"}, content_type="application/json")
        assert (page.status_code in (302, 200), api.status_code == 200) == (allowed, allowed)
    bio = Membership.objects.get(user=people["alice"], network=network).bio
    assert bio == "by sam in the api"


@pytest.mark.django_db
def test_an_unknown_network_is_404_through_every_door(people):
    NetworkFactory(slug="known")
    client = Client()
    client.force_login(people["coordinator"])
    for path in (
        "/networks/nowhere/members/",
        "/networks/nowhere/profile/",
        "/coordinator/nowhere/unmatched/",
        "/reports/nowhere/",
        "/wellbeing/nowhere/",
        "/api/v1/networks/nowhere/members/",
        "/api/v1/networks/nowhere/profile/",
        "/api/v1/reports/networks/nowhere/summary/",
        "/notifications/?network=nowhere",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post("/networks/nowhere/join/").status_code == 404
    assert client.post("/api/v1/networks/nowhere/join/").status_code == 404


@pytest.mark.django_db
def test_a_network_in_reach_is_read_with_the_callers_membership_in_one_query(
    people, network, django_assert_num_queries
):
    # Every page and API call asks here first.
    for who in ("alice", "sam", "commissioner"):
        with django_assert_num_queries(1):
            assert network_in_reach(user=people[who], slug=network.slug) == network
    for who in ("gone", "outsider", "waiting"):
        with django_assert_num_queries(1), pytest.raises(NotFound):
            network_in_reach(user=people[who], slug=network.slug)
    with django_assert_num_queries(1), pytest.raises(NotFound):
        network_in_reach(user=people["alice"], slug="nowhere")


@pytest.mark.django_db
def test_where_a_caller_trades_in_one_named_network(people, network):
    assert list(networks_where_trading(user=people["alice"], network=network.slug)) == [network]
    assert list(networks_where_trading(user=people["coordinator"], network=network.slug)) == [network]
    # A commissioner funds the network and sees figures, never listings or people.
    assert list(networks_where_trading(user=people["commissioner"], network=network.slug)) == []
    for who in ("gone", "outsider"):
        with pytest.raises(NotFound):
            networks_where_trading(user=people[who], network=network.slug)
