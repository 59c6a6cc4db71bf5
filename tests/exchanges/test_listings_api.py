"""Listings over the API: post, browse and search within a network, edit, pause and close."""

import datetime

import pytest
from django.utils import timezone

from exchanges.models import Listing
from members.models import AuditEvent, Membership
from tests.factories import member

pytestmark = pytest.mark.django_db


def post(api, user, **body):
    return api.as_user(user).post("/api/v1/listings/", body, format="json")


def test_a_member_posts_an_offer(api, network, alice, skills):
    skill = skills["pets"]
    response = post(
        api,
        alice,
        network=network.slug,
        kind="offer",
        title="Dog walking",
        description="Happy to walk dogs",
        skills=[skill.slug],
        minutes_estimate=60,
        availability=["sat-morning"],
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert {k: data[k] for k in ("network", "kind", "title", "skills", "minutes_estimate", "owner", "status")} == {
        "network": network.slug,
        "kind": "offer",
        "title": "Dog walking",
        "skills": [skill.slug],
        "minutes_estimate": 60,
        "owner": alice.pk,
        "status": "open",
    }
    assert AuditEvent.objects.filter(action="listing.create", actor=alice).exists()


def test_a_listing_may_have_no_skills(api, network, alice):
    response = post(api, alice, network=network.slug, kind="request", title="Help with a letter from the council")
    assert response.status_code == 201 and response.json()["skills"] == []


def test_a_listing_with_an_unknown_skill_is_refused(api, network, alice):
    response = post(api, alice, network=network.slug, kind="offer", title="x", skills=["juggling-chainsaws"])
    assert response.status_code == 400 and "skills" in response.json()["error"]["fields"]
    assert not Listing.objects.exists()


def test_a_listing_with_bad_fields_names_them(api, network, alice):
    response = post(
        api, alice, network=network.slug, kind="offer", title="x", minutes_estimate=-5, availability=["someday"]
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"minutes_estimate", "availability"}


def test_a_listing_cannot_expire_in_the_past(api, network, alice):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = post(api, alice, network=network.slug, kind="offer", title="x", expires_on=yesterday)
    assert response.status_code == 400 and "expires_on" in response.json()["error"]["fields"]


def test_posting_in_another_network_is_not_found(api, network, stranger):
    response = post(api, stranger, network=network.slug, kind="offer", title="x")
    assert response.status_code == 404 and not Listing.objects.exists()


def test_a_commissioner_cannot_post_listings(api, network):
    commissioner = member(network, role=Membership.Role.COMMISSIONER).user
    response = post(api, commissioner, network=network.slug, kind="offer", title="x")
    assert response.status_code == 403


def test_a_supporter_posts_a_listing_for_the_member_they_support(api, network, dora, sam):
    response = post(api, sam, network=network.slug, kind="request", title="Lift to the GP", owner=dora.pk)
    assert response.status_code == 201 and response.json()["owner"] == dora.pk
    assert AuditEvent.objects.get(action="listing.create").on_behalf_of == dora


def test_a_member_cannot_post_a_listing_for_someone_else(api, network, alice, bob):
    response = post(api, alice, network=network.slug, kind="offer", title="x", owner=bob.pk)
    assert response.status_code == 403


@pytest.fixture
def listings(api, network, other_network, alice, bob, stranger, skills):
    lifts, pets = skills["lifts"], skills["pets"]
    post(api, alice, network=network.slug, kind="offer", title="Lifts to the hospital", skills=[lifts.slug])
    post(api, bob, network=network.slug, kind="request", title="Someone to walk my dog", skills=[pets.slug])
    post(api, bob, network=network.slug, kind="offer", title="Reading letters aloud", description="Forms too")
    post(api, stranger, network=other_network.slug, kind="offer", title="Lifts elsewhere")
    return {"lifts": lifts, "pets": pets}


def titles(response):
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["results"])


def test_browsing_shows_only_the_callers_networks(api, network, alice, listings):
    response = api.as_user(alice).get("/api/v1/listings/")
    assert titles(response) == ["Lifts to the hospital", "Reading letters aloud", "Someone to walk my dog"]
    assert response.json()["count"] == 3


def test_browsing_another_network_is_not_found(api, other_network, alice, listings):
    response = api.as_user(alice).get(f"/api/v1/listings/?network={other_network.slug}")
    assert response.status_code == 404


def test_browsing_by_kind_skill_category_and_text(api, network, alice, listings):
    client = api.as_user(alice)
    assert titles(client.get("/api/v1/listings/?kind=request")) == ["Someone to walk my dog"]
    assert titles(client.get(f"/api/v1/listings/?skill={listings['lifts'].slug}")) == ["Lifts to the hospital"]
    category = listings["pets"].category.slug
    assert titles(client.get(f"/api/v1/listings/?category={category}")) == ["Someone to walk my dog"]
    assert titles(client.get("/api/v1/listings/?q=forms")) == ["Reading letters aloud"]
    assert titles(client.get("/api/v1/listings/?q=LIFTS hospital")) == ["Lifts to the hospital"]


def test_browsing_is_paginated(api, network, alice, listings):
    response = api.as_user(alice).get("/api/v1/listings/?page_size=2")
    assert response.json()["count"] == 3 and len(response.json()["results"]) == 2
    assert response.json()["next"]


def test_an_expired_listing_is_not_browsed_even_before_it_is_closed(api, network, alice, listings):
    Listing.objects.filter(title="Reading letters aloud").update(
        expires_on=timezone.localdate() - datetime.timedelta(1)
    )
    assert "Reading letters aloud" not in titles(api.as_user(alice).get("/api/v1/listings/"))


def test_the_owner_pauses_and_edits_a_listing(api, network, alice):
    listing_id = post(api, alice, network=network.slug, kind="offer", title="Dog walks").json()["id"]
    response = api.as_user(alice).patch(
        f"/api/v1/listings/{listing_id}/", {"status": "paused", "title": "Dog walks at weekends"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paused" and response.json()["title"] == "Dog walks at weekends"
    assert titles(api.as_user(alice).get("/api/v1/listings/")) == []
    assert titles(api.as_user(alice).get("/api/v1/listings/?status=paused&mine=1")) == ["Dog walks at weekends"]


def test_another_member_cannot_edit_a_listing(api, network, alice, bob):
    listing_id = post(api, alice, network=network.slug, kind="offer", title="Dog walks").json()["id"]
    response = api.as_user(bob).patch(f"/api/v1/listings/{listing_id}/", {"status": "closed"}, format="json")
    assert response.status_code == 403
    assert Listing.objects.get().status == "open"


def test_a_coordinator_can_close_a_listing(api, network, coordinator, alice):
    listing_id = post(api, alice, network=network.slug, kind="offer", title="Dog walks").json()["id"]
    response = api.as_user(coordinator).patch(f"/api/v1/listings/{listing_id}/", {"status": "closed"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_a_listing_in_another_network_is_not_found(api, network, alice, stranger):
    listing_id = post(api, alice, network=network.slug, kind="offer", title="Dog walks").json()["id"]
    assert api.as_user(stranger).get(f"/api/v1/listings/{listing_id}/").status_code == 404
    response = api.as_user(stranger).patch(f"/api/v1/listings/{listing_id}/", {"status": "closed"}, format="json")
    assert response.status_code == 404


def test_the_owner_and_network_cannot_be_changed(api, network, alice, bob):
    listing_id = post(api, alice, network=network.slug, kind="offer", title="Dog walks").json()["id"]
    response = api.as_user(alice).patch(f"/api/v1/listings/{listing_id}/", {"owner": bob.pk}, format="json")
    assert response.status_code == 400 and "owner" in response.json()["error"]["fields"]


def test_an_exchange_from_a_listing_must_involve_its_owner(api, network, alice, bob):
    carol = member(network).user
    listing_id = post(api, alice, network=network.slug, kind="offer", title="Dog walks").json()["id"]
    body = {"network": network.slug, "listing": listing_id, "provider": bob.pk, "recipient": carol.pk, "minutes": 30}
    assert api.as_user(carol).post("/api/v1/exchanges/", body, format="json").status_code in (400, 403)
    body["provider"] = alice.pk
    response = api.as_user(carol).post("/api/v1/exchanges/", body, format="json")
    assert response.status_code == 201 and response.json()["listing"] == listing_id


def test_a_patch_that_is_not_an_object_is_a_400(api, network, alice):
    listing_id = post(api, alice, network=network.slug, kind="offer", title="Dog walks").json()["id"]
    response = api.as_user(alice).patch(f"/api/v1/listings/{listing_id}/", [{"title": "x"}], format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"
