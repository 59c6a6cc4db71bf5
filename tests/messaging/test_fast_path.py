"""The one-statement PostgreSQL send and the ORM send are the same: Hypothesis runs one random list of
sends, resends, reads, blocks, suspensions and role changes through each, in two identical networks, and
every row they wrote (messages and their seq, read marks, notifications), everyone a live push went to and
every answer must match."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from members.models import Membership
from messaging import moderation
from messaging.models import Conversation, Message, Participant
from messaging.notifications.models import Notification
from messaging.services import conversation_direct_open, message_read, message_send
from messaging.services import messages as message_services
from tests.factories import NetworkFactory, member
from timebank.errors import DomainError

PAIRS = ((0, 1), (0, 2), (1, 2))
person = st.integers(min_value=0, max_value=2)
chat = st.integers(min_value=0, max_value=len(PAIRS) - 1)

operation = st.one_of(
    # A small set of client ids, so resends of an earlier message come up.
    st.tuples(st.just("send"), person, chat, st.sampled_from(["", "a", "b"]), st.sampled_from(["hi", " yes ", ""])),
    st.tuples(st.just("read"), person, chat, st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("block"), person, person),
    st.tuples(st.just("unblock"), person, person),
    st.tuples(st.just("suspend"), person),
    st.tuples(st.just("reinstate"), person),
    st.tuples(st.just("role"), person, st.sampled_from([Membership.Role.MEMBER, Membership.Role.COMMISSIONER])),
)


class World:
    """One network with three members and their three 1:1 conversations."""

    def __init__(self):
        self.network = NetworkFactory()
        self.memberships = [member(self.network) for _ in range(3)]
        self.people = [m.user for m in self.memberships]
        self.chats = [
            conversation_direct_open(network=self.network, user=self.people[a], other_id=self.people[b].pk)[0]
            for a, b in PAIRS
        ]
        self.answers: list = []
        self.pushes: list = []

    def run(self, ops) -> None:
        with mock.patch.object(message_services, "push_after_commit", self.push):
            for op in ops:
                try:
                    with transaction.atomic():
                        self.answers.append(getattr(self, op[0])(*op[1:]))
                except (DomainError, ValidationError) as exc:
                    self.answers.append(type(exc).__name__)

    def push(self, user_ids, event) -> None:
        """Who a live push went to (in place of sending it on commit), by names both worlds share."""
        users = {u.pk: n for n, u in enumerate(self.people)}
        seq = event["message"]["seq"] if event["type"] == "message.new" else event.get("seq")
        self.pushes.append((event["type"], seq, sorted(users[pk] for pk in user_ids)))

    def send(self, p, c, client_id, body):
        message, created = message_send(
            conversation=self.chats[c].pk, sender=self.people[p], body=body, client_id=client_id
        )
        return ("sent", message.seq, message.body, message.client_id, created)

    def read(self, p, c, seq):
        return ("read", message_read(conversation=self.chats[c].pk, user=self.people[p], seq=seq))

    def block(self, a, b):
        if a != b:
            moderation.block_create(network=self.network, blocker=self.people[a], blocked_id=self.people[b].pk)

    def unblock(self, a, b):
        if a != b:
            moderation.block_delete(network=self.network, blocker=self.people[a], blocked_id=self.people[b].pk)

    def suspend(self, p):
        Membership.objects.filter(pk=self.memberships[p].pk).update(status=Membership.Status.SUSPENDED)

    def reinstate(self, p):
        Membership.objects.filter(pk=self.memberships[p].pk).update(status=Membership.Status.ACTIVE)

    def role(self, p, role):
        Membership.objects.filter(pk=self.memberships[p].pk).update(role=role)

    def rows(self) -> dict:
        """Every row the sends wrote, with this world's ids replaced by names both worlds share."""
        users = {u.pk: n for n, u in enumerate(self.people)}
        chats = {c.pk: n for n, c in enumerate(self.chats)}
        urls = {f"/conversations/{pk}/": n for pk, n in chats.items()}

        def names(text: str) -> str:
            for n, user in enumerate(self.people):
                text = text.replace(user.name, f"person{n}")
            return text

        return {
            "messages": [
                (
                    chats[m.conversation_id],
                    m.seq,
                    users[m.sender_id],
                    m.body,
                    m.client_id,
                    m.network_id == self.network.pk,
                )
                for m in Message.objects.filter(conversation__in=self.chats).order_by("pk")
            ],
            "conversations": [
                (chats[pk], last_seq, last_message_at is None)
                for pk, last_seq, last_message_at in Conversation.objects.filter(pk__in=chats)
                .order_by("pk")
                .values_list("pk", "last_seq", "last_message_at")
            ],
            "read_marks": sorted(
                (chats[c], users[u], seq)
                for c, u, seq in Participant.objects.filter(conversation__in=self.chats).values_list(
                    "conversation_id", "user_id", "last_read_seq"
                )
            ),
            "notifications": [
                (
                    users[n.user_id],
                    n.kind,
                    names(n.text),
                    urls.get(n.url, n.url),
                    {
                        k: chats.get(v, v) if k == "conversation" else names(v) if k == "name" else v
                        for k, v in n.data.items()
                    },
                    n.read_at is None,
                )
                for n in Notification.objects.filter(network=self.network, kind="message").order_by("pk")
            ],
            "pushes": self.pushes,
            "answers": self.answers,
        }


def orm_only():
    """The send with its one-statement fast path switched off: the ORM path does all of it."""
    return mock.patch.object(message_services, "_message_insert_checked", lambda *args: None)


@pytest.mark.postgres
@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(operation, min_size=1, max_size=25))
# Always tried: a send to someone suspended (told nothing), and by someone who became a commissioner.
@example(ops=[("suspend", 1), ("send", 0, 0, "", "hi"), ("read", 1, 0, 1)])
@example(ops=[("role", 0, Membership.Role.COMMISSIONER), ("send", 0, 0, "a", "hi"), ("send", 1, 0, "", "yes")])
def test_the_one_statement_send_writes_exactly_what_the_orm_path_writes(ops):
    with transaction.atomic():
        fast = World()
        fast.run(ops)
        slow = World()
        with orm_only():
            slow.run(ops)
        assert fast.rows() == slow.rows()
        transaction.set_rollback(True)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_comparison_sees_a_send_that_skips_the_read_mark():
    """The property above can fail: a path that forgets the sender's read mark is caught."""
    ops = [("send", 0, 0, "", "hi")]
    fast, slow = World(), World()
    fast.run(ops)

    def forgetful_insert(participant, sender, body, client_id):
        conversation = participant.conversation
        return Message.objects.create(
            network_id=conversation.network_id,
            conversation_id=conversation.pk,
            seq=message_services._next_seq(conversation.pk),
            sender=sender,
            body=body,
            client_id=client_id,
        )

    with orm_only(), mock.patch.object(message_services, "_message_insert", forgetful_insert):
        slow.run(ops)
    assert fast.rows()["read_marks"] != slow.rows()["read_marks"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_send_statement_goes_through_djangos_cursor(network, alice, bob):
    """Query logging and instrumentation (connection.execute_wrappers) see the hottest statement."""
    conversation, _ = conversation_direct_open(network=network, user=alice, other_id=bob.pk)
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper), CaptureQueriesContext(connection) as logged:
        message_send(conversation=conversation.pk, sender=alice, body="hello")
    assert any("INSERT INTO messaging_message" in sql for sql in seen)
    assert any("INSERT INTO messaging_message" in query["sql"] for query in logged.captured_queries)
