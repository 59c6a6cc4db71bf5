"""Nearby neighbourhoods: coordinators group them (API and page), members read them, matching uses them."""

import pytest
from django.test import Client

from members.models import AuditEvent, Network
from members.selectors import nearby_neighbourhoods
from members.services import neighbourhood_groups_clean, network_neighbourhoods_set
from tests.factories import member
from tests.members.helpers import assert_error
from timebank.errors import Forbidden, ValidationError

pytestmark = pytest.mark.django_db

URL = "/api/v1/networks/harlesden/neighbourhoods/"
GROUPS = [["Harlesden Town", "Church End", "Stonebridge"], ["Harlesden Town", "Kensal Green"]]


def stored(network) -> list:
    return Network.objects.get(pk=network.pk).nearby_neighbourhoods


def test_names_are_trimmed_and_repeats_in_any_case_dropped():
    cleaned = neighbourhood_groups_clean([["  Church   End ", "church end", "Stonebridge", ""], [], ["", " "]])
    assert cleaned == [["Church End", "Stonebridge"]]


@pytest.mark.parametrize(
    "groups",
    [
        "Harlesden, Church End",
        ["Harlesden", "Church End"],
        [["Harlesden", 3]],
        [["Harlesden"]],
        [["Harlesden", "harlesden "]],
        [["x" * 81, "Church End"]],
        [[f"Place {n}" for n in range(31)]],
        [["A", "B"]] * 51,
        [["Harlesden, Town", "Church End"]],
        [["Harlesden\ud800", "Church End"]],
        [["Harlesden\u200b", "Church End"]],
    ],
)
def test_groups_that_say_nothing_or_are_malformed_are_refused(groups):
    with pytest.raises(ValidationError) as refused:
        neighbourhood_groups_clean(groups)
    assert "groups" in refused.value.message_dict


def test_nearby_places_are_the_others_in_any_group_with_mine(network):
    network.nearby_neighbourhoods = GROUPS
    assert nearby_neighbourhoods(network=network, place=" harlesden  town") == {
        "church end",
        "stonebridge",
        "kensal green",
    }
    assert nearby_neighbourhoods(network=network, place="Kensal Green") == {"harlesden town"}
    assert nearby_neighbourhoods(network=network, place="Wembley") == frozenset()
    assert nearby_neighbourhoods(network=network, place="") == frozenset()


def test_a_coordinator_sets_them_and_it_is_audited(network, coordinator):
    network_neighbourhoods_set(network=network, actor=coordinator, groups=GROUPS)
    assert stored(network) == GROUPS
    event = AuditEvent.objects.get(action="network.neighbourhoods")
    assert event.actor == coordinator and event.network == network
    assert event.data == {"before": [], "after": GROUPS}


def test_a_member_cannot_set_them(network, alice):
    with pytest.raises(Forbidden):
        network_neighbourhoods_set(network=network, actor=alice, groups=GROUPS)
    assert stored(network) == []


def test_the_api_replaces_the_groups_for_a_coordinator(api, network, coordinator):
    response = api.as_user(coordinator).put(URL, {"groups": GROUPS}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"network": "harlesden", "groups": GROUPS}
    response = api.as_user(coordinator).put(URL, {"groups": []}, format="json")
    assert response.json() == {"network": "harlesden", "groups": []}
    assert stored(network) == []


def test_any_member_of_the_network_can_read_them(api, network, alice):
    network.nearby_neighbourhoods = GROUPS
    network.save()
    response = api.as_user(alice).get(URL)
    assert response.status_code == 200
    assert response.json() == {"network": "harlesden", "groups": GROUPS}


def test_a_member_gets_403_and_nothing_changes(api, network, alice):
    assert_error(api.as_user(alice).put(URL, {"groups": GROUPS}, format="json"), 403, "permission_denied")
    assert stored(network) == []


def test_another_networks_coordinator_gets_404(api, network, other_network):
    outsider = member(other_network, role="coordinator").user
    assert_error(api.as_user(outsider).get(URL), 404, "not_found")
    assert_error(api.as_user(outsider).put(URL, {"groups": GROUPS}, format="json"), 404, "not_found")
    assert stored(network) == []


@pytest.mark.parametrize(
    "body",
    [{}, {"groups": "Harlesden"}, {"groups": [["Harlesden"]]}, {"groups": [["Harlesden", None]]}],
)
def test_bad_groups_get_400_and_change_nothing(api, network, coordinator, body):
    network.nearby_neighbourhoods = GROUPS
    network.save()
    assert_error(api.as_user(coordinator).put(URL, body, format="json"), 400, "validation_error")
    assert stored(network) == GROUPS
    assert not AuditEvent.objects.filter(action="network.neighbourhoods").exists()


def test_anonymous_gets_401(api, network):
    assert api.get(URL).status_code == 401


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_saves_one_group_a_line_and_lists_places_in_no_group(network, coordinator):
    member(network, neighbourhood="Wembley Park")
    member(network, neighbourhood="Church End")
    page = client_for(coordinator)
    response = page.post(
        "/networks/harlesden/neighbourhoods/",
        {"groups": "Harlesden Town, Church End, Stonebridge\n\nHarlesden Town,Kensal Green\n"},
        follow=True,
    )
    assert response.status_code == 200
    assert stored(network) == GROUPS
    html = response.content.decode()
    assert "Nearby neighbourhoods saved." in html
    assert "Harlesden Town, Church End, Stonebridge\nHarlesden Town, Kensal Green" in html
    assert "<li>Wembley Park</li>" in html and "<li>Church End</li>" not in html


def test_what_the_api_stores_the_page_shows_and_saves_unchanged(api, network, coordinator):
    groups = [["Harlesden  Town", " Church End"], ["Kensal Green", "Kensal Rise"]]
    api.as_user(coordinator).put(URL, {"groups": groups}, format="json")
    stored_groups = stored(network)
    assert stored_groups == [["Harlesden Town", "Church End"], ["Kensal Green", "Kensal Rise"]]
    page = client_for(coordinator)
    shown = page.get("/networks/harlesden/neighbourhoods/").context["form"]["groups"].value()
    page.post("/networks/harlesden/neighbourhoods/", {"groups": shown})
    assert stored(network) == stored_groups


def test_the_page_says_why_a_group_is_refused_and_keeps_what_was_typed(network, coordinator):
    response = client_for(coordinator).post("/networks/harlesden/neighbourhoods/", {"groups": "Harlesden Town"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is alone in its group" in html and "Harlesden Town" in html
    assert stored(network) == []


def test_the_page_is_for_coordinators_only(network, alice, other_network):
    assert client_for(alice).get("/networks/harlesden/neighbourhoods/").status_code == 403
    outsider = member(other_network, role="coordinator").user
    assert client_for(outsider).get("/networks/harlesden/neighbourhoods/").status_code == 404
    assert client_for(alice).post("/networks/harlesden/neighbourhoods/", {"groups": "A, B"}).status_code == 403
    assert stored(network) == []
