"""People for the load test: one network of N members who can log in, with opening balances, made through the
product's services (a coordinator issues each opening balance, with a reason, as on migrating a time bank).

Called by bench/load/run.py with Django set up for the load database; prints nothing, returns the people.
"""

import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from exchanges.ledger.moves import transfer_request
from members.models import Membership, Network, User
from members.services import membership_activate, network_create

PASSWORD = "load-password-1"


def seed(*, members: int, opening_minutes: int) -> dict:
    tag = secrets.token_hex(3)
    coordinator = User.objects.create_user(email=f"load-{tag}-coordinator@bench.invalid", display_name="Coordinator")
    # Exchanges are approved by nobody (no sensitive skills in the way): the journey is the members' own.
    network = network_create(
        slug=f"load-{tag}", name=f"Load {tag}", coordinator=coordinator, approval=Network.Approval.NEVER
    )
    # One hash for everyone: production's hasher takes a good fraction of a second per password, and the
    # point is to pay that at login (as the server does), not N times here.
    password = make_password(PASSWORD)
    people = []
    for n in range(members):
        with transaction.atomic():
            user = User.objects.create_user(email=f"load-{tag}-{n}@bench.invalid", display_name=f"Member {n}")
            User.objects.filter(pk=user.pk).update(password=password)
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            membership_activate(membership=Membership.objects.create(network=network, user=user), actor=coordinator)
            transfer_request(
                actor=coordinator,
                network=network,
                kind="issue",
                to_member=user.pk,
                minutes=opening_minutes,
                reason="Opening balance",
            )
        people.append({"id": user.pk, "email": user.email})
    return {"network": network.slug, "password": PASSWORD, "people": people}
