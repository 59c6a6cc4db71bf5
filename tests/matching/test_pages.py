"""Pages: people who could help with a request, asking them, and the coordinator's unmatched list."""

import importlib.util

import pytest
from django.test import Client

from exchanges.matching.views import people_who_could_help
from exchanges.models import Exchange
from members.models import AuditEvent
from messaging.models import Block, Conversation
from messaging.notifications.models import Notification
from tests.factories import member
from tests.matching.helpers import listing

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dog_request(network, alice):
    return listing(alice, network, kind="request", title="Can someone walk my dog")


@pytest.fixture
def dog_walker(network, bob):
    return listing(bob, network, title="Happy to walk dogs")


def test_the_matches_page_shows_who_could_help_and_why(dog_request, dog_walker, alice, bob):
    response = client_for(alice).get(f"/listings/{dog_request.pk}/matches/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "People who could help" in page
    assert bob.name in page
    assert "You haven&#x27;t met yet" in page
    assert f"/listings/{dog_request.pk}/matches/ask/?provider={bob.pk}" in page


def test_the_include_has_nothing_for_someone_who_may_not_see_the_matches(dog_request, bob):
    assert people_who_could_help(listing=dog_request, user=bob) == {}


def test_another_member_of_the_network_gets_403_on_the_matches_page(dog_request, bob):
    assert client_for(bob).get(f"/listings/{dog_request.pk}/matches/").status_code == 403


def test_someone_from_another_network_gets_404_on_the_matches_page(dog_request, other_network):
    outsider = member(other_network).user
    assert client_for(outsider).get(f"/listings/{dog_request.pk}/matches/").status_code == 404


def test_asking_someone_who_is_not_a_match_proposes_nothing(dog_request, alice, network):
    stranger = member(network).user
    response = client_for(alice).post(f"/listings/{dog_request.pk}/matches/ask/", {"provider": stranger.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/listings/{dog_request.pk}/matches/"
    assert not Exchange.objects.exists()


@pytest.mark.skipif(
    importlib.util.find_spec("exchanges.services") is None,
    reason="exchanges.services.exchange_propose comes with the exchanges issue; Ask needs it",
)
def test_asking_a_match_proposes_the_chosen_time_and_opens_its_conversation_with_the_message(
    dog_request, dog_walker, alice, bob
):
    form = {"provider": bob.pk, "hours": 1, "minutes": 30, "message": "Could you walk Rex on Saturday?"}
    response = client_for(alice).post(f"/listings/{dog_request.pk}/matches/ask/", form)
    exchange = Exchange.objects.get()
    assert (exchange.provider, exchange.recipient, exchange.listing) == (bob, alice, dog_request)
    assert exchange.minutes == 90
    conversation = Conversation.objects.get(exchange=exchange)
    assert set(conversation.participants.values_list("user_id", flat=True)) == {alice.pk, bob.pk}
    assert list(conversation.messages.values_list("body", flat=True)) == ["Could you walk Rex on Saturday?"]
    assert response.status_code == 302
    assert response["Location"] == f"/conversations/{conversation.pk}/"


def test_asking_first_shows_a_form_for_the_time_and_a_message(dog_request, dog_walker, alice, bob):
    response = client_for(alice).get(f"/listings/{dog_request.pk}/matches/ask/?provider={bob.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Ask {bob.name}" in page
    assert 'name="hours"' in page and 'name="message"' in page
    assert not Exchange.objects.exists()


def test_asking_without_a_message_proposes_nothing_and_says_why(dog_request, dog_walker, alice, bob):
    form = {"provider": bob.pk, "hours": 1, "minutes": 0, "message": ""}
    response = client_for(alice).post(f"/listings/{dog_request.pk}/matches/ask/", form)
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Exchange.objects.exists()


def test_a_coordinator_sees_unmatched_requests_with_suggestions(network, coordinator, dog_request, dog_walker, bob):
    response = client_for(coordinator).get(f"/coordinator/{network.slug}/unmatched/")
    assert response.status_code == 200
    page = response.content.decode()
    assert dog_request.title in page
    assert f'name="member" value="{bob.pk}"' in page


@pytest.mark.parametrize("state", [Exchange.State.ACCEPTED, Exchange.State.AWAITING_APPROVAL])
def test_a_request_with_an_agreed_exchange_is_not_unmatched(network, coordinator, dog_request, alice, bob, state):
    Exchange.objects.create(
        network=network,
        listing=dog_request,
        provider=bob,
        recipient=alice,
        minutes=60,
        state=state,
        proposed_by=alice,
    )
    response = client_for(coordinator).get(f"/coordinator/{network.slug}/unmatched/")
    assert response.status_code == 200
    assert dog_request.title not in response.content.decode()


def test_introducing_tells_both_members_and_is_audited(network, coordinator, dog_request, dog_walker, alice, bob):
    response = client_for(coordinator).post(
        f"/coordinator/{network.slug}/unmatched/introduce/",
        {"listing": dog_request.pk, "member": bob.pk},
    )
    assert response.status_code == 302
    told = Notification.objects.filter(kind="match.introduce")
    assert sorted(n.user_id for n in told) == sorted([alice.pk, bob.pk])
    assert bob.name in told.get(user=alice).text
    event = AuditEvent.objects.get(action="match.introduce")
    assert event.actor == coordinator
    assert event.data == {"listing": dog_request.pk, "owner": alice.pk, "member": bob.pk}


def test_a_blocked_pair_cannot_be_introduced(network, coordinator, dog_request, dog_walker, alice, bob):
    Block.objects.create(network=network, blocker=alice, blocked=bob)
    response = client_for(coordinator).post(
        f"/coordinator/{network.slug}/unmatched/introduce/",
        {"listing": dog_request.pk, "member": bob.pk},
    )
    assert response.status_code == 400
    assert not Notification.objects.filter(kind="match.introduce").exists()
    assert not AuditEvent.objects.filter(action="match.introduce").exists()


def test_a_member_who_is_not_a_coordinator_gets_403(network, dog_request, bob):
    client = client_for(bob)
    assert client.get(f"/coordinator/{network.slug}/unmatched/").status_code == 403
    response = client.post(
        f"/coordinator/{network.slug}/unmatched/introduce/",
        {"listing": dog_request.pk, "member": bob.pk},
    )
    assert response.status_code == 403
    assert not Notification.objects.exists()


def test_a_coordinator_of_another_network_gets_404(network, other_network, dog_request, bob):
    outsider = member(other_network, role="coordinator").user
    client = client_for(outsider)
    assert client.get(f"/coordinator/{network.slug}/unmatched/").status_code == 404
    response = client.post(
        f"/coordinator/{network.slug}/unmatched/introduce/",
        {"listing": dog_request.pk, "member": bob.pk},
    )
    assert response.status_code == 404
    assert not Notification.objects.exists()


def test_a_listing_of_another_network_cannot_be_introduced(network, other_network, coordinator, bob):
    theirs = listing(member(other_network).user, other_network, kind="request", title="Dog walk")
    response = client_for(coordinator).post(
        f"/coordinator/{network.slug}/unmatched/introduce/",
        {"listing": theirs.pk, "member": bob.pk},
    )
    assert response.status_code == 404


def test_a_supporter_asking_a_helper_for_their_member_proposes_it_and_sends_the_message_from_themselves(
    network, dora, sam, bob, dog_walker
):
    """The exchange's conversation is the two parties' own: the supporter's message goes from them to the
    helper, and nothing is left half done (the proposal was made, then the page answered 404 and the
    message was lost)."""
    request = listing(dora, network, kind="request", title="Can someone walk my dog")
    page = client_for(sam).get(f"/listings/{request.pk}/matches/ask/?provider={bob.pk}").content.decode()
    assert f"For {dora.name}’s request" in page
    form = {"provider": bob.pk, "hours": 1, "minutes": 0, "message": "Could you walk Dora's dog on Saturday?"}
    response = client_for(sam).post(f"/listings/{request.pk}/matches/ask/", form)
    exchange = Exchange.objects.get()
    assert (exchange.provider, exchange.recipient) == (bob, dora)
    conversation = Conversation.objects.get(kind=Conversation.Kind.DIRECT)
    assert set(conversation.participants.values_list("user_id", flat=True)) == {sam.pk, bob.pk}
    assert list(conversation.messages.values_list("body", flat=True)) == ["Could you walk Dora's dog on Saturday?"]
    assert response.status_code == 302 and response["Location"] == f"/conversations/{conversation.pk}/"
    assert not Conversation.objects.filter(exchange=exchange).exists()


def test_a_message_that_cannot_be_sent_leaves_no_proposal_behind(
    monkeypatch, network, alice, bob, dog_request, dog_walker
):
    from exchanges.matching import views
    from timebank.errors import ValidationError

    def refused(**kwargs):
        raise ValidationError({"body": ["Messages are paused."]})

    monkeypatch.setattr(views, "message_send", refused)
    form = {"provider": bob.pk, "hours": 1, "minutes": 0, "message": "Could you walk Rex?"}
    response = client_for(alice).post(f"/listings/{dog_request.pk}/matches/ask/", form)
    assert response.status_code == 400
    assert not Exchange.objects.exists()


# Requests nobody can be suggested for: the coordinator's next step --------------------------------


def test_a_request_only_unchecked_people_could_help_with_names_them_with_a_way_to_record_a_check(
    network, coordinator, alice
):
    driver = member(network).user
    listing(driver, network, title="I can drive you to appointments")
    lift = listing(alice, network, kind="request", title="Lift to the hospital on Tuesday")
    page = client_for(coordinator).get(f"/coordinator/{network.slug}/unmatched/").content.decode()
    card = page[page.index(lift.title) :]
    assert "Only people with a current safeguarding check can help with this" in card
    assert driver.name in card
    assert f'href="/networks/{network.slug}/members/{driver.pk}/checks/new/"' in card
    # Not someone to introduce for a lift until checked.
    assert f'name="member" value="{driver.pk}"' not in card


def test_an_unchecked_person_is_never_introduced_for_sensitive_help(network, coordinator, alice):
    driver = member(network).user
    lift = listing(alice, network, kind="request", title="Lift to the hospital on Tuesday")
    response = client_for(coordinator).post(
        f"/coordinator/{network.slug}/unmatched/introduce/", {"listing": lift.pk, "member": driver.pk}
    )
    assert response.status_code == 400
    assert "needs a safeguarding check first" in response.content.decode()
    assert not Notification.objects.filter(kind="match.introduce").exists()


def test_a_coordinator_introduces_someone_they_know_when_nobody_fits(network, coordinator, alice):
    gutters = listing(alice, network, kind="request", title="Need my gutters cleared")
    neighbour = member(network).user
    page = client_for(coordinator).get(f"/coordinator/{network.slug}/unmatched/").content.decode()
    assert "If you know someone who could help, introduce them." in page
    assert f'<option value="{neighbour.pk}">{neighbour.name}</option>' in page
    assert f'<option value="{alice.pk}">' not in page
    response = client_for(coordinator).post(
        f"/coordinator/{network.slug}/unmatched/introduce/", {"listing": gutters.pk, "member": neighbour.pk}
    )
    assert response.status_code == 302
    told = Notification.objects.filter(kind="match.introduce")
    assert sorted(n.user_id for n in told) == sorted([alice.pk, neighbour.pk])


def test_the_person_asking_or_a_commissioner_is_not_introduced(network, coordinator, alice):
    gutters = listing(alice, network, kind="request", title="Need my gutters cleared")
    funder = member(network, role="commissioner").user
    for someone in (alice, funder):
        response = client_for(coordinator).post(
            f"/coordinator/{network.slug}/unmatched/introduce/", {"listing": gutters.pk, "member": someone.pk}
        )
        assert response.status_code == 400
    assert not Notification.objects.filter(kind="match.introduce").exists()


@pytest.mark.parametrize("status", ["closed", "paused"])
def test_a_listing_that_is_not_open_promises_no_match(dog_request, alice, status):
    from exchanges.models import Listing

    Listing.objects.filter(pk=dog_request.pk).update(status=status)
    for url in (f"/listings/{dog_request.pk}/", f"/listings/{dog_request.pk}/matches/"):
        page = client_for(alice).get(url).content.decode()
        assert "Nobody fits yet" not in page and "People who could help" not in page
    assert (
        "nobody is suggested for it" in client_for(alice).get(f"/listings/{dog_request.pk}/matches/").content.decode()
    )


def test_a_helper_without_a_licence_is_not_introduced_for_care_and_a_lift(network, coordinator, alice):
    from tests.matching.helpers import cleared_check

    helper = member(network)
    cleared_check(helper, coordinator, drives=False)
    both = ("help-getting-washed-and-dressed", "lifts-to-appointments")
    asked = listing(alice, network, kind="request", title="Help getting washed and a lift", skills=both)
    response = client_for(coordinator).post(
        f"/coordinator/{network.slug}/unmatched/introduce/", {"listing": asked.pk, "member": helper.user.pk}
    )
    assert response.status_code == 400
    assert not Notification.objects.filter(kind="match.introduce").exists()


def test_a_supporter_who_is_the_match_offers_their_own_help_in_the_exchanges_conversation(network, dora, sam):
    listing(sam, network, title="Happy to walk dogs")
    asked = listing(dora, network, kind="request", title="Can someone walk my dog")
    form = {"provider": sam.pk, "hours": 1, "minutes": 0, "message": "I'll take her on Saturday"}
    response = client_for(sam).post(f"/listings/{asked.pk}/matches/ask/", form)
    exchange = Exchange.objects.get()
    assert (exchange.provider, exchange.recipient) == (sam, dora)
    conversation = Conversation.objects.get(exchange=exchange)
    assert response.status_code == 302 and response["Location"] == f"/conversations/{conversation.pk}/"
