"""Answers by SMS: `YES 123` confirms exchange 123's claim and `NO 123` disputes it, through the same lifecycle
services as the pages and the API, for the person whose stored phone number sent it. The provider posts each
inbound message to /api/v1/sms/inbound/, signed with HMAC-SHA256 over the body under SMS_WEBHOOK_SECRET.
Whatever happens, the sender gets a short reply; nothing changes unless the number and the exchange are theirs."""

import hashlib
import hmac
import logging
import re

from django.conf import settings
from django.utils.translation import gettext as _

from exchanges.lifecycle.settle import exchange_confirm, exchange_dispute
from exchanges.models import Exchange
from members.models import Membership
from messaging.notifications.sms import SmsError, sms_send
from timebank.errors import Forbidden, InvalidTransition, NotFound

logger = logging.getLogger(__name__)

ANSWER = re.compile(r"\s*(yes|y|no|n)\s*#?\s*(\d{1,18})\s*[.!]?\s*", re.IGNORECASE)
BY_SMS = "by SMS"


def sms_signature_check(*, body: bytes, signature: str) -> None:
    """The provider's signature: hex HMAC-SHA256 of the raw body (`sha256=` in front allowed)."""
    secret = settings.SMS_WEBHOOK_SECRET
    given = signature.strip().removeprefix("sha256=")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not secret or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden(_("This message is not signed by the SMS provider."))


def phone_key(phone: str) -> str:
    """A number as dialled in the UK, digits only: "+44 7700 900123" and "07700-900123" are the same."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+") and digits.startswith("44"):
        digits = "0" + digits[2:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits


def _memberships_of(phone: str) -> list[Membership]:
    key = phone_key(phone)
    if len(key) < 6:
        return []
    # Phone numbers are stored as people typed them; a network's members with one are few enough to compare.
    with_phone = Membership.objects.filter(status=Membership.Status.ACTIVE).exclude(phone="").select_related("user")
    return [m for m in with_phone.only("phone", "network_id", "user") if phone_key(m.phone) == key]


def _reply(*, to: str, text: str) -> str:
    try:
        sms_send(to=to, body=text)
    except SmsError:
        logger.warning("reply SMS not sent", exc_info=True)
    return text


def sms_inbound(*, phone: str, text: str) -> str:
    """Act on one inbound SMS and answer it. Returns the reply sent."""
    answer = ANSWER.fullmatch(text)
    if answer is None:
        return _reply(to=phone, text=_("Sorry, we did not understand. Reply YES or NO and the number, like YES 123."))
    memberships = _memberships_of(phone)
    if not memberships:
        return _reply(to=phone, text=_("This number is not known to the time bank, so nothing was changed."))
    yes, exchange_id = answer.group(1).lower().startswith("y"), int(answer.group(2))
    exchange = Exchange.objects.filter(pk=exchange_id, network_id__in={m.network_id for m in memberships}).first()
    values = {"id": exchange_id}
    if exchange is None:
        return _reply(to=phone, text=_("We found no exchange %(id)s of yours, so nothing was changed.") % values)
    # One phone may be a household's: its people in the exchange's network, the exchange's parties first; the
    # answer is given as the first of them the lifecycle lets answer.
    parties = (exchange.provider_id, exchange.recipient_id)
    actors = sorted(
        (m.user for m in memberships if m.network_id == exchange.network_id),
        key=lambda user: (user.pk not in parties, user.pk),
    )
    answered, not_waiting = False, False
    for actor in actors:
        try:
            if yes:
                exchange_confirm(actor=actor, exchange=exchange, reason=BY_SMS)
            else:
                exchange_dispute(actor=actor, exchange=exchange, reason=BY_SMS)
        except (Forbidden, NotFound):
            exchange.refresh_from_db()
            continue
        except InvalidTransition:
            not_waiting = True
            exchange.refresh_from_db()
            continue
        answered = True
        break
    if not answered and not_waiting:
        return _reply(to=phone, text=_("Exchange %(id)s is not waiting for your answer, so nothing changed.") % values)
    if not answered:
        return _reply(to=phone, text=_("We found no exchange %(id)s of yours, so nothing was changed.") % values)
    if yes:
        return _reply(to=phone, text=_("Thank you: exchange %(id)s is confirmed.") % values)
    return _reply(
        to=phone, text=_("Thank you: exchange %(id)s is marked not agreed; a coordinator will help.") % values
    )
