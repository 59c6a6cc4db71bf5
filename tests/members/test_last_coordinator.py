"""A network always keeps at least one active coordinator: the last one cannot leave, be suspended or
change role (PRODUCT §3) — at the API, on the pages, and when two coordinators act at once."""

import threading

import pytest
from django.db import connection
from django.test import Client

from members.models import Membership
from members.services import membership_leave, membership_role_change, membership_suspend
from tests.factories import NetworkFactory, member
from tests.members.helpers import assert_error, membership_of
from timebank.errors import DomainError, Forbidden, LastCoordinator

pytestmark = pytest.mark.django_db


def active_coordinators(network) -> int:
    return Membership.objects.filter(network=network, role="coordinator", status="active").count()


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_last_coordinator_cannot_leave_through_the_api(api, network, coordinator):
    error = assert_error(api.as_user(coordinator).post("/api/v1/networks/harlesden/leave/"), 409, "last_coordinator")
    assert "coordinator" in error["message"]
    assert membership_of(coordinator, network).status == "active"


def test_the_last_coordinator_cannot_leave_from_the_page(network, coordinator):
    response = page_client(coordinator).post("/networks/harlesden/leave/", follow=True)
    assert response.status_code == 200
    assert "needs at least one coordinator" in response.content.decode()
    assert membership_of(coordinator, network).status == "active"


def test_a_coordinator_can_leave_while_another_remains(api, network, coordinator):
    member(network, role=Membership.Role.COORDINATOR)
    assert api.as_user(coordinator).post("/api/v1/networks/harlesden/leave/").status_code == 200
    assert membership_of(coordinator, network).status == "left"
    assert active_coordinators(network) == 1


def test_the_last_coordinator_cannot_change_their_own_role(api, network, coordinator):
    response = api.as_user(coordinator).post(
        f"/api/v1/networks/harlesden/members/{coordinator.pk}/role/", {"role": "member", "reason": "x"}, format="json"
    )
    assert_error(response, 409, "last_coordinator")
    assert membership_of(coordinator, network).role == "coordinator"


def test_the_last_coordinator_cannot_change_their_own_role_from_the_page(network, coordinator):
    response = page_client(coordinator).post(
        f"/networks/harlesden/members/{coordinator.pk}/manage/", {"op": "role", "role": "member", "reason": "x"}
    )
    assert response.status_code == 400
    assert "needs at least one coordinator" in response.content.decode()
    assert membership_of(coordinator, network).role == "coordinator"


def test_a_coordinator_can_step_down_while_another_remains(network, coordinator):
    member(network, role=Membership.Role.COORDINATOR)
    membership_role_change(membership=membership_of(coordinator, network), actor=coordinator, role="member")
    assert membership_of(coordinator, network).role == "member"
    assert active_coordinators(network) == 1


def test_a_coordinator_still_cannot_suspend_themself(network, coordinator):
    with pytest.raises(Forbidden):
        membership_suspend(membership=membership_of(coordinator, network), actor=coordinator, reason="x")
    assert membership_of(coordinator, network).status == "active"


def test_the_last_coordinator_cannot_be_left_by_someone_acting_for_them(network, coordinator):
    with pytest.raises(LastCoordinator):
        membership_leave(membership=membership_of(coordinator, network), actor=coordinator)
    assert active_coordinators(network) == 1


def _race(*calls) -> list[str]:
    """Run the calls at once, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("done")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_two_coordinators_demoting_each_other_at_once_leave_one(attempt):
    network = NetworkFactory()
    a, b = (member(network, role=Membership.Role.COORDINATOR) for _ in range(2))
    outcomes = _race(
        lambda: membership_role_change(membership=b, actor=a.user, role="member", reason="race"),
        lambda: membership_role_change(membership=a, actor=b.user, role="member", reason="race"),
    )
    assert outcomes[0] == "done" and outcomes[1] in ("permission_denied", "last_coordinator")
    assert active_coordinators(network) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_two_coordinators_suspending_each_other_at_once_leave_one(attempt):
    network = NetworkFactory()
    a, b = (member(network, role=Membership.Role.COORDINATOR) for _ in range(2))
    outcomes = _race(
        lambda: membership_suspend(membership=b, actor=a.user, reason="race"),
        lambda: membership_suspend(membership=a, actor=b.user, reason="race"),
    )
    assert outcomes[0] == "done" and outcomes[1] in ("permission_denied", "last_coordinator")
    assert active_coordinators(network) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_the_last_two_coordinators_leaving_at_once_leave_one(attempt):
    network = NetworkFactory()
    a, b = (member(network, role=Membership.Role.COORDINATOR) for _ in range(2))
    outcomes = _race(
        lambda: membership_leave(membership=a, actor=a.user),
        lambda: membership_leave(membership=b, actor=b.user),
    )
    assert outcomes == ["done", "last_coordinator"]
    assert active_coordinators(network) == 1
