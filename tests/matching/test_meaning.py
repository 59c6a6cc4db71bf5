"""The sentence-embedding model, derived skills by meaning, and the fit of two listings."""

import hashlib
import io
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from exchanges.matching import semantic
from exchanges.matching.meaning import EXAMPLES_JSON, MeaningMatcher, cosine, fit
from exchanges.matching.ranking import Candidate, rank_candidates
from exchanges.matching.scoring import Side, skill_overlap
from exchanges.matching.sensitive import help_sensitivity, mainly_sensitive
from exchanges.matching.skills import skills_from_text
from exchanges.matching.taxonomy import Taxonomy
from exchanges.matching.text import SkillMatcher


@pytest.fixture(scope="module")
def meanings():
    return MeaningMatcher(SkillMatcher(Taxonomy.from_file()))


def test_the_model_loads_from_the_installed_package_without_the_network():
    # A fresh process with no route out: the model must come from the package, not a download.
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('no network')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from exchanges.matching import semantic\n"
        "v = semantic.embed('trim my front hedge')\n"
        "print(v.shape[0], round(float(v @ v), 3))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["384", "1.0"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: BLAS starts no second thread anyway")
def test_matching_does_its_vector_arithmetic_in_the_thread_of_the_request():
    # NumPy's BLAS starts a thread per core as it loads, unless told otherwise before it loads.
    code = (
        "import os\n"
        "from exchanges.matching import meaning\n"
        "vectors = meaning.np.ones((1600, 384), dtype=meaning.np.float32)\n"
        "for _ in range(50): vectors @ vectors[0]\n"
        "print(len(os.listdir('/proc/self/task')))\n"
    )
    blas = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    env = {k: v for k, v in os.environ.items() if k not in blas}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120, env=env)
    assert out.stdout.split() == ["1"]


def test_texts_close_in_meaning_are_closer_than_unrelated_ones():
    hedge, trimming, computers = semantic.embed_many(
        ["Trim my front hedge", "Hedge trimming and garden tidy ups", "Computer lessons for beginners"]
    )
    assert cosine(hedge, trimming) > 0.5
    assert cosine(hedge, computers) < 0.2


def test_stored_vectors_keep_their_meaning():
    vector = semantic.embed("Dog walking round Roundwood Park")
    stored = semantic.from_bytes(semantic.to_bytes(vector))
    assert len(semantic.to_bytes(vector)) == 768
    assert abs(float(stored @ vector) - 1.0) < 1e-3
    assert semantic.from_bytes(b"") is None
    assert semantic.from_bytes(b"\x00" * 10) is None


def test_one_text_embeds_quickly_once_loaded():
    semantic.embed("warm up")
    start = time.perf_counter()
    for n in range(10):
        semantic.embed(f"cud sum1 walk my dog {n}")
    assert (time.perf_counter() - start) / 10 < 0.1


@pytest.mark.parametrize(
    ("title", "description", "first", "not_in"),
    [
        ("Dog walking round Roundwood Park", "", "dog-walking", "dog-training"),
        ("Trim my front hedge", "", "hedge-and-tree-trimming", None),
        ("Shopping", "Could someone pick up my shopping from Tesco on Fridays?", "food-shopping", "computer-basics"),
        ("me boiler's packed in", "the radiators are stone cold and there's no hot water", None, None),
    ],
)
def test_derived_skills_follow_the_meaning(meanings, title, description, first, not_in):
    found = meanings.meaning(description, title=title).skills
    if first:
        assert found.strongest(1) == [first]
    if not_in:
        assert not_in not in found.weights
    assert "computer-basics" not in found.weights or title != "Shopping"


def test_a_skill_the_words_miss_is_added_by_meaning(meanings):
    # No word of it is in the taxonomy's synonyms, but its meaning is plain.
    found = meanings.meaning("", title="Can someone take my pooch out for a stroll").skills
    assert "dog-walking" in found.weights


def test_every_shipped_skill_has_examples_of_how_members_ask_and_offer():
    examples = json.loads(EXAMPLES_JSON.read_text(encoding="utf-8"))
    assert set(examples) == set(Taxonomy.from_file().skills)
    assert all(len(e["asks"]) >= 6 and len(e["offers"]) >= 2 for e in examples.values())


@pytest.mark.django_db
def test_the_service_asks_for_the_vectors_the_image_embeds_from_the_shipped_file():
    # Same texts, same cache file: `manage.py matching_vectors` in the Dockerfile saves every process
    # embedding the taxonomy at its first match (deploy/smoke.py checks it on the production layout).
    from exchanges.matching.skills import skill_matcher

    shipped = MeaningMatcher(SkillMatcher(Taxonomy.from_file()))
    assert MeaningMatcher(skill_matcher())._texts == shipped._texts


def test_the_images_command_saves_the_skill_vectors_for_every_process(tmp_path, monkeypatch):
    from django.core.management import call_command

    from exchanges.matching import meaning

    monkeypatch.setenv("TIMEBANK_MATCHING_CACHE", str(tmp_path / "matching"))
    meaning._skill_vectors.cache_clear()
    # Stand-in vectors: the command's file handling is under test, not the model (13 s for the real ones).
    fake = np.random.default_rng(0).standard_normal
    monkeypatch.setattr(
        semantic, "embed_many", lambda texts: fake((len(texts), semantic.DIMENSIONS)).astype(np.float32)
    )
    call_command("matching_vectors", stdout=io.StringIO())
    (saved,) = (tmp_path / "matching").iterdir()
    shipped = MeaningMatcher(SkillMatcher(Taxonomy.from_file()))
    assert np.load(saved).shape == (len(shipped._texts), semantic.DIMENSIONS)
    meaning._skill_vectors.cache_clear()
    monkeypatch.setattr(semantic, "embed_many", lambda texts: pytest.fail("embedded again"))
    assert np.array_equal(shipped.skill_vectors(), np.load(saved))


def test_a_vectors_file_cut_short_is_embedded_again_and_replaced(tmp_path, monkeypatch):
    from exchanges.matching import meaning

    monkeypatch.setenv("TIMEBANK_MATCHING_CACHE", str(tmp_path))
    tiny = Taxonomy.from_dict(
        {"categories": [{"slug": "home", "name": "Home", "skills": [{"slug": "gardening", "name": "Gardening"}]}]}
    )
    meaning._skill_vectors.cache_clear()
    first = MeaningMatcher(SkillMatcher(tiny), examples={}).skill_vectors()
    (saved,) = tmp_path.iterdir()
    for cut in (b"", saved.read_bytes()[:100]):
        saved.write_bytes(cut)
        meaning._skill_vectors.cache_clear()
        assert np.allclose(MeaningMatcher(SkillMatcher(tiny), examples={}).skill_vectors(), first)
        assert np.allclose(np.load(saved), first)
    assert [p.name for p in tmp_path.iterdir()] == [saved.name]  # no temporary file left behind
    meaning._skill_vectors.cache_clear()


def test_how_members_ask_finds_a_skill_no_synonym_names(meanings):
    # "don't know a soul": none of the taxonomy's words, but how newcomers ask to be welcomed.
    request = "Arrived from Leeds last week and don't know a soul"
    assert "welcoming-newcomers" in meanings.meaning(request).skills.weights
    without = MeaningMatcher(SkillMatcher(Taxonomy.from_file()), examples={})
    assert "welcoming-newcomers" not in without.meaning(request).skills.weights


def test_a_skill_is_as_close_as_its_closest_synonym_counts_for_half():
    taxonomy = Taxonomy.from_dict(
        {
            "categories": [
                {
                    "slug": "home",
                    "name": "Home",
                    "skills": [
                        {
                            "slug": "home-repairs",
                            "name": "Home repairs",
                            "synonyms": ["shelves", "curtain rails", "door hinges", "fix a dripping tap"],
                        },
                        {"slug": "gardening", "name": "Gardening", "synonyms": []},
                    ],
                }
            ]
        }
    )
    matcher = MeaningMatcher(SkillMatcher(taxonomy), examples={})
    vector = semantic.embed("fix a dripping tap")
    vectors = matcher.skill_vectors()
    assert matcher.slugs == ["gardening", "home-repairs"]  # names, then names with synonyms, by slug
    whole = max(float(vectors[1] @ vector), float(vectors[3] @ vector))
    _, (gardening, repairs) = matcher.similarities(vector)
    # The synonym itself is the text: the skill is halfway between its whole texts and a perfect fit.
    assert repairs == pytest.approx((whole + 1.0) / 2, abs=0.01)
    assert repairs > whole
    # A skill without synonyms is as close as its name.
    assert gardening == pytest.approx(max(float(vectors[0] @ vector), float(vectors[2] @ vector)), abs=1e-5)


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("the telly has no picture", "tv-and-gadget-setup"),  # a household object, not a trade
        ("feeling a bit low since my wife passed", "a-listening-ear"),  # a feeling, not a task
        ("cat needs feeding while I am away", "pet-sitting"),
    ],
)
def test_the_skill_a_text_means_is_found_through_its_closest_synonym(meanings, text, meant):
    whole, nearest = meanings.similarities(semantic.embed(text))
    assert meanings.slugs[int(nearest.argmax())] == meant
    assert float(nearest.max()) >= float(whole.max())


def test_the_fit_is_overlap_and_closeness():
    assert fit(0.8, None) == 0.8
    assert fit(1.0, 1.0) == pytest.approx(1.0)
    assert fit(0.5, 0.0) < 0.5


def test_meaning_reorders_candidates_with_the_same_skills(meanings):
    taxonomy = meanings.taxonomy
    request = meanings.meaning("", title="Trim my front hedge")
    hedges = meanings.meaning("Hedges, bushes, overgrown stuff.", title="Hedge trimming")
    lawn = meanings.meaning("I cut grass every couple of weeks.", title="Lawn mowing")
    both = {"hedge-and-tree-trimming": 1.0, "mowing-the-lawn": 1.0}
    candidates = [
        Candidate(member_id=1, listing_id=1, side=Side(skills=both, vector=lawn.vector)),
        Candidate(member_id=2, listing_id=2, side=Side(skills=both, vector=hedges.vector)),
    ]
    mine = Side(skills=request.skills.weights, vector=request.vector, title="Trim my front hedge")
    ranked = rank_candidates(
        kind="request", mine=mine, i_have_current_check=False, candidates=candidates, taxonomy=taxonomy
    )
    assert [r.member_id for r in ranked] == [2, 1]
    assert ranked[0].reasons[0] == "Offers hedge and tree trimming — close to “Trim my front hedge”"
    plain = skill_overlap(mine.skills, both, taxonomy).score
    assert ranked[0].skill_overlap != plain


def test_meaning_never_brings_back_sensitive_help_for_an_unchecked_helper(meanings):
    taxonomy = meanings.taxonomy
    # Mainly company, a lift only on the side: an unchecked helper may still keep them company.
    request = meanings.meaning("Some company at home after my hospital visit, and maybe a lift", title="A chat")
    driver = meanings.meaning("I can drive you to the hospital and keep you company", title="Lifts and company")
    skills = dict(driver.skills.weights)
    assert any(taxonomy.skills[s].category.sensitive for s in skills)
    mine = Side(skills=request.skills.weights, vector=request.vector, title="A chat")

    def ranked(vector, checked):
        side = Side(skills=skills, vector=vector)
        candidate = Candidate(member_id=7, listing_id=7, side=side, has_current_check=checked, may_drive=checked)
        return rank_candidates(
            kind="request",
            mine=mine,
            i_have_current_check=False,
            candidates=[candidate],
            taxonomy=taxonomy,
            meanings=meanings,
        )

    [unchecked] = ranked(driver.vector, checked=False)
    [without_meaning] = ranked(None, checked=False)
    [checked] = ranked(driver.vector, checked=True)
    [checked_without_meaning] = ranked(None, checked=True)
    # Unchecked, only the company counts: the vector, which carries the lift, plays no part (the
    # meaning of the company they offer stands in for it, as for anyone offering just company).
    # Checked, it does, and the lift asked for on the side brings them closer.
    assert unchecked.score == without_meaning.score
    assert checked.score > checked_without_meaning.score
    assert not any("lift" in reason.lower() for reason in unchecked.reasons)
    # Mainly a lift: the unchecked driver is not paired with it at all, not even for the company.
    lift = meanings.meaning("I need a lift to the hospital and some company", title="Lift and a chat")
    mine = Side(skills=lift.skills.weights, vector=lift.vector, title="Lift and a chat")
    assert ranked(driver.vector, checked=False) == []
    assert ranked(driver.vector, checked=True)


@pytest.mark.parametrize(
    ("with_sensitive", "without", "requests"),
    [
        (
            ("Gardening and lifts", "I can do your weeding and pruning, and give lifts to the shops."),
            ("Gardening", "I can do your weeding and pruning."),
            ["help with the weeding in my garden", "my garden is overgrown", "Trim my front hedge"],
        ),
        (
            ("Cooking and babysitting", "I can cook you a hot meal, and babysit the kids."),
            ("Cooking", "I can cook you a hot meal."),
            ["a hot dinner now and then", "someone to cook for my dad"],
        ),
    ],
)
def test_what_the_sensitive_help_rule_takes_away_neither_lifts_nor_sinks_a_helper(
    meanings, with_sensitive, without, requests
):
    # An unchecked helper who also offers lifts or babysitting is matched on the rest: scored by the
    # meaning of what is kept (their own vector still carries the lift), as another helper offering
    # just the rest is by theirs. By the overlap alone, they had come up to 0.2 above that helper.
    both = meanings.meaning(with_sensitive[1], title=with_sensitive[0], offer=True)
    rest = meanings.meaning(without[1], title=without[0], offer=True)
    assert any(meanings.taxonomy.skills[s].category.sensitive for s in both.skills.weights)
    candidates = [
        Candidate(member_id=1, listing_id=1, side=Side(skills=both.skills.weights, vector=both.vector)),
        Candidate(member_id=2, listing_id=2, side=Side(skills=rest.skills.weights, vector=rest.vector)),
    ]
    for text in requests:
        request = meanings.meaning(text)
        ranked = rank_candidates(
            kind="request",
            mine=Side(skills=request.skills.weights, vector=request.vector, title=text),
            i_have_current_check=False,
            candidates=candidates,
            taxonomy=meanings.taxonomy,
            meanings=meanings,
        )
        scores = {r.member_id: r.score for r in ranked}
        assert abs(scores[1] - scores[2]) < 0.1, text


@pytest.mark.parametrize(
    "text",
    [
        "a lift to B&Q and then help putting up shelves",
        "need 2 people to carry a sofa up, no lift in the block",
        "help carrying my shopping up, the lift is broken",
        "moving flat, need a lift to the new place with some boxes",
    ],
)
def test_an_unchecked_helper_who_gives_lifts_meets_nobody_through_them(meanings, text):
    # Their lifts were also read as lifting and carrying, which needs no check and was kept, as every
    # lift in a request was: an unchecked helper offering company and lifts came up for each of these
    # (0.36 to 0.56) where one offering the company alone did not.
    def paired(title, offer_text):
        offer = meanings.meaning(offer_text, title=title, offer=True)
        request = meanings.meaning(text)
        ranked = rank_candidates(
            kind="request",
            mine=Side(skills=request.skills.weights, vector=request.vector, title=text),
            i_have_current_check=False,
            candidates=[
                Candidate(member_id=1, listing_id=1, side=Side(skills=offer.skills.weights, vector=offer.vector))
            ],
            taxonomy=meanings.taxonomy,
            meanings=meanings,
        )
        return {r.member_id: r.score for r in ranked}

    company = "A cuppa and a chat, I'll pop round"
    lifts_too = paired("Company and lifts", f"{company}, and I can drive you to the hospital.")
    alone = paired("Company", f"{company}.")
    assert lifts_too.keys() == alone.keys()
    assert all(abs(lifts_too[k] - alone[k]) < 0.1 for k in alone)


def offer_score(meanings, mine: Side, theirs: Side, *, listing_id=1, checked=False, by_meaning=True) -> float:
    """How an offer (`mine`) scores the one request or profile's wishes (`theirs`, a profile when
    `listing_id` is None) it is ranked against; `by_meaning`: with the skills' meaning to read by."""
    [ranked] = rank_candidates(
        kind="offer",
        mine=mine,
        i_have_current_check=checked,
        i_may_drive=checked,
        candidates=[Candidate(member_id=1, listing_id=listing_id, side=theirs)],
        taxonomy=meanings.taxonomy,
        meanings=meanings if by_meaning else None,
    )
    return ranked.score


def test_an_unchecked_helpers_offer_is_matched_by_the_meaning_of_what_they_may_help_with(meanings):
    # Their offer's vector carries the lifts they may not be matched on: the meaning of the gardening
    # they may help with stands in for it, on both sides of the rule.
    offer = meanings.meaning(
        "I can do your weeding and pruning, and give lifts to the shops.", title="Gardening and lifts", offer=True
    )
    request = meanings.meaning("help with the weeding in my garden")
    theirs = Side(skills=request.skills.weights, vector=request.vector)

    def score(vector, by_meaning=True):
        mine = Side(skills=offer.skills.weights, vector=vector, title="Gardening and lifts")
        return offer_score(meanings, mine, theirs, by_meaning=by_meaning)

    assert score(offer.vector) == score(None)
    assert score(offer.vector) != score(offer.vector, by_meaning=False)
    weeding_only = score(offer.vector)
    # A request that lost a side of it too (a lift to the shops): both texts carry a lift, so the lower
    # of my text against their skills and my skills against their text. The lift they asked for beside
    # the weeding does not lift them above the request for the weeding alone (by the overlap alone,
    # both came to 1.1).
    lift_too = meanings.meaning("weeding in my garden, and could you drive me to the shops after")
    assert any(meanings.taxonomy.skills[s].category.sensitive for s in lift_too.skills.weights)
    theirs = Side(skills=lift_too.skills.weights, vector=lift_too.vector)
    assert score(offer.vector) < weeding_only


def test_a_profile_found_for_the_help_it_would_like_is_read_by_those_wishes(meanings):
    # A profile's vector is of what it offers ("Computer lessons"), not of what it would like: the
    # meaning of its wishes stands in, the same whatever it offers, and whatever else it would like.
    offer = meanings.meaning("I can do your weeding and pruning.", title="Gardening", offer=True)
    teacher = semantic.embed("Computer lessons. I teach IT at the library.")

    def score(wishes, vector):
        mine = Side(skills=offer.skills.weights, vector=offer.vector, title="Gardening")
        return offer_score(meanings, mine, Side(skills=wishes, vector=vector), listing_id=None, checked=True)

    garden = {"gardening": 1.0}
    assert score(garden, teacher) == score(garden, None) == score({**garden, "computer-basics": 1.0}, teacher)
    # Not the overlap alone: a gardener's offer is closer to a wish for gardening than to one for a hedge.
    assert score(garden, None) > score({"hedge-and-tree-trimming": 1.0}, None)


def test_the_meaning_of_a_set_of_skills(meanings):
    garden = meanings.skills_vector({"gardening": 1.0, "mowing-the-lawn": 0.5})
    assert garden.shape == (semantic.DIMENSIONS,)
    assert float(garden @ garden) == pytest.approx(1.0, abs=1e-5)
    weeding = semantic.embed("help with the weeding in my garden")
    computers = semantic.embed("show me how to use my laptop")
    assert cosine(weeding, garden) > cosine(computers, garden) + 0.2
    assert meanings.skills_vector({}) is None
    assert meanings.skills_vector({"not-a-skill": 1.0, "gardening": 0.0}) is None
    # Worked out without making the vector, for the thousands a search scores.
    closeness = meanings.skills_closeness(weeding)
    assert closeness({"gardening": 1.0, "mowing-the-lawn": 0.5}) == pytest.approx(cosine(weeding, garden), abs=1e-5)
    assert closeness({"computer-basics": 1.0}) == pytest.approx(
        cosine(weeding, meanings.skills_vector({"computer-basics": 1.0})), abs=1e-5
    )
    assert closeness({}) is None and closeness({"not-a-skill": 1.0}) is None
    # Weights too large to sum give no meaning rather than a NaN.
    assert meanings.skills_vector({"gardening": 1e200, "mowing-the-lawn": 1e200}) is None
    assert closeness({"gardening": 1e200, "mowing-the-lawn": 1e200}) is None


def test_skills_from_text_names_skill_category_and_evidence(db):
    hits = skills_from_text("Dog walking round Roundwood Park")
    assert hits[0].slug == "dog-walking"
    assert hits[0].category_slug == "pets-and-animals"
    assert hits[0].sensitive is False
    assert "dog" in hits[0].evidence
    lift = skills_from_text("Could someone drive me to my hospital appointment on Tuesday?")
    assert lift[0].sensitive is True
    assert lift[0].category_slug == "getting-about"
    assert np.isclose(lift[0].weight, 1.0)


def test_the_skills_vectors_are_embedded_once_and_then_read_from_a_file(tmp_path, monkeypatch):
    from exchanges.matching import meaning

    monkeypatch.setenv("TIMEBANK_MATCHING_CACHE", str(tmp_path))
    texts = ("Dog walking", "Gardening", "Dog walking: walk the dog", "Gardening: weeding", "walk the dog")
    meaning._skill_vectors.cache_clear()
    first = meaning._skill_vectors(texts)
    [written] = list(tmp_path.glob("timebank-skills-*.npy"))
    meaning._skill_vectors.cache_clear()
    monkeypatch.setattr(semantic, "embed_many", lambda texts: pytest.fail("embedded again"))
    again = meaning._skill_vectors(texts)
    assert np.array_equal(first, again)
    assert first.shape == (5, semantic.DIMENSIONS)
    assert written.stat().st_size > 0
    meaning._skill_vectors.cache_clear()


NON_DRIVER = (
    "Go with you to appointments",
    "I can come along to the doctors or the job centre so you're not on your own. I don't drive but I know all the buses",
)


def test_an_offer_whose_writer_does_not_drive_is_not_read_as_lifts(meanings):
    title, text = NON_DRIVER
    offered = meanings.meaning(text, title=title, offer=True).skills.weights
    assert "walking-with-someone-to-appointments" in offered
    assert offered.keys().isdisjoint({"lifts-to-appointments", "lifts-to-social-events"})
    # Read as anything but an offer, the same words keep their lifts: "I can't drive any more" asks for one.
    assert "lifts-to-appointments" in meanings.meaning(text, title=title).skills.weights
    asked = meanings.meaning("I can't drive any more and my appointment is at the hospital on Friday", title="Hospital")
    assert "lifts-to-appointments" in asked.skills.weights


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Lifts to appointments", "Happy to drive anyone who can't drive any more."),
        ("Airport runs", "Early starts are fine. I can't drive at night though."),
        ("Lifts to the shops", "Great for people with no car. No car park at Lidl, so I drop you at the door."),
    ],
)
def test_a_driver_who_mentions_not_driving_still_offers_lifts(meanings, title, text):
    offered = meanings.meaning(text, title=title, offer=True).skills.weights
    assert not offered.keys().isdisjoint({"lifts-to-appointments", "station-and-airport-runs", "lifts-to-the-shops"})


def test_a_helper_who_does_not_drive_is_never_said_to_offer_lifts(meanings):
    lift = meanings.meaning("My appointment is at half nine and the buses are hopeless", title="A lift to the hospital")
    walker = meanings.meaning(NON_DRIVER[1], title=NON_DRIVER[0], offer=True)
    [ranked] = rank_candidates(
        kind="request",
        mine=Side(skills=lift.skills.weights, vector=lift.vector, title="A lift to the hospital"),
        i_have_current_check=True,
        i_may_drive=True,
        candidates=[
            Candidate(
                member_id=1,
                listing_id=1,
                side=Side(skills=walker.skills.weights, vector=walker.vector),
                has_current_check=True,
                may_drive=True,
            )
        ],
        taxonomy=meanings.taxonomy,
    )
    # What they are said to offer is theirs ("walking with someone to appointments"), never lifts.
    offered = ranked.reasons[0].split(" — ")[0]
    assert offered.startswith("Offers ") and "lift" not in offered.lower()


def test_the_shipped_lens_is_the_one_the_shipped_taxonomy_teaches(tmp_path):
    # Edit the skills or their examples without `manage.py matching_lens` and this fails.
    from django.core.management import call_command

    learned = tmp_path / "lens.npy"
    call_command("matching_lens", output=learned, stdout=io.StringIO())
    shipped, again = np.load(semantic.LENS_NPY), np.load(learned)
    assert shipped.shape == again.shape == (semantic.DIMENSIONS, semantic.DIMENSIONS)
    # Only L @ L.T decides cosines (the directions' signs are arbitrary); it may differ in the last
    # digits from one CPU to another.
    shipped, again = shipped @ shipped.T, again @ again.T
    assert np.abs(shipped - again).max() <= 1e-2 * np.abs(shipped).max()


def test_the_lens_spreads_the_skills_apart_and_names_the_vectors():
    lens = semantic.learn_lens(
        np.array([[1, 0.1], [1, -0.1], [0.1, 1], [-0.1, 1]], dtype=np.float32), np.array([0, 0, 1, 1]), shrink=0.1
    )
    # Texts of one skill differ little from each other along their skill's direction: after the
    # lens, two skills' texts are further apart than before.
    a, b = np.array([1, 0.1]), np.array([0.1, 1])
    before = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    a, b = a @ lens, b @ lens
    assert a @ b / np.linalg.norm(a) / np.linalg.norm(b) < before
    # Vectors made through another lens are never compared with these: the cache keys name it.
    in_use = np.load(semantic.LENS_NPY).astype(np.float32)
    assert semantic.model_id().endswith(":" + hashlib.sha256(in_use.tobytes()).hexdigest()[:12])
    # Every vector the service makes goes through it.
    text = "Old mattress to the tip"
    own = semantic.embed_many([text], lens=False)[0] @ np.load(semantic.LENS_NPY)
    assert np.allclose(semantic.embed(text), own / np.linalg.norm(own), atol=1e-5)


@pytest.mark.parametrize("content", [b"", b"\x93NUMPY cut short", "shape"])
def test_a_broken_lens_is_said_in_the_log_and_the_models_own_vectors_are_used(tmp_path, monkeypatch, caplog, content):
    path = tmp_path / "lens.npy"
    if content == "shape":
        np.save(path, np.eye(3, dtype=np.float32))
    else:
        path.write_bytes(content)
    monkeypatch.setattr(semantic, "LENS_NPY", path)
    assert semantic._lens() is None
    assert "No lens on the model's vectors" in caplog.text


@pytest.mark.parametrize(
    ("title", "text", "right", "others"),
    [
        (
            "Old mattress and a broken chair",
            "Got an old double mattress and a broken dining chair in the garden that need to go to the tip.",
            ("Tip runs", "Take your rubbish to the tip in my car."),
            [
                ("Handyman", "Retired carpenter. Doors that stick, wobbly chairs, shelves, bits and bobs."),
                ("General repairs", "Fences, gates, door handles, small fixes."),
                ("DIY", "Flat pack furniture, putting up shelves, hanging pictures and curtain poles."),
            ],
        ),
        (
            "Tunes for Mam's care home",
            "My Mam's in the care home in Kingsbury, see, and they're always saying they'd love somebody to come in"
            " and play a few of the old songs of an afternoon. Lovely it would be, tidy.",
            ("Music", "I play keyboard and sing, can play at events or care homes."),
            [
                ("A good tidy up", "I'm a bit of a neat freak! Can help sort and clean a room."),
                ("Housework", "Happy to help with housework for someone who's struggling. Hoover, mop, wipe down."),
                ("Cleaning", "I can help clean your home - hoovering, dusting, bathrooms, kitchens."),
            ],
        ),
    ],
)
def test_through_the_lens_the_helper_a_request_means_comes_before_those_its_words_name(
    meanings, title, text, right, others
):
    request = meanings.meaning(text, title=title)
    mine = Side(skills=request.skills.weights, vector=request.vector, title=title)
    candidates = []
    for n, (offer_title, offer_text) in enumerate([right, *others], start=1):
        offer = meanings.meaning(offer_text, title=offer_title, offer=True)
        candidates.append(
            Candidate(member_id=n, listing_id=n, side=Side(skills=offer.skills.weights, vector=offer.vector))
        )
    ranked = rank_candidates(
        kind="request", mine=mine, i_have_current_check=False, candidates=candidates, taxonomy=meanings.taxonomy
    )
    assert ranked[0].member_id == 1


def test_a_bath_that_drains_slowly_is_plumbing_in_meaning_too(meanings):
    # Its words were plumbing, but the closest skill in meaning was still help getting washed: the
    # request needed a safeguarding check, and no unchecked plumber was matched with it.
    def sensitive(text):
        return {s for s in meanings.meaning(text).skills.weights if meanings.taxonomy.skills[s].category.sensitive}

    assert sensitive("the bath is draining really slowly") == set()
    assert sensitive("I can't get in the bath on my own any more") == {"help-getting-washed-and-dressed"}


@pytest.mark.parametrize(
    "text",
    [
        "play chess with my 8 year old",
        "play cards with my son",
        "play draughts with my grandson",
        "play bingo with the children at the youth club",
        "read and play cards with my grandchildren",
        "play them songs at bedtime",
        "help her into her wedding dress",
        "help me get my dress on",
        "help my daughter put her prom dress on",
        "house sitter for my kids while I'm at work",
        "dog sitter and someone to sit with the kids",
        "help my mum out of the bath, the bath is blocked",
        "the bath is blocked and I need help with a bath",
        "my nan has just moved here and needs help dressing",
        "just moved here and need a babysitter",
        "recently moved to the area and need a lift to the shops",
        "mum has just moved to the area and needs lifts to the doctors",
        "house sitter for my little one while I'm at work",
    ],
)
def test_a_saying_read_plainly_never_takes_a_child_or_personal_care_away(meanings, text):
    # Games and songs played, a dress, a bath that drains and a sitter are read plainly only where no
    # child and no one being washed or dressed is named: these still need a checked helper.

    assert mainly_sensitive(meanings.meaning(text).skills.weights, meanings.taxonomy) is not None


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("Could someone take my wedding dress in a bit", "mending-clothes"),
        ("Need my skirt taken up", "mending-clothes"),
        ("the bath is draining really slowly", "fixing-taps-and-leaks"),
        ("Looking for a dog sitter for the weekend", "pet-sitting"),
        ("Could someone come and play a few old songs at the care home", "playing-music"),
        ("Just moved here from Leeds and don't know a soul", "welcoming-newcomers"),
    ],
)
def test_a_saying_read_plainly_needs_no_check_where_nobody_is_cared_for(meanings, text, meant):

    found = meanings.meaning(text).skills
    assert found.strongest(1) == [meant]
    assert mainly_sensitive(found.weights, meanings.taxonomy) is None


def test_a_profile_wishing_for_a_lift_is_read_by_its_other_wishes_alone(meanings):
    # An unchecked helper offering lifts and gardening, and a profile that would like a lift and help in
    # the garden: both lost the lift. The profile has no text of its wishes (its vector is of what it
    # offers), so whatever it offers plays no part.
    offer = meanings.meaning(
        "I can do your weeding and pruning, and give lifts to the shops.", title="Gardening and lifts", offer=True
    )

    def score(vector):
        mine = Side(skills=offer.skills.weights, vector=offer.vector, title="Gardening and lifts")
        wishes = Side(skills={"gardening": 1.0, "lifts-to-the-shops": 1.0}, vector=vector)
        return offer_score(meanings, mine, wishes, listing_id=None)

    assert score(semantic.embed("Computer lessons. I teach IT at the library.")) == score(None)
    assert score(semantic.embed("Gardening. I grow vegetables on my allotment.")) == score(None)


LIFTING = ("lifting-and-carrying", "carrying-shopping-upstairs")


@pytest.mark.parametrize(
    ("title", "text", "offer", "first", "never"),
    [
        # A lift given or asked for is a ride in a car ...
        ("Gardening and lifts", "I do gardening and can give lifts to the shops", True, "getting-about", LIFTING),
        ("Lifts", "I can do the odd lift, I have a car", True, "getting-about", LIFTING),
        ("Lifts", "", True, "getting-about", LIFTING),
        (
            "Computer help and a lift",
            "Patient help with phones and email, and the odd lift.",
            True,
            "computer-basics",
            LIFTING,
        ),
        ("Asda", "need a lift to Asda on Saturday", False, "getting-about", LIFTING),
        ("Wee favour", "could somebody gie us a lift tae the hospital on Thursday", False, "getting-about", LIFTING),
        # ... lifting where there is something to lift ...
        ("Wardrobe", "can someone help me lift a wardrobe", False, "moving-and-heavy-jobs", ("getting-about",)),
        ("", "could you lift my suitcase into the loft", False, "moving-and-heavy-jobs", ("getting-about",)),
        # ... and the building's where it is broken.
        (
            "Shopping",
            "help carrying my shopping up, I'm on the 4th floor and the lift is broken",
            False,
            "carrying-shopping-upstairs",
            ("lifting-and-carrying",),
        ),
    ],
)
def test_a_lift_is_a_ride_or_lifting_as_its_words_say(meanings, title, text, offer, first, never):
    # "Lift" alone was a word of lifting and carrying, and "no lift" one of carrying shopping upstairs:
    # an unchecked helper who gives lifts kept both after the rule took the lifts away, and met every
    # request for a lift through them. A lift alone is no evidence of either now (`text.NOT_ALONE`).
    # `first` and `never` name skills or their categories.
    found = meanings.meaning(text, title=title, offer=offer).skills
    names = {slug: {slug, meanings.taxonomy.skills[slug].category.slug} for slug in found.weights}
    [strongest] = found.strongest(1)
    assert first in names[strongest]
    assert not set(never) & set().union(*names.values())


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("help me lift mum in and out of the bath", "help-getting-washed-and-dressed"),
        ("help lift my husband in and out of the shower", "help-getting-washed-and-dressed"),
        ("could you lift my dad out of his chair and onto the commode", "help-getting-washed-and-dressed"),
        ("I need someone to lift my kids to school in the mornings", "after-school-care"),
        ("please can someone lift me to church on Sunday", "lifts-to-social-events"),
        # Whoever is lifted, in a text about a bath, a bed or a commode: the care is read, not the lifting.
        ("help me lift my hubby in and out of the bath", "help-getting-washed-and-dressed"),
    ],
)
def test_lifting_a_person_is_never_read_as_lifting_things(db, meanings, text, held):
    # Lifting that needs no check is of things: a person lifted is care, childcare or a ride, held for a
    # checked helper both when the request is posted and when it is matched.
    assert help_sensitivity(description=text).skill == held
    found = meanings.meaning(text).skills.weights
    assert mainly_sensitive(found, meanings.taxonomy) is not None
    assert "lifting-and-carrying" not in found


@pytest.mark.parametrize(
    "text",
    [
        "give me a lift with this sofa please",
        "give us a lift with the bins, they're too heavy for me",
        "need a lift getting the new mattress upstairs",
        "need a lift up with my new TV, it's heavy and I'm on the 2nd floor",
        # Lifting read from "lift" is carrying, and never completes a lift to the shops.
        "could you lift my nan's shopping up",
    ],
)
def test_a_lift_with_something_heavy_is_lifting_not_a_ride(db, meanings, text):
    assert help_sensitivity(description=text) is None
    found = meanings.meaning(text).skills
    assert found.strongest(1)[0] in LIFTING
    assert mainly_sensitive(found.weights, meanings.taxonomy) is None


@pytest.mark.parametrize(
    "text",
    [
        "help with my shopping please, 8th floor and there's no lift",
        "shopping brought up to my flat, the lift's been out for weeks",
        "help with shopping, the lift is out",
        "The lift's knackered again, 8th floor, need help with my shopping",
    ],
)
def test_a_buildings_lift_out_of_order_is_the_stairs(db, meanings, text):
    # "The lift" is a building's; "no lift" only where a building is named (below, it may be one's ride).
    assert help_sensitivity(description=text) is None
    assert meanings.matcher.skills_in(text).strongest(1) == ["carrying-shopping-upstairs"]


@pytest.mark.parametrize("text", ["lift my spirits with a chat on the phone", "something to lift my spirits"])
def test_lifted_spirits_are_neither_a_ride_nor_lifting(meanings, text):
    found = meanings.meaning(text).skills.weights
    names = {meanings.taxonomy.skills[slug].category.slug for slug in found} | set(found)
    assert not names & {"getting-about", *LIFTING}


@pytest.mark.parametrize(
    "text",
    [
        # Whoever is lifted: no list of people is complete, so a lift of anyone to anywhere is a ride.
        "Who can lift Mama Ngozi to church this Sunday",
        "Can you lift my elderly mother to church on Sunday",
        "could you lift Doris to bingo on tuesdays",
        "Abeg help me lift my mama go hospital",
        # With their things, or somewhere to go.
        "Can you give me a lift with my bags from the bus station",
        "Can you give me a lift with my shopping",
        "could I get a lift with my suitcase to the station",
        "Can you lift them to church on Sunday",
        "can you lift our Kev this Saturday to the footy",
        "Could someone lift my luggage and me to the airport",
        "Can you lift my shopping home from Asda on Friday",
        # Their own lift, not a building's.
        "I have no lift to church now my husband has passed",
        "My lift is not working this week so need someone to take me to church",
        "No lift at the weekend so I can't get to church",
        "no lift so I need someone to drive me to my scan",
        "Our lift is out tonight so can anyone run us to bingo",
    ],
)
def test_a_ride_stays_a_ride_whoever_and_whatever_goes_with_it(db, meanings, text):
    held = help_sensitivity(description=text)
    assert held is not None and meanings.taxonomy.skills[held.skill].category.sensitive
    assert mainly_sensitive(meanings.meaning(text).skills.weights, meanings.taxonomy) is not None
    assert "lifting-and-carrying" not in meanings.matcher.skills_in(text).weights


@pytest.mark.parametrize(
    ("title", "text", "offer"),
    [
        ("", "need help lifting some paving slabs", False),
        ("Lifting", "I'm good at lifting, happy to help", True),
        ("", "Can anyone help with lifting", False),
        ("Sofa", "could u lift a sofa up 2 flights", False),
    ],
)
def test_lifting_things_is_lifting_however_it_is_said(db, meanings, title, text, offer):
    assert help_sensitivity(title=title, description=text) is None
    found = meanings.meaning(text, title=title, offer=offer).skills
    assert meanings.taxonomy.skills[found.strongest(1)[0]].category.slug == "moving-and-heavy-jobs"
    assert mainly_sensitive(found.weights, meanings.taxonomy) is None


@pytest.mark.parametrize(
    ("text", "care"),
    [
        ("help getting mum into bed at night", True),
        ("help my husband out of bed in the mornings", True),
        ("put my gran to bed in the evenings", True),
        ("need someone to help me get up if I fall", True),
        ("help me lift my wife off the floor, she falls", True),
        ("my mum keeps falling and I can't lift her on my own", True),
        # A fall that is the reason for other help, things that fall, a bed that is furniture: not care.
        ("I had a fall last month so I need help with the garden", False),
        ("my fence has fallen over in the wind", False),
        ("get the boxes off the floor and into the loft", False),
        ("help me move the bed into the spare room", False),
    ],
)
def test_helping_someone_into_bed_or_up_from_a_fall_is_personal_care(db, meanings, text, care):
    held = help_sensitivity(description=text)
    assert (held is not None and held.skill == "help-getting-washed-and-dressed") is care
    found = meanings.meaning(text).skills.weights
    assert (mainly_sensitive(found, meanings.taxonomy) == "help-getting-washed-and-dressed") is care
