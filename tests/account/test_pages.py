"""The Me page, allauth's pages in the product's layout, and sign-up's errors under the right field."""

import re

import pytest

from members.models import Membership
from tests.factories import NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_password_error_on_sign_up_shows_under_the_password_field_not_the_email_field(client):
    response = client.post("/accounts/signup/", {"email": "new@example.org", "password1": "short"})
    html = response.content.decode()
    error = html.index("This password is too short")
    # The error sits inside the password's own block, after its input: not between the email input and
    # the password label, where Django's as_p put it (it read as the email's error).
    assert html.index('id="id_password1_field"') < html.index('id="id_password1"') < error
    assert error < html.index("</div>", html.index('id="id_password1"'))
    email_block = html[html.index('id="id_email_field"') : html.index('id="id_password1_field"')]
    assert "too short" not in email_block


def test_an_email_error_on_sign_up_shows_under_the_email_field(client):
    UserFactory(email="taken@example.org")
    html = client.post("/accounts/signup/", {"email": "taken@example.org", "password1": "a-long-passphrase"}).content
    html = html.decode()
    email_block = html[html.index('id="id_email_field"') : html.index('id="id_password1_field"')]
    assert "already registered" in email_block


def test_sign_up_leads_to_the_welcome_page_which_lists_networks_to_join(client):
    NetworkFactory(slug="demo", name="Harlesden KeyRing")
    response = client.post("/accounts/signup/", {"email": "new@example.org", "password1": "a-long-passphrase"})
    assert response.status_code == 302 and response["Location"] == "/welcome/"
    page = client.get("/welcome/").content.decode()
    assert "First, join a network" in page
    assert 'action="/networks/demo/join/"' in page


def test_joining_from_the_welcome_page_comes_back_to_it_waiting_for_a_coordinator(client):
    network = NetworkFactory(slug="demo", name="Harlesden KeyRing")
    person = UserFactory()
    client.force_login(person)
    response = client.post("/networks/demo/join/", {"next": "/welcome/"})
    assert response["Location"] == "/welcome/"
    assert Membership.objects.get(user=person, network=network).status == Membership.Status.PENDING
    assert "Waiting for a coordinator" in client.get("/").content.decode()


def test_join_never_follows_a_next_to_another_site(client):
    NetworkFactory(slug="demo")
    client.force_login(UserFactory())
    response = client.post("/networks/demo/join/", {"next": "https://evil.example/"})
    assert response["Location"] == "/networks/"


def test_once_approved_home_says_offer_your_first_help_and_then_no_more(client, network, alice):
    client.force_login(alice)
    home = client.get("/").content.decode()
    assert "Offer your first help" in home and "/listings/new/?kind=offer" in home
    client.post(
        "/listings/new/",
        {
            "network": network.pk,
            "kind": "offer",
            "title": "Dog walking",
            "description": "Any weekday.",
            "minutes_estimate": 60,
        },
    )
    assert "Offer your first help" not in client.get("/").content.decode()


def test_a_coordinator_is_not_asked_to_offer_help(client, coordinator):
    client.force_login(coordinator)
    assert 'id="next-step"' not in client.get("/").content.decode()


def test_the_me_page_links_to_every_account_setting(client, alice):
    client.force_login(alice)
    html = client.get("/me/").content.decode()
    for href in (
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/language/",
        "/notifications/",
        "/me/data/export.json",
        "/me/data/",
        "/networks/",
    ):
        assert f'"{href}' in html, href


def test_the_me_page_needs_a_login(client):
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "path",
    ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/", "/accounts/2fa/totp/activate/"],
)
def test_account_pages_use_the_product_layout(client, alice, path):
    # Logged in through the form, password given again: setting up two-step log in asks for it.
    client.post("/accounts/login/", {"login": alice.email, "password": "demo-password"})
    client.post("/accounts/reauthenticate/", {"password": "demo-password"})
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<header class="site">' in html and 'class="skip"' in html
    assert not re.search(r"<p>\s*<label", html), "allauth's bare as_p layout"


def test_a_forgotten_password_is_reset_through_the_emailed_link_in_plain_words(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    page = client.get("/accounts/password/reset/").content.decode()
    assert "Forgotten your password?" in page and "Send me the link" in page
    with django_capture_on_commit_callbacks(execute=True):  # the mail queue sends once the request commits
        response = client.post("/accounts/password/reset/", {"email": alice.email})
    assert response.status_code == 302
    assert "Check your email" in client.get(response["Location"]).content.decode()
    mail = mailoutbox[-1]
    assert mail.subject == "timebank: Choose a new password" and "Hello from timebank" in mail.body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
        follow=True,
    )
    assert "Your password is changed" in done.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("a-new-long-passphrase")


def test_a_used_or_wrong_reset_link_says_so_and_offers_a_new_one(client, alice):
    html = client.get("/accounts/password/reset/key/1-set-password/", follow=True).content.decode()
    assert "This link no longer works" in html
    assert 'href="/accounts/password/reset/"' in html
    alice.refresh_from_db()
    assert alice.check_password("demo-password")


def test_an_expired_email_confirmation_link_says_so_in_plain_words(client, alice):
    client.force_login(alice)
    html = client.get("/accounts/confirm-email/not-a-key/").content.decode()
    assert "This link no longer works" in html and 'href="/accounts/email/"' in html


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/change/", "/accounts/reauthenticate/"])
def test_a_password_box_offers_one_way_to_reset_a_forgotten_password(client, alice, path):
    if path != "/accounts/login/":
        client.force_login(alice)
    html = client.get(path).content.decode()
    assert html.count("/accounts/password/reset/") == 1
    assert "Forgotten your password?" in html and "Forgot your password?" not in html
