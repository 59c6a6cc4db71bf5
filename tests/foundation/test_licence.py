"""The code is AGPL-3.0-or-later: the licence ships with it and every page links to its source (§13)."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


class FooterLinks(HTMLParser):
    """Collects (href, text) of the links inside the page's <footer>."""

    def __init__(self):
        super().__init__()
        self.in_footer = False
        self.href = None
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "footer":
            self.in_footer = True
        elif tag == "a" and self.in_footer:
            self.href, self.text = dict(attrs).get("href"), ""

    def handle_data(self, data):
        if self.href is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "footer":
            self.in_footer = False
        elif tag == "a" and self.href is not None:
            self.links.append((self.href, self.text.strip()))
            self.href = None


def footer_links(response) -> list[tuple[str, str]]:
    parser = FooterLinks()
    parser.feed(response.content.decode())
    return parser.links


def test_the_licence_is_the_gnu_affero_general_public_license_version_3():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007\n")
    # The section that makes it the Affero licence, and the end of the terms.
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert "END OF TERMS AND CONDITIONS" in text


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/offline/"])
def test_every_page_links_to_the_source_code_for_anyone(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert (settings.TIMEBANK_SOURCE_URL, "Source code") in footer_links(response)


def test_a_member_sees_the_source_link_too(client, alice):
    client.force_login(alice)
    response = client.get("/")
    assert (settings.TIMEBANK_SOURCE_URL, "Source code") in footer_links(response)


@pytest.mark.django_db
@override_settings(TIMEBANK_SOURCE_URL="https://code.example.org/our-timebank")
def test_an_installation_that_changes_the_code_points_the_link_at_its_own_copy(client):
    response = client.get("/")
    assert ("https://code.example.org/our-timebank", "Source code") in footer_links(response)
