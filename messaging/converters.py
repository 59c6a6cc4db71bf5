"""A path converter for database ids: digits that fit a bigint, so an absurd id is a 404, not an overflow."""

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def parse_id(value) -> int:
    """An id from a form field; ValueError when it is not one."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


register_converter(IdConverter, "tb_id")
