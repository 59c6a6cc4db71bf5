"""The listing and exchange pages call the same services as the API: one tap per step."""

import pytest
from django.test import Client

from exchanges import services
from exchanges.ledger.models import Transfer
from exchanges.models import Exchange, Listing
from members.models import Network
from messaging.notifications.models import Notification
from tests.exchanges.conftest import account
from tests.exchanges.helpers import disputed, proposed

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_posts_a_listing_from_the_page(network, alice):
    response = client_for(alice).post(
        "/listings/new/",
        {
            "network": network.pk,
            "kind": "offer",
            "title": "Dog walks",
            "minutes_estimate": 45,
            "availability": ["sat-morning"],
        },
    )
    listing = Listing.objects.get()
    assert response.status_code == 302 and response.url == f"/listings/{listing.pk}/"
    assert (listing.owner, listing.title, listing.availability) == (alice, "Dog walks", ["sat-morning"])


def test_a_member_changes_their_listing_from_the_page(network, alice):
    listing = services.listing_create(actor=alice, network=network, kind="offer", title="Dog walks")
    response = client_for(alice).post(
        f"/listings/{listing.pk}/edit/",
        {
            "title": "Dog walks and feeding",
            "description": "Cats too",
            "availability": ["sun-morning"],
            "status": "paused",
        },
    )
    assert response.status_code == 302 and response.url == f"/listings/{listing.pk}/"
    listing.refresh_from_db()
    assert (
        listing.owner,
        listing.network,
        listing.title,
        listing.description,
        listing.availability,
        listing.status,
    ) == (
        alice,
        network,
        "Dog walks and feeding",
        "Cats too",
        ["sun-morning"],
        "paused",
    )


def test_the_browse_page_lists_and_searches_listings(network, alice, bob):
    client_for(alice).post("/listings/new/", {"network": network.pk, "kind": "offer", "title": "Dog walks"})
    client_for(alice).post("/listings/new/", {"network": network.pk, "kind": "request", "title": "Fix my tap"})
    page = client_for(bob).get("/listings/?q=tap")
    assert page.status_code == 200
    assert "Fix my tap" in page.content.decode() and "Dog walks" not in page.content.decode()


def test_one_tap_on_a_listing_proposes_an_exchange(network, alice, bob):
    client_for(alice).post("/listings/new/", {"network": network.pk, "kind": "offer", "title": "Dog walks"})
    listing = Listing.objects.get()
    response = client_for(bob).post(f"/listings/{listing.pk}/propose/", {"minutes": 60})
    exchange = Exchange.objects.get()
    assert response.status_code == 302 and response.url == f"/exchanges/{exchange.pk}/"
    assert (exchange.provider, exchange.recipient, exchange.listing, exchange.state) == (
        alice,
        bob,
        listing,
        "proposed",
    )


def test_a_listing_in_another_network_is_a_404_page(network, alice, stranger):
    client_for(alice).post("/listings/new/", {"network": network.pk, "kind": "offer", "title": "Dog walks"})
    assert client_for(stranger).get(f"/listings/{Listing.objects.get().pk}/").status_code == 404


def test_the_exchange_page_says_what_happens_next_and_accepting_is_one_tap(network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    page = client_for(bob).get(f"/exchanges/{exchange.pk}/").content.decode()
    assert "Tap Accept to agree" in page
    response = client_for(bob).post(f"/exchanges/{exchange.pk}/accept/")
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.state == "accepted" and account(network, alice).held == 60


def test_claiming_and_confirming_are_one_tap_each(network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    client_for(bob).post(f"/exchanges/{exchange.pk}/accept/")
    client_for(bob).post(f"/exchanges/{exchange.pk}/complete/", {"minutes": 50})
    page = client_for(alice).get(f"/exchanges/{exchange.pk}/").content.decode()
    assert "Confirm 50 min" in page
    client_for(alice).post(f"/exchanges/{exchange.pk}/confirm/")
    exchange.refresh_from_db()
    assert exchange.state == "posted" and Transfer.objects.get(exchange=exchange).minutes == 50


def test_once_confirmed_the_asks_to_confirm_leave_what_needs_me(network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    client_for(bob).post(f"/exchanges/{exchange.pk}/accept/")
    client_for(bob).post(f"/exchanges/{exchange.pk}/complete/", {"minutes": 50})
    url = f"/exchanges/{exchange.pk}/"
    assert Notification.objects.filter(user=alice, url=url, read_at__isnull=True).count() == 2
    assert "please confirm it" in client_for(alice).get("/").content.decode()
    client_for(alice).post(f"/exchanges/{exchange.pk}/confirm/")
    assert not Notification.objects.filter(user=alice, url=url, read_at__isnull=True).exists()
    assert "please confirm it" not in client_for(alice).get("/").content.decode()
    # Bob did not act on the confirmation: he is told it was confirmed.
    assert Notification.objects.filter(user=bob, url=url, read_at__isnull=True).exists()


def test_a_refused_step_shows_a_message_and_changes_nothing(network, alice, bob):
    exchange = proposed(network, bob, alice, 700, actor=alice)
    response = client_for(bob).post(f"/exchanges/{exchange.pk}/accept/", follow=True)
    assert "Not enough time credit" in response.content.decode()
    exchange.refresh_from_db()
    assert exchange.state == "proposed"


def test_someone_elses_exchange_is_a_404_page(network, alice, bob, stranger):
    exchange = proposed(network, bob, alice, actor=alice)
    assert client_for(stranger).get(f"/exchanges/{exchange.pk}/").status_code == 404
    assert client_for(stranger).post(f"/exchanges/{exchange.pk}/accept/").status_code == 404


def test_i_helped_someone_records_a_claim_for_them_to_confirm(network, alice, bob):
    membership = bob.memberships.get(network=network)
    response = client_for(alice).post(
        "/exchanges/record/", {"direction": "gave", "who": "me", "other": f"m:{membership.pk}", "minutes": 30}
    )
    exchange = Exchange.objects.get()
    assert response.status_code == 302
    assert (exchange.provider, exchange.recipient, exchange.state) == (alice, bob, "claimed")


def test_someone_helped_me_can_name_the_pot(network, alice):
    response = client_for(alice).post(
        "/exchanges/record/", {"direction": "received", "who": "me", "other": f"pot:{network.pk}", "minutes": 30}
    )
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert (exchange.provider, exchange.recipient) == (None, alice)


def test_a_supporter_records_help_with_the_member_they_support(network, alice, dora, sam):
    dora_membership = dora.memberships.get(network=network)
    alice_membership = alice.memberships.get(network=network)
    client_for(sam).post(
        "/exchanges/record/",
        {"direction": "received", "who": f"m:{dora_membership.pk}", "other": f"m:{alice_membership.pk}", "minutes": 30},
    )
    exchange = Exchange.objects.get()
    assert (exchange.provider, exchange.recipient, exchange.claimed_by) == (alice, dora, sam)


def test_the_coordinator_queue_lists_what_needs_them_and_resolves_with_a_reason(network, coordinator, alice, bob, dora):
    dispute = disputed(network, alice, bob, 30)
    supported = services.exchange_record(actor=alice, network=network, provider=alice, recipient=dora, minutes=20)
    Network.objects.filter(pk=network.pk).update(approval="always")
    needs = proposed(network, bob, alice, actor=alice)
    client_for(bob).post(f"/exchanges/{needs.pk}/accept/")
    page = client_for(coordinator).get("/coordinator/exchanges/")
    assert page.status_code == 200
    assert page.context["sections"][0][1]["approvals"].get() == needs
    assert page.context["sections"][0][1]["disputes"].get() == dispute
    assert page.context["sections"][0][1]["supported_claims"].get() == supported
    response = client_for(coordinator).post(
        f"/exchanges/{dispute.pk}/resolve/", {"minutes": 0, "reason": "", "next": "/coordinator/exchanges/"}
    )
    dispute.refresh_from_db()
    assert response.url == "/coordinator/exchanges/" and dispute.state == "disputed"
    client_for(coordinator).post(
        f"/exchanges/{dispute.pk}/resolve/",
        {"minutes": 0, "reason": "Never happened", "next": "/coordinator/exchanges/"},
    )
    dispute.refresh_from_db()
    assert dispute.state == "cancelled"
    client_for(coordinator).post(f"/exchanges/{supported.pk}/confirm/", {"reason": "Asked Dora at the coffee morning"})
    supported.refresh_from_db()
    assert supported.state == "posted"
    assert Transfer.objects.get(exchange=supported).on_behalf_of == dora


def test_the_queue_is_only_for_coordinators(network, alice):
    assert client_for(alice).get("/coordinator/exchanges/").status_code == 403


def test_a_redirect_never_leaves_the_site(network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    response = client_for(bob).post(f"/exchanges/{exchange.pk}/accept/", {"next": "https://evil.example/"})
    assert response.url == f"/exchanges/{exchange.pk}/"


@pytest.mark.parametrize("page", ["new", "edit"])
def test_a_skill_id_no_row_can_have_is_an_invalid_choice_on_the_listing_form(network, alice, page):
    listing = services.listing_create(actor=alice, network=network, kind="offer", title="Dog walks")
    url = "/listings/new/" if page == "new" else f"/listings/{listing.pk}/edit/"
    form = {"network": network.pk, "kind": "offer", "title": "Cat sitting", "status": "open"}
    for huge in ("99999999999999999999999", "-1", "1e3"):
        response = client_for(alice).post(url, {**form, "skills": [huge]})
        assert response.status_code == 200
        assert "skills" in response.context["form"].errors
    listing.refresh_from_db()
    assert list(Listing.objects.values_list("title", flat=True)) == ["Dog walks"]


def test_a_listing_names_at_most_twenty_kinds_of_help_from_the_page_as_from_the_api(network, alice):
    from members.models import Skill

    ids = list(Skill.objects.values_list("pk", flat=True)[:21])
    assert len(ids) == 21
    page = client_for(alice).post(
        "/listings/new/", {"network": network.pk, "kind": "offer", "title": "Anything", "skills": ids}
    )
    assert page.status_code == 200
    assert page.context["form"].errors["skills"] == ["Choose up to 20 kinds of help."]
    assert not Listing.objects.exists()
    listing = services.listing_create(
        actor=alice,
        network=network,
        kind="offer",
        title="Dog walks",
        skills=list(Skill.objects.filter(pk__in=ids[:20])),
    )
    edit = client_for(alice).post(
        f"/listings/{listing.pk}/edit/", {"title": "Dog walks", "status": "open", "skills": ids}
    )
    assert edit.status_code == 200 and edit.context["form"].errors["skills"] == ["Choose up to 20 kinds of help."]
    assert listing.skills.count() == 20


def test_a_listing_keeps_its_end_date_when_only_its_title_changes_on_the_page(network, alice):
    """The date box is the browser's picker, which reads only ISO: a date shown as "31/01/2027" showed
    nothing and the next save sent nothing, so the end date was lost."""
    import datetime
    import re

    from django.utils import timezone, translation

    ends = timezone.localdate() + datetime.timedelta(days=40)
    listing = services.listing_create(actor=alice, network=network, kind="offer", title="Dog walks", expires_on=ends)
    client = client_for(alice)
    with translation.override("en-gb"):
        page = client.get(f"/listings/{listing.pk}/edit/").content.decode()
    [box] = re.findall(r'<input type="date" name="expires_on"[^>]*>', page)
    assert f'value="{ends.isoformat()}"' in box
    # The browser sends back what the box holds, with the one change made.
    client.post(
        f"/listings/{listing.pk}/edit/",
        {"title": "Dog walks and feeding", "status": "open", "expires_on": ends.isoformat()},
    )
    listing.refresh_from_db()
    assert (listing.title, listing.expires_on) == ("Dog walks and feeding", ends)


def test_the_activity_form_starts_on_today_in_the_date_box(network, coordinator):
    from django.utils import timezone

    page = client_for(coordinator).get(f"/networks/{network.slug}/activities/new/").content.decode()
    assert f'type="date" name="happened_on" value="{timezone.localdate().isoformat()}"' in page


def test_a_supporter_may_change_and_renew_a_listing_for_their_member_but_not_answer_it(network, alice, dora, sam):
    import datetime

    from django.utils import timezone

    ends = timezone.localdate() + datetime.timedelta(days=5)
    listing = services.listing_create(
        actor=sam, network=network, kind="request", title="Lift to the clinic", owner=dora, expires_on=ends
    )
    page = client_for(sam).get(f"/listings/{listing.pk}/")
    html = page.content.decode()
    assert f'href="/listings/{listing.pk}/edit/"' in html and f'action="/listings/{listing.pk}/renew/"' in html
    assert f'action="/listings/{listing.pk}/propose/"' not in html
    # Someone else in the network may answer it, and may not change it.
    other = client_for(alice).get(f"/listings/{listing.pk}/").content.decode()
    assert f'action="/listings/{listing.pk}/propose/"' in other
    assert f'href="/listings/{listing.pk}/edit/"' not in other and "/renew/" not in other


def test_a_claim_with_the_pot_or_a_supported_member_does_not_promise_to_confirm_itself(network, alice, bob, dora):
    with_pot = services.exchange_record(actor=alice, network=network, provider=alice, recipient=None, minutes=20)
    with_dora = services.exchange_record(actor=alice, network=network, provider=alice, recipient=dora, minutes=20)
    with_bob = services.exchange_record(actor=alice, network=network, provider=alice, recipient=bob, minutes=20)
    for exchange in (with_pot, with_dora):
        html = client_for(alice).get(f"/exchanges/{exchange.pk}/").content.decode()
        assert "it is confirmed" not in html and "A coordinator will check this one" in html
    html = client_for(alice).get(f"/exchanges/{with_bob.pk}/").content.decode()
    assert "If they don’t answer in 7 days, it is confirmed." in html


def test_the_exchange_list_says_whose_exchanges_it_holds_besides_your_own(network, alice, bob, dora, sam, coordinator):
    services.exchange_record(actor=alice, network=network, provider=alice, recipient=dora, minutes=20)
    supporter = client_for(sam).get("/exchanges/").content.decode()
    assert "<h1>Exchanges</h1>" in supporter and "My exchanges" not in supporter
    assert f"The exchanges of {dora.name}, who you support, are here too." in supporter
    coordinating = client_for(coordinator).get("/exchanges/").content.decode()
    assert f"Every exchange in {network.name} is here too" in coordinating
    own = client_for(bob).get("/exchanges/").content.decode()
    assert "<h1>My exchanges</h1>" in own and "here too" not in own


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_a_renewed_listing_says_its_new_end_as_a_date_in_the_readers_language(network, alice, language):
    import datetime

    from django.utils import timezone, translation
    from django.utils.formats import date_format

    alice.language = language
    alice.save(update_fields=["language"])
    ends = timezone.localdate() + datetime.timedelta(days=5)
    listing = services.listing_create(actor=alice, network=network, kind="offer", title="Dog walks", expires_on=ends)
    renewed = ends + datetime.timedelta(days=30)
    page = client_for(alice).post(f"/listings/{listing.pk}/renew/", follow=True).content.decode()
    with translation.override(language):
        said = date_format(renewed, "DATE_FORMAT")
    assert renewed.isoformat() not in page and said in page


def test_on_my_offer_each_person_who_could_use_it_has_a_next_step(network, alice, bob):
    offer = services.listing_create(actor=alice, network=network, kind="offer", title="Dog walking")
    wanted = services.listing_create(actor=bob, network=network, kind="request", title="Dog walking")
    page = client_for(alice).get(f"/listings/{offer.pk}/").content.decode()
    assert "People who could use this" in page
    assert f'href="/listings/{wanted.pk}/"' in page and f"See what {bob.name} needs" in page
