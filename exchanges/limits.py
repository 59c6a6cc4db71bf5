"""How many minutes one thing may carry: the one home of every minutes limit.

Services enforce these; forms and serializers only reflect them (max_value) and read them from here.
"""

from django.utils.translation import gettext as _

from timebank.errors import ValidationError

# The largest transfer, whatever its kind and whichever door asks for it (page, API, exchange).
MAX_TRANSFER_MINUTES = 1_000_000
# One piece of help, recorded in one go: 100 hours. Exchanges, claims, resolutions, listings' estimates.
MAX_HELP_MINUTES = 6_000


def minutes_check(minutes, *, most: int, least: int = 1, field: str = "minutes") -> int:
    """`minutes` as a whole number from `least` to `most`, or a ValidationError on `field`."""
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not least <= minutes <= most:
        raise ValidationError(
            {field: [_("Give the time in whole minutes, from %(least)d to %(most)d.") % {"least": least, "most": most}]}
        )
    return minutes
