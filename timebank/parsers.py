"""JSON bodies whose text can be stored: a lone surrogate ("\\ud800") is valid JSON but not Unicode that
PostgreSQL or UTF-8 can hold, so it is refused at the door with a 400 (or an error frame on the socket)."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def has_lone_surrogate(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(item) for item in value)
    return False


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if has_lone_surrogate(data):
            raise ParseError("JSON parse error - text must be valid Unicode.")
        return data
