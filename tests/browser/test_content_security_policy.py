"""The Content-Security-Policy in real Chromium: the main pages, the API docs and the admin run with no
violation, and the chat socket still works from the page."""

from exchanges.models import Listing
from exchanges.services import listing_create
from members.models import Membership
from messaging.services import conversation_direct_open
from tests.browser.base import PHONE, BrowserTestCase
from tests.factories import NetworkFactory, member

# Recorded on every page before its own scripts run: what the browser refused, and why.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class TestContentSecurityPolicy(BrowserTestCase):
    def watch(self, page):
        """Collect CSP violations on this page: the DOM event, and Chromium's console report of them."""
        problems = []
        page.add_init_script(LISTEN)
        page.on(
            "console",
            lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        return problems

    def visit(self, page, problems, path: str, ready: str = "main"):
        response = page.goto(self.url(path))
        assert response.status < 400, (path, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "camera=()" in response.headers["permissions-policy"]
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        problems.extend(f"{path}: {v}" for v in page.evaluate("window.__violations"))

    def test_the_main_pages_run_without_a_policy_violation(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing")
        coordinator = member(network, role=Membership.Role.COORDINATOR).user
        alice, bob = member(network).user, member(network).user
        listing = listing_create(
            actor=alice,
            owner=alice,
            network=network,
            kind=Listing.Kind.OFFER,
            title="Reading letters aloud",
            description="Happy to help with post.",
            minutes_estimate=30,
        )
        chat = conversation_direct_open(network=network, user=alice, other_id=bob.pk)[0]
        page = self.page
        problems = self.watch(page)

        for path in ("/", "/accounts/login/", "/accounts/signup/", "/offline/"):
            self.visit(page, problems, path)
        self.visit(page, problems, "/admin/login/", ready="#login-form")
        self.visit(page, problems, "/api/docs/", ready=".swagger-ui .info .title")

        self.log_in(alice.email)
        for path in (
            "/",
            "/networks/",
            "/listings/",
            f"/listings/{listing.pk}/",
            "/listings/new/",
            "/exchanges/",
            "/exchanges/record/",
            "/time/",
            "/conversations/",
            f"/conversations/{chat.pk}/",
            "/notifications/",
            "/reports/",
            "/wellbeing/harlesden/",
        ):
            self.visit(page, problems, path)

        coordinating = self.browser.new_context(viewport=PHONE)
        coordinator_page = coordinating.new_page()
        problems_too = self.watch(coordinator_page)
        self.log_in(coordinator.email, page=coordinator_page)
        for path in (
            "/coordinator/exchanges/",
            "/concerns/",
            "/reports/harlesden/",
            "/coordinator/harlesden/unmatched/",
        ):
            self.visit(coordinator_page, problems_too, path)
        coordinating.close()

        assert problems + problems_too == []

    def test_the_chat_socket_works_from_the_page_under_the_policy(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing")
        alice, bob = member(network).user, member(network).user
        chat = conversation_direct_open(network=network, user=alice, other_id=bob.pk)[0]
        problems = self.watch(self.page)
        self.log_in(alice.email)
        bobs = self.browser.new_context(viewport=PHONE)
        bob_page = bobs.new_page()
        problems.extend(self.watch(bob_page))
        self.log_in(bob.email, page=bob_page)
        bob_page.goto(self.url(f"/conversations/{chat.pk}/"))
        self.page.goto(self.url(f"/conversations/{chat.pk}/"))
        # Both sockets open and synced before Alice types.
        self.page.wait_for_load_state("networkidle")
        bob_page.wait_for_load_state("networkidle")
        self.page.get_by_label("Your message").fill("Live under the policy")
        self.page.get_by_role("button", name="Send").click()
        # Bob's page shows it without a reload: it came over the socket.
        bob_page.locator("#messages li", has_text="Live under the policy").wait_for(timeout=10000)
        assert self.page.url.endswith(f"/conversations/{chat.pk}/")
        problems.extend(self.page.evaluate("window.__violations"))
        problems.extend(bob_page.evaluate("window.__violations"))
        bobs.close()
        assert problems == []
