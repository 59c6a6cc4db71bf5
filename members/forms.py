"""Forms for the people and networks pages; they only parse input, the services decide."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from members.audit import REASON_MAX
from members.models import Membership
from members.profiles import AVAILABILITY_SLOTS


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=REASON_MAX, required=False)


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=80)
    bio = forms.CharField(
        label=_("About you"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    neighbourhood = forms.CharField(
        label=_("Neighbourhood"), max_length=80, required=False, help_text=_("Your area, never your street address.")
    )
    skills_offered = forms.MultipleChoiceField(label=_("I can help with"), required=False)
    skills_wanted = forms.MultipleChoiceField(label=_("I would like help with"), required=False)
    availability = forms.MultipleChoiceField(
        label=_("When I am free"), required=False, choices=[(s, s) for s in AVAILABILITY_SLOTS]
    )
    phone = forms.CharField(
        label=_("Phone (only coordinators and your supporter see it)"), max_length=30, required=False
    )
    emergency_contact = forms.CharField(
        label=_("Emergency contact (only coordinators and your supporter see it)"), max_length=200, required=False
    )

    def __init__(self, *args, skill_slugs: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("skills_offered", "skills_wanted"):
            self.fields[name].choices = [(s, s) for s in skill_slugs]


class SupportedMemberForm(forms.Form):
    display_name = forms.CharField(label=_("Their name"), max_length=80)
    neighbourhood = forms.CharField(label=_("Neighbourhood (optional)"), max_length=80, required=False)
    supporter = forms.TypedChoiceField(
        label=_("Their supporter (optional)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, supporters: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supporter"].choices = [("", _("No supporter yet")), *supporters]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=REASON_MAX, required=False)


class SupportLinkForm(forms.Form):
    supporter = forms.TypedChoiceField(label=_("Add a supporter"), coerce=int)

    def __init__(self, *args, supporters: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supporter"].choices = supporters


class NeighbourhoodsForm(forms.Form):
    """Groups of nearby neighbourhoods as a coordinator writes them: one group a line, names by commas."""

    groups = forms.CharField(
        label=_("Neighbourhoods near each other"),
        help_text=_("One group a line, names separated by commas, e.g. “Harlesden Town, Church End, Stonebridge”."),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    @staticmethod
    def as_text(groups: list[list[str]]) -> str:
        return "\n".join(", ".join(group) for group in groups)

    def groups_list(self) -> list[list[str]]:
        lines = self.cleaned_data["groups"].splitlines()
        return [[name for name in line.split(",")] for line in lines if line.strip()]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
