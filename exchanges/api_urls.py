"""API routes for listings, exchanges, the ledger, matching and reports (under /api/v1/)."""

from django.urls import path

from exchanges.matching import apis as matching_apis

urlpatterns: list = [
    path(
        "listings/<int:listing_id>/matches/",
        matching_apis.ListingMatchesApi.as_view(),
        name="api-listing-matches",
    ),
]
