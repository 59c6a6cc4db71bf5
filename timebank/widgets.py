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
