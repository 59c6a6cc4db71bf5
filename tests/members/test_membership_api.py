"""Networks, joining, approval and the member list over the API."""

import pytest

from members.models import AuditEvent, Membership
from messaging.notifications.models import Notification
from tests.factories import UserFactory, member
from tests.members.helpers import assert_error, membership_of

pytestmark = pytest.mark.django_db


def test_the_network_list_shows_every_network_with_my_role_and_status(api, network, other_network, alice):
    response = api.as_user(alice).get("/api/v1/networks/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    rows = {r["slug"]: r for r in body["results"]}
    assert rows["harlesden"] == {
        "slug": "harlesden",
        "name": "Harlesden KeyRing",
        "description": "",
        "my_role": "member",
        "my_status": "active",
    }
    assert rows["elsewhere"]["my_role"] is None and rows["elsewhere"]["my_status"] is None


def test_joining_makes_a_pending_membership_and_tells_the_coordinators(api, network, coordinator):
    person = UserFactory()
    response = api.as_user(person).post("/api/v1/networks/harlesden/join/")
    assert response.status_code == 201
    assert response.json() == {
        "network": "harlesden",
        "member": person.pk,
        "display_name": person.name,
        "role": "member",
        "status": "pending",
    }
    assert membership_of(person, network).status == "pending"
    assert Notification.objects.filter(user=coordinator, kind="membership.pending").exists()


def test_joining_twice_answers_409_and_changes_nothing(api, network, waiting):
    response = api.as_user(waiting).post("/api/v1/networks/harlesden/join/")
    assert_error(response, 409, "invalid_transition")
    assert Membership.objects.filter(user=waiting).count() == 1


def test_joining_an_unknown_network_answers_404(api, db):
    response = api.as_user(UserFactory()).post("/api/v1/networks/no-such-place/join/")
    assert_error(response, 404, "not_found")
    assert not Membership.objects.exists()


def test_a_coordinator_approves_a_pending_member_who_is_told_and_gets_an_account(api, network, coordinator, waiting):
    response = api.as_user(coordinator).post(
        f"/api/v1/networks/harlesden/members/{waiting.pk}/approve/", {"reason": "Met at the coffee morning"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    membership = membership_of(waiting, network)
    assert membership.status == "active" and membership.account is not None
    assert Notification.objects.filter(user=waiting, kind="membership.approved").exists()
    event = AuditEvent.objects.get(action="membership.approve")
    assert (event.actor, event.target_id, event.reason) == (coordinator, membership.pk, "Met at the coffee morning")


def test_a_member_cannot_approve(api, network, alice, waiting):
    response = api.as_user(alice).post(f"/api/v1/networks/harlesden/members/{waiting.pk}/approve/")
    assert_error(response, 403, "permission_denied")
    assert membership_of(waiting, network).status == "pending"


def test_a_coordinator_of_another_network_gets_404(api, network, other_coordinator, waiting):
    response = api.as_user(other_coordinator).post(f"/api/v1/networks/harlesden/members/{waiting.pk}/approve/")
    assert_error(response, 404, "not_found")
    assert membership_of(waiting, network).status == "pending"


def test_approving_someone_outside_the_network_answers_404(api, network, other_network, coordinator):
    stranger = UserFactory()
    response = api.as_user(coordinator).post(f"/api/v1/networks/harlesden/members/{stranger.pk}/approve/")
    assert_error(response, 404, "not_found")


def test_approving_an_active_member_answers_409(api, network, coordinator, alice):
    response = api.as_user(coordinator).post(f"/api/v1/networks/harlesden/members/{alice.pk}/approve/")
    assert_error(response, 409, "invalid_transition")
    assert not AuditEvent.objects.filter(action="membership.approve").exists()


def test_declining_is_audited_with_its_reason_and_the_person_is_told(api, network, coordinator, waiting):
    response = api.as_user(coordinator).post(
        f"/api/v1/networks/harlesden/members/{waiting.pk}/decline/", {"reason": "Lives too far away"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    membership = membership_of(waiting, network)
    assert membership.status == "declined"
    event = AuditEvent.objects.get(action="membership.decline")
    assert (event.actor, event.network, event.target_id, event.reason) == (
        coordinator,
        network,
        membership.pk,
        "Lives too far away",
    )
    assert Notification.objects.filter(user=waiting, kind="membership.declined").exists()


def test_suspending_is_audited_and_reinstating_makes_the_member_active_again(api, network, coordinator, alice):
    client = api.as_user(coordinator)
    response = client.post(f"/api/v1/networks/harlesden/members/{alice.pk}/suspend/", {"reason": "Missed visits"})
    assert response.status_code == 200
    assert membership_of(alice, network).status == "suspended"
    event = AuditEvent.objects.get(action="membership.suspend")
    assert (event.actor, event.reason) == (coordinator, "Missed visits")
    response = client.post(f"/api/v1/networks/harlesden/members/{alice.pk}/reinstate/")
    assert response.status_code == 200
    assert membership_of(alice, network).status == "active"
    assert AuditEvent.objects.filter(action="membership.reinstate", actor=coordinator).exists()


def test_a_coordinator_cannot_suspend_themself(api, network, coordinator):
    response = api.as_user(coordinator).post(f"/api/v1/networks/harlesden/members/{coordinator.pk}/suspend/")
    assert_error(response, 403, "permission_denied")
    assert membership_of(coordinator, network).status == "active"


def test_a_reason_that_is_too_long_answers_400_and_writes_nothing(api, network, coordinator, waiting):
    response = api.as_user(coordinator).post(
        f"/api/v1/networks/harlesden/members/{waiting.pk}/decline/", {"reason": "x" * 1001}, format="json"
    )
    error = assert_error(response, 400, "validation_error")
    assert "reason" in error["fields"]
    assert membership_of(waiting, network).status == "pending"
    assert not AuditEvent.objects.filter(action="membership.decline").exists()


def test_a_pending_member_cannot_list_the_networks_members(api, network, alice, waiting):
    response = api.as_user(waiting).get("/api/v1/networks/harlesden/members/")
    assert_error(response, 403, "permission_denied")


def test_someone_outside_the_network_gets_404_for_its_members(api, network, other_coordinator):
    response = api.as_user(other_coordinator).get("/api/v1/networks/harlesden/members/")
    assert_error(response, 404, "not_found")


def test_members_see_active_members_and_coordinators_also_see_pending_ones(api, network, coordinator, alice, waiting):
    body = api.as_user(alice).get("/api/v1/networks/harlesden/members/").json()
    assert {r["id"] for r in body["results"]} == {coordinator.pk, alice.pk}
    api.force_authenticate(None)
    body = api.as_user(coordinator).get("/api/v1/networks/harlesden/members/?status=pending").json()
    assert [(r["id"], r["status"]) for r in body["results"]] == [(waiting.pk, "pending")]


def test_an_unknown_status_filter_answers_400(api, network, coordinator):
    response = api.as_user(coordinator).get("/api/v1/networks/harlesden/members/?status=sleeping")
    assert assert_error(response, 400, "validation_error")["fields"] == {
        "status": ['"sleeping" is not a valid choice.']
    }


def _listed(api, viewer, user):
    api.force_authenticate(viewer)
    rows = api.get("/api/v1/networks/harlesden/members/").json()["results"]
    return next(r for r in rows if r["id"] == user.pk)


def test_contact_details_reach_only_coordinators_and_the_linked_supporter(
    api, network, coordinator, alice, bob, supporter
):
    m = membership_of(alice, network)
    m.phone, m.emergency_contact = "020 7946 0000", "Her son, 07700 900000"
    m.save()
    assert _listed(api, coordinator, alice)["phone"] == "020 7946 0000"
    assert _listed(api, supporter, alice)["emergency_contact"] == "Her son, 07700 900000"
    row = _listed(api, bob, alice)
    assert (row["phone"], row["emergency_contact"]) == (None, None)
    assert row["display_name"] == alice.name and "bio" in row


def test_a_supporter_does_not_see_contact_details_of_members_they_do_not_support(api, network, bob, supporter):
    m = membership_of(bob, network)
    m.phone = "020 7946 0001"
    m.save()
    assert _listed(api, supporter, bob)["phone"] is None


def test_a_member_can_leave_and_keeps_their_history(api, network, alice):
    response = api.as_user(alice).post("/api/v1/networks/harlesden/leave/")
    assert response.status_code == 200
    membership = membership_of(alice, network)
    assert membership.status == "left" and membership.left_at is not None
    assert membership.account is not None


def test_leaving_a_network_you_are_not_in_answers_404(api, network, other_coordinator):
    response = api.as_user(other_coordinator).post("/api/v1/networks/harlesden/leave/")
    assert_error(response, 404, "not_found")


def test_anonymous_callers_get_401(api, network):
    assert_error(api.get("/api/v1/networks/"), 401, "not_authenticated")
    assert_error(api.post("/api/v1/networks/harlesden/join/"), 401, "not_authenticated")


def test_an_id_beyond_any_database_integer_answers_404_not_500(api, network, coordinator):
    huge = 10**20
    response = api.as_user(coordinator).post(f"/api/v1/networks/harlesden/members/{huge}/approve/")
    assert_error(response, 404, "not_found")
    assert_error(api.patch(f"/api/v1/networks/harlesden/members/{huge}/checks/{huge}/", {}), 404, "not_found")


def test_a_body_id_beyond_any_database_integer_answers_400(api, network, alice):
    response = api.as_user(alice).post(
        "/api/v1/concerns/", {"network": "harlesden", "member": 10**20, "description": "x"}, format="json"
    )
    assert "member" in assert_error(response, 400, "validation_error")["fields"]


def test_a_commissioner_never_sees_the_member_list(api, network, alice):
    commissioner = member(network, role="commissioner").user
    assert_error(api.as_user(commissioner).get("/api/v1/networks/harlesden/members/"), 403, "permission_denied")
