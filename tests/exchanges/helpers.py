"""Build exchanges in a given state through the services, as the product would."""

from exchanges import services
from tests.exchanges.conftest import issue


def proposed(network, provider, recipient, minutes=60, actor=None, **kw):
    return services.exchange_propose(
        actor=actor or recipient or provider,
        network=network,
        provider=provider,
        recipient=recipient,
        minutes=minutes,
        **kw,
    )


def accepted(network, provider, recipient, minutes=60):
    exchange = proposed(network, provider, recipient, minutes, actor=recipient)
    return services.exchange_accept(actor=provider, exchange=exchange)


def claimed(network, provider, recipient, minutes=60, claim=None):
    exchange = accepted(network, provider, recipient, minutes)
    return services.exchange_complete(actor=provider, exchange=exchange, minutes=claim or minutes)


def disputed(network, provider, recipient, minutes=60):
    exchange = claimed(network, provider, recipient, minutes)
    return services.exchange_dispute(actor=recipient, exchange=exchange)


def funded(network, *users, minutes=600):
    for user in users:
        issue(network, user, minutes)
