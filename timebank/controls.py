"""Characters no text a person writes may hold, and what makes a name visible: one rule for the door
(`timebank.input_guard` for form posts, `timebank.jsontext` for JSON bodies and socket frames).

Refused: C0 and C1 control characters and DEL, except tab, newline and carriage return (terminal escapes,
bells, backspaces), and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
make text read as something else ("\u202eGrace"). Joiners, marks and every script stay welcome: an emoji
family is held together by zero-width joiners, and Welsh, Arabic or Hebrew need no override.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

ALLOWED_CONTROLS = "\t\n\r"
_REFUSED = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Letters that show as nothing though Unicode calls them letters or symbols.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_UNSEEN_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"})


def refused_character(text: str) -> str | None:
    """The first character `text` may not hold (NUL is refused on its own, with its own words), or None."""
    found = _REFUSED.search(text)
    return found.group() if found else None


def refused_in_fields(fields) -> tuple[str, str] | None:
    """(field name, character) of the first refused character in form fields (a QueryDict's `lists()`)."""
    for key, values in fields:
        for text in (key, *values):
            character = refused_character(text)
            if character is not None:
                return key, character
    return None


def refusal_message(character: str) -> str:
    return _(
        "This text holds an invisible control character (U+%(code)04X), which no field accepts: "
        "remove it and try again."
    ) % {"code": ord(character)}


def visible(text: str) -> bool:
    """At least one character that shows: not a space, a joiner, a mark of direction or a blank letter."""
    return any(unicodedata.category(ch) not in _UNSEEN_CATEGORIES and ch not in _BLANK_LETTERS for ch in text)
