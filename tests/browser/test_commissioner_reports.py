"""The commissioner's reports in a real browser: the dashboard, the printable summary and the networks side by
side have no accessibility violations, fit a 320 px screen, and the CSV downloads with a row per month."""

import csv
import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.base import BrowserTestCase

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["/reports/demo/", "/reports/demo/summary/print/", "/reports/funded/compare/", "/reports/funded/"]


@pytest.mark.skipif(
    not AXE.exists() and os.environ.get("TIMEBANK_REQUIRE_BROWSER") != "1",
    reason="needs axe-core: `npm ci` (make test does it when npm is there; CI requires it)",
)
class TestCommissionerReports(BrowserTestCase):
    bypass_csp = True  # axe-core is injected as a script

    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        self.log_in("commissioner@example.org")

    def test_the_report_pages_have_no_accessibility_violations_and_fit_a_small_phone(self):
        found = []
        for width in (320, 1280):
            self.page.set_viewport_size({"width": width, "height": 800})
            for path in PAGES:
                self.page.goto(self.url(path))
                assert self.page.locator("h1").count() == 1, path
                wide = self.page.evaluate("document.documentElement.scrollWidth")
                assert wide <= width, f"{path} is {wide}px wide on a {width}px screen"
                self.page.add_script_tag(path=str(AXE))
                result = self.page.evaluate(f"axe.run(document, {{runOnly: {{type: 'tag', values: {TAGS}}}}})")
                found += [f"{width} {path}: {v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]]
        assert found == [], "\n".join(found)

    def test_the_dashboard_shows_the_charts_and_downloads_a_row_per_month(self):
        self.page.goto(self.url("/reports/demo/"))
        charts = self.page.get_by_role("img")
        assert charts.count() >= 3
        assert "Members" in self.page.locator("#figure-registered_members dt").inner_text()
        with self.page.expect_download() as download:
            self.page.get_by_role("link", name="Spreadsheet (CSV), one row per month").click()
        rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
        assert rows[0][0] == "Month" and len(rows[1:13]) == 12
        self.page.get_by_role("link", name="One-page summary to print").click()
        self.page.wait_for_url("**/summary/print/**")
        self.page.emulate_media(media="print")
        assert self.page.locator("nav").count() == 0
        assert not self.page.locator("details").first.is_visible()
