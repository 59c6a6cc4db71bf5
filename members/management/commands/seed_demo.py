"""Load the demo network ("Harlesden KeyRing"); safe to run again (it changes nothing the second time)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from exchanges.demo import demo_exchanges
from exchanges.ledger.demo import ledger_demo
from members.announcements import announcement_post
from members.demo import demo_profiles
from members.models import Membership, Network, SupportLink, User
from members.services import membership_activate, network_create, network_neighbourhoods_set, network_settings_set

PASSWORD = "demo-password"
MEMBERS = [
    ("member1@example.org", "Aisha", "Church End"),
    ("member2@example.org", "Bernard", "Church End"),
    ("member3@example.org", "Chloe", "Harlesden Town"),
    ("member4@example.org", "Dev", "Harlesden Town"),
    ("member5@example.org", "Edna", "Kensal Green"),
    ("member6@example.org", "Femi", "Kensal Green"),
    ("member7@example.org", "Grace", "Church End"),
    ("member8@example.org", "Hamid", "Stonebridge"),
    ("member9@example.org", "Irene", "Stonebridge"),
]


def _user(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, PASSWORD, display_name=name)
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


class Command(BaseCommand):
    help = "Create the demo network with its people and a few months of history (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        if Network.objects.filter(slug="demo").exists():
            self.stdout.write("Demo network already loaded.")
            return
        coordinator = _user("coordinator@example.org", "Carol (coordinator)")
        network = network_create(slug="demo", name="Harlesden KeyRing", coordinator=coordinator, welcome_minutes=120)
        network_neighbourhoods_set(
            network=network,
            actor=coordinator,
            groups=[["Harlesden Town", "Church End", "Stonebridge"], ["Harlesden Town", "Kensal Green"]],
        )
        commissioner = _user("commissioner@example.org", "Brent Council")
        Membership.objects.create(
            network=network, user=commissioner, role=Membership.Role.COMMISSIONER, status=Membership.Status.ACTIVE
        )
        supporter = membership_activate(
            membership=Membership.objects.create(
                network=network, user=_user("supporter@example.org", "Sam (volunteer)"), role=Membership.Role.SUPPORTER
            ),
            actor=coordinator,
        )
        memberships = []
        for email, name, place in MEMBERS:
            m = Membership.objects.create(network=network, user=_user(email, name), neighbourhood=place)
            memberships.append(membership_activate(membership=m, actor=coordinator))
        # Edna is a supported member: Sam acts with her.
        edna = memberships[4]
        edna.is_supported = True
        edna.save(update_fields=["is_supported"])
        SupportLink.objects.create(network=network, supporter=supporter, member=edna)
        # Everyone joined before the demo's history begins (exchanges go back 17 weeks): a member approved
        # "now" with months of past exchanges would be active in months they were not yet registered in.
        joined = timezone.now() - timedelta(weeks=18)
        Membership.objects.filter(network=network).update(approved_at=joined, created_at=joined)
        demo_profiles(network=network, memberships=memberships)
        ledger_demo(network=network, coordinator=coordinator, memberships=memberships)
        demo_exchanges(network=network, coordinator=coordinator, memberships=memberships)
        network_settings_set(
            network=network,
            actor=coordinator,
            changes={"join_questions": ["What would you like help with?", "What could you help others with?"]},
            reason="Agreed at the steering group",
        )
        announcement_post(
            actor=coordinator,
            network=network,
            title="Coffee morning at the library",
            body="Every Tuesday from 10:30 at Harlesden Library. Come and meet your neighbours.",
        )
        self.stdout.write(
            self.style.SUCCESS("Demo network 'demo' loaded: log in as member1@example.org / demo-password")
        )
