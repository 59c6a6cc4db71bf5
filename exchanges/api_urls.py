"""API routes for listings, exchanges, the ledger, matching and reports (under /api/v1/)."""

from django.urls import path

from exchanges.matching.apis import ListingMatchesApi

urlpatterns: list = [
    path("listings/<int:listing_id>/matches/", ListingMatchesApi.as_view(), name="api-listing-matches"),
]
