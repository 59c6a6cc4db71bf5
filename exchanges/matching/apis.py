"""GET /api/v1/listings/{id}/matches/: who could help with a request, or who needs an offer; and
GET /api/v1/search/: people, offers and requests in your networks that fit free text."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.apis import ListingOutput
from exchanges.matching.selectors import (
    NEEDS_CHECK,
    SEARCH_MAX_LENGTH,
    listing_for_matches,
    listing_match_outcome,
    nobody_message,
    search_needs_check_message,
    search_outcome,
)
from timebank.api import Pagination, paginated, query_valid
from timebank.fields import Text

MAX_LIMIT = 50

# Why a listing's matches are empty, additive to the list: "needs_check" or "none", and the same
# in plain words for the person.
NOBODY_HEADER = "Matches-Nobody"
NOBODY_MESSAGE_HEADER = "Matches-Nobody-Message"


def nobody_headers(reasons: list[str], when: str) -> list[OpenApiParameter]:
    """The two response headers that say why nobody is suggested, as the schema documents them."""
    return [
        OpenApiParameter(
            NOBODY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200], enum=reasons, description=when
        ),
        OpenApiParameter(
            NOBODY_MESSAGE_HEADER,
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            response=[200],
            description="With that header: why, and the next step, in plain words for the person.",
        ),
    ]


@extend_schema_serializer(component_name="MatchMember")
class MemberOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = Text(source="name")


@extend_schema_serializer(component_name="ListingMatch")
class MatchOutput(serializers.Serializer):
    # Listings appear in the same shape as GET /api/v1/listings/{id}/ (one serializer for both).
    listing = serializers.SerializerMethodField()
    member = serializers.SerializerMethodField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=Text())

    def get_listing(self, match) -> dict | None:
        if match.listing is None:
            return None
        return ListingOutput(match.listing).data

    def get_member(self, match) -> dict:
        return MemberOutput(match.member).data


@extend_schema_serializer(component_name="SearchMatch")
class SearchMatchOutput(MatchOutput):
    """A match as GET /api/v1/search/ answers it: also whether the member could help or asked."""

    kind = serializers.ChoiceField(
        choices=["offer", "request"],
        help_text="offer: they could help (their offer, or their profile or bio); "
        "request: they asked for this (their request, or their profile).",
    )


class ListingMatchesApi(APIView):
    @extend_schema_serializer(component_name="ListingMatchesQuery")
    class Input(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=10)

    # Kept for callers that name them through the view.
    MemberOutput = MemberOutput
    Output = MatchOutput

    @extend_schema(
        parameters=[
            Input,
            *nobody_headers(
                ["needs_check", "none"],
                "Only when the list is empty: the only people who could help need a safeguarding check first (or, "
                "for an offer of sensitive help, its owner does), or nobody fits.",
            ),
        ],
        responses=MatchOutput(many=True),
    )
    def get(self, request, listing_id: int):
        params = query_valid(self.Input, request)
        listing = listing_for_matches(user=request.user, listing_id=listing_id)
        outcome = listing_match_outcome(listing=listing, limit=params["limit"])
        response = Response(MatchOutput(outcome.matches, many=True).data)
        if outcome.nobody:
            response[NOBODY_HEADER] = outcome.nobody
            response[NOBODY_MESSAGE_HEADER] = nobody_message(outcome=outcome, kind=listing.kind)
        return response


class SearchApi(APIView):
    pagination_class = Pagination

    @extend_schema_serializer(component_name="SearchQuery")
    class Input(serializers.Serializer):
        q = Text(max_length=SEARCH_MAX_LENGTH, help_text="What you are looking for, in your own words (required).")
        network = serializers.SlugField(required=False, help_text="A network slug (404 outside your networks).")
        kind = serializers.ChoiceField(
            choices=["offer", "request"],
            required=False,
            allow_blank=True,
            help_text="Only people who could help (offer) or only people who asked for it (request); both when left "
            "out or empty.",
        )

    @extend_schema(
        operation_id="search",
        parameters=[
            Input,
            *nobody_headers(
                ["needs_check"],
                "Only when nobody who could help is listed because the people who could need a safeguarding check "
                "first (the words ask for lifts, care or childcare).",
            ),
        ],
        responses=SearchMatchOutput(many=True),
    )
    def get(self, request):
        params = query_valid(self.Input, request)
        outcome = search_outcome(
            user=request.user, q=params["q"], network=params.get("network"), kind=params.get("kind")
        )
        response = paginated(request, self, outcome.matches, SearchMatchOutput)
        if outcome.helpers_need_check:
            response[NOBODY_HEADER] = NEEDS_CHECK
            response[NOBODY_MESSAGE_HEADER] = search_needs_check_message()
        return response
