"""Free text to skills: stemming, synonyms and typos, with the shipped taxonomy and no database."""

import signal

import pytest

from exchanges.matching import text as text_module
from exchanges.matching.sensitive import mainly_sensitive
from exchanges.matching.taxonomy import SKILLS_JSON, Taxonomy
from exchanges.matching.text import BY_CAR, SkillMatcher, chosen, combine, says_no_car, stem, words


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher(Taxonomy.from_file())


def test_the_shipped_taxonomy_is_large_enough_and_its_slugs_are_unique() -> None:
    import json

    data = json.loads(SKILLS_JSON.read_text(encoding="utf-8"))
    categories = data["categories"]
    skills = [skill for category in categories for skill in category["skills"]]
    slugs = [c["slug"] for c in categories] + [s["slug"] for s in skills]
    assert len(categories) >= 15
    assert len(skills) >= 160
    assert len(slugs) == len(set(slugs))
    assert all(len(s["synonyms"]) >= 3 for s in skills)


def test_lifts_personal_care_and_childcare_are_sensitive() -> None:
    taxonomy = Taxonomy.from_file()
    assert taxonomy.skills["lifts-to-appointments"].category.sensitive
    assert taxonomy.skills["babysitting"].category.sensitive
    assert taxonomy.skills["help-getting-washed-and-dressed"].category.sensitive
    assert not taxonomy.skills["dog-walking"].category.sensitive


def test_words_are_lower_cased_without_accents_or_apostrophes() -> None:
    assert words("Don't forget the CAFÉ & shop") == ["dont", "forget", "the", "cafe", "and", "shop"]


def test_contractions_are_not_read_as_the_word_they_join_into(matcher: SkillMatcher) -> None:
    # "she'd" was a shed (fence and gate repair), "shouldn't" a shoulder (massage).
    assert words("She'd love a visitor, he’ll come") == ["she", "would", "love", "a", "visitor", "he", "will", "come"]
    assert set(matcher.skills_in("She'd love a visitor").weights) == {"befriending-visits"}  # not a shed
    assert not matcher.skills_in("you shouldn't have to ask, shouldnt you")
    assert not matcher.skills_in("Someone'll know")
    assert matcher.skills_in("Something fell off my shed roof").strongest(1) == ["fence-and-gate-repair"]


def test_stemming_joins_forms_of_the_same_word() -> None:
    assert stem("walking") == stem("walks") == stem("walk")


def test_a_synonym_finds_its_skill(matcher: SkillMatcher) -> None:
    found = matcher.skills_in("Could someone do a hospital run on Friday?")
    assert found.strongest(1) == ["lifts-to-appointments"]


def test_a_plain_offer_with_no_skill_chosen_finds_the_skill(matcher: SkillMatcher) -> None:
    assert matcher.skills_in("", title="I can drive").strongest(1) == ["lifts-to-appointments"]
    assert matcher.skills_in("happy to walk dogs").strongest(1) == ["dog-walking"]
    assert "pension-paperwork" in matcher.skills_in("help with my pension forms").strongest(2)


def test_a_typo_in_a_request_still_finds_the_skill(matcher: SkillMatcher) -> None:
    found = matcher.skills_in("someone to take me to my hospital appointmnet")
    assert found.strongest(1) == ["lifts-to-appointments"]
    assert matcher.correct("shoping") == "shopping"
    assert matcher.correct("prescripton") == "prescription"


def test_typos_are_not_corrected_into_a_different_first_letter(matcher: SkillMatcher) -> None:
    # "booking" is one letter from "cooking", but it is a real word, not a misspelling.
    assert matcher.correct("booking") == "booking"


def test_short_words_are_never_guessed(matcher: SkillMatcher) -> None:
    assert matcher.correct("cor") == "cor"


def test_words_outside_the_taxonomy_find_nothing(matcher: SkillMatcher) -> None:
    assert not matcher.skills_in("the and of with")
    assert not matcher.skills_in("zzzz qqqq")


def test_a_rare_word_outweighs_a_common_one(matcher: SkillMatcher) -> None:
    found = matcher.skills_in("I'd love to learn to knit")
    assert found.strongest(1) == ["knitting-and-crochet"]
    assert "music-lessons" not in found.weights


def test_the_title_counts_for_more_than_a_wandering_description(matcher: SkillMatcher) -> None:
    found = matcher.skills_in("It is blocking the path, the council sent a letter", title="Hedge")
    assert found.strongest(1) == ["hedge-and-tree-trimming"]


def test_chosen_skills_and_text_combine_with_the_strongest_weight(matcher: SkillMatcher) -> None:
    merged = combine(chosen(["dog-walking"]), matcher.skills_in("I can feed your cat"))
    assert merged.weights["dog-walking"] == 1.0
    assert "pet-sitting" in merged.weights


def test_everyday_words_for_things_find_the_skill(matcher: SkillMatcher) -> None:
    assert matcher.correct("moggy") == "cat"
    assert matcher.correct("pooch") == "dog"
    assert matcher.skills_in("Moggy needs feeding").strongest(1) == ["pet-sitting"]


def test_a_saying_is_read_as_a_whole_not_word_by_word(matcher: SkillMatcher) -> None:
    broken = matcher.skills_in("my telly has packed in")
    assert broken.strongest(1) == ["tv-and-gadget-setup"]
    assert "packing-and-unpacking" not in broken.weights
    # "Need a hand" asks for help, not a hand massage.
    assert "massage" not in matcher.skills_in("need a hand with the garden").weights


def test_a_dropped_g_is_put_back(matcher: SkillMatcher) -> None:
    assert matcher.correct("hoovrin") == "hoovering"
    assert matcher.skills_in("hoovrin the stairs").strongest(1) == ["hoovering"]


def test_common_words_are_not_corrected_into_skill_words(matcher: SkillMatcher) -> None:
    assert matcher.correct("lovely") == "lovely"
    assert matcher.correct("wedding") == "wedding"
    assert matcher.correct("stinks") == "stinks"
    # Another form of a skill word still finds it.
    assert matcher.correct("complain") == "complaint"


def test_the_circumstances_of_a_need_count_for_less_than_the_need(matcher: SkillMatcher) -> None:
    found = matcher.skills_in("Could you feed my cat while I have my hospital appointment")
    assert found.strongest(1) == ["pet-sitting"]
    assert found.weights.get("lifts-to-appointments", 0) <= 0.5
    assert "fixing-doors-and-locks" not in matcher.skills_in("cut my hedge so the postman can get to the door").weights


def test_so_with_a_subject_gives_the_need_itself_not_its_circumstances(matcher: SkillMatcher) -> None:
    # "... so I need ..." says what is needed; only a purpose ("so that", "so the", "so I can") is background.
    assert matcher.skills_in("I've hurt my back so I need help with the garden").strongest(1) == ["gardening"]
    assert matcher.skills_in("My daughter is in hospital so I need someone to walk the dog").strongest(1) == [
        "dog-walking"
    ]
    purpose = matcher.skills_in("Could you walk my dog so I can visit my daughter in hospital")
    assert purpose.strongest(1) == ["dog-walking"]
    assert purpose.weights.get("befriending-visits", 0) <= 0.5


def test_help_to_the_loo_is_personal_care_not_plumbing(matcher: SkillMatcher) -> None:
    for text in ("Help going to the loo", "Someone to pop in and help me to the loo", "Help with the commode"):
        found = matcher.skills_in(text)
        assert found.strongest(1) == ["help-getting-washed-and-dressed"], text
        assert matcher.taxonomy.skills[found.strongest(1)[0]].category.sensitive
    assert "toilet" not in Taxonomy.from_file().skills["fixing-taps-and-leaks"].synonyms


def test_a_toilet_that_is_broken_is_still_plumbing(matcher: SkillMatcher) -> None:
    for text in ("blocked toilet", "My loo is blocked", "The toilet won't flush", "Can someone fix my loo"):
        assert matcher.skills_in(text).strongest(1) == ["fixing-taps-and-leaks"], text


def test_a_care_home_is_where_someone_lives_not_care_or_help_at_home(matcher: SkillMatcher) -> None:
    # "care" and "home" were each read as care at home, foot care, meals or a haircut at home.
    assert not matcher.skills_in("Nan's in a care home in Brent", title="Nan in a care home")
    assert not matcher.skills_in("Dad lives in an old people's home now")
    assert matcher.skills_in("Could someone visit my mum in her nursing home?").strongest(1) == ["befriending-visits"]
    assert matcher.skills_in("Haircuts at home for people who can't get out").strongest(1) == ["haircuts-at-home"]


def test_songs_and_tunes_played_are_music_not_playing_with_children(matcher: SkillMatcher) -> None:
    # "play" was read as playing with children: the request needed a safeguarding check, so no
    # unchecked musician was ever matched with it.
    care_home = "they'd love somebody to come in and play a few of the old songs of an afternoon"
    assert set(matcher.skills_in(care_home, title="Tunes for Mam's care home").weights) == {"playing-music"}
    assert set(matcher.skills_in("Could you play some tunes for the residents").weights) == {"playing-music"}
    assert matcher.skills_in("someone to play with my kids after school").strongest(1) == ["playing-with-children"]


def test_a_dress_worn_and_a_bath_that_drains_are_not_personal_care(matcher: SkillMatcher) -> None:
    # Both were read as help getting washed and dressed, a kind of help only checked helpers are given.
    dress = matcher.skills_in("Could someone take my wedding dress in a bit")
    assert "mending-clothes" in dress.weights and "help-getting-washed-and-dressed" not in dress.weights
    skirt = matcher.skills_in("Need my skirt taken up")
    assert "mending-clothes" in skirt.weights and "painting-and-decorating" not in skirt.weights
    assert set(matcher.skills_in("the bath is draining really slowly").weights) == {"fixing-taps-and-leaks"}
    assert matcher.skills_in("help her dress and wash").strongest(1) == ["help-getting-washed-and-dressed"]
    assert matcher.skills_in("Help my mum have a bath").strongest(1) == ["help-getting-washed-and-dressed"]


def test_a_dog_sitter_minds_the_dog_and_cards_played_are_a_game(matcher: SkillMatcher) -> None:
    # A sitter alone is babysitting, "play" alone playing with children: both need a check.
    assert set(matcher.skills_in("Looking for a dog sitter for the weekend").weights) == {"pet-sitting"}
    assert "babysitting" not in matcher.skills_in("We need a house sitter while we're in Ghana").weights
    crib = matcher.skills_in("My wife and I played crib every night for 50 years")
    assert crib.strongest(1) == ["board-games-and-cards"] and "playing-with-children" not in crib.weights
    assert matcher.skills_in("a babysitter on Friday night").strongest(1) == ["babysitting"]


def test_a_visitor_is_a_visit_and_a_place_that_is_a_tip_needs_a_clean(matcher: SkillMatcher) -> None:
    # "She'd love a visitor" read as nothing at all; "the house is a tip" as a tip run.
    assert matcher.skills_in("Nan's in a care home. She'd love a visitor").strongest(1) == ["befriending-visits"]
    tip = matcher.skills_in("the house is a tip")
    assert tip.strongest(1) == ["house-cleaning"] and "tip-runs" not in tip.weights
    assert matcher.skills_in("Could someone take my old rubbish to the tip").strongest(1) == ["tip-runs"]
    assert matcher.skills_in("I'd like a tip run for an old sofa").strongest(1) == ["tip-runs"]
    assert "befriending-visits" not in matcher.skills_in("I need a visitor parking permit").weights


def test_waiting_in_for_someone_is_house_sitting_but_not_a_queue(matcher: SkillMatcher) -> None:
    assert matcher.skills_in("Could someone wait in for the gas man on Tuesday").strongest(1) == ["house-sitting"]
    assert "house-sitting" in matcher.skills_in("Someone to wait in at mine in Kilburn?").weights
    assert "house-sitting" not in matcher.skills_in("I hate having to wait in the queue at the post office").weights


def test_just_moved_here_the_messages_and_my_legs_in_their_everyday_sense(matcher: SkillMatcher) -> None:
    # Read as moving house, a phone's messages and a table's legs.
    assert matcher.skills_in("Just moved here from Leeds and don't know a soul").strongest(1) == ["welcoming-newcomers"]
    assert matcher.skills_in("I've just moved house and need help unpacking").strongest(1) == ["moving-house"]
    scots = matcher.skills_in("Ma legs are awfy bad the now and I cannae get doon tae the shops for the messages")
    assert scots.strongest(1) == ["food-shopping"] and "fixing-furniture" not in scots.weights
    assert matcher.skills_in("wobbly table leg").strongest(1) == ["fixing-furniture"]
    assert matcher.skills_in("Can you help me read the messages on my phone").strongest(1) == ["smartphone-help"]
    assert (
        "food-shopping" not in matcher.skills_in("help me look for the messages from the council in my email").weights
    )


def test_the_universal_credit_journal_is_an_online_account(matcher: SkillMatcher) -> None:
    uc = matcher.skills_in("help me with my universal credit journal, I don't understand how to put it on the computer")
    assert uc.strongest(1) == ["filling-in-forms-online"]
    assert "filling-in-forms-online" in matcher.skills_in("they keep saying I havent updated my jornal").weights
    assert "filling-in-forms-online" not in matcher.skills_in("my phone credit account has run out").weights


def test_words_that_say_which_or_when_are_no_evidence_alone(matcher: SkillMatcher) -> None:
    # "small" was small electrical jobs, "evenings" babysitting.
    assert set(matcher.skills_in("Her English is very small").weights) == {"english-conversation-practice"}
    assert "babysitting" not in matcher.skills_in("I go to my group on Thursday evenings").weights
    assert matcher.skills_in("Small electrical jobs").strongest(1) == ["small-electrical-jobs"]
    assert matcher.skills_in("evening sitting for my kids").strongest(1) == ["babysitting"]
    assert matcher.skills_in("the small print on my contract").strongest(1) == ["understanding-contracts"]


def test_a_saying_never_spans_a_comma_or_a_full_stop(matcher: SkillMatcher) -> None:
    # "care, home" was a care home, so personal care was read as visits.
    assert matcher.skills_in("Personal care, home visits").strongest(1) == ["help-getting-washed-and-dressed"]
    assert matcher.skills_in("Gentle exercise. Book club too").strongest(1) == ["yoga-and-stretching"]


def test_a_pair_of_hands_is_help_and_an_exercise_book_is_for_writing(matcher: SkillMatcher) -> None:
    assert not matcher.skills_in("Just need a spare pair of hands for an hour")
    assert not matcher.skills_in("Two pairs of hands, or a second set of hands, would do it")
    assert "exercise-buddy" not in matcher.skills_in("He wrote it all by hand in exercise books").weights
    assert matcher.skills_in("gentle exercise for my knees").strongest(1) == ["yoga-and-stretching"]


def test_docs_are_documents_and_the_docs_is_the_doctor(matcher: SkillMatcher) -> None:
    scanning = matcher.skills_in("Need help scanning some docs")
    assert scanning.strongest(1) == ["printing-and-scanning"]
    assert not any(slug.startswith("lifts-") for slug in scanning.weights)
    assert matcher.skills_in("Need a lift to the docs on Friday").strongest(1) == ["lifts-to-appointments"]


def test_who_the_help_is_for_is_no_evidence_of_the_help(matcher: SkillMatcher) -> None:
    post = matcher.skills_in("could someone go through her post with her", title="Mum")
    assert post.strongest(1) == ["reading-letters"]
    assert "help-with-a-new-baby" not in post.weights
    assert "sitting-with-someone-unwell" not in post.weights
    assert "homework-help" not in matcher.skills_in("My daughter's birthday is Sunday, a cake please").weights
    # Within a phrase of the skill the same words still count.
    assert matcher.skills_in("Could someone sit with my mum").strongest(1) == ["sitting-with-someone-unwell"]
    assert matcher.skills_in("I'm a new mum and shattered").strongest(1) == ["help-with-a-new-baby"]


def test_a_text_that_names_only_who_the_help_is_for_is_about_no_skill(matcher: SkillMatcher) -> None:
    assert not matcher.skills_in("Mum")
    assert not matcher.skills_in("Mum of three", title="Mum")


def test_feelings_post_and_grass_in_plain_words(matcher: SkillMatcher) -> None:
    low = matcher.skills_in("I've been feeling really anxious and down, not sleeping")
    assert low.strongest(1) == ["peer-support-for-mental-health"]
    assert "help-with-a-new-baby" not in low.weights
    assert matcher.skills_in("panicking about brown envelopes").strongest(1) == ["reading-letters"]
    assert matcher.skills_in("the grass is up to my knees").strongest(1) == ["mowing-the-lawn"]


@pytest.mark.parametrize("offer", ["Can give lifts", "Happy to give people a lift", "I can do the odd lift"])
def test_lifts_given_are_rides_not_lifting(matcher: SkillMatcher, offer: str) -> None:
    found = matcher.skills_in(offer).weights
    assert found and max(found, key=found.__getitem__) == "lifts-to-appointments"
    assert "lifting-and-carrying" not in found


@pytest.mark.parametrize(
    "text",
    [
        "Help to lift a heavy wardrobe upstairs",
        "Can someone do a lift of my piano up the stairs",
        "offering a lift up the stairs with heavy shopping",
    ],
)
def test_lifting_something_is_still_lifting(matcher: SkillMatcher, text: str) -> None:
    found = matcher.skills_in(text).weights
    assert "lifting-and-carrying" in found or "carrying-shopping-upstairs" in found
    assert not any(slug.startswith("lifts-") and weight == 1.0 for slug, weight in found.items())


@pytest.mark.parametrize(
    "text",
    [
        "I don't drive but I know all the buses",
        "No car but I have a trolley!",
        "I do not drive.",
        "I haven't got a car",
        "Not much of a driver, but I'll walk there with you",
        "I can't drive any more",
        "non-driver",
        "I don’t have a car",
        "I've not got a car",
        "I gave up driving last year",
    ],
)
def test_saying_you_do_not_drive(text: str) -> None:
    assert says_no_car(text)


@pytest.mark.parametrize(
    "text",
    [
        "Happy to drive you",
        "I have a car",
        "I can drive, no problem",
        "No carrying please",
        "No car park at Lidl, so I drop you at the door",
        "Happy to drive anyone who can't drive any more",
        "Lifts to the shops for people with no car",
        "I can't drive at night though",
        "I don't drive on motorways",
        "I'm not a driver by trade but I have a van",
        "No van needed for small jobs",
        "I don't have a car seat for little ones",
        "I don't drive at night but I have a car",
        "I don't have a car but we'll drive you in my husband's",
    ],
)
def test_driving_someone_else_a_limit_or_other_words_are_not_saying_you_do_not(text: str) -> None:
    assert not says_no_car(text)


def test_help_given_by_car_names_skills_of_the_shipped_taxonomy() -> None:
    taxonomy = Taxonomy.from_file()
    assert BY_CAR <= taxonomy.skills.keys()
    assert "lifts-to-appointments" in BY_CAR and "walking-with-someone-to-appointments" not in BY_CAR


@pytest.mark.parametrize(
    ("text", "meant", "not_meant"),
    [
        ("Flat pack wardrobe, the instructions have beaten me", "flat-pack-assembly", "packing-and-unpacking"),
        (
            "Need help getting washed and dressed in the mornings",
            "help-getting-washed-and-dressed",
            "laundry-and-washing",
        ),
        ("Hedge trimming", "hedge-and-tree-trimming", "haircuts-at-home"),
    ],
)
def test_a_phrase_written_out_owns_its_words(matcher: SkillMatcher, text: str, meant: str, not_meant: str) -> None:
    found = matcher.skills_in(text).weights
    assert found.get(meant) == 1.0
    assert not_meant not in found


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("Can someone pack my things into boxes", "packing-and-unpacking"),
        ("My washing needs doing at the launderette", "laundry-and-washing"),
        ("Could do with a trim, my hair is a mess", "haircuts-at-home"),
    ],
)
def test_a_word_outside_such_a_phrase_still_counts(matcher: SkillMatcher, text: str, meant: str) -> None:
    assert matcher.skills_in(text).strongest(1) == [meant]


def test_a_phrase_owns_its_words_only_where_it_is_written(matcher: SkillMatcher) -> None:
    washing = matcher.skills_in("Getting washed and dressed in the mornings, and my washing needs doing").weights
    assert washing.get("help-getting-washed-and-dressed") == 1.0
    assert "laundry-and-washing" in washing
    # The second "trim" is a haircut in full, not a haircut's other words alone.
    trims = matcher.skills_in("Hedge trimming, then a trim for me, my hair is a mess").weights
    assert trims["haircuts-at-home"] == trims["hedge-and-tree-trimming"] == 1.0


def test_a_title_naming_the_phrase_written_below_it_is_owned_by_it(matcher: SkillMatcher) -> None:
    found = matcher.skills_in("Need help getting washed and dressed in the mornings", title="Getting washed").weights
    assert found.get("help-getting-washed-and-dressed") == 1.0
    assert "laundry-and-washing" not in found


def test_a_phrase_scattered_through_a_text_owns_no_words_and_says_less(matcher: SkillMatcher, monkeypatch) -> None:
    assert "packing-and-unpacking" not in matcher._skills_in_uncached("", "flat pack").weights
    scattered = matcher._skills_in_uncached("", "pack up the old flat").weights["packing-and-unpacking"]
    monkeypatch.setattr(text_module, "SCATTERED_PHRASE", 1.0)
    counted_whole = matcher._skills_in_uncached("", "pack up the old flat").weights["packing-and-unpacking"]
    assert counted_whole < scattered


def test_a_long_text_repeating_a_phrases_words_apart_is_read_at_once(matcher: SkillMatcher) -> None:
    """A listing's 4,000 characters placing each word of a four-word phrase 80 times, never together: read
    by looking around each place of its first word, not by trying every combination of places (80^4, 40 s
    of CPU)."""
    apart = " ".join(f"{word} x1 y2" for word in ("clear", "leaves", "garden", "waste") * 130)[:4000]

    def stuck(signum, frame):
        raise TimeoutError("one listing's words still being read after 20 s")

    # Not a speed figure (it takes milliseconds): a guard against a text that ties up a worker.
    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(20)
    try:
        found = matcher._skills_in_uncached(apart, "")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert "clearing-leaves-and-garden-waste" in found.weights


@pytest.mark.parametrize(
    ("text", "meant", "not_meant"),
    [
        ("My washing needs doing", "laundry-and-washing", "help-getting-washed-and-dressed"),
        ("Help with my washing and dressing in the mornings", "help-getting-washed-and-dressed", "laundry-and-washing"),
        ("The washing machine is leaking at the back", "laundry-and-washing", "help-getting-washed-and-dressed"),
        ("Help with the washing up at our community event", "helping-at-community-events", "laundry-and-washing"),
    ],
)
def test_someones_washing_is_their_clothes_and_washing_themselves_personal_care(
    matcher: SkillMatcher, text: str, meant: str, not_meant: str
) -> None:
    found = matcher.skills_in(text).weights
    assert found.get(meant) == 1.0
    assert not_meant not in found


@pytest.mark.parametrize(
    "text",
    [
        "Mum can't manage her washing any more since her stroke",
        "Dad needs help with his washing",
        "Help with my washing and bathing",
        "carer needed for her washing, she can't bathe herself",
    ],
)
def test_washing_that_may_be_washing_someone_stays_personal_care(matcher: SkillMatcher, text: str) -> None:
    """Only washing that needs doing, is hung out or comes in loads is read as clothes alone: the rest may
    be washing the person, and is held and matched as personal care (the safe reading)."""
    assert mainly_sensitive(matcher.skills_in(text).weights, matcher.taxonomy) == "help-getting-washed-and-dressed"


def test_to_leave_is_not_the_gardens_leaves(matcher: SkillMatcher) -> None:
    # "leave" stems like "leaves": a cat's insulin read as clearing leaves.
    cat = matcher.skills_in("my cat needs her insulin twice a day, I can't just leave that with anybody")
    assert "clearing-leaves-and-garden-waste" not in cat.weights
    assert "clearing-leaves-and-garden-waste" not in matcher.skills_in("I'm leaving for Spain on Friday").weights
    assert matcher.skills_in("the leaves are all over the path").strongest(1) == ["clearing-leaves-and-garden-waste"]


def test_what_someone_struggles_with_is_the_help_not_their_mind(matcher: SkillMatcher) -> None:
    # "struggling" alone says peer support for mental health; it was read into any struggle.
    essays = matcher.skills_in("My son's struggling with his English essays")
    assert "peer-support-for-mental-health" not in essays.weights
    assert "peer-support-for-mental-health" not in matcher.skills_in("I struggle with the bins every week").weights
    assert "peer-support-for-mental-health" in matcher.skills_in("I've been struggling since my wife died").weights


def test_shifts_worked_are_not_something_heavy_shifted(matcher: SkillMatcher) -> None:
    shifts = matcher.skills_in("I work shifts so I can't always be there")
    assert "lifting-and-carrying" not in shifts.weights and "starting-a-small-business" not in shifts.weights
    assert "lifting-and-carrying" not in matcher.skills_in("I'm on nights, long shifts all week").weights
    assert "lifting-and-carrying" in matcher.skills_in("Need to shift some heavy boxes").weights


def test_the_scots_dug_is_a_dog(matcher: SkillMatcher) -> None:
    # "see tae the dug" was read as nothing: the hospital stay around it was the whole request.
    dug = matcher.skills_in("I'm in the hospital fae Monday and there's naebody tae see tae the dug")
    assert "dog-walking" in dug.weights
    assert "dog-walking" not in matcher.skills_in("We dug the garden over last spring").weights


def test_what_is_minded_is_looked_after_and_a_mind_is_no_mindfulness(matcher: SkillMatcher) -> None:
    # "mind" stems like "mindfulness": "who'll mind Bonnie, my little terrier" was relaxation first.
    bonnie = matcher.skills_in("Who'll mind Bonnie, my little terrier? She's never been in kennels")
    assert "relaxation-and-mindfulness" not in bonnie.weights
    assert "relaxation-and-mindfulness" not in matcher.skills_in("Would you mind helping with my garden").weights
    # A pet minded never outweighs care asked for beside it.
    both = matcher.skills_in("mind the dog and sit with mum")
    assert mainly_sensitive(both.weights, matcher.taxonomy) == "sitting-with-someone-unwell"
    assert matcher.skills_in("mind my son for an hour please").strongest(1) == ["babysitting"]
    assert matcher.skills_in("mind the house while I'm away").strongest(1) == ["house-sitting"]
    kids = matcher.skills_in("Could you mind the kids on Friday night")
    assert kids.strongest(1) == ["babysitting"] and mainly_sensitive(kids.weights, matcher.taxonomy)
    # A grown-up minded is sat with, which needs a checked helper; "would you mind me asking" is nothing.
    mum = matcher.skills_in("mind my mum while I'm at work")
    assert mainly_sensitive(mum.weights, matcher.taxonomy) and "job-searching" not in mum.weights
    assert not matcher.skills_in("would you mind me asking")
    assert "sitting-with-someone-unwell" not in matcher.skills_in("hope you don't mind my dad asking").weights
    assert matcher.skills_in("Mindfulness sessions").strongest(1) == ["relaxation-and-mindfulness"]


def test_a_summer_fair_and_helpers_welcomed_are_no_childcare_and_no_newcomers(matcher: SkillMatcher) -> None:
    # "summer" was the summer holidays' childcare, so a fair needed a checked helper.
    fair = matcher.skills_in("Our summer fair needs helpers, all welcome. Leaflets to deliver too")
    assert "holiday-childcare" not in fair.weights and "welcoming-newcomers" not in fair.weights
    assert not mainly_sensitive(fair.weights, matcher.taxonomy)
    # The summer with a child is still childcare, said in a word or not.
    for text in ("childcare in the summer holidays", "Summer", "need help over the summer with my 8 year old"):
        assert mainly_sensitive(matcher.skills_in(text).weights, matcher.taxonomy) == "holiday-childcare", text
    assert matcher.skills_in("Help welcoming new neighbours").strongest(1) == ["welcoming-newcomers"]


@pytest.mark.parametrize(
    "text",
    [
        "Could somebody drop me and pick me up, it's my pal's 80th",
        "Pick me up pls",
        "Drop me to the mosque for Jummah please",
        "pick mum up from the day centre",
        "Somebody can give us lift?",
    ],
)
def test_someone_picked_up_dropped_off_or_given_a_lift_is_a_ride(matcher: SkillMatcher, text: str) -> None:
    # A person picked up was a parcel collected, needing no check.
    ride = matcher.skills_in(text)
    assert mainly_sensitive(ride.weights, matcher.taxonomy), ride
    assert "picking-things-up" not in ride.weights


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("pick me up some milk", "food-shopping"),
        ("can you pick it up for me from the depot", "picking-things-up"),
        ("pick them up from school and make them tea", "school-run"),
        ("pick him up off the floor, he falls a lot", "help-getting-washed-and-dressed"),
    ],
)
def test_what_is_picked_up_for_someone_and_children_or_a_fall_keep_their_reading(
    matcher: SkillMatcher, text: str, meant: str
) -> None:
    assert matcher.skills_in(text).strongest(1) == [meant]


def test_a_call_for_a_chat_is_a_phone_chat_and_someone_to_talk_to_gives_no_talks(matcher: SkillMatcher) -> None:
    assert matcher.skills_in("wud luv sum1 to ring me 4 a natter once a wk").strongest(1) == ["phone-check-ins"]
    natter = matcher.skills_in("wud luv sum1 to ring me 4 a natter once a wk", title="any1 to talk 2")
    assert "phone-check-ins" in natter.weights and "public-speaking-and-confidence" not in natter.weights
    # A call to arrange help is not the help.
    assert mainly_sensitive(matcher.skills_in("ring me if you can take me to the hospital").weights, matcher.taxonomy)
    assert matcher.skills_in("Public speaking, building confidence").strongest(1) == ["public-speaking-and-confidence"]


def test_english_at_school_is_the_subject_not_the_language(matcher: SkillMatcher) -> None:
    daughter = matcher.skills_in("My daughter is in Year 10, her English literature marks are low. Macbeth!")
    assert daughter.strongest(1) == ["homework-help"] and "english-conversation-practice" not in daughter.weights
    assert matcher.skills_in("GCSE English help please").strongest(1) == ["homework-help"]
    assert matcher.skills_in("I want to practise my English").strongest(1) == ["english-conversation-practice"]


def test_a_floor_a_morning_a_start_a_habit_or_being_fitted_in_name_no_help(matcher: SkillMatcher) -> None:
    # "floor" was carrying shopping upstairs, "mornings" a coffee morning, "starting" a business, "used
    # to" using a computer and "fit me in" fitness.
    chemo = matcher.skills_in("Starting chemo next month and some mornings I won't be able to get my two to school")
    assert not {"starting-a-small-business", "coffee-and-a-chat", "helping-at-community-events"} & chemo.weights.keys()
    floor = matcher.skills_in("I can't get down on the floor and back up")
    assert "carrying-shopping-upstairs" not in floor.weights
    church = matcher.skills_in("I used to go every Sunday, would anyone going that way be able to fit me in")
    assert not {"computer-basics", "exercise-buddy"} & church.weights.keys()
    assert matcher.skills_in("I live on the third floor and need my shopping carried up").strongest(1) == [
        "carrying-shopping-upstairs"
    ]
    assert matcher.skills_in("coffee morning at the church hall").strongest(1) == ["coffee-and-a-chat"]
    assert matcher.skills_in("help me start up my own business").strongest(1) == ["starting-a-small-business"]
    assert matcher.skills_in("I'd like to get fit").strongest(1) == ["exercise-buddy"]
    assert "job-searching" not in matcher.skills_in("Weekday lunchtimes, I'm at work").weights


def test_a_school_year_names_a_child_at_school(matcher: SkillMatcher) -> None:
    # "my two (Reception and Year 2)" was read as nothing about children: no check needed.
    two = matcher.skills_in("Some mornings I won't be able to get my two (Reception and Year 2) to St Mary's")
    assert mainly_sensitive(two.weights, matcher.taxonomy)


@pytest.mark.parametrize(
    "text",
    [
        "In bathroom the light stop working, I change bulb already, still nothing",
        "I changed the bulb but the light still won't come on",
        "Hallway light not working. I change the bulb two times, still nothing",
    ],
)
def test_a_light_still_out_after_a_new_bulb_is_the_electrics(matcher: SkillMatcher, text: str) -> None:
    assert "small-electrical-jobs" in matcher.skills_in(text).weights


def test_a_bulb_to_change_is_still_a_bulb(matcher: SkillMatcher) -> None:
    assert matcher.skills_in("Can someone change the bulb in my hallway").strongest(1) == ["changing-light-bulbs"]
    assert matcher.skills_in("need a new bulb put in the kitchen light").strongest(1) == ["changing-light-bulbs"]


def test_a_pick_me_up_is_cheering_up_and_a_year_group_talked_to_is_no_child_at_school(matcher: SkillMatcher) -> None:
    for text in ("a natter would pick me up no end", "she needs a little pick me up, someone to visit"):
        assert not mainly_sensitive(matcher.skills_in(text).weights, matcher.taxonomy), text
    assert not mainly_sensitive(matcher.skills_in("talk to the year 6 class about the war").weights, matcher.taxonomy)
    assert "station-and-airport-runs" in matcher.skills_in("mind the cat and pick me up from the station").weights
