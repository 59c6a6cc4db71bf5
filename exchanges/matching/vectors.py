"""A listing's skills as the rows matching stores: each skill and each category with its weight
in the listing's normalised vector, so SQL can sum products of them into the scoring's cosine."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from exchanges.matching.taxonomy import Taxonomy


@dataclass(frozen=True)
class SkillRow:
    skill: str | None  # None: the row is one of the listing's categories
    category: str
    weight: float
    unit: float


def unit_vectors(skills: Mapping[str, float], taxonomy: Taxonomy) -> tuple[dict[str, float], dict[str, float]]:
    """Skill and category weights scaled to length 1, as `scoring.skill_overlap` compares them."""
    known = {slug: w for slug, w in skills.items() if slug in taxonomy.skills and w > 0}
    categories: dict[str, float] = defaultdict(float)
    for slug, weight in known.items():
        categories[taxonomy.skills[slug].category.slug] += weight
    return _unit(known), _unit(categories)


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {key: w / norm for key, w in vector.items()} if norm else {}


def skill_rows(skills: Mapping[str, float], taxonomy: Taxonomy) -> list[SkillRow]:
    skill_units, category_units = unit_vectors(skills, taxonomy)
    rows = [
        SkillRow(slug, taxonomy.skills[slug].category.slug, skills[slug], unit) for slug, unit in skill_units.items()
    ]
    rows += [SkillRow(None, slug, 0.0, unit) for slug, unit in category_units.items()]
    return rows
