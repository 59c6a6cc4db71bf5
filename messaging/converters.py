"""A path converter for database ids: digits that fit a bigint, so an absurd id is a 404, not an overflow."""

from django.urls import register_converter

from timebank.ids import MAX_ID, parse_id  # noqa: F401  (re-exported for messaging)


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "tb_id")
