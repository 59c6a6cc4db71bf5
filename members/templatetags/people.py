"""`{% load people %}`: people's words for what the models store as codes."""

from django import template

from members.models import slot_words

register = template.Library()


@register.filter
def availability(slots) -> str:
    """`["sat-morning", "mon-evening"]` → "Saturday morning, Monday evening"."""
    return ", ".join(slot_words(s) for s in slots or [])
