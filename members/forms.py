"""Forms for the people and networks pages; they only parse input, the services decide."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from members import announcements, services
from members.audit import REASON_MAX
from members.audit_words import kind_choices
from members.models import Membership, Network
from members.profiles import AVAILABILITY_SLOTS
from timebank.controls import NAME_LENGTH
from timebank.widgets import DateInput


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=REASON_MAX, required=False)


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=NAME_LENGTH)
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
    display_name = forms.CharField(label=_("Their name"), max_length=NAME_LENGTH)
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


class NetworkSettingsForm(forms.Form):
    """A network's rules; the service (`network_settings_set`) checks them, these bounds only guide."""

    name = forms.CharField(label=_("Name"), max_length=services.NAME_LENGTH)
    description = forms.CharField(
        label=_("About the network"),
        max_length=services.DESCRIPTION_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    approval = forms.ChoiceField(
        label=_("A coordinator approves help before it happens"),
        choices=[
            (Network.Approval.NEVER, _("Never")),
            (Network.Approval.SENSITIVE, _("Only for sensitive help (lifts, personal care, children)")),
            (Network.Approval.ALWAYS, _("Always")),
        ],
        widget=forms.RadioSelect,
    )
    # Hours and minutes as two whole numbers, so every stored number of minutes shows and saves exactly.
    floor_hours = forms.IntegerField(
        label=_("How far into debt a member may go: hours"),
        help_text=_("0 means nobody may spend more than they have earned. Applies to accounts opened from now on."),
        min_value=0,
        max_value=-services.FLOOR_LOWEST // 60,
    )
    floor_more_minutes = forms.IntegerField(label=_("and minutes"), min_value=0, max_value=59, required=False)
    autoconfirm_days = forms.IntegerField(
        label=_("Days before help is confirmed if nobody answers"),
        min_value=services.AUTOCONFIRM_DAYS[0],
        max_value=services.AUTOCONFIRM_DAYS[1],
    )
    hourly_value_pounds = forms.DecimalField(
        label=_("What an hour is worth, in pounds (for reports)"),
        min_value=0,
        max_value=services.HOURLY_VALUE_MOST,
        decimal_places=2,
    )
    k = forms.IntegerField(
        label=_("Smallest group shown in reports"),
        help_text=_("Any count of people below this is hidden in reports, so nobody can be picked out."),
        min_value=services.K_RANGE[0],
        max_value=services.K_RANGE[1],
    )
    welcome_hours = forms.IntegerField(
        label=_("Welcome hours for each new member"),
        min_value=0,
        max_value=services.WELCOME_MINUTES_MOST // 60,
    )
    welcome_more_minutes = forms.IntegerField(label=_("and minutes"), min_value=0, max_value=59, required=False)
    join_questions = forms.CharField(
        label=_("Questions for people asking to join"),
        help_text=_("One question a line; leave empty to ask none."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Required by the service (members.audit.reason_clean), which says so on the form.
    reason = forms.CharField(
        label=_("Why are you changing this?"),
        help_text=_("Kept in the record with the change."),
        max_length=REASON_MAX,
        required=False,
    )

    @staticmethod
    def initial_of(settings: dict) -> dict:
        return {
            **settings,
            # A floor is stored as minutes at or below 0; the page asks how far below, as hours and minutes.
            "floor_hours": -settings["floor_minutes"] // 60,
            "floor_more_minutes": -settings["floor_minutes"] % 60,
            "welcome_hours": settings["welcome_minutes"] // 60,
            "welcome_more_minutes": settings["welcome_minutes"] % 60,
            "join_questions": "\n".join(settings["join_questions"]),
        }

    def changes(self) -> dict:
        """The settings in the service's words (minutes, a list of questions)."""
        data = dict(self.cleaned_data)
        data.pop("reason")
        data["floor_minutes"] = -(data.pop("floor_hours") * 60 + (data.pop("floor_more_minutes") or 0))
        data["welcome_minutes"] = data.pop("welcome_hours") * 60 + (data.pop("welcome_more_minutes") or 0)
        data["join_questions"] = [line.strip() for line in data["join_questions"].splitlines() if line.strip()]
        return data


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=announcements.TITLE_LENGTH)
    body = forms.CharField(
        label=_("What do you want to tell everyone?"),
        max_length=announcements.BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts_on = forms.DateField(label=_("Starts on (for an event)"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on (for an event)"), required=False, widget=DateInput())


class AuditFilterForm(forms.Form):
    member = forms.ChoiceField(label=_("Member"), required=False)
    kind = forms.ChoiceField(label=_("Kind of event"), required=False)

    def __init__(self, *args, people: list[tuple[int, str]], kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("Anyone")), *[(str(pk), name) for pk, name in people]]
        self.fields["kind"].choices = [("", _("Any")), *kind_choices(kinds)]
