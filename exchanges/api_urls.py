"""API routes for listings, exchanges, the ledger, matching and reports (under /api/v1/)."""

from django.urls import path

from exchanges import apis
from exchanges.ledger import apis as ledger_apis
from exchanges.matching import apis as matching_apis
from exchanges.reports.api_urls import urlpatterns as report_api_urls

urlpatterns: list = [
    # listings and exchanges
    path("listings/", apis.ListingListApi.as_view(), name="api-listings"),
    path("listings/<int:pk>/", apis.ListingDetailApi.as_view(), name="api-listing"),
    path("exchanges/", apis.ExchangeListApi.as_view(), name="api-exchanges"),
    path("exchanges/record/", apis.ExchangeRecordApi.as_view(), name="api-exchange-record"),
    path("exchanges/<int:pk>/", apis.ExchangeDetailApi.as_view(), name="api-exchange"),
    path("exchanges/<int:pk>/schedule/", apis.ExchangeScheduleApi.as_view(), name="api-exchange-schedule"),
    path("exchanges/<int:pk>/<slug:action>/", apis.ExchangeActionApi.as_view(), name="api-exchange-action"),
    # ledger
    path("accounts/", ledger_apis.AccountListApi.as_view(), name="api-accounts"),
    path("accounts/<int:account_id>/floor/", ledger_apis.AccountFloorApi.as_view(), name="api-account-floor"),
    path("transfers/", ledger_apis.TransferListCreateApi.as_view(), name="api-transfers"),
    # matching
    path("listings/<int:listing_id>/matches/", matching_apis.ListingMatchesApi.as_view(), name="api-listing-matches"),
    # reports
    *report_api_urls,
]
