"""A Hypothesis state machine over the ledger services: whatever people do, in any order,
every balance equals its transfers, each network sums to zero and nothing is below its floor."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from exchanges.ledger.models import Transfer
from exchanges.ledger.moves import transfer_request
from exchanges.ledger.selectors import ledger_verify
from exchanges.ledger.services import account_floor_set, account_settle, hold_place, hold_release
from exchanges.models import Exchange
from members.models import Membership
from tests.factories import NetworkFactory, member
from timebank.errors import DomainError

minutes = st.integers(min_value=1, max_value=400)
person = st.integers(min_value=0, max_value=3)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each example runs in its own savepoint, rolled back at teardown: fast on SQLite and PostgreSQL.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @initialize()
    def a_network(self):
        self.network = NetworkFactory()
        self.coordinator = member(self.network, role=Membership.Role.COORDINATOR).user
        self.members = [member(self.network) for _ in range(4)]

    def attempt(self, call, **kwargs) -> bool:
        """Run one service; a refusal is fine (it must leave the ledger as it was). True if it wrote."""
        try:
            with transaction.atomic():
                call(**kwargs)
        except (DomainError, ValidationError):
            return False
        return True

    def user(self, n):
        return self.members[n].user

    def active(self, n):
        return self.members[n].status == Membership.Status.ACTIVE

    @rule(a=person, b=person, m=minutes)
    def gift(self, a, b, m):
        self.attempt(
            transfer_request,
            actor=self.user(a),
            network=self.network,
            kind="gift",
            to_member=self.user(b).pk,
            minutes=m,
        )

    @rule(a=person, m=minutes)
    def donation(self, a, m):
        self.attempt(transfer_request, actor=self.user(a), network=self.network, kind="donation", minutes=m)

    @rule(b=person, m=minutes)
    def grant(self, b, m):
        self.attempt(
            transfer_request,
            actor=self.coordinator,
            network=self.network,
            kind="grant",
            to_member=self.user(b).pk,
            minutes=m,
            reason="grant",
        )

    @rule(b=st.one_of(person, st.just("pot")), m=minutes)
    def issue(self, b, m):
        target = b if b == "pot" else self.user(b).pk
        self.attempt(
            transfer_request,
            actor=self.coordinator,
            network=self.network,
            kind="issue",
            to_member=target,
            minutes=m,
            reason="issue",
        )

    @rule(a=person, m=minutes)
    def hold_placed(self, a, m):
        if self.active(a):
            self.attempt(self.agree, recipient=self.user(a), m=m)

    def agree(self, *, recipient, m):
        exchange = Exchange.objects.create(
            network=self.network,
            provider=self.coordinator,
            recipient=recipient,
            minutes=m,
            held_minutes=m,
            state=Exchange.State.ACCEPTED,
            proposed_by=self.coordinator,
        )
        hold_place(exchange=exchange, account=self.network_account(recipient), minutes=m)

    def network_account(self, user):
        return user.memberships.get(network=self.network).account

    @rule(data=st.data())
    def hold_released(self, data):
        open_ones = list(Exchange.objects.filter(network=self.network, held_minutes__gt=0).order_by("pk"))
        if not open_ones:
            return
        exchange = data.draw(st.sampled_from(open_ones))
        with transaction.atomic():
            Exchange.objects.filter(pk=exchange.pk).update(state=Exchange.State.CANCELLED, held_minutes=0)
            hold_release(exchange=exchange)

    @rule(data=st.data())
    def reversal(self, data):
        transfers = list(Transfer.objects.filter(network=self.network).values_list("pk", flat=True))
        if transfers:
            self.attempt(
                transfer_request,
                actor=self.coordinator,
                network=self.network,
                kind="reversal",
                transfer=data.draw(st.sampled_from(transfers)),
                reason="mistake",
            )

    @rule(a=person, floor=st.integers(min_value=-1200, max_value=0))
    def floor_change(self, a, floor):
        self.attempt(
            account_floor_set, account=self.members[a].account, actor=self.coordinator, floor_minutes=floor, reason="x"
        )

    @rule(a=person, source=st.sampled_from(["pot", "issuance"]))
    def leaving(self, a, source):
        if not self.active(a) or Exchange.objects.filter(recipient=self.user(a), held_minutes__gt=0).exists():
            return
        membership = self.members[a]
        Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.LEFT)
        membership.refresh_from_db()
        self.attempt(account_settle, membership=membership, actor=membership.user)
        self.attempt(account_settle, membership=membership, actor=self.coordinator, settle_from=source, reason="left")

    @invariant()
    def the_ledger_adds_up(self):
        if hasattr(self, "network"):
            assert ledger_verify(network=self.network) == []


@pytest.mark.django_db
def test_the_ledger_adds_up_after_any_sequence_of_actions():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
