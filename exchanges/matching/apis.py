"""GET /api/v1/listings/{id}/matches/: who could help with a request, or who needs an offer."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.apis import ListingOutput
from exchanges.matching.selectors import listing_for_matches, listing_matches
from timebank.api import query_valid

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
        listing = listing_for_matches(user=request.user, listing_id=listing_id)
        matches = listing_matches(listing=listing, limit=params["limit"])
        return Response(self.Output(matches, many=True).data)
