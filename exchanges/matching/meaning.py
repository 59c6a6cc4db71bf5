"""What a text means as well as the words it uses: the taxonomy's skills checked against the
sentence-embedding model, and one number for how well two listings fit.

Pure: no database. `skills.py` builds one `MeaningMatcher` per taxonomy; the evaluation builds
its own from the shipped file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np

from exchanges.matching import semantic
from exchanges.matching.text import BY_CAR, KEEP_SHARE, SkillMatch, SkillMatcher, says_no_car

logger = logging.getLogger(__name__)

# How much of the fit is the two texts' closeness in meaning; the rest is the taxonomy's skill
# overlap. Chosen on the tuning set and the dev parts of the others (bench/RESULTS.md): the older
# dev parts were flat from 0.4 to 0.7, the tuning set's requests, written in more ways than the
# taxonomy's words, are best near 0.7.
MEANING_SHARE = 0.7
# A skill the words found keeps at least half its weight however far the meaning is; the rest
# depends on how close the text is to the skill's meaning, relative to the closest skill.
WORDS_FLOOR = 0.5
# A skill the words missed is added when the text is at least this close to it in meaning (a
# cosine) and it is the closest skill: "me boiler's packed in" has no taxonomy word. Through the lens
# (`semantic.LENS_NPY`) the dev parts are the same from 0.35 to 0.45 (bench/RESULTS.md).
MEANING_ONLY_SIMILARITY = 0.4
MEANING_ONLY_WEIGHT = 0.8

# How members ask for each skill and offer it, in their own words ("the hall light still won't
# come on with a new bulb"): compared in meaning only, never as words.
EXAMPLES_JSON = Path(__file__).resolve().parent / "data" / "skill_examples.json"


@lru_cache(maxsize=1)
def shipped_examples() -> Mapping[str, tuple[str, ...]]:
    """Each skill's examples by slug, asks then offers."""
    with EXAMPLES_JSON.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return MappingProxyType({slug: (*found["asks"], *found["offers"]) for slug, found in data.items()})


@dataclass(frozen=True)
class Meaning:
    """A listing's (or a search's) skills and its vector; `vector` is None without the model."""

    skills: SkillMatch
    vector: np.ndarray | None


class MeaningMatcher:
    """The taxonomy's skills as vectors, embedded once per process: each skill's name, its name
    with its synonyms and category, and each of its synonyms and examples on its own. `examples`
    by slug, the shipped ones (EXAMPLES_JSON) unless given."""

    def __init__(self, matcher: SkillMatcher, examples: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.matcher = matcher
        self.taxonomy = matcher.taxonomy
        # By slug: the shipped file and the database list the skills in different orders, and the
        # texts name the cached vectors (the image embeds them from the file, the service reads them).
        self.slugs = sorted(self.taxonomy.skills)
        self._index = {slug: i for i, slug in enumerate(self.slugs)}
        skills = [self.taxonomy.skills[slug] for slug in self.slugs]
        examples = shipped_examples() if examples is None else examples
        phrases = [(*s.synonyms, *examples.get(s.slug, ())) for s in skills]
        self._texts = (
            *(s.name for s in skills),
            *(f"{s.name}: {', '.join(s.synonyms)} ({s.category.name})" for s in skills),
            *(phrase for own in phrases for phrase in own),
        )
        # Each skill's synonyms and examples follow one another: where each skill that has any begins.
        counts = np.array([len(own) for own in phrases], dtype=np.intp)
        self._with_synonyms = np.flatnonzero(counts)
        self._synonym_starts = (np.cumsum(counts) - counts)[self._with_synonyms]
        self._labels = np.concatenate(
            [np.arange(len(skills)), np.arange(len(skills)), np.repeat(np.arange(len(skills)), counts)]
        )
        self._skill_vectors: np.ndarray | None = None
        self._among: list[list[float]] | None = None

    def learn_lens(self) -> np.ndarray | None:
        """The lens the taxonomy's texts teach (`semantic.learn_lens`): each skill's name, name with
        synonyms, synonyms and examples are texts of that skill. None without the model."""
        if not semantic.available():
            return None
        return semantic.learn_lens(semantic.embed_many(self._texts, lens=False), self._labels)

    def skill_vectors(self) -> np.ndarray | None:
        """(2 × skills + synonyms and examples, 384): names, names with synonyms and category,
        then each synonym and example; None without the model."""
        if self._skill_vectors is None and semantic.available():
            self._skill_vectors = _skill_vectors(self._texts)
        return self._skill_vectors

    def skills_vector(self, skills: Mapping[str, float]) -> np.ndarray | None:
        """What a set of weighted skills means: the unit-length weighted mean of their "name: synonyms
        (category)" vectors; None without the model or a known skill. Stands in for a side's own vector
        where ranking matches it on only some of its skills (the vector still carries the rest) or
        has none of what it means (a profile's wishes): a text is about as close to the names of an
        offer's skills as to the offer itself (bench/RESULTS.md), so the two are scored on one scale."""
        vectors = self.skill_vectors()
        if vectors is None:
            return None
        count = len(self.slugs)
        rows = [(self._index[slug], weight) for slug, weight in skills.items() if slug in self._index and weight > 0]
        if not rows:
            return None
        where, weights = zip(*rows, strict=True)
        with np.errstate(over="ignore", invalid="ignore"):  # weights too large to sum: no meaning
            mean = np.asarray(weights, dtype=np.float64) @ vectors[count + np.asarray(where, dtype=np.intp)]
            length = float(np.linalg.norm(mean))
        return (mean / length).astype(np.float32) if 0 < length < math.inf else None

    def skills_closeness(self, vector: np.ndarray) -> Callable[[Mapping[str, float]], float | None]:
        """`cosine(vector, skills_vector(skills))` for many sets of skills, none of them made: the
        text's closeness to each skill and the skills' closeness to one another are worked out once,
        so a set of a few skills costs a few multiplications (a search scores thousands). None where
        `skills_vector` is, and for weights too large to sum."""
        vectors = self.skill_vectors()
        if vectors is None:
            return lambda skills: None
        count = len(self.slugs)
        toward = (vectors[count : 2 * count] @ vector).tolist()
        among = self._named_closeness()
        index = self._index

        def closeness(skills: Mapping[str, float]) -> float | None:
            rows = [(index[slug], weight) for slug, weight in skills.items() if slug in index and weight > 0]
            # The weighted mean's length, squared: its closeness to itself.
            square = sum(w * v * among[i][j] for i, w in rows for j, v in rows)
            if not 0 < square < math.inf:
                return None
            return max(sum(w * toward[i] for i, w in rows) / math.sqrt(square), 0.0)

        return closeness

    def _named_closeness(self) -> list[list[float]]:
        if self._among is None:
            vectors = self.skill_vectors()
            assert vectors is not None
            named = vectors[len(self.slugs) : 2 * len(self.slugs)].astype(np.float64)
            self._among = (named @ named.T).tolist()
        return self._among

    def similarities(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each skill's closeness in meaning to a text's vector, two ways: `whole`, the better of
        its name and its name with synonyms and category; and `nearest`, the mean of that and of
        its closest synonym or example on its own. A synonym alone ("hedge trimming") or an example
        ("need my trousers taken up") is nearer a short text than the whole list is, so `nearest`
        finds the skill a text means; `whole` keeps its spread, so a skill the words found but the
        text hardly means ("trim" as a haircut beside a hedge) still drops. Both chosen on the dev parts (bench/RESULTS.md)."""
        vectors = self.skill_vectors()
        count = len(self.slugs)
        if vectors is None:
            zeros = np.zeros(count, dtype=np.float32)
            return zeros, zeros
        closeness = vectors @ vector
        whole = np.maximum(closeness[:count], closeness[count : 2 * count])
        synonym = whole.copy()  # a skill without synonyms: its whole texts stand in
        if len(self._with_synonyms):
            synonym[self._with_synonyms] = np.maximum.reduceat(closeness[2 * count :], self._synonym_starts)
        return whole, (whole + synonym) / 2

    def meaning(self, text: str, *, title: str = "", offer: bool = False, also: str = "") -> Meaning:
        """`offer`: the text offers help (an offer, a bio's offers), so help its writer says they
        cannot give is not read into it (`BY_CAR` when they do not drive). `also`: words that join the
        text's meaning but not its words (the English names of skills a Welsh search named)."""
        words = self.matcher.skills_in(text, title=title)
        own = semantic.listing_text(title, text)
        vector = semantic.embed(" ".join(filter(None, [own, also])))
        skills = words
        if vector is not None:
            whole, nearest = self.similarities(vector)
            if also:
                # A skill the words missed is read from the text alone: the names joined to its meaning
                # are named already ("trwsio tap" is taps, not the bikes in the other names of "trwsio").
                alone = semantic.embed(own)
                nearest = self.similarities(alone)[1] if alone is not None else np.zeros_like(nearest)
            skills = self.weigh(words, whole, nearest)
        if offer and says_no_car(f"{title}. {text}") and not skills.weights.keys().isdisjoint(BY_CAR):
            skills = _kept({slug: weight for slug, weight in skills.weights.items() if slug not in BY_CAR})
        return Meaning(skills, vector)

    def weigh(self, words: SkillMatch, whole: np.ndarray, nearest: np.ndarray) -> SkillMatch:
        """The words' skills reweighed by meaning, plus the closest skill in meaning when it is
        close enough: "Dog walking round Roundwood Park" is dog walking before a walk together."""
        top = float(whole.max()) if len(whole) else 0.0
        if top <= 0:
            return words
        index = self._index
        raw: dict[str, float] = {}
        for slug, weight in words.weights.items():
            closeness = max(float(whole[index[slug]]), 0.0) / top if slug in index else 0.0
            # Squared: a skill only half as close as the closest ("trimming" read as a haircut
            # beside a hedge) drops below the share kept.
            raw[slug] = weight * (WORDS_FLOOR + (1 - WORDS_FLOOR) * closeness**2)
        best = int(nearest.argmax())
        if float(nearest[best]) >= MEANING_ONLY_SIMILARITY:
            slug = self.slugs[best]
            raw[slug] = max(raw.get(slug, 0.0), MEANING_ONLY_WEIGHT * max(raw.values(), default=1.0))
        return _kept(raw)


@lru_cache(maxsize=4)
def _skill_vectors(texts: tuple[str, ...]) -> np.ndarray:
    """By the skills' texts: a taxonomy rebuilt with the same skills (a new skill elsewhere, a
    test's rollback) is not embedded again. Embedding ~3,100 texts takes seconds of CPU, so every
    process after the first reads them from a file named by the model and the texts."""
    key = hashlib.sha256(repr((semantic.model_id(), texts)).encode()).hexdigest()[:24]
    path = Path(os.environ.get("TIMEBANK_MATCHING_CACHE") or tempfile.gettempdir()) / f"timebank-skills-{key}.npy"
    try:
        cached = np.load(path)
        if cached.shape == (len(texts), semantic.DIMENSIONS):
            return cached
    except (OSError, ValueError, EOFError):  # missing, or cut short
        pass
    started = time.monotonic()
    vectors = semantic.embed_many(texts)
    logger.warning(
        "Embedded the taxonomy's %d skill texts in %.1f s: no vectors file %s (manage.py matching_vectors builds it)",
        len(texts),
        time.monotonic() - started,
        path,
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        semantic.save_npy(path, vectors)
    except OSError as error:
        # A folder this process may not write to: every process embeds them until it can.
        logger.warning("Could not save the skill vectors to %s: %s", path, error)
    return vectors


def _kept(raw: Mapping[str, float]) -> SkillMatch:
    if not raw:
        return SkillMatch({})
    top = max(raw.values())
    return SkillMatch(MappingProxyType({s: w / top for s, w in raw.items() if w >= KEEP_SHARE * top}))


def cosine(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Closeness in meaning of two unit vectors, 0 when either is missing (never below 0)."""
    if a is None or b is None:
        return 0.0
    return max(float(a @ b), 0.0)


def fit(skill_overlap: float, closeness: float | None) -> float:
    """How well two listings fit, 0..1: the taxonomy's overlap and, when both have a vector, how
    close they are in meaning."""
    if closeness is None:
        return skill_overlap
    return (1 - MEANING_SHARE) * skill_overlap + MEANING_SHARE * closeness
