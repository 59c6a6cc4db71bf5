"""The one JSON reader for what clients send (API bodies, allauth's headless bodies, socket frames).

It refuses, as a `BadJSON` the caller turns into a 400 or an error frame: text that is not JSON,
nesting deeper than anything the product takes (`json.loads` raises RecursionError, not ValueError,
at about 1,000 levels), and strings UTF-8 cannot hold (a lone surrogate). A NUL is left to the fields
(DRF's and the services' text checks refuse it), so its error names the field.
"""

import json
from typing import Any

from django.utils.translation import gettext as _

# The deepest body the product takes is three levels ({"groups": [["A", "B"]]}); this leaves room.
MAX_DEPTH = 32


class BadJSON(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON (RFC 8259), though Python's reader takes them.
    raise ValueError(f"{name} is not valid JSON")


def has_lone_surrogate(value: Any) -> bool:
    """True when any string in `value` (keys included) is not valid Unicode. Iterative: any depth."""
    return _first_problem(value, max_depth=None) is not None


def _encodes(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _first_problem(value: Any, *, max_depth: int | None) -> BadJSON | None:
    # A stack, not recursion: a walker that recurses fails on nesting far shallower than json.loads does.
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not _encodes(item):
                return BadJSON("bad_json", _("Text must be valid Unicode."))
        elif isinstance(item, (dict, list)):
            if max_depth is not None and depth >= max_depth:
                return BadJSON(
                    "too_deep", _("JSON may be nested at most %(depth)d levels deep.") % {"depth": max_depth}
                )
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def check(value: Any, *, max_depth: int = MAX_DEPTH) -> Any:
    """`value` unchanged, or BadJSON when it is nested too deeply or holds text that is not Unicode."""
    problem = _first_problem(value, max_depth=max_depth)
    if problem is not None:
        raise problem
    return value


def loads(raw: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse and check client JSON; BadJSON for anything the product cannot take."""
    try:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        value = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise BadJSON(
            "too_deep", _("JSON may be nested at most %(depth)d levels deep.") % {"depth": max_depth}
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadJSON("bad_json", _("Not valid JSON: %(reason)s") % {"reason": exc}) from None
    return check(value, max_depth=max_depth)
