"""REST endpoints for profiles (your own, or a member's you act for) and the skills taxonomy."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from members import profiles, selectors
from members.apis import MemberOutput
from members.models import Membership
from members.profiles import AVAILABILITY_SLOTS
from members.taxonomy import SHIPPED_SKILL_SLUGS
from timebank.api import Pagination, paginated
from timebank.controls import NAME_LENGTH
from timebank.fields import Text


@extend_schema_field({"type": "string", "enum": SHIPPED_SKILL_SLUGS})
class SkillSlugField(serializers.SlugField):
    """A skill by slug: the schema lists the shipped taxonomy (GET /api/v1/skills/), the service checks the
    database."""


class ProfileApi(APIView):
    """Your own profile in a network; `?member=<id>` for a member you support or coordinate."""

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ProfileInput"

        display_name = Text(max_length=NAME_LENGTH, required=False)
        bio = Text(max_length=1000, required=False, allow_blank=True)
        neighbourhood = Text(max_length=80, required=False, allow_blank=True)
        skills_offered = serializers.ListField(child=SkillSlugField(max_length=80), required=False)
        skills_wanted = serializers.ListField(child=SkillSlugField(max_length=80), required=False)
        availability = serializers.ListField(child=serializers.ChoiceField(choices=AVAILABILITY_SLOTS), required=False)
        phone = Text(max_length=30, required=False, allow_blank=True)
        emergency_contact = Text(max_length=200, required=False, allow_blank=True)

    class Output(MemberOutput):
        class Meta:
            ref_name = "ProfileOutput"

        network = Text(source="network.slug")
        is_supported = serializers.BooleanField()

    def membership(self, request, slug: str) -> Membership:
        return profiles.profile_get(actor=request.user, slug=slug, member_id=request.query_params.get("member"))

    @extend_schema(parameters=[OpenApiParameter("member", int, description="a member you act for")], responses=Output)
    def get(self, request, slug: str):
        return Response(self.Output(self.membership(request, slug), context={"contact_ids": None}).data)

    @extend_schema(
        parameters=[OpenApiParameter("member", int, description="a member you act for")],
        request=Input,
        responses=Output,
    )
    def patch(self, request, slug: str):
        membership = self.membership(request, slug)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = profiles.profile_update(membership=membership, actor=request.user, **serializer.validated_data)
        membership = Membership.objects.select_related("user", "network").get(pk=membership.pk)
        return Response(self.Output(membership, context={"contact_ids": None}).data)


class SkillListApi(APIView):
    pagination_class = Pagination

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "SkillListOutput"

        slug = Text()
        # In the caller's language, as pages show it; the synonyms are the words matching reads (English).
        name = Text(source="label")
        synonyms = serializers.ListField(child=Text())
        category = serializers.SerializerMethodField()

        def get_category(self, skill) -> dict:
            c = skill.category
            return {"slug": c.slug, "name": c.label, "sensitive": c.sensitive}

    @extend_schema(responses=Output(many=True))
    def get(self, request):
        return paginated(request, self, selectors.skills_list(), self.Output)
