"""REST endpoints for safeguarding: checks on a membership (coordinators) and concerns (anyone in the network)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.models import Exchange
from members import selectors
from members.audit import REASON_MAX
from members.models import Network, User
from members.safeguarding import selectors as safeguarding_selectors
from members.safeguarding import services as safeguarding
from members.safeguarding.models import Concern, SafeguardingCheck
from members.selectors import MAX_ID
from messaging import selectors as messaging_selectors
from messaging.models import Conversation
from timebank.api import Pagination, paginated, query_valid
from timebank.errors import NotFound
from timebank.fields import Text


class CheckOutput(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="membership.user_id")
    kind = Text()
    referee = Text()
    dbs_level = Text()
    certificate_number = Text()
    decision = Text()
    checked_on = serializers.DateField()
    review_on = serializers.DateField(allow_null=True)
    recorded_by = serializers.IntegerField(source="recorded_by_id")


class CheckInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SafeguardingCheck.Kind.choices)
    referee = Text(max_length=120, required=False, allow_blank=True)
    dbs_level = Text(max_length=20, required=False, allow_blank=True)
    certificate_number = Text(max_length=30, required=False, allow_blank=True)
    decision = serializers.ChoiceField(choices=SafeguardingCheck.Decision.choices, required=False)
    checked_on = serializers.DateField()
    review_on = serializers.DateField(required=False, allow_null=True)


def _coordinated_network(request, slug: str) -> Network:
    network = selectors.network_in_reach(user=request.user, slug=slug)
    selectors.require_coordinator(user=request.user, network=network)
    return network


class CheckListApi(APIView):
    """A member's checks (GET) and recording a new one (POST)."""

    pagination_class = Pagination

    @extend_schema(responses=CheckOutput(many=True))
    def get(self, request, slug: str, user_id: int):
        network = _coordinated_network(request, slug)
        membership = selectors.member_in_network(network=network, user_id=user_id)
        return paginated(request, self, safeguarding_selectors.checks_of(membership=membership), CheckOutput)

    @extend_schema(request=CheckInput, responses={201: CheckOutput})
    def post(self, request, slug: str, user_id: int):
        network = _coordinated_network(request, slug)
        membership = selectors.member_in_network(network=network, user_id=user_id)
        serializer = CheckInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = safeguarding.check_create(membership=membership, actor=request.user, **serializer.validated_data)
        return Response(CheckOutput(check).data, status=201)


class CheckDetailApi(APIView):
    class DeleteInput(serializers.Serializer):
        class Meta:
            ref_name = "CheckDetailDeleteInput"

        reason = Text(max_length=REASON_MAX, required=False, allow_blank=True, default="")

    @extend_schema(request=CheckInput, responses=CheckOutput)
    def patch(self, request, slug: str, user_id: int, check_id: int):
        network = _coordinated_network(request, slug)
        check = safeguarding_selectors.check_in_network(network=network, user_id=user_id, check_id=check_id)
        serializer = CheckInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        check = safeguarding.check_update(check=check, actor=request.user, **serializer.validated_data)
        return Response(CheckOutput(check).data)

    @extend_schema(request=DeleteInput, responses={204: None})
    def delete(self, request, slug: str, user_id: int, check_id: int):
        network = _coordinated_network(request, slug)
        check = safeguarding_selectors.check_in_network(network=network, user_id=user_id, check_id=check_id)
        serializer = self.DeleteInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        safeguarding.check_delete(check=check, actor=request.user, **serializer.validated_data)
        return Response(status=204)


class ChecksDueApi(APIView):
    """Checks to review: past their review date or due within `?days=` (default 30)."""

    pagination_class = Pagination

    class FilterInput(serializers.Serializer):
        class Meta:
            ref_name = "ChecksDueFilterInput"

        days = serializers.IntegerField(min_value=0, max_value=366, required=False, default=30)

    @extend_schema(parameters=[FilterInput], responses=CheckOutput(many=True))
    def get(self, request, slug: str):
        network = _coordinated_network(request, slug)
        filters = query_valid(self.FilterInput, request)
        qs = safeguarding_selectors.reviews_due(network=network, within_days=filters["days"])
        return paginated(request, self, qs, CheckOutput)


class ConcernOutput(serializers.Serializer):
    id = serializers.IntegerField()
    network = Text(source="network.slug")
    member = serializers.IntegerField(source="about_user_id", allow_null=True)
    exchange = serializers.IntegerField(source="about_exchange_id", allow_null=True)
    conversation = serializers.IntegerField(source="about_conversation_id", allow_null=True)
    happened_offline = serializers.BooleanField()
    description = Text()
    status = Text()
    resolution = Text()
    raised_by = serializers.IntegerField(source="raised_by_id")
    created_at = serializers.DateTimeField()


def _conversation_named(request, network: Network, conversation_id: int | None) -> Conversation | None:
    """A concern names only a conversation the raiser can read (theirs, or one a coordinator opened): any
    other answers 404, as if unknown."""
    if conversation_id is None:
        return None
    return messaging_selectors.conversation_readable(
        user=request.user, conversation_id=conversation_id, network=network
    )


class ConcernListApi(APIView):
    """Raise a concern (POST); the concerns you raised and your coordinators' queue (GET, `?network=`)."""

    pagination_class = Pagination

    class FilterInput(serializers.Serializer):
        class Meta:
            ref_name = "ConcernListFilterInput"

        network = serializers.SlugField(required=False)
        status = serializers.ChoiceField(choices=Concern.Status.choices, required=False)

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ConcernListInput"

        network = serializers.SlugField()
        member = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
        exchange = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
        conversation = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
        happened_offline = serializers.BooleanField(required=False, default=False)
        description = Text(max_length=5000)
        on_behalf_of = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)

    @extend_schema(parameters=[FilterInput], responses=ConcernOutput(many=True))
    def get(self, request):
        filters = query_valid(self.FilterInput, request)
        network = None
        if "network" in filters:
            network = selectors.network_in_reach(user=request.user, slug=filters["network"])
        qs = safeguarding_selectors.concerns_visible(user=request.user, network=network)
        if "status" in filters:
            qs = qs.filter(status=filters["status"])
        return paginated(request, self, qs, ConcernOutput)

    @extend_schema(request=Input, responses={201: ConcernOutput})
    def post(self, request):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        network = selectors.network_in_reach(user=request.user, slug=data["network"])

        def find(model, pk, what):
            if pk is None:
                return None
            obj = model.objects.filter(pk=pk, **({} if model is User else {"network": network})).first()
            if obj is None:
                raise NotFound(_("No such %(what)s.") % {"what": what})
            return obj

        concern = safeguarding.concern_raise(
            network=network,
            raised_by=request.user,
            description=data["description"],
            about_user=find(User, data.get("member"), "member"),
            about_exchange=find(Exchange, data.get("exchange"), "exchange"),
            about_conversation=_conversation_named(request, network, data.get("conversation")),
            happened_offline=data["happened_offline"],
            on_behalf_of=find(User, data.get("on_behalf_of"), "member"),
        )
        return Response(ConcernOutput(concern).data, status=201)


class ConcernCloseApi(APIView):
    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ConcernCloseInput"

        resolution = Text(max_length=1000)

    @extend_schema(request=Input, responses=ConcernOutput)
    def post(self, request, concern_id: int):
        concern = safeguarding_selectors.concern_in_queue(user=request.user, concern_id=concern_id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        concern = safeguarding.concern_close(concern=concern, actor=request.user, **serializer.validated_data)
        return Response(ConcernOutput(concern).data)
