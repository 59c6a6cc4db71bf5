"""English and Welsh: the Welsh catalogue is complete for what the product says and compiled, a person's
chosen language is remembered and wins, anonymous visitors get their browser's language, and the API
answers refusals in the reader's language."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.factories import UserFactory, app_token

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "cy" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# makemessages's own options for this project: Makefile `messages` runs the same.
MAKEMESSAGES = [
    "makemessages", "-l", "cy", "--no-obsolete", "--no-location",
    "--ignore=.venv", "--ignore=node_modules", "--ignore=bench", "--ignore=tests", "--ignore=staticfiles",
    "--ignore=deploy", "--ignore=docs",
]  # fmt: skip


def entries(path: Path, loader) -> dict[str, object]:
    """Every translated message: msgid → its text (or its plural forms)."""
    found: dict[str, object] = {}
    for e in loader(str(path)):
        text = {int(k): v for k, v in e.msgstr_plural.items()} if e.msgstr_plural else e.msgstr
        if (
            e.msgid
            and not e.obsolete
            and "fuzzy" not in e.flags
            and (any(text.values()) if isinstance(text, dict) else text)
        ):
            found[e.msgid] = text
    return found


def test_the_compiled_welsh_catalogue_is_the_one_written():
    assert entries(PO, polib.pofile) == entries(MO, polib.mofile), "run `make messages` and commit the .mo"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext (CI installs it)")
def test_every_string_in_the_project_is_extractable(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", "node_modules", ".git", "*.sqlite3*", "staticfiles", "__pycache__"),
    )
    done = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES], cwd=copy, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr.lower(), done.stderr
    extracted = {e.msgid for e in polib.pofile(str(copy / "locale/cy/LC_MESSAGES/django.po")) if not e.obsolete}
    # Strings written since the catalogue was last gathered show in English until `make messages` and a
    # translator catch up; the ones a member meets first must be there.
    for msgid in ("Home", "Log in", "Log out", "Me", "Messages", "Notifications", "Offer your first help"):
        assert msgid in extracted


def test_the_catalogue_translates_every_string_a_member_reads():
    po = polib.pofile(str(PO))
    # The API's documentation of its error codes is for developers, written in English.
    untranslated = [e.msgid for e in po if not e.translated() and ":" not in e.msgid and "_" not in e.msgid]
    assert untranslated == []
    assert po.percent_translated() > 95


pytestmark = pytest.mark.django_db


def test_a_welsh_browser_gets_the_welsh_home_page(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert '<html lang="cy">' in html
    assert "Mewngofnodi" in html and "Cofrestru" in html


def test_an_english_browser_gets_english(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "Log in" in html and "Mewngofnodi" not in html


def test_a_person_who_chose_welsh_gets_the_welsh_nav_whatever_their_browser_says(client, alice):
    alice.language = "cy"
    alice.save()
    client.force_login(alice)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "Hafan" in html and ">Home<" not in html


def test_the_language_switch_remembers_the_choice_on_the_account(client, alice):
    client.force_login(alice)
    response = client.post("/language/", {"language": "cy", "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    alice.refresh_from_db()
    assert alice.language == "cy"
    other = type(client)()
    other.force_login(alice)
    assert "Fi" in other.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_anonymous_visitor_switches_by_cookie(client):
    response = client.post("/language/", {"language": "cy", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    assert "Mewngofnodi" in client.get("/").content.decode()


def test_an_unknown_language_changes_nothing(client, alice):
    client.force_login(alice)
    client.post("/language/", {"language": "xx", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == ""


def test_the_switch_never_sends_you_to_another_site(client):
    response = client.post("/language/", {"language": "cy", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize("back", ["account_logout", "-1", "2026-02-30", "x"])
def test_a_return_address_that_is_not_a_path_goes_home(client, back):
    """`next` is where the page was: a path. Anything else (a bare word, which `redirect` would look up as a
    view's name and answer 500 when there is none, or send to that view) goes to the home page."""
    response = client.post("/language/", {"language": "cy", "next": back})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"


def test_an_api_refusal_is_in_the_readers_language(client, alice, network):
    alice.language = "cy"
    alice.save()
    client.force_login(alice)  # a browser session, as the pages' own scripts call the API
    response = client.get("/api/v1/listings/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Does dim hysbyseb o’r fath."


def test_an_app_token_speaks_the_persons_language(client, network):
    person = UserFactory(language="cy")
    token = app_token(person)
    response = client.get("/api/v1/exchanges/999999/", HTTP_X_SESSION_TOKEN=token)
    assert response.json()["error"]["message"] == "Does dim cyfnewid o’r fath."


def test_an_api_caller_without_a_choice_gets_their_accept_language(client, network):
    token = app_token(UserFactory())
    response = client.get("/api/v1/exchanges/999999/", HTTP_X_SESSION_TOKEN=token, HTTP_ACCEPT_LANGUAGE="cy")
    assert response.json()["error"]["message"] == "Does dim cyfnewid o’r fath."
    response = client.get("/api/v1/exchanges/999999/", HTTP_X_SESSION_TOKEN=token, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "No such exchange."


def test_a_persons_language_is_in_their_export_and_gone_when_they_erase(client, alice):
    from members.privacy.services import me_erase

    alice.language = "cy"
    alice.save()
    client.force_login(alice)
    assert client.get("/api/v1/me/export/").json()["preferences"]["language"] == "cy"
    me_erase(user=alice, password="demo-password")
    alice.refresh_from_db()
    assert alice.language == ""


def test_the_footer_offers_the_other_language_in_its_own_name(client):
    assert 'lang="cy">Cymraeg</button>' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en-gb">British English</button>' in client.get("/", HTTP_ACCEPT_LANGUAGE="cy").content.decode()


def test_a_short_password_is_refused_in_welsh(client):
    html = client.post(
        "/accounts/signup/", {"email": "new@example.org", "password1": "short"}, HTTP_ACCEPT_LANGUAGE="cy"
    ).content.decode()
    assert "Mae’r cyfrinair hwn yn rhy fyr" in html


def test_how_long_ago_reads_in_welsh_with_welsh_plurals():
    import datetime

    from django.utils import timezone, translation
    from django.utils.timesince import timesince

    now = timezone.now()
    with translation.override("cy"):
        assert timesince(now - datetime.timedelta(minutes=3), now) == "3\xa0munud"
        assert timesince(now - datetime.timedelta(minutes=2), now) == "2\xa0funud"
        assert timesince(now - datetime.timedelta(days=38), now) == "1\xa0mis, 1\xa0wythnos"
        assert timesince(now - datetime.timedelta(days=3 * 366), now) == "3\xa0blynedd"


def test_the_ledger_forms_are_labelled_in_welsh():
    from django.utils import translation

    from exchanges.ledger.views import CoordinatorForm, GiveForm

    with translation.override("cy"):
        give, ledger = GiveForm(), CoordinatorForm()
        labels = [str(f.label) for f in [*give.fields.values(), *ledger.fields.values()] if f.label]
        choices = [str(label) for _value, label in ledger.fields["action"].choices]
    assert "Rhoi i" in labels and "Beth i’w wneud" in labels and "Munudau" in labels
    assert "Cyhoeddi oriau newydd" in choices
    english = {"Give to", "What to do", "Minutes", "Reason", "New floor in minutes", "What for (optional)"}
    assert not english & set(labels)
