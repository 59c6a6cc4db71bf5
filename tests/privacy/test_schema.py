"""The OpenAPI schema documents the your-data endpoints with the paths and shapes PRODUCT §4 gives."""

from django.test import Client

from members.audit import REASON_MAX


def test_the_schema_documents_export_and_both_erasures(db):
    schema = Client().get("/api/schema/?format=json").json()
    paths, components = schema["paths"], schema["components"]["schemas"]

    assert "get" in paths["/api/v1/me/export/"]
    assert "post" in paths["/api/v1/me/erase/"]
    assert "post" in paths["/api/v1/networks/{slug}/members/{user_id}/erase/"]
    assert components["MeEraseInputRequest"]["required"] == ["password"]
    # Whether the reason is required is the service's to say (members.audit.reason_clean); its length is one rule.
    reason = components["MemberEraseInputRequest"]["properties"]["reason"]
    # A blank reason is documented as its own alternative (maxLength 0) beside the reason's own length.
    assert max(alt.get("maxLength", 0) for alt in reason.get("oneOf", [reason])) == REASON_MAX
    assert {"person", "memberships", "statement", "messages_sent", "audit_events"} <= set(
        components["PersonalDataExport"]["properties"]
    )


def test_an_erasure_answers_the_documented_shape(api, network, alice):
    from tests.privacy.conftest import PASSWORD

    body = api.as_user(alice).post("/api/v1/me/erase/", {"password": PASSWORD}, format="json").json()

    assert set(body) == {"id", "display_name", "erased"} and body["erased"] is True
