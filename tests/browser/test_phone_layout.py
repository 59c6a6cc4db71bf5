"""What a phone-sized screen shows of folded days and of tables: a marker that a day opens, whole words."""

from members.models import Membership
from tests.browser.base import BrowserTestCase
from tests.factories import NetworkFactory, member

# How many lines each of an element's words takes, in the page: 1 each when no word is broken.
LINES_PER_WORD = """els => els.map(el => {
  const text = el.firstChild;
  const lines = [];
  for (const m of text.data.matchAll(/\\S+/g)) {
    const r = document.createRange();
    r.setStart(text, m.index); r.setEnd(text, m.index + m[0].length);
    lines.push([m[0], new Set([...r.getClientRects()].map(c => Math.round(c.top))).size]);
  }
  return lines;
}).flat()"""


class TestPhoneLayout(BrowserTestCase):
    def test_a_folded_day_on_the_profile_shows_a_marker_that_it_opens(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing")
        self.log_in(member(network).user.email)
        self.page.goto(self.url("/networks/harlesden/profile/"))
        # A handle, not a locator: once opened, the day no longer matches ":not([open])".
        summary = self.page.locator("fieldset details:not([open]) > summary").first.element_handle()
        marker = summary.evaluate(
            "el => { const s = getComputedStyle(el, '::before'); return [s.content, s.width, s.borderRightWidth]; }"
        )
        assert marker[0] != "none" and float(marker[1].removesuffix("px")) > 0, marker
        closed = summary.evaluate("el => getComputedStyle(el, '::before').transform")
        summary.click()
        assert summary.evaluate("el => getComputedStyle(el, '::before').transform") != closed

    def test_the_ledger_table_keeps_its_words_whole_on_a_phone(self):
        network = NetworkFactory(slug="harlesden", name="Harlesden KeyRing")
        coordinator = member(network, role=Membership.Role.COORDINATOR).user
        self.log_in(coordinator.email)
        self.page.goto(self.url("/networks/harlesden/ledger/"))
        words = self.page.locator("table.accounts th, table.accounts td").evaluate_all(LINES_PER_WORD)
        assert words and all(lines == 1 for _word, lines in words), words
        assert self.page.evaluate("document.documentElement.scrollWidth") <= 390
