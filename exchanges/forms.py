"""Forms for the listing and exchange pages; they only parse input, the services decide."""

from django import forms
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from exchanges.limits import MAX_HELP_MINUTES
from exchanges.listings import MAX_SKILLS, SLOTS
from exchanges.models import Listing
from exchanges.selectors import LISTING_SEARCH_MAX_LENGTH
from members.acting import acting_scope
from members.audit import REASON_MAX
from members.models import (
    AVAILABILITY_DAYS,
    AVAILABILITY_PARTS,
    DAY_NAMES,
    PART_NAMES,
    Membership,
    Network,
    Skill,
    SkillCategory,
    User,
)
from members.selectors import networks_of
from timebank.forms import HoursMinutesField, how_long_range
from timebank.ids import is_id
from timebank.widgets import DateInput, DateTimeInput

# "Saturday morning", in the reader's language (lazy: chosen when the form is shown).
SLOT_CHOICES = [
    (f"{d}-{p}", format_lazy("{} {}", DAY_NAMES[d], PART_NAMES[p]))
    for d in AVAILABILITY_DAYS
    for p in AVAILABILITY_PARTS
]
assert {value for value, _label in SLOT_CHOICES} == SLOTS


class ChoicesByIdField(forms.ModelMultipleChoiceField):
    """A choice of rows by id in which a number no id can be ("99999999999999999999") is an invalid
    choice like any other unknown id, not a query the database refuses."""

    def _check_values(self, value):
        for pk in value or ():
            if not is_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


def skill_choices_grouped() -> list[tuple[str, list[tuple[int, str]]]]:
    """Every skill under its category, both in the reader's language and order: a list a phone can scan."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for skill in Skill.objects.select_related("category"):
        groups.setdefault(str(skill.category.label), []).append((skill.pk, skill.label))
    return [
        (category, sorted(skills, key=lambda s: s[1].casefold()))
        for category, skills in sorted(groups.items(), key=lambda g: g[0].casefold())
    ]


def trading_networks(user: User):
    return networks_of(user=user).filter(accounts__membership__user=user).order_by("name")


class ListingForm(forms.Form):
    network = forms.ModelChoiceField(queryset=Network.objects.none(), label=_("Network"), empty_label=None)
    kind = forms.ChoiceField(
        choices=[("offer", _("I can help with this")), ("request", _("I would like help with this"))],
        label=_("Are you offering or asking?"),
        widget=forms.RadioSelect,
    )
    title = forms.CharField(max_length=140, label=_("In a few words"))
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), label=_("More about it (optional)")
    )
    skills = ChoicesByIdField(
        queryset=Skill.objects.select_related("category"),
        required=False,
        label=_("Kinds of help (optional)"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    minutes_estimate = HoursMinutesField(most=MAX_HELP_MINUTES, required=False, label=_("About how long? (optional)"))
    availability = forms.MultipleChoiceField(
        choices=SLOT_CHOICES, required=False, label=_("When are you free?"), widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(required=False, label=_("Show it until (optional)"), widget=DateInput())

    def __init__(self, *args, user: User, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["skills"].choices = skill_choices_grouped()
        self.fields["skills"].help_text = _("We read what you write; pick any that fit, up to %(most)d.") % {
            "most": MAX_SKILLS
        }
        self.fields["network"].queryset = trading_networks(user)
        acting = acting_memberships(user)
        if acting and not editing:
            # A supporter (or coordinator) posts for a member they act with; the service checks it again.
            self.fields["owner"] = forms.ChoiceField(
                label=_("Who is it for?"),
                choices=[("me", _("Me"))] if self.fields["network"].queryset.exists() else [],
            )
            self.fields["owner"].choices += [(f"m:{m.pk}", f"{m.user.name} ({m.network.name})") for m in acting]
            self.order_fields(["owner"])
            self.fields["network"].queryset = networks_of(user=user).order_by("name")
            self.fields["network"].required = False
            self.fields["network"].help_text = _("For yourself; a listing for someone else is in their network.")
            self._acting = {f"m:{m.pk}": m for m in acting}
        if editing:
            del self.fields["network"]
            del self.fields["kind"]
            self.fields["status"] = forms.ChoiceField(choices=Listing.Status.choices, label=_("Show it?"))

    def clean(self):
        data = super().clean()
        if self.editing:
            return data  # a listing keeps its owner and network: only what it says changes
        owner = data.get("owner")
        if owner and owner != "me":
            membership = self._acting[owner]
            data["owner"], data["network"] = membership.user, membership.network
        else:
            data["owner"] = None
            if "network" in self.fields and not data.get("network") and "network" not in self.errors:
                self.add_error("network", _("Choose a network."))
        return data


def acting_memberships(user: User) -> list[Membership]:
    """The members with a time account this person acts with now (members.acting), by network and name."""
    networks = list(networks_of(user=user).values_list("pk", flat=True))
    scope = acting_scope(actor=user, network_ids=networks)
    pairs = Q(pk__in=[])
    for network_id, user_id in scope.acts_with():
        pairs |= Q(network_id=network_id, user_id=user_id)
    return list(
        Membership.objects.filter(pairs, status="active", account__isnull=False)
        .exclude(user=user)
        .select_related("user", "network")
        .order_by("network__name", "user__display_name")
    )


class BrowseForm(forms.Form):
    q = forms.CharField(required=False, max_length=LISTING_SEARCH_MAX_LENGTH, label=_("Search"))
    kind = forms.ChoiceField(
        required=False,
        label=_("Show"),
        choices=[("", _("Offers and requests")), ("offer", _("Offers of help")), ("request", _("Requests for help"))],
    )
    category = forms.ChoiceField(required=False, label=_("Kind of help"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = [(c.slug, c.label) for c in SkillCategory.objects.all()]
        self.fields["category"].choices = [("", _("Any"))] + sorted(categories, key=lambda c: c[1].casefold())


class MinutesForm(forms.Form):
    """How long, as hours and minutes; `cleaned_data["minutes"]` is the whole time in minutes (what the
    services take). A form that sends only `minutes` (any whole number) works too."""

    hours = forms.IntegerField(min_value=0, max_value=MAX_HELP_MINUTES // 60, required=False, label=_("Hours"))
    minutes = forms.IntegerField(min_value=0, max_value=MAX_HELP_MINUTES, label=_("and minutes"))

    def __init__(self, *args, **kwargs):
        initial = dict(kwargs.pop("initial", None) or {})
        if initial.get("minutes") and "hours" not in initial:
            initial["hours"], initial["minutes"] = divmod(int(initial["minutes"]), 60)
        super().__init__(*args, initial=initial, **kwargs)

    def clean(self):
        data = super().clean()
        hours = data.pop("hours", None) or 0
        if "minutes" in data:
            data["minutes"] += hours * 60
            if not 1 <= data["minutes"] <= MAX_HELP_MINUTES:
                self.add_error("minutes", how_long_range(1, MAX_HELP_MINUTES))
        return data


class ProposeForm(MinutesForm):
    description = forms.CharField(
        required=False, max_length=2000, label=_("A note (optional)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ScheduleForm(forms.Form):
    scheduled_for = forms.DateTimeField(label=_("When will it happen?"), widget=DateTimeInput())


class AskForm(forms.Form):
    """Asking a suggested helper: how long, in hours and minutes, and a first message."""

    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=MAX_HELP_MINUTES // 60, initial=1)
    minutes = forms.TypedChoiceField(
        label=_("and minutes"), coerce=int, choices=[(m, str(m)) for m in (0, 15, 30, 45)], initial=0
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say hello, what you need and when suits you."),
    )

    def clean(self):
        data = super().clean()
        if "hours" in data and "minutes" in data:
            data["total"] = data["hours"] * 60 + data["minutes"]
            if not 1 <= data["total"] <= MAX_HELP_MINUTES:
                raise forms.ValidationError(how_long_range(15, MAX_HELP_MINUTES))
        return data


class ReasonForm(forms.Form):
    # Whether a reason is required is the service's to say (members.audit.reason_clean), page and API alike.
    reason = forms.CharField(max_length=REASON_MAX, required=False, label=_("Why? (kept in the record)"))


class ResolveForm(ReasonForm):
    minutes = forms.IntegerField(min_value=0, max_value=MAX_HELP_MINUTES, label=_("Minutes to pay (0 cancels)"))


class RecordForm(forms.Form):
    """ "I helped someone" / "someone helped me": help arranged off-platform, claimed in one step."""

    who = forms.ChoiceField(label=_("Who is this for?"))
    other = forms.ChoiceField(label=_("Who was it with?"))
    minutes = HoursMinutesField(most=MAX_HELP_MINUTES, label=_("How long was it?"))
    description = forms.CharField(
        required=False, max_length=2000, label=_("What was it? (optional)"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        mine = Membership.objects.filter(user=user, status="active", account__isnull=False).select_related("network")
        networks = [m.network for m in mine]
        # The same rule as every other door (members.acting): whom this person acts with, now.
        scope = acting_scope(actor=user, network_ids=[n.pk for n in networks])
        pairs = Q(pk__in=[])
        for network_id, user_id in scope.acts_with():
            pairs |= Q(network_id=network_id, user_id=user_id)
        acting = Membership.objects.filter(pairs, status="active", account__isnull=False).exclude(user=user)
        self.fields["who"].choices = [("me", _("Me"))] + [
            (f"m:{m.pk}", f"{m.user.name} ({m.network.name})")
            for m in acting.select_related("user", "network").order_by("network__name", "user__display_name")
        ]
        others = Membership.objects.filter(network__in=networks, status="active", account__isnull=False).exclude(
            user=user
        )
        self.fields["other"].choices = [
            (f"m:{m.pk}", f"{m.user.name} ({m.network.name})")
            for m in others.select_related("user", "network").order_by("network__name", "user__display_name")
        ] + [(f"pot:{n.pk}", _("The network's pot (%(name)s)") % {"name": n.name}) for n in networks]


class ActivityForm(forms.Form):
    """A register for a group activity: who led it, who came, and which way the time goes."""

    RECEIVED, GAVE = "received", "gave"

    title = forms.CharField(label=_("What was it?"), max_length=140, help_text=_("For example: Coffee morning"))
    happened_on = forms.DateField(label=_("When was it?"), widget=DateInput())
    minutes = HoursMinutesField(most=MAX_HELP_MINUTES, label=_("How long for each person?"), initial=60)
    led_by = forms.ChoiceField(label=_("Who led it?"))
    direction = forms.ChoiceField(
        label=_("Which way does the time go?"),
        widget=forms.RadioSelect,
        initial=RECEIVED,
        choices=[
            (RECEIVED, _("Each person who came gives the time to whoever led it")),
            (GAVE, _("Whoever led it gives the time to each person who came (they helped)")),
        ],
    )
    came = forms.MultipleChoiceField(label=_("Who came?"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["led_by"].choices = [("pot", _("The network (its pot)")), *[(str(p), n) for p, n in people]]
        self.fields["came"].choices = [(str(p), n) for p, n in people]

    def parties(self) -> tuple[list, list]:
        """Providers and recipients in the service's words (user ids, or ["pot"])."""
        led = self.cleaned_data["led_by"]
        leader = ["pot"] if led == "pot" else [int(led)]
        came = [int(p) for p in self.cleaned_data["came"]]
        if self.cleaned_data["direction"] == self.RECEIVED:
            return leader, came
        return came, leader
