"""GET /api/v1/listings/{id}/matches/: who could help with a request, or who needs an offer."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.matching.selectors import listing_matches
from exchanges.models import Listing
from members.selectors import active_membership, can_act_for
from timebank.errors import Forbidden, NotFound

MAX_LIMIT = 50


class ListingMatchesApi(APIView):
    @extend_schema_serializer(component_name="ListingMatchesQuery")
    class Input(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=10)

    # Named components: the nested serializers of every API class are called Input and Output.
    @extend_schema_serializer(component_name="MatchListing")
    class ListingOutput(serializers.Serializer):
        # The listing shape of PRODUCT §4.
        id = serializers.IntegerField()
        network = serializers.CharField(source="network.slug")
        kind = serializers.CharField()
        title = serializers.CharField()
        description = serializers.CharField()
        skills = serializers.SerializerMethodField()
        minutes_estimate = serializers.IntegerField(allow_null=True)
        owner = serializers.IntegerField(source="owner_id")
        status = serializers.CharField()

        def get_skills(self, listing) -> list[str]:
            return [skill.slug for skill in listing.skills.all()]

    @extend_schema_serializer(component_name="MatchMember")
    class MemberOutput(serializers.Serializer):
        id = serializers.IntegerField()
        display_name = serializers.CharField(source="name")

    @extend_schema_serializer(component_name="ListingMatch")
    class Output(serializers.Serializer):
        listing = serializers.SerializerMethodField()
        member = serializers.SerializerMethodField()
        score = serializers.FloatField()
        reasons = serializers.ListField(child=serializers.CharField())

        def get_listing(self, match) -> dict | None:
            if match.listing is None:
                return None
            return ListingMatchesApi.ListingOutput(match.listing).data

        def get_member(self, match) -> dict:
            return ListingMatchesApi.MemberOutput(match.member).data

    @extend_schema(parameters=[Input], responses=Output(many=True))
    def get(self, request, listing_id: int):
        params = self.Input(data=request.query_params)
        params.is_valid(raise_exception=True)
        listing = Listing.objects.select_related("network").filter(pk=listing_id).first()
        # Outside the caller's networks a listing does not exist for them.
        if listing is None or active_membership(user=request.user, network=listing.network) is None:
            raise NotFound("No such listing.")
        # Matches speak to the listing's owner ("You haven't met yet"): the owner, a coordinator
        # or the owner's supporter may see them.
        if not can_act_for(actor=request.user, member=listing.owner, network=listing.network):
            raise Forbidden("Only the person who wrote this listing can see its matches.")
        matches = listing_matches(listing=listing, limit=params.validated_data["limit"])
        return Response(self.Output(matches, many=True).data)
