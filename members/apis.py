"""REST endpoints for people and networks: me, networks, joining, members, profiles, skills.

Safeguarding endpoints (checks, concerns) are in members/safeguarding_apis.py.
"""

from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from members import selectors, services
from members.models import Membership
from timebank.api import Pagination
from timebank.errors import Forbidden, NotFound


def paginated(request, view, queryset, serializer_class, context: dict | None = None) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)


class MeApi(APIView):
    class MembershipOutput(serializers.Serializer):
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
        id = serializers.IntegerField()
        email = serializers.EmailField()
        display_name = serializers.CharField()
        memberships = serializers.SerializerMethodField()

        def get_memberships(self, user) -> list[dict]:
            qs = Membership.objects.filter(user=user).select_related("network", "account").order_by("network__slug")
            return MeApi.MembershipOutput(qs, many=True).data

    def get(self, request):
        return Response(self.Output(request.user).data)


class NetworkListApi(APIView):
    class Output(serializers.Serializer):
        slug = serializers.CharField()
        name = serializers.CharField()
        description = serializers.CharField()
        my_role = serializers.CharField(allow_null=True)
        my_status = serializers.CharField(allow_null=True)

    def get(self, request):
        return paginated(request, self, selectors.networks_with_my_membership(user=request.user), self.Output)


class MembershipOutput(serializers.Serializer):
    network = serializers.CharField(source="network.slug")
    member = serializers.IntegerField(source="user_id")
    display_name = serializers.CharField(source="user.name")
    role = serializers.CharField()
    status = serializers.CharField()


def _network_or_404(slug: str):
    from members.models import Network

    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise NotFound("No such network.")
    return network


class NetworkJoinApi(APIView):
    def post(self, request, slug: str):
        membership = services.membership_join(user=request.user, network=_network_or_404(slug))
        return Response(MembershipOutput(membership).data, status=201)


class NetworkLeaveApi(APIView):
    def post(self, request, slug: str):
        network = _network_or_404(slug)
        membership = selectors.membership_get(user=request.user, network=network)
        if membership is None:
            raise NotFound("No such network.")
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
    class FilterInput(serializers.Serializer):
        status = serializers.ChoiceField(choices=Membership.Status.choices, required=False)

    class RegisterInput(serializers.Serializer):
        """A supported member: no email of their own."""

        display_name = serializers.CharField(max_length=80)
        neighbourhood = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
        supporter = serializers.IntegerField(required=False, allow_null=True)

    def get(self, request, slug: str):
        network, _own = selectors.network_for_members(user=request.user, slug=slug)
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.members_visible(
            viewer=request.user, network=network, status=filters.validated_data.get("status")
        )
        contact_ids = selectors.contact_visible_ids(viewer=request.user, network=network)
        return paginated(request, self, qs, MemberOutput, {"contact_ids": contact_ids})

    def post(self, request, slug: str):
        network = selectors.network_in_reach(user=request.user, slug=slug)
        services.require_coordinator(user=request.user, network=network)
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
        reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def target(self, request, slug: str, user_id: int) -> Membership:
        network = selectors.network_in_reach(user=request.user, slug=slug)
        services.require_coordinator(user=request.user, network=network)
        return selectors.member_in_network(network=network, user_id=user_id)

    def post(self, request, slug: str, user_id: int):
        membership = self.target(request, slug, user_id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = type(self).service(membership=membership, actor=request.user, **serializer.validated_data)
        return Response(MembershipOutput(membership).data)


class MemberApproveApi(_CoordinatorMemberAction):
    service = staticmethod(services.membership_approve)


class MemberDeclineApi(_CoordinatorMemberAction):
    service = staticmethod(services.membership_decline)


class MemberSuspendApi(_CoordinatorMemberAction):
    service = staticmethod(services.membership_suspend)


class MemberReinstateApi(_CoordinatorMemberAction):
    service = staticmethod(services.membership_reinstate)


class MemberRoleApi(_CoordinatorMemberAction):
    class Input(serializers.Serializer):
        role = serializers.ChoiceField(choices=Membership.Role.choices)
        reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    service = staticmethod(services.membership_role_change)


class SupportLinkApi(APIView):
    """Link a supporter to the member they support (POST) or unlink them (DELETE)."""

    class Input(serializers.Serializer):
        supporter = serializers.IntegerField()

    def _pair(self, request, slug: str, user_id: int, supporter_id: int):
        network = selectors.network_in_reach(user=request.user, slug=slug)
        services.require_coordinator(user=request.user, network=network)
        member = selectors.member_in_network(network=network, user_id=user_id)
        return selectors.member_in_network(network=network, user_id=supporter_id), member

    def post(self, request, slug: str, user_id: int):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        supporter, member = self._pair(request, slug, user_id, serializer.validated_data["supporter"])
        services.support_link(supporter=supporter, member=member, actor=request.user)
        return Response({"member": member.user_id, "supporter": supporter.user_id}, status=201)

    def delete(self, request, slug: str, user_id: int, supporter_id: int | None = None):
        if supporter_id is None:
            raise NotFound("Name the supporter in the path.")
        supporter, member = self._pair(request, slug, user_id, supporter_id)
        services.support_unlink(supporter=supporter, member=member, actor=request.user)
        return Response(status=204)


class ProfileApi(APIView):
    """Your own profile in a network; `?member=<id>` for a member you support or coordinate."""

    class Input(serializers.Serializer):
        display_name = serializers.CharField(max_length=80, required=False)
        bio = serializers.CharField(max_length=1000, required=False, allow_blank=True)
        neighbourhood = serializers.CharField(max_length=80, required=False, allow_blank=True)
        skills_offered = serializers.ListField(child=serializers.CharField(max_length=80), required=False)
        skills_wanted = serializers.ListField(child=serializers.CharField(max_length=80), required=False)
        availability = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
        phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
        emergency_contact = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Output(MemberOutput):
        network = serializers.CharField(source="network.slug")
        is_supported = serializers.BooleanField()

    def membership(self, request, slug: str) -> Membership:
        member_id = request.query_params.get("member")
        if member_id is None:
            network = _network_or_404(slug)
            own = selectors.membership_get(user=request.user, network=network)
            if own is None or own.status in (Membership.Status.DECLINED, Membership.Status.LEFT):
                raise NotFound("No such network.")
            return own
        network = selectors.network_in_reach(user=request.user, slug=slug)
        if not member_id.isdigit():
            raise NotFound("No such member in this network.")
        membership = selectors.member_in_network(network=network, user_id=int(member_id))
        if not selectors.can_act_for(actor=request.user, member=membership.user, network=network):
            raise Forbidden("You cannot act for this member.")
        return membership

    def get(self, request, slug: str):
        return Response(self.Output(self.membership(request, slug), context={"contact_ids": None}).data)

    def patch(self, request, slug: str):
        membership = self.membership(request, slug)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.profile_update(membership=membership, actor=request.user, **serializer.validated_data)
        membership = Membership.objects.select_related("user", "network").get(pk=membership.pk)
        return Response(self.Output(membership, context={"contact_ids": None}).data)


class SkillListApi(APIView):
    class Output(serializers.Serializer):
        slug = serializers.CharField()
        name = serializers.CharField()
        synonyms = serializers.ListField(child=serializers.CharField())
        category = serializers.SerializerMethodField()

        def get_category(self, skill) -> dict:
            c = skill.category
            return {"slug": c.slug, "name": c.name, "sensitive": c.sensitive}

    def get(self, request):
        return paginated(request, self, selectors.skills_list(), self.Output)
