"""The API's JSON parser: bodies read through `timebank.jsontext` (depth, Unicode) and capped in size.

DRF reads a JSON body straight from the request stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
check on `request.body`, so the cap is applied here too: one setting bounds every body.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from timebank import jsontext
from timebank.jsontext import has_lone_surrogate  # noqa: F401  (re-exported)


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def body_limit() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_message() -> str:
    return _("Request bodies are limited to %(kib)d KiB.") % {"kib": body_limit() // 1024}


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = body_limit()
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(too_large_message())
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(
                _("JSON parse error - the body is not %(encoding)s text.") % {"encoding": encoding}
            ) from None
        try:
            return jsontext.loads(text)
        except jsontext.BadJSON as exc:
            raise ParseError(_("JSON parse error - %(reason)s") % {"reason": exc.message}, code=exc.code) from None
