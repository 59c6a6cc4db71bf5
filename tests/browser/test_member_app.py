"""The app in a member's hand, in Chromium at 390×844 against a live server with the socket: the member's
journey (ask a suggested helper, chat live, claim, confirm), the supporter's journey, and a crawl from each
role's home that follows every link and GET form."""

import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from exchanges import services
from exchanges.models import Listing
from members.models import Membership, SupportLink
from messaging.notifications.services import notification_create
from messaging.services import conversation_direct_open, message_send
from tests.browser.base import PHONE, BrowserTestCase
from tests.exchanges.helpers import claimed, disputed, funded, proposed
from tests.factories import NetworkFactory, member

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Not followed: leaving, the admin, the API and its docs, downloads, static files, other origins' pages.
SKIP = ("/accounts/logout", "/admin", "/api/", "/_allauth", "/static/", "/me/data/export", "/sw.js", "/manifest")
MOST_PAGES = 50


def main_text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


class TestMemberJourney(BrowserTestCase):
    def test_a_member_asks_a_suggested_helper_chats_live_and_both_balances_change(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing", welcome_minutes=120)
        aisha = member(network).user
        bernard = member(network).user
        services.listing_create(
            actor=bernard, network=network, kind=Listing.Kind.OFFER, title="Happy to walk dogs", minutes_estimate=60
        )
        page = self.page
        self.log_in(aisha.email)
        assert "You have 2 h." in main_text(page)

        # Post a request: from home, one tap to the form.
        page.get_by_role("link", name="Ask for help").click()
        page.get_by_label("In a few words").fill("Can someone walk my dog")
        page.get_by_role("button", name="Post it").click()
        page.wait_for_url("**/listings/*/")
        assert "People who could help" in main_text(page)

        # Ask the suggested helper, choosing the time and saying hello.
        page.get_by_role("link", name=f"Ask {bernard.name}").click()
        page.get_by_label("Hours").fill("1")
        page.get_by_label("and minutes").select_option("30")
        page.get_by_label("Your message").fill("Could you walk Rex on Saturday?")
        page.get_by_role("button", name=f"Send to {bernard.name}").click()
        page.wait_for_url("**/conversations/*/")
        conversation_url = page.url
        assert "Could you walk Rex on Saturday?" in main_text(page)

        # Bernard, in a second browser, reads it and answers; Aisha sees the answer live, with his name.
        bernards = self.browser.new_context(viewport=PHONE)
        bpage = bernards.new_page()
        bpage.set_default_timeout(15000)
        self.log_in(bernard.email, page=bpage)
        assert "Answer a request" in main_text(bpage)
        bpage.goto(conversation_url)
        bpage.wait_for_load_state("networkidle")
        page.wait_for_load_state("networkidle")
        bpage.get_by_label("Your message").fill("Yes, happy to")
        page.locator("#typing", has_text="Typing").wait_for(timeout=10000)
        bpage.get_by_role("button", name="Send").click()
        live = page.locator("#messages li", has_text="Yes, happy to")
        live.wait_for(timeout=10000)
        assert bernard.name in live.inner_text()
        # "Typing…" goes when the message arrives (or a few seconds after the last keystroke).
        page.wait_for_function("document.getElementById('typing').textContent === ''", timeout=10000)
        assert page.url == conversation_url  # it came over the socket, no reload
        # Reading the conversation, Aisha's unread badge stays at nothing.
        assert page.locator("#nav-messages .badge").is_hidden()

        # Bernard agrees and says it is done; Aisha confirms; both balances change.
        bpage.get_by_role("link", name="See the exchange this is about").click()
        bpage.get_by_role("button", name="Accept").click()
        bpage.get_by_label("Hours").fill("1")
        bpage.get_by_label("and minutes").fill("30")
        bpage.get_by_role("button", name="It’s done").click()
        bpage.wait_for_load_state()
        page.goto(self.url("/"))
        page.get_by_role("link", name=re.compile("Confirm the time")).click()
        page.get_by_role("button", name="Confirm 1 h 30 min").click()
        page.wait_for_load_state()
        assert "Confirmed and paid" in main_text(page)
        page.goto(self.url("/"))
        assert "You have 30 min." in main_text(page)
        bpage.goto(self.url("/"))
        assert "You have 3 h 30 min." in main_text(bpage)

        # Live on every page: a new message raises Aisha's Messages badge on her home, without a reload.
        page.wait_for_load_state("networkidle")
        assert page.locator("#nav-messages .badge").is_hidden()
        bpage.goto(conversation_url)
        bpage.get_by_label("Your message").fill("Thanks, Rex was lovely")
        bpage.get_by_role("button", name="Send").click()
        page.locator("#nav-messages .badge .count", has_text="1").wait_for(timeout=10000)
        assert page.url == self.url("/")
        bernards.close()


class TestLiveExchangeCard(BrowserTestCase):
    def test_an_open_exchange_page_says_it_changed_when_the_other_person_accepts(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing")
        aisha = member(network).user
        bernard = member(network).user
        exchange = proposed(network, bernard, aisha, minutes=60, actor=aisha)
        page = self.page
        self.log_in(aisha.email)
        page.goto(self.url(f"/exchanges/{exchange.pk}/"))
        page.wait_for_load_state("networkidle")  # the socket is open
        note = page.locator("[data-exchange] .live-note")
        assert note.is_hidden()

        # Bernard accepts in his own browser; Aisha's page says so without a reload, and the link shows it.
        bernards = self.browser.new_context(viewport=PHONE)
        bpage = bernards.new_page()
        bpage.set_default_timeout(15000)
        self.log_in(bernard.email, page=bpage)
        bpage.goto(self.url(f"/exchanges/{exchange.pk}/"))
        bpage.get_by_role("button", name="Accept").click()
        bpage.wait_for_load_state()
        note.wait_for(state="visible", timeout=10000)
        assert "changed just now" in note.inner_text()
        note.get_by_role("link").click()
        page.wait_for_load_state()
        assert "Agreed. When the help has happened" in main_text(page)
        bernards.close()


class TestSupporterJourney(BrowserTestCase):
    def test_a_supporter_sees_what_needs_their_member_confirms_with_them_and_reads_their_notifications(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing", welcome_minutes=120)
        edna = member(network, is_supported=True)
        sam = member(network, role=Membership.Role.SUPPORTER)
        SupportLink.objects.create(network=network, supporter=sam, member=edna)
        bernard = member(network).user
        exchange = claimed(network, bernard, edna.user, minutes=45)
        page = self.page
        self.log_in(sam.user.email)
        text = main_text(page)
        assert "People you support" in text and edna.user.name in text
        assert f"Needs {edna.user.name}:" in text

        page.locator(f"[data-exchange='{exchange.pk}'] a").first.click()
        page.get_by_role("button", name="Confirm 45 min").click()
        page.wait_for_load_state()
        assert "Confirmed and paid" in main_text(page)

        page.goto(self.url("/"))
        page.get_by_role("link", name="Their time and statement").click()
        assert f"{edna.user.name} has 1 h 15 min." in main_text(page)
        assert "−45 min" in main_text(page)

        page.goto(self.url("/"))
        page.get_by_role("link", name=re.compile("Their notifications")).click()
        text = main_text(page)
        assert f"You are reading {edna.user.name}" in text
        assert "says the help is done" in text
        # The relay of a member's notifications to their supporter's own (the notifications issue) is not on
        # this branch: the supporter reads them here, on the member's behalf.


@pytest.mark.skipif(
    not AXE.exists() and os.environ.get("TIMEBANK_REQUIRE_BROWSER") != "1",
    reason="needs axe-core: `npm ci` (make test does it when npm is there; CI requires it)",
)
class TestCrawlFromEveryHome(BrowserTestCase):
    # axe-core is injected as a script; the policy itself is tested in test_content_security_policy.
    bypass_csp = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

    def make_network(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing", welcome_minutes=120)
        self.coordinator = member(network, role=Membership.Role.COORDINATOR).user
        self.commissioner = member(network, role=Membership.Role.COMMISSIONER).user
        aisha, bernard = member(network), member(network)
        edna = member(network, is_supported=True)
        sam = member(network, role=Membership.Role.SUPPORTER)
        SupportLink.objects.create(network=network, supporter=sam, member=edna)
        self.aisha, self.sam = aisha.user, sam.user
        funded(network, aisha.user, edna.user)
        offer = services.listing_create(
            actor=bernard.user,
            network=network,
            kind=Listing.Kind.OFFER,
            title="Dog walks round the park",
            minutes_estimate=45,
            availability=["sat-morning"],
        )
        services.listing_create(
            actor=aisha.user, network=network, kind=Listing.Kind.REQUEST, title="Walk my dog on Saturday"
        )
        services.exchange_propose(
            actor=aisha.user, network=network, provider=bernard.user, recipient=aisha.user, minutes=45, listing=offer
        )
        claimed(network, bernard.user, edna.user, minutes=30)
        disputed(network, bernard.user, aisha.user, minutes=60)
        chat, _created = conversation_direct_open(network=network, user=aisha.user, other_id=bernard.user.pk)
        message_send(conversation=chat, sender=bernard.user, body="See you Saturday")
        notification_create(user=edna.user, kind="test", text="A note for Edna", network=network)

    def check(self, path: str) -> list[str]:
        page = self.page
        problems = []
        for width in (320, 390):
            page.set_viewport_size({"width": width, "height": PHONE["height"]})
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                problems.append(f"{path}: {wide} px wide at {width}")
        page.set_viewport_size(PHONE)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(f"axe.run(document, {{runOnly: {{type: 'tag', values: {TAGS}}}}})")
        problems += [f"{path}: axe {v['id']} ({v['impact']}) {v['nodes'][0]['target']}" for v in result["violations"]]
        return problems

    def links(self, path: str) -> list[str]:
        """Every same-site link, and every GET form submitted with what it holds."""
        found = self.page.eval_on_selector_all(
            "main a[href], nav a[href], header a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
        found += self.page.eval_on_selector_all(
            "form[method=get], form:not([method])",
            "forms => forms.map(f => (f.getAttribute('action') || location.pathname) + '?' + new URLSearchParams(new FormData(f)).toString())",
        )
        out = []
        base = self.url(path)
        for href in found:
            url = urlparse(urljoin(base, href))
            if url.netloc != urlparse(self.live_server_url).netloc or url.path.startswith(SKIP):
                continue
            out.append(url.path + (f"?{url.query}" if url.query else ""))
        return out

    def crawl(self, email: str) -> tuple[list[str], set[str]]:
        self.context.clear_cookies()
        self.log_in(email)
        queue, seen, problems = ["/"], set(), []
        while queue and len(seen) < MOST_PAGES:
            path = queue.pop(0)
            # One page of a kind is enough: pages of a list, and each listing or exchange, once.
            kind = re.sub(r"\d+", "N", re.sub(r"[?&]page=\d+", "", path))
            if kind in seen:
                continue
            seen.add(kind)
            response = self.page.goto(self.url(path))
            if response is None or response.status >= 400:
                problems.append(f"{path}: HTTP {response.status if response else '?'}")
                continue
            problems += self.check(path)
            queue += [link for link in self.links(path) if link not in queue]
        return problems, seen

    def test_every_page_reached_from_each_roles_home_answers_fits_and_passes_axe(self):
        self.make_network()
        report = []
        reached = {}
        for who in (self.aisha, self.sam, self.coordinator, self.commissioner):
            problems, seen = self.crawl(who.email)
            report += [f"{who.name}: {p}" for p in problems]
            reached[who.name] = seen
        assert report == [], "\n".join(report)
        # Each home leads somewhere: the crawl is not trivially empty.
        assert all(len(seen) >= 5 for seen in reached.values()), reached
        # A commissioner is never offered member pages.
        assert not any(
            p.startswith(("/listings/", "/time/", "/conversations/")) for p in reached[self.commissioner.name]
        )
