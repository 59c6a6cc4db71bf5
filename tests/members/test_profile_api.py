"""Profiles, skills, supported members and support links over the API."""

import pytest

from members.models import AuditEvent, Membership, SupportLink, User
from tests.factories import app_token
from tests.members.helpers import assert_error, membership_of

pytestmark = pytest.mark.django_db


def test_a_member_reads_their_own_profile_with_contact_details(api, network, alice):
    m = membership_of(alice, network)
    m.phone = "020 7946 0000"
    m.save()
    response = api.as_user(alice).get("/api/v1/networks/harlesden/profile/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alice.pk and body["network"] == "harlesden"
    assert body["phone"] == "020 7946 0000" and body["is_supported"] is False


def test_a_member_edits_their_profile_skills_and_availability(api, network, alice, skills):
    response = api.as_user(alice).patch(
        "/api/v1/networks/harlesden/profile/",
        {
            "display_name": "Alice B",
            "bio": "Retired nurse, loves gardens.",
            "neighbourhood": "Church End",
            "skills_offered": ["test-weeding", "test-mowing"],
            "skills_wanted": ["test-hospital-run"],
            "availability": ["tue-evening", "mon-morning"],
            "phone": "+44 20 7946 0000",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "Alice B"
    assert body["skills_offered"] == ["test-mowing", "test-weeding"]
    assert body["availability"] == ["mon-morning", "tue-evening"]
    m = membership_of(alice, network)
    assert m.neighbourhood == "Church End" and m.phone == "+44 20 7946 0000"
    assert set(m.skills_wanted.values_list("slug", flat=True)) == {"test-hospital-run"}
    assert User.objects.get(pk=alice.pk).display_name == "Alice B"
    assert not AuditEvent.objects.filter(action="profile.update").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"availability": ["mon-night"]}, "availability"),
        ({"availability": "mon-morning"}, "availability"),
        ({"skills_offered": ["no-such-skill"]}, "skills_offered"),
        ({"skills_wanted": [1, 2]}, "skills_wanted"),
        ({"display_name": ""}, "display_name"),
        ({"bio": "x" * 1001}, "bio"),
        ({"phone": "call me maybe"}, "phone"),
        ({"neighbourhood": None}, "neighbourhood"),
    ],
)
def test_bad_profile_input_answers_400_and_writes_nothing(api, network, alice, skills, body, field):
    before = membership_of(alice, network)
    response = api.as_user(alice).patch("/api/v1/networks/harlesden/profile/", body, format="json")
    error = assert_error(response, 400, "validation_error")
    assert field in error["fields"]
    after = membership_of(alice, network)
    assert (after.availability, after.bio, after.phone, after.neighbourhood) == (
        before.availability,
        before.bio,
        before.phone,
        before.neighbourhood,
    )
    assert not after.skills_offered.exists() and not after.skills_wanted.exists()


def test_one_bad_field_means_no_field_is_saved(api, network, alice):
    response = api.as_user(alice).patch(
        "/api/v1/networks/harlesden/profile/", {"bio": "Hello", "availability": ["someday"]}, format="json"
    )
    assert_error(response, 400, "validation_error")
    assert membership_of(alice, network).bio == ""


def test_a_supporter_edits_the_profile_of_the_member_they_support_and_the_record_says_so(
    api, network, alice, supporter
):
    response = api.as_user(supporter).patch(
        f"/api/v1/networks/harlesden/profile/?member={alice.pk}", {"availability": ["fri-afternoon"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert membership_of(alice, network).availability == ["fri-afternoon"]
    event = AuditEvent.objects.get(action="profile.update")
    assert (event.actor, event.on_behalf_of) == (supporter, alice)


def test_a_supporter_can_act_only_for_their_members(api, network, bob, supporter):
    response = api.as_user(supporter).patch(
        f"/api/v1/networks/harlesden/profile/?member={bob.pk}", {"bio": "Not mine to write"}, format="json"
    )
    assert_error(response, 403, "permission_denied")
    assert membership_of(bob, network).bio == ""
    assert_error(api.get(f"/api/v1/networks/harlesden/profile/?member={bob.pk}"), 403, "permission_denied")


def test_a_member_cannot_read_another_members_full_profile(api, network, alice, bob):
    response = api.as_user(alice).get(f"/api/v1/networks/harlesden/profile/?member={bob.pk}")
    assert_error(response, 403, "permission_denied")


def test_the_profile_of_a_network_you_are_not_in_answers_404(api, network, other_network, alice):
    assert_error(api.as_user(alice).get("/api/v1/networks/elsewhere/profile/"), 404, "not_found")
    assert_error(api.get("/api/v1/networks/harlesden/profile/?member=abc"), 404, "not_found")


def test_a_pending_member_may_fill_in_their_profile_while_they_wait(api, network, waiting):
    response = api.as_user(waiting).patch("/api/v1/networks/harlesden/profile/", {"bio": "New here"}, format="json")
    assert response.status_code == 200
    assert membership_of(waiting, network).bio == "New here"


def test_skills_are_listed_with_their_category(api, alice, skills):
    response = api.as_user(alice).get("/api/v1/skills/?page_size=200")
    assert response.status_code == 200
    rows = {r["slug"]: r for r in response.json()["results"]}
    assert rows["test-weeding"] == {
        "slug": "test-weeding",
        "name": "Weeding",
        "synonyms": ["garden"],
        "category": {"slug": "test-garden", "name": "Test garden", "sensitive": False},
    }
    assert rows["test-hospital-run"]["category"]["sensitive"] is True


def test_skill_names_are_in_the_callers_language(client, alice):
    alice.language = "cy"
    alice.save()
    response = client.get("/api/v1/skills/?page_size=200", HTTP_X_SESSION_TOKEN=app_token(alice))
    rows = {r["slug"]: r for r in response.json()["results"]}
    assert rows["gardening"]["name"] == "Garddio"
    assert rows["gardening"]["category"]["name"] == "Cartref a gardd"
    assert "garden" in rows["gardening"]["synonyms"]


def test_a_page_past_the_end_answers_404_with_the_error_shape(api, alice, skills):
    assert_error(api.as_user(alice).get("/api/v1/skills/?page=999"), 404, "not_found")


def test_a_coordinator_registers_a_supported_member_linked_to_a_supporter(api, network, coordinator, supporter):
    response = api.as_user(coordinator).post(
        "/api/v1/networks/harlesden/members/",
        {"display_name": "Edna", "neighbourhood": "Kensal Green", "supporter": supporter.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    edna = User.objects.get(pk=response.json()["id"])
    assert edna.email is None and not edna.has_usable_password()
    m = membership_of(edna, network)
    assert m.is_supported and m.status == "active" and m.account is not None
    assert SupportLink.objects.filter(supporter__user=supporter, member=m).exists()
    assert AuditEvent.objects.filter(action="membership.register_supported", actor=coordinator).exists()


def test_a_member_cannot_register_a_supported_member(api, network, alice):
    response = api.as_user(alice).post("/api/v1/networks/harlesden/members/", {"display_name": "Edna"}, format="json")
    assert_error(response, 403, "permission_denied")
    assert not User.objects.filter(display_name="Edna").exists()


def test_registering_without_a_name_answers_400(api, network, coordinator):
    count = Membership.objects.count()
    response = api.as_user(coordinator).post("/api/v1/networks/harlesden/members/", {}, format="json")
    assert "display_name" in assert_error(response, 400, "validation_error")["fields"]
    assert Membership.objects.count() == count


def test_a_coordinator_links_and_unlinks_a_supporter(api, network, coordinator, bob, supporter):
    client = api.as_user(coordinator)
    response = client.post(
        f"/api/v1/networks/harlesden/members/{bob.pk}/supporters/", {"supporter": supporter.pk}, format="json"
    )
    assert response.status_code == 201
    assert SupportLink.objects.filter(member__user=bob, supporter__user=supporter).exists()
    response = client.delete(f"/api/v1/networks/harlesden/members/{bob.pk}/supporters/{supporter.pk}/")
    assert response.status_code == 204
    assert not SupportLink.objects.filter(member__user=bob).exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="support.").order_by("pk").values_list("action", flat=True)
    ) == ["support.link", "support.unlink"]


def test_only_a_supporter_can_be_linked_as_one(api, network, coordinator, alice, bob):
    response = api.as_user(coordinator).post(
        f"/api/v1/networks/harlesden/members/{bob.pk}/supporters/", {"supporter": alice.pk}, format="json"
    )
    assert "supporter" in assert_error(response, 400, "validation_error")["fields"]
    assert not SupportLink.objects.exists()


def test_a_coordinator_changes_a_role_with_a_reason_and_it_is_audited(api, network, coordinator, bob):
    response = api.as_user(coordinator).post(
        f"/api/v1/networks/harlesden/members/{bob.pk}/role/", {"role": "supporter", "reason": "Volunteered"}
    )
    assert response.status_code == 200
    assert membership_of(bob, network).role == "supporter"
    event = AuditEvent.objects.get(action="membership.role_change")
    assert (event.reason, event.data) == ("Volunteered", {"from": "member", "to": "supporter"})


def test_an_unknown_role_answers_400_and_changes_nothing(api, network, coordinator, bob):
    response = api.as_user(coordinator).post(f"/api/v1/networks/harlesden/members/{bob.pk}/role/", {"role": "king"})
    assert "role" in assert_error(response, 400, "validation_error")["fields"]
    assert membership_of(bob, network).role == "member"


def test_a_supporter_link_with_a_bad_body_answers_400_and_writes_nothing(api, network, coordinator, bob):
    response = api.as_user(coordinator).post(
        f"/api/v1/networks/harlesden/members/{bob.pk}/supporters/", {"supporter": "sam"}, format="json"
    )
    assert "supporter" in assert_error(response, 400, "validation_error")["fields"]
    assert not SupportLink.objects.exists()


def test_a_member_cannot_link_supporters_even_with_a_bad_body(api, network, alice, bob):
    response = api.as_user(alice).post(
        f"/api/v1/networks/harlesden/members/{bob.pk}/supporters/", {"supporter": "sam"}, format="json"
    )
    assert_error(response, 403, "permission_denied")
