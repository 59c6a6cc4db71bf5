"""Screenshots of the main pages on a phone (390×844), as each role sees them, for the README.

    .venv/bin/python docs/screenshots/take.py          # about a minute; writes docs/screenshots/*.png

Starts a demo server (bench/demo_server.py: the demo network as `make run` loads it, on a database of its
own), logs in as each role through the login page in Debian's chromium, and photographs each page.
"""

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from demo_server import PASSWORD, ROLES, api_post, conversation_with_messages, demo_server, log_in  # noqa: E402

from tests.browser.base import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402


def api_get(base: str, email: str, path: str) -> dict:
    return json.loads(log_in(base, email).open(f"{base}/api/v1/{path}").read())


def member_pages(base: str) -> dict[str, str]:
    """The member's pages that need an id from the demo data."""
    email = ROLES["member"]
    me = api_get(base, email, "me/")["id"]
    listings = api_get(base, email, "listings/?page_size=200")["results"]
    # Their own request shows the people who could help; the demo data may hold none, so ask for some.
    own_request = next(
        (x for x in listings if x["owner"] == me and x["kind"] == "request" and x["status"] == "open"), None
    ) or api_post(
        log_in(base, email),
        base,
        "listings/",
        {
            "network": "demo",
            "kind": "request",
            "title": "Help with my garden",
            "description": "Weeding and mowing the lawn, an hour or two on a Saturday.",
            "minutes_estimate": 90,
        },
    )
    exchange = api_get(base, email, "exchanges/?page_size=1")["results"]
    conversation = conversation_with_messages(base, email, "member2@example.org")
    pages = {
        "member-home": "/",
        "member-find-help": "/listings/",
        "member-conversation": f"/conversations/{conversation}/",
        "member-statement": "/time/",
        "member-me": "/me/",
    }
    pages["member-listing-matches"] = f"/listings/{own_request['id']}/"
    if exchange:
        pages["member-exchange"] = f"/exchanges/{exchange[0]['id']}/"
    return pages


def main() -> None:
    with demo_server() as base:
        shots = {
            "member": member_pages(base),
            "supporter": {"supporter-home": "/"},
            "coordinator": {"coordinator-home": "/", "coordinator-desk": "/coordinator/"},
            "commissioner": {"commissioner-dashboard": "/reports/funded/"},
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for role, pages in shots.items():
                context = browser.new_context(viewport=PHONE, device_scale_factor=1)
                page = context.new_page()
                page.goto(base + "/accounts/login/")
                page.get_by_label("Email").fill(ROLES[role])
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(base + "/")
                for name, path in pages.items():
                    response = page.goto(base + path)
                    if response is None or response.status >= 400:
                        print(f"skipped {name}: {path} answered {response and response.status}")
                        continue
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(HERE / f"{name}.png"))
                    print(f"{name}.png  {path}")
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
