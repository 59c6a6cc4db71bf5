"""Ledger pages: the same services as the API, through plain form posts."""

import pytest

from exchanges.ledger.models import Transfer
from tests.ledger.conftest import account_of, issue, pot_of

pytestmark = pytest.mark.django_db


def test_my_time_shows_balance_and_available_minutes_and_the_statement(client, network, alice, bob):
    issue(network, account_of(alice, network), 90)
    client.force_login(alice)
    response = client.get("/time/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 h 30 min" in html
    assert "Issued: test hours" in html


def test_a_member_gives_hours_from_the_page(client, network, alice, bob):
    client.force_login(alice)
    form = {"kind": "gift", "to_member": bob.pk, "minutes": 30, "memo": "shopping", "key": "k1"}
    response = client.post(f"/time/{network.slug}/give/", form, follow=True)
    assert response.status_code == 200
    assert account_of(bob, network).balance == 30
    assert "30 min given" in response.content.decode()


def test_submitting_the_give_form_twice_gives_once(client, network, alice, bob):
    client.force_login(alice)
    form = {"kind": "gift", "to_member": bob.pk, "minutes": 30, "key": "same"}
    client.post(f"/time/{network.slug}/give/", form)
    response = client.post(f"/time/{network.slug}/give/", form, follow=True)
    assert Transfer.objects.count() == 1
    assert "already recorded" in response.content.decode()


def test_a_refused_gift_shows_why_and_writes_nothing(client, network, alice, bob):
    client.force_login(alice)
    form = {"kind": "gift", "to_member": bob.pk, "minutes": 601, "key": "k"}
    response = client.post(f"/time/{network.slug}/give/", form, follow=True)
    assert "Not enough time credit" in response.content.decode()
    assert Transfer.objects.count() == 0


def test_a_gift_refused_for_too_little_time_shows_the_form_again_with_what_was_typed(client, network, alice, bob):
    client.force_login(alice)
    form = {"kind": "gift", "to_member": bob.pk, "hours": 10, "minutes": 15, "memo": "for the garden", "key": "k"}
    response = client.post(f"/time/{network.slug}/give/", form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Not enough time credit" in html
    assert f'<option value="{bob.pk}" selected>' in html
    assert 'name="hours" value="10"' in html and '<option value="15" selected>' in html
    assert 'value="for the garden"' in html


@pytest.mark.parametrize(
    ("hours", "minutes", "said"),
    [
        (0, 0, "Give at least 1 minute."),
        (20000, 0, "You can give up to 10 h."),
        (16666, 45, "You can give up to 10 h."),
    ],
)
def test_a_gift_of_no_time_or_of_too_much_says_the_limit_in_plain_words(
    client, network, alice, bob, hours, minutes, said
):
    client.force_login(alice)
    form = {"kind": "gift", "to_member": bob.pk, "hours": hours, "minutes": minutes, "key": "k"}
    html = client.post(f"/time/{network.slug}/give/", form).content.decode()
    assert f'class="errorlist nonfield"><li>{said}</li>' in html and "16666" not in html.replace(f'value="{hours}"', "")
    assert Transfer.objects.count() == 0


def test_a_member_donates_to_the_pot_from_the_page(client, network, alice):
    client.force_login(alice)
    client.post(f"/time/{network.slug}/give/", {"kind": "donation", "minutes": 15, "key": "d"})
    assert pot_of(network).balance == 15


def test_a_coordinator_sees_every_account_and_issues_hours_with_a_reason(client, network, coordinator, alice):
    client.force_login(coordinator)
    assert client.get(f"/networks/{network.slug}/ledger/").status_code == 200
    form = {"action": "issue", "to_party": alice.pk, "minutes": 120, "reason": "Welcome", "key": "i1"}
    client.post(f"/networks/{network.slug}/ledger/", form)
    assert account_of(alice, network).balance == 120
    assert Transfer.objects.get().reason == "Welcome"


def test_a_coordinator_changes_a_floor_from_the_page(client, network, coordinator, alice):
    client.force_login(coordinator)
    form = {"action": "floor", "to_party": alice.pk, "floor_minutes": -900, "reason": "Agreed", "key": "f"}
    client.post(f"/networks/{network.slug}/ledger/", form)
    assert account_of(alice, network).floor == -900


def test_a_coordinator_action_without_a_reason_does_nothing(client, network, coordinator, alice):
    client.force_login(coordinator)
    form = {"action": "issue", "to_party": alice.pk, "minutes": 120, "reason": "", "key": "i2"}
    client.post(f"/networks/{network.slug}/ledger/", form)
    assert Transfer.objects.count() == 0


def test_a_refused_coordinator_action_shows_the_form_again_with_what_was_typed(client, network, coordinator, alice):
    client.force_login(coordinator)
    form = {"action": "grant", "from_party": "pot", "to_party": alice.pk, "reason": "Coffee morning", "key": "g"}
    response = client.post(f"/networks/{network.slug}/ledger/", form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "errorlist" in html
    assert '<option value="grant" selected>' in html and f'<option value="{alice.pk}" selected>' in html
    assert 'value="Coffee morning"' in html
    assert Transfer.objects.count() == 0


def test_a_member_cannot_open_the_coordinators_ledger(client, network, alice):
    client.force_login(alice)
    assert client.get(f"/networks/{network.slug}/ledger/").status_code == 403
    client.post(f"/networks/{network.slug}/ledger/", {"action": "issue", "to_party": alice.pk, "minutes": 5})
    assert Transfer.objects.count() == 0


def test_pages_of_a_network_out_of_reach_answer_not_found(client, network, other_network, alice):
    client.force_login(alice)
    assert client.post(f"/time/{other_network.slug}/give/", {"kind": "donation", "minutes": 5}).status_code == 404
    assert client.get(f"/networks/{other_network.slug}/ledger/").status_code == 404
