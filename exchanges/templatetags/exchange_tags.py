"""Template filters for exchanges: words the pages show that the lifecycle decides."""

from django import template

from exchanges.selectors import exchange_dispute_reason, exchange_held_because

register = template.Library()


@register.filter
def held_because(exchange) -> str:
    """Why an exchange waits for a coordinator's approval ("" when it does not)."""
    return exchange_held_because(exchange) or ""


@register.filter
def party_name(exchange, side: str) -> str:
    """A party's name, or the network's for its pot."""
    party = exchange.provider if side == "provider" else exchange.recipient
    return party.name if party is not None else exchange.network.name


@register.filter
def dispute_reason(exchange) -> str:
    """What the disputing side said, for a disputed exchange ("" otherwise)."""
    return exchange_dispute_reason(exchange) if exchange.state == "disputed" else ""
