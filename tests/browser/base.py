"""Browser tests: headless Chromium (Debian's) driven by Playwright against a live ASGI server.

They run in their own pytest process (`make test` does that): sync Playwright keeps an event loop
on the main thread that would break async tests running after it.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import ChannelsLiveServerTestCase

from members.models import Skill, SkillCategory
from members.taxonomy import taxonomy_load

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}


def browser_available() -> bool:
    if Path(CHROMIUM).exists():
        return True
    if os.environ.get("TIMEBANK_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"{CHROMIUM} is missing but TIMEBANK_REQUIRE_BROWSER=1 (CI installs it)")
    return False


@pytest.mark.browser
@pytest.mark.skipif(not browser_available(), reason="needs Debian's chromium at /usr/bin/chromium")
class BrowserTestCase(ChannelsLiveServerTestCase):
    serve_static = True
    # True only for a test that injects its own script into pages (the Content-Security-Policy refuses it).
    bypass_csp = False

    @classmethod
    def setUpClass(cls):
        # A fresh executor: async code that ran earlier in the process can leave the shared one
        # unusable by the forked live server.
        SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        # The flush after the test before this one emptied every table, the skills a migration loads too:
        # each test starts with the shipped taxonomy, as a migrated database has it.
        taxonomy_load(category_model=SkillCategory, skill_model=Skill)
        self.context = self.browser.new_context(viewport=PHONE, bypass_csp=self.bypass_csp)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)

    def tearDown(self):
        self.context.close()
        super().tearDown()

    def url(self, path: str) -> str:
        return self.live_server_url + path

    def log_in(self, email: str, password: str = "demo-password", page=None):
        page = page or self.page
        page.goto(self.url("/accounts/login/"))
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(self.url("/"))
