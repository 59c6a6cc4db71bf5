"""A new person on a phone: sign up, join a network, a coordinator (in a second browser) approves, and the
new member posts their first offer."""

from exchanges.models import Listing
from members.models import Membership
from tests.browser.base import PHONE, BrowserTestCase
from tests.factories import NetworkFactory, member


class TestNewPersonJourney(BrowserTestCase):
    def test_a_new_person_signs_up_joins_is_approved_and_offers_their_first_help(self):
        network = NetworkFactory(slug="demo", name="Harlesden KeyRing")
        coordinator = member(network, role=Membership.Role.COORDINATOR).user
        page = self.page

        page.goto(self.url("/"))
        page.get_by_role("link", name="Sign up").first.click()
        page.get_by_label("Email").fill("newcomer@example.org")
        page.get_by_label("Password").fill("short")
        page.get_by_role("button", name="Create my account").click()
        password_block = page.locator("#id_password1_field")
        assert "too short" in password_block.inner_text()
        assert "too short" not in page.locator("#id_email_field").inner_text()

        page.get_by_label("Password").fill("a long enough passphrase")
        page.get_by_role("button", name="Create my account").click()
        page.wait_for_url(self.url("/welcome/"))
        assert "First, join a network" in page.locator("main").inner_text()
        # No name yet: joining asks the name others will see, never showing their email address instead.
        page.get_by_label("Your name, as other members will see it").fill("Nia")
        page.get_by_role("button", name="Ask to join Harlesden KeyRing").click()
        page.wait_for_url(self.url("/welcome/"))
        page.goto(self.url("/"))
        assert "Waiting for a coordinator" in page.locator("#next-step").inner_text()

        coordinator_context = self.browser.new_context(viewport=PHONE)
        desk = coordinator_context.new_page()
        self.log_in(coordinator.email, page=desk)
        desk.goto(self.url("/networks/demo/queue/"))
        card = desk.locator("section.card", has_text="Nia")
        card.get_by_role("button", name="Approve").click()
        desk.wait_for_load_state()
        assert "is now a member" in desk.locator("main").inner_text()
        coordinator_context.close()

        page.goto(self.url("/"))
        page.get_by_role("link", name="Offer your first help").click()
        page.get_by_label("In a few words").fill("Reading letters aloud")
        page.get_by_role("button", name="Post it").click()
        page.wait_for_url("**/listings/*/")
        listing = Listing.objects.get(owner__email="newcomer@example.org")
        assert listing.kind == Listing.Kind.OFFER and listing.network == network
        page.goto(self.url("/"))
        assert page.locator("#next-step").count() == 0
