"""Find help in a real browser on a phone: searching "garden" finds the gardener, who never wrote
a listing, through her profile."""

from exchanges.matching.services import profile_skills_refresh
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
