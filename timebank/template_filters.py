"""Filters every template has without `{% load %}` (settings: TEMPLATES OPTIONS "builtins")."""

from django import template

from timebank.durations import duration_text

register = template.Library()


@register.filter
def duration(minutes) -> str:
    """`{{ account.balance|duration }}` → "1 h 15 min"."""
    return duration_text(minutes)


@register.filter
def duration_signed(minutes) -> str:
    """`{{ line.change|duration_signed }}` → "+1 h" or "−30 min"."""
    return duration_text(minutes, signed=True)
