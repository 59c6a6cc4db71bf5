"""Whether help is sensitive (PRODUCT §3: lifts, personal care, children), read from what people write as
well as the skills they ticked: the one home of that rule. A network whose approval rule is "sensitive"
holds such help for a coordinator, and matching offers it only to checked helpers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from exchanges.matching.skills import skill_matcher
from exchanges.matching.taxonomy import Taxonomy
from exchanges.matching.text import BY_CAR, CLAUSE_END, content_words, stem

# A quote from the text long enough to recognise, short enough for a card.
QUOTE_WORDS = 8
# A skill the text reads as this share of its strongest one, or more, is part of what the help is about.
MAIN_SHARE = 0.75


@dataclass(frozen=True)
class Sensitivity:
    """Why help counts as sensitive: the skill and its category, and the words that said so (empty when
    the skill was ticked)."""

    skill: str
    skill_name: str
    category_name: str
    quote: str

    def __str__(self) -> str:
        what = f"{_(self.skill_name)} ({_(self.category_name)})"
        if self.quote:
            return _("Held because it looks like %(what)s: '%(quote)s'") % {"what": what, "quote": self.quote}
        return _("Held because it was marked as %(what)s") % {"what": what}


def help_sensitivity(*, title: str = "", description: str = "", ticked: Iterable[str] = ()) -> Sensitivity | None:
    """The first sensitive skill the help is about, ticked skills first, then what the text reads as."""
    matcher = skill_matcher()
    skills = matcher.taxonomy.skills
    for slug in sorted(ticked):
        skill = skills.get(slug)
        if skill is not None and skill.category.sensitive:
            return Sensitivity(slug, skill.name, skill.category.name, "")
    found = matcher.skills_in(description, title=title)
    main = mainly_sensitive(found.weights, matcher.taxonomy)
    if main is not None:
        skill = skills[main]
        return Sensitivity(main, skill.name, skill.category.name, _quote(matcher, main, title, description))
    return None


def main_skills(weights: Mapping[str, float]) -> list[str]:
    """The skills help is mainly about, strongest first: each at least MAIN_SHARE of the strongest."""
    top = max(weights.values(), default=0)
    return [
        slug for slug in sorted(weights, key=lambda slug: (-weights[slug], slug)) if weights[slug] >= top * MAIN_SHARE
    ]


def mainly_sensitive(weights: Mapping[str, float], taxonomy: Taxonomy) -> str | None:
    """The strongest sensitive skill among those help is mainly about (`main_skills`), or None. Only what
    the help is mainly about: "Shopping" reads as food shopping first and a lift to the shops only
    faintly, and is not sensitive; "Take me shopping in the car" reads as a lift. Holding help for a
    coordinator and matching an unchecked helper both ask here."""
    for slug in main_skills(weights):
        skill = taxonomy.skills.get(slug)
        if skill is not None and skill.category.sensitive:
            return slug
    return None


def cleared_for_main(weights: Mapping[str, float], taxonomy: Taxonomy, *, checked: bool, drives: bool) -> bool:
    """Whether a helper may take help on everything sensitive it is mainly about (`main_skills`): care and
    a lift asked for together need a check and a licence and insurance."""
    return all(
        cleared_for(slug, taxonomy, checked=checked, drives=drives)
        for slug in main_skills(weights)
        if slug in taxonomy.skills and taxonomy.skills[slug].category.sensitive
    )


def cleared_for(slug: str, taxonomy: Taxonomy, *, checked: bool, drives: bool) -> bool:
    """Whether a helper may be matched on a skill: sensitive help needs a current safeguarding (DBS)
    check, and a lift by car a current driving licence and car insurance on record as well (PRODUCT §2)."""
    skill = taxonomy.skills.get(slug)
    if skill is None or not skill.category.sensitive:
        return skill is not None
    return checked and (drives or slug not in BY_CAR)


def cleared_skills(skills: Mapping[str, float], taxonomy: Taxonomy, *, checked: bool, drives: bool) -> dict[str, float]:
    """The skills a helper with these checks may be matched on (`cleared_for`)."""
    return {
        slug: weight for slug, weight in skills.items() if cleared_for(slug, taxonomy, checked=checked, drives=drives)
    }


_TOKEN = re.compile(r"\S+")


def _quote(matcher, slug: str, title: str, description: str) -> str:
    """The shortest run of words in the text (description first, then title) that holds the words
    naming the skill, at most QUOTE_WORDS long; where no word names it (a saying does: "pick me up",
    "put mum to bed"), the first words of the first clause read as it. Never empty for help read
    from its text: an empty quote says the skill was ticked."""
    phrase_stems = {s for phrase in matcher._phrases.get(slug, ()) for s in phrase}
    for text in (description, title):
        tokens = _TOKEN.findall(text)
        hits = [
            i
            for i, token in enumerate(tokens)
            if any(stem(matcher.correct(word)) in phrase_stems for word in content_words(token))
        ]
        if not hits:
            continue
        best = (hits[0], hits[0])
        for start in hits:
            for end in hits:
                if start <= end < start + QUOTE_WORDS and end - start > best[1] - best[0]:
                    best = (start, end)
        words = tokens[best[0] : best[1] + 1]
        return " ".join(words).strip(".,;:!?—-–\"'()")
    clauses = [clause for text in (description, title) for clause in CLAUSE_END.split(text) if clause.strip()]
    said = next((clause for clause in clauses if slug in matcher.skills_in(clause).weights), None)
    words = _TOKEN.findall(said if said is not None else f"{title} {description}")[:QUOTE_WORDS]
    return " ".join(words).strip(".,;:!?—-–\"'()")
