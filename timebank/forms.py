"""Form fields every page shares."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from timebank.durations import duration_text
from timebank.widgets import HoursMinutesWidget


def how_long_range(least: int, most: int) -> str:
    """The one way every page says a time is out of range."""
    return _("Say how long: from %(least)s up to %(most)s.") % {
        "least": duration_text(least),
        "most": duration_text(most),
    }


class HoursMinutesField(forms.MultiValueField):
    """How long, typed as hours and minutes as people say it; cleaned to the whole time in minutes (what the
    services take), between `least` and `most` minutes, with the error in the same words."""

    widget = HoursMinutesWidget

    def __init__(self, *, most: int, least: int = 1, **kwargs):
        whole = gettext_lazy("Use whole numbers of hours and minutes.")
        errors = {"invalid": whole, "min_value": whole}
        parts = (
            forms.IntegerField(min_value=0, required=False, error_messages=errors),
            forms.IntegerField(min_value=0, required=False, error_messages=errors),
        )
        kwargs.setdefault("error_messages", {"required": gettext_lazy("Say how long.")})
        super().__init__(parts, require_all_fields=False, **kwargs)
        self.least, self.most = least, most

    def compress(self, data_list):
        if not data_list or all(part in (None, "") for part in data_list):
            return None
        hours, minutes = (part or 0 for part in data_list)
        total = hours * 60 + minutes
        if not self.least <= total <= self.most:
            raise ValidationError(how_long_range(self.least, self.most), code="range")
        return total
