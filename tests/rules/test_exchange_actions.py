"""Which exchange actions are possible is one table (exchanges.lifecycle.common.TRANSITIONS): for random
exchanges and random people, the actions the page and the API list are exactly those the services accept."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule, run_state_machine_as_test

from exchanges import selectors, services
from exchanges.lifecycle.common import TRANSITIONS
from exchanges.models import Exchange
from tests.exchanges.test_exchange_state_machine import ExchangeMachine
from timebank.errors import Forbidden, InsufficientBalance, InvalidTransition

INPUTS = {
    "complete": {"minutes": 30},
    "resolve": {"minutes": 20, "reason": "settled with both"},
    "approve": {"reason": "checked"},
    "dispute": {"reason": "it was shorter"},
    "schedule": {"scheduled_for": timezone.now() + datetime.timedelta(days=2)},
}


class ListedMeansAccepted(ExchangeMachine):
    @precondition(lambda self: self.exchanges)
    @rule(data=st.data(), action=st.sampled_from(list(TRANSITIONS)), anyone=st.integers(0, 5))
    def listed_exactly_when_accepted(self, data, action, anyone):
        exchange_id = data.draw(st.sampled_from(self.exchanges))
        exchange = Exchange.objects.select_related("network", "provider", "recipient").get(pk=exchange_id)
        person = self.people[anyone]
        listed = action in selectors.exchange_actions(user=person, exchange=exchange)
        try:
            result = getattr(services, f"exchange_{action}")(actor=person, exchange=exchange, **INPUTS.get(action, {}))
        except (Forbidden, InvalidTransition) as refusal:
            assert not listed, f"{action} was listed for {exchange.state} but refused: {refusal}"
        except InsufficientBalance:
            assert listed, f"{action} got past the guard for {exchange.state} but was not listed"
        else:
            assert listed, f"{action} was accepted for {exchange.state} but not listed"
            if action == "repeat":
                self.exchanges.append(result.pk)


@pytest.mark.django_db
def test_the_actions_listed_are_exactly_the_ones_the_services_accept():
    run_state_machine_as_test(
        ListedMeansAccepted,
        settings=settings(
            max_examples=15,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
