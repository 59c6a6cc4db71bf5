"""A coordinator runs their network on a phone and on a laptop: changes the approval rule, approves a held
lift, records a coffee morning for six people, posts an announcement; axe finds nothing on those pages."""

import os

import pytest
from django.utils import timezone

from exchanges.listings import listing_create
from exchanges.matching.skills import taxonomy_cache_clear
from exchanges.models import Activity, Exchange
from exchanges.services import exchange_accept, exchange_propose
from members.models import Announcement, Membership, Network, Skill, SkillCategory
from members.taxonomy import taxonomy_load
from messaging.notifications.models import Notification
from tests.browser.base import BrowserTestCase
from tests.browser.test_accessibility import AXE, TAGS
from tests.factories import NetworkFactory, UserFactory, member

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.mark.skipif(
    not AXE.exists() and os.environ.get("TIMEBANK_REQUIRE_BROWSER") != "1",
    reason="needs axe-core: `npm ci` (make test does it when npm is there; CI requires it)",
)
class TestCoordinatorJourney(BrowserTestCase):
    # axe-core is injected as an inline script; the policy itself is tested in test_content_security_policy.
    bypass_csp = True

    def violations(self) -> list[str]:
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(f"axe.run(document, {{runOnly: {{type: 'tag', values: {TAGS}}}}})")
        return [f"{self.page.url}: {v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]]

    def fits(self) -> None:
        """Nothing wider than the screen."""
        wide = self.page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not wide, f"{self.page.url} is wider than the screen"

    def journey(self, viewport: dict) -> None:
        self.page.set_viewport_size(viewport)
        # The skills taxonomy comes with the migrations, and the flush after each browser test empties it.
        taxonomy_load(category_model=SkillCategory, skill_model=Skill)
        taxonomy_cache_clear()
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing", approval=Network.Approval.NEVER)
        coordinator = member(network, role=Membership.Role.COORDINATOR, user=UserFactory(display_name="Grace")).user
        driver = member(network, user=UserFactory(display_name="Bernard")).user
        rider = member(network, user=UserFactory(display_name="Aisha"), is_supported=False).user
        leader = member(network, user=UserFactory(display_name="Pat the baker")).user
        guests = [member(network, user=UserFactory(display_name=f"Guest {n}")).user for n in range(1, 7)]
        member(network, user=UserFactory(display_name="Stayed at home"))
        lift = listing_create(
            actor=driver,
            network=network,
            kind="offer",
            title="Lift to the hospital",
            description="I can drive you to the hospital or GP",
        )
        proposal = exchange_propose(
            actor=rider, network=network, provider=driver, recipient=rider, minutes=60, listing=lift
        )
        self.log_in(coordinator.email)
        found: list[str] = []

        # 1. The approval rule: sensitive help waits for a coordinator.
        self.page.goto(self.url("/networks/harlesden/settings/"))
        found += self.violations()
        self.fits()
        self.page.get_by_label("Only for sensitive help").check()
        self.page.get_by_label("Why are you changing this?").fill("Lifts need a checked driver")
        self.page.get_by_role("button", name="Save settings").click()
        self.page.wait_for_load_state()
        assert "Settings saved." in self.page.locator("main").inner_text()
        network.refresh_from_db()
        assert network.approval == Network.Approval.SENSITIVE

        # 2. The driver agrees to the lift: it is held, and the desk says why; the coordinator approves it.
        exchange_accept(actor=driver, exchange=proposal)
        self.page.goto(self.url("/coordinator/"))
        found += self.violations()
        self.fits()
        main = self.page.locator("main").inner_text()
        assert "Held because it looks like" in main and "drive you to the hospital" in main
        self.page.get_by_label("Why is it all right?").fill("Bernard's DBS check is current")
        self.page.get_by_role("button", name="Approve").click()
        self.page.wait_for_load_state()
        assert Exchange.objects.get(pk=proposal.pk).state == "accepted"

        # 3. A coffee morning for six, led by Pat.
        self.page.goto(self.url("/networks/harlesden/activities/new/"))
        found += self.violations()
        self.fits()
        self.page.get_by_label("What was it?").fill("Coffee morning")
        self.page.get_by_label("When was it?").fill(timezone.localdate().isoformat())
        # How long, as hours and minutes: 1 h 30 min.
        self.page.locator("#id_minutes_0").fill("1")
        self.page.locator("#id_minutes_1").fill("30")
        self.page.get_by_label("Who led it?").select_option(label="Pat the baker")
        search = self.page.get_by_label("Find someone")
        search.fill("Guest 4")
        assert self.page.get_by_label("Guest 1", exact=True).is_hidden()
        self.page.get_by_label("Guest 4", exact=True).check()
        search.fill("")
        for n in (1, 2, 3, 5, 6):
            self.page.get_by_label(f"Guest {n}", exact=True).check()
        assert "6 ticked" in self.page.locator("#register-count").inner_text()
        self.page.get_by_role("button", name="Record it").click()
        self.page.wait_for_load_state()
        assert "Coffee morning is recorded: 6 exchanges" in self.page.locator("main").inner_text()
        activity = Activity.objects.get()
        assert activity.exchanges.filter(state="posted", provider=leader, minutes=90).count() == 6
        assert set(activity.exchanges.values_list("recipient_id", flat=True)) == {g.pk for g in guests}

        # 4. An announcement to everyone.
        self.page.goto(self.url("/networks/harlesden/announcements/"))
        self.page.get_by_text("Tell everyone something").click()
        found += self.violations()
        self.fits()
        self.page.get_by_label("Title").fill("Summer picnic")
        self.page.get_by_label("What do you want to tell everyone?").fill("Roundwood Park, bring a plate.")
        self.page.get_by_role("button", name="Post to everyone").click()
        self.page.wait_for_load_state()
        assert "Summer picnic" in self.page.locator("main").inner_text()
        self.page.goto(self.url("/networks/harlesden/announcements/"))
        found += self.violations()
        assert Announcement.objects.filter(title="Summer picnic").exists()
        assert Notification.objects.filter(kind="announcement", user=rider).exists()
        assert found == [], "\n".join(found)

    def test_on_a_phone(self):
        self.journey(PHONE)

    def test_on_a_laptop(self):
        self.journey(LAPTOP)
