"""The taxonomy's skill and category names in the reader's language: listed for the translators,
translated into Welsh, and shown in Welsh in the skill picker, the members list, match reasons and
a held exchange's reason."""

import json

import pytest
from django.test import Client
from django.utils import translation

from exchanges.matching.sensitive import Sensitivity
from members.models import Membership, Skill
from members.taxonomy import TAXONOMY_FILE
from members.taxonomy_names import NAMES

SHIPPED = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
SHIPPED_NAMES = {c["name"] for c in SHIPPED["categories"]} | {
    s["name"] for c in SHIPPED["categories"] for s in c["skills"]
}


def test_every_shipped_name_is_listed_for_the_translators():
    assert set(NAMES) == SHIPPED_NAMES


def test_every_shipped_name_has_its_welsh():
    with translation.override("cy"):
        untranslated = sorted(name for name in SHIPPED_NAMES if translation.gettext(name) == name)
    assert untranslated == []


def test_a_held_exchange_names_the_sensitive_help_in_welsh():
    held = Sensitivity("lifts-to-appointments", "Lifts to appointments", "Getting about", "")
    with translation.override("cy"):
        said = str(held)
    assert "Lifftiau i apwyntiadau (Mynd o le i le)" in said and "Lifts" not in said


db = pytest.mark.django_db


def welsh_client(user) -> Client:
    user.language = "cy"
    user.save()
    client = Client()
    client.force_login(user)
    return client


@db
def test_the_skill_picker_shows_welsh_names_and_finds_welsh_and_english_words(network, alice):
    client = welsh_client(alice)
    html = client.get("/networks/harlesden/profile/?skills=offered").content.decode()
    assert "Cartref a gardd" in html and "Garddio" in html
    assert ">Home and garden<" not in html
    # In Welsh alphabetical order: "Clirio eira a rhew" (clearing snow) before "Newid dillad gwely"
    # (changing beds), which English puts first.
    assert html.index("Clirio eira a rhew") < html.index("Newid dillad gwely")
    for said in ("garddio", "gardening"):
        found = client.get(f"/networks/harlesden/profile/?skills=offered&q={said}").content.decode()
        assert 'name="skills_offered" value="gardening"' in found, said
        assert 'value="mowing-the-lawn"' not in found
    # As a phone types it, with a curly apostrophe: searches compare text one way (`folded`).
    typed = client.get("/networks/harlesden/profile/?skills=offered&q=torri\u2019r").content.decode()
    assert 'name="skills_offered" value="mowing-the-lawn"' in typed


@db
def test_the_members_list_names_what_people_offer_in_welsh(network, alice, bob):
    Membership.objects.get(user=bob, network=network).skills_offered.add(Skill.objects.get(slug="gardening"))
    html = welsh_client(alice).get("/networks/harlesden/members/").content.decode()
    assert "Garddio" in html and "Gardening" not in html


@db
def test_the_find_help_kinds_of_help_are_in_welsh_in_welsh_order():
    from exchanges.forms import BrowseForm

    with translation.override("cy"):
        choices = BrowseForm().fields["category"].choices
    named = dict(choices)
    assert named["home-and-garden"] == "Cartref a gardd"
    labels = [label for slug, label in choices if slug]
    assert labels == sorted(labels, key=str.casefold)


def test_the_reports_chart_names_kinds_of_help_in_the_readers_language():
    from exchanges.reports.presentation import chart_categories

    document = {
        "by_category": [
            {"category": "home-and-garden", "name": "Home and garden", "hours_exchanged": 3.5, "members": 4},
            {"category": "uncategorised", "name": "Not categorised", "hours_exchanged": 1.0, "members": 2},
        ]
    }
    with translation.override("cy"):
        chart = chart_categories(document)
    assert [bar["label"] for bar in chart["bars"]] == ["Cartref a gardd", "Heb gategori"]


@db
def test_a_welsh_reader_finds_by_the_welsh_names_in_search_and_on_find_help(network, alice, bob):
    from exchanges.matching.selectors import search_outcome
    from exchanges.matching.services import profile_skills_refresh
    from tests.factories import member
    from tests.matching.helpers import listing

    gardener = Membership.objects.get(user=bob, network=network)
    gardener.skills_offered.set(Skill.objects.filter(slug="gardening"))
    profile_skills_refresh(membership=gardener)
    offer = listing(bob, network, title="Weeding and pruning", skills=["gardening"])
    with translation.override("cy"):
        assert [m.member for m in search_outcome(user=alice, q="garddio").matches] == [bob]
    cleaner = member(network)
    cleaner.skills_offered.set(Skill.objects.filter(slug="house-cleaning"))
    profile_skills_refresh(membership=cleaner)
    with translation.override("cy"):
        # As a phone types it, with a curly apostrophe.
        found = search_outcome(user=alice, q="glanhau\u2019r tŷ").matches
    assert found and found[0].member == cleaner.user
    page = welsh_client(alice).get("/listings/", {"q": "garddio"}).content.decode()
    assert f'href="/listings/{offer.pk}/"' in page
    # In English the Welsh word is just a word, found in no title, description or name.
    client = Client()
    client.force_login(alice)
    alice.language = "en-gb"
    alice.save()
    english = client.get("/listings/", {"q": "garddio"}).content.decode()
    assert f'href="/listings/{offer.pk}/"' not in english


@db
@pytest.mark.parametrize(
    ("said", "named"),
    [
        ("help gyda'r ardd", {"gardening", "clearing-leaves-and-garden-waste"}),  # "gardd" after "yr"
        ("fy ngardd", {"gardening", "clearing-leaves-and-garden-waste"}),  # and after "fy"
        ("siopa bwyd", {"food-shopping"}),  # a whole name owns its words
        ("coginio pryd o fwyd", {"cooking-a-meal"}),  # "pryd" is not "Prydain"
        ("torri’r lawnt", {"mowing-the-lawn"}),  # not "Torri gwallt" too
        ("smwddio os gwelwch yn dda", {"ironing"}),
    ],
)
def test_a_welsh_search_reads_the_words_of_the_skills_welsh_names(said, named):
    from members.selectors import skills_named_in

    with translation.override("cy"):
        assert {skill.slug for skill in skills_named_in(said)} == named
    with translation.override("en-gb"):
        assert skills_named_in(said) == {}


@db
def test_a_word_in_several_welsh_names_says_each_less_surely():
    from members.selectors import skills_named_in

    with translation.override("cy"):
        named = {skill.slug: weight for skill, weight in skills_named_in("trwsio beic").items()}
    assert named["bike-repair"] == 1.0
    assert 0 < named["fixing-taps-and-leaks"] < 0.5


@db
def test_a_welsh_reader_finds_the_gardener_by_a_mutated_word(network, alice, bob):
    from exchanges.matching.selectors import search_outcome
    from exchanges.matching.services import profile_skills_refresh

    gardener = Membership.objects.get(user=bob, network=network)
    gardener.skills_offered.set(Skill.objects.filter(slug="gardening"))
    profile_skills_refresh(membership=gardener)
    with translation.override("cy"):
        assert [m.member for m in search_outcome(user=alice, q="help gyda'r ardd").matches] == [bob]
    with translation.override("en-gb"):
        assert search_outcome(user=alice, q="help gyda'r ardd").matches == []


@db
def test_find_help_lists_listings_by_the_welsh_names_words_as_search_reads_them(network, alice, bob):
    from tests.matching.helpers import listing

    offer = listing(bob, network, title="Your weekly shop", skills=["food-shopping"])
    # "Siopa bwyd", with "bwyd" as Welsh mutates it after "o" ("pryd o fwyd").
    for said in ("bwyd", "fwyd"):
        page = welsh_client(alice).get("/listings/", {"q": said}).content.decode()
        assert f'href="/listings/{offer.pk}/"' in page, said


@db
def test_a_huge_word_is_read_only_as_far_as_a_search_reads(monkeypatch):
    from members import selectors

    compared = []
    real = selectors.folded
    monkeypatch.setattr(selectors, "folded", lambda text: compared.append(len(text)) or real(text))
    with translation.override("cy"):
        assert selectors.skills_named_in("garddio" + "a" * 100_000) == {}
    # The names themselves, and at most the first 200 characters of what was typed.
    assert max(compared) <= 200


@db
def test_welsh_words_that_name_a_skill_are_not_read_again_as_english(network, alice):
    """ "Gwarchod plant" is babysitting: read again as English, "plant" was gardening, and neighbours
    asking for help in the garden were shown."""
    from exchanges.matching.selectors import search_outcome
    from members.selectors import named_in
    from tests.factories import member
    from tests.matching.helpers import listing

    listing(member(network).user, network, kind="request", title="Help planting my vegetable garden")
    with translation.override("cy"):
        read = named_in("gwarchod plant")
        assert {skill.slug for skill in read.surely} == {"babysitting"} and read.rest == ""
        assert search_outcome(user=alice, q="gwarchod plant", kind="request").matches == []


@db
def test_a_welsh_word_in_many_names_gives_way_to_the_english_word_beside_it(network, alice):
    """ "Trwsio" (mending) is in six names; "tap" is English and says which: the plumber first."""
    from exchanges.matching.selectors import search_outcome
    from tests.factories import member
    from tests.matching.helpers import listing

    plumber, cyclist = member(network).user, member(network).user
    listing(cyclist, network, title="Bike repairs", description="Punctures and brakes", skills=["bike-repair"])
    listing(plumber, network, title="Plumbing", description="Dripping taps and leaks", skills=["fixing-taps-and-leaks"])
    with translation.override("cy"):
        found = search_outcome(user=alice, q="trwsio tap").matches
    assert found and found[0].member == plumber


@db
@pytest.mark.parametrize(
    ("said", "named"),
    [
        ("trwsio", {"fixing-taps-and-leaks", "fence-and-gate-repair", "bike-repair", "mending-clothes"}),
        ("lifftiau", {"lifts-to-appointments", "lifts-to-the-shops", "lifts-to-social-events"}),
    ],
)
def test_a_welsh_word_alone_names_each_of_its_skills_as_surely(said, named):
    """ "Trwsio" (mending) alone is in six names, each as surely: not one of them picked by the meaning
    of the six English names alone, the others left too faint to find anyone by."""
    from exchanges.matching.selectors import search_reading

    with translation.override("cy"):
        wanted, _meaning = search_reading(said)
    assert {slug for slug, weight in wanted.items() if weight == 1.0} >= named


@db
def test_an_english_word_beside_a_welsh_one_says_which_of_its_skills():
    from exchanges.matching.selectors import search_reading

    with translation.override("cy"):
        wanted, _meaning = search_reading("trwsio tap")
    assert wanted["fixing-taps-and-leaks"] == 1.0
    assert wanted["bike-repair"] < 0.5
