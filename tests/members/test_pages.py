"""The people and networks pages, with Django's test client: render, act, refuse bad input."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from members.models import AuditEvent, Membership
from members.safeguarding.models import Concern, SafeguardingCheck
from tests.factories import UserFactory, member
from tests.members.helpers import membership_of

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_network_list_renders_with_a_join_button(network, other_network, alice):
    response = client_for(alice).get("/networks/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ask to join Elsewhere" in html and 'action="/networks/elsewhere/join/"' in html
    assert "Leave this network" in html


def test_asking_to_join_from_the_page_makes_a_pending_membership(network, coordinator):
    person = UserFactory()
    response = client_for(person).post("/networks/harlesden/join/", follow=True)
    assert response.status_code == 200
    assert membership_of(person, network).status == "pending"
    assert "A coordinator will look at your request soon" in response.content.decode()


def test_asking_twice_shows_a_message_and_writes_nothing(network, waiting):
    response = client_for(waiting).post("/networks/harlesden/join/", follow=True)
    assert "already asked" in response.content.decode()
    assert Membership.objects.filter(user=waiting).count() == 1


def test_the_page_asks_to_log_in_first(network):
    response = Client().get("/networks/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_profile_page_shows_availability_by_day_and_skills_one_list_at_a_time(network, alice, skills):
    response = client_for(alice).get("/networks/harlesden/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="availability" value="wed-evening"' in html and "Wednesday evening" in html
    # The taxonomy is not on the profile page itself: each list has its own page, categories folded.
    assert 'type="checkbox" name="skills_offered"' not in html and 'name="choose" value="offered"' in html
    offered = client_for(alice).get("/networks/harlesden/profile/?skills=offered").content.decode()
    assert "Test garden" in offered and 'name="skills_offered" value="test-weeding"' in offered
    assert 'type="checkbox" name="skills_wanted"' not in offered
    assert "<details" in offered and '<details class="card" open' not in offered


def test_searching_skills_shows_only_what_matches(network, alice, skills):
    html = client_for(alice).get("/networks/harlesden/profile/?skills=offered&q=weed").content.decode()
    assert 'type="checkbox" name="skills_offered" value="test-weeding"' in html
    assert 'value="test-mowing"' not in html and 'value="test-hospital-run"' not in html


def test_saving_the_profile_page_updates_the_profile(network, alice, skills):
    response = client_for(alice).post(
        "/networks/harlesden/profile/",
        {
            "display_name": "Alice B",
            "bio": "Hello",
            "neighbourhood": "Church End",
            "skills_offered": ["test-weeding"],
            "availability": ["mon-morning", "sun-evening"],
            "phone": "020 7946 0000",
            "emergency_contact": "",
        },
    )
    assert response.status_code == 302
    m = membership_of(alice, network)
    assert (m.bio, m.neighbourhood, m.availability) == ("Hello", "Church End", ["mon-morning", "sun-evening"])
    assert list(m.skills_offered.values_list("slug", flat=True)) == ["test-weeding"]


def test_choosing_skills_keeps_what_was_typed_on_the_profile(network, alice, skills):
    client = client_for(alice)
    typed = {"display_name": "Alice", "bio": "I love gardens", "availability": ["tue-morning"]}
    response = client.post("/networks/harlesden/profile/", {**typed, "choose": "offered"})
    assert response.status_code == 302 and response["Location"] == "/networks/harlesden/profile/?skills=offered"
    chooser = client.get(response["Location"]).content.decode()
    assert 'name="bio" value="I love gardens"' in chooser
    client.post("/networks/harlesden/profile/", {**typed, "skills_offered": ["test-weeding"]})
    m = membership_of(alice, network)
    assert (m.bio, m.availability) == ("I love gardens", ["tue-morning"])
    assert list(m.skills_offered.values_list("slug", flat=True)) == ["test-weeding"]


def test_a_supporter_choosing_skills_for_their_member_stays_on_that_members_profile(network, alice, supporter):
    response = client_for(supporter).post(
        f"/networks/harlesden/profile/?member={alice.pk}", {"display_name": "Alice", "bio": "Hi", "choose": "wanted"}
    )
    assert response["Location"] == f"/networks/harlesden/profile/?skills=wanted&member={alice.pk}"
    assert membership_of(alice, network).bio == "Hi"


def test_a_bad_profile_post_re_renders_with_errors_and_writes_nothing(network, alice, skills):
    response = client_for(alice).post(
        "/networks/harlesden/profile/",
        {"display_name": "Alice", "bio": "Changed", "availability": ["mon-midnight"], "skills_offered": ["nope"]},
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    m = membership_of(alice, network)
    assert m.bio == "" and m.availability == [] and not m.skills_offered.exists()


def test_a_bad_phone_number_from_the_service_shows_on_the_form(network, alice):
    response = client_for(alice).post("/networks/harlesden/profile/", {"display_name": "Alice", "phone": "ring me"})
    assert response.status_code == 400
    assert "Use digits, spaces" in response.content.decode()
    assert membership_of(alice, network).phone == ""


def test_a_supporter_edits_their_members_profile_page_but_not_anyone_elses(network, alice, bob, supporter):
    client = client_for(supporter)
    response = client.post(f"/networks/harlesden/profile/?member={alice.pk}", {"display_name": "Alice", "bio": "Hi"})
    assert response.status_code == 302
    assert membership_of(alice, network).bio == "Hi"
    assert AuditEvent.objects.get(action="profile.update").on_behalf_of == alice
    response = client.post(f"/networks/harlesden/profile/?member={bob.pk}", {"display_name": "Bob", "bio": "Hi"})
    assert response.status_code == 403
    assert membership_of(bob, network).bio == ""


def test_the_membership_queue_lists_people_waiting(network, coordinator, waiting):
    response = client_for(coordinator).get("/networks/harlesden/queue/")
    assert response.status_code == 200
    assert waiting.name in response.content.decode()


def test_a_member_cannot_open_the_queue(network, alice):
    assert client_for(alice).get("/networks/harlesden/queue/").status_code == 403


def test_declining_from_the_queue_records_the_reason(network, coordinator, waiting):
    response = client_for(coordinator).post(
        f"/networks/harlesden/members/{waiting.pk}/decline/", {"reason": "Outside our area"}
    )
    assert response.status_code == 302
    assert membership_of(waiting, network).status == "declined"
    assert AuditEvent.objects.get(action="membership.decline").reason == "Outside our area"


def test_approving_from_the_queue_activates_the_member(network, coordinator, waiting):
    client_for(coordinator).post(f"/networks/harlesden/members/{waiting.pk}/approve/", {"reason": ""})
    assert membership_of(waiting, network).status == "active"


def test_a_too_long_reason_on_the_queue_writes_nothing(network, coordinator, waiting):
    response = client_for(coordinator).post(
        f"/networks/harlesden/members/{waiting.pk}/decline/", {"reason": "x" * 1001}, follow=True
    )
    assert response.status_code == 200
    assert membership_of(waiting, network).status == "pending"
    assert not AuditEvent.objects.filter(action="membership.decline").exists()


def test_an_unknown_queue_action_is_404(network, coordinator, waiting):
    assert client_for(coordinator).post(f"/networks/harlesden/members/{waiting.pk}/promote/").status_code == 404


def test_the_coordinators_member_list_shows_checks_and_reviews_coming_up(network, coordinator, alice):
    SafeguardingCheck.objects.create(
        network=network,
        membership=membership_of(alice, network),
        kind="dbs",
        dbs_level="enhanced",
        decision="clear",
        checked_on=timezone.localdate() - datetime.timedelta(days=700),
        review_on=timezone.localdate() + datetime.timedelta(days=10),
        recorded_by=coordinator,
    )
    response = client_for(coordinator).get("/networks/harlesden/members/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reviews coming up" in html and "DBS check" in html and "(Enhanced)" in html


def test_dbs_levels_read_as_plain_words_in_either_language(network, coordinator, alice):
    SafeguardingCheck.objects.create(
        network=network,
        membership=membership_of(alice, network),
        kind="dbs",
        dbs_level="enhanced_barred",
        decision="clear",
        checked_on=timezone.localdate(),
        recorded_by=coordinator,
    )
    client = client_for(coordinator)
    html = client.get("/networks/harlesden/members/").content.decode()
    assert "(Enhanced, with the barred lists)" in html and "enhanced_barred" not in html
    form = client.get(f"/networks/harlesden/members/{alice.pk}/checks/new/").content.decode()
    assert ">Enhanced, with the barred lists<" in form and ">enhanced_barred<" not in form
    coordinator.language = "cy"
    coordinator.save(update_fields=["language"])
    html = client.get("/networks/harlesden/members/").content.decode()
    assert "(Manylach, gyda’r rhestrau gwahardd)" in html


def test_a_members_view_of_the_list_has_no_checks_or_contact_details(network, alice, bob):
    m = membership_of(bob, network)
    m.phone = "020 7946 0001"
    m.save()
    html = client_for(alice).get("/networks/harlesden/members/").content.decode()
    assert bob.name in html
    assert "020 7946 0001" not in html and "Reviews coming up" not in html and "Record a check" not in html


def test_a_pending_member_cannot_see_the_member_list_page(network, waiting):
    assert client_for(waiting).get("/networks/harlesden/members/").status_code == 403


def test_suspending_from_the_member_list_returns_to_it(network, coordinator, bob):
    response = client_for(coordinator).post(
        f"/networks/harlesden/members/{bob.pk}/suspend/", {"reason": "Safety", "next": "/networks/harlesden/members/"}
    )
    assert response.status_code == 302 and response["Location"] == "/networks/harlesden/members/"
    assert membership_of(bob, network).status == "suspended"


def test_the_check_form_renders_and_records_a_check(network, coordinator, alice):
    client = client_for(coordinator)
    assert client.get(f"/networks/harlesden/members/{alice.pk}/checks/new/").status_code == 200
    response = client.post(
        f"/networks/harlesden/members/{alice.pk}/checks/new/",
        {"kind": "reference", "referee": "Her GP", "decision": "clear", "checked_on": "2026-01-05"},
    )
    assert response.status_code == 302
    check = SafeguardingCheck.objects.get()
    assert (check.kind, check.referee, check.review_on) == ("reference", "Her GP", None)


def test_a_bad_check_re_renders_with_errors_and_writes_nothing(network, coordinator, alice):
    response = client_for(coordinator).post(
        f"/networks/harlesden/members/{alice.pk}/checks/new/",
        {"kind": "dbs", "dbs_level": "", "decision": "clear", "checked_on": "2026-01-05"},
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not SafeguardingCheck.objects.exists()


def test_a_member_cannot_open_the_check_form(network, alice, bob):
    assert client_for(bob).get(f"/networks/harlesden/members/{alice.pk}/checks/new/").status_code == 403


def test_raising_a_concern_from_the_page(network, coordinator, alice, bob):
    client = client_for(alice)
    form = client.get("/networks/harlesden/concerns/new/")
    assert form.status_code == 200 and bob.name in form.content.decode()
    response = client.post("/networks/harlesden/concerns/new/", {"member": bob.pk, "description": "Worried about him"})
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert (concern.raised_by, concern.about_user) == (alice, bob)


def test_a_concern_without_words_re_renders_and_writes_nothing(network, alice, bob):
    response = client_for(alice).post("/networks/harlesden/concerns/new/", {"member": bob.pk, "description": ""})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Concern.objects.exists()


def test_a_concern_about_nobody_in_particular_is_raised_from_the_page(network, coordinator, alice):
    response = client_for(alice).post("/networks/harlesden/concerns/new/", {"member": "", "description": "Something"})
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert (concern.about_user, concern.description) == (None, "Something")
    queue = client_for(coordinator).get("/concerns/").content.decode()
    assert "Something" in queue and "Nothing named." in queue


def test_the_concerns_queue_shows_coordinators_the_concern_and_hides_it_from_its_subject(
    network, coordinator, alice, bob
):
    client_for(alice).post("/networks/harlesden/concerns/new/", {"member": bob.pk, "description": "Worried about him"})
    assert "Worried about him" in client_for(coordinator).get("/concerns/").content.decode()
    assert "Worried about him" not in client_for(bob).get("/concerns/").content.decode()


def test_a_coordinator_closes_a_concern_from_the_queue(network, coordinator, alice):
    client_for(alice).post("/networks/harlesden/concerns/new/", {"happened_offline": "on", "description": "A fall"})
    concern = Concern.objects.get()
    client = client_for(coordinator)
    assert client.post(f"/concerns/{concern.pk}/close/", {"resolution": ""}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == "open"
    client.post(f"/concerns/{concern.pk}/close/", {"resolution": "Visited her"})
    concern.refresh_from_db()
    assert (concern.status, concern.resolution) == ("closed", "Visited her")


def test_a_supporter_sees_a_link_to_act_with_their_member_only(network, alice, bob, supporter):
    html = client_for(supporter).get("/networks/harlesden/members/").content.decode()
    assert f"?member={alice.pk}" in html and f"?member={bob.pk}" not in html


def test_the_supported_member_form_renders_and_registers_someone(network, coordinator, supporter):
    client = client_for(coordinator)
    form = client.get("/networks/harlesden/members/new/")
    assert form.status_code == 200 and supporter.name in form.content.decode()
    response = client.post(
        "/networks/harlesden/members/new/", {"display_name": "Edna", "neighbourhood": "", "supporter": supporter.pk}
    )
    assert response.status_code == 302
    edna = Membership.objects.get(user__display_name="Edna")
    assert edna.is_supported and edna.supported_by.get().supporter.user == supporter


def test_a_supported_member_without_a_name_re_renders_and_writes_nothing(network, coordinator):
    count = Membership.objects.count()
    response = client_for(coordinator).post("/networks/harlesden/members/new/", {"display_name": ""})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert Membership.objects.count() == count


def test_a_member_cannot_register_a_supported_member_from_the_page(network, alice):
    assert client_for(alice).get("/networks/harlesden/members/new/").status_code == 403


def test_the_manage_page_changes_a_role_and_links_a_supporter(network, coordinator, bob, supporter):
    client = client_for(coordinator)
    url = f"/networks/harlesden/members/{bob.pk}/manage/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"op": "role", "role": "supporter", "reason": "Volunteered"}).status_code == 302
    assert membership_of(bob, network).role == "supporter"
    assert client.post(url, {"op": "link", "supporter": supporter.pk}).status_code == 302
    assert membership_of(bob, network).supported_by.get().supporter.user == supporter
    assert client.post(url, {"op": "unlink", "supporter": supporter.pk}).status_code == 302
    assert not membership_of(bob, network).supported_by.exists()


def test_a_bad_role_on_the_manage_page_re_renders_and_changes_nothing(network, coordinator, bob):
    response = client_for(coordinator).post(
        f"/networks/harlesden/members/{bob.pk}/manage/", {"op": "role", "role": "x"}
    )
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert membership_of(bob, network).role == "member"


def test_linking_someone_who_is_not_a_supporter_is_refused_on_the_page(network, coordinator, alice, bob):
    response = client_for(coordinator).post(
        f"/networks/harlesden/members/{bob.pk}/manage/", {"op": "link", "supporter": alice.pk}
    )
    assert response.status_code == 400
    assert not membership_of(bob, network).supported_by.exists()


def test_a_commissioners_network_list_offers_no_people_pages(network):
    commissioner = member(network, role="commissioner").user
    html = client_for(commissioner).get("/networks/").content.decode()
    assert "You fund this network" in html and "/networks/harlesden/members/" not in html


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("alice", "/networks/harlesden/profile/"),
        ("coordinator", "/networks/harlesden/settings/"),
        ("coordinator", "/networks/harlesden/activities/new/"),
    ],
)
def test_help_text_is_the_one_a_field_says_describes_it(network, alice, coordinator, who, path):
    import re

    html = client_for({"alice": alice, "coordinator": coordinator}[who]).get(path).content.decode()
    described = [i for ids in re.findall(r'aria-describedby="([^"]+)"', html) for i in ids.split()]
    helps = [i for i in described if i.endswith("_helptext")]
    assert helps, "a field with help text"
    assert all(f'id="{i}"' in html for i in helps), helps
