"""Every write about listings and exchanges, in one place to import from.

The exchange lifecycle lives in `exchanges.lifecycle` (split by stage), listings in `exchanges.listings`.
"""

from exchanges.lifecycle.agree import exchange_accept, exchange_approve, exchange_cancel, exchange_decline
from exchanges.lifecycle.common import exchange_serialize, exchange_sides_for
from exchanges.lifecycle.schedule import exchange_schedule, exchanges_remind
from exchanges.lifecycle.settle import (
    exchange_complete,
    exchange_confirm,
    exchange_dispute,
    exchange_resolve,
    exchanges_autoconfirm,
)
from exchanges.lifecycle.start import exchange_propose, exchange_record, exchange_repeat
from exchanges.listings import (
    listing_create,
    listing_may_edit,
    listing_renew,
    listing_require_editor,
    listing_speaks_for_owner,
    listing_update,
    listings_expire,
    listings_expiring_remind,
)

__all__ = [
    "exchange_accept",
    "exchange_approve",
    "exchange_cancel",
    "exchange_complete",
    "exchange_confirm",
    "exchange_decline",
    "exchange_dispute",
    "exchange_propose",
    "exchange_record",
    "exchange_repeat",
    "exchange_resolve",
    "exchange_schedule",
    "exchange_serialize",
    "exchange_sides_for",
    "exchanges_autoconfirm",
    "exchanges_remind",
    "listing_create",
    "listing_may_edit",
    "listing_renew",
    "listing_require_editor",
    "listing_speaks_for_owner",
    "listing_update",
    "listings_expire",
    "listings_expiring_remind",
]
