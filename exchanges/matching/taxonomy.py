"""The shipped skills taxonomy (members/data/skills.json) as plain, immutable Python objects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The repository root holds `members/`; this file is exchanges/matching/taxonomy.py.
SKILLS_JSON = Path(__file__).resolve().parents[2] / "members" / "data" / "skills.json"


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    sensitive: bool


@dataclass(frozen=True)
class Skill:
    slug: str
    name: str
    synonyms: tuple[str, ...]
    category: Category


@dataclass(frozen=True)
class Taxonomy:
    skills: Mapping[str, Skill]
    categories: Mapping[str, Category]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        skills: dict[str, Skill] = {}
        categories: dict[str, Category] = {}
        for raw_category in data["categories"]:
            category = Category(
                slug=raw_category["slug"],
                name=raw_category["name"],
                sensitive=bool(raw_category.get("sensitive", False)),
            )
            categories[category.slug] = category
            for raw_skill in raw_category["skills"]:
                skills[raw_skill["slug"]] = Skill(
                    slug=raw_skill["slug"],
                    name=raw_skill["name"],
                    synonyms=tuple(raw_skill.get("synonyms", ())),
                    category=category,
                )
        return cls(skills=skills, categories=categories)

    @classmethod
    def from_file(cls, path: Path = SKILLS_JSON) -> Taxonomy:
        with path.open(encoding="utf-8") as handle:
            return cls.from_dict(json.load(handle))
