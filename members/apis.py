"""REST endpoints for people and networks: me, networks, joining, members and what coordinators do to them.

Profiles and skills are in members/profile_apis.py; checks and concerns in members/safeguarding/apis.py.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from members import announcements, selectors, services
from members.audit import REASON_MAX
from members.models import Membership, Network
from members.selectors import MAX_ID
from timebank.api import Pagination, paginated, query_valid
from timebank.controls import NAME_LENGTH
from timebank.errors import NotFound
from timebank.fields import Text


class MeApi(APIView):
    class MembershipOutput(serializers.Serializer):
        class Meta:
            ref_name = "MeMembershipOutput"

        network = serializers.SerializerMethodField()
        role = Text()
        status = Text()
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
        display_name = Text()
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

        slug = Text()
        name = Text()
        description = Text()
        my_role = Text(allow_null=True)
        my_status = Text(allow_null=True)

    @extend_schema(responses=Output(many=True))
    def get(self, request):
        return paginated(request, self, selectors.networks_with_my_membership(user=request.user), self.Output)


class MembershipOutput(serializers.Serializer):
    network = Text(source="network.slug")
    member = serializers.IntegerField(source="user_id")
    display_name = Text(source="user.name")
    role = Text()
    status = Text()


class NetworkJoinApi(APIView):
    class Input(serializers.Serializer):
        """Answers to the network's join questions, in their order (none if it asks none)."""

        class Meta:
            ref_name = "NetworkJoinInput"

        answers = serializers.ListField(
            child=Text(max_length=services.JOIN_ANSWER_LENGTH, allow_blank=True),
            max_length=services.JOIN_QUESTIONS_MOST,
            required=False,
            default=list,
        )

    @extend_schema(request=Input, responses={201: MembershipOutput})
    def post(self, request, slug: str):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_join(
            user=request.user,
            network=selectors.network_in_reach(user=request.user, slug=slug, listed=True),
            answers=serializer.validated_data["answers"],
        )
        return Response(MembershipOutput(membership).data, status=201)


class NetworkSettingsApi(APIView):
    """GET: a network's rules (coordinators). PATCH: change some of them, with the reason kept in the
    audit trail; each change is recorded old → new."""

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "NetworkSettingsOutput"

        name = Text()
        description = Text()
        approval = serializers.ChoiceField(choices=Network.Approval.choices)
        floor_minutes = serializers.IntegerField()
        autoconfirm_days = serializers.IntegerField()
        hourly_value_pounds = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False)
        k = serializers.IntegerField()
        welcome_minutes = serializers.IntegerField()
        join_questions = serializers.ListField(child=Text())

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "NetworkSettingsInput"

        name = Text(max_length=services.NAME_LENGTH, required=False)
        description = Text(max_length=services.DESCRIPTION_LENGTH, required=False, allow_blank=True)
        approval = serializers.ChoiceField(choices=Network.Approval.choices, required=False)
        floor_minutes = serializers.IntegerField(min_value=services.FLOOR_LOWEST, max_value=0, required=False)
        autoconfirm_days = serializers.IntegerField(
            min_value=services.AUTOCONFIRM_DAYS[0], max_value=services.AUTOCONFIRM_DAYS[1], required=False
        )
        hourly_value_pounds = serializers.DecimalField(
            max_digits=6,
            decimal_places=2,
            min_value=0,
            max_value=services.HOURLY_VALUE_MOST,
            coerce_to_string=False,
            required=False,
        )
        k = serializers.IntegerField(min_value=services.K_RANGE[0], max_value=services.K_RANGE[1], required=False)
        welcome_minutes = serializers.IntegerField(min_value=0, max_value=services.WELCOME_MINUTES_MOST, required=False)
        join_questions = serializers.ListField(
            child=Text(max_length=services.JOIN_QUESTION_LENGTH, allow_blank=True),
            max_length=services.JOIN_QUESTIONS_MOST,
            required=False,
        )
        # Required by the service (members.audit.reason_clean), like every coordinator's reason.
        reason = Text(
            max_length=REASON_MAX,
            required=False,
            allow_blank=True,
            default="",
            help_text="Why: kept in the audit trail. Required: a change without one is refused.",
        )

        # DRF's CharField turns a number into text; the schema says a string, so a number is refused.
        def validate(self, attrs):
            for name in ("name", "description", "reason"):
                if name in self.initial_data and not isinstance(self.initial_data[name], str):
                    raise serializers.ValidationError({name: [_("Give some text.")]})
            questions = self.initial_data.get("join_questions")
            if isinstance(questions, list) and not all(isinstance(q, str) for q in questions):
                raise serializers.ValidationError({"join_questions": [_("Give each question as text.")]})
            return attrs

    def _network(self, request, slug: str):
        network = selectors.network_in_reach(user=request.user, slug=slug)
        selectors.require_coordinator(user=request.user, network=network)
        return network

    @extend_schema(responses=Output)
    def get(self, request, slug: str):
        network = self._network(request, slug)
        return Response(self.Output(services.network_settings_of(network)).data)

    @extend_schema(request=Input, responses=Output)
    def patch(self, request, slug: str):
        network = self._network(request, slug)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        reason = changes.pop("reason")
        network = services.network_settings_set(network=network, actor=request.user, changes=changes, reason=reason)
        return Response(self.Output(services.network_settings_of(network)).data)


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
    display_name = Text(source="user.name")
    bio = Text()
    neighbourhood = Text()
    skills_offered = serializers.SerializerMethodField()
    skills_wanted = serializers.SerializerMethodField()
    availability = serializers.ListField(child=Text())
    role = Text()
    status = Text()
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

        display_name = Text(max_length=NAME_LENGTH)
        neighbourhood = Text(max_length=80, required=False, allow_blank=True, default="")
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

        reason = Text(max_length=REASON_MAX, required=False, allow_blank=True, default="")

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
        reason = Text(max_length=REASON_MAX, required=False, allow_blank=True, default="")

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
                child=Text(max_length=1000, allow_blank=True, trim_whitespace=False),
                max_length=1000,
            ),
            max_length=1000,
        )

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "NetworkNeighbourhoodsOutput"

        network = Text(source="slug")
        groups = serializers.ListField(source="nearby_neighbourhoods", child=serializers.ListField(child=Text()))

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


class AnnouncementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    network = Text(source="network.slug")
    title = Text()
    body = Text()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    author = Text(source="author.name", help_text="The coordinator's name.")
    created_at = serializers.DateTimeField()


class AnnouncementListApi(APIView):
    """GET: a network's news and events, newest first (the people who see inside it). POST: a coordinator
    tells the whole network; everyone who can read it is notified."""

    pagination_class = Pagination

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "AnnouncementInput"

        title = Text(max_length=announcements.TITLE_LENGTH)
        body = Text(max_length=announcements.BODY_LENGTH)
        starts_on = serializers.DateField(required=False, allow_null=True, default=None)
        ends_on = serializers.DateField(required=False, allow_null=True, default=None)

        def validate(self, attrs):
            for name in ("title", "body"):
                if not isinstance(self.initial_data.get(name), str):
                    raise serializers.ValidationError({name: [_("Give some text.")]})
            return attrs

    @extend_schema(responses=AnnouncementOutput(many=True))
    def get(self, request, slug: str):
        network, _own = announcements.network_for_readers(user=request.user, slug=slug)
        return paginated(request, self, announcements.announcements_of(network=network), AnnouncementOutput)

    @extend_schema(request=Input, responses={201: AnnouncementOutput})
    def post(self, request, slug: str):
        network = selectors.network_in_reach(user=request.user, slug=slug)
        selectors.require_coordinator(user=request.user, network=network)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        announcement = announcements.announcement_post(actor=request.user, network=network, **serializer.validated_data)
        return Response(AnnouncementOutput(announcement).data, status=201)


class AuditEventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = Text(source="action")
    actor = serializers.IntegerField(source="actor_id", allow_null=True, help_text="Null: the system.")
    actor_name = serializers.SerializerMethodField()
    on_behalf_of = serializers.IntegerField(source="on_behalf_of_id", allow_null=True)
    target_type = Text()
    target_id = serializers.IntegerField(allow_null=True)
    reason = Text()
    data = serializers.DictField()
    created_at = serializers.DateTimeField()

    def get_actor_name(self, event) -> str | None:
        return event.actor.name if event.actor is not None else None


class AuditListApi(APIView):
    """A network's audit trail, newest first (coordinators): optionally one member's (a user id) and one
    kind of event ("exchange", "exchange.approve", "network.settings" …)."""

    pagination_class = Pagination

    class FilterInput(serializers.Serializer):
        class Meta:
            ref_name = "AuditListFilterInput"

        member = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
        kind = serializers.RegexField(r"^[a-z_]+(\.[a-z_]+)*$", max_length=60, required=False)

    @extend_schema(parameters=[FilterInput], responses=AuditEventOutput(many=True))
    def get(self, request, slug: str):
        network = selectors.network_in_reach(user=request.user, slug=slug)
        selectors.require_coordinator(user=request.user, network=network)
        filters = query_valid(self.FilterInput, request)
        events = selectors.audit_events(network=network, member=filters.get("member"), kind=filters.get("kind"))
        return paginated(request, self, events, AuditEventOutput)
