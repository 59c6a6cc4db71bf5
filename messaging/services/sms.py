"""Answers by SMS: `YES 123` confirms exchange 123's claim and `NO 123` disputes it, through the same lifecycle
services as the pages and the API, for the person whose stored phone number sent it. The provider posts each
inbound message to /api/v1/sms/inbound/ with a timestamp, signed with HMAC-SHA256 over both under
SMS_WEBHOOK_SECRET. Whatever happens, the sender gets a short reply, once per signed message; nothing changes
unless the number and the exchange are theirs."""

import hashlib
import hmac
import logging
import re
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.lifecycle.settle import exchange_confirm, exchange_dispute
from exchanges.models import Exchange
from members.models import Membership
from messaging.models import InboundSms
from messaging.notifications.sms import SmsError, sms_send
from timebank.errors import Forbidden, InvalidTransition, NotFound

logger = logging.getLogger(__name__)

ANSWER = re.compile(r"\s*(yes|y|no|n)\s*#?\s*(\d{1,18})\s*[.!]?\s*", re.IGNORECASE)
BY_SMS = "by SMS"
# How far a message's signed timestamp may be from our clock, either way. A captured request is refused once
# it is older than this, and within it a second delivery of the same signed message is answered once.
SIGNATURE_TOLERANCE_SECONDS = 300
TIMESTAMP = re.compile(r"[0-9]{1,12}")


def sms_signature_check(*, body: bytes, signature: str, timestamp: str, now: float | None = None) -> str:
    """The provider's signature: hex HMAC-SHA256 of `f"{timestamp}."` and the raw body (`sha256=` in front
    allowed), the timestamp in unix seconds within SIGNATURE_TOLERANCE_SECONDS of now. Returns the signature,
    which names this signed message."""
    secret = settings.SMS_WEBHOOK_SECRET
    given = signature.strip().removeprefix("sha256=")
    now = time.time() if now is None else now
    if not secret or not TIMESTAMP.fullmatch(timestamp) or abs(now - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
        raise Forbidden(_("This message is not signed by the SMS provider."))
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden(_("This message is not signed by the SMS provider."))
    return expected


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


def sms_inbound(*, phone: str, text: str, signature: str) -> str:
    """Act on one inbound SMS and answer it, once per signed message (`signature`, from sms_signature_check):
    a second delivery of it acts on nothing, sends nothing and returns the first reply. Returns the reply."""
    now = timezone.now()
    with transaction.atomic():
        try:
            # A savepoint: on PostgreSQL a concurrent delivery of the same message waits here for the first
            # one's transaction, then finds its row (with its reply) instead of acting again.
            with transaction.atomic():
                seen = InboundSms.objects.create(signature=signature, seen_at=now)
        except IntegrityError:
            seen = InboundSms.objects.get(signature=signature)
        else:
            _seen_prune(now)
            seen.reply = _answer(phone=phone, text=text)
            seen.save(update_fields=["reply"])
    # After the commit: a delivery that fails to commit sends nothing, and its retry is not a replay.
    _reply_once(seen, phone=phone)
    return seen.reply


def _reply_once(seen: InboundSms, *, phone: str) -> None:
    """Send a message's reply unless it has been sent: one delivery claims the sending; a send that fails
    is given back, so the provider's retry of the same message sends the reply then."""
    if not InboundSms.objects.filter(pk=seen.pk, sent=False).update(sent=True):
        return
    try:
        sms_send(to=phone, body=seen.reply)
    except SmsError:
        InboundSms.objects.filter(pk=seen.pk).update(sent=False)
        logger.warning("reply SMS not sent", exc_info=True)


def _seen_prune(now) -> None:
    """Forget messages whose timestamps are refused by now. One seen at `now` may carry a timestamp up to the
    tolerance ahead, which stays acceptable for the tolerance after that: twice the tolerance in all."""
    cutoff = now - timedelta(seconds=2 * SIGNATURE_TOLERANCE_SECONDS)
    # Rows another delivery is pruning are skipped, so two prunes never wait on each other.
    old = InboundSms.objects.filter(seen_at__lt=cutoff).select_for_update(skip_locked=True)
    InboundSms.objects.filter(pk__in=list(old.values_list("pk", flat=True)[:500])).delete()


def _answer(*, phone: str, text: str) -> str:
    """What one inbound SMS does, and the reply to it."""
    answer = ANSWER.fullmatch(text)
    if answer is None:
        return _("Sorry, we did not understand. Reply YES or NO and the number, like YES 123.")
    memberships = _memberships_of(phone)
    if not memberships:
        return _("This number is not known to the time bank, so nothing was changed.")
    yes, exchange_id = answer.group(1).lower().startswith("y"), int(answer.group(2))
    exchange = Exchange.objects.filter(pk=exchange_id, network_id__in={m.network_id for m in memberships}).first()
    values = {"id": exchange_id}
    if exchange is None:
        return _("We found no exchange %(id)s of yours, so nothing was changed.") % values
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
        return _("Exchange %(id)s is not waiting for your answer, so nothing changed.") % values
    if not answered:
        return _("We found no exchange %(id)s of yours, so nothing was changed.") % values
    if yes:
        return _("Thank you: exchange %(id)s is confirmed.") % values
    return _("Thank you: exchange %(id)s is marked not agreed; a coordinator will help.") % values
