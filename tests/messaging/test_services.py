"""Services for conversations, messages, notifications and moderation, checked in the database."""

import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from exchanges.models import Exchange
from members.models import AuditEvent, Membership
from members.safeguarding.models import Concern
from messaging import moderation, selectors, services
from messaging.models import Conversation, ConversationAccess, Message, Participant
from messaging.notifications import services as notification_services
from messaging.notifications.models import Notification, NotificationPreference
from tests.factories import NetworkFactory, member
from timebank.errors import Forbidden, NotFound, ValidationError

pytestmark = pytest.mark.django_db


def test_messages_get_consecutive_seqs_per_conversation(chat, alice, bob):
    seqs = [services.message_send(conversation=chat, sender=s, body="hi")[0].seq for s in (alice, bob, alice)]
    assert seqs == [1, 2, 3]
    chat.refresh_from_db()
    assert chat.last_seq == 3 and chat.last_message_at is not None


def test_a_resend_with_the_same_client_id_is_not_a_duplicate(chat, alice):
    first, created = services.message_send(conversation=chat, sender=alice, body="hi", client_id="abc")
    again, created_again = services.message_send(conversation=chat, sender=alice, body="hi", client_id="abc")
    assert created and not created_again and first.pk == again.pk
    assert Message.objects.count() == 1
    chat.refresh_from_db()
    assert chat.last_seq == 1


def test_someone_outside_the_conversation_cannot_send(chat, network):
    stranger = member(network).user
    with pytest.raises(NotFound):
        services.message_send(conversation=chat, sender=stranger, body="hi")
    assert Message.objects.count() == 0


def test_a_block_stops_messages_both_ways(chat, network, alice, bob):
    moderation.block_create(network=network, blocker=alice, blocked_id=bob.pk)
    for sender in (alice, bob):
        with pytest.raises(Forbidden):
            services.message_send(conversation=chat, sender=sender, body="hi")
    assert Message.objects.count() == 0
    moderation.block_delete(network=network, blocker=alice, blocked_id=bob.pk)
    assert services.message_send(conversation=chat, sender=bob, body="hi again")[0].seq == 1


def test_blocking_yourself_is_refused(network, alice):
    with pytest.raises(ValidationError):
        moderation.block_create(network=network, blocker=alice, blocked_id=alice.pk)


def test_the_direct_conversation_of_a_pair_is_found_again_from_either_side(network, chat, alice, bob):
    again, created = services.conversation_direct_open(network=network, user=bob, other_id=alice.pk)
    assert again.pk == chat.pk and not created
    assert Conversation.objects.count() == 1
    assert sorted(Participant.objects.filter(conversation=chat).values_list("user_id", flat=True)) == sorted(
        [alice.pk, bob.pk]
    )


def test_a_conversation_with_someone_in_another_network_is_not_found(network, alice):
    outsider = member(NetworkFactory()).user
    with pytest.raises(NotFound):
        services.conversation_direct_open(network=network, user=alice, other_id=outsider.pk)


def test_a_pending_member_cannot_be_messaged(network, alice):
    from tests.factories import pending

    with pytest.raises(NotFound):
        services.conversation_direct_open(network=network, user=alice, other_id=pending(network).user.pk)


def test_an_exchange_conversation_has_its_parties_and_no_one_for_the_pot(network, alice):
    exchange = Exchange.objects.create(network=network, provider=alice, recipient=None, minutes=60, proposed_by=alice)
    conversation, created = services.conversation_exchange_open(exchange_id=exchange.pk, user=alice)
    assert created and conversation.exchange_id == exchange.pk and conversation.network_id == network.pk
    assert list(conversation.participants.values_list("user_id", flat=True)) == [alice.pk]


def test_only_a_party_opens_an_exchange_conversation(network, alice, bob):
    exchange = Exchange.objects.create(network=network, provider=alice, recipient=bob, minutes=60, proposed_by=alice)
    with pytest.raises(NotFound):
        services.conversation_exchange_open(exchange_id=exchange.pk, user=member(network).user)
    conversation, _ = services.conversation_exchange_open(exchange_id=exchange.pk, user=bob)
    assert sorted(conversation.participants.values_list("user_id", flat=True)) == sorted([alice.pk, bob.pk])


def test_unread_counts_follow_the_read_mark(chat, alice, bob):
    for i in range(3):
        services.message_send(conversation=chat, sender=alice, body=f"m{i}")
    assert selectors.unread_messages_count(user=bob) == 3
    assert selectors.unread_messages_count(user=alice) == 0
    services.message_read(conversation=chat, user=bob, seq=2)
    assert selectors.conversation_of(user=bob, conversation_id=chat.pk).unread == 1
    services.message_read(conversation=chat, user=bob, seq=1)
    assert Participant.objects.get(conversation=chat, user=bob).last_read_seq == 2


def test_the_read_mark_never_passes_the_last_message(chat, alice, bob):
    services.message_send(conversation=chat, sender=alice, body="one")
    assert services.message_read(conversation=chat, user=bob, seq=99) == 1


def test_message_notifications_are_coalesced_until_read(chat, alice, bob):
    for i in range(3):
        services.message_send(conversation=chat, sender=alice, body=f"m{i}")
    notes = Notification.objects.filter(user=bob, kind="message")
    assert notes.count() == 1 and notes.get().url == f"/conversations/{chat.pk}/"
    services.message_read(conversation=chat, user=bob, seq=3)
    assert notes.get().read_at is not None
    services.message_send(conversation=chat, sender=alice, body="later")
    assert notes.filter(read_at__isnull=True).count() == 1
    assert not Notification.objects.filter(user=alice).exists()


def test_a_report_goes_to_the_coordinators_and_is_audited(chat, alice, bob, coordinator):
    message, _ = services.message_send(conversation=chat, sender=alice, body="rude")
    report = moderation.message_report(message_id=message.pk, reporter=bob, reason="unkind")
    assert report.message_id == message.pk
    assert AuditEvent.objects.filter(action="message.report", actor=bob, target_id=message.pk).exists()
    assert Notification.objects.filter(user=coordinator, kind="message.report").count() == 1


def test_only_a_participant_can_report_a_message(chat, alice, network):
    message, _ = services.message_send(conversation=chat, sender=alice, body="hi")
    with pytest.raises(NotFound):
        moderation.message_report(message_id=message.pk, reporter=member(network).user)


def test_a_coordinator_cannot_open_a_conversation_without_a_report_or_concern(chat, coordinator):
    with pytest.raises(Forbidden):
        moderation.conversation_access_open(conversation_id=chat.pk, coordinator=coordinator, reason="curious")
    assert not ConversationAccess.objects.exists()
    with pytest.raises(NotFound):
        selectors.conversation_readable(user=coordinator, conversation_id=chat.pk)


def test_a_coordinator_opens_a_reported_conversation_with_a_reason_audited(chat, alice, bob, coordinator):
    message, _ = services.message_send(conversation=chat, sender=alice, body="rude")
    moderation.message_report(message_id=message.pk, reporter=bob)
    with pytest.raises(ValidationError):
        moderation.conversation_access_open(conversation_id=chat.pk, coordinator=coordinator, reason="  ")
    access = moderation.conversation_access_open(conversation_id=chat.pk, coordinator=coordinator, reason="report")
    assert access.reason == "report"
    assert AuditEvent.objects.filter(action="conversation.access", actor=coordinator, target_id=chat.pk).exists()
    assert selectors.conversation_readable(user=coordinator, conversation_id=chat.pk).pk == chat.pk


def test_a_concern_about_a_conversation_is_grounds_to_open_it(network, chat, alice, coordinator):
    Concern.objects.create(network=network, raised_by=alice, about_conversation=chat, description="worried")
    assert moderation.conversation_access_open(conversation_id=chat.pk, coordinator=coordinator, reason="concern")


def test_a_member_cannot_open_someone_elses_conversation(network, chat, alice, bob):
    Concern.objects.create(network=network, raised_by=alice, about_conversation=chat, description="worried")
    with pytest.raises(Forbidden):
        moderation.conversation_access_open(conversation_id=chat.pk, coordinator=member(network).user, reason="x")


def test_a_coordinator_of_another_network_gets_not_found(network, chat, alice):
    Concern.objects.create(network=network, raised_by=alice, about_conversation=chat, description="worried")
    outsider = member(NetworkFactory(), role=Membership.Role.COORDINATOR).user
    with pytest.raises(NotFound):
        moderation.conversation_access_open(conversation_id=chat.pk, coordinator=outsider, reason="x")


def test_send_digests_emails_unread_notifications_once(network, alice, bob, django_capture_on_commit_callbacks):
    notification_services.notification_create(user=alice, kind="hours", text="You received 1 hour", network=network)
    notification_services.notification_create(user=bob, kind="hours", text="You received 2 hours", network=network)
    NotificationPreference.objects.create(user=bob, email_digest="off")
    # Digests are queued when their claim commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests")
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert "You received 1 hour" in mail.outbox[0].body
    assert Notification.objects.get(user=alice).emailed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests")
    assert len(mail.outbox) == 1


def test_send_digests_skips_what_was_already_read(network, alice, django_capture_on_commit_callbacks):
    note = notification_services.notification_create(user=alice, kind="hours", text="x", network=network)
    notification_services.notification_read(notification_id=note.pk, user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests")
    assert mail.outbox == []


def test_someone_elses_notification_cannot_be_marked_read(network, alice, bob):
    note = notification_services.notification_create(user=alice, kind="hours", text="x", network=network)
    with pytest.raises(NotFound):
        notification_services.notification_read(notification_id=note.pk, user=bob)
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_senders_never_leave_a_gap_a_reader_could_miss(network, unlimited_chat):
    """Readers poll `after=<highest seq seen>` while four threads send: every snapshot must be 1..max."""
    people = [member(network).user for _ in range(4)]
    conversation = Conversation.objects.create(network=network, kind=Conversation.Kind.DIRECT)
    for person in people:
        Participant.objects.create(network=network, conversation=conversation, user=person)
    per_thread, errors, gaps, done = 25, [], [], threading.Event()

    def send(person):
        try:
            for i in range(per_thread):
                services.message_send(conversation=conversation.pk, sender=person, body=f"{i}", client_id=f"{i}")
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def read():
        seen = 0
        try:
            while not done.is_set() or seen < per_thread * len(people):
                seqs = list(
                    Message.objects.filter(conversation=conversation, seq__gt=seen).values_list("seq", flat=True)
                )
                if seqs and seqs != list(range(seen + 1, seen + 1 + len(seqs))):
                    gaps.append((seen, seqs))
                seen = max(seqs, default=seen)
        finally:
            connection.close()

    reader = threading.Thread(target=read)
    senders = [threading.Thread(target=send, args=(p,)) for p in people]
    reader.start()
    for t in senders:
        t.start()
    for t in senders:
        t.join()
    done.set()
    reader.join(timeout=30)
    assert errors == [] and gaps == []
    seqs = list(Message.objects.filter(conversation=conversation).values_list("seq", flat=True))
    assert seqs == list(range(1, per_thread * len(people) + 1))
