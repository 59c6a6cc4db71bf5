"""Database ids from user input: ASCII digits that fit a bigint, never a 500."""

MAX_ID = 2**63 - 1


def is_id(value) -> bool:
    """True for a positive id. (str.isdigit() also accepts digits like "²", which int() refuses.)"""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


def parse_id(value) -> int:
    """An id from a form field or body; ValueError when it is not one."""
    if isinstance(value, bool) or not is_id(value):
        raise ValueError(value)
    return int(value)
