"""Characters no text a person writes may hold, and what makes a name visible: one rule, asked by every
field a person writes in — the API's text fields (`timebank.fields.Text`), the pages' posted forms and
allauth's bodies (`timebank.input_guard`), and messages, whichever way they come (`messaging.services`).

Refused: C0 and C1 control characters and DEL, except the spacing ones — tab, newline, carriage return,
and the vertical tab and form feed that text pasted from a word processor brings (refused: terminal escapes,
bells, backspaces), and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
make text read as something else ("\u202eGrace"). Joiners, marks and every script stay welcome: an emoji
family is held together by zero-width joiners, and Welsh, Arabic or Hebrew need no override.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from timebank import errors

# The refused characters as a regular expression's class, for Python and the API's schema alike (NUL is
# refused apart, with its own words, and added by the schema).
REFUSED_CLASS = r"\x01-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_REFUSED = re.compile(f"[{REFUSED_CLASS}]")
# Letters that show as nothing though Unicode calls them letters or symbols.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_UNSEEN_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"})


def refused_character(text: str) -> str | None:
    """The first character `text` may not hold (NUL is refused on its own, with its own words), or None."""
    found = _REFUSED.search(text)
    return found.group() if found else None


def refused_in(value) -> str | None:
    """The first refused character anywhere in `value` (JSON, or a QueryDict as {key: [values]}: keys and
    strings at any depth; iterative), or None."""
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            character = refused_character(value)
            if character is not None:
                return character
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list | tuple):
            pending.extend(value)
    return None


def refusal_message(character: str) -> str:
    return _(
        "This text holds an invisible control character (U+%(code)04X), which no field accepts: "
        "remove it and try again."
    ) % {"code": ord(character)}


def no_controls(text) -> None:
    """A field's validator (DRF and Django forms alike)."""
    if isinstance(text, str):
        character = refused_character(text)
        if character is not None:
            raise ValidationError(refusal_message(character), code="invalid")


def visible(text: str) -> bool:
    """At least one character that shows: not a space, a joiner, a mark of direction or a blank letter."""
    return any(unicodedata.category(ch) not in _UNSEEN_CATEGORIES and ch not in _BLANK_LETTERS for ch in text)


NAME_LENGTH = 80


def name_clean(value, field: str = "display_name") -> str:
    """A person's name as others see it: trimmed, up to NAME_LENGTH characters, at least one that shows."""
    name = value.strip() if isinstance(value, str) else ""
    if not visible(name) or len(name) > NAME_LENGTH:
        raise errors.ValidationError(
            {field: [_("Give a name of 1 to %(most)d characters, at least one that shows.") % {"most": NAME_LENGTH}]}
        )
    return name
