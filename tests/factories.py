"""factory_boy factories for people, networks, listings and conversations.

There is no factory for transfers: ledger state is built through the ledger service, so a test
cannot create a balance that the product could not.
"""

import factory
from django.test import Client

from members.models import Membership, Network, User
from members.services import membership_activate, network_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"Person{n}@Example.org".lower())
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "demo-password")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class NetworkFactory(factory.django.DjangoModelFactory):
    """Networks are made through the service, so they always have their pot and issuance accounts."""

    class Meta:
        model = Network

    slug = factory.Sequence(lambda n: f"network-{n}")
    name = factory.Sequence(lambda n: f"Network {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return network_create(**kwargs)


def member(network: Network, role: str = Membership.Role.MEMBER, user: User | None = None, **extra) -> Membership:
    """An active membership (with its account, for trading roles)."""
    user = user or UserFactory()
    membership = Membership.objects.create(network=network, user=user, role=role, **extra)
    return membership_activate(membership=membership, actor=None)


def pending(network: Network, user: User | None = None) -> Membership:
    return Membership.objects.create(network=network, user=user or UserFactory(), status=Membership.Status.PENDING)


def app_token(user) -> str:
    """A session token for the user from allauth's app login (the factories' password)."""
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": "demo-password"},
        content_type="application/json",
    )
    return response.json()["meta"]["session_token"]
