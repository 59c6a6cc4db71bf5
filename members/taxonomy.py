"""The shipped skills taxonomy (members/data/skills.json), loaded by a migration and by seed_demo."""

import json
from pathlib import Path

TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "skills.json"


def taxonomy_load(*, category_model, skill_model) -> int:
    """Create or update every category and skill from the shipped file; returns the skill count."""
    data = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    count = 0
    for cat in data["categories"]:
        category, _ = category_model.objects.update_or_create(
            slug=cat["slug"], defaults={"name": cat["name"], "sensitive": bool(cat.get("sensitive"))}
        )
        for skill in cat["skills"]:
            skill_model.objects.update_or_create(
                slug=skill["slug"],
                defaults={"name": skill["name"], "category": category, "synonyms": skill.get("synonyms", [])},
            )
            count += 1
    return count


def _shipped_skill_slugs() -> list[str]:
    data = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    return sorted(skill["slug"] for cat in data["categories"] for skill in cat["skills"])


# Every skill slug in the shipped file: what the API schema offers as skills.
SHIPPED_SKILL_SLUGS = _shipped_skill_slugs()
