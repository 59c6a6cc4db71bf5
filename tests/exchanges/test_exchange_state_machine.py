"""Hypothesis drives random sequences of exchange actions by random people (the wrong ones too) and
checks after every step: balances == sum of transfers, holds == held minutes of open exchanges, nothing
below its floor, every network sums to zero, and a refused action changes nothing.

Extend it by adding rules; each run builds its own network, so runs never see each other's rows."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from exchanges import services
from exchanges.ledger.models import Account
from exchanges.models import Exchange
from members.models import Membership, SupportLink
from tests.exchanges.conftest import issue, ledger_problems
from tests.factories import NetworkFactory, member
from timebank.errors import DomainError

WHO = st.sampled_from(["provider", "recipient", "provider", "recipient", "coordinator", "supporter", "anyone"])
# Weighted towards the steps that move an exchange on, so runs reach posting and disputes.
ACTIONS = ["accept", "accept", "decline", "approve", "cancel", "complete", "complete", "confirm", "confirm"]
ACTIONS += ["dispute", "resolve", "repeat"]
_runs = itertools.count()


class ExchangeMachine(RuleBasedStateMachine):
    @initialize(approval=st.sampled_from(["never", "always", "sensitive"]), pot=st.integers(0, 300))
    def setup(self, approval, pot):
        self.network = NetworkFactory(slug=f"machine-{next(_runs)}", approval=approval)
        self.coordinator = member(self.network, role=Membership.Role.COORDINATOR).user
        members = [member(self.network) for _ in range(3)]
        supported = member(self.network, is_supported=True)
        supporter = member(self.network, role=Membership.Role.SUPPORTER)
        SupportLink.objects.create(network=self.network, supporter=supporter, member=supported)
        self.parties = [m.user for m in [*members, supported]] + [None]  # None: the pot
        self.supporter = supporter.user
        self.people = [m.user for m in [*members, supported, supporter]] + [self.coordinator]
        if pot:
            issue(self.network, None, pot)
        self.exchanges: list[int] = []

    def _who(self, who, anyone, provider, recipient):
        """Mostly someone who may act (so the lifecycle moves on), sometimes anyone (so refusals are tried)."""
        party = {"provider": provider, "recipient": recipient}.get(who, "none")
        if party != "none":
            return party or self.coordinator  # the pot acts through a coordinator
        return {"coordinator": self.coordinator, "supporter": self.supporter}.get(who) or self.people[anyone]

    def _snapshot(self, exchange_id=None):
        accounts = list(Account.objects.filter(network=self.network).order_by("pk").values_list("balance", "held"))
        row = Exchange.objects.filter(pk=exchange_id).values("state", "held_minutes", "claimed_minutes").first()
        return accounts, row, Exchange.objects.filter(network=self.network).count()

    def _refusal_changes_nothing(self, work, exchange_id=None):
        before = self._snapshot(exchange_id)
        try:
            work()
        except (DomainError, ValidationError, PermissionDenied):
            assert self._snapshot(exchange_id) == before

    @rule(
        provider=st.integers(0, 4),
        recipient=st.integers(0, 4),
        who=WHO,
        anyone=st.integers(0, 5),
        minutes=st.integers(1, 400),
        record=st.booleans(),
    )
    def start(self, provider, recipient, who, anyone, minutes, record):
        create = services.exchange_record if record else services.exchange_propose

        def work():
            exchange = create(
                actor=self._who(who, anyone, self.parties[provider], self.parties[recipient]),
                network=self.network,
                provider=self.parties[provider],
                recipient=self.parties[recipient],
                minutes=minutes,
            )
            self.exchanges.append(exchange.pk)

        self._refusal_changes_nothing(work)

    @precondition(lambda self: self.exchanges)
    @rule(
        data=st.data(),
        action=st.sampled_from(ACTIONS),
        who=WHO,
        anyone=st.integers(0, 5),
        minutes=st.integers(0, 700),
    )
    def act(self, data, action, who, anyone, minutes):
        exchange_id = data.draw(st.sampled_from(self.exchanges))
        exchange = Exchange.objects.select_related("provider", "recipient").get(pk=exchange_id)
        person = self._who(who, anyone, exchange.provider, exchange.recipient)
        service = getattr(services, f"exchange_{action}")
        kwargs = {"actor": person, "exchange": exchange}
        if action == "complete":
            kwargs["minutes"] = max(minutes, 1)
        if action == "resolve":
            kwargs.update(minutes=minutes, reason="settled in the machine")
        if action == "approve":
            kwargs["reason"] = "checked in the machine"

        def work():
            result = service(**kwargs)
            if action == "repeat":
                self.exchanges.append(result.pk)

        self._refusal_changes_nothing(work, exchange_id)

    @precondition(lambda self: self.exchanges)
    @rule(data=st.data(), minutes=st.integers(1, 700))
    def advance(self, data, minutes):
        """The usual next step by the right person, so runs get deep into the lifecycle."""
        exchange_id = data.draw(st.sampled_from(self.exchanges))
        exchange = Exchange.objects.select_related("provider", "recipient").get(pk=exchange_id)
        recipient = exchange.recipient or self.coordinator
        provider = exchange.provider or self.coordinator
        step = {
            "proposed": (services.exchange_accept, provider if exchange.proposed_side == "recipient" else recipient),
            "awaiting_approval": (services.exchange_approve, self.coordinator),
            "accepted": (services.exchange_complete, provider),
            "claimed": (services.exchange_confirm, recipient if exchange.claimed_side == "provider" else provider),
            "disputed": (services.exchange_resolve, self.coordinator),
        }.get(exchange.state)
        if step is None:
            return
        service, actor = step
        kwargs = {"actor": actor, "exchange": exchange}
        if service is services.exchange_complete:
            kwargs["minutes"] = minutes
        if service is services.exchange_resolve:
            kwargs.update(minutes=minutes % 200, reason="settled in the machine")
        if service is services.exchange_approve:
            kwargs["reason"] = "checked in the machine"
        self._refusal_changes_nothing(lambda: service(**kwargs), exchange_id)

    @rule(data=st.data())
    def autoconfirm(self, data):
        Exchange.objects.filter(network=self.network, state="claimed").update(
            claimed_at=timezone.now() - datetime.timedelta(days=30)
        )
        services.exchanges_autoconfirm()
        supported = self.parties[3]
        waiting = Exchange.objects.filter(network=self.network, state="posted", posted_at__isnull=False)
        assert not waiting.filter(transfers__created_by__isnull=True, recipient=supported).exists()
        assert not waiting.filter(transfers__created_by__isnull=True, provider=supported).exists()

    @invariant()
    def ledger_is_consistent(self):
        if not hasattr(self, "network"):
            return
        assert ledger_problems(self.network) == []
        total = Account.objects.filter(network=self.network).aggregate(s=Sum("balance"))["s"]
        assert total == 0
        open_states = ["proposed", "declined", "cancelled", "posted"]
        assert not Exchange.objects.filter(network=self.network, state__in=open_states, held_minutes__gt=0).exists()


@pytest.mark.django_db
def test_random_exchange_actions_keep_the_ledger_consistent():
    run_state_machine_as_test(
        ExchangeMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
