"""Erasure (PRODUCT §5): personal data gone from every table, sessions and tokens revoked, the ledger
kept whole under a pseudonym; who may erase whom; what refuses it."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.test import Client

from exchanges.ledger.models import Account, Transfer
from exchanges.ledger.selectors import ledger_verify
from exchanges.lifecycle.start import exchange_propose
from exchanges.matching.models import ListingVector, ProfileSkill, ProfileVector
from exchanges.matching.services import listing_skills_refresh, profile_skills_refresh
from exchanges.models import Exchange, Listing
from exchanges.reports.models import WellbeingCheckin
from members.models import AuditEvent, Membership, SupportLink, User
from members.privacy.scrub import text_scrub
from members.safeguarding.models import Concern, SafeguardingCheck
from messaging.models import Message
from messaging.notifications.models import Notification
from tests.factories import app_token, member
from tests.members.helpers import assert_error
from tests.privacy.conftest import EDNA_EMAIL, EDNA_NAME, PASSWORD, tables_containing


def balances() -> dict[int, tuple[int, int]]:
    return dict((a.pk, (a.balance, a.held)) for a in Account.objects.all())


def test_erasing_leaves_the_old_name_and_email_in_no_table_and_the_ledger_whole(api, network, edna):
    assert tables_containing("quillfeather"), "the scan must see the data before erasure"
    before, transfers = balances(), Transfer.objects.count()

    response = api.as_user(edna).post("/api/v1/me/erase/", {"password": PASSWORD}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["id"] == edna.pk and response.json()["display_name"].startswith("Former member ")
    for needle in (EDNA_EMAIL, EDNA_NAME, "quillfeather", "07700 900123", "Her son", "Pettigrew", "love gardens"):
        assert tables_containing(needle) == [], needle
    assert balances() == before and Transfer.objects.count() == transfers
    assert ledger_verify() == []
    assert Account.objects.get(membership__user=edna).balance == 120  # 90 earned + 30 given, kept


def test_erasure_replaces_the_person_and_clears_what_was_theirs(api, network, edna, bob):
    api.as_user(edna).post("/api/v1/me/erase/", {"password": PASSWORD}, format="json")

    person = User.objects.get(pk=edna.pk)
    assert person.email is None and person.display_name.startswith("Former member ")
    assert not person.is_active and not person.has_usable_password() and person.erased_at is not None
    membership = Membership.objects.get(user=person)
    assert membership.status == Membership.Status.LEFT
    assert (membership.bio, membership.phone, membership.emergency_contact, membership.neighbourhood) == ("",) * 4
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not Authenticator.objects.filter(user=person).exists()
    assert not WellbeingCheckin.objects.filter(user=person).exists()
    assert not Notification.objects.filter(user=person).exists()
    assert Listing.objects.get(owner=person).status == Listing.Status.CLOSED
    assert Message.objects.get(sender=person).body == "Message removed"
    # Bob's words stay, with her name replaced; the concern about her stays for safeguarding.
    assert Message.objects.get(sender=bob).body.startswith(f"Thanks {person.display_name}!")
    assert Concern.objects.get(about_user=person).description == f"{person.display_name} seemed unwell."
    check = SafeguardingCheck.objects.get(membership=membership)
    assert check.referee == "" and check.kind == SafeguardingCheck.Kind.REFERENCE
    assert AuditEvent.objects.filter(action="person.erase", target_id=membership.pk).count() == 1


def test_the_old_app_token_and_browser_session_stop_working(api, network, alice):
    token = app_token(alice)
    browser = Client()
    browser.force_login(alice)
    assert Client(HTTP_X_SESSION_TOKEN=token).get("/api/v1/me/").status_code == 200
    assert browser.get("/api/v1/me/").status_code == 200

    assert api.as_user(alice).post("/api/v1/me/erase/", {"password": PASSWORD}, format="json").status_code == 200

    assert_error(Client(HTTP_X_SESSION_TOKEN=token).get("/api/v1/me/"), 401, "not_authenticated")
    assert_error(browser.get("/api/v1/me/"), 401, "not_authenticated")
    login = Client().post(
        "/_allauth/app/v1/auth/login", {"email": alice.email, "password": PASSWORD}, content_type="application/json"
    )
    assert login.status_code in (400, 401) and "session_token" not in login.json().get("meta", {})
    sessions = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(alice.pk) not in sessions


def test_a_wrong_password_erases_nothing(api, network, edna):
    response = api.as_user(edna).post("/api/v1/me/erase/", {"password": "not-it"}, format="json")

    error = assert_error(response, 400, "validation_error")
    assert "password" in error["fields"]
    assert User.objects.get(pk=edna.pk).email == EDNA_EMAIL


def test_the_password_cannot_be_guessed_through_erasure(api, network, edna):
    """Someone holding a stolen session learns nothing by trying passwords here at the API's pace: after a
    few wrong ones, even the right one is refused for a while (429), and nothing is erased."""
    from members.privacy.services import ERASE_PASSWORD_TRIES

    for _ in range(ERASE_PASSWORD_TRIES.burst):
        response = api.as_user(edna).post("/api/v1/me/erase/", {"password": "guess"}, format="json")
        assert_error(response, 400, "validation_error")
    refused = api.as_user(edna).post("/api/v1/me/erase/", {"password": PASSWORD}, format="json")
    assert_error(refused, 429, "rate_limited")
    assert int(refused["Retry-After"]) >= 1
    assert User.objects.get(pk=edna.pk).erased_at is None


def test_erasure_needs_a_password_field(api, network, edna):
    assert_error(api.as_user(edna).post("/api/v1/me/erase/", {}, format="json"), 400, "validation_error")
    assert User.objects.get(pk=edna.pk).erased_at is None


def test_anonymous_cannot_erase_or_export():
    assert_error(Client().post("/api/v1/me/erase/", {"password": "x"}), 401, "not_authenticated")
    assert_error(Client().get("/api/v1/me/export/"), 401, "not_authenticated")


def test_an_open_exchange_refuses_erasure_with_409_and_changes_nothing(api, network, alice, bob):
    exchange_propose(actor=alice, network=network, provider=alice, recipient=bob, minutes=60)

    response = api.as_user(alice).post("/api/v1/me/erase/", {"password": PASSWORD}, format="json")

    assert_error(response, 409, "invalid_transition")
    assert User.objects.get(pk=alice.pk).erased_at is None
    assert Exchange.objects.get().state == Exchange.State.PROPOSED


def test_the_last_coordinator_cannot_erase_themselves(api, network, coordinator):
    response = api.as_user(coordinator).post("/api/v1/me/erase/", {"password": PASSWORD}, format="json")

    assert_error(response, 409, "last_coordinator")
    assert Membership.objects.get(user=coordinator).is_coordinator


def test_a_coordinator_with_another_coordinator_may_erase_themselves(api, network, coordinator):
    member(network, role=Membership.Role.COORDINATOR)

    response = api.as_user(coordinator).post("/api/v1/me/erase/", {"password": PASSWORD}, format="json")

    assert response.status_code == 200


# A coordinator erasing a supported member -----------------------------------------------------


def erase_url(network, user) -> str:
    return f"/api/v1/networks/{network.slug}/members/{user.pk}/erase/"


def test_a_coordinator_erases_a_supported_member_with_a_reason(api, network, coordinator, supported):
    before = balances()

    response = api.as_user(coordinator).post(
        erase_url(network, supported), {"reason": "Winifred Oakenshaw moved away; her family asked."}, format="json"
    )

    assert response.status_code == 200, response.content
    assert tables_containing("oakenshaw") == []
    assert balances() == before and ledger_verify() == []
    event = AuditEvent.objects.get(action="person.erase")
    assert event.actor_id == coordinator.pk and event.on_behalf_of_id == supported.pk
    assert event.reason.endswith("moved away; her family asked.")


def test_an_erased_member_cannot_be_erased_again(api, network, coordinator, supported):
    first = api.as_user(coordinator).post(erase_url(network, supported), {"reason": "moved"}, format="json")
    name = User.objects.get(pk=supported.pk).display_name

    second = api.as_user(coordinator).post(erase_url(network, supported), {"reason": "again"}, format="json")

    assert first.status_code == 200
    assert_error(second, 409, "invalid_transition")
    assert User.objects.get(pk=supported.pk).display_name == name


def test_the_coordinator_must_give_a_reason(api, network, coordinator, supported):
    response = api.as_user(coordinator).post(erase_url(network, supported), {"reason": ""}, format="json")

    assert_error(response, 400, "validation_error")
    assert User.objects.get(pk=supported.pk).erased_at is None


def test_a_coordinator_cannot_erase_a_member_who_can_erase_themselves(api, network, coordinator, alice):
    response = api.as_user(coordinator).post(erase_url(network, alice), {"reason": "asked by phone"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert User.objects.get(pk=alice.pk).erased_at is None


@pytest.mark.parametrize("role", [Membership.Role.MEMBER, Membership.Role.SUPPORTER])
def test_members_and_supporters_may_not_erase_a_supported_member(api, network, supported, role):
    actor = member(network, role=role)
    SupportLink.objects.create(network=network, supporter=actor, member=supported.memberships.get())

    response = api.as_user(actor.user).post(erase_url(network, supported), {"reason": "please"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert User.objects.get(pk=supported.pk).erased_at is None


def test_a_coordinator_of_another_network_gets_404(api, network, other_network, coordinator, supported):
    outsider = member(other_network, role=Membership.Role.COORDINATOR).user

    assert_error(
        api.as_user(outsider).post(erase_url(network, supported), {"reason": "x"}, format="json"), 404, "not_found"
    )
    assert_error(
        api.as_user(outsider).post(erase_url(other_network, supported), {"reason": "x"}, format="json"),
        404,
        "not_found",
    )
    assert User.objects.get(pk=supported.pk).erased_at is None
    # The same request from her own network's coordinator is answered: the 404 was about reach.
    assert (
        api.as_user(coordinator).post(erase_url(network, supported), {"reason": "x"}, format="json").status_code == 200
    )


def test_a_supported_member_in_a_network_the_coordinator_does_not_run_is_refused(
    api, network, other_network, coordinator, supported
):
    member(other_network, user=supported, is_supported=True)

    response = api.as_user(coordinator).post(erase_url(network, supported), {"reason": "moved"}, format="json")

    assert_error(response, 409, "invalid_transition")
    assert User.objects.get(pk=supported.pk).erased_at is None


# The scrub itself: whole words, any case, inside JSON ------------------------------------------


def test_the_scrub_replaces_whole_words_in_any_case_and_inside_json():
    needles = ["sam@example.org", "Sam Reed"]
    value = {"text": "sam reed said hi to SAM REED; Sam Reedy stays", "to": ["sam@example.org"]}

    assert text_scrub(value, needles=needles, replacement="Former member 1a2b") == {
        "text": "Former member 1a2b said hi to Former member 1a2b; Sam Reedy stays",
        "to": ["Former member 1a2b"],
    }


def test_erasure_leaves_every_live_membership_and_keeps_a_declined_one_declined(api, network, other_network, alice):
    declined = Membership.objects.create(network=other_network, user=alice, status=Membership.Status.DECLINED)

    api.as_user(alice).post("/api/v1/me/erase/", {"password": PASSWORD}, format="json")

    assert Membership.objects.get(user=alice, network=network).status == Membership.Status.LEFT
    assert Membership.objects.get(pk=declined.pk).status == Membership.Status.DECLINED


def test_mail_queued_to_the_person_goes_with_them_and_mail_to_others_stays(api, network, edna, bob):
    from django_tasks_db.models import DBTaskResult

    from timebank.mail import mail_deliver

    def queued(to: str) -> DBTaskResult:
        message = {"subject": "Reset your password", "body": "https://example.org/reset/abc", "to": [to]}
        return DBTaskResult.objects.create(
            task_path=mail_deliver.module_path,
            args_kwargs={"args": [], "kwargs": {"message": message, "attempt": 1}},
            queue_name="default",
            backend_name="default",
        )

    theirs, others = queued(EDNA_EMAIL.upper()), queued(bob.email)

    response = api.as_user(edna).post("/api/v1/me/erase/", {"password": PASSWORD}, format="json")

    assert response.status_code == 200, response.content
    assert not DBTaskResult.objects.filter(pk=theirs.pk).exists()
    assert DBTaskResult.objects.filter(pk=others.pk).exists()


def test_erasure_takes_what_search_read_from_their_bio_and_listings(api, network, edna):
    membership = Membership.objects.get(user=edna, network=network)
    membership.bio = "Retired gardener, happy to help with borders and lawns."
    membership.save(update_fields=["bio"])
    profile_skills_refresh(membership=membership)
    for listing in Listing.objects.filter(owner=edna, status=Listing.Status.OPEN):
        listing_skills_refresh(listing=listing)
    assert ProfileSkill.objects.filter(membership=membership, kind=ProfileSkill.BIO).exists()

    api.as_user(edna).post("/api/v1/me/erase/", {"password": PASSWORD}, format="json")

    assert not ProfileSkill.objects.filter(membership=membership).exists()
    assert not ProfileVector.objects.filter(membership=membership).exists()
    assert not ListingVector.objects.filter(listing__owner=edna).exists()


def test_a_coordinator_is_not_told_which_other_network_a_member_is_in(api, network, coordinator, supported):
    from tests.factories import NetworkFactory

    elsewhere = NetworkFactory(slug="recovery-circle", name="Recovery Circle")
    Membership.objects.create(network=elsewhere, user=supported, status=Membership.Status.ACTIVE)

    response = api.as_user(coordinator).post(erase_url(network, supported), {"reason": "moved"}, format="json")

    assert_error(response, 409, "invalid_transition")
    assert "Recovery" not in response.content.decode() and "recovery-circle" not in response.content.decode()
    assert "another time bank" in response.content.decode()
    assert User.objects.get(pk=supported.pk).erased_at is None
