"""GET /api/v1/listings/{id}/matches/: who could help with a request, or who needs an offer."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.apis import ListingOutput
from exchanges.matching.selectors import listing_matches
from exchanges.models import Listing
from members.selectors import active_membership, can_act_for
from timebank.api import query_valid
from timebank.errors import Forbidden, NotFound

MAX_LIMIT = 50


class ListingMatchesApi(APIView):
    # Listings appear in the same shape as GET /api/v1/listings/{id}/ (one serializer for both).
    @extend_schema_serializer(component_name="ListingMatchesQuery")
    class Input(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=10)

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
            return ListingOutput(match.listing).data

        def get_member(self, match) -> dict:
            return ListingMatchesApi.MemberOutput(match.member).data

    @extend_schema(parameters=[Input], responses=Output(many=True))
    def get(self, request, listing_id: int):
        params = query_valid(self.Input, request)
        listing = Listing.objects.select_related("network").filter(pk=listing_id).first()
        # Outside the caller's networks a listing does not exist for them.
        if listing is None or active_membership(user=request.user, network=listing.network) is None:
            raise NotFound("No such listing.")
        # Matches speak to the listing's owner ("You haven't met yet"): the owner, a coordinator
        # or the owner's supporter may see them.
        if not can_act_for(actor=request.user, member=listing.owner, network=listing.network):
            raise Forbidden("Only the person who wrote this listing can see its matches.")
        matches = listing_matches(listing=listing, limit=params["limit"])
        return Response(self.Output(matches, many=True).data)
