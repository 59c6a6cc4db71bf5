"""Control characters (terminal escapes, bells) and direction overrides are refused in every text a person
writes, from the API (field by field, as its schema says), the pages and the socket; a name must show. Emoji,
every script and the line breaks a word processor pastes stay welcome; a field the API ignores is never the
reason for a 400."""

import pytest
from django.test import Client

from exchanges.models import Listing
from members.models import User
from messaging.models import Message
from messaging.services import conversation_direct_open
from timebank.controls import refused_character, visible

pytestmark = pytest.mark.django_db

PROFILE = "/api/v1/networks/harlesden/profile/"
REFUSED = ["\u202eGrace", "a\x01\x1b[2J", "ding\x07", "next\x85line", "left\u2066right\u2069", "del\x7f"]
WELCOME = [
    "Siân ap Rhys",
    "👨\u200d👩\u200d👧 family",
    "مرحبا",
    "שלום",
    "line\nline\ttab\r\n",
    "Zoë 😀",
    "soft\x0bbreak, page\x0cbreak",
]


@pytest.mark.parametrize("text", REFUSED)
def test_a_control_character_or_direction_override_is_refused_by_the_api_naming_the_field(api, alice, text):
    response = api.as_user(alice).patch(PROFILE, {"bio": text}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error" and "bio" in error["fields"]
    assert "control character" in error["fields"]["bio"][0]


def test_a_listing_title_with_control_characters_is_refused_and_nothing_is_written(api, network, alice):
    body = {"network": "harlesden", "kind": "offer", "title": "Walks\x01\x07\x1b", "description": "Dogs"}
    response = api.as_user(alice).post("/api/v1/listings/", body, format="json")
    assert response.status_code == 400 and "title" in response.json()["error"]["fields"]
    assert not Listing.objects.exists()


@pytest.mark.parametrize("text", WELCOME)
def test_emoji_joiners_and_every_script_are_still_welcome(api, alice, text):
    response = api.as_user(alice).patch(PROFILE, {"bio": text}, format="json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200d", " \u3164 ", "\u2066\u2069"])
def test_a_name_with_nothing_that_shows_is_refused(api, alice, name):
    response = api.as_user(alice).patch(PROFILE, {"display_name": name}, format="json")
    assert response.status_code == 400 and "display_name" in response.json()["error"]["fields"]
    assert User.objects.get(pk=alice.pk).display_name == alice.display_name


def test_a_page_form_with_a_control_character_answers_a_clear_400_and_saves_nothing(network, alice):
    client = Client()
    client.force_login(alice)
    response = client.post("/networks/harlesden/profile/", {"display_name": "\u202eGrace"})
    assert response.status_code == 400
    assert "control character (U+202E)" in response.content.decode()
    assert User.objects.get(pk=alice.pk).display_name == alice.display_name


def test_a_form_post_to_the_api_is_refused_in_the_api_shape(api, alice):
    response = api.as_user(alice).patch(PROFILE, {"bio": "a\x1b[2J"}, format="multipart")
    assert response.status_code == 400


def test_a_field_the_api_ignores_is_never_the_reason_for_a_400(api, alice):
    response = api.as_user(alice).patch(PROFILE, {"bio": "Gardener", "ignored": "\u202e\x1b[2J"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["bio"] == "Gardener"


def test_the_schema_says_which_characters_a_text_field_refuses(api):
    schema = api.get("/api/schema/?format=json").json()
    name = schema["components"]["schemas"]["PatchedProfileInputRequest"]["properties"]["display_name"]
    assert "\\u202a-\\u202e" in name["pattern"] and "\\x01-\\x08" in name["pattern"]


def test_the_rule_in_one_place():
    assert all(refused_character(text) for text in REFUSED)
    assert not any(refused_character(text) for text in WELCOME)
    assert all(visible(text) for text in WELCOME) and not visible("\u200b \u200e")


def test_a_message_sent_through_the_api_with_a_direction_override_is_refused(api, network, alice, bob):
    chat, _ = conversation_direct_open(network=network, user=alice, other_id=bob.pk)
    response = api.as_user(alice).post(
        f"/api/v1/conversations/{chat.pk}/messages/", {"body": "\u202eolleh", "client_id": "c1"}, format="json"
    )
    assert response.status_code == 400 and "body" in response.json()["error"]["fields"]
    assert not Message.objects.exists()


def test_the_refusal_page_leads_back_to_the_page_the_form_was_on_not_to_the_post_only_address(alice):
    client = Client()
    client.force_login(alice)
    response = client.post(
        "/networks/harlesden/join/",
        {"display_name": "\u202eGrace"},
        HTTP_REFERER="http://testserver/welcome/",
    )
    assert response.status_code == 400 and 'href="/welcome/"' in response.content.decode()
    elsewhere = client.post(
        "/networks/harlesden/join/", {"display_name": "\u202eGrace"}, HTTP_REFERER="https://evil.example/x"
    )
    assert 'href="https://evil.example' not in elsewhere.content.decode()
