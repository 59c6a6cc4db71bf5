"""Forms for recording checks and raising or closing concerns."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.safeguarding.models import SafeguardingCheck
from members.selectors import MAX_ID
from timebank.widgets import DateInput


class CheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of check"), choices=SafeguardingCheck.Kind.choices)
    referee = forms.CharField(label=_("Reference from (for references)"), max_length=120, required=False)
    dbs_level = forms.ChoiceField(
        label=_("DBS level (for DBS checks)"), required=False, choices=[("", "—"), *SafeguardingCheck.DbsLevel.choices]
    )
    certificate_number = forms.CharField(label=_("DBS certificate number"), max_length=30, required=False)
    decision = forms.ChoiceField(label=_("Decision"), choices=SafeguardingCheck.Decision.choices)
    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput())
    review_on = forms.DateField(label=_("Review on (optional)"), required=False, widget=DateInput())


class ConcernForm(forms.Form):
    member = forms.TypedChoiceField(
        label=_("Who is it about? (optional)"), coerce=int, required=False, empty_value=None
    )
    happened_offline = forms.BooleanField(label=_("It happened away from the app"), required=False)
    description = forms.CharField(
        label=_("What worries you?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    exchange = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    conversation = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)

    def __init__(self, *args, members: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("Nobody in particular")), *members]


class ConcernCloseForm(forms.Form):
    resolution = forms.CharField(label=_("What was done"), max_length=1000)
