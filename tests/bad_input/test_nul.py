"""A NUL character anywhere in a request (a filter, a page number, a path segment, a form field, a
header) answers 400 and changes nothing: PostgreSQL text cannot hold one, so before this it reached the
database as a DataError and answered 500."""

import pytest
from django.test import Client

from exchanges.models import Listing
from members.models import Membership
from tests.bad_input.routes import all_paths
from tests.factories import member

pytestmark = pytest.mark.django_db

# Every filter and paging parameter the product reads, all at once.
PARAMS = "network kind status skill category q state member after page page_size from to kind_of".split()
ALL_NUL = "&".join(f"{name}=a%00b" for name in PARAMS)


@pytest.fixture
def signed_in(network, coordinator):
    client = Client()
    client.force_login(coordinator)
    return client


def assert_refused(response, path):
    assert response.status_code == 400, (path, response.status_code, response.content[:300])
    if path.startswith("/api/"):
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    elif path.startswith("/_allauth/"):
        assert response.json()["status"] == 400


@pytest.mark.parametrize(
    "path, param",
    [
        *[("/api/v1/listings/", p) for p in ("network", "kind", "status", "skill", "category", "q")],
        *[("/api/v1/exchanges/", p) for p in ("network", "state")],
        ("/api/v1/notifications/", "network"),
        ("/api/v1/conversations/", "network"),
        ("/api/v1/transfers/", "network"),
        ("/api/v1/accounts/", "page"),
        ("/api/v1/listings/", "page_size"),
        ("/api/v1/conversations/", "after"),
        ("/api/v1/reports/networks/harlesden/summary/", "from"),
        ("/api/v1/reports/networks/harlesden/summary/", "to"),
        ("/listings/", "q"),
        ("/listings/", "network"),
        ("/notifications/", "network"),
        ("/concerns/", "network"),
    ],
)
def test_a_nul_in_a_filter_answers_400(signed_in, path, param):
    assert_refused(signed_in.get(f"{path}?{param}=%00"), path)


def test_every_route_refuses_nul_in_its_query_string(signed_in):
    paths = all_paths({"slug": "harlesden"})
    assert len(paths) > 100, "the resolver sweep found too few routes"
    for path in paths:
        assert_refused(signed_in.get(f"{path}?{ALL_NUL}"), path)


def test_every_route_refuses_nul_in_its_query_string_for_anonymous_visitors(network):
    client = Client()
    for path in all_paths({"slug": "harlesden"}):
        assert_refused(client.get(f"{path}?{ALL_NUL}"), path)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/networks/har%00lesden/members/", "/networks/har%00lesden/members/", "/api/v1/conversations/1%00/"],
)
def test_a_nul_in_a_path_segment_answers_400(signed_in, path):
    assert_refused(signed_in.get(path), path)


def test_a_nul_in_a_form_field_answers_400_and_creates_nothing(network, alice):
    client = Client()
    client.force_login(alice)
    form = {"network": network.slug, "kind": "offer", "title": "Dog\x00walking", "description": "x", "minutes": "60"}
    response = client.post("/listings/new/", form)
    assert response.status_code == 400
    assert not Listing.objects.exists()


def test_a_nul_in_an_api_form_body_answers_400_with_the_error_shape(network, alice):
    client = Client()
    client.force_login(alice)
    body = {"network": network.slug, "kind": "offer", "title": "Dog\x00walking", "minutes_estimate": "60"}
    response = client.post("/api/v1/listings/", body)
    assert_refused(response, "/api/v1/")
    assert not Listing.objects.exists()


def test_a_nul_in_a_session_token_header_answers_400(network):
    response = Client().get("/api/v1/me/", headers={"X-Session-Token": "abc\x00def"})
    assert_refused(response, "/api/v1/")


def test_a_nul_in_a_login_form_answers_400(network):
    user = member(network, role=Membership.Role.MEMBER).user
    response = Client().post("/accounts/login/", {"login": user.email + "\x00", "password": "demo-password"})
    assert response.status_code == 400
    assert "_auth_user_id" not in Client().session


def test_a_page_refusing_nul_says_so_in_plain_words(signed_in):
    response = signed_in.get("/listings/?q=%00")
    assert response.status_code == 400
    assert b"NUL character" in response.content


ODD_VALUES = ["abc", "-1", "0", str(10**30), "1.5", "²", "2026-13", "%ED%A0%80", "%FF"]


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_filter_and_paging_values_never_answer_a_server_error(network, coordinator, alice, value):
    client = Client()
    client.force_login(coordinator)
    paths = [p for p in all_paths({"slug": "harlesden", "user_id": str(alice.pk)}) if p.startswith(("/api/v1/", "/"))]
    for path in paths:
        response = client.get(f"{path}?" + "&".join(f"{name}={value}" for name in PARAMS))
        assert response.status_code < 500, (path, value, response.content[:300])
        if path.startswith("/api/v1/") and response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message", "fields"}, (path, value)
