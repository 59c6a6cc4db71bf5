"""The preferences form for pages (the account settings page and the notifications page use it); the API's
serializer says the same. Both hand what they read to `preferences_set`."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from messaging.notifications.models import NotificationPreference


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    email_digest = forms.ChoiceField(
        label=_("Email me about anything I have not seen"), choices=NotificationPreference.Digest.choices
    )
    push = forms.BooleanField(label=_("Notifications on this phone or computer"), required=False)
    sms = forms.BooleanField(label=_("Text messages for what needs an answer"), required=False)
