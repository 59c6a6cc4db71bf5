"""Find help in a real browser on a phone: searching "garden" finds the gardener, who never wrote
a listing, through her profile (or her bio alone), and the neighbour who asked for garden help."""

from exchanges.matching.services import listing_skills_refresh, profile_skills_refresh
from exchanges.models import Listing
from members.models import Skill
from tests.browser.base import BrowserTestCase
from tests.factories import NetworkFactory, member


class TestFindHelpSearch(BrowserTestCase):
    def test_searching_garden_shows_the_gardener_on_a_narrow_phone(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing")
        asker = member(network).user
        gardener = member(network, bio="Weeding, pruning and planting up pots.")
        gardener.skills_offered.set(Skill.objects.filter(slug="gardening"))
        profile_skills_refresh(membership=gardener)
        self.page.set_viewport_size({"width": 320, "height": 700})
        self.log_in(asker.email)
        self.page.goto(self.url("/listings/"))
        self.page.locator("#id_q").fill("garden")
        self.page.get_by_role("button", name="Search").click()
        people = self.page.locator("section#people-who-fit, section[aria-labelledby=people-who-fit]")
        people.wait_for()
        text = people.inner_text()
        assert gardener.user.name in text
        assert "close to “garden”" in text
        assert self.page.evaluate("document.documentElement.scrollWidth") <= 320


# A class of its own: its own live server, whose cached skill ids are those of this test's taxonomy.
class TestFindHelpSearchBioAndRequests(BrowserTestCase):
    def test_a_bio_only_gardener_and_a_neighbour_who_asked_on_a_narrow_phone(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing")
        searcher = member(network).user
        gardener = member(network, bio="Retired gardener, happy to help with borders and lawns.")
        profile_skills_refresh(membership=gardener)
        asker = member(network).user
        asked = Listing.objects.create(
            network=network, owner=asker, kind="request", title="Help with my overgrown garden"
        )
        listing_skills_refresh(listing=asked)
        self.page.set_viewport_size({"width": 320, "height": 700})
        self.log_in(searcher.email)
        self.page.goto(self.url("/listings/"))
        self.page.locator("#id_q").fill("garden")
        self.page.get_by_role("button", name="Search").click()
        helpers = self.page.locator("section[aria-labelledby=people-who-fit]")
        helpers.wait_for()
        assert gardener.user.name in helpers.inner_text()
        askers = self.page.locator("section[aria-labelledby=people-who-asked]")
        assert "People who asked for this" in askers.inner_text()
        assert asker.name in askers.inner_text() and "Help with my overgrown garden" in askers.inner_text()
        assert self.page.evaluate("document.documentElement.scrollWidth") <= 320
