"""Client frames on the socket: size, JSON and shape checked before any handler sees them.

A bad frame raises `FrameError`, which the consumer sends back as an `error` frame; JSON is read by
`timebank.jsontext`, the same reader the API and the account endpoints use.
"""

from typing import Any

from django.utils.translation import gettext as _

from timebank import jsontext
from timebank.ids import is_id

MAX_FRAME_BYTES = 64 * 1024
BIGINT = 2**63


class FrameError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def frame_parse(raw: str | bytes | None) -> dict[str, Any]:
    """The frame as a dict with a text `type`, or FrameError."""
    raw = raw or b""
    # A str is never shorter in characters than in bytes, so the cheap check goes first.
    if len(raw) > MAX_FRAME_BYTES or (isinstance(raw, str) and len(raw.encode(errors="replace")) > MAX_FRAME_BYTES):
        raise FrameError("too_large", _("Frames are limited to 64 KB."))
    try:
        content = jsontext.loads(raw)
    except jsontext.BadJSON as exc:
        raise FrameError("bad_json", exc.message) from None
    if not isinstance(content, dict) or not isinstance(content.get("type"), str):
        raise FrameError("bad_frame", _('A frame is a JSON object with a "type".'))
    return content


def int_field(content: dict, name: str) -> int:
    value = content.get(name)
    # Bounded to the database's bigint, so an absurd number is a validation error, not an overflow.
    if isinstance(value, bool) or not isinstance(value, int) or not -BIGINT <= value < BIGINT:
        raise FrameError("validation_error", _('"%(name)s" must be a whole number.') % {"name": name})
    return value


def str_field(content: dict, name: str, *, required: bool = True) -> str:
    value = content.get(name, None if required else "")
    if not isinstance(value, str):
        raise FrameError("validation_error", _('"%(name)s" must be text.') % {"name": name})
    return value


def since_field(content: dict) -> dict[int, int]:
    since = content.get("since", {})
    message = _('"since" maps conversation ids to the last seq you have.')
    if not isinstance(since, dict):
        raise FrameError("validation_error", message)
    out = {}
    for key, value in since.items():
        bad_value = isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < BIGINT
        if not is_id(key) or int(key) >= BIGINT or bad_value:
            raise FrameError("validation_error", message)
        out[int(key)] = value
    return out
