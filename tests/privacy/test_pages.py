"""The "Your data" page and the coordinator's erase button: same services as the API, plain refusals."""

from django.test import Client

from members.models import Membership, User
from tests.factories import member
from tests.privacy.conftest import PASSWORD


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_your_data_page_offers_the_download_and_the_erase_form(network, alice):
    page = browser_for(alice).get("/me/data/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/me/data/export.json"' in html and 'name="password"' in html and "cannot be undone" in html


def test_the_profile_page_links_to_your_data(network, alice):
    assert 'href="/me/data/"' in browser_for(alice).get("/networks/harlesden/profile/").content.decode()


def test_a_wrong_password_on_the_page_says_so_and_erases_nothing(network, alice):
    page = browser_for(alice).post("/me/data/", {"password": "nope"})

    assert page.status_code == 400 and "That password is not right." in page.content.decode()
    assert User.objects.get(pk=alice.pk).erased_at is None


def test_erasing_on_the_page_logs_out_and_goes_home(network, alice):
    browser = browser_for(alice)

    page = browser.post("/me/data/", {"password": PASSWORD})

    assert page.status_code == 302 and page["Location"] == "/"
    assert User.objects.get(pk=alice.pk).erased_at is not None
    assert browser.get("/me/data/").status_code == 302  # to the login page


def test_a_refusal_on_the_page_is_a_plain_message(network, coordinator):
    page = browser_for(coordinator).post("/me/data/", {"password": PASSWORD})

    assert page.status_code == 400 and "needs at least one coordinator" in page.content.decode()


def test_the_coordinator_sees_an_erase_button_for_a_supported_member_only(network, coordinator, alice, supported):
    browser = browser_for(coordinator)

    assert "/erase/" in browser.get(f"/networks/harlesden/members/{supported.pk}/manage/").content.decode()
    assert "/erase/" not in browser.get(f"/networks/harlesden/members/{alice.pk}/manage/").content.decode()


def test_the_coordinator_erases_a_supported_member_from_the_page(network, coordinator, supported):
    page = browser_for(coordinator).post(f"/networks/harlesden/members/{supported.pk}/erase/", {"reason": "Moved"})

    assert page.status_code == 302 and page["Location"] == "/networks/harlesden/members/"
    assert User.objects.get(pk=supported.pk).erased_at is not None


def test_a_member_gets_403_and_an_outsider_404_on_the_erase_page(network, other_network, supported):
    url = f"/networks/harlesden/members/{supported.pk}/erase/"
    someone = member(network).user
    outsider = member(other_network, role=Membership.Role.COORDINATOR).user

    assert browser_for(someone).post(url, {"reason": "x"}).status_code == 403
    assert browser_for(outsider).post(url, {"reason": "x"}).status_code == 404
    assert User.objects.get(pk=supported.pk).erased_at is None
