"""The preferences form for pages (the account settings page and the notifications page use it); the API's
serializer says the same. Both hand what they read to `preferences_set`."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from messaging.notifications.kinds import PUSH_GROUPS
from messaging.notifications.models import NotificationPreference


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    email_digest = forms.ChoiceField(
        label=_("Email me about anything I have not seen"), choices=NotificationPreference.Digest.choices
    )
    push = forms.BooleanField(label=_("Notifications on this phone or computer"), required=False)
    sms = forms.BooleanField(label=_("Text messages for what needs an answer"), required=False)
    push_groups = forms.MultipleChoiceField(
        label=_("Push on this phone: tell me about"),
        choices=list(PUSH_GROUPS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, initial: dict | None = None, **kwargs):
        # The service's shape ({group: true or false}) as the ticked boxes.
        if initial and isinstance(initial.get("push_groups"), dict):
            initial = initial | {"push_groups": [group for group, on in initial["push_groups"].items() if on]}
        super().__init__(*args, initial=initial, **kwargs)

    def clean_push_groups(self) -> dict[str, bool]:
        """The ticked boxes as the service takes them: every group, on or off."""
        ticked = set(self.cleaned_data["push_groups"])
        return {group: group in ticked for group in PUSH_GROUPS}
