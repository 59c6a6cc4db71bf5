"""REST endpoints for listings and exchanges (PRODUCT §4): parse, call one service or selector, render."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges import activities, selectors, services
from exchanges.ledger.apis import PartyField, idempotent_post
from exchanges.limits import MAX_HELP_MINUTES
from exchanges.listings import MAX_SKILLS
from exchanges.models import Exchange, Listing
from members.acting import acting_scope
from members.audit import REASON_MAX
from members.models import Skill, User
from members.profile_apis import SkillSlugField
from members.profiles import AVAILABILITY_SLOTS
from members.selectors import network_in_reach, networks_of, require_coordinator
from timebank.api import Pagination, paginated, query_valid
from timebank.errors import NotFound, ValidationError
from timebank.fields import Text
from timebank.schema import IDEMPOTENCY_KEY_SCHEMA


def _skills(slugs: list[str] | None) -> list[Skill] | None:
    if slugs is None:
        return None
    skills = list(Skill.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {s.slug for s in skills})
    if missing:
        raise ValidationError({"skills": [f"Unknown skill: {slug}" for slug in missing]})
    return skills


class ListingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    network = Text(source="network.slug")
    kind = Text()
    title = Text()
    description = Text()
    skills = serializers.SerializerMethodField()
    minutes_estimate = serializers.IntegerField(allow_null=True)
    owner = serializers.IntegerField(source="owner_id")
    status = Text()
    availability = serializers.ListField(child=Text())
    expires_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_skills(self, listing) -> list[str]:
        return [skill.slug for skill in listing.skills.all()]


class ListingListApi(APIView):
    pagination_class = Pagination

    @extend_schema_serializer(component_name="ListingCreate")
    class Input(serializers.Serializer):
        network = serializers.SlugField()
        kind = serializers.ChoiceField(choices=Listing.Kind.values)
        title = Text(max_length=140)
        description = Text(required=False, allow_blank=True, max_length=4000, default="")
        skills = serializers.ListField(child=SkillSlugField(), required=False, default=list, max_length=MAX_SKILLS)
        minutes_estimate = serializers.IntegerField(
            min_value=1, max_value=MAX_HELP_MINUTES, required=False, allow_null=True, default=None
        )
        availability = serializers.ListField(
            child=serializers.ChoiceField(choices=AVAILABILITY_SLOTS), required=False, default=list
        )
        expires_on = serializers.DateField(required=False, allow_null=True, default=None)
        owner = serializers.IntegerField(required=False, allow_null=True, default=None)

    class Filter(serializers.Serializer):
        class Meta:
            ref_name = "ListingListFilter"

        network = serializers.SlugField(required=False, help_text="A network slug (404 outside your networks).")
        kind = serializers.ChoiceField(choices=Listing.Kind.values, required=False)
        category = serializers.SlugField(required=False, help_text="A skill category slug.")
        skill = serializers.SlugField(required=False, help_text="A skill slug.")
        q = Text(required=False, max_length=selectors.LISTING_SEARCH_MAX_LENGTH, help_text="Words to search for.")
        status = serializers.ChoiceField(
            choices=[*Listing.Status.values, "all"], default=Listing.Status.OPEN, help_text="Default: open."
        )
        mine = serializers.BooleanField(default=False)

    @extend_schema(operation_id="listings_list", parameters=[Filter], responses=ListingOutput(many=True))
    def get(self, request):
        p = query_valid(self.Filter, request)
        qs = selectors.listings_browse(
            user=request.user,
            network=p.get("network"),
            kind=p.get("kind"),
            category=p.get("category"),
            skill=p.get("skill"),
            q=p.get("q"),
            status=None if p["status"] == "all" else p["status"],
            owner=request.user if p["mine"] else None,
        )
        return paginated(request, self, qs, ListingOutput)

    @extend_schema(operation_id="listings_create", request=Input, responses={201: ListingOutput})
    def post(self, request):
        data = _valid(self.Input, request.data)
        network = network_in_reach(user=request.user, slug=data.pop("network"))
        owner_id = data.pop("owner")
        owner = _member_user(owner_id, "owner") if owner_id else None
        listing = services.listing_create(
            actor=request.user, network=network, owner=owner, skills=_skills(data.pop("skills")), **data
        )
        return Response(ListingOutput(listing).data, status=201)


class ListingDetailApi(APIView):
    @extend_schema_serializer(component_name="ListingUpdate")
    class Input(serializers.Serializer):
        title = Text(max_length=140, required=False)
        description = Text(required=False, allow_blank=True, max_length=4000)
        skills = serializers.ListField(child=SkillSlugField(), required=False, max_length=MAX_SKILLS)
        minutes_estimate = serializers.IntegerField(
            min_value=1, max_value=MAX_HELP_MINUTES, required=False, allow_null=True
        )
        availability = serializers.ListField(child=serializers.ChoiceField(choices=AVAILABILITY_SLOTS), required=False)
        expires_on = serializers.DateField(required=False, allow_null=True)
        status = serializers.ChoiceField(choices=Listing.Status.values, required=False)

    @extend_schema(operation_id="listings_retrieve", responses=ListingOutput)
    def get(self, request, pk: int):
        return Response(ListingOutput(selectors.listing_get(user=request.user, pk=pk)).data)

    @extend_schema(operation_id="listings_update", request=Input, responses=ListingOutput)
    def patch(self, request, pk: int):
        listing = selectors.listing_get(user=request.user, pk=pk)
        if not isinstance(request.data, dict):
            raise ValidationError(_("Send a JSON object with the fields to change."))
        unknown = set(request.data) - set(self.Input().fields)
        if unknown:
            raise ValidationError({name: ["This cannot be changed."] for name in sorted(unknown)})
        data = _valid(self.Input, request.data, partial=True)
        if "skills" in data:
            data["skills"] = _skills(data["skills"])
        listing = services.listing_update(actor=request.user, listing=listing, **data)
        return Response(ListingOutput(listing).data)


class ExchangeOutput(serializers.BaseSerializer):
    def to_representation(self, exchange: Exchange) -> dict:
        data = services.exchange_serialize(exchange)
        request = self.context.get("request")
        if request is not None:
            data["actions"] = selectors.exchange_actions(
                user=request.user, exchange=exchange, context=self.context.get("actor_context")
            )
        return data


class ExchangeDoc(serializers.Serializer):
    """The shape of an exchange, for the OpenAPI schema (ExchangeOutput renders it)."""

    id = serializers.IntegerField()
    network = serializers.SlugField()
    listing = serializers.IntegerField(allow_null=True)
    provider = PartyField(help_text='A user id, or "pot".')
    recipient = PartyField(help_text='A user id, or "pot".')
    minutes = serializers.IntegerField()
    claimed_minutes = serializers.IntegerField(allow_null=True)
    held_minutes = serializers.IntegerField()
    description = Text()
    state = serializers.ChoiceField(choices=Exchange.State.values)
    needs_coordinator = serializers.BooleanField()
    held_because = Text(
        allow_null=True, help_text="Waiting for a coordinator's approval: why, in words (null otherwise)."
    )
    proposed_by = serializers.IntegerField()
    claimed_by = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    claimed_at = serializers.DateTimeField(allow_null=True)
    posted_at = serializers.DateTimeField(allow_null=True)
    scheduled_for = serializers.DateTimeField(allow_null=True, help_text="The agreed time, if set.")
    actions = serializers.ListField(child=Text(), help_text="What the caller can do now.")


class ExchangeScheduleApi(APIView):
    """`POST /exchanges/{id}/schedule/`: a party (or who acts for one) sets the agreed time of accepted help."""

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ExchangeSchedule"

        scheduled_for = serializers.DateTimeField(help_text="ISO 8601, in the future (within a year).")

    @extend_schema(operation_id="exchanges_schedule", request=Input, responses=ExchangeDoc)
    def post(self, request, pk: int):
        exchange = selectors.exchange_get(user=request.user, pk=pk)
        data = _valid(self.Input, request.data)
        exchange = services.exchange_schedule(actor=request.user, exchange=exchange, **data)
        return Response(ExchangeOutput(exchange, context={"request": request}).data)


def _valid(serializer_class, data, partial: bool = False) -> dict:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _member_user(user_id: int, field: str) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ValidationError({field: [_("No such member.")]})
    return user


class ExchangeListApi(APIView):
    pagination_class = Pagination

    @extend_schema_serializer(component_name="ExchangeCreate")
    class Input(serializers.Serializer):
        network = serializers.SlugField()
        listing = serializers.IntegerField(required=False, allow_null=True, default=None)
        provider = PartyField()
        recipient = PartyField()
        # The service checks the range (exchanges.limits); the schema says it too.
        minutes = serializers.IntegerField(min_value=1, max_value=MAX_HELP_MINUTES)
        description = Text(required=False, allow_blank=True, max_length=2000, default="")

    record = False

    class Filter(serializers.Serializer):
        class Meta:
            ref_name = "ExchangeListFilter"

        network = serializers.SlugField(required=False, help_text="A network slug (404 outside your networks).")
        state = serializers.ChoiceField(choices=Exchange.State.values, required=False)

    @extend_schema(operation_id="exchanges_list", parameters=[Filter], responses=ExchangeDoc(many=True))
    def get(self, request):
        p = query_valid(self.Filter, request)
        qs = selectors.exchanges_list(user=request.user, network=p.get("network"), state=p.get("state"))
        # Who-may-do-what is read once for the page, not once per exchange.
        ctx = acting_scope(actor=request.user, network_ids=networks_of(user=request.user).values("pk"))
        return paginated(request, self, qs, ExchangeOutput, actor_context=ctx)

    @extend_schema(operation_id="exchanges_propose", request=Input, responses={201: ExchangeDoc})
    def post(self, request):
        return self.create(request)

    def create(self, request):
        data = _valid(self.Input, request.data)
        network = network_in_reach(user=request.user, slug=data["network"])
        listing = None
        if data["listing"] is not None:
            listing = Listing.objects.filter(pk=data["listing"], network=network).first()
            if listing is None:
                raise ValidationError({"listing": [_("No such listing in this network.")]})
        create = services.exchange_record if self.record else services.exchange_propose
        exchange = create(
            actor=request.user,
            network=network,
            provider=None if data["provider"] == "pot" else _member_user(data["provider"], "provider"),
            recipient=None if data["recipient"] == "pot" else _member_user(data["recipient"], "recipient"),
            minutes=data["minutes"],
            description=data["description"],
            listing=listing,
        )
        return Response(ExchangeOutput(exchange, context={"request": request}).data, status=201)


class ExchangeRecordApi(ExchangeListApi):
    """Help arranged off-platform, claimed in one step: the same body as a proposal."""

    record = True
    http_method_names = ["post", "options"]

    @extend_schema(operation_id="exchanges_record", request=ExchangeListApi.Input, responses={201: ExchangeDoc})
    def post(self, request):
        return self.create(request)


class ExchangeDetailApi(APIView):
    @extend_schema(operation_id="exchanges_retrieve", responses=ExchangeDoc)
    def get(self, request, pk: int):
        exchange = selectors.exchange_get(user=request.user, pk=pk)
        return Response(ExchangeOutput(exchange, context={"request": request}).data)


ACTIONS = ["accept", "decline", "approve", "cancel", "complete", "confirm", "dispute", "resolve", "repeat"]


class ExchangeActionApi(APIView):
    """`POST /exchanges/{id}/{action}/`: one transition of PRODUCT §3."""

    @extend_schema_serializer(component_name="ExchangeComplete")
    class MinutesInput(serializers.Serializer):
        minutes = serializers.IntegerField()

    @extend_schema_serializer(component_name="ExchangeResolve")
    class ResolveInput(serializers.Serializer):
        minutes = serializers.IntegerField()
        reason = Text(max_length=REASON_MAX, required=False, allow_blank=True, default="")

    @extend_schema_serializer(component_name="ExchangeReason")
    class ReasonInput(serializers.Serializer):
        reason = Text(max_length=REASON_MAX, required=False, allow_blank=True, default="")

    SIMPLE = {
        "accept": services.exchange_accept,
        "decline": services.exchange_decline,
        "cancel": services.exchange_cancel,
        "confirm": services.exchange_confirm,
    }

    @extend_schema(
        operation_id="exchanges_action",
        description="action: accept, decline, approve, cancel, complete ({minutes}), confirm, dispute, "
        "resolve ({minutes, reason}; coordinators; 0 cancels), repeat (201, the new proposal).",
        request=ResolveInput,
        responses={200: ExchangeDoc, 201: ExchangeDoc},
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=ACTIONS)],
    )
    def post(self, request, pk: int, action: str):
        exchange = selectors.exchange_get(user=request.user, pk=pk)
        actor = request.user
        if action in self.SIMPLE:
            exchange = self.SIMPLE[action](actor=actor, exchange=exchange)
        elif action == "complete":
            data = _valid(self.MinutesInput, request.data)
            exchange = services.exchange_complete(actor=actor, exchange=exchange, minutes=data["minutes"])
        elif action == "resolve":
            data = _valid(self.ResolveInput, request.data)
            exchange = services.exchange_resolve(actor=actor, exchange=exchange, **data)
        elif action in ("approve", "dispute"):
            reason = _valid(self.ReasonInput, request.data)["reason"]
            service = services.exchange_approve if action == "approve" else services.exchange_dispute
            exchange = service(actor=actor, exchange=exchange, reason=reason)
        elif action == "repeat":
            new = services.exchange_repeat(actor=actor, exchange=exchange)
            return Response(ExchangeOutput(new, context={"request": request}).data, status=201)
        else:
            raise NotFound(_("No such action."))
        exchange = get_object_or_404(Exchange.objects.select_related("network"), pk=exchange.pk)
        return Response(ExchangeOutput(exchange, context={"request": request}).data)


class ActivityCreateApi(APIView):
    """A group activity recorded in one go (coordinators): each provider–recipient pair is one posted
    exchange, all or nothing; `Idempotency-Key` makes a retry safe."""

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ActivityCreateInput"

        network = serializers.SlugField(max_length=60)
        title = Text(max_length=activities.TITLE_LENGTH)
        happened_on = serializers.DateField(help_text="YYYY-MM-DD, within the last year.")
        minutes = serializers.IntegerField(min_value=1, max_value=MAX_HELP_MINUTES, help_text="For each pair.")
        providers = serializers.ListField(
            child=PartyField(), min_length=1, max_length=activities.MOST_PARTIES, help_text='User ids, or ["pot"].'
        )
        recipients = serializers.ListField(
            child=PartyField(), min_length=1, max_length=activities.MOST_PARTIES, help_text='User ids, or ["pot"].'
        )

        def validate_title(self, value):
            if not isinstance(self.initial_data.get("title"), str):
                raise serializers.ValidationError(_("Give some text."))
            return value

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "ActivityCreateOutput"

        id = serializers.IntegerField()
        exchanges = serializers.ListField(child=serializers.IntegerField())

    @extend_schema(
        request=Input,
        responses={201: Output},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                IDEMPOTENCY_KEY_SCHEMA,
                OpenApiParameter.HEADER,
                required=True,
                description="Unique per request and caller; a replay gets the first answer and writes nothing.",
            )
        ],
    )
    def post(self, request):
        return idempotent_post(self, request)

    def create(self, request) -> tuple[int, dict]:
        data = _valid(self.Input, request.data)
        network = network_in_reach(user=request.user, slug=data.pop("network"))
        activity = activities.activity_record(actor=request.user, network=network, **data)
        ids = list(activity.exchanges.order_by("pk").values_list("pk", flat=True))
        return 201, dict(self.Output({"id": activity.pk, "exchanges": ids}).data)


class IsolationListApi(APIView):
    """Who may be isolated (coordinators): active members, longest since their last confirmed exchange
    first; `days_since_last_exchange` null means never."""

    pagination_class = Pagination

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "IsolationOutput"

        member = serializers.IntegerField(source="membership.user_id")
        display_name = Text(source="membership.user.name")
        neighbourhood = Text(source="membership.neighbourhood")
        is_supported = serializers.BooleanField(source="membership.is_supported")
        last_exchange_on = serializers.DateField(allow_null=True)
        days_since_last_exchange = serializers.IntegerField(allow_null=True)

    @extend_schema(responses=Output(many=True))
    def get(self, request, slug: str):
        network = network_in_reach(user=request.user, slug=slug)
        require_coordinator(user=request.user, network=network)
        return paginated(request, self, selectors.isolation_list(network=network), self.Output)
