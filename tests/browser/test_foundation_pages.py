"""The home page and login in a real browser on a phone-sized screen."""

from tests.browser.base import BrowserTestCase
from tests.factories import NetworkFactory, member


class TestFoundationPages(BrowserTestCase):
    def test_a_member_logs_in_and_sees_their_balance_on_a_phone(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing")
        user = member(network).user
        self.log_in(user.email)
        body = self.page.locator("main").inner_text()
        assert "Your time" in body  # one network: its name is not needed on the home
        assert "You have 0 min." in body
        # Nothing overflows a 390 px screen.
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390

    def test_the_app_is_installable_with_a_manifest_and_service_worker(self):
        self.page.goto(self.url("/"))
        manifest = self.page.locator("link[rel=manifest]").get_attribute("href")
        assert self.page.request.get(self.url(manifest)).json()["display"] == "standalone"
        registered = self.page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active).catch(() => false)")
        assert registered is True

    def test_the_api_docs_render_without_any_outside_network(self):
        self.page.goto(self.url("/api/docs/"))
        self.page.wait_for_selector(".swagger-ui .info .title")
        assert "timebank API" in self.page.locator(".swagger-ui .info .title").inner_text()
