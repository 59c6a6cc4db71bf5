"""REST endpoints for people and networks: me, networks, joining, members and what coordinators do to them.

Profiles and skills are in members/profile_apis.py; checks and concerns in members/safeguarding/apis.py.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from members import selectors, services
from members.audit import REASON_MAX
from members.models import Membership
from members.selectors import MAX_ID
from timebank.api import Pagination, paginated, query_valid
from timebank.errors import NotFound


class MeApi(APIView):
    class MembershipOutput(serializers.Serializer):
        class Meta:
            ref_name = "MeMembershipOutput"

        network = serializers.SerializerMethodField()
        role = serializers.CharField()
        status = serializers.CharField()
        balance_minutes = serializers.SerializerMethodField()
        available_minutes = serializers.SerializerMethodField()

        def get_network(self, m) -> dict:
            return {"slug": m.network.slug, "name": m.network.name}

        def get_balance_minutes(self, m) -> int | None:
            account = getattr(m, "account", None)
            return account.balance if account else None

        def get_available_minutes(self, m) -> int | None:
            account = getattr(m, "account", None)
            return account.available if account else None

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "MeOutput"

        id = serializers.IntegerField()
        email = serializers.EmailField()
        display_name = serializers.CharField()
        memberships = serializers.SerializerMethodField()

        def get_memberships(self, user) -> list[dict]:
            qs = Membership.objects.filter(user=user).select_related("network", "account").order_by("network__slug")
            return MeApi.MembershipOutput(qs, many=True).data

    @extend_schema(responses=Output)
    def get(self, request):
        return Response(self.Output(request.user).data)


class NetworkListApi(APIView):
    pagination_class = Pagination

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "NetworkListOutput"

        slug = serializers.CharField()
        name = serializers.CharField()
        description = serializers.CharField()
        my_role = serializers.CharField(allow_null=True)
        my_status = serializers.CharField(allow_null=True)

    @extend_schema(responses=Output(many=True))
    def get(self, request):
        return paginated(request, self, selectors.networks_with_my_membership(user=request.user), self.Output)


class MembershipOutput(serializers.Serializer):
    network = serializers.CharField(source="network.slug")
    member = serializers.IntegerField(source="user_id")
    display_name = serializers.CharField(source="user.name")
    role = serializers.CharField()
    status = serializers.CharField()


class NetworkJoinApi(APIView):
    @extend_schema(request=None, responses={201: MembershipOutput})
    def post(self, request, slug: str):
        membership = services.membership_join(
            user=request.user, network=selectors.network_in_reach(user=request.user, slug=slug, listed=True)
        )
        return Response(MembershipOutput(membership).data, status=201)


class NetworkLeaveApi(APIView):
    @extend_schema(request=None, responses=MembershipOutput)
    def post(self, request, slug: str):
        network = selectors.network_in_reach(user=request.user, slug=slug, listed=True)
        membership = selectors.membership_get(user=request.user, network=network)
        if membership is None:
            raise NotFound(_("No such network."))
        membership = services.membership_leave(membership=membership, actor=request.user)
        return Response(MembershipOutput(membership).data)


class MemberOutput(serializers.Serializer):
    """A public profile; contact details are null unless the caller may see them."""

    id = serializers.IntegerField(source="user_id")
    display_name = serializers.CharField(source="user.name")
    bio = serializers.CharField()
    neighbourhood = serializers.CharField()
    skills_offered = serializers.SerializerMethodField()
    skills_wanted = serializers.SerializerMethodField()
    availability = serializers.ListField(child=serializers.CharField())
    role = serializers.CharField()
    status = serializers.CharField()
    phone = serializers.SerializerMethodField()
    emergency_contact = serializers.SerializerMethodField()

    def get_skills_offered(self, m) -> list[str]:
        return sorted(s.slug for s in m.skills_offered.all())

    def get_skills_wanted(self, m) -> list[str]:
        return sorted(s.slug for s in m.skills_wanted.all())

    def _contact(self, m) -> bool:
        allowed = self.context.get("contact_ids")
        return allowed is None or m.user_id in allowed

    def get_phone(self, m) -> str | None:
        return m.phone if self._contact(m) else None

    def get_emergency_contact(self, m) -> str | None:
        return m.emergency_contact if self._contact(m) else None


class MemberListApi(APIView):
    pagination_class = Pagination

    class FilterInput(serializers.Serializer):
        class Meta:
            ref_name = "MemberListFilterInput"

        status = serializers.ChoiceField(choices=Membership.Status.choices, required=False)

    class RegisterInput(serializers.Serializer):
        """A supported member: no email of their own."""

        class Meta:
            ref_name = "MemberListRegisterInput"

        display_name = serializers.CharField(max_length=80)
        neighbourhood = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
        supporter = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)

        # DRF's CharField turns a number into text; the schema says a string, so a number is refused.
        def validate_display_name(self, value):
            if not isinstance(self.initial_data.get("display_name"), str):
                raise serializers.ValidationError(_("A name is text."))
            return value

        def validate_neighbourhood(self, value):
            if not isinstance(self.initial_data.get("neighbourhood", ""), str):
                raise serializers.ValidationError(_("A neighbourhood is a name."))
            return value

    @extend_schema(parameters=[FilterInput], responses=MemberOutput(many=True))
    def get(self, request, slug: str):
        network, _own = selectors.network_for_members(user=request.user, slug=slug)
        filters = query_valid(self.FilterInput, request)
        qs = selectors.members_visible(viewer=request.user, network=network, status=filters.get("status"))
        contact_ids = selectors.contact_visible_ids(viewer=request.user, network=network)
        return paginated(request, self, qs, MemberOutput, contact_ids=contact_ids)

    @extend_schema(request=RegisterInput, responses={201: MemberOutput})
    def post(self, request, slug: str):
        network = selectors.network_in_reach(user=request.user, slug=slug)
        selectors.require_coordinator(user=request.user, network=network)
        data = self._valid(self.RegisterInput, request)
        supporter = None
        if data.get("supporter") is not None:
            supporter = selectors.member_in_network(network=network, user_id=data["supporter"])
        membership = services.supported_member_register(
            network=network,
            actor=request.user,
            display_name=data["display_name"],
            neighbourhood=data["neighbourhood"],
            supporter=supporter,
        )
        return Response(MemberOutput(membership, context={"contact_ids": None}).data, status=201)

    @staticmethod
    def _valid(serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class _CoordinatorMemberAction(APIView):
    """POST /networks/{slug}/members/{id}/<action>/ with an optional reason: coordinators only."""

    service = None

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "CoordinatorMemberActionInput"

        reason = serializers.CharField(max_length=REASON_MAX, required=False, allow_blank=True, default="")

    def target(self, request, slug: str, user_id: int) -> Membership:
        network = selectors.network_in_reach(user=request.user, slug=slug)
        selectors.require_coordinator(user=request.user, network=network)
        return selectors.member_in_network(network=network, user_id=user_id)

    def post(self, request, slug: str, user_id: int):
        membership = self.target(request, slug, user_id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = type(self).service(membership=membership, actor=request.user, **serializer.validated_data)
        return Response(MembershipOutput(membership).data)


@extend_schema(request=_CoordinatorMemberAction.Input, responses=MembershipOutput)
class MemberApproveApi(_CoordinatorMemberAction):
    service = staticmethod(services.membership_approve)


@extend_schema(request=_CoordinatorMemberAction.Input, responses=MembershipOutput)
class MemberDeclineApi(_CoordinatorMemberAction):
    service = staticmethod(services.membership_decline)


@extend_schema(request=_CoordinatorMemberAction.Input, responses=MembershipOutput)
class MemberSuspendApi(_CoordinatorMemberAction):
    service = staticmethod(services.membership_suspend)


@extend_schema(request=_CoordinatorMemberAction.Input, responses=MembershipOutput)
class MemberReinstateApi(_CoordinatorMemberAction):
    service = staticmethod(services.membership_reinstate)


class MemberRoleApi(_CoordinatorMemberAction):
    class Input(serializers.Serializer):
        class Meta:
            ref_name = "MemberRoleInput"

        role = serializers.ChoiceField(choices=Membership.Role.choices)
        reason = serializers.CharField(max_length=REASON_MAX, required=False, allow_blank=True, default="")

    service = staticmethod(services.membership_role_change)

    @extend_schema(request=Input, responses=MembershipOutput)
    def post(self, request, slug: str, user_id: int):
        return super().post(request, slug, user_id)


def _support_pair(request, slug: str, user_id: int, supporter_id: int) -> tuple[Membership, Membership]:
    network = selectors.network_in_reach(user=request.user, slug=slug)
    selectors.require_coordinator(user=request.user, network=network)
    member = selectors.member_in_network(network=network, user_id=user_id)
    return selectors.member_in_network(network=network, user_id=supporter_id), member


class SupportLinkApi(APIView):
    """Link a supporter to a member they will act with."""

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "SupportLinkInput"

        supporter = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "SupportLinkOutput"

        member = serializers.IntegerField()
        supporter = serializers.IntegerField()

    @extend_schema(request=Input, responses={201: Output})
    def post(self, request, slug: str, user_id: int):
        network = selectors.network_in_reach(user=request.user, slug=slug)
        selectors.require_coordinator(user=request.user, network=network)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        supporter, member = _support_pair(request, slug, user_id, serializer.validated_data["supporter"])
        services.support_link(supporter=supporter, member=member, actor=request.user)
        return Response(self.Output({"member": member.user_id, "supporter": supporter.user_id}).data, status=201)


class SupportUnlinkApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, slug: str, user_id: int, supporter_id: int):
        supporter, member = _support_pair(request, slug, user_id, supporter_id)
        services.support_unlink(supporter=supporter, member=member, actor=request.user)
        return Response(status=204)


class NetworkNeighbourhoodsApi(APIView):
    """GET: which neighbourhoods the network's coordinators count as near each other (any member).
    PUT {"groups": [["Harlesden Town", "Church End"], …]}: replace them (coordinators)."""

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "NetworkNeighbourhoodsInput"

        # Types and a bound on the work here; the service cleans and applies the limits, as for the page.
        groups = serializers.ListField(
            child=serializers.ListField(
                child=serializers.CharField(max_length=1000, allow_blank=True, trim_whitespace=False),
                max_length=1000,
            ),
            max_length=1000,
        )

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "NetworkNeighbourhoodsOutput"

        network = serializers.CharField(source="slug")
        groups = serializers.ListField(
            source="nearby_neighbourhoods", child=serializers.ListField(child=serializers.CharField())
        )

    @extend_schema(responses=Output)
    def get(self, request, slug: str):
        network = selectors.network_in_reach(user=request.user, slug=slug)
        return Response(self.Output(network).data)

    @extend_schema(request=Input, responses=Output)
    def put(self, request, slug: str):
        network = selectors.network_in_reach(user=request.user, slug=slug)
        selectors.require_coordinator(user=request.user, network=network)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        network = services.network_neighbourhoods_set(
            network=network, actor=request.user, groups=serializer.validated_data["groups"]
        )
        return Response(self.Output(network).data)
