"""Export (PRODUCT §4 `GET /api/v1/me/export/`): everything held about you, nothing of others' contact details."""

import json

from django.test import Client

from members.models import Membership
from tests.members.helpers import assert_error
from tests.privacy.conftest import EDNA_EMAIL, EDNA_NAME


def test_the_export_holds_what_the_product_keeps_about_you(api, network, edna, bob):
    response = api.as_user(edna).get("/api/v1/me/export/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = response.json()
    assert data["person"] == {
        "id": edna.pk,
        "email": EDNA_EMAIL,
        "display_name": EDNA_NAME,
        "date_joined": edna.date_joined.isoformat(),
        "last_login": None,
    }
    [membership] = data["memberships"]
    assert membership["network"] == {"slug": "harlesden", "name": "Harlesden KeyRing"}
    assert membership["phone"] == "07700 900123" and membership["bio"].startswith("I am Edna")
    assert membership["balance_minutes"] == 120
    assert sorted((line["kind"], line["minutes"]) for line in data["statement"]) == [("exchange", 90), ("gift", 30)]
    assert {"id": bob.pk, "display_name": bob.name} in [line["counterpart"] for line in data["statement"]]
    assert [listing["title"] for listing in data["listings"]] == [f"Gardening with {EDNA_NAME}"]
    assert [e["provider"] for e in data["exchanges"]] == [{"id": edna.pk, "display_name": EDNA_NAME}]
    assert [m["body"] for m in data["messages_sent"]] == ["See you on Tuesday, love from Edna Quillfeather"]
    assert any(n["kind"] == "membership.approved" for n in data["notifications"])
    assert data["wellbeing"][0]["answers"]["life_satisfaction"] == 8
    assert {"membership.join", "membership.approve"} <= {event["action"] for event in data["audit_events"]}


def test_the_export_shows_no_one_elses_contact_details_nor_coordinators_safeguarding_records(
    api, network, edna, bob, coordinator
):
    Membership.objects.filter(user=bob).update(phone="07700 900999", emergency_contact="Bob's sister Ada")

    text = json.dumps(api.as_user(edna).get("/api/v1/me/export/").json())

    for secret in (bob.email, coordinator.email, "07700 900999", "Bob's sister"):
        assert secret not in text
    # The concern Bob raised about her and the reference a coordinator recorded are coordinators' records.
    assert "seemed unwell" not in text and "Pettigrew" not in text


def test_the_download_page_gives_the_same_document(network, edna, api):
    browser = Client()
    browser.force_login(edna)

    page = browser.get("/me/data/export.json")

    assert page.status_code == 200 and page["Content-Disposition"].startswith("attachment")
    from_page, from_api = json.loads(page.content), api.as_user(edna).get("/api/v1/me/export/").json()
    from_page.pop("exported_at"), from_api.pop("exported_at")
    assert from_page == from_api


def test_the_export_is_only_ever_your_own(api, network, edna, bob):
    # There is no way to name another person: the path has no id, and a query is ignored.
    data = api.as_user(bob).get(f"/api/v1/me/export/?member={edna.pk}").json()

    assert data["person"]["id"] == bob.pk
    # Bob's own words may name her (his messages, his concern), but never her profile or contact details.
    assert "07700 900123" not in json.dumps(data) and "love gardens" not in json.dumps(data)


def test_anonymous_gets_401_on_the_api_and_the_login_page_on_the_page():
    assert_error(Client().get("/api/v1/me/export/"), 401, "not_authenticated")
    assert Client().get("/me/data/export.json").status_code == 302
