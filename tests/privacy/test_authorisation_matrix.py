"""Who may use which route (PRODUCT §3), every route the URL resolver knows × every kind of person.

404 for anything outside the caller's reach (nothing revealed), 403 for what their role may not do there,
401 for an anonymous API call and a redirect to the login page for an anonymous page. A route missing
from MATRIX fails `test_every_route_has_an_entry`: a new route needs its row before it ships.
"""

import datetime
import json
import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from exchanges.models import Listing
from exchanges.services import exchange_propose, listing_create
from members.models import Membership, SupportLink
from members.safeguarding.models import Concern, SafeguardingCheck
from messaging.models import Block
from messaging.notifications.models import Notification, PushSubscription
from messaging.services import conversation_direct_open, message_send
from tests.factories import NetworkFactory, member

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "outsider", "supporter", "coordinator", "other_coordinator", "commissioner")
OK = "ok"  # through the reach and role checks: any answer but 401, 403, 404, 405, a login redirect or a 5xx
LOGIN = "login"  # a page redirecting an anonymous visitor to the login page
# Outside the product's reach rules: allauth, the admin, static files.
NOT_OURS = ("admin/", "accounts/", "_allauth/", "^_allauth/")


def row(anonymous, member, outsider, supporter, coordinator, other_coordinator, commissioner) -> dict:
    return dict(
        zip(ROLES, (anonymous, member, outsider, supporter, coordinator, other_coordinator, commissioner), strict=True)
    )


# Shorthands for the common rows.
PUBLIC = row(*[OK] * 7)
ANY_PERSON_API = row(401, OK, OK, OK, OK, OK, OK)
ANY_PERSON_PAGE = row(LOGIN, OK, OK, OK, OK, OK, OK)
IN_NETWORK_API = row(401, OK, 404, OK, OK, 404, OK)  # any active role in the network
IN_NETWORK_PAGE = row(LOGIN, OK, 404, OK, OK, 404, OK)
TRADING_API = row(401, OK, 404, OK, OK, 404, 403)  # people who trade: not the commissioner
TRADING_PAGE = row(LOGIN, OK, 404, OK, OK, 404, 403)
COORDINATOR_API = row(401, 403, 404, 403, OK, 404, 403)
COORDINATOR_PAGE = row(LOGIN, 403, 404, 403, OK, 404, 403)
COMMISSIONER_PAGE = row(LOGIN, 403, 403, 403, 403, 403, OK)  # the networks one funds: no network in the path
# The member's own thing: the member, their supporter and a coordinator; not another member's business.
MEMBERS_OWN_API = row(401, OK, 404, OK, OK, 404, 404)
MEMBERS_OWN_PAGE = row(LOGIN, OK, 404, OK, OK, 404, 404)
# Another member's public thing (a listing): everyone in the network sees it; only a coordinator changes it.
OTHERS_PUBLIC_CHANGE_API = row(401, 403, 404, 403, OK, 404, 404)
OTHERS_PUBLIC_CHANGE_PAGE = row(LOGIN, 403, 404, 403, OK, 404, 404)


def spec(who: dict, *, body: dict | None = None, query: str = "", **objects: str) -> dict:
    """A route's row: `objects` fill path parameters from `world` (e.g. pk="exchange"); `body` is sent as JSON
    (API) or form data (pages), valid for the roles allowed, so a refusal is about who asks, not what."""
    return {"who": who, "body": body, "query": query, "objects": objects}


MONTHS = "?from=2026-01&to=2026-03"
V1 = "api/v1/"
MEMBER = f"{V1}networks/<slug:slug>/members/<int:user_id>/"
CHECK = {"kind": "reference", "referee": "A neighbour", "checked_on": "2026-01-05"}
GIFT = {"network": "home", "kind": "gift", "to_member": "<them>", "minutes": 10}
EXCHANGE = {"network": "home", "provider": "<me>", "recipient": "<them>", "minutes": 30, "description": "Shopping"}
ACTIVITY = {
    "network": "home",
    "title": "Coffee morning",
    "happened_on": timezone.localdate().isoformat(),
    "minutes": 30,
    "providers": ["<me>"],
    "recipients": ["<them>"],
}
PARTICIPANTS = row(401, OK, 404, 404, 404, 404, 404)  # the conversation's two people only
# A browser's PushSubscription (a real P-256 point and a 16-byte secret).
PUSH_SUBSCRIPTION = {
    "endpoint": "https://push.example.net/matrix",
    "keys": {
        "p256dh": "BL20dT9CIyQ8ybqJwF75zitL4yH8LvkG69GJ6udegTp-A9erLBUQh8CNNJIEDM_Zmi48DWT0h4-jnPvs-QyGxAE",
        "auth": "xydmMBuLshmoCWzFlj_ayg",
    },
}
PARTICIPANTS_PAGE = row(LOGIN, OK, 404, 404, 404, 404, 404)

# (route, method) → who gets what. Paths are the route with its parameters filled from `world`.
MATRIX: dict[tuple[str, str], dict] = {
    # site
    ("", "GET"): spec(PUBLIC),
    ("healthz", "GET"): spec(PUBLIC),
    ("readyz", "GET"): spec(PUBLIC),
    ("manifest.webmanifest", "GET"): spec(PUBLIC),
    ("sw.js", "GET"): spec(PUBLIC),
    ("offline/", "GET"): spec(PUBLIC),
    ("api/schema/", "GET"): spec(PUBLIC),
    ("api/docs/", "GET"): spec(PUBLIC),
    # API: people and networks
    (f"{V1}me/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}networks/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}networks/<slug:slug>/join/", "POST"): spec(ANY_PERSON_API),  # joining needs only the slug
    (f"{V1}networks/<slug:slug>/leave/", "POST"): spec(IN_NETWORK_API),
    (f"{V1}networks/<slug:slug>/profile/", "GET"): spec(IN_NETWORK_API),
    (f"{V1}networks/<slug:slug>/profile/", "PATCH"): spec(IN_NETWORK_API, body={"bio": "I like dogs"}),
    (f"{V1}networks/<slug:slug>/neighbourhoods/", "GET"): spec(IN_NETWORK_API),
    (f"{V1}networks/<slug:slug>/neighbourhoods/", "PUT"): spec(COORDINATOR_API, body={"groups": []}),
    (f"{V1}networks/<slug:slug>/members/", "GET"): spec(TRADING_API),
    (f"{V1}networks/<slug:slug>/members/", "POST"): spec(COORDINATOR_API, body={"display_name": "Edna"}),
    (f"{MEMBER}approve/", "POST"): spec(COORDINATOR_API),
    (f"{MEMBER}decline/", "POST"): spec(COORDINATOR_API),
    (f"{MEMBER}suspend/", "POST"): spec(COORDINATOR_API, body={"reason": "Safeguarding"}),
    (f"{MEMBER}reinstate/", "POST"): spec(COORDINATOR_API),
    (f"{MEMBER}role/", "POST"): spec(COORDINATOR_API, body={"role": "supporter", "reason": "Volunteers"}),
    (f"{MEMBER}supporters/", "POST"): spec(COORDINATOR_API, body={"supporter": "<supporter>"}),
    (f"{MEMBER}supporters/<int:supporter_id>/", "DELETE"): spec(COORDINATOR_API),
    (f"{MEMBER}checks/", "GET"): spec(COORDINATOR_API),
    (f"{MEMBER}checks/", "POST"): spec(COORDINATOR_API, body=CHECK),
    (f"{MEMBER}checks/<int:check_id>/", "PATCH"): spec(COORDINATOR_API, body={"referee": "Another neighbour"}),
    (f"{MEMBER}checks/<int:check_id>/", "DELETE"): spec(COORDINATOR_API),
    (f"{V1}networks/<slug:slug>/checks/due/", "GET"): spec(COORDINATOR_API),
    (f"{V1}concerns/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}concerns/", "POST"): spec(
        row(401, OK, 404, OK, OK, 404, 403), body={"network": "home", "description": "Worried about a lift"}
    ),
    # the member raised it and may see it; only a coordinator closes it
    (f"{V1}concerns/<int:concern_id>/close/", "POST"): spec(
        row(401, 403, 404, 404, OK, 404, 404), body={"resolution": "Talked it through"}
    ),
    (f"{V1}skills/", "GET"): spec(ANY_PERSON_API),
    # running a network: settings, news, the audit trail, who may be isolated, group activities
    (f"{V1}networks/<slug:slug>/settings/", "GET"): spec(COORDINATOR_API),
    (f"{V1}networks/<slug:slug>/settings/", "PATCH"): spec(COORDINATOR_API, body={"k": 6, "reason": "Trustees"}),
    (f"{V1}networks/<slug:slug>/announcements/", "GET"): spec(TRADING_API),
    (f"{V1}networks/<slug:slug>/announcements/", "POST"): spec(
        COORDINATOR_API, body={"title": "Picnic", "body": "Bring a plate"}
    ),
    (f"{V1}networks/<slug:slug>/audit/", "GET"): spec(COORDINATOR_API),
    (f"{V1}networks/<slug:slug>/isolation/", "GET"): spec(COORDINATOR_API),
    (f"{V1}activities/", "POST"): spec(COORDINATOR_API, body=ACTIVITY),
    # your data: export and erasure (a wrong password is a 400 for the person, never someone else's 403/404)
    (f"{V1}me/export/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}me/erase/", "POST"): spec(ANY_PERSON_API, body={"password": "not-it"}),
    # a coordinator erases a supported member only: the world's member manages their own account (403)
    (f"{MEMBER}erase/", "POST"): spec(row(401, 403, 404, 403, 403, 404, 403), body={"reason": "Asked to"}),
    ("me/data/", "GET"): spec(ANY_PERSON_PAGE),
    # account settings, a new person's next step, and the language switch (anyone: a cookie, or the account)
    ("me/", "GET"): spec(ANY_PERSON_PAGE),
    ("welcome/", "GET"): spec(ANY_PERSON_PAGE),
    ("language/", "POST"): spec(PUBLIC, body={"language": "en-gb", "next": "/"}),
    ("me/data/export.json", "GET"): spec(ANY_PERSON_PAGE),
    ("networks/<slug:slug>/members/<int:user_id>/erase/", "POST"): spec(
        row(LOGIN, 403, 404, 403, 403, 404, 403), body={"reason": "Asked to"}
    ),
    # API: listings, exchanges, the ledger, matching
    (f"{V1}listings/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}listings/", "POST"): spec(TRADING_API, body={"network": "home", "kind": "offer", "title": "Lifts"}),
    (f"{V1}listings/<int:pk>/", "GET"): spec(row(401, OK, 404, OK, OK, 404, 404)),
    (f"{V1}listings/<int:pk>/", "PATCH"): spec(OTHERS_PUBLIC_CHANGE_API, body={"title": "Help with a letter"}),
    (f"{V1}listings/<int:listing_id>/matches/", "GET"): spec(OTHERS_PUBLIC_CHANGE_API),
    # searching one network: its people, like its listings; another network is out of reach. The commissioner
    # is answered as by the listings API, 200 with nobody in it (tests/matching/test_search_reach_and_sensitive_help)
    (f"{V1}search/", "GET"): spec(IN_NETWORK_API, query="?q=dog&network=home"),
    (f"{V1}exchanges/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}exchanges/", "POST"): spec(TRADING_API, body=EXCHANGE),
    (f"{V1}exchanges/record/", "POST"): spec(TRADING_API, body=EXCHANGE),
    (f"{V1}exchanges/<int:pk>/", "GET"): spec(MEMBERS_OWN_API, pk="exchange"),
    # only an accepted exchange has a time: this one is proposed, so a party gets 409 (OK here), others 404
    (f"{V1}exchanges/<int:pk>/schedule/", "POST"): spec(
        MEMBERS_OWN_API, pk="exchange", body={"scheduled_for": "2027-06-01T10:00:00Z"}
    ),
    (f"{V1}exchanges/<int:pk>/<slug:action>/", "POST"): spec(
        row(401, 403, 404, 403, OK, 404, 404), pk="exchange", action="approve"
    ),
    (f"{V1}accounts/", "GET"): spec(ANY_PERSON_API),
    # another member's account: nobody's business but a coordinator's
    (f"{V1}accounts/<int:account_id>/floor/", "POST"): spec(
        row(401, 404, 404, 404, OK, 404, 404), body={"floor_minutes": -120, "reason": "Agreed with them"}
    ),
    (f"{V1}transfers/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}transfers/", "POST"): spec(TRADING_API, body=GIFT),
    # API: reports
    (f"{V1}reports/summary/", "GET"): spec(row(401, 404, 404, 404, 404, 404, OK), query=MONTHS),
    (f"{V1}reports/summary/csv/", "GET"): spec(row(401, 404, 404, 404, 404, 404, OK), query=MONTHS),
    (f"{V1}reports/networks/<slug:slug>/summary/", "GET"): spec(IN_NETWORK_API, query=MONTHS),
    (f"{V1}reports/networks/<slug:slug>/summary/csv/", "GET"): spec(IN_NETWORK_API, query=MONTHS),
    (f"{V1}reports/networks/<slug:slug>/export/<str:what>/", "GET"): spec(COORDINATOR_API),
    (f"{V1}wellbeing/<slug:slug>/", "GET"): spec(TRADING_API),
    (f"{V1}wellbeing/<slug:slug>/", "POST"): spec(TRADING_API, body={"action": "skip"}),
    # API: messaging
    (f"{V1}conversations/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}conversations/", "POST"): spec(TRADING_API, body={"network": "home", "member": "<them>"}),
    (f"{V1}conversations/<tb_id:conversation_id>/", "GET"): spec(PARTICIPANTS),
    (f"{V1}conversations/<tb_id:conversation_id>/messages/", "GET"): spec(PARTICIPANTS),
    (f"{V1}conversations/<tb_id:conversation_id>/messages/", "POST"): spec(
        PARTICIPANTS, body={"body": "See you at ten", "client_id": "matrix-1"}
    ),
    (f"{V1}conversations/<tb_id:conversation_id>/read/", "POST"): spec(PARTICIPANTS, body={"seq": 1}),
    # a coordinator, after a concern about the conversation, with a reason
    (f"{V1}conversations/<tb_id:conversation_id>/access/", "POST"): spec(
        row(401, 403, 404, 403, OK, 404, 403), body={"reason": "A concern was raised"}
    ),
    (f"{V1}messages/<tb_id:message_id>/report/", "POST"): spec(PARTICIPANTS, body={"reason": "Rude"}),
    (f"{V1}blocks/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}blocks/", "POST"): spec(TRADING_API, body={"network": "home", "member": "<them>"}),
    (f"{V1}blocks/<tb_id:block_id>/", "DELETE"): spec(PARTICIPANTS),
    (f"{V1}notifications/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}me/preferences/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}me/preferences/", "PATCH"): spec(ANY_PERSON_API, body={"email_digest": "weekly"}),
    # the member, their supporter; a coordinator only for a supported member (PRODUCT §3), which this one is not
    (f"{V1}notifications/<tb_id:notification_id>/read/", "POST"): spec(row(401, OK, 404, OK, 404, 404, 404)),
    # Web Push: anyone signed in subscribes their own browser and removes only their own subscription.
    (f"{V1}push/key/", "GET"): spec(ANY_PERSON_API),
    (f"{V1}push/subscriptions/", "POST"): spec(ANY_PERSON_API, body=PUSH_SUBSCRIPTION),
    (f"{V1}push/subscriptions/<tb_id:subscription_id>/", "DELETE"): spec(row(401, OK, 404, 404, 404, 404, 404)),
    # The SMS provider's webhook: no session, a signature; without it everyone is refused.
    (f"{V1}sms/inbound/", "POST"): spec(row(*[403] * 7), body={"from": "07700900123", "text": "YES 1"}),
    # pages: people and networks
    ("networks/", "GET"): spec(ANY_PERSON_PAGE),
    ("networks/<slug:slug>/join/", "POST"): spec(ANY_PERSON_PAGE),
    ("networks/<slug:slug>/leave/", "POST"): spec(IN_NETWORK_PAGE),
    ("networks/<slug:slug>/profile/", "GET"): spec(IN_NETWORK_PAGE),
    ("networks/<slug:slug>/queue/", "GET"): spec(COORDINATOR_PAGE),
    ("networks/<slug:slug>/neighbourhoods/", "GET"): spec(COORDINATOR_PAGE),
    ("networks/<slug:slug>/members/", "GET"): spec(TRADING_PAGE),
    ("networks/<slug:slug>/members/new/", "GET"): spec(COORDINATOR_PAGE),
    ("networks/<slug:slug>/members/<int:user_id>/manage/", "GET"): spec(COORDINATOR_PAGE),
    ("networks/<slug:slug>/members/<int:user_id>/<slug:action>/", "POST"): spec(COORDINATOR_PAGE, action="approve"),
    ("networks/<slug:slug>/members/<int:user_id>/checks/new/", "GET"): spec(COORDINATOR_PAGE),
    ("networks/<slug:slug>/concerns/new/", "GET"): spec(TRADING_PAGE),
    ("concerns/", "GET"): spec(ANY_PERSON_PAGE),
    ("networks/<slug:slug>/settings/", "GET"): spec(COORDINATOR_PAGE),
    ("networks/<slug:slug>/announcements/", "GET"): spec(TRADING_PAGE),
    ("networks/<slug:slug>/audit/", "GET"): spec(COORDINATOR_PAGE),
    ("networks/<slug:slug>/isolation/", "GET"): spec(COORDINATOR_PAGE),
    ("networks/<slug:slug>/activities/new/", "GET"): spec(COORDINATOR_PAGE),
    # the desk: coordinators of any network; nobody else
    ("coordinator/", "GET"): spec(row(LOGIN, 403, 403, 403, OK, OK, 403)),
    # a page action answers a refusal in reach with a message on the page it returns to
    ("concerns/<int:concern_id>/close/", "POST"): spec(row(LOGIN, OK, 404, 404, OK, 404, 404)),
    # pages: listings, exchanges, the ledger, matching, reports
    ("listings/", "GET"): spec(ANY_PERSON_PAGE),
    ("listings/new/", "GET"): spec(ANY_PERSON_PAGE),
    ("listings/<int:pk>/", "GET"): spec(row(LOGIN, OK, 404, OK, OK, 404, 404)),
    ("listings/<int:pk>/edit/", "GET"): spec(OTHERS_PUBLIC_CHANGE_PAGE),
    ("listings/<int:pk>/renew/", "POST"): spec(OTHERS_PUBLIC_CHANGE_PAGE),
    ("listings/<int:pk>/propose/", "POST"): spec(row(LOGIN, OK, 404, OK, OK, 404, 404)),
    ("listings/<int:listing_id>/matches/", "GET"): spec(OTHERS_PUBLIC_CHANGE_PAGE),
    ("listings/<int:listing_id>/matches/ask/", "GET"): spec(OTHERS_PUBLIC_CHANGE_PAGE),
    ("listings/<int:listing_id>/matches/ask/", "POST"): spec(OTHERS_PUBLIC_CHANGE_PAGE),
    ("exchanges/", "GET"): spec(ANY_PERSON_PAGE),
    ("exchanges/record/", "GET"): spec(ANY_PERSON_PAGE),
    ("exchanges/<int:pk>/", "GET"): spec(MEMBERS_OWN_PAGE, pk="exchange"),
    ("exchanges/<int:pk>/<slug:action>/", "POST"): spec(MEMBERS_OWN_PAGE, pk="exchange", action="approve"),
    # coordinators of any network; nobody else
    ("coordinator/exchanges/", "GET"): spec(row(LOGIN, 403, 403, 403, OK, OK, 403)),
    ("time/", "GET"): spec(ANY_PERSON_PAGE),
    ("time/<slug:slug>/give/", "GET"): spec(TRADING_PAGE),
    ("time/<slug:slug>/give/", "POST"): spec(TRADING_PAGE),
    ("networks/<slug:slug>/ledger/", "GET"): spec(COORDINATOR_PAGE),
    ("coordinator/<slug:slug>/unmatched/", "GET"): spec(COORDINATOR_PAGE),
    ("coordinator/<slug:slug>/unmatched/introduce/", "POST"): spec(
        COORDINATOR_PAGE, body={"listing": "<their_listing>", "member": "<me>"}
    ),
    ("reports/", "GET"): spec(ANY_PERSON_PAGE),
    ("reports/funded/", "GET"): spec(COMMISSIONER_PAGE),
    ("reports/funded/summary/print/", "GET"): spec(COMMISSIONER_PAGE),
    ("reports/funded/compare/", "GET"): spec(COMMISSIONER_PAGE),
    ("reports/<slug:slug>/", "GET"): spec(IN_NETWORK_PAGE),
    ("reports/<slug:slug>/summary/print/", "GET"): spec(IN_NETWORK_PAGE),
    ("wellbeing/<slug:slug>/", "GET"): spec(TRADING_PAGE),
    # pages: messaging
    ("conversations/", "GET"): spec(ANY_PERSON_PAGE),
    ("conversations/start/", "POST"): spec(ANY_PERSON_PAGE),
    ("conversations/<tb_id:conversation_id>/", "GET"): spec(PARTICIPANTS_PAGE),
    ("conversations/<tb_id:conversation_id>/block/", "GET"): spec(PARTICIPANTS_PAGE),
    ("conversations/<tb_id:conversation_id>/block/", "POST"): spec(PARTICIPANTS_PAGE),
    ("conversations/<tb_id:conversation_id>/access/", "GET"): spec(row(LOGIN, 403, 404, 403, OK, 404, 403)),
    ("messages/<tb_id:message_id>/report/", "GET"): spec(PARTICIPANTS_PAGE),
    ("notifications/", "GET"): spec(ANY_PERSON_PAGE),
    ("notifications/read/", "POST"): spec(ANY_PERSON_PAGE),
    ("notifications/preferences/", "POST"): spec(ANY_PERSON_PAGE),
    ("notifications/<tb_id:notification_id>/read/", "POST"): spec(row(LOGIN, OK, 404, OK, 404, 404, 404)),
}

# Cells where the product does not yet do what PRODUCT §3 says, each with why. The matrix skips them and
# `test_each_known_gap_is_still_open` fails the day one closes, so it moves back into MATRIX.
KNOWN_GAPS: dict[tuple[str, str, str], str] = {}


def routes() -> set[tuple[str, object]]:
    """Every route the resolver serves, as its pattern text, with its view."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.callback

    return {(route, view) for route, view in walk(get_resolver().url_patterns) if not route.startswith(NOT_OURS)}


def api_methods(view) -> list[str]:
    """The methods a DRF view answers (its handlers, within http_method_names)."""
    cls = view.view_class
    return [
        m.upper() for m in ("get", "post", "put", "patch", "delete") if m in cls.http_method_names and hasattr(cls, m)
    ]


@pytest.fixture
def world():
    """Two networks and one person of every kind, with objects belonging to the member, to another member
    of the same network and to the other network."""
    home = NetworkFactory(slug="home", name="Home")
    away = NetworkFactory(slug="away", name="Away")
    people = {
        "coordinator": member(home, role=Membership.Role.COORDINATOR),
        "supporter": member(home, role=Membership.Role.SUPPORTER),
        "member": member(home),
        "commissioner": member(home, role=Membership.Role.COMMISSIONER),
        "outsider": member(away),
        "other_coordinator": member(away, role=Membership.Role.COORDINATOR),
    }
    other = member(home)  # another member of the member's network, whom nobody here supports
    SupportLink.objects.create(network=home, supporter=people["supporter"], member=people["member"])
    me, them = people["member"].user, other.user
    my_listing = listing_create(actor=me, network=home, kind=Listing.Kind.OFFER, title="Dog walks")
    their_listing = listing_create(actor=them, network=home, kind=Listing.Kind.REQUEST, title="Help with a form")
    exchange = exchange_propose(actor=me, network=home, provider=me, recipient=them, minutes=60, description="Form")
    conversation, _ = conversation_direct_open(network=home, user=me, other_id=them.pk)
    message, _ = message_send(conversation=conversation.pk, sender=them, body="Tuesday?", client_id="m1")
    # About the conversation, so a coordinator has grounds to ask to read it.
    concern = Concern.objects.create(network=home, raised_by=me, about_conversation=conversation, description="Rude")
    check = SafeguardingCheck.objects.create(
        network=home,
        membership=other,
        kind=SafeguardingCheck.Kind.REFERENCE,
        checked_on=datetime.date(2026, 1, 5),
        recorded_by=people["coordinator"].user,
    )
    block = Block.objects.create(network=home, blocker=me, blocked=member(home).user)
    notification = Notification.objects.filter(user=me).first() or Notification.objects.create(
        network=home, user=me, kind="test", text="Hello"
    )
    subscription = PushSubscription.objects.create(
        user=me, endpoint="https://push.example.net/mine", p256dh=PUSH_SUBSCRIPTION["keys"]["p256dh"], auth="x" * 22
    )
    values = {
        "subscription_id": subscription.pk,
        "slug": home.slug,
        "user_id": them.pk,
        "supporter_id": people["supporter"].user_id,
        "pk": their_listing.pk,
        "listing_id": their_listing.pk,
        "concern_id": concern.pk,
        "check_id": check.pk,
        "conversation_id": conversation.pk,
        "message_id": message.pk,
        "block_id": block.pk,
        "notification_id": notification.pk,
        "account_id": other.account.pk,
        "what": "members",
        "exchange": exchange.pk,
    }
    in_bodies = {"<me>": me.pk, "<them>": them.pk, "<supporter>": people["supporter"].user_id}
    in_bodies["<their_listing>"] = their_listing.pk
    return {"people": people, "values": values, "in_bodies": in_bodies, "my_listing": my_listing}


def fill(route: str, values: dict, objects: dict) -> str:
    """The route's path with its parameters given: `objects` name a value (pk="exchange") or are one."""

    def one(match):
        name = match.group(2)
        wanted = objects.get(name, name)
        return str(values.get(wanted, wanted))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", one, route)


def outcome(response):
    if response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL):
        return LOGIN
    return response.status_code


def agrees(expected, got) -> bool:
    if expected == OK:
        return got not in (401, 403, 404, 405, LOGIN) and got < 500
    return got == expected


def served() -> set[tuple[str, str]]:
    """(route, method) for every route: an API view's own methods; a page's method from MATRIX (a page
    route has one row, for the method it is used with)."""
    keys = set()
    for route, view in routes():
        if route.startswith("api/v1/"):
            keys |= {(route, method) for method in api_methods(view)}
        else:
            keys |= {(r, m) for r, m in MATRIX if r == route} or {(route, "?")}
    return keys


def test_every_route_has_an_entry():
    keys = served()
    assert not keys - set(MATRIX), f"routes with no row in MATRIX: {sorted(keys - set(MATRIX))}"
    assert not set(MATRIX) - keys, f"rows for routes that are gone: {sorted(set(MATRIX) - keys)}"


def _placed(world, value):
    """A body value with the world's people put in for their placeholders ("<me>"), in lists too."""
    if isinstance(value, list):
        return [_placed(world, v) for v in value]
    return world["in_bodies"].get(value, value) if isinstance(value, str) else value


def ask(world, route: str, method: str, role: str):
    """One request as one person, rolled back: each cell starts from the same world."""
    entry = MATRIX[(route, method)]
    client = Client()
    if role != "anonymous":
        client.force_login(world["people"][role].user)
    path = fill(route, world["values"], entry["objects"]) + entry["query"]
    body = {k: _placed(world, v) for k, v in (entry["body"] or {}).items()}
    with transaction.atomic():
        if route.startswith("api/"):
            response = client.generic(
                method,
                path,
                json.dumps(body) if body else "",
                content_type="application/json",
                headers={"Idempotency-Key": f"matrix-{role}"},
            )
        else:
            response = client.generic(method, path, urlencode(body), content_type="application/x-www-form-urlencoded")
        transaction.set_rollback(True)
    return outcome(response)


@pytest.mark.parametrize(("route", "method"), sorted(MATRIX), ids=[f"{m} /{r}" for r, m in sorted(MATRIX)])
def test_who_may_use_each_route(world, route, method):
    wrong = {}
    for role, expected in MATRIX[(route, method)]["who"].items():
        if (route, method, role) in KNOWN_GAPS:
            continue
        got = ask(world, route, method, role)
        if not agrees(expected, got):
            wrong[role] = f"expected {expected}, got {got}"
    assert not wrong, f"{method} /{route}: {wrong}"


@pytest.mark.parametrize("gap", sorted(KNOWN_GAPS), ids=[f"{m} /{r} as {who}" for r, m, who in sorted(KNOWN_GAPS)])
def test_each_known_gap_is_still_open(world, gap):
    route, method, role = gap
    expected = MATRIX[(route, method)]["who"][role]
    assert not agrees(expected, ask(world, route, method, role)), f"closed: move {gap} out of KNOWN_GAPS"
