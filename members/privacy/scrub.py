"""Replacing an erased person's name and email wherever text in the database still carries them.

The product writes names into text it stores (notifications such as "Edna asked to join", audit
reasons) and people write them into messages, concerns and descriptions. Erasure replaces every
whole-word occurrence with the person's pseudonym, in every text and JSON column of every model,
limited to rows of the person's own networks (or rows that belong to no network), so a common name
is never rewritten in networks the person was never part of.
"""

import json
import re
from collections.abc import Iterable

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

# Shorter needles ("Al", "Jo") would rewrite ordinary words; the person's own rows are cleared anyway.
MIN_NEEDLE = 3

# Rows these models hold are cleared by erasure itself (the person), are not personal (the taxonomy,
# networks, permissions), are encoded (sessions, deleted instead) or are immutable (transfers: the
# ledger is never rewritten; see privacy/README in the module docstring of privacy.services).
SKIPPED = {
    "members.user",
    "members.network",
    "members.skill",
    "members.skillcategory",
    "ledger.transfer",
    "contenttypes.contenttype",
    "auth.permission",
    "auth.group",
    "sessions.session",
}

TEXT_FIELDS = (models.CharField, models.TextField)


def needles_of(values: Iterable[str | None]) -> list[str]:
    """The strings to replace, longest first (so an email goes before the name inside it), each once."""
    seen: dict[str, str] = {}
    for value in values:
        value = (value or "").strip()
        if len(value) >= MIN_NEEDLE:
            seen.setdefault(value.casefold(), value)
    return sorted(seen.values(), key=len, reverse=True)


def _pattern(needles: list[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(n) for n in needles)
    # Whole words only: erasing "Sam" must not touch "Samuel" or "same".
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def text_scrub(value, *, needles: list[str], replacement: str):
    """`value` with every whole-word occurrence of a needle replaced; lists and dicts walked (keys too)."""
    if not needles:
        return value
    pattern = _pattern(needles)

    def walk(v):
        if isinstance(v, str):
            return pattern.sub(replacement, v)
        if isinstance(v, list):
            return [walk(item) for item in v]
        if isinstance(v, dict):
            return {walk(k): walk(item) for k, item in v.items()}
        return v

    return walk(value)


def _fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and (isinstance(f, TEXT_FIELDS) or isinstance(f, models.JSONField))
    ]


def _matching(model, fields: list[models.Field], needles: list[str]):
    """Rows where any text column contains a needle (a superset: the regex decides)."""
    qs = model._default_manager.all()
    condition = Q()
    for field in fields:
        if isinstance(field, models.JSONField):
            alias = f"_scrub_{field.attname}"
            qs = qs.annotate(**{alias: Cast(field.attname, models.TextField())})
            for needle in needles:
                # JSON text may hold the needle escaped (SQLite stores "\u00e9" for "é").
                for form in {needle, json.dumps(needle)[1:-1]}:
                    condition |= Q(**{f"{alias}__icontains": form})
        else:
            for needle in needles:
                condition |= Q(**{f"{field.attname}__icontains": needle})
    return qs.filter(condition)


def names_scrub(*, needles: list[str], replacement: str, network_ids: list[int]) -> int:
    """Replace the needles in every text column of every model (see the module docstring for which
    rows); returns how many rows changed."""
    if not needles:
        return 0
    changed = 0
    for model in apps.get_models():
        meta = model._meta
        if meta.label_lower in SKIPPED or meta.proxy or not meta.managed:
            continue
        fields = _fields(model)
        if not fields:
            continue
        rows = _matching(model, fields, needles)
        network = next((f for f in meta.concrete_fields if f.name == "network" and f.is_relation), None)
        if network is not None:
            rows = rows.filter(Q(network_id__in=network_ids) | Q(network__isnull=True))
        for row in rows.only("pk", *(f.attname for f in fields)).iterator():
            updates = {}
            for field in fields:
                before = getattr(row, field.attname)
                after = text_scrub(before, needles=needles, replacement=replacement)
                if after != before:
                    if isinstance(after, str) and field.max_length and isinstance(field, models.CharField):
                        after = after[: field.max_length]  # a pseudonym may be longer than the name
                    updates[field.attname] = after
            if updates:
                model._default_manager.filter(pk=row.pk).update(**updates)
                changed += 1
    return changed
