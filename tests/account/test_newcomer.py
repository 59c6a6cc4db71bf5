"""A newcomer's first steps: a name of their own (never their email address), the network's questions
wherever they join from, one waiting card, an email address that fits, a statement in their language."""

import pytest
from django.utils import translation

from exchanges.ledger.models import Transfer
from exchanges.ledger.selectors import transfer_description
from exchanges.ledger.services import account_open
from members.models import Membership, User
from tests.factories import NetworkFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def test_a_member_without_a_name_is_never_shown_by_their_email_address(api, client, network, alice):
    newcomer = UserFactory(email="jane.doe.1975@example.net", display_name="")
    member(network, user=newcomer)
    assert "jane" not in newcomer.name and newcomer.name == f"Member {newcomer.pk}"
    listed = api.as_user(alice).get(f"/api/v1/networks/{network.slug}/members/").json()
    assert not any("jane" in str(row).lower() for row in listed["results"])
    client.force_login(alice)
    assert "jane.doe" not in client.get(f"/networks/{network.slug}/members/").content.decode()


def test_the_welcome_page_asks_a_name_and_the_networks_questions(client):
    network = NetworkFactory(slug="demo", name="Harlesden KeyRing", join_questions=["What could you help with?"])
    person = UserFactory(display_name="")
    client.force_login(person)
    page = client.get("/welcome/").content.decode()
    assert 'name="display_name"' in page and "What could you help with?" in page
    response = client.post("/networks/demo/join/", {"next": "/welcome/", "display_name": "Jane", "answer": "Gardens"})
    assert response["Location"] == "/welcome/"
    joined = Membership.objects.get(user=person, network=network)
    assert joined.join_answers == [{"question": "What could you help with?", "answer": "Gardens"}]
    assert User.objects.get(pk=person.pk).display_name == "Jane"


def test_a_name_that_does_not_show_is_refused_when_joining_and_nothing_is_asked(client):
    NetworkFactory(slug="demo")
    person = UserFactory(display_name="")
    client.force_login(person)
    client.post("/networks/demo/join/", {"next": "/welcome/", "display_name": "\u200b\u200b"})
    assert not Membership.objects.filter(user=person).exists()
    assert User.objects.get(pk=person.pk).display_name == ""


def test_someone_with_a_name_is_not_asked_it_again(client):
    NetworkFactory(slug="demo")
    client.force_login(UserFactory(display_name="Jane"))
    assert 'name="display_name"' not in client.get("/welcome/").content.decode()


def test_home_says_once_that_a_coordinator_will_look_at_the_request(client):
    NetworkFactory(slug="demo", name="Harlesden KeyRing")
    client.force_login(UserFactory())
    client.post("/networks/demo/join/", {"next": "/welcome/"})
    page = client.get("/").content.decode()
    assert page.count("You asked to join Harlesden KeyRing") == 1


def test_an_email_address_too_long_to_store_is_refused_at_sign_up_not_cut_short(client):
    address = "b" * 250 + "@example.net"
    response = client.post("/accounts/signup/", {"email": address, "password1": "a-long-passphrase"})
    assert response.status_code == 200 and "at most 254 characters" in response.content.decode()
    assert not User.objects.filter(email__startswith="bbbb").exists()


def test_the_statement_reads_in_the_members_language():
    network = NetworkFactory(welcome_minutes=120)
    account_open(membership=member(network, user=UserFactory()))
    welcome = Transfer.objects.get(kind=Transfer.Kind.ISSUE)
    assert welcome.reason == "Welcome hours" and transfer_description(welcome).endswith("Welcome hours")
    with translation.override("cy"):
        described = transfer_description(welcome)
    assert "Welcome hours" not in described and "Issued" not in described, described


def test_a_leaving_members_statement_line_reads_in_their_language():
    from exchanges.ledger.models import LEFT_BALANCE

    network = NetworkFactory(welcome_minutes=60)
    member(network, user=UserFactory())
    line = Transfer.objects.get(kind=Transfer.Kind.ISSUE)
    line.memo = LEFT_BALANCE
    with translation.override("cy"):
        assert "Balance on leaving" not in transfer_description(line)


def test_signing_up_names_the_person_to_themselves_by_their_email_until_they_give_a_name(client):
    response = client.post(
        "/accounts/signup/", {"email": "nia@example.org", "password1": "a-long-passphrase"}, follow=True
    )
    page = response.content.decode()
    assert "Successfully signed in as nia@example.org" in page and "Member " not in page
