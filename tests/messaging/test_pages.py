"""Pages: conversation list, chat (form post and reload), notifications, the unread badge."""

import pytest

from messaging import services
from messaging.models import Block, Message, MessageReport
from messaging.notifications import services as notification_services
from messaging.notifications.models import Notification
from messaging.selectors import unread_messages_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_the_conversation_list_shows_unread_counts(browser, chat, alice, bob):
    services.message_send(conversation=chat, sender=alice, body="hello")
    page = browser(bob).get("/conversations/")
    assert page.status_code == 200
    html = page.content.decode()
    assert alice.name in html and "1 unread message" in html


def test_the_layout_shows_unread_messages_and_notifications(browser, chat, alice, bob):
    services.message_send(conversation=chat, sender=alice, body="hello")
    html = browser(bob).get("/notifications/").content.decode()
    assert 'id="nav-messages"' in html and "1 unread message" in html
    assert "New message from" in html


def test_posting_the_chat_form_sends_and_reloads(browser, chat, alice):
    response = browser(alice).post(f"/conversations/{chat.pk}/", {"body": "From the form", "client_id": "f1"})
    assert response.status_code == 302 and response["Location"] == f"/conversations/{chat.pk}/"
    again = browser(alice).post(f"/conversations/{chat.pk}/", {"body": "From the form", "client_id": "f1"})
    assert again.status_code == 302
    assert list(Message.objects.values_list("body", flat=True)) == ["From the form"]
    page = browser(alice).get(f"/conversations/{chat.pk}/").content.decode()
    assert "From the form" in page and 'for="body"' in page


def test_opening_the_chat_marks_it_read(browser, chat, alice, bob):
    services.message_send(conversation=chat, sender=alice, body="hello")
    browser(bob).get(f"/conversations/{chat.pk}/")
    assert unread_messages_count(user=bob) == 0


def test_an_empty_message_from_the_form_is_refused_with_a_message(browser, chat, alice):
    response = browser(alice).post(f"/conversations/{chat.pk}/", {"body": "  "}, follow=True)
    assert response.status_code == 200 and "A message needs some text." in response.content.decode()
    assert not Message.objects.exists()


def test_someone_elses_chat_page_is_404(browser, chat, network):
    from tests.factories import member

    assert browser(member(network).user).get(f"/conversations/{chat.pk}/").status_code == 404


def test_starting_a_conversation_from_a_form(browser, network, alice, bob):
    response = browser(alice).post("/conversations/start/", {"network": network.slug, "member": bob.pk})
    assert response.status_code == 302 and response["Location"].startswith("/conversations/")


def test_blocking_from_the_chat_page(browser, chat, network, alice, bob):
    browser(alice).post(f"/conversations/{chat.pk}/block/", {"member": bob.pk, "action": "block"})
    assert Block.objects.filter(network=network, blocker=alice, blocked=bob).exists()


def test_reporting_from_the_page(browser, chat, alice, bob):
    message, _ = services.message_send(conversation=chat, sender=alice, body="rude")
    assert browser(bob).get(f"/messages/{message.pk}/report/").status_code == 200
    browser(bob).post(f"/messages/{message.pk}/report/", {"reason": "unkind"})
    assert MessageReport.objects.get().reason == "unkind"


def test_notifications_are_marked_read_from_the_page(browser, network, alice):
    note = notification_services.notification_create(user=alice, kind="hours", text="You got an hour", network=network)
    response = browser(alice).post(f"/notifications/{note.pk}/read/")
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    notification_services.notification_create(user=alice, kind="hours", text="Another", network=network)
    browser(alice).post("/notifications/read/")
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()


def test_the_email_digest_can_be_turned_off_from_the_page(browser, alice):
    from messaging.notifications.models import NotificationPreference

    page = browser(alice).get("/notifications/").content.decode()
    assert 'id="id_email_digest"' in page and 'id="id_language"' in page
    browser(alice).post("/notifications/preferences/", {"email_digest": "off", "language": "en-gb"})
    assert NotificationPreference.objects.get(user=alice).email_digest == "off"
    browser(alice).post("/notifications/preferences/", {"email_digest": "weekly", "language": "cy", "push": "on"})
    preference = NotificationPreference.objects.get(user=alice)
    assert (preference.email_digest, preference.language, preference.push) == ("weekly", "cy", True)


def test_starting_an_exchange_conversation_from_a_form(browser, network, alice, bob):
    from exchanges.models import Exchange

    exchange = Exchange.objects.create(network=network, provider=alice, recipient=bob, minutes=30, proposed_by=alice)
    response = browser(bob).post("/conversations/start/", {"exchange": exchange.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/conversations/{exchange.conversation.pk}/"


def test_starting_a_conversation_with_a_bad_member_shows_a_message_not_an_error(browser, network, alice):
    response = browser(alice).post("/conversations/start/", {"network": network.slug, "member": "9" * 30}, follow=True)
    assert response.status_code == 200 and "Choose a member to message." in response.content.decode()


def test_an_absurd_conversation_id_is_a_404_not_an_error(api, alice):
    response = api.as_user(alice).get("/api/v1/conversations/99999999999999999999999/messages/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
