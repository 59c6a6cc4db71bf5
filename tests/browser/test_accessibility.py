"""WCAG 2.2 A/AA checks by axe-core on the main pages, on a phone-sized screen."""

import os
from pathlib import Path

import pytest

from exchanges.models import Listing
from exchanges.services import exchange_propose, listing_create
from members.models import Membership
from tests.browser.base import BrowserTestCase
from tests.factories import NetworkFactory, member, pending

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.mark.skipif(
    not AXE.exists() and os.environ.get("TIMEBANK_REQUIRE_BROWSER") != "1",
    reason="needs axe-core: `npm ci` (make test does it when npm is there; CI requires it)",
)
class TestAccessibility(BrowserTestCase):
    # axe-core is injected as an inline script; the policy itself is tested in test_content_security_policy.
    bypass_csp = True

    def violations(self, path: str) -> list[str]:
        self.page.goto(self.url(path))
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(f"axe.run(document, {{runOnly: {{type: 'tag', values: {TAGS}}}}})")
        return [
            f"{path}: {v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    def test_the_main_pages_have_no_serious_accessibility_violations(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing", welcome_minutes=120)
        aisha = member(network).user
        bernard = member(network).user
        coordinator = member(network, role=Membership.Role.COORDINATOR).user
        pending(network)
        listing = listing_create(
            actor=bernard,
            owner=bernard,
            network=network,
            kind=Listing.Kind.OFFER,
            title="Dog walking",
            minutes_estimate=45,
        )
        exchange = exchange_propose(
            actor=aisha, network=network, provider=bernard, recipient=aisha, minutes=45, listing=listing
        )
        found = self.violations("/") + self.violations("/accounts/login/") + self.violations("/accounts/signup/")
        self.log_in(aisha.email)
        for path in [
            "/",
            "/listings/",
            f"/listings/{listing.pk}/",
            "/listings/new/",
            f"/exchanges/{exchange.pk}/",
            "/exchanges/",
            "/exchanges/record/",
            "/time/",
            "/networks/",
            f"/networks/{network.slug}/profile/",
            f"/networks/{network.slug}/concerns/new/",
            "/notifications/",
        ]:
            found += self.violations(path)
        self.context.clear_cookies()
        self.log_in(coordinator.email)
        for path in [
            f"/networks/{network.slug}/queue/",
            f"/networks/{network.slug}/neighbourhoods/",
            f"/networks/{network.slug}/members/",
            f"/networks/{network.slug}/ledger/",
            "/coordinator/exchanges/",
            "/concerns/",
        ]:
            found += self.violations(path)
        assert found == [], "\n".join(found)
