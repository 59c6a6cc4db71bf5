"""Forms for the listing and exchange pages; they only parse input, the services decide."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exchanges.limits import MAX_HELP_MINUTES
from exchanges.listings import SLOTS
from exchanges.models import Listing
from members.acting import acting_scope
from members.audit import REASON_MAX
from members.models import AVAILABILITY_DAYS, AVAILABILITY_PARTS, Membership, Network, Skill, SkillCategory, User
from members.selectors import networks_of

SLOT_CHOICES = [(f"{d}-{p}", f"{d.capitalize()} {p}") for d in AVAILABILITY_DAYS for p in AVAILABILITY_PARTS]
assert {value for value, _label in SLOT_CHOICES} == SLOTS


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
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.select_related("category"),
        required=False,
        label=_("Kinds of help (optional)"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    minutes_estimate = forms.IntegerField(
        min_value=1, max_value=MAX_HELP_MINUTES, required=False, label=_("About how many minutes?")
    )
    availability = forms.MultipleChoiceField(
        choices=SLOT_CHOICES, required=False, label=_("When are you free?"), widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        required=False, label=_("Show it until (optional)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user: User, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = trading_networks(user)
        if editing:
            del self.fields["network"]
            del self.fields["kind"]
            self.fields["status"] = forms.ChoiceField(choices=Listing.Status.choices, label=_("Show it?"))


class BrowseForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    kind = forms.ChoiceField(
        required=False,
        label=_("Show"),
        choices=[("", _("Offers and requests")), ("offer", _("Offers of help")), ("request", _("Requests for help"))],
    )
    category = forms.ChoiceField(required=False, label=_("Kind of help"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any"))] + list(SkillCategory.objects.values_list("slug", "name"))


class MinutesForm(forms.Form):
    minutes = forms.IntegerField(min_value=1, max_value=MAX_HELP_MINUTES, label=_("How many minutes?"))


class ProposeForm(MinutesForm):
    description = forms.CharField(
        required=False, max_length=2000, label=_("A note (optional)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ScheduleForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label=_("When will it happen?"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ReasonForm(forms.Form):
    # Whether a reason is required is the service's to say (members.audit.reason_clean), page and API alike.
    reason = forms.CharField(max_length=REASON_MAX, required=False, label=_("Why? (kept in the record)"))


class ResolveForm(ReasonForm):
    minutes = forms.IntegerField(min_value=0, max_value=MAX_HELP_MINUTES, label=_("Minutes to pay (0 cancels)"))


class RecordForm(forms.Form):
    """ "I helped someone" / "someone helped me": help arranged off-platform, claimed in one step."""

    who = forms.ChoiceField(label=_("Who is this for?"))
    other = forms.ChoiceField(label=_("Who was it with?"))
    minutes = forms.IntegerField(min_value=1, max_value=MAX_HELP_MINUTES, label=_("How many minutes?"))
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
