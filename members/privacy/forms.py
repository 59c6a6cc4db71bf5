"""Forms for the "Your data" pages: erasing your account, a coordinator erasing a supported member."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.audit import REASON_MAX


class MeEraseForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm it is you"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class MemberEraseForm(forms.Form):
    reason = forms.CharField(label=_("Why is this member erased?"), max_length=REASON_MAX, required=False)
