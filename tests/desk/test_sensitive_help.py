"""Sensitive help is recognised from what people write, not only from ticked skills: for listings,
direct proposals and records alike; the coordinator sees why it was held (API and approval card)."""

import pytest
from django.test import Client

from exchanges import services
from exchanges.listings import listing_create
from exchanges.models import Exchange
from members.models import Network
from tests.exchanges.conftest import issue
from tests.exchanges.helpers import proposed

pytestmark = pytest.mark.django_db

LIFT_TITLE = "Lift to the hospital"
LIFT_TEXT = "I can drive you to the hospital or GP"


def rule(network, approval):
    Network.objects.filter(pk=network.pk).update(approval=approval)
    network.refresh_from_db()


def lift_offer(network, helper):
    return listing_create(actor=helper, network=network, kind="offer", title=LIFT_TITLE, description=LIFT_TEXT)


def test_a_lift_written_in_words_with_nothing_ticked_is_held_under_sensitive(api, network, coordinator, alice, bob):
    rule(network, "sensitive")
    issue(network, alice, 120)
    offer = lift_offer(network, bob)
    assert not offer.skills.exists()
    exchange = proposed(network, bob, alice, listing=offer, actor=alice)
    exchange = services.exchange_accept(actor=bob, exchange=exchange)
    assert exchange.state == "awaiting_approval"
    data = api.as_user(coordinator).get(f"/api/v1/exchanges/{exchange.pk}/").json()
    assert data["state"] == "awaiting_approval"
    assert data["held_because"].startswith("Held because it looks like")
    assert "(Getting about)" in data["held_because"]
    assert "drive you to the hospital" in data["held_because"]


def test_the_approval_card_says_why(network, coordinator, alice, bob):
    rule(network, "sensitive")
    issue(network, alice, 120)
    exchange = services.exchange_accept(
        actor=bob, exchange=proposed(network, bob, alice, listing=lift_offer(network, bob), actor=alice)
    )
    client = Client()
    client.force_login(coordinator)
    for url in ("/coordinator/exchanges/", f"/exchanges/{exchange.pk}/", "/coordinator/"):
        html = client.get(url).content.decode()
        assert "Held because it looks like" in html, url
        assert "drive you to the hospital" in html, url


def test_a_direct_proposal_about_personal_care_is_held(network, alice, bob):
    rule(network, "sensitive")
    issue(network, alice, 120)
    exchange = proposed(network, bob, alice, actor=alice, description="Help getting washed and dressed on Mondays")
    exchange = services.exchange_accept(actor=bob, exchange=exchange)
    assert exchange.state == "awaiting_approval"


def test_everyday_help_goes_ahead_under_sensitive(api, network, alice, bob):
    rule(network, "sensitive")
    issue(network, alice, 120)
    exchange = proposed(network, bob, alice, actor=alice, description="Weeding the front garden")
    exchange = services.exchange_accept(actor=bob, exchange=exchange)
    assert exchange.state == "accepted"
    assert api.as_user(alice).get(f"/api/v1/exchanges/{exchange.pk}/").json()["held_because"] is None


@pytest.mark.parametrize(
    ("description", "held"),
    [
        ("Shopping", False),
        ("Help with the weekly shop", False),
        ("Take me shopping in the car", True),
        # A lift on its own is a ride; lifting is of something ("a lift with the wardrobe").
        ("Lift", True),
        ("A lift with the wardrobe", False),
    ],
)
def test_only_what_the_help_is_mainly_about_decides(network, alice, bob, description, held):
    # "Shopping" reads first as food shopping and only faintly as a lift to the shops: it goes ahead.
    rule(network, "sensitive")
    issue(network, alice, 120)
    exchange = proposed(network, bob, alice, actor=alice, description=description)
    exchange = services.exchange_accept(actor=bob, exchange=exchange)
    assert (exchange.state == "awaiting_approval") is held


def test_under_never_a_lift_goes_ahead(network, alice, bob):
    rule(network, "never")
    issue(network, alice, 120)
    exchange = services.exchange_accept(
        actor=bob, exchange=proposed(network, bob, alice, listing=lift_offer(network, bob), actor=alice)
    )
    assert exchange.state == "accepted"


def test_under_always_the_reason_says_so(api, network, coordinator, alice, bob):
    rule(network, "always")
    issue(network, alice, 120)
    exchange = proposed(network, bob, alice, actor=alice, description="Weeding the front garden")
    exchange = services.exchange_accept(actor=bob, exchange=exchange)
    data = api.as_user(coordinator).get(f"/api/v1/exchanges/{exchange.pk}/").json()
    assert data["held_because"] == "Held because this network approves all help before it happens."


def test_a_recorded_lift_is_held_then_approved_then_confirmed(api, network, coordinator, alice, bob):
    rule(network, "sensitive")
    issue(network, alice, 120)
    body = {
        "network": network.slug,
        "provider": bob.pk,
        "recipient": alice.pk,
        "minutes": 60,
        "description": "Drove Alice to her hospital appointment",
    }
    response = api.as_user(bob).post("/api/v1/exchanges/record/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "awaiting_approval"
    assert "hospital appointment" in response.json()["held_because"]
    exchange = Exchange.objects.get(pk=response.json()["id"])
    # Nobody confirms it before a coordinator has looked.
    assert "confirm" not in api.as_user(alice).get(f"/api/v1/exchanges/{exchange.pk}/").json()["actions"]
    approved = api.as_user(coordinator).post(
        f"/api/v1/exchanges/{exchange.pk}/approve/", {"reason": "Bob is checked"}, format="json"
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "claimed"
    confirmed = api.as_user(alice).post(f"/api/v1/exchanges/{exchange.pk}/confirm/", {}, format="json")
    assert confirmed.json()["state"] == "posted"


def test_a_ticked_sensitive_skill_still_counts(network, alice, bob):
    from members.models import Skill

    rule(network, "sensitive")
    issue(network, alice, 120)
    lifts = Skill.objects.get(slug="lifts-to-appointments")
    offer = listing_create(actor=bob, network=network, kind="offer", title="Saturdays", skills=[lifts])
    exchange = services.exchange_accept(actor=bob, exchange=proposed(network, bob, alice, listing=offer, actor=alice))
    assert exchange.state == "awaiting_approval"


@pytest.mark.parametrize(
    ("description", "quoted"),
    [
        ("Hello all. Drop me to the mosque for Jummah please, thank you", "Drop me to the mosque for Jummah please"),
        ("Hi there, could anyone put mum to bed on Fridays? She is 90", "could anyone put mum to bed on Fridays"),
    ],
)
def test_help_held_for_a_saying_quotes_it_and_never_says_it_was_ticked(
    api, network, coordinator, alice, bob, description, quoted
):
    # No word of the text names the skill, so the reason said the help "was marked as" a lift or care.
    rule(network, "sensitive")
    issue(network, alice, 120)
    exchange = proposed(network, bob, alice, actor=alice, description=description)
    exchange = services.exchange_accept(actor=bob, exchange=exchange)
    assert exchange.state == "awaiting_approval"
    why = api.as_user(coordinator).get(f"/api/v1/exchanges/{exchange.pk}/").json()["held_because"]
    assert why.startswith("Held because it looks like") and f"'{quoted}'" in why, why
