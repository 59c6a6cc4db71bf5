"""Membership services, the create_network command and the demo profiles, checked in the database."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from exchanges.ledger import services as ledger
from members.demo import demo_profiles
from members.models import AuditEvent, Membership, Network, Skill, SkillCategory, User
from members.profiles import profile_update
from members.services import membership_join, membership_leave, membership_role_change, supported_member_register
from tests.factories import UserFactory, member
from tests.members.helpers import membership_of
from timebank.errors import Forbidden, InvalidTransition, LastCoordinator

pytestmark = pytest.mark.django_db


def test_create_network_makes_the_network_and_a_new_coordinator():
    out = StringIO()
    call_command(
        "create_network", "--slug", "kilburn", "--name", "Kilburn", "--coordinator-email", "Co@Example.org", stdout=out
    )
    network = Network.objects.get(slug="kilburn")
    user = User.objects.get(email="co@example.org")
    m = membership_of(user, network)
    assert (m.role, m.status) == ("coordinator", "active")
    assert network.accounts.filter(kind="pot").exists() and network.accounts.filter(kind="issuance").exists()
    assert "created" in out.getvalue()


def test_create_network_uses_an_existing_person(db):
    person = UserFactory()
    call_command("create_network", "--slug", "kilburn", "--name", "Kilburn", "--coordinator-email", person.email)
    assert User.objects.count() == 1
    assert membership_of(person, Network.objects.get(slug="kilburn")).role == "coordinator"


@pytest.mark.parametrize(
    "args",
    [
        ["--slug", "harlesden", "--name", "Again", "--coordinator-email", "a@example.org"],
        ["--slug", "new", "--name", "New", "--coordinator-email", "not-an-email"],
        ["--slug", "bad slug!", "--name", "New", "--coordinator-email", "a@example.org"],
    ],
)
def test_create_network_refuses_bad_input_and_writes_nothing(network, args):
    before = (Network.objects.count(), User.objects.count())
    with pytest.raises(CommandError):
        call_command("create_network", *args)
    assert (Network.objects.count(), User.objects.count()) == before


def test_someone_declined_may_ask_again(network, coordinator, waiting):
    m = membership_of(waiting, network)
    m.status = Membership.Status.DECLINED
    m.save()
    membership_join(user=waiting, network=network)
    assert membership_of(waiting, network).status == "pending"


def test_a_suspended_member_cannot_rejoin_around_the_suspension(network, alice):
    m = membership_of(alice, network)
    m.status = Membership.Status.SUSPENDED
    m.save()
    with pytest.raises(InvalidTransition):
        membership_join(user=alice, network=network)
    assert membership_of(alice, network).status == "suspended"


def test_leaving_calls_the_ledgers_settlement_when_it_exists(network, alice, monkeypatch):
    calls = []
    monkeypatch.setattr(ledger, "account_settle", lambda **kw: calls.append(kw), raising=False)
    membership_leave(membership=membership_of(alice, network), actor=alice)
    assert calls == [{"membership": membership_of(alice, network), "actor": alice}]
    assert AuditEvent.objects.filter(action="membership.leave", actor=alice).exists()


def test_leaving_twice_is_refused(network, alice):
    membership_leave(membership=membership_of(alice, network), actor=alice)
    with pytest.raises(InvalidTransition):
        membership_leave(membership=membership_of(alice, network), actor=alice)


def test_another_member_cannot_make_someone_leave(network, alice, bob):
    with pytest.raises(Forbidden):
        membership_leave(membership=membership_of(alice, network), actor=bob)
    assert membership_of(alice, network).status == "active"


def test_the_last_coordinator_cannot_change_their_own_role(network, coordinator):
    with pytest.raises(LastCoordinator):
        membership_role_change(membership=membership_of(coordinator, network), actor=coordinator, role="member")
    assert membership_of(coordinator, network).role == "coordinator"


def test_a_supported_member_has_no_login_and_their_supporter_acts_with_them(network, coordinator):
    sam = member(network, role=Membership.Role.SUPPORTER)
    edna = supported_member_register(network=network, actor=coordinator, display_name="Edna", supporter=sam)
    assert edna.user.email is None and not edna.user.has_usable_password()
    profile_update(membership=edna, actor=sam.user, bio="Likes knitting")
    event = AuditEvent.objects.get(action="profile.update")
    assert (event.actor, event.on_behalf_of) == (sam.user, edna.user)


def test_a_supporter_of_another_member_cannot_act_for_a_supported_member(network, coordinator):
    edna = supported_member_register(network=network, actor=coordinator, display_name="Edna")
    other = member(network, role=Membership.Role.SUPPORTER)
    with pytest.raises(Forbidden):
        profile_update(membership=edna, actor=other.user, bio="Not mine")
    edna.refresh_from_db()
    assert edna.bio == ""


def test_demo_profiles_fill_in_profiles_and_skip_skills_the_taxonomy_lacks(network):
    cat = SkillCategory.objects.create(slug="demo-cat", name="Demo")
    Skill.objects.get_or_create(slug="gardening", defaults={"name": "Gardening", "category": cat})
    # A database whose taxonomy lacks a skill the demo names.
    Skill.objects.filter(slug="smartphone-help").delete()
    memberships = [member(network) for _ in range(9)]
    demo_profiles(network=network, memberships=memberships)
    first, sixth = memberships[0], memberships[5]
    first.refresh_from_db()
    assert first.bio and first.neighbourhood == "Church End" and first.availability
    assert list(first.skills_wanted.values_list("slug", flat=True)) == ["gardening"]
    assert "gardening" in sixth.skills_wanted.values_list("slug", flat=True)
