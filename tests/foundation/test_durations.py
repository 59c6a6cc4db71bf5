"""Time as people say it: one helper for pages, emails and notifications, and its template filters."""

from django.template import Context, Template
from django.utils import translation

from timebank.durations import duration_spoken, duration_text


def test_minutes_read_as_hours_and_minutes():
    assert duration_text(75) == "1 h 15 min"
    assert duration_text(60) == "1 h"
    assert duration_text(45) == "45 min"
    assert duration_text(0) == "0 min"
    assert duration_text(None) == "0 min"
    assert duration_text(600) == "10 h"


def test_a_debt_reads_with_a_minus_sign_and_a_signed_change_with_plus():
    assert duration_text(-60) == "\u22121 h"
    assert duration_text(-75) == "\u22121 h 15 min"
    assert duration_text(30, signed=True) == "+30 min"
    assert duration_text(-30, signed=True) == "\u221230 min"
    assert duration_text(0, signed=True) == "0 min"


def test_the_spoken_form_uses_whole_words():
    assert duration_spoken(75) == "1 hour 15 minutes"
    assert duration_spoken(120) == "2 hours"
    assert duration_spoken(1) == "1 minute"
    assert duration_spoken(-60) == "minus 1 hour"


def test_every_template_has_the_filters_without_loading_them():
    with translation.override("en"):
        html = Template("{{ a|duration }} / {{ b|duration_signed }}").render(Context({"a": 135, "b": -15}))
    assert html == "2 h 15 min / \u221215 min"
