"""Seed the ledger benchmark: one network, N members able to log in, each issued plenty of hours.

Run with the bench's DATABASE_URL after `manage.py migrate`; prints the members' ids and emails as JSON.
"""

import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")
django.setup()

from allauth.account.models import EmailAddress  # noqa: E402

from exchanges.ledger.services import network_accounts_open, transfer_create  # noqa: E402
from members.models import Membership, Network, User  # noqa: E402
from members.services import membership_activate, network_create  # noqa: E402

PASSWORD = "bench-password-1"


def main(count: int) -> None:
    network = Network.objects.filter(slug="bench").first() or network_create(slug="bench", name="Bench")
    _, issuance = network_accounts_open(network=network)
    coordinator = User.objects.create_user(email="bench-coordinator@example.org", password=PASSWORD)
    membership_activate(
        membership=Membership.objects.create(network=network, user=coordinator, role=Membership.Role.COORDINATOR),
        actor=None,
    )
    people = []
    for n in range(count):
        user = User.objects.create_user(email=f"bench{n}@example.org", password=PASSWORD, display_name=f"Bench {n}")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        account = membership_activate(
            membership=Membership.objects.create(network=network, user=user), actor=coordinator
        ).account
        transfer_create(
            network=network,
            from_account=issuance,
            to_account=account,
            minutes=1_000_000,
            kind="issue",
            created_by=coordinator,
            reason="benchmark opening balance",
        )
        people.append({"id": user.pk, "email": user.email, "password": PASSWORD})
    print(json.dumps({"network": network.slug, "people": people}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 16)
