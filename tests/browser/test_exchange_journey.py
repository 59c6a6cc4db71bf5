"""The core journey on a phone, without JavaScript help: ask for an offer, agree, do it, confirm, get paid."""

from exchanges.models import Listing
from exchanges.services import listing_create
from tests.browser.base import BrowserTestCase
from tests.factories import NetworkFactory, member


class TestExchangeJourney(BrowserTestCase):
    def test_two_neighbours_agree_help_and_the_hours_move(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing", welcome_minutes=120)
        aisha = member(network).user
        bernard = member(network).user
        listing = listing_create(
            actor=bernard,
            owner=bernard,
            network=network,
            kind=Listing.Kind.OFFER,
            title="Dog walking round Roundwood Park",
            description="Happy to take your dog with mine.",
            minutes_estimate=45,
        )
        aisha_page = self.page
        self.log_in(aisha.email, page=aisha_page)
        aisha_page.goto(self.url(f"/listings/{listing.pk}/"))
        aisha_page.get_by_role("button", name="Ask").click()
        aisha_page.wait_for_url("**/exchanges/*/")
        exchange_url = aisha_page.url
        assert "Proposed" in aisha_page.locator("main").inner_text()

        bernard_context = self.browser.new_context(viewport={"width": 390, "height": 844})
        bernard_page = bernard_context.new_page()
        self.log_in(bernard.email, page=bernard_page)
        bernard_page.goto(exchange_url)
        bernard_page.get_by_role("button", name="Accept").click()
        bernard_page.wait_for_load_state()
        bernard_page.goto(exchange_url)
        bernard_page.get_by_role("button", name="It’s done").click()
        bernard_page.wait_for_load_state()

        aisha_page.goto(exchange_url)
        aisha_page.get_by_role("button", name="Confirm 45 min").click()
        aisha_page.wait_for_load_state()
        aisha_page.goto(exchange_url)
        assert "Confirmed and paid" in aisha_page.locator("main").inner_text()

        aisha_page.goto(self.url("/time/"))
        assert "You have 1 h 15 min." in aisha_page.locator("main").inner_text()
        bernard_page.goto(self.url("/time/"))
        assert "You have 2 h 45 min." in bernard_page.locator("main").inner_text()
        bernard_context.close()
