"""Form widgets for the browser's own pickers, which read and write ISO values only.

A date box given a value in the page's locale format ("31/01/2027") shows nothing, and a form saved
from it sends nothing back: a listing's end date was lost on every edit that way. These widgets always
write ISO ("2027-01-31", "2027-01-31T10:30"), which Django's date fields always accept.
"""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class HoursMinutesWidget(forms.MultiWidget):
    """Two numbers, hours and minutes, each with its own label (`timebank.forms.HoursMinutesField`)."""

    template_name = "widgets/hours_minutes.html"

    def __init__(self, attrs=None):
        number = {"inputmode": "numeric", "min": "0"}
        super().__init__([forms.NumberInput(attrs=number), forms.NumberInput(attrs=number)], attrs)

    def decompress(self, value):
        if value in (None, ""):
            return [None, None]
        hours, minutes = divmod(int(value), 60)
        return [hours, minutes]

    def value_from_datadict(self, data, files, name):
        # A form that sends the whole time in minutes under the field's own name (as before) works too.
        if f"{name}_0" not in data and f"{name}_1" not in data and name in data:
            return [None, data.get(name)]
        return super().value_from_datadict(data, files, name)
