"""API routes for listings, exchanges, the ledger, matching and reports (under /api/v1/)."""

from django.urls import path

from exchanges.ledger import apis as ledger_apis
from exchanges.matching import apis as matching_apis

urlpatterns: list = [
    # ledger
    path("accounts/", ledger_apis.AccountListApi.as_view(), name="api-accounts"),
    path("accounts/<int:account_id>/floor/", ledger_apis.AccountFloorApi.as_view(), name="api-account-floor"),
    path("transfers/", ledger_apis.TransferListCreateApi.as_view(), name="api-transfers"),
    # matching
    path("listings/<int:listing_id>/matches/", matching_apis.ListingMatchesApi.as_view(), name="api-listing-matches"),
]
