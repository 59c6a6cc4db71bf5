"""Demo listings and a few months of exchanges for seed_demo, written through the product's own services."""

import datetime
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from exchanges import services
from exchanges.ledger.models import Account, Transfer
from exchanges.models import Exchange, Listing
from members.models import AuditEvent, Membership, Network, Skill, User
from messaging.notifications.models import Notification

# (owner index, kind, title, description, minutes, skills ticked, availability): slugs of the shipped
# taxonomy (a test holds them to it); no availability means the owner's profile's.
LISTINGS = [
    (
        0,
        "offer",
        "Help with forms and letters",
        "I used to work in an office. Happy to read letters and fill in forms: benefits, council, hospital.",
        60,
        ["filling-in-forms", "reading-letters"],
        [],
    ),
    (
        1,
        "request",
        "Lift to Central Middlesex on Thursdays",
        "My clinic is every other Thursday at 10. I can't manage the bus with my knee.",
        90,
        ["lifts-to-appointments"],
        ["thu-morning"],
    ),
    (
        2,
        "offer",
        "Dog walking round Roundwood Park",
        "I walk my own dog every morning and am happy to take yours.",
        45,
        ["dog-walking"],
        [],
    ),
    (
        3,
        "offer",
        "Bike fixing and small repairs",
        "Punctures, brakes, wobbly shelves, a dripping tap.",
        60,
        ["bike-repair", "odd-jobs"],
        [],
    ),
    (
        4,
        "request",
        "Someone to pop in for a cup of tea",
        "I don't get out much. A chat once a week would be lovely.",
        60,
        ["coffee-and-a-chat", "befriending-visits"],
        [],
    ),
    (
        5,
        "offer",
        "Batch cooking: jollof, stews and soups",
        "I cook big pots on Sundays and can make extra portions.",
        120,
        ["batch-cooking"],
        ["sun-afternoon"],
    ),
    (
        6,
        "request",
        "Help setting up my new phone",
        "WhatsApp and video calls with my grandchildren.",
        60,
        ["smartphone-help", "video-calls"],
        [],
    ),
    (
        7,
        "offer",
        "Basic computer lessons",
        "Email, online forms, video calls. Patient and friendly.",
        60,
        ["computer-basics", "setting-up-email", "video-calls"],
        [],
    ),
    (
        8,
        "request",
        "Help with the big shop on Saturdays",
        "Carrying bags from Asda on the high road.",
        60,
        ["food-shopping"],
        ["sat-morning", "sat-afternoon"],
    ),
]

# (weeks ago, provider index, recipient index, minutes, description); -1 is the pot.
HISTORY = [
    (16, 0, 1, 60, "Filled in the blue badge form"),
    (15, 2, 4, 45, "Walked Biscuit"),
    (14, 3, 8, 60, "Fixed the wobbly kitchen shelf"),
    (13, 1, 6, 30, "Showed how to send photos"),
    (12, 5, 4, 120, "Cooked a week of soups"),
    (11, 7, 6, 60, "Set up video calls"),
    (10, 8, 0, 60, "Helped sort the garden shed"),
    (9, 2, 1, 45, "Walked the dog while in hospital"),
    (8, 6, 5, 60, "Helped with a CV"),
    (7, 3, 2, 60, "Mended a bike puncture"),
    (6, 0, 7, 60, "Read through the tenancy letter"),
    (5, 4, 3, 60, "Taught knitting basics"),
    (4, 5, 8, 120, "Batch cooked for the freezer"),
    (3, 7, 1, 60, "Computer lesson: online banking"),
    (2, 1, 0, 30, "Company on the bus to town"),
]
COFFEE_MORNING_MINUTES = 120


@contextmanager
def _clock(when: datetime.datetime):
    """Run the services as if at `when`, so the demo has months of history (only seed_demo does this)."""
    fields = [model._meta.get_field("created_at") for model in (Exchange, Transfer, Listing, AuditEvent, Notification)]
    # Field defaults are cached per field (Field._get_default), so swap the cached callable itself.
    with mock.patch("django.utils.timezone.now", return_value=when):
        originals = [field.__dict__.get("_get_default") for field in fields]
        try:
            for field in fields:
                field.__dict__["_get_default"] = lambda: when
            yield
        finally:
            for field, original in zip(fields, originals, strict=True):
                field.__dict__.pop("_get_default", None)
                if original is not None:
                    field.__dict__["_get_default"] = original


def _skills(slugs: list[str]) -> list[Skill]:
    return list(Skill.objects.filter(slug__in=slugs))


def _actor(user: User | None, coordinator: User, network: Network) -> User:
    """The person who taps the button: the member, their supporter or the coordinator."""
    if user is None:
        return coordinator
    membership = Membership.objects.get(network=network, user=user)
    if membership.is_supported:
        link = membership.supported_by.select_related("supporter__user").first()
        return link.supporter.user if link else coordinator
    return user


def _full_exchange(network, coordinator, provider, recipient, minutes, description, claim=None) -> Exchange:
    exchange = services.exchange_propose(
        actor=_actor(recipient, coordinator, network),
        network=network,
        provider=provider,
        recipient=recipient,
        minutes=minutes,
        description=description,
    )
    exchange = services.exchange_accept(actor=_actor(provider, coordinator, network), exchange=exchange)
    if exchange.state == Exchange.State.AWAITING_APPROVAL:
        exchange = services.exchange_approve(actor=coordinator, exchange=exchange, reason="Known to us")
    return services.exchange_complete(
        actor=_actor(provider, coordinator, network), exchange=exchange, minutes=claim or minutes
    )


def demo_exchanges(*, network: Network, coordinator: User, memberships: list[Membership]) -> None:
    """Listings for everyone, four months of confirmed help, and a few things in progress."""
    users = [m.user for m in memberships]
    now = timezone.now()
    for owner, kind, title, description, minutes, slugs, availability in LISTINGS:
        with _clock(now - datetime.timedelta(weeks=17)):
            services.listing_create(
                actor=_actor(users[owner], coordinator, network),
                owner=users[owner],
                network=network,
                kind=kind,
                title=title,
                description=description,
                minutes_estimate=minutes,
                skills=_skills(slugs),
                availability=availability,
            )
    for weeks, provider, recipient, minutes, description in HISTORY:
        when = now - datetime.timedelta(weeks=weeks)
        p, r = users[provider], users[recipient]
        with _clock(when):
            exchange = _full_exchange(network, coordinator, p, r, minutes, description)
        with _clock(when + datetime.timedelta(days=1)):
            services.exchange_confirm(actor=_actor(r, coordinator, network), exchange=exchange)

    pot = Account.objects.get(network=network, kind=Account.Kind.POT)
    if pot.balance - pot.held >= COFFEE_MORNING_MINUTES:
        # Help to the community is paid by the pot (only when the demo's pot has been funded).
        with _clock(now - datetime.timedelta(weeks=3)):
            exchange = _full_exchange(network, coordinator, users[5], None, COFFEE_MORNING_MINUTES, "Coffee morning")
            services.exchange_confirm(actor=coordinator, exchange=exchange)

    # A dispute the coordinator settled.
    with _clock(now - datetime.timedelta(weeks=2)):
        exchange = _full_exchange(network, coordinator, users[3], users[6], 60, "Put up curtain rails", claim=120)
        exchange = services.exchange_dispute(actor=users[6], exchange=exchange, reason="It took an hour, not two")
    with _clock(now - datetime.timedelta(weeks=2, days=-2)):
        services.exchange_resolve(actor=coordinator, exchange=exchange, minutes=60, reason="Both agreed an hour")

    # In progress today: a claim to confirm, an agreed lift, a new request, a supported member's claim.
    with _clock(now - datetime.timedelta(days=2)):
        _full_exchange(network, coordinator, users[2], users[0], 45, "Walked the dog")
    with _clock(now - datetime.timedelta(days=1)):
        lift = services.exchange_propose(
            actor=users[1],
            network=network,
            provider=users[3],
            recipient=users[1],
            minutes=90,
            description="Lift to Central Middlesex",
            listing=Listing.objects.filter(network=network, owner=users[1]).first(),
        )
        services.exchange_accept(actor=users[3], exchange=lift)
        services.exchange_propose(
            actor=users[8],
            network=network,
            provider=users[7],
            recipient=users[8],
            minutes=60,
            description="Help with the big shop",
        )
        services.exchange_record(
            actor=_actor(users[4], coordinator, network),
            network=network,
            provider=users[4],
            recipient=users[6],
            minutes=60,
            description="Knitting lesson",
        )
